// Animated figures for slides: frames encoded as GIF or MP4 through FFmpeg's libraries.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/video_strip.h"

namespace attnviz {

// GIF plays in every slide tool, browser and Markdown page, so it is the default; MP4 (H.264
// through libx264) is a fraction of the size for long or large clips.
enum class AnimationFormat { kGif, kMp4 };

// The animation format of an output path by its extension (.gif, .mp4, any case), else nullopt.
std::optional<AnimationFormat> AnimationFormatFor(const std::string& path);

// `frame` over a bar (height / 40 rows, at least 3) showing how far through the clip frame `index`
// of `count` is: filled to (index + 1) / count of the width in dark grey, the rest light grey.
RgbFrame WithProgressBar(const RgbFrame& frame, int64_t index, int64_t count);

// Up to 256 colours for `frames` by median cut over their pixels (weighted by pixel counts),
// each the mean of its box: exact when the frames hold at most 256 colours. Deterministic.
std::vector<std::array<uint8_t, 3>> MedianCutPalette(const std::vector<RgbFrame>& frames);

// The frames, all of one size, encoded at `fps` frames per second and looping forever (GIF),
// deterministically: bit-exact encoder and muxer flags, one thread, no dates or version tags
// beyond libx264's fixed SEI text. GIF uses one global palette (MedianCutPalette) without
// dithering; MP4 is H.264 yuv420p, CRF 18, with odd sides padded by one repeated pixel. Throws
// Error(kUsage) for no frames or frames of different sizes, Error(kOutput) when the encoder is
// missing from this FFmpeg build or fails.
std::string EncodeAnimation(const std::vector<RgbFrame>& frames, AnimationFormat format, int fps);

}  // namespace attnviz
