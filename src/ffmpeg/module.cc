// The FFmpeg module's entry point: the table of its functions.
#include "ffmpeg/module.h"

extern "C" __attribute__((visibility("default"))) const attnviz::ffmpeg::Module*
attnviz_ffmpeg_module() {
  static const attnviz::ffmpeg::Module module{
      attnviz::ffmpeg::kVersion, &attnviz::ffmpeg::DecodeVideo, &attnviz::ffmpeg::CountVideoFrames,
      &attnviz::ffmpeg::EncodeAnimation};
  return &module;
}
