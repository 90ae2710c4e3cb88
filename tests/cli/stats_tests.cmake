# End-to-end tests of `attnviz stats` and `attnviz classify` (included from tests/CMakeLists.txt
# after cli_tests.cmake, whose attnviz_cli_test and folders they use).
set(STATS_FIX ${FIX}/analysis)

# `--json` prints exactly one JSON object with the documented keys: json_keys.py FILE KEYS...
# reads stdin and checks each heads[] entry (and layers[], if any) has KEYS.
function(attnviz_json_test name keys)
  add_test(NAME cli.${name}
           COMMAND bash -c "\"$0\" \"$@\" | python3 -c 'import json, sys\nd = json.loads(sys.stdin.read())\nwant = set(sys.argv[1].split())\nassert d[\"heads\"], \"no heads\"\nfor h in d[\"heads\"]:\n    assert want <= set(h), sorted(want - set(h))\nprint(\"ok\", len(d[\"heads\"]), \"heads\")' \"${keys}\""
                   $<TARGET_FILE:attnviz> ${ARGN})
endfunction()

set(STATS_KEYS "layer head entropy entropy_norm confidence topk distance self prev next first_token special punct padding row_sum_dev")
set(CLASSIFY_KEYS "layer head label confidence labels scores offset width causal heterogeneous")

# stats
attnviz_cli_test(stats_table EXIT 0 STDOUT "entropy_norm +confidence" ARGS stats ${DATA}/induction.npy)
attnviz_cli_test(stats_layer_means EXIT 0 STDOUT "mean over the heads of each layer" ARGS stats ${DATA}/induction.npy)
attnviz_json_test(stats_json "${STATS_KEYS}" stats ${DATA}/induction.npy --json)
attnviz_json_test(stats_json_grid "${STATS_KEYS} distance_2d" stats ${STATS_FIX}/stats/vit.npy --json --grid 3x4)
attnviz_cli_test(stats_csv EXIT 0
                 STDOUT "^layer,head,entropy,entropy_norm,confidence,topk,distance,self,prev,next,first_token,special,punct,padding,row_sum_dev$"
                 ARGS stats ${DATA}/copy_offset.npz --csv)
attnviz_cli_test(stats_csv_per_layer EXIT 0 STDOUT "^layer,entropy," ARGS stats ${DATA}/copy_offset.npz --csv --per-layer)
attnviz_cli_test(stats_bits EXIT 0 STDOUT "\"entropy_unit\":\"bits\"" ARGS stats ${DATA}/reverse.json --json --bits)
attnviz_cli_test(stats_cross EXIT 0 STDOUT "\"self\":null" ARGS stats ${DATA}/seq2seq_cross.json --json)
attnviz_cli_test(stats_plot_png EXIT 0 EXISTS ${TMP}/stats_entropy.png
                 ARGS stats ${DATA}/induction.npy --plot entropy -o ${TMP}/stats_entropy.png)
attnviz_cli_test(stats_plot_pdf EXIT 0 EXISTS ${TMP}/stats_prev.pdf
                 ARGS stats ${DATA}/induction_layers.safetensors --plot prev -o ${TMP}/stats_prev.pdf)
attnviz_cli_test(stats_plot_unknown EXIT 2 STDERR "--plot: expected one of entropy, .*found 'entropie'"
                 ABSENT ${TMP}/stats_bad.png ARGS stats ${DATA}/induction.npy --plot entropie -o ${TMP}/stats_bad.png)
attnviz_cli_test(stats_plot_needs_output EXIT 2 STDERR "--plot STAT needs -o OUT"
                 ARGS stats ${DATA}/induction.npy --plot entropy)
attnviz_cli_test(stats_plot_nothing_to_draw EXIT 2 STDERR "--plot special: no head of .* has this statistic"
                 ABSENT ${TMP}/stats_special.png ARGS stats ${STATS_FIX}/stats/cross.npy --plot special -o ${TMP}/stats_special.png)
attnviz_cli_test(stats_bad_grid EXIT 2 STDERR "--grid: expected ROWSxCOLS such as 14x14, found '3by4'"
                 ARGS stats ${STATS_FIX}/stats/vit.npy --grid 3by4)
attnviz_cli_test(stats_grid_too_large EXIT 2 STDERR "grid 4x4: expected at most 13 patches"
                 ARGS stats ${STATS_FIX}/stats/vit.npy --grid 4x4)
attnviz_cli_test(stats_topk_zero EXIT 2 STDERR "--topk" ARGS stats ${DATA}/induction.npy --topk 0)
attnviz_cli_test(stats_json_and_csv EXIT 2 STDERR "--json and --csv" ARGS stats ${DATA}/induction.npy --json --csv)
attnviz_cli_test(stats_missing_file EXIT 3 STDERR "nope\\.npy: cannot open" ARGS stats ${FIX}/nope.npy)
attnviz_cli_test(stats_help_has_example EXIT 0 STDOUT "Examples:" ARGS stats --help)

# classify
attnviz_cli_test(classify_table EXIT 0 STDOUT "1 +0 +induction +0\\.86" ARGS classify ${DATA}/induction.npy)
attnviz_cli_test(classify_offset EXIT 0 STDOUT "offset -3" ARGS classify ${DATA}/copy_offset.npz)
attnviz_json_test(classify_json "${CLASSIFY_KEYS}" classify ${DATA}/reverse.json --json)
attnviz_cli_test(classify_csv EXIT 0
                 STDOUT "^layer,head,label,confidence,offset,width,labels,causal,heterogeneous,self,previous,next,first,special,offset,reorder,block,local,align,duplicate,induction,peaked,diffuse$"
                 ARGS classify ${DATA}/seq2seq_cross.json --csv)
attnviz_cli_test(classify_thresholds EXIT 0 STDOUT "heterogeneous" ARGS classify ${DATA}/induction.npy
                 --thresholds ${STATS_FIX}/classify/strict_thresholds.json)
attnviz_cli_test(classify_thresholds_unknown_pattern EXIT 3
                 STDERR "bad_thresholds\\.json: expected pattern names .*found 'prev'"
                 ARGS classify ${DATA}/induction.npy --thresholds ${STATS_FIX}/classify/bad_thresholds.json)
attnviz_cli_test(classify_thresholds_missing EXIT 3 STDERR "nope\\.json: cannot open"
                 ARGS classify ${DATA}/induction.npy --thresholds ${STATS_FIX}/classify/nope.json)
attnviz_cli_test(classify_help_has_example EXIT 0 STDOUT "Examples:" ARGS classify --help)
# --special '[SEP]' names the token [SEP] (CLI11 would read the brackets as its list syntax and
# match SEP, giving 0 mass); the option is shared by stats, classify, check and sinks.
attnviz_cli_test(stats_special_brackets EXIT 0 STDOUT "^0,0,([^,]+,){9}0\\.0*[1-9]"
                 ARGS stats ${FIX}/analysis/positional/planted_0.npy --special "\[SEP\]" --csv)
