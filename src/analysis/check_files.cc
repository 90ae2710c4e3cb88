// The files `check` reads besides the dump: a rules file and a `stats --json` baseline.
#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/check.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

using Json = nlohmann::json;

// The rules a rules file may name, with where each lives in CheckRules.
struct NamedRule {
  std::string_view name;
  CheckRule CheckRules::*rule;
};

constexpr NamedRule kNamedRules[] = {
    {kCheckFinite, &CheckRules::finite},      {kCheckRowSum, &CheckRules::row_sum},
    {kCheckCollapse, &CheckRules::collapse},  {kCheckUniform, &CheckRules::uniform},
    {kCheckPadding, &CheckRules::padding},    {kCheckSink, &CheckRules::sink},
    {kCheckRedundant, &CheckRules::redundant}};

Json ParseJsonObject(std::string_view text, const std::string& path, const char* expected) {
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::parse_error& e) {
    ThrowInputError(path,
                    "invalid JSON at byte " + std::to_string(e.byte) + ": expected " + expected);
  }
  if (!json.is_object()) {
    ThrowInputError(path,
                    std::string("expected ") + expected + ", found a JSON " + json.type_name());
  }
  return json;
}

double Threshold(const Json& value, const std::string& where, const std::string& path) {
  if (!value.is_number() || !(value.get<double>() >= 0)) {
    ThrowInputError(path, "expected a number >= 0 for " + where + ", found " + value.dump());
  }
  return value.get<double>();
}

bool Flag(const Json& value, const std::string& where, const std::string& path) {
  if (!value.is_boolean()) {
    ThrowInputError(path, "expected true or false for " + where + ", found " + value.dump());
  }
  return value.get<bool>();
}

// A rule's value: false / true, a threshold, or {"enabled": ..., "threshold": ...}.
void ApplyRule(CheckRule& rule, const Json& value, const std::string& name,
               const std::string& path) {
  if (value.is_boolean()) {
    rule.enabled = value.get<bool>();
  } else if (value.is_number()) {
    rule.enabled = true;
    rule.threshold = Threshold(value, "'" + name + "'", path);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (key == "enabled") {
        rule.enabled = Flag(item, "'" + name + ".enabled'", path);
      } else if (key == "threshold") {
        rule.threshold = Threshold(item, "'" + name + ".threshold'", path);
      } else {
        ThrowInputError(path,
                        "expected 'enabled' or 'threshold' in '" + name + "', found '" + key + "'");
      }
    }
  } else {
    ThrowInputError(
        path, "expected false, true, a threshold or {\"enabled\", \"threshold\"} for '" + name +
                  "', found " + value.dump());
  }
}

void ApplyDrift(CheckRules& rules, const Json& value, const std::string& path) {
  if (!value.is_object()) {
    ThrowInputError(
        path, "expected {\"absolute\": A, \"relative\": R} for 'drift', found " + value.dump());
  }
  for (const auto& [key, item] : value.items()) {
    if (key == "absolute") {
      rules.drift_absolute = Threshold(item, "'drift.absolute'", path);
    } else if (key == "relative") {
      rules.drift_relative = Threshold(item, "'drift.relative'", path);
    } else {
      ThrowInputError(path, "expected 'absolute' or 'relative' in 'drift', found '" + key + "'");
    }
  }
}

JsReduce ParseJsReduce(const Json& value, const std::string& path) {
  if (value == "mean") return JsReduce::kMean;
  if (value == "sum") return JsReduce::kSum;
  ThrowInputError(path, "expected \"mean\" or \"sum\" for 'js_reduce', found " + value.dump());
}

std::string RuleFileKeys() {
  std::string keys;
  for (const NamedRule& named : kNamedRules) keys += std::string(named.name) + ", ";
  return keys + "crop, drift, js_reduce";
}

