// The one thread pool: independent tasks on several threads, with errors reported as if run in
// order, and the few threads that run beside the caller (a writer, a progress bar).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace attnviz {

// Calls task(0) .. task(count - 1) on up to `threads` threads (fewer when there are fewer tasks),
// the calling thread among them; tasks are handed out in order. After a task throws, no new task
// starts; once all running tasks end, the exception of the lowest-numbered failed task is
// rethrown, so the error reported does not depend on the thread count. When threads >= count and
// no task throws, every task runs on a thread of its own, all at the same time: such tasks may
// wait for each other (at a barrier).
void RunInParallel(size_t count, int threads, const std::function<void(size_t)>& task);

// RunInParallel calling task(index, worker), `worker` (0 .. threads - 1, 0 the calling thread)
// naming the thread that runs it, so that a task can reuse buffers its worker owns.
void RunInParallelOnWorkers(size_t count, int threads,
                            const std::function<void(size_t index, size_t worker)>& task);

// The number of threads the hardware runs at once, at least 1.
int HardwareThreads();

// `requested` threads (0: HardwareThreads()), at least 1 and at most `tasks` (when tasks > 0).
int ThreadsFor(int requested, size_t tasks);

// One function run on a thread of its own beside the caller, from construction until it
// returns; Join() (or the destructor) waits for it. An exception it throws is rethrown by Join()
// (the destructor drops it).
class BackgroundThread {
 public:
  explicit BackgroundThread(std::function<void()> run);
  ~BackgroundThread();
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;

  void Join();

 private:
  struct Running;
  std::unique_ptr<Running> running_;
};

}  // namespace attnviz
