// Loading the FFmpeg module once.
#include "io/ffmpeg_loader.h"

#include "ffmpeg/module.h"
#include "io/module_loader.h"

namespace attnviz {
namespace {

constexpr ModuleFile kFile{"attnviz_ffmpeg.so", "attnviz_ffmpeg_module", "FFmpeg", "video support"};

}  // namespace

const ffmpeg::Module& FfmpegModule(ErrorKind kind) {
  return ModuleTable<ffmpeg::Module>(kFile, ffmpeg::kVersion, kind);
}

}  // namespace attnviz
