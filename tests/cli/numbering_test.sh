#!/usr/bin/env bash
# One numbering everywhere (docs/formats.md "Layer and head numbers") and -o - to standard output.
#   numbering_test.sh CASE ATTNVIZ FIXTURES REAL OUT_DIR
# Titles are read back with pdftotext. A case that needs ../shared/real exits 77 (skipped) when
# it is absent; one that needs pngcheck or pdftotext likewise when they are.
set -u
case_name=$1 attnviz=$2 fix=$3 real=$4 out=$5/numbering
mkdir -p "$out"
slice=$fix/formats/json_slice.json  # "layer": 11, "head": 0, one 5 x 5 head
finbert=$real/finbert_l11h0.json

fail() { echo "FAIL: $*"; exit 1; }
need() { command -v "$1" >/dev/null || { echo "skip: $1 not installed"; exit 77; }; }
need_real() { [ -e "$finbert" ] || { echo "skip: $finbert absent"; exit 77; }; }

# The title of the figure `attnviz ARGS -o OUT.pdf` draws (its first line of text that holds " · "
# or is the only word of the dump's name).
title_of() {
  local pdf=$out/title_$RANDOM.pdf
  "$attnviz" "$@" -o "$pdf" || fail "attnviz $* exited $?"
  pdftotext "$pdf" - | grep -m1 -E "$TITLE_RE"
}

# A column of a CSV on stdout, the rows after the header, space-separated.
column_of() {
  local name=$1
  shift
  "$attnviz" "$@" --csv | awk -F, -v name="$name" \
    'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { printf "%s ", $c }'
}

case $case_name in
  slice_everywhere)  # the committed JSON slice of layer 11, head 0, in every command
    need pdftotext
    TITLE_RE=" · "
    t=$(title_of heatmap "$slice") && [ "$t" = "bert-base-uncased · layer 11 · head 0" ] ||
      fail "heatmap title '$t'"
    "$attnviz" heatmap "$slice" -o "$out/slice_L{layer}_H{head}.png" &&
      [ -s "$out/slice_L11_H0.png" ] || fail "heatmap template: $(ls "$out")"
    [ "$(column_of layer stats "$slice")" = "11 " ] || fail "stats layer column"
    [ "$(column_of head classify "$slice")" = "0 " ] || fail "classify head column"
    [ "$(column_of layer classify "$slice")" = "11 " ] || fail "classify layer column"
    # cluster needs two heads; its refusal names the one head in the model's numbers
    "$attnviz" cluster "$slice" 2>&1 | grep -q "needs at least 2; the dump has 1 head, L11H0$" ||
      fail "cluster names the head"
    [ "$("$attnviz" stats "$slice" --json | grep -o '"layer":[0-9]*' | sort -u)" = '"layer":11' ] ||
      fail "stats --json"
    "$attnviz" check "$slice" --json | grep -q '"group":"layer 11 head 0"' || fail "check --json"
    "$attnviz" info "$slice" --json | grep -q '"layer_offset":11' || fail "info --json"
    ;;
  layer_option_is_model_number)  # --layer 11 picks the slice's layer; --layer 0 is out of range
    "$attnviz" heatmap "$slice" --layer 11 --head 0 -o "$out/pick.png" || fail "--layer 11"
    err=$("$attnviz" heatmap "$slice" --layer 0 -o "$out/no.png" 2>&1)
    [ $? = 2 ] && [[ $err == *"--layer 0 is out of range: the dump has 1 layer (11)"* ]] ||
      fail "--layer 0: $err"
    [ ! -e "$out/no.png" ] || fail "no.png written"
    [ "$(column_of layer stats "$slice" --layer 11)" = "11 " ] || fail "stats --layer 11"
    "$attnviz" check "$slice" --layer 11 --head 0 >/dev/null || fail "check --layer 11"
    ;;
  finbert)  # the real dump: every command says layer 11
    need_real
    need pdftotext
    TITLE_RE=" · "
    t=$(title_of heatmap "$finbert") && [ "$t" = "ProsusAI/finbert · layer 11 · head 0" ] ||
      fail "heatmap title '$t'"
    "$attnviz" heatmap "$finbert" --layer 11 -o "$out/fin_L{layer}_H{head}.png" &&
      [ -s "$out/fin_L11_H0.png" ] || fail "template"
    [ "$(column_of layer stats "$finbert")" = "11 " ] || fail "stats"
    [ "$(column_of layer classify "$finbert")" = "11 " ] || fail "classify"
    "$attnviz" cluster "$finbert" 2>&1 | grep -q "the dump has 1 head, L11H0$" || fail "cluster"
    "$attnviz" check "$finbert" --json | grep -q '"layer":11,' || fail "check"
    ;;
  bare_matrix_title)  # a 2-D matrix says nothing of layers or heads, a 3-D array no layer
    need pdftotext
    TITLE_RE="npy_v1"
    t=$(title_of heatmap "$fix/formats/npy_v1_f4le_c_rank2.npy")
    [ "$t" = "npy_v1_f4le_c_rank2" ] || fail "2-D title '$t'"
    t=$(title_of heatmap "$fix/formats/npy_v1_f4le_c_rank3.npy" --head 2)
    [ "$t" = "npy_v1_f4le_c_rank3 · head 2" ] || fail "3-D title '$t'"
    ;;
  stdout_png)
    need pngcheck
    cd "$out" || exit 1
    rm -f -- -
    "$attnviz" heatmap "$fix/formats/npy_v1_f4le_c_rank2.npy" -o - --format png | pngcheck - ||
      fail "pngcheck"
    [ ! -e - ] || fail "a file named - was written"
    ;;
  stdout_svg)
    cd "$out" || exit 1
    rm -f -- -
    "$attnviz" grid "$fix/formats/npy_v1_f4le_c_rank3.npy" -o - --format svg | head -c 200 |
      grep -q "<svg" || fail "no SVG on stdout"
    [ ! -e - ] || fail "a file named - was written"
    ;;
  stdout_needs_format)
    cd "$out" || exit 1
    rm -f -- -
    err=$("$attnviz" heatmap "$fix/formats/npy_v1_f4le_c_rank2.npy" -o - 2>&1 >/dev/null)
    [ $? = 2 ] && [[ $err == *"-o -: a figure on standard output needs --format"* ]] ||
      fail "exit/message: $err"
    [ ! -e - ] || fail "a file named - was written"
    ;;
  stdout_stats_json)
    cd "$out" || exit 1
    rm -f -- -
    "$attnviz" stats "$slice" -o - --json | python3 -c \
      'import json, sys; d = json.load(sys.stdin); assert [h["layer"] for h in d["heads"]] == [11]' ||
      fail "stats -o - --json"
    [ ! -e - ] || fail "a file named - was written"
    ;;
  *)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
