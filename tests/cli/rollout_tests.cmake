# End-to-end tests of `attnviz rollout` and `attnviz flow` (included from tests/CMakeLists.txt
# after cli_tests.cmake, whose attnviz_cli_test and folders they use).
set(ROLLOUT_FIX ${FIX}/analysis/rollout)

# `--json` prints exactly one JSON object: KEY (and perhaps "rows"), a ROWS x COLS matrix under KEY.
# attnviz_matrix_json_test(NAME KEY ROWS COLS <attnviz arguments...>)
function(attnviz_matrix_json_test name key rows cols)
  add_test(NAME cli.${name}
           COMMAND bash -c "\"$0\" \"$@\" | python3 -c 'import json, sys\nd = json.loads(sys.stdin.read())\nkey, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\nassert key in d and set(d) <= {\"rows\", key}, sorted(d)\nm = d[key]\nassert len(m) == rows and all(len(r) == cols for r in m), (len(m), len(m[0]))\nprint(\"ok\", rows, \"x\", cols)' ${key} ${rows} ${cols}"
                   $<TARGET_FILE:attnviz> ${ARGN})
endfunction()

# rollout: a table by default, CSV, one JSON object, figures.
attnviz_cli_test(rollout_table EXIT 0 STDOUT "^query +token +0 +1 +2" ARGS rollout ${DATA}/induction.npy)
attnviz_cli_test(rollout_table_values EXIT 0 STDOUT "^ *40 +po +0\\.[0-9]{4} " ARGS rollout ${DATA}/induction.npy)
attnviz_cli_test(rollout_csv EXIT 0 STDOUT "^query,token,0,1,2," ARGS rollout ${DATA}/induction.npy --csv)
attnviz_matrix_json_test(rollout_json rollout 41 41 rollout ${DATA}/induction.npy --json)
attnviz_matrix_json_test(rollout_json_rows rollout 2 24 rollout ${DATA}/copy_offset.npz --rows 23,0 --json)
attnviz_cli_test(rollout_json_rows_listed EXIT 0 STDOUT "\"rows\":\\[23,0\\]" ARGS rollout ${DATA}/copy_offset.npz --rows 23,0 --json)
attnviz_cli_test(rollout_json_all_rows_null EXIT 0 STDOUT "\"rows\":null" ARGS rollout ${DATA}/reverse.json --json)
attnviz_cli_test(rollout_png EXIT 0 EXISTS ${TMP}/rollout.png ARGS rollout ${DATA}/induction.npy -o ${TMP}/rollout.png)
attnviz_cli_test(rollout_rows_pdf EXIT 0 EXISTS ${TMP}/rollout_rows.pdf
                 ARGS rollout ${DATA}/induction_layers.safetensors --rows 30,15 --fuse max -o ${TMP}/rollout_rows.pdf)
attnviz_cli_test(rollout_svg EXIT 0 EXISTS ${TMP}/rollout.svg
                 ARGS rollout ${DATA}/reverse.json --discard 0.5 -o ${TMP}/rollout.svg)
attnviz_cli_test(rollout_help EXIT 0 STDOUT "Examples:" ARGS rollout --help)

# rollout: what it refuses, with the exit code of each kind.
attnviz_cli_test(rollout_cross_attention EXIT 3
                 STDERR "seq2seq_cross\\.json: expected self-attention with as many queries as keys, found 21 queries x 10 keys"
                 ABSENT ${TMP}/cross.png ARGS rollout ${DATA}/seq2seq_cross.json -o ${TMP}/cross.png)
attnviz_cli_test(rollout_nan EXIT 3
                 STDERR "nonfinite\\.npy: expected finite attention weights, found NaN at layer 0, head 1, query 2, key 3"
                 ARGS rollout ${ROLLOUT_FIX}/nonfinite.npy)
