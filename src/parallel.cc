// A small work queue over std::thread: an atomic counter hands out task numbers in order.
#include "attnviz/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace attnviz {

namespace {

class TaskQueue {
 public:
  TaskQueue(size_t count, const std::function<void(size_t)>& task) : count_(count), task_(task) {}

  void Work() {
    for (size_t i = next_++; i < count_ && !failed_; i = next_++) {
      try {
        task_(i);
      } catch (...) {
        Fail(i, std::current_exception());
      }
    }
  }

  void RethrowFirstError() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void Fail(size_t index, std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    failed_ = true;
    if (!error_ || index < error_index_) {
      error_ = error;
      error_index_ = index;
    }
  }

  size_t count_;
  const std::function<void(size_t)>& task_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
  size_t error_index_ = 0;
};

}  // namespace

void RunInParallel(size_t count, int threads, const std::function<void(size_t)>& task) {
  TaskQueue queue(count, task);
  size_t helpers = std::min(count, static_cast<size_t>(std::max(threads, 1))) - (count > 0);
  std::vector<std::thread> pool;
  for (size_t i = 0; i < helpers; ++i) pool.emplace_back([&queue] { queue.Work(); });
  queue.Work();  // the calling thread works too: -j 1 runs everything here, in order
  for (std::thread& thread : pool) thread.join();
  queue.RethrowFirstError();
}

}  // namespace attnviz
