// The colormap tables against matplotlib's own output, and the lookup formula at its boundaries.
#include "attnviz/render/colormap.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace attnviz {
namespace {

// Written by scripts/export-colormaps.py through imshow's path (Normalize + to_rgba).
nlohmann::json LoadFixture() {
  std::ifstream in(ATTNVIZ_FIXTURES_DIR "/colormaps/matplotlib.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in)["colormaps"];
}

Rgba FromHex(const std::string& hex) {  // "#rrggbbaa"
  auto byte = [&](int at) {
    return static_cast<uint8_t>(std::stoi(hex.substr(at, 2), nullptr, 16));
  };
  return {byte(1), byte(3), byte(5), byte(7)};
}

const Colormap& Get(std::string_view name) {
  const Colormap* colormap = FindColormap(name);
  REQUIRE(colormap != nullptr);
  return *colormap;
}

TEST_CASE("every entry of every table, and of its reverse, matches matplotlib") {
  nlohmann::json fixture = LoadFixture();
  REQUIRE(fixture.size() == 22);
  for (const auto& [name, entries] : fixture.items()) {
    CAPTURE(name);
    const Colormap& colormap = Get(name);
    REQUIRE(entries.size() == 256);
    for (int i = 0; i < 256; ++i) {
      CAPTURE(i);
      CHECK(colormap.colors[i] == FromHex(entries[i].get<std::string>()));
    }
  }
}

TEST_CASE("ColormapNames lists the eleven maps, each followed by its reverse") {
  std::vector<std::string_view> expected;
  for (std::string_view base : {"viridis", "magma", "inferno", "plasma", "cividis", "Blues", "Reds",
                                "Greys", "Purples", "RdBu", "coolwarm"}) {
    expected.push_back(base);
    expected.push_back(Get(std::string(base) + "_r").name);
  }
  CHECK(ColormapNames() == expected);
}

TEST_CASE("FindColormap is case-sensitive like matplotlib and rejects unknown names") {
  CHECK(FindColormap("jet") == nullptr);
  CHECK(FindColormap("Viridis") == nullptr);
  CHECK(FindColormap("") == nullptr);
  CHECK(FindColormap("RdBu_r") != nullptr);
}

TEST_CASE("the ends of viridis are matplotlib's floats truncated to bytes") {
  // _cm_listed.py: (0.267004, 0.004874, 0.329415) * 255 = (68.08, 1.24, 84.00) -> #440154.
  CHECK(Get("viridis").colors[0] == Rgba{0x44, 0x01, 0x54, 0xff});
  // (0.993248, 0.906157, 0.143936) * 255 = (253.28, 231.07, 36.70) -> #fde724, not the rounded
  // #fde725 often quoted: bytes=True truncates.
  CHECK(Get("viridis").colors[255] == Rgba{0xfd, 0xe7, 0x24, 0xff});
  CHECK(Get("viridis_r").colors[0] == Rgba{0xfd, 0xe7, 0x24, 0xff});
}

TEST_CASE("ColormapIndex is min(floor(x * 256), 255), and 0 below 0") {
  CHECK(ColormapIndex(0.0) == 0);
  CHECK(ColormapIndex(std::nextafter(1.0 / 256, 0.0)) == 0);
  CHECK(ColormapIndex(1.0 / 256) == 1);
  CHECK(ColormapIndex(0.5) == 128);
  CHECK(ColormapIndex(std::nextafter(0.5, 0.0)) == 127);
  CHECK(ColormapIndex(255.0 / 256) == 255);
  CHECK(ColormapIndex(std::nextafter(1.0, 0.0)) == 255);
  CHECK(ColormapIndex(1.0) == 255);
  CHECK(ColormapIndex(7.5) == 255);
  CHECK(ColormapIndex(-0.001) == 0);
  CHECK(ColormapIndex(-INFINITY) == 0);
  CHECK(ColormapIndex(INFINITY) == 255);
}

TEST_CASE("Lookup normalises by vmin and vmax before indexing") {
  const Colormap& magma = Get("magma");
  // (2.5 - 2) / (4 - 2) = 0.25 -> index 64; (3.99 - 2) / 2 = 0.995 -> floor(254.72) = 254.
  CHECK(magma.Lookup(2.5, 2, 4) == magma.colors[64]);
  CHECK(magma.Lookup(3.99, 2, 4) == magma.colors[254]);
  CHECK(magma.Lookup(4, 2, 4) == magma.colors[255]);
  CHECK(magma.Lookup(2, 2, 4) == magma.colors[0]);
}

TEST_CASE("Lookup clamps values outside [vmin, vmax] to the end colours") {
  const Colormap& blues = Get("Blues");
  CHECK(blues.Lookup(-3, 0, 1) == blues.colors[0]);
  CHECK(blues.Lookup(9, 0, 1) == blues.colors[255]);
}

TEST_CASE("Lookup gives the bad colour, opaque magenta, for NaN and infinities") {
  const Colormap& viridis = Get("viridis");
  CHECK(kBadColor == Rgba{255, 0, 255, 255});
  CHECK(viridis.Lookup(std::numeric_limits<double>::quiet_NaN(), 0, 1) == kBadColor);
  CHECK(viridis.Lookup(INFINITY, 0, 1) == kBadColor);
  CHECK(viridis.Lookup(-INFINITY, 0, 1) == kBadColor);
}

TEST_CASE("Lookup maps everything to the first colour when vmax does not exceed vmin") {
  const Colormap& reds = Get("Reds");
  CHECK(reds.Lookup(5, 1, 1) == reds.colors[0]);
  CHECK(reds.Lookup(-5, 1, 1) == reds.colors[0]);
}

}  // namespace
}  // namespace attnviz
