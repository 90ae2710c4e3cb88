// The FFmpeg module (src/ffmpeg/module.h), loaded on first use.
#pragma once

#include "attnviz/error.h"

namespace attnviz {

namespace ffmpeg {
struct Module;  // ffmpeg/module.h
}  // namespace ffmpeg

// The module, loaded once: attnviz_ffmpeg.so beside the program, one folder up (the tests'), or
// in the installed library folder (lib/attnviz). Throws Error(`kind`) naming what was tried and
// why it failed (not found, FFmpeg's libraries missing, another build's module) when it cannot.
const ffmpeg::Module& FfmpegModule(ErrorKind kind);

}  // namespace attnviz
