// The speech figure: text tokens' cross-attention over audio frames on a time axis in seconds,
// drawn exactly above the log-mel spectrogram (or the waveform) of the audio they attend to.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

enum class SpeechUnder { kMel, kWaveform };

// A labelled position on the spectrogram's band axis: 0 its bottom edge, band b over [b, b + 1).
struct BandTick {
  double position = 0;
  std::string label;
};

struct SpeechSpec {
  // Tokens x frames; frame k covers [k, k + 1) x frame_seconds. Rows are labelled by `tokens`
  // (as heatmap rows: shrinking, then every k-th), or by index when it is empty.
  Matrix attention;
  std::vector<std::string> tokens;
  double frame_seconds = 0.02;
  // The time axis runs from 0 to here; at least the attention's frames.
  double seconds = 0;
  SpeechUnder under = SpeechUnder::kMel;
  // kMel: bands x columns, row 0 the lowest band, column t over [t, t + 1) x mel_seconds (as
  // LogMelSpectrogram gives it), ticked at mel_ticks; colours span its smallest to largest value.
  Matrix mel;
  double mel_seconds = 0.01;
  std::vector<BandTick> mel_ticks;
  std::string mel_axis_title = "kHz";
  // kWaveform: mono samples from time 0.
  std::vector<float> waveform;
  double sample_rate = 16000;
  // A word-timing path through the attention's cells, (token, frame) in drawing order, drawn over
  // it in red; and times (seconds) drawn as faint red lines over the audio: token boundaries.
  std::vector<std::pair<int64_t, int64_t>> path;
  std::vector<double> boundaries;
  std::string title;
  ScaleRequest scale;                  // the attention's colours
  std::string mel_colormap = "Greys";  // dark is loud, as phoneticians draw spectrograms
  std::string token_axis_title = "token";
};

// Where the figure's parts land, in points (y down).
struct SpeechLayout {
  Size page;
  Rect attention;       // the heatmap, 0 s at its left edge, `seconds` at its right
  Rect audio;           // the spectrogram or waveform panel, on the same time axis
  Rect colorbar;        // the attention's
  Rect audio_colorbar;  // the spectrogram's; empty for a waveform
  std::vector<Rect> text_bounds;
  int64_t token_label_step = 1;  // every k-th token is labelled
};

// The layout RenderSpeech draws. The plot is 6 in wide (or fills --size's width); token rows
// are as tall as a label line (x1.25) up to a 4 in heatmap, at least 1 in; the spectrogram is
// 1.35 in tall, a waveform 1 in. Throws Error(kUsage) for an empty attention, labels that do not
// match its rows, a time axis shorter than its frames, an empty spectrogram, a bad scale or
// colormap, or a fixed size too small.
SpeechLayout LayoutSpeech(const SpeechSpec& spec, const RenderOptions& options = {});

std::string RenderSpeech(const SpeechSpec& spec, ImageFormat format,
                         const RenderOptions& options = {});

}  // namespace attnviz
