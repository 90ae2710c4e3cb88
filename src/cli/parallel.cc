// Figure jobs on several threads, and keeping freed memory for the next figure.
#include "cli/parallel.h"

#include <malloc.h>

#include "attnviz/parallel.h"

namespace attnviz::cli {

void KeepFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void RunFigureJobs(size_t count, int threads, const std::function<void(size_t)>& task) {
  if (count > 1) KeepFreedMemory();
  attnviz::RunInParallel(count, threads, task);
}

}  // namespace attnviz::cli
