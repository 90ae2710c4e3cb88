// Batches of input files: patterns expanded with glob(3), work items dealt to shards round-robin.
#include "cli/batch.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "cli/parallel.h"
#include "cli/progress.h"

namespace attnviz::cli {

namespace {

[[noreturn]] void ThrowBadShard(std::string_view text) {
  ThrowUsageError("--shard: expected I/N with 0 <= I < N, such as 0/4, found '" +
                  std::string(text) + "'");
}

bool ParseCount(std::string_view text, size_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool IsPattern(const std::string& argument) {
  if (argument.find_first_of("*?[") == std::string::npos) return false;
  struct stat info;
  return stat(argument.c_str(), &info) != 0;  // a file whose name holds '*' is that file
}

// The files `pattern` matches, in byte order (not the locale's: every process must agree).
std::vector<std::string> Matches(const std::string& pattern) {
  glob_t found{};
  const int status = glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found);
  std::vector<std::string> files(found.gl_pathv, found.gl_pathv + found.gl_pathc);
  globfree(&found);
  if (status != 0 && status != GLOB_NOMATCH) {
    ThrowInputError(pattern, "cannot read the folders of this pattern");
  }
  if (files.empty()) ThrowInputError(pattern, "expected files matching this pattern, found none");
  return files;
}

void WritePages(const FigureBatch& batch, const std::string& path) {
  ProgressBar progress(batch.figures.size(), "pages");
  WriteFileAtomically(path, batch.draw_pages([&progress] { progress.Advance(); }));
}

}  // namespace

Shard ParseShard(std::string_view text) {
  if (text.empty()) return {};
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !ParseCount(text.substr(0, slash), shard.index) ||
      !ParseCount(text.substr(slash + 1), shard.count) || shard.index >= shard.count) {
    ThrowBadShard(text);
  }
  return shard;
}

void AddShardOption(CLI::App& command, std::string& shard) {
  command.add_option("--shard", shard,
                     "I/N: write only work items I, I+N, I+2N, ... of the sorted (file, figure) "
                     "list, so N processes together write each output once (docs/scaling.md)");
}

std::vector<std::string> ExpandInputs(const std::vector<std::string>& arguments) {
  std::vector<std::string> files;
  for (const std::string& argument : arguments) {
    if (argument == "-" && arguments.size() > 1) {
      ThrowUsageError("FILE: expected - (stdin) alone, found it among " +
                      std::to_string(arguments.size()) + " inputs");
    }
    if (!IsPattern(argument)) {
      files.push_back(argument);
      continue;
    }
    for (std::string& file : Matches(argument)) files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

void WriteFigureBatch(const FigureBatch& batch, const FigureOptions& figure, ImageFormat format,
                      const std::vector<std::string>& inputs) {
  const Shard shard = ParseShard(figure.shard);
  std::vector<TemplateFields> fields;
  for (const BatchFigure& one : batch.figures) fields.push_back(one.fields);
  const FigureOutputs outputs =
      PlanFigureOutputs(figure.output, format, fields, inputs, static_cast<bool>(batch.draw_pages));
  if (outputs.pdf_pages) {
    if (shard.Owns(0)) WritePages(batch, outputs.paths[0]);
    return;
  }
  std::vector<size_t> owned;
  for (size_t item = 0; item < batch.figures.size(); ++item) {
    if (shard.Owns(item)) owned.push_back(item);
  }
  ProgressBar progress(owned.size(), "figures");
  RunInParallel(owned.size(), ThreadCount(figure.jobs), [&](size_t i) {
    WriteFileAtomically(outputs.paths[owned[i]], batch.figures[owned[i]].draw());
    progress.Advance();
  });
}

void AppendWithFile(Table& all, const Table& one, const std::string& file) {
  if (all.columns.empty()) {
    all.columns = {"file"};
    all.columns.insert(all.columns.end(), one.columns.begin(), one.columns.end());
  }
  for (const std::vector<std::string>& row : one.rows) {
    std::vector<std::string> cells = {file};
    cells.insert(cells.end(), row.begin(), row.end());
    all.rows.push_back(std::move(cells));
  }
}

}  // namespace attnviz::cli
