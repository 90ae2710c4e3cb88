// The speech figure: one time axis for attention and audio (checked on PNG pixels), token labels
// as heatmap rows, everything on the page, and the requests it refuses.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/speech.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

// One token attending to frames 25-49 of 100 (0.5 s to 1.0 s at 20 ms), over a spectrogram of
// 200 columns of 10 ms loud only in columns 50-99: the same half second.
SpeechSpec HalfSecondSpec() {
  SpeechSpec spec;
  std::vector<float> attention(100, 0.0f);
  for (int frame = 25; frame < 50; ++frame) attention[frame] = 1;
  spec.attention = Matrix(1, 100, attention);
  spec.tokens = {"word"};
  spec.seconds = 2.0;
  std::vector<float> mel(8 * 200, 0.0f);
  for (int band = 0; band < 8; ++band) {
    for (int column = 50; column < 100; ++column) mel[band * 200 + column] = 1;
  }
  spec.mel = Matrix(8, 200, mel);
  spec.mel_ticks = {{0, "0"}, {8, "8"}};
  spec.title = "one word";
  return spec;
}

// The first and one-past-last x of the pixels in row y, between x0 and x1, that `test` accepts.
template <typename Test>
std::pair<int, int> Run(const DecodedPng& png, int y, int x0, int x1, Test test) {
  int first = -1, last = -1;
  for (int x = x0; x < x1; ++x) {
    if (!test(png.at(x, y))) continue;
    if (first < 0) first = x;
    last = x + 1;
  }
  return {first, last};
}

TEST_CASE("the attention's frames and the spectrogram's columns fall on the same pixels") {
  const SpeechSpec spec = HalfSecondSpec();
  const SpeechLayout layout = LayoutSpeech(spec);
  CHECK(layout.attention.x == layout.audio.x);
  CHECK(layout.attention.width == layout.audio.width);
  CHECK(layout.audio.y > layout.attention.bottom());
  const DecodedPng png = DecodePng(RenderSpeech(spec, ImageFormat::kPng));
  const double scale = 100.0 / 72;  // pixels per point at the default 100 dpi
  const int x0 = static_cast<int>(layout.attention.x * scale) + 2;
  const int x1 = static_cast<int>(layout.attention.right() * scale) - 2;
  const int attention_y = static_cast<int>(layout.attention.center().y * scale);
  const int audio_y = static_cast<int>(layout.audio.center().y * scale);
  auto bright = [](Rgba c) { return c.g > 200; };           // viridis' top: yellow
  auto dark = [](Rgba c) { return c.r < 60 && c.g < 60; };  // Greys' top: black
  auto attended = Run(png, attention_y, x0, x1, bright);
  auto loud = Run(png, audio_y, x0, x1, dark);
  const double left = layout.attention.x * scale, width = layout.attention.width * scale;
  CHECK(std::abs(attended.first - (left + 0.25 * width)) <= 1);
  CHECK(std::abs(attended.second - (left + 0.5 * width)) <= 1);
  CHECK(loud.first == attended.first);
  CHECK(loud.second == attended.second);
}

TEST_CASE("every text lies on the page") {
  SpeechSpec spec = HalfSecondSpec();
  for (SpeechUnder under : {SpeechUnder::kMel, SpeechUnder::kWaveform}) {
    spec.under = under;
    spec.waveform = std::vector<float>(32000, 0.25f);
    const SpeechLayout layout = LayoutSpeech(spec);
    const Rect page{0, 0, layout.page.width, layout.page.height};
    for (const Rect& text : layout.text_bounds) CHECK(page.Contains(text));
    CHECK(layout.audio_colorbar.empty() == (under == SpeechUnder::kWaveform));
  }
}

TEST_CASE("many tokens shrink, then every k-th is labelled, as heatmap rows are") {
  SpeechSpec spec = HalfSecondSpec();
  spec.attention = Matrix(300, 100, std::vector<float>(300 * 100, 0.5f));
  spec.tokens.assign(300, "tok");
  const SpeechLayout layout = LayoutSpeech(spec);
  CHECK(layout.token_label_step > 1);
  CHECK(layout.attention.height <= 288 + 1e-9);  // 4 in
}

TEST_CASE("a fixed width is filled by the page") {
  RenderOptions options;
  options.width_pt = 360;
  CHECK(LayoutSpeech(HalfSecondSpec(), options).page.width == 360);
}

TEST_CASE("requests that cannot be drawn are usage errors") {
  SpeechSpec spec = HalfSecondSpec();
  SUBCASE("labels for other rows") { spec.tokens = {"a", "b"}; }
  SUBCASE("a time axis shorter than the frames") { spec.seconds = 1.0; }
  SUBCASE("no spectrogram") { spec.mel = {}; }
  SUBCASE("no waveform") { spec.under = SpeechUnder::kWaveform; }
  try {
    LayoutSpeech(spec);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUsage);
  }
}

}  // namespace
}  // namespace attnviz