attnviz_cli_test(rollout_row_out_of_range EXIT 2
                 STDERR "induction\\.npy: --rows 41 is out of range: the dump has 41 tokens \\(0\\.\\.40\\)"
                 ARGS rollout ${DATA}/induction.npy --rows 3,41)
attnviz_cli_test(rollout_end_layer_out_of_range EXIT 2
                 STDERR "--end-layer 2 is out of range: the dump has 2 layers \\(0\\.\\.1\\)"
                 ARGS rollout ${DATA}/induction.npy --end-layer 2)
attnviz_cli_test(rollout_layers_crossed EXIT 2 STDERR "--start-layer 1 is above --end-layer 0"
                 ARGS rollout ${DATA}/induction.npy --start-layer 1 --end-layer 0)
attnviz_cli_test(rollout_discard_one EXIT 2 STDERR "--discard: expected a ratio in .0, 1\\), found 1"
                 ARGS rollout ${DATA}/induction.npy --discard 1)
attnviz_cli_test(rollout_residual_conflict EXIT 2 STDERR "--no-residual.*--residual-weight|--residual-weight.*--no-residual"
                 ARGS rollout ${DATA}/induction.npy --no-residual --residual-weight 0.5)
attnviz_cli_test(rollout_bad_fuse EXIT 2 STDERR "--fuse" ARGS rollout ${DATA}/induction.npy --fuse median)
attnviz_cli_test(rollout_bad_extension EXIT 2 STDERR "expected a \\.png, \\.svg or \\.pdf output file"
                 ABSENT ${TMP}/rollout.gif ARGS rollout ${DATA}/induction.npy -o ${TMP}/rollout.gif)
attnviz_cli_test(rollout_output_folder EXIT 4 STDERR "cannot write"
                 ARGS rollout ${DATA}/induction.npy -o ${TMP}/no/such/folder/rollout.png)

# flow: the same outputs, raw values, threads.
attnviz_cli_test(flow_table EXIT 0 STDOUT "^query +token +0 +1 +2" ARGS flow ${DATA}/copy_offset.npz)
attnviz_cli_test(flow_csv EXIT 0 STDOUT "^query,0,1,2," ARGS flow ${ROLLOUT_FIX}/dense.npy --csv)
attnviz_matrix_json_test(flow_json flow 24 24 flow ${DATA}/copy_offset.npz --json -j 2)
attnviz_cli_test(flow_json_schema EXIT 0 STDOUT "^\\{\"flow\":\\[\\[.*\\]\\]\\}$" ARGS flow ${DATA}/reverse.json --json)
attnviz_cli_test(flow_json_rows_listed EXIT 0 STDOUT "\"rows\":\\[40\\]" ARGS flow ${DATA}/induction.npy --rows 40 --json)
attnviz_matrix_json_test(flow_json_rows flow 1 41 flow ${DATA}/induction.npy --rows 40 --raw --json -j 1)
attnviz_cli_test(flow_raw_by_hand EXIT 0 STDOUT "\"flow\":\\[\\[1\\.0,0\\.0\\]\\]"
                 ARGS flow ${FIX}/analysis/flow/reroute.npy --no-residual --raw --rows 0 --json)
attnviz_cli_test(flow_png EXIT 0 EXISTS ${TMP}/flow.png ARGS flow ${DATA}/induction.npy -o ${TMP}/flow.png)
if(EXISTS ${REAL})
  attnviz_cli_test(flow_real_crop EXIT 0 STDOUT "\"flow\":" ARGS flow ${REAL}/llama31_l31h0_crop.json --json)
endif()
attnviz_cli_test(flow_help EXIT 0 STDOUT "Examples:" ARGS flow --help)
attnviz_cli_test(flow_cross_attention EXIT 3 STDERR "seq2seq_cross\\.json: expected self-attention"
                 ARGS flow ${DATA}/seq2seq_cross.json)
attnviz_cli_test(flow_row_out_of_range EXIT 2 STDERR "--rows -1 is out of range"
                 ARGS flow ${DATA}/induction.npy --rows -1)