// A statistic of a baseline head: a number, null, or in an aggregate baseline an object whose
// "mean" is the number.
double StatValue(const Json& head, const char* name, size_t index, const std::string& path) {
  const Json missing;
  const auto found = head.find(name);
  const Json& stat = found == head.end() ? missing : *found;
  const Json& value = stat.is_object() ? stat.value("mean", Json()) : stat;
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!value.is_number()) {
    ThrowInputError(path, "expected a number or null at heads[" + std::to_string(index) + "]." +
                              name + (stat.is_object() ? ".mean" : "") + ", found " + value.dump());
  }
  return value.get<double>();
}

int64_t Index(const Json& head, const char* name, size_t index, const std::string& path) {
  const auto item = head.find(name);
  if (item == head.end() || !item->is_number_integer() || item->get<int64_t>() < 0) {
    ThrowInputError(path, "expected an index >= 0 at heads[" + std::to_string(index) + "]." + name +
                              ", found " + (item == head.end() ? "none" : item->dump()));
  }
  return item->get<int64_t>();
}

HeadStats BaselineHead(const Json& head, size_t index, const std::string& path) {
  if (!head.is_object()) {
    ThrowInputError(
        path, "expected an object at heads[" + std::to_string(index) + "], found " + head.dump());
  }
  HeadStats stats;
  stats.layer = Index(head, "layer", index, path);
  stats.head = Index(head, "head", index, path);
  for (const StatField& field : StatFields()) {
    stats.*field.member = StatValue(head, field.name, index, path);
  }
  return stats;
}

}  // namespace

CheckRules ParseCheckRules(std::string_view text, const std::string& path, CheckRules rules) {
  const Json json = ParseJsonObject(text, path, "a JSON object of rules such as {\"sink\": 0.9}");
  for (const auto& item : json.items()) {
    const std::string& key = item.key();
    const Json& value = item.value();
    const auto named = std::find_if(std::begin(kNamedRules), std::end(kNamedRules),
                                    [&](const NamedRule& n) { return n.name == key; });
    if (named != std::end(kNamedRules)) {
      ApplyRule(rules.*named->rule, value, key, path);
    } else if (key == "crop") {
      rules.crop = Flag(value, "'crop'", path);
    } else if (key == "drift") {
      ApplyDrift(rules, value, path);
    } else if (key == "js_reduce") {
      rules.js_reduce = ParseJsReduce(value, path);
    } else {
      ThrowInputError(path, "expected rule names (" + RuleFileKeys() + "), found '" + key + "'");
    }
  }
  return rules;
}

StatsBaseline ParseStatsBaseline(std::string_view text, const std::string& path) {
  const char* expected = "the output of attnviz stats --json, an object with a 'heads' list";
  const Json json = ParseJsonObject(text, path, expected);
  const auto heads = json.find("heads");
  if (heads == json.end() || !heads->is_array()) {
    ThrowInputError(path, std::string("expected ") + expected + ", found no 'heads' list");
  }
  StatsBaseline baseline;
  for (size_t i = 0; i < heads->size(); ++i) {
    baseline.heads.push_back(BaselineHead((*heads)[i], i, path));
  }
  if (json.contains("entropy_unit")) {
    const Json& unit = json["entropy_unit"];
    if (unit != "bits" && unit != "nats") {
      ThrowInputError(path,
                      "expected \"nats\" or \"bits\" for 'entropy_unit', found " + unit.dump());
    }
    baseline.bits = unit == "bits";
  }
  if (json.contains("topk_k")) {
    const Json& k = json["topk_k"];
    if (!k.is_number_integer() || k.get<int64_t>() < 1) {
      ThrowInputError(path, "expected an integer >= 1 for 'topk_k', found " + k.dump());
    }
    baseline.topk = k.get<int64_t>();
  }
  if (const auto aggregate = json.find("aggregate"); aggregate != json.end()) {
    if (!aggregate->is_object() || !aggregate->value("inputs", Json()).is_number_integer()) {
      ThrowInputError(path,
                      "expected 'aggregate' to be an object with an integer 'inputs', found " +
                          aggregate->dump());
    }
    baseline.aggregate = true;
    baseline.inputs = (*aggregate)["inputs"].get<int64_t>();
  }
  return baseline;
}

}  // namespace attnviz
