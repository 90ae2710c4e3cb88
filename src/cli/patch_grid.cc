// The --grid ROWSxCOLS of a vision transformer's patches.
#include "cli/patch_grid.h"

#include <charconv>
#include <string_view>

#include "attnviz/error.h"

namespace attnviz::cli {
namespace {

int64_t ParseSide(std::string_view text, const std::string& whole) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 4096) {
    ThrowUsageError(
        "--grid: expected ROWSxCOLS such as 14x14 (or one number for a square), found '" + whole +
        "'");
  }
  return value;
}

}  // namespace

PatchGrid ParsePatchGrid(const std::string& text) {
  size_t x = text.find('x');
  if (x == std::string::npos) {
    int64_t side = ParseSide(text, text);
    return {side, side};
  }
  return {ParseSide(std::string_view(text).substr(0, x), text),
          ParseSide(std::string_view(text).substr(x + 1), text)};
}

void CheckPatchGrid(const Dump& dump, const PatchGrid& grid, bool drop_cls) {
  const int64_t keys = dump.attention.keys(), patches = grid.rows * grid.cols;
  if (keys == patches + (drop_cls ? 1 : 0)) return;
  std::string grid_text = std::to_string(grid.rows) + "x" + std::to_string(grid.cols);
  std::string hint = !drop_cls && keys == patches + 1 ? "; add --drop-cls to leave out the CLS key"
                     : drop_cls && keys == patches    ? "; there is no CLS key to drop"
                                                      : "";
  ThrowUsageError(dump.metadata.path + ": --grid " + grid_text + " has " + std::to_string(patches) +
                  " patches" + (drop_cls ? " plus the CLS key" : "") + ", the dump has " +
                  std::to_string(keys) + " keys" + hint);
}

void AddImageFitOption(CLI::App& command, std::string& fit) {
  command
      .add_option("--image-fit", fit,
                  "how a picture of another aspect than the grid became the model's input: crop "
                  "(default: the centre, as ViT and CLIP processors crop), pad (letterboxed) or "
                  "stretch")
      ->check(CLI::IsMember({"crop", "pad", "stretch"}));
}

ImageFit ParseImageFit(const std::string& fit) {
  if (fit == "pad") return ImageFit::kPad;
  if (fit == "stretch") return ImageFit::kStretch;
  return ImageFit::kCrop;
}

}  // namespace attnviz::cli
