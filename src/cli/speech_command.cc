// `attnviz speech DUMP --audio FILE -o OUT`: a speech model's cross-attention from text tokens
// to audio frames, on a time axis in seconds above the audio's log-mel spectrogram or waveform,
// with the word-timing path of chosen alignment heads.
#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <sstream>

#include "attnviz/analysis/alignment.h"
#include "attnviz/analysis/log_mel.h"
#include "attnviz/error.h"
#include "attnviz/io/audio.h"
#include "attnviz/number_text.h"
#include "attnviz/render/speech.h"
#include "attnviz/render/token_text.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/cross_tokens.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

using HeadList = std::vector<std::pair<int64_t, int64_t>>;  // (layer, head), indexes in the dump

struct SpeechOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  std::string audio;
  std::string layers;  // default 0
  std::string heads;   // default 0, or all with --fuse
  std::string layer_heads;
  std::string fuse;
  double frame_seconds = 0.02;
  std::string under = "mel";
  std::string alignment_heads;
  int median_width = 7;
  bool clean_tokens = false;
  std::string title;
};

// The audio's frames as the figure shows them: all the dump's with --keep-padding, else those
// that hold sound (Whisper pads every input to 30 s).
struct Timeline {
  int64_t frames = 0;          // attention columns shown
  double seconds = 0;          // the time axis: frames x frame seconds
  int64_t aligned_frames = 0;  // the frames word timing runs over: whole frames of sound
};

// "3:1,4:2" as (layer, head) indexes in the dump, each in the model's numbers.
HeadList ParseHeadPairs(const std::string& text, const Dump& dump, const std::string& option) {
  HeadList pairs;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size() ||
        item.find_first_not_of("0123456789:") != std::string::npos) {
      ThrowUsageError(option + ": expected layer:head pairs such as 3:1,4:2, found '" + item + "'");
    }
    std::vector<int64_t> layer = ParseLayers(item.substr(0, colon), dump, option);
    std::vector<int64_t> head = ParseHeads(item.substr(colon + 1), dump, option);
    pairs.push_back({layer[0], head[0]});
  }
  if (pairs.empty()) ThrowUsageError(option + ": expected layer:head pairs such as 3:1,4:2");
  return pairs;
}

HeadList ShownHeads(const SpeechOptions& options, const Dump& dump) {
  if (!options.layer_heads.empty())
    return ParseHeadPairs(options.layer_heads, dump, "--layer-heads");
  std::vector<int64_t> layers = options.layers.empty()
                                    ? std::vector<int64_t>{0}
                                    : ParseLayers(options.layers, dump, "--layer");
  std::vector<int64_t> heads = options.heads.empty()
                                   ? ParseHeads(options.fuse.empty() ? "0" : "all", dump, "--head")
                                   : ParseHeads(options.heads, dump, "--head");
  if (options.fuse.empty() && layers.size() * heads.size() > 1) {
    ThrowUsageError(dump.metadata.path +
                    ": --layer and --head select several heads; combine them with "
                    "--fuse mean, max or min");
  }
  HeadList pairs;
  for (int64_t layer : layers) {
    for (int64_t head : heads) pairs.push_back({layer, head});
  }
  return pairs;
}

Matrix FirstFrames(const AttentionTensor& tensor, int64_t layer, int64_t head, int64_t frames) {
  Matrix whole{tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}};
  return Crop(whole, {0, tensor.queries()}, {0, frames});
}

Matrix FusedAttention(const Dump& dump, const HeadList& heads, const std::string& fuse,
                      int64_t frames) {
  HeadFusion fusion(ParseFusion(fuse).value_or(Fusion::kMean));
  for (auto [layer, head] : heads) fusion.Add(FirstFrames(dump.attention, layer, head, frames));
  return fusion.Result();
}

// "whisper · layer 3 · head 1", "whisper · mean of L3H1, L4H2", "whisper · mean of 8 heads".
std::string DefaultTitle(const Dump& dump, const SpeechOptions& options, const HeadList& heads) {
  const std::string fuse = options.fuse.empty() ? "mean" : options.fuse;
  if (options.layer_heads.empty()) {
    std::vector<int64_t> layers, head_indexes;
    for (auto [layer, head] : heads) {
      if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(layer);
      if (std::find(head_indexes.begin(), head_indexes.end(), head) == head_indexes.end()) {
        head_indexes.push_back(head);
      }
    }
    return HeadsTitle(dump, layers, head_indexes, options.fuse.empty() ? "" : fuse + " of ");
  }
  if (heads.size() == 1)
    return ModelName(dump) + " · " + HeadLabel(dump, heads[0].first, heads[0].second);
  if (heads.size() > 4)
    return ModelName(dump) + " · " + fuse + " of " + std::to_string(heads.size()) + " heads";
  std::string names;
  for (auto [layer, head] : heads)
    names += (names.empty() ? "" : ", ") + HeadLabel(dump, layer, head);
  return ModelName(dump) + " · " + fuse + " of " + names;
}

