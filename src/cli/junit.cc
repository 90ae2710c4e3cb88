// JUnit XML for `check`: results grouped into suites (rules) and testcases (groups).
#include "cli/junit.h"

#include <sstream>
#include <vector>

namespace attnviz::cli {

namespace {

// The results of one rule on one group.
struct TestCase {
  std::string rule;
  std::string group;
  std::vector<const CheckResult*> results;

  bool Failed() const {
    for (const CheckResult* r : results) {
      if (!r->passed) return true;
    }
    return false;
  }
  bool Skipped() const {
    for (const CheckResult* r : results) {
      if (!r->skipped) return false;
    }
    return true;
  }
};

struct Suite {
  std::string rule;
  std::vector<TestCase> cases;

  int Count(bool (TestCase::*is)() const) const {
    int count = 0;
    for (const TestCase& c : cases) count += (c.*is)();
    return count;
  }
};

// XML 1.0 text: markup characters escaped, control characters (not allowed at all) replaced.
std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\t') ? '?' : c;
    }
  }
  return out;
}

std::vector<Suite> GroupResults(std::span<const CheckResult> results) {
  std::vector<Suite> suites;
  for (const CheckResult& r : results) {
    if (suites.empty() || suites.back().rule != r.rule) suites.push_back({r.rule, {}});
    std::vector<TestCase>& cases = suites.back().cases;
    if (cases.empty() || cases.back().group != r.group) cases.push_back({r.rule, r.group, {}});
    cases.back().results.push_back(&r);
  }
  return suites;
}

void WriteCase(std::ostringstream& out, const TestCase& c) {
  out << "    <testcase classname=\"attnviz.check." << Escaped(c.rule) << "\" name=\""
      << Escaped(c.group) << "\"";
  if (!c.Failed() && !c.Skipped()) {
    out << "/>\n";
    return;
  }
  out << ">\n";
  if (c.Failed()) {
    std::string first, all;
    for (const CheckResult* r : c.results) {
      if (r->passed) continue;
      if (first.empty()) first = r->message;
      all += r->message + "\n";
    }
    out << "      <failure type=\"" << Escaped(c.rule) << "\" message=\"" << Escaped(first) << "\">"
        << Escaped(all) << "</failure>\n";
  } else {
    out << "      <skipped message=\"" << Escaped(c.results.front()->message) << "\"/>\n";
  }
  out << "    </testcase>\n";
}

}  // namespace

std::string CheckJunitXml(std::span<const CheckResult> results, const std::string& name) {
  const std::vector<Suite> suites = GroupResults(results);
  int tests = 0, failures = 0, skipped = 0;
  for (const Suite& s : suites) {
    tests += static_cast<int>(s.cases.size());
    failures += s.Count(&TestCase::Failed);
    skipped += s.Count(&TestCase::Skipped);
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"" << Escaped(name) << "\" tests=\"" << tests << "\" failures=\""
      << failures << "\" errors=\"0\" skipped=\"" << skipped << "\">\n";
  for (const Suite& s : suites) {
    out << "  <testsuite name=\"" << Escaped(s.rule) << "\" tests=\"" << s.cases.size()
        << "\" failures=\"" << s.Count(&TestCase::Failed) << "\" errors=\"0\" skipped=\""
        << s.Count(&TestCase::Skipped) << "\">\n";
    for (const TestCase& c : s.cases) WriteCase(out, c);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace attnviz::cli
