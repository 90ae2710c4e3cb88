// The limits of this machine that attnviz's workloads are measured against: memory read
// bandwidth of a tight vectorised loop on every core, OpenBLAS SGEMM and DGEMM on every core,
// and libpng encoding speed at attnviz's settings. Built and run by scripts/bench/run.sh;
// prints one JSON object.
#include <cblas.h>
#include <png.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace {

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

typedef float Lanes __attribute__((vector_size(32)));

// Sums `count` floats (a multiple of 32) with four independent accumulators.
__attribute__((target("avx2"))) float SumFloats(const float* data, size_t count) {
  Lanes a{}, b{}, c{}, d{};
  for (size_t i = 0; i < count; i += 32) {
    Lanes x, y, z, w;
    std::memcpy(&x, data + i, 32);
    std::memcpy(&y, data + i + 8, 32);
    std::memcpy(&z, data + i + 16, 32);
    std::memcpy(&w, data + i + 24, 32);
    a += x;
    b += y;
    c += z;
    d += w;
  }
  Lanes s = (a + b) + (c + d);
  return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

// GB/s of every core summing its own part of a buffer far larger than the caches; best of 5.
double ReadBandwidth(size_t bytes, int threads) {
  std::vector<float> buffer(bytes / sizeof(float), 1.0f);
  const size_t part = buffer.size() / static_cast<size_t>(threads) / 32 * 32;
  double best = 0;
  std::vector<float> sums(static_cast<size_t>(threads));
  for (int round = 0; round < 5; ++round) {
    const double start = Seconds();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] { sums[t] = SumFloats(buffer.data() + t * part, part); });
    }
    for (std::thread& thread : pool) thread.join();
    best = std::max(best, double(part * threads * sizeof(float)) / (Seconds() - start) / 1e9);
  }
  if (sums[0] != static_cast<float>(part) && part < (1u << 24)) std::fprintf(stderr, "sum?\n");
  return best;
}

// GFLOP/s of an n x n x n GEMM with OpenBLAS's own threads; best of 3.
template <typename T>
double Gemm(int n) {
  std::vector<T> a(size_t(n) * n, T(0.5)), b(size_t(n) * n, T(0.25)), c(size_t(n) * n);
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    const double start = Seconds();
    if constexpr (sizeof(T) == 4) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                  n, 0.0f, c.data(), n);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, b.data(), n,
                  0.0, c.data(), n);
    }
    best = std::max(best, 2.0 * n * n * n / (Seconds() - start) / 1e9);
  }
  return best;
}

void Append(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<unsigned char>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void Flush(png_structp) {}

// MB/s of raw RGBA pixels encoded by libpng at `level`, no row filter (attnviz's settings), for a
// smooth heatmap-like 2048 x 2048 image.
double PngEncoding(int level) {
  const int size = 2048;
  std::vector<unsigned char> pixels(size_t(size) * size * 4);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      unsigned char* p = &pixels[(size_t(y) * size + x) * 4];
      const int v = ((x / 8) * 7 + (y / 8) * 3) % 256;  // 8 x 8 cells, 256 colours
      p[0] = static_cast<unsigned char>(v);
      p[1] = static_cast<unsigned char>(255 - v);
      p[2] = static_cast<unsigned char>(v / 2);
      p[3] = 255;
    }
  }
  std::vector<png_bytep> rows(size);
  for (int y = 0; y < size; ++y) rows[y] = &pixels[size_t(y) * size * 4];
  std::vector<unsigned char> out;
  const double start = Seconds();
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, Append, Flush);
  png_set_IHDR(png, info, size, size, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_set_compression_level(png, level);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return double(pixels.size()) / (Seconds() - start) / 1e6;
}

}  // namespace

int main() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const double one = ReadBandwidth(size_t(1) << 30, 1);
  const double all = ReadBandwidth(size_t(1) << 30, cores);
  const double sgemm = Gemm<float>(2048), dgemm = Gemm<double>(2048);
  std::printf(
      "{\"cores\": %d, \"read_gbs_1\": %.2f, \"read_gbs_all\": %.2f, \"sgemm_gflops\": %.1f, "
      "\"dgemm_gflops\": %.1f, \"png_mbs_level2\": %.1f, \"png_mbs_level6\": %.1f}\n",
      cores, one, all, sgemm, dgemm, PngEncoding(2), PngEncoding(6));
}