Timeline PlanTimeline(const SpeechOptions& options, const Dump& dump, const Audio& audio) {
  const double fs = options.frame_seconds;
  const int64_t keys = dump.attention.keys();
  Timeline timeline;
  const double sound = audio.seconds();
  const int64_t sounding = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(sound / fs - 1e-9)));
  timeline.frames = options.dump.keep_padding ? keys : std::min(keys, sounding);
  timeline.seconds = static_cast<double>(timeline.frames) * fs;
  timeline.aligned_frames =
      std::clamp<int64_t>(static_cast<int64_t>(std::floor(sound / fs + 1e-9)), 1, timeline.frames);
  return timeline;
}

// The audio the figure shows: cut to the dump's frames when longer (noted), padded with
// silence to the time axis with --keep-padding, as Whisper pads its input.
Audio FitAudio(Audio audio, const Timeline& timeline, const SpeechOptions& options, Dump& dump) {
  const size_t span = static_cast<size_t>(std::llround(timeline.seconds * audio.sample_rate));
  if (audio.samples.size() > span) {
    dump.notes.push_back(options.audio + " lasts " + Number(audio.seconds()) + " s; the dump's " +
                         std::to_string(timeline.frames) + " frames cover the first " +
                         Number(timeline.seconds) + " s, which are drawn");
    audio.samples.resize(span);
  } else if (options.dump.keep_padding) {
    audio.samples.resize(span, 0.0f);
  } else if (timeline.frames < dump.attention.keys()) {
    dump.notes.push_back("frames after the audio's end (" + Number(timeline.seconds) +
                         " s) are left out; --keep-padding shows all " +
                         std::to_string(dump.attention.keys()));
  }
  return audio;
}

// Ticks of the spectrogram's band axis at round frequencies, in kHz.
std::vector<BandTick> FrequencyTicks(const LogMelOptions& mel) {
  std::vector<BandTick> ticks;
  for (double khz : {0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0}) {
    if (khz * 1000 > mel.sample_rate / 2.0 + 1e-9) break;
    ticks.push_back({MelBandPosition(khz * 1000, mel), Number(khz)});
  }
  return ticks;
}

// The word-timing path of the alignment heads over the frames of sound, and each token's start
// (with the last token's end) as a boundary.
void AddAlignment(const SpeechOptions& options, const Dump& dump, const Timeline& timeline,
                  SpeechSpec& spec) {
  if (options.alignment_heads.empty()) return;
  std::vector<Matrix> heads;
  for (auto [layer, head] : ParseHeadPairs(options.alignment_heads, dump, "--alignment-heads")) {
    heads.push_back(FirstFrames(dump.attention, layer, head, timeline.aligned_frames));
  }
  AlignmentOptions alignment_options;
  alignment_options.median_width = options.median_width;
  alignment_options.frame_seconds = options.frame_seconds;
  Alignment alignment = AlignTokens(heads, alignment_options);
  spec.path = alignment.path;
  std::set<double> boundaries;
  for (const TokenSpan& span : alignment.tokens) boundaries.insert(span.start_seconds);
  if (!alignment.tokens.empty()) boundaries.insert(alignment.tokens.back().end_seconds);
  spec.boundaries.assign(boundaries.begin(), boundaries.end());
}

SpeechSpec MakeSpec(const SpeechOptions& options, Dump& dump, Audio audio) {
  const HeadList heads = ShownHeads(options, dump);
  const Timeline timeline = PlanTimeline(options, dump, audio);
  audio = FitAudio(std::move(audio), timeline, options, dump);
  SpeechSpec spec;
  spec.attention = FusedAttention(dump, heads, options.fuse, timeline.frames);
  if (dump.query_tokens) {
    spec.tokens =
        options.clean_tokens ? CleanSubwordMarkers(*dump.query_tokens) : *dump.query_tokens;
  }
  spec.frame_seconds = options.frame_seconds;
  spec.seconds = timeline.seconds;
  spec.under = options.under == "waveform" ? SpeechUnder::kWaveform : SpeechUnder::kMel;
  if (spec.under == SpeechUnder::kMel) {
    const LogMelOptions mel;
    spec.mel = LogMelSpectrogram(audio.samples, mel);
    if (spec.mel.cols == 0) {
      ThrowInputError(options.audio, "expected at least 10 ms of sound for a spectrogram, found " +
                                         std::to_string(audio.samples.size()) + " samples");
    }
    spec.mel_seconds = static_cast<double>(mel.hop) / mel.sample_rate;
    spec.mel_ticks = FrequencyTicks(mel);
  } else {
    spec.waveform = std::move(audio.samples);
    spec.sample_rate = audio.sample_rate;
  }
  AddAlignment(options, dump, timeline, spec);
  spec.title = options.title.empty() ? DefaultTitle(dump, options, heads) : options.title;
  spec.scale = options.color.Request();
  return spec;
}

