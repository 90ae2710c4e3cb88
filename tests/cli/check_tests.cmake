# `attnviz check`: exit 0 when every rule holds, 1 for each failing rule (fixtures from
# scripts/make-check-fixtures.py, values in tests/fixtures/check/expected.json), drift against a
# baseline written by `stats --json`, JUnit and JSON outputs, rules files and their errors.
set(CHK ${FIX}/check)

attnviz_cli_test(check_clean EXIT 0 STDOUT "^passed: every rule holds" ARGS check ${CHK}/clean.npy)
attnviz_cli_test(check_data_sample EXIT 0 STDOUT "^passed: every rule holds"
                 ARGS check ${DATA}/induction.npy)
attnviz_cli_test(check_help EXIT 0 STDOUT "attnviz check data/induction.npy" ARGS check --help)

# One fixture per rule, failing that rule (and only it) on the head or layer it was built for;
# --all lists every result with its message (by default only a summary line per failing rule).
attnviz_cli_test(check_finite EXIT 1
                 STDOUT "finite +layer 1 head 0 +FAIL +1 NaN and 0 infinite values, expected at most 0"
                 ARGS check ${CHK}/nan.npy --all)
attnviz_cli_test(check_finite_inf EXIT 1 STDOUT "finite +layer 1 head 1 +FAIL +0 NaN and 1 infinite"
                 ARGS check ${CHK}/nan.npy --all)
attnviz_cli_test(check_row_sum EXIT 1
                 STDOUT "row_sum +layer 0 head 1 +FAIL +max .row sum - 1. = 0\\.1 > 0\\.001"
                 ARGS check ${CHK}/row_sum.npy --all)
attnviz_cli_test(check_row_sum_crop EXIT 0 STDOUT "^passed" ARGS check ${CHK}/row_sum.npy --crop)
attnviz_cli_test(check_row_sum_over_crop EXIT 1
                 STDOUT "row_sum +layer 0 head 1 +FAIL +crop: largest row sum - 1 = 0\\.1 > 0\\.001"
                 ARGS check ${CHK}/row_sum_over.npy --crop --all)
attnviz_cli_test(check_collapse EXIT 1
                 STDOUT "collapse +layer 1 +FAIL +mean JS over 1 head pairs = 0\\.00549[0-9]* < 0\\.01"
                 ARGS check ${CHK}/collapse.npy --all)
attnviz_cli_test(check_uniform EXIT 1 STDOUT "uniform +layer 1 head 1 +FAIL +entropy_norm 1 > 0\\.98"
                 ARGS check ${CHK}/uniform.npy --all)
attnviz_cli_test(check_sink EXIT 1
                 STDOUT "sink +layer 1 head 1 +FAIL +first_token share 0\\.97 > 0\\.95"
                 ARGS check ${CHK}/sink.npy --all)
attnviz_cli_test(check_redundant EXIT 1
                 STDOUT "redundant +layer 0 head 0 +FAIL +JS to layer 1 head 1 = 0 < 0\\.001"
                 ARGS check ${CHK}/redundant.npy --all)
attnviz_cli_test(check_padding EXIT 1
                 STDOUT "padding +layer 0 head 0 +FAIL +padding share 0\\.333333 > 0\\.05"
                 ARGS check ${CHK}/padding.json --all)
attnviz_cli_test(check_padding_masked EXIT 0 STDOUT "padding +0\\.05 +4 +0 +0"
                 ARGS check ${CHK}/padding_masked.json)
attnviz_cli_test(check_summary_counts EXIT 1 STDOUT "^FAILED: 1 of 26 checks"
                 ARGS check ${CHK}/sink.npy)

# Thresholds and rules from flags and files; flags win over the file.
attnviz_cli_test(check_threshold_flag EXIT 0 ARGS check ${CHK}/sink.npy --sink 0.98)
attnviz_cli_test(check_disable EXIT 0 STDOUT "sink +off" ARGS check ${CHK}/sink.npy --disable sink)
attnviz_cli_test(check_rules_file EXIT 0 STDOUT "uniform +off"
                 ARGS check ${CHK}/sink.npy --rules ${CHK}/rules_sink_relaxed.json)
attnviz_cli_test(check_rules_off EXIT 0 ARGS check ${CHK}/sink.npy --rules ${CHK}/rules_sink_off.json)
attnviz_cli_test(check_flag_over_rules EXIT 1 STDOUT "first_token share 0\\.97 > 0\\.9"
                 ARGS check ${CHK}/sink.npy --rules ${CHK}/rules_sink_off.json --sink 0.9 --all)
