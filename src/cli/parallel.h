// Running independent figure jobs on several threads, with errors reported as if run in order.
#pragma once

#include <cstddef>
#include <functional>

namespace attnviz::cli {

// Figure jobs on the one pool: attnviz::RunInParallel after KeepFreedMemory when there are several
// tasks. Each thread keeps its own text shaper, so tasks must not share Pango objects.
void RunFigureJobs(size_t count, int threads, const std::function<void(size_t)>& task);

// Tells glibc to keep freed memory for reuse instead of returning it to the kernel: figures
// allocate the same large buffers again and again (pixels, panels, encoded bytes), and fresh
// pages cost a page fault each, up to a quarter of the time of a large figure.
void KeepFreedMemory();

}  // namespace attnviz::cli
