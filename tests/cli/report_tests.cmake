# End-to-end tests of `attnviz report`: a valid PDF of the documented pages, page sizes, fonts
# embedded, numbers that match numpy, byte-identical reruns, and errors that leave no file.
# Included from tests/CMakeLists.txt after cli_tests.cmake (uses attnviz_cli_test, DATA, TMP, REAL).
set(REPORTS ${TMP}/reports)
file(MAKE_DIRECTORY ${REPORTS})
set(REPORT_PDF ${CMAKE_CURRENT_SOURCE_DIR}/cli/report_pdf.sh)
set(A4 "595.276 x 841.89")
set(LETTER "612 x 792")

# attnviz_report_test(NAME PAGES SIZE INPUT [TEXT regex...] [ARGS options...]): writes NAME.pdf
# from INPUT (skipped when INPUT is absent: the real dumps) and checks it with report_pdf.sh.
# On small dumps: findings, the dump and the statistics table on page 1, the maps, the grid with
# the rollout below it, the clustering, the checks: 5 pages. A section that does not apply is a
# sentence that follows on the page before.
function(attnviz_report_test name pages size input)
  cmake_parse_arguments(R "" "" "TEXT;ARGS" ${ARGN})
  string(JOIN " " options ${R_ARGS})
  add_test(NAME cli.report_${name}
           COMMAND bash -c "if [ ! -e \"$1\" ]; then echo \"skip: $1 absent\"; exit 77; fi; rm -f \"$2\"; \"$0\" report \"$1\" -o \"$2\" ${options} && bash ${REPORT_PDF} \"$2\" \"\${@:3}\""
                   $<TARGET_FILE:attnviz> ${input} ${REPORTS}/${name}.pdf ${pages} ${size} ${R_TEXT})
  set_tests_properties(cli.report_${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

attnviz_report_test(induction 5 ${A4} ${DATA}/induction.npy
                    TEXT "Findings" "Per-head statistics" "previous 0\\.90" "induction 0\\.93"
                         "rollout of query 40" "average linkage" "Every rule holds")
attnviz_report_test(letter 5 ${LETTER} ${DATA}/copy_offset.npz ARGS --page letter)
attnviz_report_test(float16_safetensors 5 ${A4} ${DATA}/induction_layers.safetensors)
attnviz_report_test(reverse_json_dark 5 ${A4} ${DATA}/reverse.json ARGS --theme dark --cmap magma)
# Cross-attention: no positional statistics, no rollout; the pages say so.
attnviz_report_test(cross 4 ${A4} ${DATA}/seq2seq_cross.json
                    TEXT "distance: no head has it" "Not computed: .*self-attention")
# The real dumps: one head each, so no maps, rollout or clustering, each one sentence: 3 pages.
# The Llama crop fails row_sum, and the findings say so.
attnviz_report_test(real_finbert 3 ${A4} ${REAL}/finbert_l11h0.json
                    TEXT "ProsusAI/finbert" "clustering needs at least two heads"
                         "rollout multiplies the layers, and this dump has one")
attnviz_report_test(real_llama_crop 3 ${A4} ${REAL}/llama31_l31h0_crop.json
                    TEXT "row_sum: FAIL" "attnviz check would exit 1"
                         "failed rules +row_sum \\(1\\): attnviz check would exit 1 +p\\. 3")
attnviz_report_test(real_roberta_512 3 ${A4} ${REAL}/roberta_coqa_512.npy
                    TEXT "padded keys +144" "max-pooled to at most 64 x 64")

# The statistics table shows what numpy computes from the same file.
add_test(NAME cli.report_stats_match_numpy
         COMMAND bash -c "\"$0\" report \"$1\" -o \"$2\" && /usr/bin/python3 \"$3\" \"$2\" \"$1\""
                 $<TARGET_FILE:attnviz> ${DATA}/induction.npy ${REPORTS}/numpy.pdf
                 ${CMAKE_CURRENT_SOURCE_DIR}/cli/report_stats_text.py)
set_tests_properties(cli.report_stats_match_numpy PROPERTIES SKIP_RETURN_CODE 77)

# The first page names the heads planted in a 2 x 4 x 24 x 24 dump: L0H1 puts 0.9 on the first
# key (a sink), L1H2 0.9 on the key before (previous token); each with the page to look at.
set(PLANT "import sys, numpy as np; r = np.random.default_rng(3); x = np.exp(r.normal(size=(2, 4, 24, 24))); x /= x.sum(-1, keepdims=True); x[0, 1] = 0.1 / 23; x[0, 1, :, 0] = 0.9; x[1, 2] = 0.1 / 23; x[1, 2, range(24), [0] + list(range(23))] = 0.9; np.save(sys.argv[1], x.astype(np.float32))")
add_test(NAME cli.report_findings
         COMMAND bash -c "set -e; /usr/bin/python3 -c 'import numpy' || exit 77; /usr/bin/python3 -c \"$2\" \"$1/planted.npy\"; \"$0\" report \"$1/planted.npy\" -o \"$1/planted.pdf\"; text=$(pdftotext -layout -f 1 -l 1 \"$1/planted.pdf\" -); grep -Eq 'sinks \\(first-token share ≥ 0\\.5\\) +L0H1 0\\.90 +p\\. 2' <<<\"$text\"; grep -Eq 'previous-token heads +L1H2 0\\.90 +p\\. 3' <<<\"$text\"; grep -Eq 'failed rules +none' <<<\"$text\"; pdftotext -f 3 -l 3 \"$1/planted.pdf\" - | grep -q 'All heads, with their pattern labels'; echo ok"
                 $<TARGET_FILE:attnviz> ${REPORTS} "${PLANT}")
set_tests_properties(cli.report_findings PROPERTIES SKIP_RETURN_CODE 77)

# A bookmark for every section, on the page that shows its heading.
add_test(NAME cli.report_outline
         COMMAND bash -c "set -e; \"$0\" report \"$1\" -o \"$2/outline.pdf\"; /usr/bin/python3 \"$3\" \"$2/outline.pdf\" 'Findings · induction.npy' 'The dump' 'Per-head statistics' 'Statistics by layer and head' 'All heads, with their pattern labels' 'Attention rollout' 'Heads clustered by how alike they attend' 'Check results'; pdfinfo \"$2/outline.pdf\" | grep -q 'Title: *attnviz report · induction.npy'"
                 $<TARGET_FILE:attnviz> ${DATA}/induction.npy ${REPORTS} ${CMAKE_CURRENT_SOURCE_DIR}/cli/report_outline.py)

# --timings: one line on stderr naming every analysis and section, the PDF unchanged.
attnviz_cli_test(report_timings EXIT 0
                 STDERR "report timings, seconds on the clock \\(of processor\\): load [0-9.]+ \\([0-9.]+\\), summary .* stats .* classify .* rollout .* distances .* check .* layout .* draw grid .* compress and write .* total "
                 ARGS report ${DATA}/induction.npy --timings -o ${REPORTS}/timings.pdf)

# Byte-identical on a rerun, whatever -j, and with no date of its own (SOURCE_DATE_EPOCH unset:
# 1970; set: that date).
add_test(NAME cli.report_identical
         COMMAND bash -c "set -e; unset SOURCE_DATE_EPOCH; \"$0\" report \"$1\" -j 1 -o \"$2/same1.pdf\"; \"$0\" report \"$1\" -j 2 -o \"$2/same2.pdf\"; cmp \"$2/same1.pdf\" \"$2/same2.pdf\"; pdfinfo \"$2/same1.pdf\" | grep -q 'CreationDate: *Thu Jan  1 00:00:00 1970'; SOURCE_DATE_EPOCH=1700000000 \"$0\" report \"$1\" -o \"$2/dated.pdf\"; pdfinfo \"$2/dated.pdf\" | grep -q 'CreationDate: *Tue Nov 14 22:13:20 2023'; echo ok"
                 $<TARGET_FILE:attnviz> ${DATA}/induction.npy ${REPORTS})

# A long statistics table continues on further pages, its header repeated: 12 x 12 heads.
add_test(NAME cli.report_long_table
         COMMAND bash -c "set -e; /usr/bin/python3 -c 'import numpy' || exit 77; /usr/bin/python3 -c 'import sys, numpy as np; r = np.random.default_rng(0); x = np.exp(r.normal(size=(12, 12, 16, 16))); np.save(sys.argv[1], (x / x.sum(-1, keepdims=True)).astype(np.float32))' \"$2/many_heads.npy\"; \"$0\" report \"$2/many_heads.npy\" -o \"$2/many_heads.pdf\"; bash \"$1\" \"$2/many_heads.pdf\" 9 \"${A4}\" 'Per-head statistics \\(continued\\)' '^ +11 +11 ' 'Heads clustered: the MDS map'"
                 $<TARGET_FILE:attnviz> ${REPORT_PDF} ${REPORTS})
set_tests_properties(cli.report_long_table PROPERTIES SKIP_RETURN_CODE 77)

# Errors: one line, the documented exit code, no PDF (nor a temporary beside it).
attnviz_cli_test(report_bad_input EXIT 3 STDERR "truncated\\.npy: header says shape"
                 ABSENT ${REPORTS}/bad.pdf ARGS report ${FIX}/bad/truncated.npy -o ${REPORTS}/bad.pdf)
attnviz_cli_test(report_missing_input EXIT 3 STDERR "nope\\.npy: cannot open"
                 ABSENT ${REPORTS}/missing.pdf ARGS report ${FIX}/nope.npy -o ${REPORTS}/missing.pdf)
attnviz_cli_test(report_not_pdf EXIT 2 STDERR "report\\.png: a report is a PDF, expected a \\.pdf file"
                 ABSENT ${REPORTS}/report.png ARGS report ${DATA}/induction.npy -o ${REPORTS}/report.png)
attnviz_cli_test(report_bad_page EXIT 2 STDERR "--page"
                 ABSENT ${REPORTS}/page.pdf ARGS report ${DATA}/induction.npy --page a3 -o ${REPORTS}/page.pdf)
attnviz_cli_test(report_bad_rules EXIT 3 STDERR "unknown_key\\.json"
                 ABSENT ${REPORTS}/rules.pdf ARGS report ${DATA}/induction.npy
                 --rules ${CMAKE_CURRENT_SOURCE_DIR}/cli/style/unknown_key.json -o ${REPORTS}/rules.pdf)
attnviz_cli_test(report_no_output EXIT 2 STDERR "--output is required" ARGS report ${DATA}/induction.npy)
attnviz_cli_test(report_help EXIT 0 STDOUT "attnviz report data/induction\\.npy -o" ARGS report --help)
