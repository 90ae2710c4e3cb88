// OpenBLAS, loaded the first time a matrix is multiplied, and its worker threads.
#pragma once

#include <cblas.h>

namespace attnviz {

// The routines attnviz calls. Linked into the program, OpenBLAS and gfortran cost every command
// 3.5 ms of CPU at start-up (relocations, and the worker threads it starts when it loads), though
// only rollout, attribute and report multiply matrices: they are looked up on first use instead.
struct Blas {
  decltype(&cblas_dgemm) dgemm = nullptr;
};

// OpenBLAS, loaded on the first call, with its idle worker threads stopped. Throws an output
// Error (exit 4: the result cannot be computed) naming the library when it cannot be loaded.
const Blas& LoadedBlas();

// Stops OpenBLAS's worker threads if it is loaded: after a threaded call they spin on sched_yield
// for about 0.1 s, on the cores the next analysis needs. The next threaded call starts them again.
void StopIdleBlasThreads();

}  // namespace attnviz
