// Runs a function on every head of a tensor, on several threads, each head read exactly once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The number of worker threads for `requested` (0: one per hardware thread), at most `heads`.
inline int WorkerCount(int requested, int64_t heads) {
  const int available = requested > 0
                            ? requested
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return static_cast<int>(std::clamp<int64_t>(heads, 1, available));
}

// Calls visit(index, layer, head, values) for every head, index = layer * heads + head, with the
// head's queries x keys values. Heads are handed out in order to `threads` workers; results that
// `visit` stores by index are therefore independent of the thread count. The first exception a
// worker throws is rethrown here after every worker has stopped.
template <typename Visit>
void ForEachHead(const AttentionTensor& tensor, int threads, Visit visit) {
  const int64_t count = tensor.layers() * tensor.heads();
  std::atomic<int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    std::vector<float> values(static_cast<size_t>(tensor.HeadSize()));
    for (int64_t index = next++; index < count; index = next++) {
      try {
        tensor.ReadHead(index / tensor.heads(), index % tensor.heads(), values);
        visit(index, index / tensor.heads(), index % tensor.heads(),
              std::span<const float>(values));
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  const int workers = WorkerCount(threads, count);
  std::vector<std::thread> pool;
  for (int i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace attnviz
