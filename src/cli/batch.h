// Several input files in one call: glob expansion, every batch item with --batch all, inputs that
// fail while the others go on, the figures of every dump as numbered work items, --shard I/N to
// split them between processes, -j threads and a progress bar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "attnviz/error.h"
#include "attnviz/io/dump.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/output_template.h"
#include "cli/table.h"

namespace attnviz::cli {

// Shard `index` of `count`: it owns work items index, index + count, index + 2 count, ...
struct Shard {
  size_t index = 0;
  size_t count = 1;

  bool Owns(size_t item) const { return item % count == index; }
};

// "I/N" with 0 <= I < N; an empty text is the whole work (0/1). A usage Error otherwise.
Shard ParseShard(std::string_view text);

// Adds --shard I/N to `command`.
void AddShardOption(CLI::App& command, std::string& shard);

// The files named by the FILE arguments: each argument as it is, except that one holding * ? or
// [ that names no file is a pattern and stands for the files it matches (as the shell would
// expand it, for patterns that reach us quoted). The result is sorted by bytes, each file once,
// so every process of a sharded run numbers the work alike. An input Error names a pattern that
// matches nothing; "-" (stdin) is a usage Error unless it is the only argument.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& arguments);

// Which dump of a run a result comes from, and what tables show of it.
struct DumpSource {
  std::string file;            // as given, after pattern expansion
  int64_t batch = 0;           // the batch item read: the {batch} of -o templates
  bool show_file = false;      // the run has several files: tables gain a "file" column
  bool show_batch = false;     // --batch all: tables gain a "batch" column
  bool several_items = false;  // --batch all on a file with several items: errors name the item
};

struct BatchFigure;

// The dumps of a run: every input file in order and, with --batch all, every batch item of each
// in turn, each loaded on its own (its own tokens and padding). A dump without a batch axis is
// one item, item 0.
//
// A dump that cannot be read or analysed (an input Error) does not stop the others when the run
// has several: its error is printed at once as one line on stderr, and Finish() ends the run
// with an input Error (exit 3) once the others' outputs are written. A lone input's error is
// thrown as it is. Usage and output Errors stop the run at once: they concern every input.
class DumpSeries {
 public:
  explicit DumpSeries(const DumpOptions& options);

  // The input files, patterns expanded and sorted (see ExpandInputs).
  const std::vector<std::string>& files() const { return files_; }

  // Calls `use` with each dump in order; `file_done` (if set) after each file.
  void ForEach(const std::function<void(const DumpSource&, Dump)>& use,
               const std::function<void()>& file_done = {});

  // ForEach with the files on up to `threads` threads of the one pool, each file's items in order
  // on one thread: `use` also gets the file's index in files(), so that results stored by it keep
  // their order whatever `threads` is. `use` and `file_done` may run on several threads at once;
  // at most `threads` dumps are loaded at a time.
  void ForEachInParallel(int threads,
                         const std::function<void(size_t file, const DumpSource&, Dump)>& use,
                         const std::function<void()>& file_done = {});

  // Makes an input Error while `figure` of `source` is drawn (a dump that shrinks while it is
  // read) a failure of that dump, as if it had failed to load: reported once, its figures
  // skipped, the others drawn. `figure` may be drawn on any thread while this series lives.
  void Guard(BatchFigure& figure, const DumpSource& source);

  // An input Error counting the failed dumps, if any failed; nothing otherwise.
  void Finish() const;

 private:
  void ForEachItem(const std::string& file,
                   const std::function<void(const DumpSource&, Dump)>& use);
  void Try(const DumpSource& source, const std::function<void()>& work);
  // Counts and reports the failure of `source`, once.
  void Fail(const DumpSource& source, const Error& error);

  DumpOptions options_;
  std::vector<std::string> files_;
  bool tolerant_ = false;  // several inputs: a failure is reported and the run goes on
  std::mutex mutex_;       // Fail is called from drawing threads
  std::set<std::pair<std::string, int64_t>> failed_;  // (file, batch item) of each failure
};

// Sets {batch} of a figure's template fields to the item it shows.
void AddBatchField(TemplateFields& fields, const DumpSource& source);

// One figure of a batch: its -o template fields and how to draw it (the file's bytes, or
// nothing when its dump failed and was reported: see DumpSeries::Guard).
struct BatchFigure {
  TemplateFields fields;
  std::function<std::optional<std::string>()> draw;
};

// The figures of every input file, in file order and then each file's own order.
struct FigureBatch {
  std::vector<BatchFigure> figures;
  // Every figure as a page of one PDF, calling `page_done` after each page; left empty by
  // commands that cannot draw pages.
  std::function<std::string(const std::function<void()>& page_done)> draw_pages;
};

// Names every figure from -o (one file each, or one PDF with a page each), then writes the work
// items this --shard owns, -j at a time, with a progress bar. Item k is figure k, or the whole
// PDF as item 0. Usage Errors (clashing names, a bad --shard) come before anything is written.
void WriteFigureBatch(const FigureBatch& batch, const FigureOptions& figure, ImageFormat format,
                      const std::vector<std::string>& inputs);

// Appends the rows of `one` to `all` behind the columns `source` shows: "file" (several files)
// and "batch" (--batch all), or none; the first call also sets the columns.
void AppendWithSource(Table& all, const Table& one, const DumpSource& source);

// Adds the "file" and "batch" keys `source` shows to one JSON row.
void AddSourceKeys(nlohmann::json& row, const DumpSource& source);

}  // namespace attnviz::cli
