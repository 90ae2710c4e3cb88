// Runs a function on every head of a tensor, on several threads, each head read exactly once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <numeric>
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

// Calls visit(index, layer, head, values) for each head index in `indices` (index = layer *
// heads + head), with the head's queries x keys values: pointing into the dump itself when it
// holds native float32 rows, else converted into a buffer of the worker's. Heads are handed out
// in order to `threads` workers; results that `visit` stores by index are therefore independent
// of the thread count. Each worker asks for the head after its next one to be fetched and lets
// go of every head it finished, so a dump larger than RAM streams through. The first exception a
// worker throws is rethrown here after every worker has stopped.
template <typename Visit>
void ForEachHeadOf(const AttentionTensor& tensor, std::span<const int64_t> indices, int threads,
                   Visit visit) {
  const auto count = static_cast<int64_t>(indices.size());
  const int workers = WorkerCount(threads, count);
  std::atomic<int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto advise = [&](int64_t at, Access access) {
    if (at < count)
      tensor.AdviseHead(indices[at] / tensor.heads(), indices[at] % tensor.heads(), access);
  };
  auto work = [&] {
    std::vector<float> scratch;
    for (int64_t at = next++; at < count; at = next++) {
      const int64_t index = indices[at], layer = index / tensor.heads(),
                    head = index % tensor.heads();
      try {
        advise(at + workers, Access::kSoon);
        visit(index, layer, head, tensor.HeadValues(layer, head, scratch));
        advise(at, Access::kDone);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  for (int64_t at = 0; at < workers; ++at) advise(at, Access::kSoon);
  std::vector<std::thread> pool;
  for (int i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
}

// ForEachHeadOf every head of the tensor.
template <typename Visit>
void ForEachHead(const AttentionTensor& tensor, int threads, Visit visit) {
  std::vector<int64_t> indices(static_cast<size_t>(tensor.layers() * tensor.heads()));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  ForEachHeadOf(tensor, indices, threads, visit);
}

}  // namespace attnviz