void RunSpeech(const SpeechOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  options.color.Request();  // a malformed --norm fails before any work
  auto dump = std::make_shared<Dump>(TextTokensOnQueries(options.dump).Load());
  Audio audio = ReadAudioAt(options.audio, kWhisperSampleRate);
  auto spec = std::make_shared<const SpeechSpec>(MakeSpec(options, *dump, std::move(audio)));
  PrintNotes(*dump);
  FigureBatch batch;
  TemplateFields fields{{"stem", Stem(*dump)}, {"ext", ExtensionOf(format)}};
  batch.figures.push_back(
      {fields, [spec, format, render] { return RenderSpeech(*spec, format, render); }});
  std::vector<std::string> inputs = {options.dump.input, options.audio};
  if (!options.dump.tokens.empty()) inputs.push_back(options.dump.tokens);
  WriteFigureBatch(batch, options.figure, format, inputs);
}

void AddSelectionOptions(CLI::App& command, SpeechOptions& options) {
  CLI::Option* layer = command.add_option(
      "--layer,--layers", options.layers,
      "decoder layer: an index (default 0); with --fuse also A:B, a list, or all");
  CLI::Option* head = command.add_option("--head,--heads", options.heads,
                                         "head, as --layer (default 0; with --fuse, all)");
  command
      .add_option("--layer-heads", options.layer_heads,
                  "heads from several layers as layer:head pairs, e.g. 3:1,4:2; several are "
                  "fused (--fuse, default mean)")
      ->excludes(layer)
      ->excludes(head);
  command
      .add_option("--fuse", options.fuse,
                  "combine the selected heads cell by cell: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
}

void AddAudioOptions(CLI::App& command, SpeechOptions& options) {
  command
      .add_option("--audio", options.audio,
                  "the audio the model heard: WAV, FLAC, OGG (any rate; resampled to 16 kHz)")
      ->required();
  command
      .add_option("--frame-seconds", options.frame_seconds,
                  "seconds per attention frame (default 0.02: Whisper's 1500 frames for 30 s)")
      ->check(PositiveNumber());
  command
      .add_option("--under", options.under,
                  "what is drawn under the attention: mel (Whisper's log-mel spectrogram, "
                  "default) or waveform")
      ->check(CLI::IsMember({"mel", "waveform"}));
  command.add_option("--alignment-heads", options.alignment_heads,
                     "draw the word-timing path of these layer:head pairs (Whisper's DTW) over "
                     "the attention, and token boundaries over the audio");
  command
      .add_option("--median-width", options.median_width,
                  "median filter width along time for --alignment-heads (odd; default 7)")
      ->check(WholeNumberFrom(1, 1001));
  command.add_flag("--clean-tokens", options.clean_tokens,
                   "drop subword markers: Ġthe -> the, ##ing -> ing, ▁the -> the");
  command.add_option("--title", options.title, "figure title (default: model, layer, head)");
}

// The dump options shared by every command, reworded where a speech dump differs.
void RewordDumpOptions(CLI::App& command) {
  command.get_option("--tokens")
      ->description("the text tokens (the queries): one per line, or a JSON list");
  command.get_option("--keep-padding")
      ->description(
          "show every frame of the dump, also after the audio's end (Whisper pads "
          "its input to 30 s); default: the frames that hold sound");
}

}  // namespace

void AddSpeechCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SpeechOptions>();
  CLI::App* command = app.add_subcommand(
      "speech", "Cross-attention from text tokens to audio frames, above the audio's spectrogram");
  options->dump.AddTo(*command);
  RewordDumpOptions(*command);
  options->figure.AddTo(*command);
  AddAudioOptions(*command, *options);
  AddSelectionOptions(*command, *options);
  options->color.AddTo(*command);
  command->footer(
      "Examples:\n"
      "  attnviz speech data/speech_cross.npy --audio data/speech.wav "
      "--tokens data/speech_tokens.txt \\\n"
      "      --layer 1 --head 2 -o speech.png\n"
      "  attnviz speech cross.npy --audio talk.flac --tokens tokens.txt --layer-heads 3:1,4:2 \\\n"
      "      --alignment-heads 3:1,4:2 --under waveform -o talk.pdf");
  command->callback([options, &exit_code] {
    RunSpeech(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
