// Axis ticks: round values for a colorbar and round steps for position indices, with labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnviz {

// At most `max_ticks` (>= 2) values in [lo, hi] spaced by 1, 2, 2.5 or 5 times a power of ten,
// the largest count that fits; lo and hi themselves are ticks only when they are round.
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);

// Labels for ticks from NiceTicks: the same number of decimals for all, just enough to tell
// neighbours apart ("0.00", "0.05", "0.10"); negative values with a minus sign U+2212 ("−0.5"),
// zero never negative.
std::vector<std::string> FormatTicks(const std::vector<double>& ticks);

// Ticks for a log axis over [lo, hi] (0 < lo < hi): the powers of ten inside it, every k-th
// when more than `max_ticks` fit; when fewer than two fit, 1, 2 and 5 times the powers of ten.
std::vector<double> LogTicks(double lo, double hi, int max_ticks);

// A log tick's label: plain decimals from 0.001 to 9999 ("0.01", "500"), otherwise a power of ten
// with a superscript exponent ("10⁻⁵", "2×10⁴").
std::string FormatLogTick(double value);

// Labels for the ticks of one log axis in one format: plain decimals when every tick is from
// 0.001 to 9999 (as FormatLogTick), otherwise powers of ten for all ("10⁻⁴", "10⁻³", never "10⁻⁴"
// beside "0.001").
std::vector<std::string> FormatLogTicks(const std::vector<double>& ticks);

// A tick of a colour scale: its value and its label.
struct ValueTick {
  double value;
  std::string label;
};

// The ticks of a colour scale over [lo, hi], at most `max_ticks`: LogTicks labelled by
// FormatLogTicks when `log`, else NiceTicks labelled by FormatTicks.
std::vector<ValueTick> ValueTicks(double lo, double hi, bool log, int max_ticks);

// The step between labelled positions 0, step, 2*step, ...: the smallest of 1, 2, 4, 5, 8, 10,
// 16, 20, 25, 32, 50, 64, 100, ... that is at least `min_step` (round decimals, and powers of
// two because they read naturally for sequence lengths).
int64_t IndexTickStep(double min_step);

}  // namespace attnviz