attnviz_cli_test(check_rules_unknown EXIT 3
                 STDERR "rules_unknown\\.json: expected rule names \\(finite, row_sum, .*\\), found 'sinks'"
                 ARGS check ${CHK}/clean.npy --rules ${CHK}/rules_unknown.json)
attnviz_cli_test(check_rules_bad_value EXIT 3
                 STDERR "rules_bad_value\\.json: expected false, true, a threshold .* for 'sink', found \"high\""
                 ARGS check ${CHK}/clean.npy --rules ${CHK}/rules_bad_value.json)
attnviz_cli_test(check_rules_negative EXIT 3
                 STDERR "rules_negative\\.json: expected a number >= 0 for 'redundant\\.threshold', found -1"
                 ARGS check ${CHK}/clean.npy --rules ${CHK}/rules_negative.json)
attnviz_cli_test(check_rules_invalid EXIT 3 STDERR "rules_invalid\\.json: invalid JSON at byte"
                 ARGS check ${CHK}/clean.npy --rules ${CHK}/rules_invalid.json)
attnviz_cli_test(check_rules_missing EXIT 3 STDERR "nope\\.json: cannot open the rules file"
                 ARGS check ${CHK}/clean.npy --rules ${CHK}/nope.json)
attnviz_cli_test(check_disable_unknown EXIT 2 STDERR "--disable: expected rule names .*found 'sinks'"
                 ARGS check ${CHK}/clean.npy --disable sinks)
attnviz_cli_test(check_negative_flag EXIT 2 STDERR "--sink" ARGS check ${CHK}/clean.npy --sink -1)
attnviz_cli_test(check_tolerance_alone EXIT 2 STDERR "--tolerance and --rel-tolerance need --baseline"
                 ARGS check ${CHK}/clean.npy --tolerance 0.1)
attnviz_cli_test(check_bad_dump EXIT 3 STDERR "empty\\.npy: empty file" ARGS check ${BAD}/empty.npy)

# Drift: the baseline is what `stats --json` writes for clean.npy; drifted.npy changes the
# previous-token head L0H1 from 0.7 to 0.5 on the previous token.
add_test(NAME cli.check_baseline_write
         COMMAND bash -c "\"$0\" stats \"$1\" --json > \"$2\"" $<TARGET_FILE:attnviz>
                 ${CHK}/clean.npy ${TMP}/check_baseline.json)
set_tests_properties(cli.check_baseline_write PROPERTIES FIXTURES_SETUP check_baseline)
attnviz_cli_test(check_drift_none EXIT 0 STDOUT "drift +0\\.02 \\+ 0\\.05 x .baseline. +56 +0 +16"
                 ARGS check ${CHK}/clean.npy --baseline ${TMP}/check_baseline.json)
attnviz_cli_test(check_drift EXIT 1
                 STDOUT "drift +layer 0 head 1 +FAIL +prev 0\\.7 -> 0\\.5, outside 0\\.7 \\+- 0\\.055"
                 ARGS check ${CHK}/drifted.npy --baseline ${TMP}/check_baseline.json --all)
# Of L0H1's 14 statistics, self and row_sum_dev stay (row 0 keeps 1/6 on itself either way) and
# the four that do not apply without tokens or a grid are skipped: 8 fail, nothing else does.
attnviz_cli_test(check_drift_only_that_head EXIT 1 STDOUT "^FAILED: 8 of 82 checks"
                 ARGS check ${CHK}/drifted.npy --baseline ${TMP}/check_baseline.json)
attnviz_cli_test(check_drift_tolerance EXIT 0
                 ARGS check ${CHK}/drifted.npy --baseline ${TMP}/check_baseline.json --tolerance 0.5)
attnviz_cli_test(check_drift_wrong_heads EXIT 3
                 STDERR "baseline_wrong_heads\\.json: expected a baseline of 4 heads \\(2 layers x 2\\) as the dump has, found 1"
                 ARGS check ${CHK}/clean.npy --baseline ${CHK}/baseline_wrong_heads.json)
attnviz_cli_test(check_drift_not_stats EXIT 3 STDERR "rules_sink_off\\.json: expected the output of attnviz stats --json"
                 ARGS check ${CHK}/clean.npy --baseline ${CHK}/rules_sink_off.json)
set_tests_properties(cli.check_drift_none cli.check_drift cli.check_drift_only_that_head
                     cli.check_drift_tolerance PROPERTIES FIXTURES_REQUIRED check_baseline)

