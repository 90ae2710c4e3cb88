#!/usr/bin/env bash
# Installs the Debian packages attnviz needs to build, test and run its demo; with the argument
# `bench`, also the peers of scripts/bench (numpy, scipy, matplotlib, networkx); with `fuzz`, also
# clang and its libFuzzer and sanitizer runtimes for scripts/fuzz.sh. Idempotent: quiet and quick
# when everything is already present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  # libraries
  libcli11-dev nlohmann-json3-dev libcairo2-dev libpango1.0-dev libopenblas-dev libeigen3-dev doctest-dev
  libpng-dev zlib1g-dev libdeflate-dev libhwy-dev libturbojpeg0-dev
  # audio for `attnviz speech`: reading (libsndfile), resampling (soxr), the spectrogram's FFT
  libsndfile1-dev libsoxr-dev libfftw3-dev
  # fonts for Pango, so figures look the same on every machine
  fonts-dejavu-core
  # fallbacks for tokens DejaVu lacks: CJK (Chinese, Japanese, Korean) and colour emoji
  fonts-wqy-microhei fonts-noto-color-emoji
  # consumers the tests run on our outputs
  pngcheck qpdf poppler-utils librsvg2-bin
  # the cookbook's dump-saving recipe is run by a test; groff checks the man page
  python3-numpy groff-base
  # PIL: the figure tests that read pixels (tests/cli/masks_test.py, svg_text_test.py...)
  python3-pil
  # matplotlib's colormap tables, read by the pixel checks tests/cli/vlm_check.py, attribute_colors_test.py
  python3-matplotlib
  # the scale-out recipes of docs/scaling.md (script, for the progress bar test, is util-linux)
  parallel
  # /usr/bin/time: the tests that bound peak memory (tests/cli/aggregate_dodrio.sh, dodrio_heads.sh)
  time
  # video: frames decoded and GIF/MP4 animations encoded with FFmpeg's libraries (attnviz video)
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  # the explorer page's browser tests and benchmark (tests/html, scripts/bench/html.sh)
  chromium chromium-driver python3-selenium
  # graph attention layouts (attnviz graph): Graphviz's sfdp and neato through libgvc/libcgraph
  libgraphviz-dev
)
case "${1:-}" in
  bench) packages+=(python3-scipy python3-matplotlib python3-networkx) ;;
  # libclang-rt-dev: the default clang's libFuzzer and sanitizer runtimes (libclang-rt-14-dev)
  fuzz) packages+=(clang libclang-rt-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
