// Grouped-query attention from --kv-heads or config.json.
#include "cli/kv_groups.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "attnviz/error.h"
#include "cli/dump_names.h"

namespace attnviz::cli {

namespace {

std::string ConfigPath(const Dump& dump) {
  if (dump.metadata.path == "-") return "";
  const std::filesystem::path config =
      std::filesystem::path(dump.metadata.path).parent_path() / "config.json";
  return std::filesystem::exists(config) ? config.string() : "";
}

int64_t PositiveCount(const nlohmann::json& config, const char* key, const std::string& path) {
  const nlohmann::json value = config.value(key, nlohmann::json());
  if (!value.is_number_integer() || value.get<int64_t>() < 1) {
    ThrowInputError(
        path, std::string("expected ") + key + " to be a positive integer, found " + value.dump());
  }
  return value.get<int64_t>();
}

std::optional<KvGrouping> ConfigGrouping(const Dump& dump, const std::string& path) {
  std::ifstream in(path);
  const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (!config.is_object()) ThrowInputError(path, "expected a JSON object (a model config)");
  if (!config.contains("num_key_value_heads")) return std::nullopt;
  const KvGrouping grouping{PositiveCount(config, "num_attention_heads", path),
                            PositiveCount(config, "num_key_value_heads", path)};
  if (grouping.query_heads % grouping.kv_heads != 0) {
    ThrowInputError(path, "expected num_key_value_heads to divide num_attention_heads, found " +
                              std::to_string(grouping.kv_heads) + " and " +
                              std::to_string(grouping.query_heads));
  }
  const int64_t last = ModelHead(dump, dump.attention.heads() - 1);
  if (last >= grouping.query_heads) {
    ThrowInputError(path, "num_attention_heads is " + std::to_string(grouping.query_heads) +
                              " but " + dump.metadata.path + " holds head " + std::to_string(last));
  }
  return grouping;
}

KvGrouping OptionGrouping(const Dump& dump, int64_t kv_heads) {
  const int64_t heads = dump.attention.heads();
  if (HeadOffset(dump) != 0) {
    ThrowUsageError("--kv-heads: " + dump.metadata.path +
                    " holds some of the model's heads; put the model's config.json beside it");
  }
  if (kv_heads < 1 || heads % kv_heads != 0) {
    ThrowUsageError("--kv-heads " + std::to_string(kv_heads) + ": expected a divisor of the " +
                    std::to_string(heads) + " heads of " + dump.metadata.path);
  }
  return {heads, kv_heads};
}

}  // namespace

void AddKvHeadsOption(CLI::App& command, std::optional<int64_t>& kv_heads) {
  command.add_option("--kv-heads", kv_heads,
                     "key/value heads shared by groups of consecutive query heads (grouped-query "
                     "attention; default: num_key_value_heads of a config.json beside the dump)");
}

std::optional<KvGrouping> ResolveKvGrouping(const Dump& dump,
                                            const std::optional<int64_t>& kv_heads) {
  if (kv_heads) return OptionGrouping(dump, *kv_heads);
  const std::string config = ConfigPath(dump);
  if (config.empty()) return std::nullopt;
  return ConfigGrouping(dump, config);
}

int64_t KvGroupOf(const Dump& dump, const KvGrouping& grouping, int64_t head) {
  return grouping.GroupOf(ModelHead(dump, head));
}

std::string KvGroupName(int64_t group) { return "KV " + std::to_string(group); }

std::string KvGroupingSource(const Dump& dump, const std::optional<int64_t>& kv_heads) {
  return kv_heads ? "--kv-heads" : ConfigPath(dump);
}

}  // namespace attnviz::cli
