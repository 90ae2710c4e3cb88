// GIF and MP4 encoded in memory with FFmpeg's libraries, in the FFmpeg module; the frames come
// checked and, for GIF, with their palette (render/animation.cc).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "attnviz/error.h"
#include "attnviz/render/animation.h"
#include "ffmpeg/module.h"

namespace attnviz::ffmpeg {
namespace {

using Color = std::array<uint8_t, 3>;

uint32_t Packed(const uint8_t* rgb) { return (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]; }

std::vector<uint8_t> PaletteIndices(const RgbFrame& frame, const std::vector<Color>& palette,
                                    std::unordered_map<uint32_t, uint8_t>& nearest) {
  std::vector<uint8_t> indices(static_cast<size_t>(frame.width) * frame.height);
  for (size_t p = 0; p < indices.size(); ++p) {
    const uint8_t* rgb = &frame.rgb[p * 3];
    auto [slot, fresh] = nearest.try_emplace(Packed(rgb), 0);
    if (fresh) {
      int best = 0, best_distance = 1 << 30;
      for (size_t i = 0; i < palette.size(); ++i) {
        int distance = 0;
        for (int c = 0; c < 3; ++c) distance += (rgb[c] - palette[i][c]) * (rgb[c] - palette[i][c]);
        if (distance < best_distance) best = static_cast<int>(i), best_distance = distance;
      }
      slot->second = static_cast<uint8_t>(best);
    }
    indices[p] = slot->second;
  }
  return indices;
}

std::string AvErrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

[[noreturn]] void EncoderFailed(const std::string& what, int code) {
  throw Error(ErrorKind::kOutput, "animation: " + what + ": " + AvErrorText(code));
}

// avio_alloc_context's write callback takes const bytes from FFmpeg 7 (libavformat 61) on.
#if LIBAVFORMAT_VERSION_MAJOR >= 61
using WriteBytes = const uint8_t*;
#else
using WriteBytes = uint8_t*;
#endif

// The muxer's output: bytes in memory, seekable (the MP4 muxer writes its index last).
struct MemoryOutput {
  std::string bytes;
  int64_t position = 0;

  static int Write(void* opaque, WriteBytes data, int size) {
    auto* out = static_cast<MemoryOutput*>(opaque);
    size_t end = static_cast<size_t>(out->position) + size;
    if (out->bytes.size() < end) out->bytes.resize(end);
    std::memcpy(out->bytes.data() + out->position, data, size);
    out->position = static_cast<int64_t>(end);
    return size;
  }
  static int64_t Seek(void* opaque, int64_t offset, int whence) {
    auto* out = static_cast<MemoryOutput*>(opaque);
    if (whence & AVSEEK_SIZE) return static_cast<int64_t>(out->bytes.size());
    whence &= ~AVSEEK_FORCE;
    int64_t base = whence == SEEK_CUR   ? out->position
                   : whence == SEEK_END ? static_cast<int64_t>(out->bytes.size())
                                        : 0;
    out->position = base + offset;
    return out->position;
  }
};

// FFmpeg objects of one encoding, freed in the right order.
struct Encoding {
  MemoryOutput output;
  AVFormatContext* format = nullptr;
  AVIOContext* io = nullptr;
  AVCodecContext* codec = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;

