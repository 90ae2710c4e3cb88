#!/usr/bin/env bash
# Runs the torch.save recipes of docs/cookbook.md as written there, on a stand-in for a Hugging
# Face model's outputs (real torch tensors, softmaxed), and checks that attnviz reads what they
# wrote: the shape, the tokens beside the file, and each batch item trimmed to its own tokens.
# Exits 77 (a skip CTest shows) when Debian's python3-torch is not installed.
# Usage: cookbook_torch_test.sh ATTNVIZ COOKBOOK_MD
set -euo pipefail
attnviz=$1 cookbook=$2
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "SKIP: python3-torch is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "cookbook_torch_test: $*" >&2; exit 1; }

block() {
  awk -v marker="<!-- cookbook:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$cookbook"
}

mkdir "$work/dumps"
{
  cat <<'EOF_PY'
import types
import torch

torch.manual_seed(0)
class Tokenizer:  # stands in for a Hugging Face tokenizer: ids are the tokens' indices
    vocab = ["[PAD]", "[CLS]", "[SEP]", "the", "cat", "sat", ".", "a", "much", "longer"]
    def convert_ids_to_tokens(self, ids):
        return [self.vocab[i] for i in ids.tolist()]
    def __call__(self, texts, padding=True, return_tensors="pt"):
        ids = torch.tensor([[1, 3, 4, 5, 6, 2, 0, 0], [1, 7, 8, 9, 4, 5, 6, 2]])
        return {"input_ids": ids, "attention_mask": (ids != 0).long()}
class Model:  # 2 layers of (batch, 3 heads, q, k), padded keys masked as BERT does
    def __call__(self, input_ids, attention_mask, output_attentions=True):
        b, n = input_ids.shape
        scores = torch.randn(2, b, 3, n, n)
        scores = scores.masked_fill(attention_mask[None, :, None, None, :] == 0, float("-inf"))
        return types.SimpleNamespace(attentions=tuple(scores.softmax(-1)))
tokenizer, model = Tokenizer(), Model()
inputs = {"input_ids": torch.tensor([[1, 3, 4, 5, 6, 2]]), "attention_mask": torch.ones(1, 6).long()}
outputs = model(**inputs, output_attentions=True)
EOF_PY
  block save-pt
  block save-pt-batch
} >"$work/recipe.py"
(cd "$work" && /usr/bin/python3 recipe.py) || fail "the recipes failed"

"$attnviz" info "$work/dumps/cat.pt" --json >"$work/cat.json" || fail "attnviz cannot read cat.pt"
/usr/bin/python3 - "$work/cat.json" <<'EOF_PY' || fail "cat.pt read wrongly"
import json, sys
info = json.load(open(sys.argv[1]))
assert info["shape"] == [2, 1, 3, 6, 6], info["shape"]
assert info["query_tokens"] == 6 and info["key_tokens"] == 6, info
EOF_PY
"$attnviz" heatmap "$work/dumps/batch.pt" --batch all --layer 1 --head 0 -o "$work/b{batch}.svg" ||
  fail "heatmap --batch all failed on batch.pt"
[ -s "$work/b0.svg" ] && [ -s "$work/b1.svg" ] || fail "heatmap --batch all did not draw both items"
# Item 0 has 6 real tokens of 8, item 1 all 8: each is read trimmed to its own tokens.
for item in 0:6 1:8; do
  "$attnviz" info "$work/dumps/batch.pt" --batch "${item%:*}" --json >"$work/item.json" ||
    fail "info --batch ${item%:*} failed on batch.pt"
  /usr/bin/python3 - "$work/item.json" "${item#*:}" <<'EOF_PY' || fail "batch item ${item%:*} read wrongly"
import json, sys
info, n = json.load(open(sys.argv[1])), int(sys.argv[2])
assert info["queries"] == n and info["keys"] == n and info["query_tokens"] == n, (info, n)
EOF_PY
done
echo "cookbook torch recipes ok"
