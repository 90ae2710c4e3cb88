#!/usr/bin/env bash
# Every attnviz command in the sh blocks of README.md and docs/cli.md runs as written.
# Usage: doc_commands_test.sh ATTNVIZ REPO_DIR
#
# The commands run in a temporary folder where `attnviz` (and build/release/attnviz) is the
# program under test and the files they name are sample data, by this mapping:
#   data/            the repository's data/
#   attn.npy         data/induction.npy (2 layers, 4 heads, 41 tokens)
#   tokens.txt       data/induction.tokens.txt
#   attn.npz         data/copy_offset.npz (one array, "attention")
#   finbert.json     data/reverse.json
#   vit.npz, cat.png tests/fixtures/overlay/vit.npz (14x14 patches and a CLS token), picture.png
# Lines starting with `mkdir` run too. Also: the man page is where the README says. A command must exit 0; `check` may also exit 1 (a rule
# failed), as the docs say.
set -uo pipefail
attnviz=$(realpath "$1") repo=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

mkdir -p bin build/release
ln -s "$attnviz" bin/attnviz
ln -s "$attnviz" build/release/attnviz
ln -s "$repo/data" data
cp "$repo/data/induction.npy" attn.npy
cp "$repo/data/induction.tokens.txt" tokens.txt
cp "$repo/data/copy_offset.npz" attn.npz
cp "$repo/data/reverse.json" finbert.json
cp "$repo/tests/fixtures/overlay/vit.npz" vit.npz
cp "$repo/tests/fixtures/overlay/picture.png" cat.png
export PATH="$work/bin:$PATH"

# The command lines of the ```sh blocks, without trailing comments.
commands() {
  awk '/^```/ { block = ($0 ~ /^```sh/) && !block; next }
       block && /^(attnviz|build\/release\/attnviz|mkdir) / { sub(/ +# .*$/, ""); print }' "$@"
}

status=0 count=0
while IFS= read -r line; do
  count=$((count + 1))
  bash -c "$line" >out.txt 2>err.txt </dev/null
  code=$?
  allowed=0
  [[ $line == "attnviz check "* ]] && allowed="0|1"
  if [[ ! $code =~ ^($allowed)$ ]]; then
    echo "exit $code (expected $allowed): $line" >&2
    sed 's/^/  /' err.txt >&2
    status=1
  fi
done < <(commands "$repo/README.md" "$repo/docs/cli.md")
[ "$count" -ge 10 ] || { echo "only $count commands found in the docs" >&2; status=1; }

# The man page is where the README says once scripts/demo.sh (its first command) has run: in the
# build folder demo.sh builds, which builds the manpage target.
page=$(grep -o 'man build/[^`]*attnviz\.1' "$repo/README.md" | head -1 | cut -d' ' -f2)
build=$(grep -o 'cmake -S \. -B [^ ]*' "$repo/scripts/demo.sh" | head -1 | awk '{print $5}')
if [ "$page" != "$build/attnviz.1" ] || ! grep -q -- "--target attnviz manpage" "$repo/scripts/demo.sh"; then
  echo "README says 'man $page'; scripts/demo.sh builds in $build, the manpage target: $(grep -c -- '--target attnviz manpage' "$repo/scripts/demo.sh")" >&2
  status=1
fi
echo "$count documented commands run"
exit $status
