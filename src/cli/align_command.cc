// `attnviz align DUMP --heads L:H`: word timing from decoder cross-attention over audio frames
// (Whisper's procedure), as a table, JSON, CSV or SRT/WebVTT subtitles; --score-heads ranks every
// head by how well it aligns, to choose the alignment heads.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/alignment.h"
#include "attnviz/analysis/alignment_heads.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/audio.h"
#include "attnviz/number_text.h"
#include "cli/commands.h"
#include "cli/cross_tokens.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct AlignCommandOptions {
  DumpOptions dump;
  std::string heads;  // --heads L:H,L:H
  std::string layers;
  std::string layer_heads;  // --head
  double frame_seconds = 0.02;
  int median_width = 7;
  std::optional<double> audio_seconds;
  std::string audio;  // --audio FILE: its length gives audio_seconds
  std::optional<int64_t> frames;
  bool renormalize = false;
  bool json = false;
  bool csv = false;
  std::string srt;
  std::string vtt;
  bool score_heads = false;
  std::string reference;
};

// The dump's cross-attention as align reads it: the chosen frames of every head.
struct CrossAttention {
  Dump dump;
  int64_t frames = 0;               // the frames kept, from the first
  std::vector<std::string> tokens;  // one per query; the row numbers when the dump has none
  bool has_tokens = false;

  Matrix Head(int64_t layer, int64_t head, bool renormalize) const;
};

Matrix CrossAttention::Head(int64_t layer, int64_t head, bool renormalize) const {
  const AttentionTensor& tensor = dump.attention;
  const std::vector<float> values = tensor.ReadHead(layer, head);
  Matrix matrix(tensor.queries(), frames, {});
  for (int64_t i = 0; i < tensor.queries(); ++i) {
    const auto row = values.begin() + i * tensor.keys();
    matrix.values.insert(matrix.values.end(), row, row + frames);
  }
  return renormalize ? RowNormalized(std::move(matrix)) : matrix;
}

void CheckOptions(const AlignCommandOptions& options) {
  if (options.median_width < 1 || options.median_width % 2 == 0) {
    ThrowUsageError("--median-width must be odd and at least 1, got " +
                    std::to_string(options.median_width));
  }
  if (!(options.frame_seconds > 0)) {
    ThrowUsageError("--frame-seconds must be positive, got " + Number(options.frame_seconds));
  }
  if ((options.audio_seconds.has_value() + options.frames.has_value() + !options.audio.empty()) >
      1) {
    ThrowUsageError("--audio, --audio-seconds and --frames all crop the frames: give one");
  }
  if (options.json + options.csv > 1) ThrowUsageError("--json and --csv: give one");
  if (options.score_heads && (!options.srt.empty() || !options.vtt.empty())) {
    ThrowUsageError("--score-heads prints the head scores: --srt and --vtt write word timing");
  }
}

// The frames before the audio's end: Whisper pads every input to 30 s, and the frames past the
// speech must take no part (transformers keeps num_frames // 2 of them).
int64_t KeptFrames(const AlignCommandOptions& options, const Dump& dump) {
  const int64_t stored = dump.attention.keys();
  const std::string& path = dump.metadata.path;
  int64_t kept = stored;
  std::string asked;
  if (options.frames) {
    kept = *options.frames;
    asked = "--frames " + std::to_string(kept);
  } else if (options.audio_seconds) {
    kept = static_cast<int64_t>(std::floor(*options.audio_seconds / options.frame_seconds + 1e-9));
    asked = "--audio-seconds " + Number(*options.audio_seconds) + " (" + std::to_string(kept) +
            " frames of " + Number(options.frame_seconds) + " s)";
  }
  if (kept < 1 || kept > stored) {
    ThrowUsageError(path + ": " + asked + " is outside the dump's " + std::to_string(stored) +
                    " frames (keys)");
  }
  return kept;
}

