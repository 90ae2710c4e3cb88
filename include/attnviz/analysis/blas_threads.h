// Keeps OpenBLAS's worker threads from spinning in processes that may never multiply a matrix.
#pragma once

namespace attnviz {

// OpenBLAS (pthread build) starts its worker threads when the library loads, and they spin on
// sched_yield for about 0.1 s before they sleep: 30 ms of CPU in a 60 ms run that draws one
// heatmap, taken from the threads that do the work. This stops them; the next threaded BLAS call
// starts them again. Call once at the start of main, before any other thread exists.
void StopIdleBlasThreads();

}  // namespace attnviz
