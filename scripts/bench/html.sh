#!/usr/bin/env bash
# The explorer page (attnviz html) at 512 and 4,096 tokens: page size, time to write it, load time
# in headless Chromium (until the page is ready), the first heatmap, and hover latency in the head
# and heatmap views (event to drawn, median of 6). Recorded, not asserted; docs/html.md keeps a run.
#
#   scripts/bench/html.sh [ATTNVIZ]    (default build/release/attnviz)
#
# Needs chromium, chromium-driver and python3-selenium (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
attnviz=$(realpath "${1:-build/release/attnviz}")
[ -x "$attnviz" ] || { echo "html.sh: no attnviz at $attnviz" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
real=/work/shared/real/roberta_coqa_512.npy
[ -e "$real" ] || real=$(realpath -m ../shared/real/roberta_coqa_512.npy)
/usr/bin/python3 scripts/bench/html_peer.py "$attnviz" "$work" "$real"
