// The audio module (src/audio/module.h: libsndfile, libsoxr, FFTW), loaded on first use.
#pragma once

#include "attnviz/error.h"

namespace attnviz {

namespace audio {
struct Module;  // audio/module.h
}  // namespace audio

// The module, loaded once: attnviz_audio.so beside the program, one folder up (the tests'), or in
// the installed library folder (lib/attnviz). Throws Error(`kind`) naming what was tried and why
// it failed (not found, its libraries missing, another build's module) when it cannot.
const audio::Module& AudioModule(ErrorKind kind);

}  // namespace attnviz
