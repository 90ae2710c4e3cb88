// Keeps OpenBLAS's worker threads from spinning in processes that may never multiply a matrix.
#pragma once

namespace attnviz {

// OpenBLAS (pthread build) starts its worker threads when the library loads, and they spin on
// sched_yield for about 0.1 s before they sleep: 30 ms of CPU in a 60 ms run that draws one
// heatmap, taken from the threads that do the work. This stops them; the next threaded BLAS call
// starts them again. Call once at the start of main, before any other thread exists.
void StopIdleBlasThreads();

// While alive, BLAS and LAPACK calls run on the calling thread alone: for small problems (MDS of
// a few hundred heads), where waking OpenBLAS's workers costs more than they save and leaves them
// spinning on the cores our own threads need. Not for use on several threads at once.
class SerialBlas {
 public:
  SerialBlas();
  ~SerialBlas();
  SerialBlas(const SerialBlas&) = delete;
  SerialBlas& operator=(const SerialBlas&) = delete;

 private:
  int threads_ = 0;  // OpenBLAS's thread count before, 0 when unknown
};

}  // namespace attnviz
