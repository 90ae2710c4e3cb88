// `attnviz colormaps [-o swatch.png]`: the colormap names, or a figure showing every map.
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/io/atomic_file.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/colormap_swatch.h"
#include "cli/commands.h"
#include "cli/figure_options.h"
#include "cli/output_template.h"

namespace attnviz::cli {

namespace {

struct ColormapsOptions {
  FigureOptions figure;
  bool json = false;
};

void RunColormaps(const ColormapsOptions& options) {
  const std::vector<std::string_view> names = ColormapNames();
  if (options.figure.output.empty()) {
    if (options.json) {
      std::cout << nlohmann::json{{"colormaps", names}}.dump() << "\n";
      return;
    }
    for (std::string_view name : names) std::cout << name << "\n";
    return;
  }
  const ImageFormat format = options.figure.Format();
  const FigureOutputs outputs =
      PlanFigureOutputs(options.figure.output, format, {{{"ext", ExtensionOf(format)}}}, "");
  WriteFileAtomically(outputs.paths[0],
                      RenderColormapSwatch(names, format, options.figure.Render()));
}

}  // namespace

void AddColormapsCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ColormapsOptions>();
  CLI::App* command = app.add_subcommand(
      "colormaps", "The colormaps --cmap accepts: their names, or -o a figure showing them all");
  options->figure.AddTo(*command, /*output_required=*/false);
  command->add_flag("--json", options->json, "print {\"colormaps\": [names]} instead of lines");
  command->footer(
      "Examples:\n"
      "  attnviz colormaps\n"
      "  attnviz colormaps -o swatch.png\n"
      "  attnviz colormaps --theme dark -o swatch.svg");
  command->callback([options, &exit_code] {
    RunColormaps(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
