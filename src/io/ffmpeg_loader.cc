// Loading the FFmpeg module once.
#include "io/ffmpeg_loader.h"

#include "ffmpeg/module.h"
#include "io/module_loader.h"

namespace attnviz {

const ffmpeg::Module& FfmpegModule(ErrorKind kind) {
  static const ModuleFile file{"attnviz_ffmpeg.so", "attnviz_ffmpeg_module", "FFmpeg",
                               "video support"};
  static const LoadedModule<ffmpeg::Module> loaded =
      LoadModule<ffmpeg::Module>(file, ffmpeg::kVersion);
  return ModuleTable(loaded, file, kind);
}

}  // namespace attnviz
