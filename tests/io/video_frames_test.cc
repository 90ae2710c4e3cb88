// Frame sampling, and frames read from a folder of PNGs and from videos our encoder wrote
// (MP4 and GIF through FFmpeg), with the errors of missing, damaged and short sources.
#include "attnviz/io/video_frames.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "attnviz/error.h"
#include "attnviz/render/animation.h"

namespace attnviz {
namespace {

const std::string kVideoFixtures = ATTNVIZ_FIXTURES_DIR "/video/";

TEST_CASE("frames are sampled at the centres of equal segments") {
  CHECK(SampleFrameIndices(16, 8) == std::vector<int64_t>{1, 3, 5, 7, 9, 11, 13, 15});
  CHECK(SampleFrameIndices(10, 3) == std::vector<int64_t>{1, 5, 8});  // 10/6, 30/6, 50/6
  CHECK(SampleFrameIndices(5, 5) == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(SampleFrameIndices(7, 1) == std::vector<int64_t>{3});
  CHECK_THROWS_AS(SampleFrameIndices(3, 4), Error);
}

TEST_CASE("a folder's PNG files are the frames, sorted by name") {
  VideoFrames frames = ReadVideoFrames(kVideoFixtures + "frames", 3);
  CHECK(frames.available == 3);
  CHECK(frames.names == std::vector<std::string>{"f0.png", "f1.png", "f2.png"});
  REQUIRE(frames.pictures.size() == 3);
  CHECK(frames.pictures[2].width == 24);
  CHECK(frames.pictures[2].rgba[0] == 120);  // red = 60 * t (scripts/reference/video.py)
  CHECK_THROWS_WITH_AS(ReadVideoFrames(kVideoFixtures + "frames", 4),
                       doctest::Contains("expected at least 4 frames (--frames), found 3"), Error);
}

// Five frames of one flat colour each, red rising by 50 a frame.
std::vector<RgbFrame> FlatFrames() {
  std::vector<RgbFrame> frames;
  for (int t = 0; t < 5; ++t) {
    RgbFrame frame{32, 16, {}};
    for (int p = 0; p < 32 * 16; ++p) frame.rgb.insert(frame.rgb.end(), {uint8_t(50 * t), 128, 64});
    frames.push_back(frame);
  }
  return frames;
}

std::string WriteTemporary(const std::string& name, const std::string& bytes) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST_CASE("a video file's frames decode in order, sampled, whatever the codec") {
  for (AnimationFormat format : {AnimationFormat::kMp4, AnimationFormat::kGif}) {
    std::string name =
        format == AnimationFormat::kMp4 ? "attnviz_video_test.mp4" : "attnviz_video_test.gif";
    INFO(name);
    std::string path = WriteTemporary(name, EncodeAnimation(FlatFrames(), format, 5));
    VideoFrames frames = ReadVideoFrames(path, 2);
    CHECK(frames.available == 5);
    CHECK(frames.indices == std::vector<int64_t>{1, 3});
    REQUIRE(frames.pictures.size() == 2);
    CHECK(frames.pictures[0].width == 32);
    CHECK(frames.pictures[0].height == 16);
    const uint8_t* centre = &frames.pictures[1].rgba[(8 * 32 + 16) * 4];
    CHECK(std::abs(centre[0] - 150) <= 6);  // frame 3: red 150, after yuv420p or the palette
    CHECK(std::abs(centre[1] - 128) <= 6);
    std::filesystem::remove(path);
  }
}

TEST_CASE("damaged and missing videos are input errors naming the file") {
  CHECK_THROWS_WITH_AS(ReadVideoFrames(kVideoFixtures + "random_bytes.mp4", 2),
                       doctest::Contains("random_bytes.mp4: "), Error);
  CHECK_THROWS_WITH_AS(ReadVideoFrames(kVideoFixtures + "truncated.mp4", 2),
                       doctest::Contains("truncated.mp4: "), Error);
  CHECK_THROWS_WITH_AS(ReadVideoFrames(kVideoFixtures + "nope.mp4", 2),
                       doctest::Contains("nope.mp4: cannot open"), Error);
  try {
    ReadVideoFrames(kVideoFixtures + "random_bytes.mp4", 2);
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
  }
}

}  // namespace
}  // namespace attnviz
