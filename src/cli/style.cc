// Style files: JSON keys checked against the figure options they stand for, then given to CLI11
// as option defaults.
#include "cli/style.h"

#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "attnviz/error.h"

namespace attnviz::cli {
namespace {

enum class StyleType { kString, kNumber, kInteger, kBool };

struct StyleKey {
  std::string_view key;
  std::string_view option;
  StyleType type;
};

constexpr std::array<StyleKey, 10> kStyleKeys{{
    {"font", "--font", StyleType::kString},
    {"font_size", "--font-size", StyleType::kNumber},
    {"cmap", "--cmap", StyleType::kString},
    {"norm", "--norm", StyleType::kString},
    {"size", "--size", StyleType::kString},
    {"dpi", "--dpi", StyleType::kNumber},
    {"theme", "--theme", StyleType::kString},
    {"transparent", "--transparent", StyleType::kBool},
    {"png_level", "--png-level", StyleType::kInteger},
    {"page", "--page", StyleType::kString},
}};

[[noreturn]] void ThrowBadStyle(const std::string& path, const std::string& what) {
  ThrowUsageError("--style " + path + ": " + what);
}

const char* TypeName(StyleType type) {
  switch (type) {
    case StyleType::kString:
      return "a string";
    case StyleType::kNumber:
      return "a number";
    case StyleType::kInteger:
      return "an integer";
    case StyleType::kBool:
      return "true or false";
  }
  return "a value";
}

bool HasType(const nlohmann::json& value, StyleType type) {
  switch (type) {
    case StyleType::kString:
      return value.is_string();
    case StyleType::kNumber:
      return value.is_number();
    case StyleType::kInteger:
      return value.is_number_integer();
    case StyleType::kBool:
      return value.is_boolean();
  }
  return false;
}

std::string KeyNames() {
  std::string names;
  for (const StyleKey& key : kStyleKeys)
    names += std::string(names.empty() ? "" : ", ") + key.key.data();
  return names + ", comment";
}

nlohmann::json ReadJsonObject(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowBadStyle(path, "cannot open the style file");
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) ThrowBadStyle(path, "expected a JSON object, found invalid JSON");
  if (!json.is_object())
    ThrowBadStyle(path, "expected a JSON object, found " + std::string(json.type_name()));
  return json;
}

StyleSetting SettingFor(const std::string& path, const std::string& key,
                        const nlohmann::json& value) {
  for (const StyleKey& known : kStyleKeys) {
    if (known.key != key) continue;
    if (!HasType(value, known.type)) {
      ThrowBadStyle(path, "key \"" + key + "\": expected " + TypeName(known.type) + ", found " +
                              value.dump());
    }
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    return {key, std::string(known.option), text};
  }
  ThrowBadStyle(path, "unknown key \"" + key + "\", expected one of " + KeyNames());
}

}  // namespace

std::vector<StyleSetting> ReadStyle(const std::string& path) {
  const nlohmann::json style = ReadJsonObject(path);
  std::vector<StyleSetting> settings;
  for (const auto& [key, value] : style.items()) {
    if (key == "comment") continue;
    settings.push_back(SettingFor(path, key, value));
  }
  return settings;
}

void ApplyStyle(CLI::App& command, const std::string& path,
                const std::vector<StyleSetting>& settings) {
  for (const StyleSetting& setting : settings) {
    CLI::Option* option = command.get_option_no_throw(setting.option);
    if (!option) continue;
    try {
      option->run_callback_for_default()->default_val(setting.value);
    } catch (const CLI::Error& error) {
      ThrowBadStyle(path, "key \"" + setting.key + "\": " + error.what());
    }
  }
}

void AddStyleOption(CLI::App& command) {
  command
      .add_option_function<std::string>(
          "--style",
          [&command](const std::string& path) { ApplyStyle(command, path, ReadStyle(path)); },
          "figure style of a paper from a JSON file: font, font_size, cmap, size, dpi, theme... "
          "(docs/style.md); options given here override it")
      ->trigger_on_parse();
}

}  // namespace attnviz::cli