CrossAttention LoadCrossAttention(const AlignCommandOptions& options) {
  DumpOptions dump_options = TextTokensOnQueries(options.dump);  // the keys are frames
  CrossAttention cross{dump_options.Load(), 0, {}, false};
  PrintNotes(cross.dump);
  cross.frames = KeptFrames(options, cross.dump);
  cross.has_tokens = cross.dump.query_tokens.has_value();
  for (int64_t i = 0; i < cross.dump.attention.queries(); ++i) {
    cross.tokens.push_back(cross.has_tokens ? (*cross.dump.query_tokens)[i] : std::to_string(i));
  }
  return cross;
}

// "1:3,2:0" in the model's numbering, as (layer, head) indexes in the dump.
std::vector<std::pair<int64_t, int64_t>> ParseHeadPairs(const std::string& text, const Dump& dump) {
  std::vector<std::pair<int64_t, int64_t>> pairs;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size() ||
        item.find(':', colon + 1) != std::string::npos) {
      ThrowUsageError(
          "--heads: expected LAYER:HEAD pairs separated by commas (\"1:3,2:0\"), got \"" + text +
          "\"");
    }
    const int64_t layer = ParseLayers(item.substr(0, colon), dump, "--heads (layer)").at(0);
    const int64_t head = ParseHeads(item.substr(colon + 1), dump, "--heads (head)").at(0);
    pairs.push_back({layer, head});
  }
  if (pairs.empty()) ThrowUsageError("--heads: no LAYER:HEAD pair given");
  return pairs;
}

// The heads --heads, or --layer x --head, choose; every head for --score-heads without them.
std::vector<std::pair<int64_t, int64_t>> ChosenHeads(const AlignCommandOptions& options,
                                                     const Dump& dump) {
  const bool by_selection = !options.layers.empty() || !options.layer_heads.empty();
  if (!options.heads.empty() && by_selection) {
    ThrowUsageError("--heads and --layer/--head both choose heads: give one");
  }
  if (!options.heads.empty()) return ParseHeadPairs(options.heads, dump);
  if (!by_selection && !options.score_heads) {
    ThrowUsageError(dump.metadata.path +
                    ": no heads chosen: give --heads LAYER:HEAD,... or --layer and --head "
                    "(attnviz align FILE --score-heads ranks them)");
  }
  const auto layers = ParseLayers(options.layers.empty() ? "all" : options.layers, dump, "--layer");
  const auto heads =
      ParseHeads(options.layer_heads.empty() ? "all" : options.layer_heads, dump, "--head");
  std::vector<std::pair<int64_t, int64_t>> pairs;
  for (int64_t layer : layers) {
    for (int64_t head : heads) pairs.push_back({layer, head});
  }
  return pairs;
}

// ---- the reference timing file: JSON [{"token", "start", "end"}, ...] or CSV token,start,end

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowInputError(path, "cannot open the reference timing file");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Seconds(const nlohmann::json& value, const std::string& path, size_t row,
               const char* field) {
  if (!value.is_number()) {
    ThrowInputError(path, "timing " + std::to_string(row) + ": expected a number of seconds in \"" +
                              field + "\", found " + value.dump());
  }
  return value.get<double>();
}

std::vector<ReferenceSpan> ReferenceFromJson(const std::string& path, const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object() && json.contains("tokens")) json = json["tokens"];
  if (!json.is_array()) {
    ThrowInputError(path, "expected a JSON list of {\"token\", \"start\", \"end\"} objects");
  }
  std::vector<ReferenceSpan> spans;
  for (size_t row = 0; row < json.size(); ++row) {
    if (!json[row].is_object()) {
      ThrowInputError(path, "timing " + std::to_string(row) + ": expected an object, found " +
                                json[row].dump());
    }
    spans.push_back({Seconds(json[row].value("start", nlohmann::json()), path, row, "start"),
                     Seconds(json[row].value("end", nlohmann::json()), path, row, "end")});
  }
  return spans;
}

std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream items(line);
  for (std::string field; std::getline(items, field, ',');) {
    while (!field.empty() && (field.back() == '\r' || field.back() == ' ')) field.pop_back();
    fields.push_back(field);
  }
  return fields;
}

