// Video files decoded through the FFmpeg module.
#include "attnviz/io/image.h"
#include "attnviz/io/video_frames.h"
#include "ffmpeg/module.h"
#include "io/ffmpeg_loader.h"

namespace attnviz {

int64_t CountVideoFrames(const std::string& path) {
  return FfmpegModule(ErrorKind::kInput).count_video_frames(path);
}

std::vector<RgbaImage> DecodeVideo(const std::string& path, const std::vector<int64_t>& keep,
                                   int64_t& count) {
  return FfmpegModule(ErrorKind::kInput)
      .decode_video(path, keep, count,
                    [&path](int width, int height) { CheckImageSide(path, width, height); });
}

}  // namespace attnviz
