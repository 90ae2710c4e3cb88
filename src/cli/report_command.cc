// `attnviz report FILE -o report.pdf`: every analysis and figure of a dump in one PDF.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/report.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/output_path.h"
#include "cli/report_sections.h"

namespace attnviz::cli {

namespace {

struct ReportOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  std::string page = "a4";
  std::string rules;
  std::string title;
  bool timings = false;
};

CheckRules ReadRules(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowInputError(path, "cannot open the rules file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseCheckRules(text.str(), path);
}

std::string DocumentTitle(const Dump& dump, const ReportOptions& options) {
  if (!options.title.empty()) return options.title;
  std::string name = dump.metadata.path == "-"
                         ? "stdin"
                         : std::filesystem::path(dump.metadata.path).filename().string();
  return "attnviz report · " + name;
}

// "report timings, seconds on the clock (of processor): load 0.05 (0.05), ...": the loading and
// the analyses, then the drawing of each section, the compression and writing, then the whole.
void PrintTimings(const ReportTimings& analyses, const std::vector<ReportSection>& sections,
                  const ReportTimings& drawing, const ReportTiming& total) {
  std::string line = "report timings, seconds on the clock (of processor):";
  char part[128];
  auto add = [&](const std::string& name, const ReportTiming& timing, const char* end) {
    std::snprintf(part, sizeof part, " %s %.2f (%.2f)%s", name.c_str(), timing.wall, timing.cpu,
                  end);
    line += part;
  };
  for (const ReportTiming& timing : analyses) add(timing.part, timing, ",");
  add("page layout", drawing.front(), ",");
  for (size_t i = 0; i < sections.size(); ++i) {
    add("draw " + (sections[i].anchor.empty() ? sections[i].heading : sections[i].anchor),
        drawing[i + 1], ",");
  }
  add("compress and write", drawing.back(), ",");
  add("total", total, "");
  std::fprintf(stderr, "%s\n", line.c_str());
}

void RunReport(const ReportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.figure.Format() != ImageFormat::kPdf) {
    ThrowUsageError("-o " + options.figure.output + ": a report is a PDF, expected a .pdf file");
  }
  CheckNotInput(options.figure.output, options.dump.input);
  ReportChoices choices;
  choices.color = options.color.Request();
  choices.rules = ReadRules(options.rules);
  const RenderOptions render = options.figure.Render();
  choices.theme = render.theme;
  choices.threads = ThreadCount(options.figure.jobs);
  ReportTimings timings;
  std::optional<Dump> loaded;
  Timed(timings, "load", [&] { loaded.emplace(options.dump.Load()); });
  const Dump& dump = *loaded;
  PrintNotes(dump);
  const ReportAnalyses analyses = AnalyseForReport(dump, choices, timings);
  std::vector<ReportSection> sections;
  Timed(timings, "layout", [&] { sections = ReportSections(dump, analyses, choices); });
  const Paper paper = options.page == "letter" ? Paper::kLetter : Paper::kA4;
  // The pages' layout, the drawing of each section, then the PDF's compression and the writing.
  ReportTimings drawing(sections.size() + 2);
  auto turn_to = [&, last = size_t{0}, clock = std::chrono::steady_clock::now(),
                  cpu = ProcessCpuSeconds()](size_t slot) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double now_cpu = ProcessCpuSeconds();
    drawing[last].wall += std::chrono::duration<double>(now - clock).count();
    drawing[last].cpu += now_cpu - cpu;
    last = slot;
    clock = now;
    cpu = now_cpu;
  };
  std::string pdf = RenderReport(DocumentTitle(dump, options), sections, paper, render,
                                 [&](size_t section) { turn_to(section + 1); });
  WriteFileAtomically(options.figure.output, pdf);
  turn_to(drawing.size() - 1);
  if (options.timings) {
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    PrintTimings(timings, sections, drawing, {"total", wall.count(), ProcessCpuSeconds()});
  }
}

}  // namespace

void AddReportCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* command = app.add_subcommand(
      "report",
      "One PDF with everything: summary, statistics, maps, grid with labels, rollout, "
      "clustering and check results");
  options->dump.AddTo(*command);
  options->figure.AddTo(*command);
  command->get_option("-o")->description("the PDF to write");
  // Pages are paper-sized and vector: a figure size, a resolution or PNG compression mean nothing.
  for (const char* unused : {"--size", "--dpi", "--png-level"}) {
    command->get_option(unused)->group("");
  }
  command->add_option("--page", options->page, "paper size: a4 (default) or letter")
      ->check(CLI::IsMember({"a4", "letter"}));
  command->add_option("--rules", options->rules,
                      "check rules and thresholds from a JSON file, as attnviz check --rules");
  command->add_option("--title", options->title,
                      "document title, also in each page's footer (default: the file name)");
  command->add_flag("--timings", options->timings,
                    "print the seconds each analysis and the drawing of each section took to "
                    "stderr");
  options->color.AddTo(*command);
  command->footer(
      "Examples:\n"
      "  attnviz report data/induction.npy -o induction_report.pdf\n"
      "  attnviz report attn.npz --tokens tokens.txt --page letter --style paper-style.json "
      "-o report.pdf\n"
      "  attnviz report crop.json --rules rules.json --cmap magma -o report.pdf\n"
      "  attnviz report attn.npy --timings -o report.pdf   (seconds per analysis and section)");
  command->callback([options, &exit_code] {
    RunReport(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
