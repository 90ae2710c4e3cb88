// Stopping OpenBLAS's idle worker threads, and serial BLAS calls (see the header for why).
#include "attnviz/analysis/blas_threads.h"

// Exported by OpenBLAS's pthread build, which calls it around fork(); exec_blas() restarts the
// threads on the next call that wants them (OpenBLAS 0.3.21, driver/others/blas_server.c). Weak:
// the OpenMP and serial builds of OpenBLAS have no such symbol (and no spinning threads).
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));
// OpenBLAS's thread count (cblas.h); weak, so that another BLAS links too.
extern "C" void openblas_set_num_threads(int threads) __attribute__((weak));
extern "C" int openblas_get_num_threads(void) __attribute__((weak));

namespace attnviz {

void StopIdleBlasThreads() {
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

SerialBlas::SerialBlas() {
  if (openblas_get_num_threads == nullptr || openblas_set_num_threads == nullptr) return;
  threads_ = openblas_get_num_threads();
  openblas_set_num_threads(1);
}

SerialBlas::~SerialBlas() {
  if (threads_ > 0) openblas_set_num_threads(threads_);
}

}  // namespace attnviz
