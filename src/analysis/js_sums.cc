// The JS sums a band of query rows at a time: smooth the band of every head, then sum every pair
// over it while it stays in cache; threads meet at a barrier between the two.
#include "analysis/js_sums.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include "analysis/stats_parallel.h"
#include "attnviz/analysis/head_distance.h"
#include "attnviz/error.h"
#include "attnviz/parallel.h"
#include "simd/row_kernels.h"

namespace attnviz {

namespace {

// Each head's band starts on a multiple of sixteen floats (a cache line).
constexpr int64_t kBandAlignment = 16;

int64_t Padded(int64_t cells) {
  return (cells + kBandAlignment - 1) / kBandAlignment * kBandAlignment;
}

// Query rows per band: one band of every head in about 2 MB, at least one row. Each pair's sum
// runs over a band at a time, so a band of one row of 512 keys (the 512 KB this was) spent a
// sixth of the JS sums' CPU calling the kernel and waiting at the barriers: bands four times
// larger took 13 % less CPU for 144 heads of 512 x 512, though they outgrow a Zen 4 core's L2 (a
// block of eight heads' rows stays there; the others stream from L3).
int64_t BandRows(int64_t count, int64_t queries, int64_t keys) {
  constexpr int64_t kBandOfAllHeadsBytes = 2 << 20;
  const int64_t row_of_all_heads = count * keys * static_cast<int64_t>(sizeof(float));
  const int64_t fit = kBandOfAllHeadsBytes / std::max<int64_t>(1, row_of_all_heads);
  return std::clamp<int64_t>(fit, 1, std::max<int64_t>(1, queries));
}

bool IsWeight(float w) { return w >= 0 && w <= FLT_MAX; }  // false for NaN

// Writes 0.5 P' of `weights` to `out`, then halves (1 ln 1 = 0) up to `padded` values. Returns the
// index of the first weight that is NaN, infinite or negative, or -1.
int64_t SmoothHalves(std::span<const float> weights, double spread, float* out, int64_t padded) {
  const bool valid = simd::HalveSmoothed(weights.data(), weights.size(), kJsKeep, spread, out);
  std::fill(out + weights.size(), out + padded, 0.5f);
  if (valid) return -1;
  return std::find_if_not(weights.begin(), weights.end(), IsWeight) - weights.begin();
}

// Workers meet here between smoothing a band and summing it, every few milliseconds. A sleeping
// waiter (std::barrier) is woken on the waker's core, and so the workers of a 2-core machine ended
// up taking turns on one core in some runs; waiters here spin, then yield, and stay runnable.
class SpinBarrier {
 public:
  explicit SpinBarrier(int workers) : workers_(workers) {}

  void ArriveAndWait() {
    const int64_t round = round_.load();
    if (arrived_.fetch_add(1) + 1 == workers_) {
      arrived_ = 0;
      round_ = round + 1;
      return;
    }
    for (int spins = 0; round_.load() == round; ++spins) {
      if (spins > 1000) std::this_thread::yield();
    }
  }

 private:
  const int workers_;
  std::atomic<int> arrived_{0};
  std::atomic<int64_t> round_{0};
};

// What stopped the sums at a head: an exception reading its rows, else a weight that is no
// attention weight, and where it was found.
struct HeadFailure {
  int64_t head = -1;  // -1: none
  int64_t cell = 0;   // query * keys + key
  float value = 0;
  std::exception_ptr error;
};

[[noreturn]] void ThrowBadWeight(const HeadFailure& bad, int64_t keys, const std::string& where) {
  char found[32];
  std::snprintf(found, sizeof found, "%g", static_cast<double>(bad.value));
  const std::string text = std::isnan(bad.value)   ? "NaN"
                           : std::isinf(bad.value) ? "infinity"
                                                   : found;
  throw Error(ErrorKind::kInput, "expected attention weights >= 0 for the JS divergence, found " +
                                     text + " at " + where + "query " +
                                     std::to_string(bad.cell / keys) + ", key " +
                                     std::to_string(bad.cell % keys));
}

// The state the workers of one SumJsTerms share.
class BandedSums {
 public:
  BandedSums(int64_t count, int64_t queries, int64_t keys, const JsRowSource& rows, int workers)
      : count_(count),
        queries_(queries),
        keys_(keys),
        rows_(rows),
        workers_(workers),
        band_rows_(BandRows(count, queries, keys)),
        bands_((queries + band_rows_ - 1) / band_rows_),
        stride_(Padded(band_rows_ * keys)),
        band_(static_cast<size_t>(count * stride_)),
        next_block_(static_cast<size_t>(bands_)),
        sums_{std::vector<double>(static_cast<size_t>(count)),
              std::vector<double>(static_cast<size_t>(count * count))},
        barrier_(workers) {}

