// Finding and loading the program's modules.
#include "io/module_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <vector>

// The install's library folder under its prefix (CMakeLists.txt passes GNUInstallDirs' choice).
#ifndef ATTNVIZ_INSTALL_LIBDIR
#define ATTNVIZ_INSTALL_LIBDIR "lib"
#endif

namespace attnviz {
namespace {

namespace fs = std::filesystem;

// Where a module may be, in order: the build's layout, then the install's.
std::vector<fs::path> Candidates(const char* file) {
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (error) return {file};
  const fs::path folder = program.parent_path();
  return {folder / file, folder.parent_path() / file,
          folder.parent_path() / ATTNVIZ_INSTALL_LIBDIR / "attnviz" / file};
}

ModuleEntry Open(const ModuleFile& module, const fs::path& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return {nullptr, path, "cannot load " + path.string() + ": " + dlerror()};
  void* function = dlsym(handle, module.entry);
  if (!function) return {nullptr, path, FromAnotherBuild(path)};
  return {function, path, ""};
}

}  // namespace

std::string FromAnotherBuild(const std::string& path) {
  return path + " is from another build of attnviz";
}

ModuleEntry FindModuleEntry(const ModuleFile& module) {
  std::string tried;
  for (const fs::path& path : Candidates(module.file)) {
    std::error_code error;
    if (fs::exists(path, error)) return Open(module, path);
    tried += (tried.empty() ? "" : ", ") + path.string();
  }
  return {nullptr, "",
          "the " + std::string(module.library) + " module " + module.file +
              " is not installed (looked for " + tried + ")"};
}

}  // namespace attnviz
