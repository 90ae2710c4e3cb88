# One numbering of layers and heads in every command, -o - to standard output, and check on
# half-precision dumps (bf16, f16) as torch and numpy write them. Uses cli_tests.cmake's FIX, REAL
# and TMP.
foreach(case slice_everywhere layer_option_is_model_number finbert bare_matrix_title stdout_png
             stdout_svg stdout_needs_format stdout_stats_json)
  add_test(NAME cli.numbering_${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/numbering_test.sh ${case}
                   $<TARGET_FILE:attnviz> ${FIX} ${REAL} ${TMP})
  set_tests_properties(cli.numbering_${case} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

add_test(NAME cli.check_half_precision
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/half_precision_check.py
                 $<TARGET_FILE:attnviz> ${TMP}/half_precision)
set_tests_properties(cli.check_half_precision PROPERTIES SKIP_RETURN_CODE 77)
