// Running independent tasks on several threads, with errors reported as if run in order.
#pragma once

#include <cstddef>
#include <functional>

namespace attnviz {

// Calls task(0) .. task(count - 1) on up to `threads` threads (fewer when there are fewer tasks),
// the calling thread among them; tasks are handed out in order. After a task throws, no new task
// starts; once all running tasks end, the exception of the lowest-numbered failed task is
// rethrown.
void RunInParallel(size_t count, int threads, const std::function<void(size_t)>& task);

}  // namespace attnviz
