// Frames for video figures: sampling, and reading them from a folder of images or a video file.
#include "attnviz/io/video_frames.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "attnviz/error.h"

namespace attnviz {
namespace {

namespace fs = std::filesystem;

bool IsPictureName(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

// The folder's PNG and JPEG files, sorted by name (byte order, as `ls` in the C locale).
std::vector<std::string> PictureFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file() && IsPictureName(entry.path()))
      files.push_back(entry.path().string());
  }
  if (error) ThrowInputError(folder, "cannot list the folder: " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

void CheckEnough(const std::string& path, int64_t available, int64_t wanted, const char* what) {
  if (available < wanted) {
    ThrowInputError(path, "expected at least " + std::to_string(wanted) +
                              " frames (--frames), found " + std::to_string(available) + " " +
                              what);
  }
}

void CheckSameSize(const std::string& path, const std::vector<RgbaImage>& pictures,
                   const std::vector<std::string>& names) {
  for (size_t i = 1; i < pictures.size(); ++i) {
    if (pictures[i].width != pictures[0].width || pictures[i].height != pictures[0].height) {
      std::string where = names.empty() ? "frame " + std::to_string(i) : names[i];
      ThrowInputError(path, "expected frames of one size, " + std::to_string(pictures[0].width) +
                                " x " + std::to_string(pictures[0].height) + ", found " + where +
                                " of " + std::to_string(pictures[i].width) + " x " +
                                std::to_string(pictures[i].height));
    }
  }
}

VideoFrames ReadFolder(const std::string& folder, int64_t wanted) {
  std::vector<std::string> files = PictureFiles(folder);
  CheckEnough(folder, static_cast<int64_t>(files.size()), wanted,
              "PNG or JPEG files in the folder");
  VideoFrames frames;
  frames.available = static_cast<int64_t>(files.size());
  frames.indices = SampleFrameIndices(frames.available, wanted);
  for (int64_t index : frames.indices) {
    frames.pictures.push_back(ReadImage(files[index]));
    frames.names.push_back(fs::path(files[index]).filename().string());
  }
  CheckSameSize(folder, frames.pictures, frames.names);
  return frames;
}

VideoFrames ReadVideo(const std::string& path, int64_t wanted) {
  VideoFrames frames;
  frames.available = CountVideoFrames(path);
  CheckEnough(path, frames.available, wanted, "decodable frames in the video");
  frames.indices = SampleFrameIndices(frames.available, wanted);
  int64_t count = 0;
  frames.pictures = DecodeVideo(path, frames.indices, count);
  if (static_cast<int64_t>(frames.pictures.size()) != wanted) {
    ThrowInputError(path, "expected the same frames on a second reading, found " +
                              std::to_string(count) + " instead of " +
                              std::to_string(frames.available));
  }
  CheckSameSize(path, frames.pictures, {});
  return frames;
}

}  // namespace

std::vector<int64_t> SampleFrameIndices(int64_t available, int64_t wanted) {
  if (wanted < 1 || available < wanted) {
    ThrowUsageError("cannot sample " + std::to_string(wanted) + " frames from " +
                    std::to_string(available));
  }
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < wanted; ++i) indices.push_back((2 * i + 1) * available / (2 * wanted));
  return indices;
}

VideoFrames ReadVideoFrames(const std::string& path, int64_t wanted) {
  std::error_code error;
  if (fs::is_directory(path, error)) return ReadFolder(path, wanted);
  if (!fs::exists(path, error)) ThrowInputError(path, "cannot open: No such file or directory");
  return ReadVideo(path, wanted);
}

}  // namespace attnviz
