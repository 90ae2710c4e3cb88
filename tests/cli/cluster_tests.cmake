# End-to-end tests of `attnviz cluster`, `attnviz attribute` and `attnviz diff` (included from
# tests/CMakeLists.txt after cli_tests.cmake, whose attnviz_cli_test and folders they use).
set(CLUSTER_FIX ${FIX}/analysis/cluster)
set(ATTR_FIX ${FIX}/analysis/attribute)
set(DIFF_FIX ${FIX}/analysis/diff)

# attnviz_json_check(NAME CHECK ARGS...): runs attnviz ARGS and a Python script (plain python3:
# json only, no numpy) that parses stdout as exactly one JSON object `d` and runs CHECK on it.
function(attnviz_json_check name check)
  set(script ${TMP}/json_checks/${name}.py)
  file(WRITE ${script} "import json, sys\nd = json.loads(sys.stdin.read())\n${check}\nprint('ok')\n")
  add_test(NAME cli.${name}
           COMMAND bash -c "set -o pipefail; \"$0\" \"$@\" | python3 ${script}"
                   $<TARGET_FILE:attnviz> ${ARGN})
endfunction()

# cluster
attnviz_cli_test(cluster_table EXIT 0 STDOUT "nearest_layer +nearest_head +distance"
                 ARGS cluster ${DATA}/induction.npy)
attnviz_cli_test(cluster_redundant EXIT 0 STDOUT "L0H0 +L0H1 +0\\.0528"
                 ARGS cluster ${DATA}/induction.npy --threshold 0.06)
attnviz_cli_test(cluster_csv EXIT 0
                 STDOUT "^layer,head,nearest_layer,nearest_head,distance,mds_x,mds_y$"
                 ARGS cluster ${DATA}/copy_offset.npz --csv)
attnviz_json_check(cluster_json_schema
  "assert set(d) == {\"heads\", \"distance\", \"linkage\", \"mds\", \"redundant\", \"kv_groups\"}, sorted(d)\nassert d[\"heads\"][5] == [1, 1]\nassert len(d[\"linkage\"]) == 7 and all(len(m) == 4 for m in d[\"linkage\"])\nassert d[\"redundant\"][0][\"a\"] == [0, 0] and d[\"redundant\"][0][\"b\"] == [0, 1]"
  cluster ${DATA}/induction.npy --json --threshold 0.06)
# The command prints what scipy gives on the same dump (golden values of the numpy reference), to
# 2e-7 relative: the JS terms are floats, each within 2e-7 of its size (docs/analyses.md), and
# the merge heights sum them over rows (1.3e-7 with Highway's Log on the portable target).
attnviz_json_check(cluster_json_matches_scipy
  "g = json.load(open(\"${CLUSTER_FIX}/golden.json\"))\nc = [c for c in g[\"cases\"] if c[\"file\"].endswith(\"induction.npy\") and c[\"linkage_method\"] == \"ward\"][0]\nassert len(d[\"linkage\"]) == len(c[\"linkage\"]) == 7\nfor m, e in zip(d[\"linkage\"], c[\"linkage\"]):\n    assert m[:2] == e[:2] and m[3] == e[3] and abs(m[2] - e[2]) < 2e-7 * e[2], (m, e)"
  cluster ${DATA}/induction.npy --json --linkage ward --js-reduce sum)
attnviz_cli_test(cluster_dendrogram_png EXIT 0 EXISTS ${TMP}/cluster_dendrogram.png
                 ARGS cluster ${DATA}/induction.npy -o ${TMP}/cluster_dendrogram.png --threshold 0.1)
attnviz_cli_test(cluster_dendrogram_pdf EXIT 0 EXISTS ${TMP}/cluster_dendrogram.pdf
                 ARGS cluster ${DATA}/reverse.json --linkage complete -o ${TMP}/cluster_dendrogram.pdf)
attnviz_cli_test(cluster_map_svg EXIT 0 EXISTS ${TMP}/cluster_map.svg
                 ARGS cluster ${DATA}/induction_layers.safetensors --map ${TMP}/cluster_map.svg)
attnviz_cli_test(cluster_cross_attention EXIT 0 STDOUT "dendrogram order:"
                 ARGS cluster ${DATA}/seq2seq_cross.json)