  // Worker `worker`'s part of every band, in order, until the end or a failure.
  void Work(int worker) {
    std::vector<float> scratch;
    for (int64_t band = 0; band < bands_; ++band) {
      SmoothShare(worker, band, scratch);
      barrier_.ArriveAndWait();
      // Set only while smoothing, so every worker reads the same value here.
      if (failed_.load()) return;
      SumPairs(band);
      barrier_.ArriveAndWait();
    }
  }

  // The sums, or the failure of the lowest head of the first band that had one: an exception a
  // worker caught or a bad weight, the same whatever the number of workers.
  JsSums Result(const JsHeadName& name) {
    if (failure_.error) std::rethrow_exception(failure_.error);
    if (failure_.head >= 0) ThrowBadWeight(failure_, keys_, name(failure_.head));
    return std::move(sums_);
  }

 private:
  static constexpr int64_t kRowsPerBlock = 8;

  // Smooths heads worker, worker + workers, ... of band `band` and adds their self terms.
  void SmoothShare(int worker, int64_t band, std::vector<float>& scratch) {
    const int64_t first = band * band_rows_;
    const int64_t rows = std::min(band_rows_, queries_ - first);
    const double spread = kJsSpread / static_cast<double>(keys_);
    for (int64_t head = worker; head < count_; head += workers_) {
      try {
        float* halves = band_.data() + head * stride_;
        const std::span<const float> weights = rows_(head, first, rows, scratch);
        const int64_t bad = SmoothHalves(weights, spread, halves, stride_);
        if (bad >= 0) {
          Fail({head, first * keys_ + bad, weights[static_cast<size_t>(bad)], nullptr});
          return;
        }
        sums_.self_terms[head] +=
            simd::SumMeanLogMean(halves, halves, static_cast<size_t>(stride_));
      } catch (...) {
        Fail({.head = head, .error = std::current_exception()});
        return;
      }
    }
  }

  // Adds band `band` to sum M ln M of every pair, blocks of rows a handed out to the workers:
  // band by band, each head b is read once per block and summed with the block's heads.
  void SumPairs(int64_t band) {
    std::atomic<int64_t>& next = next_block_[static_cast<size_t>(band)];
    for (int64_t block = next++; block * kRowsPerBlock < count_; block = next++) {
      const int64_t first = block * kRowsPerBlock;
      const int64_t end = std::min(count_, first + kRowsPerBlock);
      for (int64_t b = first + 1; b < count_; ++b) {
        const float* q = band_.data() + b * stride_;
        for (int64_t a = first; a < std::min(end, b); ++a) {
          sums_.mixed[static_cast<size_t>(a * count_ + b)] +=
              simd::SumMeanLogMean(band_.data() + a * stride_, q, static_cast<size_t>(stride_));
        }
      }
    }
  }

  // Keeps the failure of the lowest head of the band: each worker stops at its first, and so
  // every head below the lowest failed one is read whatever the number of workers.
  void Fail(HeadFailure failure) {
    std::lock_guard lock(mutex_);
    if (failure_.head < 0 || failure.head < failure_.head) failure_ = std::move(failure);
    failed_ = true;
  }

  const int64_t count_, queries_, keys_;
  const JsRowSource& rows_;
  const int workers_;
  const int64_t band_rows_, bands_, stride_;
  std::vector<float> band_;  // the band of every head: halves of P', padded to whole lanes
  std::vector<std::atomic<int64_t>> next_block_;  // per band
  JsSums sums_;
  SpinBarrier barrier_;
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  HeadFailure failure_;
};

}  // namespace

JsSums SumJsTerms(int64_t count, int64_t queries, int64_t keys, const JsRowSource& rows,
                  const JsHeadName& name, int threads) {
  const int workers = WorkerCount(threads, count);
  BandedSums sums(count, queries, keys, rows, workers);
  // Work() throws nothing (failures wait in `sums` for Result), so every worker runs on a thread
  // of its own and all of them reach every barrier.
  RunInParallel(static_cast<size_t>(workers), workers,
                [&sums](size_t worker) { sums.Work(static_cast<int>(worker)); });
  return sums.Result(name);
}

}  // namespace attnviz