// CSV with a header naming "start" and "end" columns (a "token" column is allowed, unquoted).
std::vector<ReferenceSpan> ReferenceFromCsv(const std::string& path, const std::string& text) {
  std::stringstream lines(text);
  std::string line;
  std::getline(lines, line);
  const std::vector<std::string> header = CsvFields(line);
  const auto start = std::find(header.begin(), header.end(), "start") - header.begin();
  const auto end = std::find(header.begin(), header.end(), "end") - header.begin();
  if (start == std::ssize(header) || end == std::ssize(header)) {
    ThrowInputError(
        path, "expected a CSV header naming the columns start and end, found \"" + line + "\"");
  }
  std::vector<ReferenceSpan> spans;
  for (size_t row = 1; std::getline(lines, line); ++row) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> fields = CsvFields(line);
    try {
      spans.push_back({std::stod(fields.at(start)), std::stod(fields.at(end))});
    } catch (const std::exception&) {
      ThrowInputError(path, "line " + std::to_string(row + 1) +
                                ": expected numbers of seconds in the start and end columns, "
                                "found \"" +
                                line + "\"");
    }
  }
  return spans;
}

std::vector<ReferenceSpan> ReadReference(const std::string& path, int64_t tokens) {
  const std::string text = ReadText(path);
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool json = first != std::string::npos && (text[first] == '[' || text[first] == '{');
  std::vector<ReferenceSpan> spans =
      json ? ReferenceFromJson(path, text) : ReferenceFromCsv(path, text);
  if (std::ssize(spans) != tokens) {
    ThrowInputError(path, "has " + std::to_string(spans.size()) + " token timings, the dump has " +
                              std::to_string(tokens) + " tokens (queries)");
  }
  return spans;
}

// ---- word timing

struct TimingErrors {
  double start_mean = 0, start_max = 0, end_mean = 0, end_max = 0;  // seconds
};

TimingErrors ErrorsAgainst(const Alignment& alignment, const std::vector<ReferenceSpan>& truth) {
  TimingErrors errors;
  for (size_t t = 0; t < truth.size(); ++t) {
    const double start = std::abs(alignment.tokens[t].start_seconds - truth[t].start_seconds);
    const double end = std::abs(alignment.tokens[t].end_seconds - truth[t].end_seconds);
    errors.start_mean += start / static_cast<double>(truth.size());
    errors.end_mean += end / static_cast<double>(truth.size());
    errors.start_max = std::max(errors.start_max, start);
    errors.end_max = std::max(errors.end_max, end);
  }
  return errors;
}

std::string Milliseconds(double seconds) { return FormatNumber(std::round(seconds * 1e4) / 10); }

std::string HeadList(const CrossAttention& cross,
                     const std::vector<std::pair<int64_t, int64_t>>& heads) {
  std::string list;
  for (auto [layer, head] : heads) {
    list += (list.empty() ? "" : ", ") + HeadLabel(cross.dump, layer, head);
  }
  return list;
}

Table TimingTable(const CrossAttention& cross, const Alignment& alignment, bool csv) {
  Table table;
  table.columns = {"index", "token", "start", "end"};
  if (csv) table.columns.insert(table.columns.end(), {"start_frame", "end_frame"});
  for (const TokenSpan& span : alignment.tokens) {
    std::vector<std::string> row = {std::to_string(span.token), cross.tokens[span.token],
                                    FormatNumber(span.start_seconds),
                                    FormatNumber(span.end_seconds)};
    if (csv)
      row.insert(row.end(), {std::to_string(span.start_frame), std::to_string(span.end_frame)});
    table.rows.push_back(std::move(row));
  }
  return table;
}

