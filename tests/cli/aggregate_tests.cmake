# End-to-end tests of --aggregate on stats, classify and check (included from tests/CMakeLists.txt
# after cli_tests.cmake, whose attnviz_cli_test, FIX, TMP and REAL they use).
set(AGG_FIX ${FIX}/analysis/aggregate)

add_test(NAME cli.aggregate_reference
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/aggregate_test.sh $<TARGET_FILE:attnviz> ${FIX}
                 ${TMP}/aggregate)
add_test(NAME cli.aggregate_dodrio_memory
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/aggregate_dodrio.sh $<TARGET_FILE:attnviz> ${REAL})
set_tests_properties(cli.aggregate_dodrio_memory PROPERTIES SKIP_RETURN_CODE 77)
# AddressSanitizer's quarantine keeps freed memory, so peak RSS grows with the work done: there the
# script still runs the 40 inputs but does not bound their memory.
if(ATTNVIZ_SANITIZE)
  set_property(TEST cli.aggregate_dodrio_memory PROPERTY ENVIRONMENT ATTNVIZ_TEST_SANITIZED=1)
endif()

attnviz_cli_test(stats_aggregate_table EXIT 0 STDOUT "5 inputs; n: the inputs where the statistic applies"
                 ARGS stats ${AGG_FIX}/*.npy --aggregate)
attnviz_cli_test(stats_aggregate_csv EXIT 0 STDOUT "^layer,head,statistic,n,mean,std,min,q25,median,q75,max$"
                 ARGS stats ${AGG_FIX}/*.npy --aggregate --csv)
attnviz_cli_test(classify_aggregate_table EXIT 0 STDOUT "0 +2 +first +1.00 +5 +first 5"
                 ARGS classify ${AGG_FIX}/*.npy --aggregate)
attnviz_cli_test(classify_output_needs_aggregate EXIT 2 STDERR "-o draws the grid of --aggregate"
                 ABSENT ${TMP}/agg_labels.png ARGS classify ${AGG_FIX}/in_0.npy -o ${TMP}/agg_labels.png)
attnviz_cli_test(check_several_need_aggregate EXIT 2 STDERR "FILE: expected one input, found 2; check several together with --aggregate"
                 ARGS check ${AGG_FIX}/in_0.npy ${AGG_FIX}/in_1.npy)
attnviz_cli_test(aggregate_mixed_models EXIT 3
                 STDERR "in_0.npy: expected .* as the first input has, found 2 layers x 3 heads"
                 ARGS stats ${AGG_FIX}/in_0.npy ${DATA}/induction.npy --aggregate)
attnviz_cli_test(classify_aggregate_csv EXIT 0
                 STDOUT "^layer,head,most_frequent,share,inputs,self,previous,next,first,special,offset,reorder,block,local,align,duplicate,induction,peaked,diffuse,heterogeneous$"
                 ARGS classify ${AGG_FIX}/*.npy --aggregate --csv)
attnviz_cli_test(check_aggregate_baseline_kind EXIT 2
                 STDERR "--aggregate --baseline .*baseline_wrong_heads.json: expected the output of 'attnviz stats --aggregate --json', found the statistics of one input"
                 ARGS check ${AGG_FIX}/in_0.npy --aggregate --baseline ${FIX}/check/baseline_wrong_heads.json)
attnviz_cli_test(stats_summary_needs_aggregate_plot EXIT 2
                 STDERR "--summary std: chooses what --aggregate --plot STAT draws; expected both"
                 ABSENT ${TMP}/agg_std.png ARGS stats ${AGG_FIX}/in_0.npy --plot prev --summary std -o ${TMP}/agg_std.png)
