# End-to-end tests of `attnviz positional` and `attnviz sinks` (included from tests/CMakeLists.txt
# after cli_tests.cmake and stats_tests.cmake, whose functions and folders they use).
set(POS_FIX ${FIX}/analysis/positional)
set(POS_OUT ${CMAKE_CURRENT_BINARY_DIR}/positional_out)
file(MAKE_DIRECTORY ${POS_OUT})

attnviz_cli_test(positional_table EXIT 0 STDOUT "^layer +head +score +dominant +dominant_share +rows$"
                 ARGS positional ${POS_FIX}/planted_*.npy)
attnviz_json_test(positional_json "layer head score dominant dominant_share rows"
                  positional ${POS_FIX}/planted_*.npy --json)
attnviz_cli_test(positional_csv EXIT 0 STDOUT "^layer,head,score,dominant,dominant_share,rows$"
                 ARGS positional ${POS_FIX}/planted_*.npy --csv)
attnviz_cli_test(positional_cross EXIT 0 STDOUT "\"score\":null" ARGS positional ${POS_FIX}/cross_0.npy --json)
attnviz_cli_test(positional_map EXIT 0 EXISTS ${POS_OUT}/map.svg
                 ARGS positional ${POS_FIX}/planted_*.npy -o ${POS_OUT}/map.svg)
attnviz_cli_test(positional_json_and_csv EXIT 2 STDERR "--json and --csv: expected one of them"
                 ARGS positional ${POS_FIX}/planted_0.npy --json --csv)
attnviz_cli_test(positional_batch_item_names EXIT 0 STDOUT "\"inputs\":1"
                 ARGS positional ${DATA}/induction.npy --json --batch all)

attnviz_cli_test(sinks_table EXIT 0 STDOUT "^layer +head +first +special +punct +.CLS. +.SEP. +sink"
                 ARGS sinks ${POS_FIX}/planted_*.npy)
attnviz_json_test(sinks_json "layer head first special punct by_token sink sink_inputs sink_mass rows"
                  sinks ${POS_FIX}/planted_*.npy --json)
attnviz_cli_test(sinks_csv EXIT 0 STDOUT "^layer,head,first,special,punct,.SEP.,sink,sink_inputs,sink_mass$"
                 ARGS sinks ${POS_FIX}/planted_*.npy --csv --special "\[SEP\]")
attnviz_cli_test(sinks_no_tokens EXIT 0 STDOUT "\"special\":null" ARGS sinks ${POS_FIX}/causal_*.npy --json)
attnviz_cli_test(sinks_figure EXIT 0 EXISTS ${POS_OUT}/masses.pdf
                 ARGS sinks ${POS_FIX}/planted_*.npy -o ${POS_OUT}/masses.pdf)
attnviz_cli_test(sinks_bad_extension EXIT 2 STDERR "masses\\.txt" ABSENT ${POS_OUT}/masses.txt
                 ARGS sinks ${POS_FIX}/planted_0.npy -o ${POS_OUT}/masses.txt)

add_test(NAME cli.positional_sinks_batches
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/positional_sinks.sh $<TARGET_FILE:attnviz>
                 ${FIX} ${POS_OUT}/batches)
add_test(NAME cli.dodrio_heads
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/dodrio_heads.sh $<TARGET_FILE:attnviz> ${REAL}
                 ${POS_OUT}/dodrio)
set_tests_properties(cli.dodrio_heads PROPERTIES SKIP_RETURN_CODE 77)
if(ATTNVIZ_SANITIZE)  # peak memory is bounded in the optimised run only (dodrio_heads.sh)
  set_property(TEST cli.dodrio_heads PROPERTY ENVIRONMENT ATTNVIZ_TEST_SANITIZED=1)
endif()
attnviz_cli_test(sinks_unwritable EXIT 4 STDERR "missing/masses\\.png: cannot write: folder .* does not exist"
                 ARGS sinks ${POS_FIX}/planted_0.npy -o ${POS_OUT}/missing/masses.png)
attnviz_cli_test(positional_json_to_figure_stdout EXIT 2 STDERR "--json and --csv print to standard output"
                 ARGS positional ${POS_FIX}/planted_0.npy --json -o - --format png)
# --layer and --head keep rows of the heads tables (the figures and layer means keep every head).
attnviz_cli_test(positional_select EXIT 0 STDOUT "^.\"heads\":..\"dominant\":\"\\+1\",[^}]*\"head\":0,\"layer\":1,[^}]*\}.,\"inputs\":6\}$"
                 ARGS positional ${POS_FIX}/planted_*.npy --json --layer 1 --head 0)
attnviz_cli_test(sinks_select_out_of_range EXIT 2 STDERR "--layer 5 is out of range: the dump has 2 layers"
                 ARGS sinks ${POS_FIX}/planted_*.npy --layer 5)
