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

// What OpenBLAS exports besides the routines: its thread count (cblas.h), and, in its pthread
// build, blas_thread_shutdown_, which it calls around fork(); exec_blas() restarts the threads on
// the next call that wants them (OpenBLAS 0.3.21, driver/others/blas_server.c). The OpenMP and
// serial builds have no shutdown (and no spinning threads).
struct ThreadControls {
  int (*get_threads)() = nullptr;
  void (*set_threads)(int) = nullptr;
  int (*shutdown)() = nullptr;
};

struct Library {
  Blas blas;
  ThreadControls threads;
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
// of its thousands of references to itself is looked for in the program's 40-odd libraries
// first, 7 ms of `cluster`'s 50. AddressSanitizer refuses RTLD_DEEPBIND (its malloc must come
// first): its builds bind the usual way.
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
  library.blas.dsyevr = Symbol<DsyevrFunction>(handle, "dsyevr_");
  if (library.blas.dgemm == nullptr || library.blas.dsyevr == nullptr) {
    library.failure = ATTNVIZ_OPENBLAS_LIBRARY " lacks cblas_dgemm or dsyevr_";
    return library;
  }
  library.threads = {Symbol<int()>(handle, "openblas_get_num_threads"),
                     Symbol<void(int)>(handle, "openblas_set_num_threads"),
                     Symbol<int()>(handle, "blas_thread_shutdown_")};
  if (library.threads.shutdown != nullptr) library.threads.shutdown();
  return library;
}

std::atomic<int (*)()> loaded_shutdown{nullptr};  // set once OpenBLAS is loaded

const Library& Loaded() {
  static const Library library = [] {
    Library loaded = Load();
    loaded_shutdown = loaded.threads.shutdown;
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

SerialBlas::SerialBlas() {
  const ThreadControls& threads = Loaded().threads;
  if (threads.get_threads == nullptr || threads.set_threads == nullptr) return;
  threads_ = threads.get_threads();
  threads.set_threads(1);
}

// Setting the thread count starts the workers again when they were stopped, to spin: they are
// stopped once more.
SerialBlas::~SerialBlas() {
  if (threads_ > 0) Loaded().threads.set_threads(threads_);
  StopIdleBlasThreads();
}

}  // namespace attnviz
