// A paper's figure style from a JSON file (--style): defaults for the figure options of every
// command, which options given on the command line override.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace attnviz::cli {

// One key of a style file as the option it sets: "font_size": 9 is --font-size 9.
struct StyleSetting {
  std::string key;     // "font_size"
  std::string option;  // "--font-size"
  std::string value;   // "9", as it would be written after the option
};

// Reads a style file: one JSON object whose keys are among font, font_size, cmap, norm, size,
// dpi, theme, transparent, png_level, page and comment (ignored), each of its documented type
// (docs/style.md). Throws a usage Error naming `path` and the key for anything else.
std::vector<StyleSetting> ReadStyle(const std::string& path);

// Makes each setting the default of the matching option of `command`, setting its variable now;
// an option given on the command line, before or after --style, still wins. Keys for options
// `command` does not have are ignored: one style serves every command. Throws a usage Error
// naming `path` and the key when a value fails the option's check.
void ApplyStyle(CLI::App& command, const std::string& path,
                const std::vector<StyleSetting>& settings);

// Adds --style FILE to `command`, applied as it is parsed.
void AddStyleOption(CLI::App& command);

}  // namespace attnviz::cli
