// Animated figures: a median-cut palette for GIF, the progress bar, and the frames checked before
// the FFmpeg module encodes them.
#include "attnviz/render/animation.h"

#include <algorithm>
#include <map>

#include "attnviz/error.h"
#include "ffmpeg/module.h"
#include "io/ffmpeg_loader.h"

namespace attnviz {
namespace {

using Color = std::array<uint8_t, 3>;

// A set of distinct colours with their pixel counts, split along its widest channel.
struct ColorBox {
  std::vector<std::pair<uint32_t, int64_t>> colors;  // packed 0xRRGGBB, count

  static int Channel(uint32_t rgb, int c) { return (rgb >> (16 - 8 * c)) & 0xff; }
  int Range(int c) const {
    int lo = 255, hi = 0;
    for (const auto& [rgb, count] : colors) {
      lo = std::min(lo, Channel(rgb, c));
      hi = std::max(hi, Channel(rgb, c));
    }
    return hi - lo;
  }
  int WidestChannel() const {
    int best = 0;
    for (int c = 1; c < 3; ++c) {
      if (Range(c) > Range(best)) best = c;
    }
    return best;
  }
  Color Mean() const {
    double sum[3] = {0, 0, 0};
    int64_t total = 0;
    for (const auto& [rgb, count] : colors) {
      for (int c = 0; c < 3; ++c) sum[c] += static_cast<double>(Channel(rgb, c)) * count;
      total += count;
    }
    Color mean;
    for (int c = 0; c < 3; ++c) mean[c] = static_cast<uint8_t>(sum[c] / total + 0.5);
    return mean;
  }
};

// Splits `box` at the weighted median of its widest channel into itself and the returned upper
// half.
ColorBox Split(ColorBox& box) {
  int c = box.WidestChannel();
  std::sort(box.colors.begin(), box.colors.end(), [c](const auto& a, const auto& b) {
    int va = ColorBox::Channel(a.first, c), vb = ColorBox::Channel(b.first, c);
    return va != vb ? va < vb : a.first < b.first;
  });
  int64_t total = 0, seen = 0;
  for (const auto& color : box.colors) total += color.second;
  size_t cut = 1;
  for (; cut < box.colors.size(); ++cut) {
    seen += box.colors[cut - 1].second;
    if (2 * seen >= total) break;
  }
  cut = std::min(cut, box.colors.size() - 1);
  ColorBox upper{{box.colors.begin() + cut, box.colors.end()}};
  box.colors.resize(cut);
  return upper;
}

uint32_t Packed(const uint8_t* rgb) { return (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]; }

void CheckFrames(const std::vector<RgbFrame>& frames) {
  if (frames.empty()) ThrowUsageError("an animation needs at least one frame");
  for (const RgbFrame& frame : frames) {
    if (frame.width != frames[0].width || frame.height != frames[0].height || frame.width < 1 ||
        frame.rgb.size() != static_cast<size_t>(frame.width) * frame.height * 3) {
      ThrowUsageError("an animation's frames must be non-empty and of one size");
    }
  }
}

}  // namespace

std::optional<AnimationFormat> AnimationFormatFor(const std::string& path) {
  std::string ext = path.size() >= 4 ? path.substr(path.size() - 4) : "";
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".gif") return AnimationFormat::kGif;
  if (ext == ".mp4") return AnimationFormat::kMp4;
  return std::nullopt;
}

RgbFrame WithProgressBar(const RgbFrame& frame, int64_t index, int64_t count) {
  const int bar = std::max(3, frame.height / 40);
  RgbFrame out{frame.width, frame.height + bar, frame.rgb};
  const int filled = static_cast<int>((index + 1) * frame.width / std::max<int64_t>(count, 1));
  for (int y = 0; y < bar; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      uint8_t level = x < filled ? 64 : 208;
      out.rgb.insert(out.rgb.end(), {level, level, level});
    }
  }
  return out;
}

std::vector<Color> MedianCutPalette(const std::vector<RgbFrame>& frames) {
  std::map<uint32_t, int64_t> counts;  // ordered: the same boxes on every run
  for (const RgbFrame& frame : frames) {
    for (size_t p = 0; p + 2 < frame.rgb.size(); p += 3) ++counts[Packed(&frame.rgb[p])];
  }
  std::vector<ColorBox> boxes{{{counts.begin(), counts.end()}}};
  while (boxes.size() < 256) {
    auto widest =
        std::max_element(boxes.begin(), boxes.end(), [](const ColorBox& a, const ColorBox& b) {
          return a.Range(a.WidestChannel()) < b.Range(b.WidestChannel());
        });
    if (widest->colors.size() < 2) break;
    boxes.push_back(Split(*widest));
  }
  std::vector<Color> palette;
  for (const ColorBox& box : boxes) {
    if (!box.colors.empty()) palette.push_back(box.Mean());
  }
  return palette;
}

std::string EncodeAnimation(const std::vector<RgbFrame>& frames, AnimationFormat format, int fps) {
  CheckFrames(frames);
  if (fps < 1 || fps > 50)
    ThrowUsageError("--fps: expected 1 to 50 frames per second, found " + std::to_string(fps));
  const ffmpeg::Palette palette =
      format == AnimationFormat::kGif ? MedianCutPalette(frames) : ffmpeg::Palette{};
  return FfmpegModule(ErrorKind::kOutput).encode_animation(frames, format, fps, palette);
}

}  // namespace attnviz
