// Video files decoded with FFmpeg's libraries (libavformat, libavcodec, libswscale) into RGBA, in
// the FFmpeg module.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <functional>
#include <memory>

#include "attnviz/error.h"
#include "ffmpeg/module.h"

namespace attnviz::ffmpeg {
namespace {

std::string AvErrorText(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

struct FormatDeleter {
  void operator()(AVFormatContext* format) const { avformat_close_input(&format); }
};
struct CodecDeleter {
  void operator()(AVCodecContext* codec) const { avcodec_free_context(&codec); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
// The converter sws_getCachedContext keeps replacing; freed once, at the end.
struct Scaler {
  SwsContext* context = nullptr;
  ~Scaler() { sws_freeContext(context); }
};

// An opened video stream and its decoder.
struct Decoder {
  std::unique_ptr<AVFormatContext, FormatDeleter> format;
  std::unique_ptr<AVCodecContext, CodecDeleter> codec;
  int stream = -1;
};

Decoder OpenDecoder(const std::string& path) {
  av_log_set_level(AV_LOG_QUIET);  // errors reach the user as one line, from here
  Decoder decoder;
  AVFormatContext* format = nullptr;
  int code = avformat_open_input(&format, path.c_str(), nullptr, nullptr);
  if (code < 0) ThrowInputError(path, "expected a video file FFmpeg reads: " + AvErrorText(code));
  decoder.format.reset(format);
  if ((code = avformat_find_stream_info(format, nullptr)) < 0) {
    ThrowInputError(path, "unreadable video: " + AvErrorText(code));
  }
  const AVCodec* codec = nullptr;
  decoder.stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (decoder.stream < 0 || !codec) ThrowInputError(path, "expected a video stream, found none");
  decoder.codec.reset(avcodec_alloc_context3(codec));
  AVCodecContext* context = decoder.codec.get();
  avcodec_parameters_to_context(context, format->streams[decoder.stream]->codecpar);
  context->thread_count = 1;  // the same frames whatever the machine
  if ((code = avcodec_open2(context, codec, nullptr)) < 0) {
    ThrowInputError(
        path, "cannot decode its " + std::string(codec->name) + " video: " + AvErrorText(code));
  }
  return decoder;
}

RgbaImage ToRgba(const std::string& path, const AVFrame& frame, SwsContext*& scale,
                 const CheckSides& check_sides) {
  check_sides(frame.width, frame.height);
  if (frame.format < 0) ThrowInputError(path, "damaged video: a frame without a pixel format");
  scale = sws_getCachedContext(scale, frame.width, frame.height,
                               static_cast<AVPixelFormat>(frame.format), frame.width, frame.height,
                               AV_PIX_FMT_RGBA, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT,
                               nullptr, nullptr, nullptr);
  if (!scale) ThrowInputError(path, "cannot convert its frames to RGB");
  RgbaImage image{frame.width, frame.height,
                  std::vector<uint8_t>(static_cast<size_t>(frame.width) * frame.height * 4)};
  uint8_t* planes[4] = {image.rgba.data(), nullptr, nullptr, nullptr};
  int strides[4] = {frame.width * 4, 0, 0, 0};
  sws_scale(scale, frame.data, frame.linesize, 0, frame.height, planes, strides);
  return image;
}

// Calls `take` for every decoded frame in order; throws an input Error for a damaged stream.
void ForEachFrame(const std::string& path, const std::function<void(const AVFrame&)>& take) {
  Decoder decoder = OpenDecoder(path);
  std::unique_ptr<AVPacket, PacketDeleter> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameDeleter> frame(av_frame_alloc());
  AVCodecContext* codec = decoder.codec.get();
  auto drain = [&] {
    int code;
    while ((code = avcodec_receive_frame(codec, frame.get())) == 0) {
      take(*frame);
      av_frame_unref(frame.get());
    }
    if (code != AVERROR(EAGAIN) && code != AVERROR_EOF) {
      ThrowInputError(path, "damaged video: " + AvErrorText(code));
    }
  };
  int code;
  while ((code = av_read_frame(decoder.format.get(), packet.get())) >= 0) {
    if (packet->stream_index == decoder.stream) {
      int sent = avcodec_send_packet(codec, packet.get());
      av_packet_unref(packet.get());
      if (sent < 0 && sent != AVERROR(EAGAIN))
        ThrowInputError(path, "damaged video: " + AvErrorText(sent));
      drain();
    } else {
      av_packet_unref(packet.get());
    }
  }
  if (code != AVERROR_EOF) ThrowInputError(path, "damaged video: " + AvErrorText(code));
  avcodec_send_packet(codec, nullptr);
  drain();
}

}  // namespace

int64_t CountVideoFrames(const std::string& path) {
  int64_t count = 0;
  ForEachFrame(path, [&](const AVFrame&) { ++count; });
  return count;
}

std::vector<RgbaImage> DecodeVideo(const std::string& path, const std::vector<int64_t>& keep,
                                   int64_t& count, const CheckSides& check_sides) {
  std::vector<RgbaImage> pictures;
  Scaler scale;
  count = 0;
  ForEachFrame(path, [&](const AVFrame& frame) {
    if (std::binary_search(keep.begin(), keep.end(), count)) {
      pictures.push_back(ToRgba(path, frame, scale.context, check_sides));
    }
    ++count;
  });
  return pictures;
}

}  // namespace attnviz::ffmpeg
