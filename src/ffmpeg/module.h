// What the FFmpeg module (attnviz_ffmpeg.so, built from src/ffmpeg) offers the program, which
// loads it on first use (io/ffmpeg_loader.h). Linked into the program, FFmpeg's libraries and the
// ninety they pull in cost every command 27 ms of CPU at start-up (dynamic loading and
// relocation, `attnviz --version`: 36 against 9 ms); only video frames and animations need them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attnviz/io/image.h"

namespace attnviz {
struct RgbFrame;             // attnviz/render/video_strip.h
enum class AnimationFormat;  // attnviz/render/animation.h
}  // namespace attnviz

namespace attnviz::ffmpeg {

using Palette = std::vector<std::array<uint8_t, 3>>;

// Called with each decoded frame's sides before its pixels are converted; throws to refuse them.
using CheckSides = std::function<void(int width, int height)>;

struct Module {
  int version;  // kVersion of the module's build: the program refuses another

  // io/video_frames.h's DecodeVideo and CountVideoFrames.
  std::vector<RgbaImage> (*decode_video)(const std::string& path, const std::vector<int64_t>& keep,
                                         int64_t& count, const CheckSides& check_sides);
  int64_t (*count_video_frames)(const std::string& path);

  // render/animation.h's EncodeAnimation of frames already checked, with the GIF's palette.
  std::string (*encode_animation)(const std::vector<RgbFrame>& frames, AnimationFormat format,
                                  int fps, const Palette& palette);
};

// Raised whenever Module or what it passes changes.
inline constexpr int kVersion = 1;

// The module's functions (defined in src/ffmpeg/video_decode.cc and animation_encode.cc).
std::vector<RgbaImage> DecodeVideo(const std::string& path, const std::vector<int64_t>& keep,
                                   int64_t& count, const CheckSides& check_sides);
int64_t CountVideoFrames(const std::string& path);
std::string EncodeAnimation(const std::vector<RgbFrame>& frames, AnimationFormat format, int fps,
                            const Palette& palette);

}  // namespace attnviz::ffmpeg

// The module's one exported symbol.
extern "C" const attnviz::ffmpeg::Module* attnviz_ffmpeg_module();
