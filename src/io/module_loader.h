// The program's optional modules (attnviz_NAME.so: src/ffmpeg, src/graphviz, src/audio), found,
// loaded with dlopen and checked on first use, so that the libraries behind them cost only the
// commands that need them.
#pragma once

#include <string>

#include "attnviz/error.h"

namespace attnviz {

// A module's file and its one exported function, which returns the module's table: a struct of
// function pointers whose first member is `int version`.
struct ModuleFile {
  const char* file;     // "attnviz_ffmpeg.so"
  const char* entry;    // "attnviz_ffmpeg_module"
  const char* library;  // what it wraps, for messages: "FFmpeg"
  const char* purpose;  // what fails without it, the start of its errors: "video support"
};

// `module.entry` in the first of `module.file` beside the program, one folder up (the tests'), or
// in the installed library folder (lib/attnviz) that exists, loaded with dlopen; `function` null
// with `failure` saying what was tried and why it failed (not found, its libraries missing, no
// entry).
struct ModuleEntry {
  void* function = nullptr;
  std::string path;  // of the file loaded
  std::string failure;
};
ModuleEntry FindModuleEntry(const ModuleFile& module);

// The failure of a module found at `path` that is not this build's.
std::string FromAnotherBuild(const std::string& path);

// A module's table, or why there is none.
template <typename Table>
struct LoadedModule {
  const Table* table = nullptr;
  std::string failure;
};

// Loads `module` and calls its entry; refuses a table whose version is not `version`.
template <typename Table>
LoadedModule<Table> LoadModule(const ModuleFile& module, int version) {
  const ModuleEntry entry = FindModuleEntry(module);
  if (!entry.function) return {nullptr, entry.failure};
  const Table* table = reinterpret_cast<const Table* (*)()>(entry.function)();
  if (!table || table->version != version) return {nullptr, FromAnotherBuild(entry.path)};
  return {table, ""};
}

// The module's table, loaded on the first call (one module per Table type), or Error(`kind`)
// "PURPOSE: FAILURE", e.g. "video support: the FFmpeg module attnviz_ffmpeg.so is not installed
// (looked for /opt/bin/attnviz_ffmpeg.so, ...)".
template <typename Table>
const Table& ModuleTable(const ModuleFile& module, int version, ErrorKind kind) {
  static const LoadedModule<Table> loaded = LoadModule<Table>(module, version);
  if (!loaded.table) throw Error(kind, std::string(module.purpose) + ": " + loaded.failure);
  return *loaded.table;
}

}  // namespace attnviz