nlohmann::json TimingJson(const CrossAttention& cross, const Alignment& alignment,
                          const std::vector<std::pair<int64_t, int64_t>>& heads,
                          const AlignCommandOptions& options) {
  nlohmann::json json = {
      {"file", cross.dump.metadata.path}, {"frame_seconds", options.frame_seconds},
      {"frames", cross.frames},           {"median_width", options.median_width},
      {"heads", nlohmann::json::array()}, {"tokens", nlohmann::json::array()},
      {"path", nlohmann::json::array()}};
  for (auto [layer, head] : heads) {
    json["heads"].push_back(
        {{"layer", ModelLayer(cross.dump, layer)}, {"head", ModelHead(cross.dump, head)}});
  }
  for (const TokenSpan& span : alignment.tokens) {
    json["tokens"].push_back({{"index", span.token},
                              {"token", cross.tokens[span.token]},
                              {"start", span.start_seconds},
                              {"end", span.end_seconds},
                              {"start_frame", span.start_frame},
                              {"end_frame", span.end_frame}});
  }
  for (auto [token, frame] : alignment.path) json["path"].push_back({token, frame});
  return json;
}

// "00:00:01,240" (SRT) or "00:00:01.240" (WebVTT).
std::string Timestamp(double seconds, char separator) {
  const int64_t ms = std::llround(seconds * 1000);
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld%c%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), separator,
                static_cast<long long>(ms % 1000));
  return text;
}

std::string Subtitles(const std::vector<WordSpan>& words, bool vtt) {
  std::string text = vtt ? "WEBVTT\n\n" : "";
  const char separator = vtt ? '.' : ',';
  for (size_t k = 0; k < words.size(); ++k) {
    if (!vtt) text += std::to_string(k + 1) + "\n";
    text += Timestamp(words[k].start_seconds, separator) + " --> " +
            Timestamp(words[k].end_seconds, separator) + "\n" + words[k].text + "\n\n";
  }
  return text;
}

void WriteSubtitles(const CrossAttention& cross, const Alignment& alignment,
                    const AlignCommandOptions& options) {
  if (options.srt.empty() && options.vtt.empty()) return;
  if (!cross.has_tokens) {
    ThrowUsageError(cross.dump.metadata.path +
                    ": --srt and --vtt need the tokens: give --tokens FILE");
  }
  const std::vector<WordSpan> words = GroupWords(alignment, cross.tokens);
  if (!options.srt.empty()) WriteFileAtomically(options.srt, Subtitles(words, false));
  if (!options.vtt.empty()) WriteFileAtomically(options.vtt, Subtitles(words, true));
}

void PrintTimingText(const CrossAttention& cross, const Alignment& alignment,
                     const std::vector<std::pair<int64_t, int64_t>>& heads,
                     const AlignCommandOptions& options) {
  TimingTable(cross, alignment, false).PrintText(std::cout);
  std::cout << "\nstart, end: seconds; heads " << HeadList(cross, heads) << "; median width "
            << options.median_width << "; " << cross.frames << " of " << cross.dump.attention.keys()
            << " frames of " << Number(options.frame_seconds) << " s\n";
}

void PrintReferenceErrors(const Alignment& alignment, const std::vector<ReferenceSpan>& reference,
                          const AlignCommandOptions& options, nlohmann::json* json) {
  const TimingErrors errors = ErrorsAgainst(alignment, reference);
  if (json) {
    (*json)["reference"] = {{"file", options.reference},
                            {"start_error_mean_ms", errors.start_mean * 1000},
                            {"start_error_max_ms", errors.start_max * 1000},
                            {"end_error_mean_ms", errors.end_mean * 1000},
                            {"end_error_max_ms", errors.end_max * 1000}};
    return;
  }
  std::cout << "against " << options.reference << ": start error mean "
            << Milliseconds(errors.start_mean) << " ms, max " << Milliseconds(errors.start_max)
            << " ms; end error mean " << Milliseconds(errors.end_mean) << " ms, max "
            << Milliseconds(errors.end_max) << " ms\n";
}

