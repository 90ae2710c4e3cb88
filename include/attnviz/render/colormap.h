// Colormaps: matplotlib's exact 256-entry tables and its value-to-colour lookup.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace attnviz {

struct Rgba {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;
  uint8_t a = 255;

  bool operator==(const Rgba&) const = default;
};

// The colour of NaN and ±Inf cells. matplotlib's default "bad" colour is transparent, which on a
// white page reads as "zero"; magenta appears in none of our colormaps, so a bad cell stands out.
inline constexpr Rgba kBadColor{255, 0, 255, 255};

// A matplotlib colormap, sampled exactly as matplotlib stores it (cmap(np.arange(256),
// bytes=True)). The tables are static: a Colormap pointer stays valid for the whole program.
struct Colormap {
  static constexpr int kSize = 256;

  std::string_view name;
  std::array<Rgba, kSize> colors;

  // matplotlib's mapping: x = (value - vmin) / (vmax - vmin), then ColormapIndex(x); non-finite
  // values give kBadColor (imshow masks NaN and ±Inf alike). vmax <= vmin maps every finite
  // value to the first colour, as matplotlib's Normalize does.
  Rgba Lookup(double value, double vmin, double vmax) const;
};

// The table index of a normalised value: min(floor(x * 256), 255), and 0 below 0 (matplotlib's
// under/over colours default to the ends). x must not be NaN.
int ColormapIndex(double x);

// The colormap called `name` (case-sensitive, as in matplotlib: "viridis", "RdBu_r"), or nullptr.
const Colormap* FindColormap(std::string_view name);

// Every name FindColormap accepts: each base map followed by its reverse "_r".
std::vector<std::string_view> ColormapNames();

}  // namespace attnviz
