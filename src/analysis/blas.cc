// Loading OpenBLAS with dlopen, and keeping its worker threads from spinning.
#include "attnviz/analysis/blas.h"

#include <dlfcn.h>

#include <atomic>
#include <string>
#include <type_traits>

#include "attnviz/error.h"

// The library's file name (CMakeLists.txt passes the one it found).
#ifndef ATTNVIZ_OPENBLAS_LIBRARY
#define ATTNVIZ_OPENBLAS_LIBRARY "libopenblas.so.0"
#endif

namespace attnviz {
namespace {

struct Library {
  Blas blas;
  // OpenBLAS's pthread build exports blas_thread_shutdown_, which it calls around fork();
  // exec_blas() restarts the threads on the next call that wants them (OpenBLAS 0.3.21,
  // driver/others/blas_server.c). The OpenMP and serial builds have none (and no spinning threads).
  int (*shutdown)() = nullptr;
  std::string failure;  // why it could not be loaded, or empty
};

template <typename Function>
Function* Symbol(void* handle, const char* name) {
  return reinterpret_cast<Function*>(dlsym(handle, name));
}

// OpenBLAS's pthread build starts its worker threads when the library loads, and they spin on
// sched_yield for about 0.1 s before they sleep: 30 ms of CPU in a 60 ms run, taken from the
// threads that do the work. They are stopped at once; the next threaded call starts them again.
// Bound lazily, as the program's own libraries are (RTLD_NOW would resolve all of OpenBLAS's and
// gfortran's calls first), and against OpenBLAS's own symbols before the program's: otherwise each
// of its thousands of references to itself is looked for in the program's 40-odd libraries first
// (3 ms of a 50 ms run, measured when `cluster` loaded it). AddressSanitizer refuses
// RTLD_DEEPBIND (its malloc must come first): its builds bind the usual way.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kBindOwnFirst = 0;
#else
constexpr int kBindOwnFirst = RTLD_DEEPBIND;
#endif

Library Load() {
  Library library;
  void* handle = dlopen(ATTNVIZ_OPENBLAS_LIBRARY, RTLD_LAZY | RTLD_LOCAL | kBindOwnFirst);
  if (handle == nullptr) {
    library.failure = std::string("cannot load OpenBLAS: ") + dlerror();
    return library;
  }
  library.blas.dgemm = Symbol<std::remove_pointer_t<decltype(Blas::dgemm)>>(handle, "cblas_dgemm");
  if (library.blas.dgemm == nullptr) {
    library.failure = ATTNVIZ_OPENBLAS_LIBRARY " lacks cblas_dgemm";
    return library;
  }
  library.shutdown = Symbol<int()>(handle, "blas_thread_shutdown_");
  if (library.shutdown != nullptr) library.shutdown();
  return library;
}

std::atomic<int (*)()> loaded_shutdown{nullptr};  // set once OpenBLAS is loaded

const Library& Loaded() {
  static const Library library = [] {
    Library loaded = Load();
    loaded_shutdown = loaded.shutdown;
    return loaded;
  }();
  if (!library.failure.empty()) throw Error(ErrorKind::kOutput, library.failure);
  return library;
}

}  // namespace

const Blas& LoadedBlas() { return Loaded().blas; }

void StopIdleBlasThreads() {
  if (int (*shutdown)() = loaded_shutdown.load()) shutdown();
}

}  // namespace attnviz
