// FindModuleEntry, LoadModule and ModuleTable on a module that is not there and on the audio module
// the build puts one folder above this test program.
#include "io/module_loader.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "attnviz/error.h"
#include "audio/module.h"

namespace attnviz {
namespace {

namespace fs = std::filesystem;

constexpr ModuleFile kMissing{"attnviz_no_such_module.so", "attnviz_no_such_module", "Missing",
                              "missing support"};
constexpr ModuleFile kAudio{"attnviz_audio.so", "attnviz_audio_module", "audio", "audio support"};

struct MissingTable {
  int version;
};

fs::path ProgramFolder() { return fs::read_symlink("/proc/self/exe").parent_path(); }

TEST_CASE("a module that is not there is reported with the three places looked for, in order") {
  const fs::path here = ProgramFolder(), up = here.parent_path();
  const ModuleEntry entry = FindModuleEntry(kMissing);
  CHECK(entry.function == nullptr);
  CHECK(entry.failure ==
        "the Missing module attnviz_no_such_module.so is not installed (looked for " +
            (here / "attnviz_no_such_module.so").string() + ", " +
            (up / "attnviz_no_such_module.so").string() + ", " +
            (up / "lib/attnviz/attnviz_no_such_module.so").string() + ")");
}

TEST_CASE("ModuleTable of a missing module throws an error of the kind asked, led by its purpose") {
  for (ErrorKind kind : {ErrorKind::kInput, ErrorKind::kOutput}) {
    try {
      ModuleTable<MissingTable>(kMissing, 1, kind);
      FAIL("expected an Error");
    } catch (const Error& error) {
      CHECK(error.kind() == kind);
      CHECK(std::string(error.what())
                .starts_with("missing support: the Missing module attnviz_no_such_module.so is "
                             "not installed (looked for "));
    }
  }
}

TEST_CASE("the audio module beside the build loads, and its table has this build's version") {
  const LoadedModule<audio::Module> loaded = LoadModule<audio::Module>(kAudio, audio::kVersion);
  REQUIRE(loaded.table != nullptr);
  CHECK(loaded.failure.empty());
  CHECK(loaded.table->version == audio::kVersion);
  CHECK(static_cast<bool>(loaded.table->read_audio));
}

TEST_CASE("a module whose version is another's, or without the entry asked, is another build's") {
  const std::string path = (ProgramFolder().parent_path() / "attnviz_audio.so").string();
  const std::string expected = path + " is from another build of attnviz";
  CHECK(LoadModule<audio::Module>(kAudio, audio::kVersion + 1).failure == expected);
  const ModuleFile no_entry{"attnviz_audio.so", "attnviz_graphviz_module", "audio",
                            "audio support"};
  const LoadedModule<audio::Module> loaded = LoadModule<audio::Module>(no_entry, audio::kVersion);
  CHECK(loaded.table == nullptr);
  CHECK(loaded.failure == expected);
}

}  // namespace
}  // namespace attnviz