void RunTiming(const AlignCommandOptions& options, const CrossAttention& cross,
               const std::vector<std::pair<int64_t, int64_t>>& heads) {
  std::vector<Matrix> matrices;
  for (auto [layer, head] : heads) matrices.push_back(cross.Head(layer, head, options.renormalize));
  const Alignment alignment =
      AlignTokens(matrices, AlignmentOptions{options.median_width, options.frame_seconds});
  std::vector<ReferenceSpan> reference;  // read before anything is written
  if (!options.reference.empty()) {
    reference = ReadReference(options.reference, std::ssize(alignment.tokens));
  }
  WriteSubtitles(cross, alignment, options);
  const bool files_only = !options.srt.empty() || !options.vtt.empty();
  if (options.json) {
    nlohmann::json json = TimingJson(cross, alignment, heads, options);
    if (!reference.empty()) PrintReferenceErrors(alignment, reference, options, &json);
    std::cout << json.dump() << "\n";
  } else if (options.csv) {
    TimingTable(cross, alignment, true).PrintCsv(std::cout);
  } else if (!files_only) {
    PrintTimingText(cross, alignment, heads, options);
    if (!reference.empty()) PrintReferenceErrors(alignment, reference, options, nullptr);
  }
}

// ---- head scores

std::vector<AlignmentHeadScore> ScoreHeads(const AlignCommandOptions& options,
                                           const CrossAttention& cross,
                                           const std::vector<std::pair<int64_t, int64_t>>& heads) {
  std::vector<ReferenceSpan> reference;
  if (!options.reference.empty()) {
    reference = ReadReference(options.reference, cross.dump.attention.queries());
  }
  std::vector<AlignmentHeadScore> scores;
  for (auto [layer, head] : heads) {
    const Matrix matrix = cross.Head(layer, head, options.renormalize);
    AlignmentHeadScore score = ScoreAlignmentHead(matrix);
    score.layer = layer;
    score.head = head;
    if (!reference.empty()) {
      const AlignmentOptions align{options.median_width, options.frame_seconds};
      score.boundary_error_seconds = BoundaryError(AlignTokens({matrix}, align), reference);
    }
    scores.push_back(score);
  }
  // Best first: the smallest boundary error when there is a reference, else the highest score.
  std::stable_sort(scores.begin(), scores.end(), [&](const auto& a, const auto& b) {
    if (!reference.empty() && a.boundary_error_seconds != b.boundary_error_seconds) {
      return a.boundary_error_seconds < b.boundary_error_seconds;
    }
    return a.score > b.score;
  });
  return scores;
}

Table ScoreTable(const CrossAttention& cross, const std::vector<AlignmentHeadScore>& scores,
                 bool reference) {
  Table table;
  table.columns = {"rank", "head", "layer", "head_index", "score", "monotonicity", "peakedness"};
  if (reference) table.columns.push_back("boundary_error_ms");
  for (size_t k = 0; k < scores.size(); ++k) {
    const AlignmentHeadScore& s = scores[k];
    std::vector<std::string> row = {std::to_string(k + 1),
                                    HeadLabel(cross.dump, s.layer, s.head),
                                    std::to_string(ModelLayer(cross.dump, s.layer)),
                                    std::to_string(ModelHead(cross.dump, s.head)),
                                    FormatNumber(s.score),
                                    FormatNumber(s.monotonicity),
                                    FormatNumber(s.peakedness)};
    if (reference) row.push_back(Milliseconds(s.boundary_error_seconds));
    table.rows.push_back(std::move(row));
  }
  return table;
}

void PrintScoresJson(const CrossAttention& cross, const std::vector<AlignmentHeadScore>& scores,
                     bool reference) {
  nlohmann::json json = {{"file", cross.dump.metadata.path},
                         {"frames", cross.frames},
                         {"heads", nlohmann::json::array()}};
  for (const AlignmentHeadScore& s : scores) {
    nlohmann::json row = {{"layer", ModelLayer(cross.dump, s.layer)},
                          {"head", ModelHead(cross.dump, s.head)},
                          {"score", s.score},
                          {"monotonicity", s.monotonicity},
                          {"peakedness", s.peakedness}};
    if (reference) row["boundary_error_ms"] = s.boundary_error_seconds * 1000;
    json["heads"].push_back(std::move(row));
  }
  std::cout << json.dump() << "\n";
}

