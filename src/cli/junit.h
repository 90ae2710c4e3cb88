// JUnit XML for `check`: the report format CI systems (GitLab, Jenkins, GitHub actions) display.
#pragma once

#include <span>
#include <string>

#include "attnviz/analysis/check.h"

namespace attnviz::cli {

// One <testsuite> per rule (in result order) and one <testcase> per rule and group; the results
// of a group (drift's statistics of one head) share its testcase, whose <failure> lists every
// failed one and whose <skipped/> marks a group where the rule did not apply. No timestamps or
// durations, so the same input gives the same bytes. `name` names the <testsuites>.
std::string CheckJunitXml(std::span<const CheckResult> results, const std::string& name);

}  // namespace attnviz::cli
