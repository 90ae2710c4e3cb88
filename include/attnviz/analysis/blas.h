// OpenBLAS, loaded the first time a matrix is multiplied or decomposed, and its worker threads.
#pragma once

#include <cblas.h>

#include <cstddef>

namespace attnviz {

// LAPACK's symmetric eigensolver (relatively robust representations); Debian ships no LAPACK
// header. The trailing lengths are gfortran's hidden string arguments.
using DsyevrFunction = void(const char* jobz, const char* range, const char* uplo, const int* n,
                            double* a, const int* lda, const double* vl, const double* vu,
                            const int* il, const int* iu, const double* abstol, int* m, double* w,
                            double* z, const int* ldz, int* isuppz, double* work, const int* lwork,
                            int* iwork, const int* liwork, int* info, size_t jobz_length,
                            size_t range_length, size_t uplo_length);

// The routines attnviz calls. Linked into the program, OpenBLAS and gfortran cost every command
// 3.5 ms of CPU at start-up (relocations, and the worker threads it starts when it loads), though
// only rollout, attribute, cluster and report use them: they are looked up on first use instead.
struct Blas {
  decltype(&cblas_dgemm) dgemm = nullptr;
  DsyevrFunction* dsyevr = nullptr;
};

// OpenBLAS, loaded on the first call, with its idle worker threads stopped. Throws an output
// Error (exit 4: the result cannot be computed) naming the library when it cannot be loaded.
const Blas& LoadedBlas();

// Stops OpenBLAS's worker threads if it is loaded: after a threaded call they spin on sched_yield
// for about 0.1 s, on the cores the next analysis needs. The next threaded call starts them again.
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
