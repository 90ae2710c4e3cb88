// The frames a video transformer saw: T pictures sampled from a folder of images or a video file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/io/image.h"

namespace attnviz {

// Which of `available` frames (0-based, in order) stand for `wanted` token slices: the centre of
// each of `wanted` equal segments, floor((2i + 1) * available / (2 * wanted)), the deterministic
// sampling of TSN-style evaluation (VideoMAE's and TimeSformer's processors take whatever frames
// they are handed; their example scripts sample evenly spaced segments like this). With 16 frames
// and 8 slices: 1, 3, 5, ..., 15. Requires 1 <= wanted <= available.
std::vector<int64_t> SampleFrameIndices(int64_t available, int64_t wanted);

// The frames read, and where they came from (for the figure's captions).
struct VideoFrames {
  std::vector<RgbaImage> pictures;  // `wanted` of them
  std::vector<int64_t> indices;     // their positions among the source's frames
  int64_t available = 0;            // the source's frame count
  std::vector<std::string> names;   // folder: the file names; video: empty
};

// `wanted` frames of `path`: a folder of PNG or JPEG files (every file in it, sorted by name), or
// a video file FFmpeg's libraries decode (every decodable frame of its first video stream, in
// presentation order). Frames are sampled by SampleFrameIndices; all must share one size. Throws
// an input Error naming the file for a missing, unreadable or damaged source, fewer frames than
// wanted, or frames of different sizes.
VideoFrames ReadVideoFrames(const std::string& path, int64_t wanted);

// Every frame of a video file, decoded to RGBA, calling `keep` to ask whether frame i is wanted
// (those are converted and returned). Returns the frame count through `count`. Throws as above.
std::vector<RgbaImage> DecodeVideo(const std::string& path, const std::vector<int64_t>& keep,
                                   int64_t& count);

// The number of frames of a video file, by decoding them all (container counts can lie).
int64_t CountVideoFrames(const std::string& path);

}  // namespace attnviz
