// Finding, loading and checking the FFmpeg module.
#include "io/ffmpeg_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ffmpeg/module.h"

// The install's library folder under its prefix (CMakeLists.txt passes GNUInstallDirs' choice).
#ifndef ATTNVIZ_INSTALL_LIBDIR
#define ATTNVIZ_INSTALL_LIBDIR "lib"
#endif

namespace attnviz {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModuleName = "attnviz_ffmpeg.so";

// Where the module may be, in order: the build's layout, then the install's.
std::vector<fs::path> ModuleCandidates() {
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (error) return {kModuleName};
  const fs::path folder = program.parent_path();
  return {folder / kModuleName, folder.parent_path() / kModuleName,
          folder.parent_path() / ATTNVIZ_INSTALL_LIBDIR / "attnviz" / kModuleName};
}

struct Loaded {
  const ffmpeg::Module* module = nullptr;
  std::string failure;  // why not, when module is null
};

Loaded Load() {
  std::string tried;
  for (const fs::path& path : ModuleCandidates()) {
    std::error_code error;
    if (!fs::exists(path, error)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return {nullptr, "cannot load " + path.string() + ": " + dlerror()};
    using Entry = const ffmpeg::Module* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "attnviz_ffmpeg_module"));
    const ffmpeg::Module* module = entry ? entry() : nullptr;
    if (!module || module->version != ffmpeg::kVersion) {
      return {nullptr, path.string() + " is from another build of attnviz"};
    }
    return {module, ""};
  }
  return {nullptr, "the FFmpeg module " + std::string(kModuleName) +
                       " is not installed (looked for " + tried + ")"};
}

}  // namespace

const ffmpeg::Module& FfmpegModule(ErrorKind kind) {
  static const Loaded loaded = Load();
  if (!loaded.module) throw Error(kind, "video support: " + loaded.failure);
  return *loaded.module;
}

}  // namespace attnviz
