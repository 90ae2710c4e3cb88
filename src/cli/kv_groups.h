// --kv-heads, or a Hugging Face config.json beside the dump: which query heads share a
// key/value head (grouped-query attention), for the figures and statistics that group them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/analysis/head_groups.h"
#include "attnviz/io/dump.h"

namespace attnviz::cli {

// Adds --kv-heads N to `command`, stored in `kv_heads`.
void AddKvHeadsOption(CLI::App& command, std::optional<int64_t>& kv_heads);

// The grouping of `dump`'s heads: --kv-heads N when given, else num_key_value_heads and
// num_attention_heads of a config.json in the dump's folder, else none (also for a config
// without num_key_value_heads). A usage Error when N does not divide the query heads; an input
// Error naming config.json when it is unreadable or its numbers do not fit the dump.
std::optional<KvGrouping> ResolveKvGrouping(const Dump& dump,
                                            const std::optional<int64_t>& kv_heads);

// The key/value head of the dump's head `head` (an index in the dump, numbered as the model
// numbers it).
int64_t KvGroupOf(const Dump& dump, const KvGrouping& grouping, int64_t head);

// "KV 3": a group in legends and figure labels.
std::string KvGroupName(int64_t group);

// Where the grouping came from, for the text output: "--kv-heads" or the config's path.
std::string KvGroupingSource(const Dump& dump, const std::optional<int64_t>& kv_heads);

}  // namespace attnviz::cli