void RunScores(const AlignCommandOptions& options, const CrossAttention& cross,
               const std::vector<std::pair<int64_t, int64_t>>& heads) {
  const std::vector<AlignmentHeadScore> scores = ScoreHeads(options, cross, heads);
  const bool reference = !options.reference.empty();
  if (options.json) return PrintScoresJson(cross, scores, reference);
  if (options.csv) return ScoreTable(cross, scores, reference).PrintCsv(std::cout);
  ScoreTable(cross, scores, reference).PrintText(std::cout);
  const AlignmentHeadScore& best = scores.front();
  std::cout << "\nscore = max(0, 2 monotonicity - 1) x peakedness (docs/analyses.md \"Alignment "
               "heads\")"
            << (reference ? "; ranked by boundary_error_ms, the mean error of each head's own "
                            "word timing against " +
                                options.reference
                          : "")
            << "\nbest: " << HeadLabel(cross.dump, best.layer, best.head) << " (--heads "
            << ModelLayer(cross.dump, best.layer) << ":" << ModelHead(cross.dump, best.head)
            << ")\n";
}

void RunAlign(AlignCommandOptions options) {
  CheckOptions(options);
  if (!options.audio.empty()) options.audio_seconds = ReadAudio(options.audio).seconds();
  const CrossAttention cross = LoadCrossAttention(options);
  const auto heads = ChosenHeads(options, cross.dump);
  if (options.score_heads) {
    RunScores(options, cross, heads);
  } else {
    RunTiming(options, cross, heads);
  }
}

}  // namespace

void AddAlignCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AlignCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "align",
      "Word timing from decoder cross-attention over audio frames, as Whisper computes it "
      "(standardise, median filter, mean of the alignment heads, DTW), and alignment-head scores");
  command->add_option("--heads", options->heads,
                      "the alignment heads, LAYER:HEAD pairs: 1:3,2:0 (the model's numbers)");
  command->add_option("--layer", options->layers,
                      "the layers of the alignment heads (with --head)");
  command->add_option("--head", options->layer_heads, "the heads of each --layer (default all)");
  command->add_option("--frame-seconds", options->frame_seconds,
                      "seconds per frame (key) (default 0.02: Whisper's 1500 frames for 30 s)");
  command->add_option("--median-width", options->median_width,
                      "width of the median filter along time, odd (default 7, Whisper's)");
  command->add_option("--audio-seconds", options->audio_seconds,
                      "the audio's length: frames past it take no part (Whisper pads to 30 s)");
  command->add_option("--frames", options->frames, "keep only the first N frames");
  command->add_option("--audio", options->audio,
                      "the audio file the model heard (WAV, FLAC, OGG...): its length is "
                      "--audio-seconds");
  command->add_flag("--renormalize", options->renormalize,
                    "rescale each token's kept weights to sum 1 (openai/whisper's softmax over "
                    "the kept frames; default: as transformers, weights as stored)");
  command->add_flag("--json", options->json, "print JSON: tokens with start and end, the path");
  command->add_flag("--csv", options->csv, "print the table as CSV");
  command->add_option("--srt", options->srt, "write SRT subtitles, one cue per word");
  command->add_option("--vtt", options->vtt, "write WebVTT subtitles, one cue per word");
  command->add_flag("--score-heads", options->score_heads,
                    "rank every head (or --layer/--head) by how well it aligns");
  command->add_option("--reference", options->reference,
                      "true timings (JSON [{token,start,end}] or CSV token,start,end; seconds): "
                      "rank heads by their boundary error, or report the timing error");
  options->dump.AddTo(*command);  // after align's own options, which --help lists first
  command->footer(
      "The dump holds cross-attention (layer, head, tokens, frames): row i is the query that\n"
      "predicts token i. Start and end are seconds; a token ends where the next begins.\n"
      "Examples:\n"
      "  attnviz align data/speech_cross.npy --tokens data/speech_tokens.txt --score-heads\n"
      "  attnviz align data/speech_cross.npy --tokens data/speech_tokens.txt --heads 1:2 \\\n"
      "      --audio-seconds 2.0648 --srt speech.srt\n"
      "  attnviz align cross.npy --tokens tokens.txt --heads 2:2,3:0,3:2 --json");
  command->callback([options, &exit_code] {
    RunAlign(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