attnviz_cli_test(cluster_bad_linkage EXIT 2 STDERR "--linkage" ARGS cluster ${DATA}/induction.npy --linkage single)
attnviz_cli_test(cluster_bad_map_extension EXIT 2 STDERR "map\\.gif: expected a \\.png, \\.svg or \\.pdf"
                 ARGS cluster ${DATA}/induction.npy --map ${TMP}/map.gif)
attnviz_cli_test(cluster_nan EXIT 3
                 STDERR "nonfinite\\.npy: expected attention weights >= 0 .*found NaN at layer 0, head 1, query 2, key 3"
                 ABSENT ${TMP}/cluster_nan.png
                 ARGS cluster ${FIX}/analysis/stats/nonfinite.npy -o ${TMP}/cluster_nan.png)
attnviz_cli_test(cluster_help EXIT 0 STDOUT "Examples:" ARGS cluster --help)
# One head makes no dendrogram: a usage error saying why, and no figure.
attnviz_cli_test(cluster_one_head EXIT 2
                 STDERR "square4\.npy: cluster groups heads and needs at least 2; the dump has 1 head, L0H0$"
                 ABSENT ${TMP}/cluster_one_head.png
                 ARGS cluster ${BAD}/square4.npy -o ${TMP}/cluster_one_head.png)
attnviz_cli_test(cluster_one_selected_head EXIT 2
                 STDERR "induction\.npy: cluster groups heads and needs at least 2; --layer and --head select 1 head, L1H2$"
                 ARGS cluster ${DATA}/induction.npy --layer 1 --head 2)
attnviz_cli_test(cluster_two_selected_heads EXIT 0 STDOUT "2 heads"
                 ARGS cluster ${DATA}/induction.npy --layer 1 --head 1,2)
if(EXISTS ${REAL})
  attnviz_cli_test(cluster_real_single_head EXIT 2 STDERR "needs at least 2; the dump has 1 head"
                   ARGS cluster ${REAL}/roberta_coqa_512.npy)
  attnviz_cli_test(cluster_real_crop EXIT 2 STDERR "needs at least 2; the dump has 1 head, L31H0"
                   ARGS cluster ${REAL}/llama31_l31h0_crop.json)
endif()

# attribute
attnviz_cli_test(attribute_table EXIT 0 STDOUT "layer +head +score +importance"
                 ARGS attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/causal.grad.npy)
attnviz_cli_test(attribute_csv EXIT 0 STDOUT "^layer,head,score,importance$"
                 ARGS attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/causal.grad.npy --csv)
attnviz_json_check(attribute_json
  "assert set(d) == {\"mode\", \"steps\", \"heads\", \"maps\", \"mean_positive\", \"rollout\"}, sorted(d)\nassert d[\"mode\"] == \"gradient\" and d[\"steps\"] is None\nassert len(d[\"maps\"][\"signed\"]) == 2 and len(d[\"maps\"][\"signed\"][0]) == 3\nassert min(min(min(r) for r in h) for l in d[\"maps\"][\"positive\"] for h in l) >= 0\nassert len(d[\"rollout\"]) == 5"
  attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/causal.grad.npy --json)
attnviz_json_check(attribute_ig_json
  "assert d[\"mode\"] == \"integrated_gradients\" and d[\"steps\"] == 24\nassert max(h[\"importance\"] for h in d[\"heads\"]) == 1"
  attribute ${ATTR_FIX}/ig.npy --ig-grads ${ATTR_FIX}/ig.steps.npy --json)
attnviz_json_check(attribute_cross_has_no_rollout "assert d[\"rollout\"] is None"
  attribute ${ATTR_FIX}/cross.npy --grad ${ATTR_FIX}/cross.grad.npy --json)
attnviz_cli_test(attribute_heads_template EXIT 0 EXISTS ${TMP}/attr_L1_H2.png
                 ARGS attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/causal.grad.npy
                      --layer all --head all -o ${TMP}/attr_L{layer}_H{head}.png)
attnviz_cli_test(attribute_rollout_pdf EXIT 0 EXISTS ${TMP}/attr_rollout.pdf
                 ARGS attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/causal.grad.npy
                      --show rollout -o ${TMP}/attr_rollout.pdf)
attnviz_cli_test(attribute_importance_svg EXIT 0 EXISTS ${TMP}/attr_importance.svg
                 ARGS attribute ${ATTR_FIX}/ig.npy --ig-grads ${ATTR_FIX}/ig.steps.npy
                      --show importance -o ${TMP}/attr_importance.svg)
