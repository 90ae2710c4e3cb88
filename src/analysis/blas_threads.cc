// Stopping OpenBLAS's idle worker threads (see the header for why).
#include "attnviz/analysis/blas_threads.h"

// Exported by OpenBLAS's pthread build, which calls it around fork(); exec_blas() restarts the
// threads on the next call that wants them (OpenBLAS 0.3.21, driver/others/blas_server.c). Weak:
// the OpenMP and serial builds of OpenBLAS have no such symbol (and no spinning threads).
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

namespace attnviz {

void StopIdleBlasThreads() {
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

}  // namespace attnviz
