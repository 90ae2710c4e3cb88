// Command-line parse failures in attnviz's words, each one line (main maps them to exit 2).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace attnviz::cli {

// CLI11 messages can span lines; a user sees one.
std::string OneLine(std::string text);

// The arguments with `attnviz help` as `attnviz --help` and `attnviz help COMMAND` as
// `attnviz COMMAND --help`; the pointers are argv's (and one static string).
std::vector<char*> WithHelpCommand(int argc, char** argv);

// Throws a usage Error when the command named first is none of `app`'s: "unknown command
// 'heatmp'; did you mean heatmap?".
void RequireKnownCommand(const CLI::App& app, const std::vector<char*>& args);

// After CLI11's ExtrasError from app.parse: "heatmap: unknown option '--layr'; did you mean
// --layer?", or CLI11's own words when no option was unknown.
std::string UnknownOptionMessage(const CLI::App& app, const CLI::ParseError& error);

// CLI11's "Could not convert: --top-k = 1e3" as "--top-k: expected a whole number, found '1e3'".
std::string ConversionMessage(const CLI::App& app, const CLI::ConversionError& error);

}  // namespace attnviz::cli
