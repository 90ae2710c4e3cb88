// A small work queue over std::thread: an atomic counter hands out task numbers in order.
#include "attnviz/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace attnviz {

namespace {

using WorkerTask = std::function<void(size_t index, size_t worker)>;

class TaskQueue {
 public:
  TaskQueue(size_t count, const WorkerTask& task) : count_(count), task_(task) {}

  void Work(size_t worker) {
    for (size_t i = next_++; i < count_ && !failed_; i = next_++) {
      try {
        task_(i, worker);
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
  const WorkerTask& task_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
  size_t error_index_ = 0;
};

}  // namespace

void RunInParallelOnWorkers(size_t count, int threads, const WorkerTask& task) {
  TaskQueue queue(count, task);
  size_t helpers = std::min(count, static_cast<size_t>(std::max(threads, 1))) - (count > 0);
  std::vector<std::thread> pool;
  for (size_t i = 1; i <= helpers; ++i) pool.emplace_back([&queue, i] { queue.Work(i); });
  queue.Work(0);  // the calling thread works too: -j 1 runs everything here, in order
  for (std::thread& thread : pool) thread.join();
  queue.RethrowFirstError();
}

void RunInParallel(size_t count, int threads, const std::function<void(size_t)>& task) {
  RunInParallelOnWorkers(count, threads, [&task](size_t index, size_t) { task(index); });
}

int HardwareThreads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int ThreadsFor(int requested, size_t tasks) {
  const int threads = requested > 0 ? requested : HardwareThreads();
  if (tasks == 0) return threads;
  return static_cast<int>(std::min(static_cast<size_t>(threads), tasks));
}

struct BackgroundThread::Running {
  std::exception_ptr error;
  std::thread thread;  // last: starts once `error` exists
};

BackgroundThread::BackgroundThread(std::function<void()> run)
    : running_(std::make_unique<Running>()) {
  running_->thread = std::thread([running = running_.get(), run = std::move(run)] {
    try {
      run();
    } catch (...) {
      running->error = std::current_exception();
    }
  });
}

BackgroundThread::~BackgroundThread() {
  if (running_->thread.joinable()) running_->thread.join();
}

void BackgroundThread::Join() {
  if (running_->thread.joinable()) running_->thread.join();
  if (running_->error) std::rethrow_exception(std::exchange(running_->error, nullptr));
}

}  // namespace attnviz