attnviz_cli_test(attribute_needs_gradient EXIT 2 STDERR "exactly one of --grad G and --ig-grads G"
                 ARGS attribute ${ATTR_FIX}/causal.npy)
attnviz_cli_test(attribute_shape_mismatch EXIT 3
                 STDERR "cross\\.grad\\.npy: expected gradients of the attention's shape \\(2 layers x 3 heads x 5 queries x 5 keys\\)"
                 ARGS attribute ${ATTR_FIX}/causal.npy --grad ${ATTR_FIX}/cross.grad.npy)
attnviz_cli_test(attribute_cross_rollout_figure EXIT 2 STDERR "--show rollout needs self-attention"
                 ABSENT ${TMP}/attr_cross.png
                 ARGS attribute ${ATTR_FIX}/cross.npy --grad ${ATTR_FIX}/cross.grad.npy
                      --show rollout -o ${TMP}/attr_cross.png)
attnviz_cli_test(attribute_help EXIT 0 STDOUT "Examples:" ARGS attribute --help)

# diff
attnviz_cli_test(diff_table EXIT 0 STDOUT "js +max_abs_diff +d_entropy"
                 ARGS diff ${DIFF_FIX}/ckpt2.npy ${DIFF_FIX}/ckpt0.npy)
attnviz_cli_test(diff_csv EXIT 0 STDOUT "^layer,head,js,max_abs_diff,entropy_a,entropy_b,d_entropy,"
                 ARGS diff ${DIFF_FIX}/ckpt2.npy ${DIFF_FIX}/ckpt0.npy --csv)
attnviz_json_check(diff_json
  "g = json.load(open(\"${DIFF_FIX}/golden.json\"))[\"pairs\"][0][\"heads\"]\nassert len(d[\"heads\"]) == len(g) == 4\nfor h, e in zip(d[\"heads\"], g):\n    assert abs(h[\"js\"] - e[\"js\"]) < 1e-6\n    s = h[\"stats\"][\"prev\"]\n    assert abs(s[\"delta\"] - (e[\"a\"][\"prev\"] - e[\"b\"][\"prev\"])) < 1e-6, s"
  diff ${DIFF_FIX}/ckpt2.npy ${DIFF_FIX}/ckpt0.npy --json)
attnviz_cli_test(diff_heatmaps_pdf EXIT 0 EXISTS ${TMP}/diff_pages.pdf
                 ARGS diff ${DIFF_FIX}/ckpt2.npy ${DIFF_FIX}/ckpt0.npy --layer all --head all
                      -o ${TMP}/diff_pages.pdf)
attnviz_cli_test(diff_shape_mismatch EXIT 3 STDERR "ckpt0\\.npy vs .*induction\\.npy: expected dumps of the same shape"
                 ARGS diff ${DIFF_FIX}/ckpt0.npy ${DATA}/induction.npy)
attnviz_cli_test(diff_one_file EXIT 2 STDERR "expected two dumps A B" ARGS diff ${DIFF_FIX}/ckpt0.npy)
attnviz_cli_test(diff_series_table EXIT 0 STDOUT "layer +head +ckpt0 +ckpt1 +ckpt2"
                 ARGS diff --series ${DIFF_FIX}/ckpt0.npy ${DIFF_FIX}/ckpt1.npy ${DIFF_FIX}/ckpt2.npy
                      --stat prev)
attnviz_cli_test(diff_series_plot EXIT 0 EXISTS ${TMP}/diff_series.png
                 ARGS diff --series ${DIFF_FIX}/ckpt0.npy ${DIFF_FIX}/ckpt1.npy ${DIFF_FIX}/ckpt2.npy
                      -o ${TMP}/diff_series.png)
attnviz_cli_test(diff_series_bad_stat EXIT 2 STDERR "--stat: expected one of entropy"
                 ARGS diff --series ${DIFF_FIX}/ckpt0.npy ${DIFF_FIX}/ckpt1.npy --stat nope)
attnviz_cli_test(diff_help EXIT 0 STDOUT "Examples:" ARGS diff --help)
if(EXISTS ${REAL})
  attnviz_cli_test(diff_real_itself EXIT 0 STDOUT "0 +0 +0 +0 +0 +0 +0 +0"
                   ARGS diff ${REAL}/finbert_l11h0.json ${REAL}/finbert_l11h0.json)
endif()
