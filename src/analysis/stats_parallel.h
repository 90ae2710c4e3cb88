// Runs a function on every head of a tensor, on several threads, each head read exactly once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "attnviz/parallel.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The number of worker threads for `requested` (0: one per hardware thread), at most `heads`.
inline int WorkerCount(int requested, int64_t heads) {
  return ThreadsFor(requested, static_cast<size_t>(std::max<int64_t>(heads, 1)));
}

// The query rows of one head, in order, read a band at a time into a buffer small enough to stay
// in the core's cache (L2) while its rows are read: a read of the file costs less than mapping its
// pages, and a whole converted head would not stay in cache.
class HeadRows {
 public:
  // `buffer` is the worker's, reused from head to head.
  HeadRows(const AttentionTensor& tensor, int64_t layer, int64_t head, std::vector<float>& buffer)
      : tensor_(tensor), layer_(layer), head_(head), buffer_(buffer) {
    constexpr int64_t kBandBytes = 256 << 10;
    band_ = std::max<int64_t>(1, kBandBytes / std::max<int64_t>(1, tensor.keys() * 4));
  }

  // Row `query`, valid until the next call; rows are expected in increasing order.
  const float* Row(int64_t query) {
    const int64_t keys = tensor_.keys();
    if (query < first_ || query >= first_ + count_) {
      first_ = query;
      count_ = std::min(band_, tensor_.queries() - query);
      buffer_.resize(static_cast<size_t>(count_ * keys));
      tensor_.ReadRows(layer_, head_, first_, count_, buffer_);
    }
    return buffer_.data() + (query - first_) * keys;
  }

 private:
  const AttentionTensor& tensor_;
  int64_t layer_, head_;
  std::vector<float>& buffer_;
  int64_t band_ = 1;
  int64_t first_ = 0, count_ = 0;  // the band in buffer_
};

// Calls visit(index, layer, head, scratch) for each head index in `indices` (index = layer *
// heads + head), `scratch` being a buffer of the worker's. Heads are handed out in order to
// `threads` workers of RunInParallel; results that `visit` stores by index are therefore
// independent of the thread count, and so is the error: that of the lowest-numbered head in
// `indices`, rethrown here after every worker has stopped. Each worker asks for the head after
// its next one to be fetched and lets go of every head it finished, so a dump larger than RAM
// streams through.
template <typename Visit>
void ForEachHeadIndex(const AttentionTensor& tensor, std::span<const int64_t> indices, int threads,
                      Visit visit) {
  const auto count = static_cast<int64_t>(indices.size());
  const int workers = WorkerCount(threads, count);
  auto advise = [&](int64_t at, Access access) {
    if (at < count)
      tensor.AdviseHead(indices[at] / tensor.heads(), indices[at] % tensor.heads(), access);
  };
  std::vector<std::vector<float>> scratch(static_cast<size_t>(workers));
  for (int64_t at = 0; at < workers; ++at) advise(at, Access::kSoon);
  RunInParallelOnWorkers(static_cast<size_t>(count), workers, [&](size_t task, size_t worker) {
    const auto at = static_cast<int64_t>(task);
    const int64_t index = indices[at], layer = index / tensor.heads(),
                  head = index % tensor.heads();
    advise(at + workers, Access::kSoon);
    visit(index, layer, head, scratch[worker]);
    advise(at, Access::kDone);
  });
}

// ForEachHeadIndex calling visit(index, layer, head, values) with the head's queries x keys
// values: pointing into the dump itself when it holds native float32 rows, else converted into
// the worker's buffer.
template <typename Visit>
void ForEachHeadOf(const AttentionTensor& tensor, std::span<const int64_t> indices, int threads,
                   Visit visit) {
  ForEachHeadIndex(tensor, indices, threads,
                   [&](int64_t index, int64_t layer, int64_t head, std::vector<float>& scratch) {
                     tensor.AdviseHead(layer, head, Access::kNow);
                     visit(index, layer, head, tensor.HeadValues(layer, head, scratch));
                   });
}

// ForEachHeadIndex calling visit(index, layer, head, rows) with the head's HeadRows.
template <typename Visit>
void ForEachHeadRowsOf(const AttentionTensor& tensor, std::span<const int64_t> indices, int threads,
                       Visit visit) {
  ForEachHeadIndex(tensor, indices, threads,
                   [&](int64_t index, int64_t layer, int64_t head, std::vector<float>& scratch) {
                     HeadRows rows(tensor, layer, head, scratch);
                     visit(index, layer, head, rows);
                   });
}

// Every head index of the tensor, in order.
inline std::vector<int64_t> AllHeads(const AttentionTensor& tensor) {
  std::vector<int64_t> indices(static_cast<size_t>(tensor.layers() * tensor.heads()));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return indices;
}

// ForEachHeadOf every head of the tensor.
template <typename Visit>
void ForEachHead(const AttentionTensor& tensor, int threads, Visit visit) {
  ForEachHeadOf(tensor, AllHeads(tensor), threads, visit);
}

}  // namespace attnviz