# Machine outputs: JUnit well-formed and complete, JSON one object; --junit written or nothing.
add_test(NAME cli.check_junit_json
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_outputs_test.py
                 $<TARGET_FILE:attnviz> ${CHK}/nan.npy ${TMP})
add_test(NAME cli.check_junit_xmllint
         COMMAND bash -c "command -v xmllint >/dev/null || exit 77; \"$0\" check \"$1\" --junit \"$2\" >/dev/null; test $? = 1 && xmllint --noout \"$2\""
                 $<TARGET_FILE:attnviz> ${CHK}/redundant.npy ${TMP}/check_redundant.xml)
set_tests_properties(cli.check_junit_xmllint PROPERTIES SKIP_RETURN_CODE 77)
attnviz_cli_test(check_junit_unwritable EXIT 4 STDERR "no/such/folder/check\\.xml: cannot write"
                 ARGS check ${CHK}/sink.npy --junit ${TMP}/no/such/folder/check.xml)
attnviz_cli_test(check_junit_is_input EXIT 4 STDERR "refusing to overwrite the input file"
                 ARGS check ${CHK}/clean.npy --junit ${CHK}/clean.npy)

# A real crop: rows sum to 0.38-0.67, which row_sum fails unless told it is a crop.
if(EXISTS ${REAL}/llama31_l31h0_crop.json)
  attnviz_cli_test(check_real_crop EXIT 1 STDOUT "row_sum +layer 31 head 0 +FAIL"
                   ARGS check ${REAL}/llama31_l31h0_crop.json --all)
  attnviz_cli_test(check_real_crop_allowed EXIT 0 ARGS check ${REAL}/llama31_l31h0_crop.json --crop)
endif()

# The default output: one summary line per failing rule with its worst heads, however many fail.
attnviz_cli_test(check_summary_line EXIT 1
                 STDOUT "^row_sum: 1 of 4 heads fail; worst L0H1 \\(max .row sum - 1. 0\\.1\\)$"
                 ARGS check ${CHK}/row_sum.npy)
attnviz_cli_test(check_summary_layers EXIT 1
                 STDOUT "^collapse: 1 of 2 layers fail; worst L1 \\(mean JS between the layer's heads 0\\.00549"
                 ARGS check ${CHK}/collapse.npy)
add_test(NAME cli.check_summary_no_result_lines
         COMMAND bash -c "\"$0\" check \"$1\" > \"$2\"; test $? = 1 && ! grep -q ' FAIL ' \"$2\" && grep -q '^finite: 2 of 4 heads fail; worst L1H0 (NaN and infinite values 1), L1H1 (1)$' \"$2\""
                 $<TARGET_FILE:attnviz> ${CHK}/nan.npy ${TMP}/check_summary.txt)
# --csv: one row per rule and head (or layer), passed ones too; columns as docs/cli.md says.
add_test(NAME cli.check_csv
         COMMAND bash -c "set -e; \"$0\" check \"$1\" --csv > \"$2\" || test $? = 1; head -1 \"$2\" | grep -qx 'rule,layer,head,statistic,status,measured,threshold,baseline,message'; test $(tail -n +2 \"$2\" | wc -l) = 26; grep -q '^row_sum,0,1,,fail,0.1,0.001,,' \"$2\"; grep -q '^collapse,1,,,pass,' \"$2\"; test $(grep -c ',pass,' \"$2\") = 21"
                 $<TARGET_FILE:attnviz> ${CHK}/row_sum.npy ${TMP}/check_rows.csv)
attnviz_cli_test(check_json_csv EXIT 2 STDERR "--json and --csv: expected one of them"
                 ARGS check ${CHK}/clean.npy --json --csv)
# --layer/--head keep the results about those heads only (collapse is per layer).
attnviz_cli_test(check_layer_head EXIT 0 STDOUT "^row_sum +0\\.001 +1 +0 +0"
                 ARGS check ${CHK}/row_sum.npy --layer 1 --head 0)
attnviz_cli_test(check_summary_drift EXIT 1
                 STDOUT "^drift: 8 of 56 head statistics fail; worst L0H1 [a-z_]+ \\(change from the baseline [0-9.]+ -> [0-9.]+\\), L0H1 "
                 ARGS check ${CHK}/drifted.npy --baseline ${TMP}/check_baseline.json)
set_tests_properties(cli.check_summary_drift PROPERTIES FIXTURES_REQUIRED check_baseline)
