# End-to-end tests of grouped-query attention in `attnviz cluster` and `attnviz grid`: --kv-heads,
# a config.json beside the dump, and the within/between statistic of scripts/reference/gqa.py
# (included from tests/CMakeLists.txt after cluster_tests.cmake, whose attnviz_json_check it uses).
set(GQA_FIX ${FIX}/analysis/gqa)

attnviz_cli_test(cluster_kv_heads EXIT 0
                 STDOUT "4 key/value heads of 2 query heads \\(--kv-heads\\): mean JS within groups 0\\.0106[0-9]* \\(4 pairs\\), between 0\\.2776[0-9]* \\(24 pairs\\), ratio 0\\.0381[0-9]*, permutation p = 0\\.0117 \\(9999 permutations\\)"
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 4)
# The command prints what numpy gives on the same dump.
attnviz_json_check(cluster_kv_heads_json_matches_numpy
  "g = json.load(open(\"${GQA_FIX}/golden.json\"))\nc = [c for c in g[\"cases\"] if c[\"file\"] == \"grouped.npy\" and c[\"kv_heads\"] == 2 and c[\"permutations\"] == 9999][0]\nk = d[\"kv_groups\"]\nassert k[\"group\"] == c[\"groups\"], k\nfor key in (\"within\", \"between\", \"ratio\", \"p_value\"):\n    assert abs(k[key] - c[key]) < 1e-6, (key, k[key], c[key])\nassert (k[\"within_pairs\"], k[\"between_pairs\"], k[\"permutations\"]) == (c[\"within_pairs\"], c[\"between_pairs\"], 9999)\nfor a, e in zip(k[\"per_group\"], c[\"per_group\"], strict=True):\n    assert a[\"group\"] == e[\"group\"] and a[\"heads\"] == e[\"heads\"] and abs(a[\"within\"] - e[\"within\"]) < 1e-6 and abs(a[\"between\"] - e[\"between\"]) < 1e-6, (a, e)"
  cluster ${GQA_FIX}/grouped.npy --kv-heads 2 --json)
attnviz_json_check(cluster_without_groups_json
  "assert d[\"kv_groups\"] is None" cluster ${GQA_FIX}/grouped.npy --json)
attnviz_json_check(cluster_one_head_per_group_json
  "k = d[\"kv_groups\"]\nassert k[\"within\"] is None and k[\"p_value\"] is None and k[\"within_pairs\"] == 0, k"
  cluster ${GQA_FIX}/grouped.npy --kv-heads 8 --json)
attnviz_cli_test(cluster_kv_heads_group_table EXIT 0 STDOUT "KV 3 +2 +0\\.0119[0-9]* +0\\.2858"
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 4)
attnviz_cli_test(cluster_kv_heads_csv EXIT 0 STDOUT "^layer,head,nearest_layer,nearest_head,distance,mds_x,mds_y,kv_group$"
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 4 --csv)
attnviz_cli_test(cluster_kv_heads_from_config EXIT 0
                 STDOUT "4 key/value heads of 2 query heads \\(.*hf/config\\.json\\)"
                 ARGS cluster ${GQA_FIX}/hf/grouped.npy)
attnviz_json_check(cluster_config_without_kv_heads
  "assert d[\"kv_groups\"] is None" cluster ${GQA_FIX}/mha_config/grouped.npy --json)
attnviz_cli_test(cluster_kv_heads_option_over_config EXIT 0
                 STDOUT "2 key/value heads of 4 query heads \\(--kv-heads\\)"
                 ARGS cluster ${GQA_FIX}/hf/grouped.npy --kv-heads 2)
attnviz_cli_test(cluster_bad_config EXIT 3
                 STDERR "bad_config/config\\.json: expected num_key_value_heads to divide num_attention_heads, found 3 and 8$"
                 ABSENT ${TMP}/gqa_bad_config.png
                 ARGS cluster ${GQA_FIX}/bad_config/grouped.npy -o ${TMP}/gqa_bad_config.png)
attnviz_cli_test(cluster_kv_heads_not_a_divisor EXIT 2
                 STDERR "--kv-heads 3: expected a divisor of the 8 heads of .*grouped\\.npy$"
                 ABSENT ${TMP}/gqa_not_divisor.png
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 3 -o ${TMP}/gqa_not_divisor.png)
attnviz_cli_test(cluster_kv_heads_zero EXIT 2 STDERR "--kv-heads 0: expected a divisor"
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 0)
attnviz_cli_test(cluster_kv_heads_figures EXIT 0 EXISTS ${TMP}/gqa_map.png
                 ARGS cluster ${GQA_FIX}/grouped.npy --kv-heads 4 -o ${TMP}/gqa_dendrogram.png
                      --map ${TMP}/gqa_map.png)

attnviz_cli_test(grid_kv_heads EXIT 0 EXISTS ${TMP}/gqa_grid.png
                 ARGS grid ${GQA_FIX}/grouped.npy --kv-heads 4 -o ${TMP}/gqa_grid.png)
attnviz_cli_test(grid_kv_heads_not_a_divisor EXIT 2 STDERR "--kv-heads 3: expected a divisor"
                 ABSENT ${TMP}/gqa_grid_bad.png
                 ARGS grid ${GQA_FIX}/grouped.npy --kv-heads 3 -o ${TMP}/gqa_grid_bad.png)
attnviz_cli_test(grid_bad_config EXIT 3 STDERR "config\\.json: expected num_key_value_heads"
                 ABSENT ${TMP}/gqa_grid_config.png
                 ARGS grid ${GQA_FIX}/bad_config/grouped.npy -o ${TMP}/gqa_grid_config.png)