  ~Encoding() {
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (io) av_freep(&io->buffer);
    avio_context_free(&io);
    avformat_free_context(format);
  }
};

void OpenCodec(Encoding& encoding, AnimationFormat format, int width, int height, int fps) {
  const char* name = format == AnimationFormat::kGif ? "gif" : "libx264";
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (!codec) EncoderFailed(std::string("this FFmpeg build has no ") + name + " encoder", 0);
  encoding.codec = avcodec_alloc_context3(codec);
  AVCodecContext* context = encoding.codec;
  context->width = width;
  context->height = height;
  context->time_base = format == AnimationFormat::kGif ? AVRational{1, 100} : AVRational{1, fps};
  context->framerate = {fps, 1};
  context->pix_fmt = format == AnimationFormat::kGif ? AV_PIX_FMT_PAL8 : AV_PIX_FMT_YUV420P;
  context->thread_count = 1;
  context->flags |= AV_CODEC_FLAG_BITEXACT;
  if (encoding.format->oformat->flags & AVFMT_GLOBALHEADER) {
    context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  }
  if (format == AnimationFormat::kMp4) {
    av_opt_set(context->priv_data, "preset", "medium", 0);
    av_opt_set(context->priv_data, "crf", "18", 0);
    // No B-frames: no reordering delay, so no edit list that makes MP4 readers skip a frame.
    context->max_b_frames = 0;
  }
  int code = avcodec_open2(context, codec, nullptr);
  if (code < 0) EncoderFailed(std::string("cannot open the ") + name + " encoder", code);
}

void OpenMuxer(Encoding& encoding, AnimationFormat format) {
  const char* name = format == AnimationFormat::kGif ? "gif" : "mp4";
  int code = avformat_alloc_output_context2(&encoding.format, nullptr, name, nullptr);
  if (code < 0 || !encoding.format) EncoderFailed(std::string("no ") + name + " muxer", code);
  encoding.format->flags |= AVFMT_FLAG_BITEXACT;
  constexpr int kBufferSize = 1 << 16;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
  encoding.io = avio_alloc_context(buffer, kBufferSize, 1, &encoding.output, nullptr,
                                   &MemoryOutput::Write, &MemoryOutput::Seek);
  encoding.format->pb = encoding.io;
}

void AddStream(Encoding& encoding) {
  encoding.stream = avformat_new_stream(encoding.format, nullptr);
  avcodec_parameters_from_context(encoding.stream->codecpar, encoding.codec);
  encoding.stream->time_base = encoding.codec->time_base;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "loop", "0", 0);  // GIF: forever (the MP4 muxer ignores it)
  int code = avformat_write_header(encoding.format, &options);
  av_dict_free(&options);
  if (code < 0) EncoderFailed("cannot write the header", code);
}

// Sends `frame` (null: flush) and writes every packet the encoder has ready, each lasting
// `duration` (codec time base): without it the MP4 muxer's edit list ends before the last frame,
// which readers then discard, and a GIF's last frame gets no delay.
void Encode(Encoding& encoding, const AVFrame* frame, int64_t duration) {
  int code = avcodec_send_frame(encoding.codec, frame);
  if (code < 0) EncoderFailed("encoding failed", code);
  while ((code = avcodec_receive_packet(encoding.codec, encoding.packet)) == 0) {
    encoding.packet->duration = duration;
    av_packet_rescale_ts(encoding.packet, encoding.codec->time_base, encoding.stream->time_base);
    encoding.packet->stream_index = encoding.stream->index;
    if ((code = av_interleaved_write_frame(encoding.format, encoding.packet)) < 0) {
      EncoderFailed("cannot write a frame", code);
    }
  }
  if (code != AVERROR(EAGAIN) && code != AVERROR_EOF) EncoderFailed("encoding failed", code);
}

void FillPalettedFrame(AVFrame& frame, const RgbFrame& rgb, const std::vector<Color>& palette,
                       std::unordered_map<uint32_t, uint8_t>& nearest) {
  std::vector<uint8_t> indices = PaletteIndices(rgb, palette, nearest);
  for (int y = 0; y < rgb.height; ++y) {
    std::memcpy(frame.data[0] + y * frame.linesize[0], &indices[static_cast<size_t>(y) * rgb.width],
                rgb.width);
  }
  auto* entries = reinterpret_cast<uint32_t*>(frame.data[1]);
  for (int i = 0; i < 256; ++i) {
    Color c = i < static_cast<int>(palette.size()) ? palette[i] : Color{0, 0, 0};
    entries[i] = 0xff000000u | (c[0] << 16) | (c[1] << 8) | c[2];
  }
}

void FillYuvFrame(AVFrame& frame, const RgbFrame& rgb, SwsContext* scale) {
  const uint8_t* planes[1] = {rgb.rgb.data()};
  int strides[1] = {rgb.width * 3};
  sws_scale(scale, planes, strides, 0, rgb.height, frame.data, frame.linesize);
}

// `frame` grown to even sides by repeating its last column and row (yuv420p needs even sides).
RgbFrame EvenSized(const RgbFrame& frame) {
  RgbFrame even{frame.width + frame.width % 2, frame.height + frame.height % 2, {}};
  even.rgb.resize(static_cast<size_t>(even.width) * even.height * 3);
  for (int y = 0; y < even.height; ++y) {
    for (int x = 0; x < even.width; ++x) {
      int sx = std::min(x, frame.width - 1), sy = std::min(y, frame.height - 1);
      std::memcpy(&even.rgb[(static_cast<size_t>(y) * even.width + x) * 3],
                  &frame.rgb[(static_cast<size_t>(sy) * frame.width + sx) * 3], 3);
    }
  }
  return even;
}

void EncodeFrames(Encoding& encoding, const std::vector<RgbFrame>& frames, AnimationFormat format,
                  int fps, const Palette& palette) {
  const int width = encoding.codec->width, height = encoding.codec->height;
  encoding.frame = av_frame_alloc();
  encoding.packet = av_packet_alloc();
  encoding.frame->format = encoding.codec->pix_fmt;
  encoding.frame->width = width;
  encoding.frame->height = height;
  if (av_frame_get_buffer(encoding.frame, 0) < 0) EncoderFailed("out of memory", AVERROR(ENOMEM));
  std::unordered_map<uint32_t, uint8_t> nearest;
  SwsContext* scale = nullptr;
  if (format == AnimationFormat::kMp4) {
    scale =
        sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                       SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT, nullptr, nullptr, nullptr);
  }
  const int64_t step = format == AnimationFormat::kGif ? 100 / fps : 1;  // one frame's time
  for (size_t i = 0; i < frames.size(); ++i) {
    av_frame_make_writable(encoding.frame);
    if (format == AnimationFormat::kGif) {
      FillPalettedFrame(*encoding.frame, frames[i], palette, nearest);
    } else {
      FillYuvFrame(*encoding.frame, EvenSized(frames[i]), scale);
    }
    encoding.frame->pts = static_cast<int64_t>(i) * step;
    Encode(encoding, encoding.frame, step);
  }
  sws_freeContext(scale);
  Encode(encoding, nullptr, step);
}

}  // namespace

std::string EncodeAnimation(const std::vector<RgbFrame>& frames, AnimationFormat format, int fps,
                            const Palette& palette) {
  av_log_set_level(AV_LOG_QUIET);
  Encoding encoding;
  OpenMuxer(encoding, format);
  int width = frames[0].width, height = frames[0].height;
  if (format == AnimationFormat::kMp4) width += width % 2, height += height % 2;
  OpenCodec(encoding, format, width, height, fps);
  AddStream(encoding);
  EncodeFrames(encoding, frames, format, fps, palette);
  int code = av_write_trailer(encoding.format);
  if (code < 0) EncoderFailed("cannot finish the file", code);
  avio_flush(encoding.io);
  return std::move(encoding.output.bytes);
}

}  // namespace attnviz::ffmpeg
