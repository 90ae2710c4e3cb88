# End-to-end tests of `attnviz graph` (included from tests/CMakeLists.txt after cli_tests.cmake,
# whose attnviz_cli_test and folders they use). Fixtures: scripts/make-graph-fixtures.py.
set(GRAPH_FIX ${FIX}/graph)

foreach(ext png svg pdf)
  attnviz_cli_test(graph_figure_${ext} EXIT 0 EXISTS ${TMP}/graph_tiny.${ext}
                   ARGS graph ${GRAPH_FIX}/tiny.npz --names ${GRAPH_FIX}/tiny_names.txt
                        -o ${TMP}/graph_tiny.${ext})
endforeach()
attnviz_cli_test(graph_from_torch EXIT 0 EXISTS ${TMP}/graph_torch.png
                 ARGS graph ${GRAPH_FIX}/tiny.pt --fuse mean --color-by entropy -o ${TMP}/graph_torch.png)
attnviz_cli_test(graph_from_safetensors EXIT 0 EXISTS ${TMP}/graph_st.svg
                 ARGS graph ${GRAPH_FIX}/tiny.safetensors --head 1 --color-by received --layout neato
                      -o ${TMP}/graph_st.svg)
attnviz_cli_test(graph_dense EXIT 0 EXISTS ${TMP}/graph_dense.png
                 ARGS graph ${GRAPH_FIX}/tiny_dense.npz -o ${TMP}/graph_dense.png)
attnviz_cli_test(graph_neighbourhood EXIT 0 EXISTS ${TMP}/graph_near.png
                 ARGS graph ${DATA}/gat.npz --node 5 --hops 2 --names ${DATA}/gat_names.txt
                      -o ${TMP}/graph_near.png)
add_test(NAME cli.graph_identical
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/graph_identical.sh $<TARGET_FILE:attnviz>
                 ${DATA}/gat.npz ${TMP}/graph_identical)
add_test(NAME cli.graph_pixels
         COMMAND bash -c "\"$0\" graph \"$1\" -o \"$2\" && /usr/bin/python3 \"$3\" \"$2\""
                 $<TARGET_FILE:attnviz> ${GRAPH_FIX}/two_edges.npz ${TMP}/graph_two_edges.png
                 ${CMAKE_CURRENT_SOURCE_DIR}/cli/graph_pixels.py)
add_test(NAME cli.graph_sample_truth
         COMMAND bash -c "set -o pipefail; \"$0\" graph \"$1\" --json | /usr/bin/python3 \"$2\" \"$1\""
                 $<TARGET_FILE:attnviz> ${DATA}/gat.npz ${CMAKE_CURRENT_SOURCE_DIR}/cli/graph_truth.py)

# Statistics: the table, CSV header, JSON against the numpy reference's golden.
attnviz_cli_test(graph_stats_table EXIT 0 STDOUT "mean_entropy +mean_log_deg"
                 ARGS graph ${GRAPH_FIX}/random.npz --stats)
attnviz_cli_test(graph_stats_csv EXIT 0
                 STDOUT "^node,name,head,in_degree,mass,entropy,log_deg,ratio,kl_to_uniform,top_source,top_weight,received$"
                 ARGS graph ${GRAPH_FIX}/tiny.npz --csv)
attnviz_json_check(graph_json_matches_numpy
  "g = json.load(open(\"${GRAPH_FIX}/golden.json\"))[\"cases\"][1]\nassert len(d[\"head_summaries\"]) == 3\nfor m, e in zip(d[\"head_summaries\"], g[\"heads\"]):\n    for k in (\"mean_entropy\", \"mean_uniform_entropy\", \"mean_ratio\", \"mean_kl\", \"near_uniform_share\"):\n        assert abs(m[k] - e[k]) < 1e-6, (k, m[k], e[k])\nfor m, e in zip(d[\"node_stats\"], g[\"nodes\"]):\n    assert m[\"top_edge\"] == e[\"top_edge\"]\n    assert (m[\"entropy\"] is None) == (e[\"entropy\"] is None)\n    assert m[\"entropy\"] is None or abs(m[\"entropy\"] - e[\"entropy\"]) < 1e-6"
  graph ${GRAPH_FIX}/random.npz --json)

# Bad inputs: exit 3, one line naming the file, no figure left.
foreach(case "bad_shape|expected 'edge_index' of shape \\(2, E\\), found \\(3, 12\\)"
             "bad_rows|expected 'alpha' of shape \\(12, heads\\) .*found \\(11, 2\\)"
             "bad_negative|expected node indices >= 0 in edge_index\\[[01]\\], found -1"
             "bad_range|expected node indices < 5 .*found 7"
             "bad_nan|expected finite attention in alpha, found nan at edge 2, head 1")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 file)
  list(GET parts 1 message)
  attnviz_cli_test(graph_${file} EXIT 3 STDERR "${file}\\.npz: ${message}"
                   ABSENT ${TMP}/graph_${file}.png
                   ARGS graph ${GRAPH_FIX}/${file}.npz -o ${TMP}/graph_${file}.png)
endforeach()
attnviz_cli_test(graph_not_a_graph EXIT 3 STDERR "copy_offset\\.npz: expected a dense 'attention' of shape \\(heads, N, N\\) or \\(N, N\\), found \\(2, 4, 24, 24\\)"
                 ARGS graph ${DATA}/copy_offset.npz --stats)
attnviz_cli_test(graph_bad_head EXIT 2 STDERR "--head 7 is not a head" ABSENT ${TMP}/graph_head.png
                 ARGS graph ${GRAPH_FIX}/tiny.npz --head 7 -o ${TMP}/graph_head.png)
attnviz_cli_test(graph_bad_node EXIT 2 STDERR "--node 9 is not a node"
                 ARGS graph ${GRAPH_FIX}/tiny.npz --node 9 -o ${TMP}/graph_node.png)
attnviz_cli_test(graph_no_classes EXIT 2 STDERR "--color-by class: .*has no classes"
                 ARGS graph ${GRAPH_FIX}/random.npz --color-by class -o ${TMP}/graph_nocls.png)
attnviz_cli_test(graph_nothing_asked EXIT 2 STDERR "give -o FILE" ARGS graph ${GRAPH_FIX}/tiny.npz)
attnviz_cli_test(graph_help EXIT 0 STDOUT "Examples:" ARGS graph --help)
# Without attnviz_graphviz.so no layout, so no figure: exit 4 (tests/cli/without_module.sh).
add_test(NAME cli.graph_without_module
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/without_module.sh $<TARGET_FILE:attnviz>
                 ${DATA} ${TMP}/graph_without_module attnviz_graphviz.so 4 gat.png
                 graph ${DATA}/gat.npz -o gat.png)
