#!/usr/bin/env python3
"""`attnviz check` machine outputs: --junit is well-formed JUnit XML with one testcase per rule and
group, --json is exactly one JSON object that agrees with it.

    check_outputs_test.py ATTNVIZ DUMP OUT_DIR

DUMP is tests/fixtures/check/nan.npy: layer 1 head 0 holds one NaN, layer 1 head 1 one infinity
(2 layers x 2 heads), so finite fails on those two heads and the other rules skip them.
"""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

attnviz, dump, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
junit = out_dir / "check_nan.xml"
junit.unlink(missing_ok=True)
run = subprocess.run([attnviz, "check", dump, "--json", "--junit", str(junit)],
                     capture_output=True, text=True)
assert run.returncode == 1, (run.returncode, run.stderr)
assert run.stderr == "", run.stderr

# --json: one object, nothing after it.
report = json.loads(run.stdout)
assert isinstance(report, dict) and run.stdout.count("\n") == 1
assert report["passed"] is False
assert [r["rule"] for r in report["rules"]] == ["finite", "row_sum", "collapse", "uniform",
                                               "padding", "sink", "redundant"]
failed = [(r["rule"], r["group"]) for r in report["results"] if not r["passed"]]
assert failed == [("finite", "layer 1 head 0"), ("finite", "layer 1 head 1")], failed
finite = {r["group"]: r for r in report["results"] if r["rule"] == "finite"}
assert finite["layer 1 head 0"]["measured"] == 1 and finite["layer 1 head 0"]["threshold"] == 0
assert finite["layer 1 head 0"]["layer"] == 1 and finite["layer 1 head 0"]["head"] == 0

# --junit: well-formed, suites per rule, cases per group, counts that add up.
root = ET.parse(junit).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == [r["rule"] for r in report["rules"]]
cases = root.findall("testsuite/testcase")
assert int(root.get("tests")) == len(cases) == len(report["results"]) == 4 * 6 + 2
assert int(root.get("failures")) == 2
for suite in suites:
    assert int(suite.get("tests")) == len(suite.findall("testcase"))
    assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
    assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
failures = {(c.get("classname"), c.get("name")): c.find("failure") for c in cases
            if c.find("failure") is not None}
assert set(failures) == {("attnviz.check.finite", "layer 1 head 0"),
                         ("attnviz.check.finite", "layer 1 head 1")}, failures
assert failures[("attnviz.check.finite", "layer 1 head 0")].get("message") == \
    "1 NaN and 0 infinite values, expected at most 0"
skipped = {(c.get("classname"), c.get("name")) for c in cases if c.find("skipped") is not None}
assert ("attnviz.check.row_sum", "layer 1 head 1") in skipped
assert ("attnviz.check.collapse", "layer 1") in skipped  # no two clean heads left in layer 1
assert ("attnviz.check.padding", "layer 0 head 0") in skipped  # no tokens
print("ok:", len(cases), "testcases,", len(failures), "failures,", len(skipped), "skipped")
