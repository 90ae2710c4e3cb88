# End-to-end tests of the attnviz executable: exit code, stderr words, and what must not be left.
set(ATTNVIZ_EXPECT ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
set(FIX ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)
set(DATA ${PROJECT_SOURCE_DIR}/data)
set(TMP ${CMAKE_CURRENT_BINARY_DIR}/cli_out)
file(MAKE_DIRECTORY ${TMP})

# Regexes avoid '[': CMake would not split the argument list inside square brackets.
# attnviz_cli_test(NAME EXIT <code> [STDERR <regex>] [STDOUT <regex>] [ABSENT <path>]
#                  [EXISTS <path>] ARGS <attnviz arguments...>)
function(attnviz_cli_test name)
  cmake_parse_arguments(T "" "EXIT;STDERR;STDOUT;ABSENT;EXISTS" "ARGS" ${ARGN})
  add_test(NAME cli.${name}
           COMMAND bash ${ATTNVIZ_EXPECT} "${T_EXIT}" "${T_STDERR}" "${T_STDOUT}" "${T_ABSENT}"
                   "${T_EXISTS}" $<TARGET_FILE:attnviz> ${T_ARGS})
endfunction()

set(BAD ${FIX}/bad)
set(REAL ${PROJECT_SOURCE_DIR}/../shared/real)

# Each error class: exit code, the words of the one-line message, and no output file left.
attnviz_cli_test(missing_file EXIT 3 STDERR "nope\\.npy: cannot open: No such file"
                 ABSENT ${TMP}/missing.png ARGS heatmap ${FIX}/nope.npy -o ${TMP}/missing.png)
attnviz_cli_test(empty_file EXIT 3 STDERR "empty\\.npy: empty file" ABSENT ${TMP}/empty.png
                 ARGS heatmap ${BAD}/empty.npy -o ${TMP}/empty.png)
attnviz_cli_test(unknown_format EXIT 3 STDERR "unknown\\.bin: unknown format: expected npy, npz, json or safetensors"
                 ABSENT ${TMP}/unknown.png ARGS heatmap ${BAD}/unknown.bin -o ${TMP}/unknown.png)
attnviz_cli_test(truncated_npy EXIT 3 STDERR "truncated\\.npy: header says shape .* bytes, file has [0-9]+ bytes after the header"
                 ABSENT ${TMP}/truncated.png ARGS heatmap ${BAD}/truncated.npy -o ${TMP}/truncated.png)
attnviz_cli_test(shape_mismatch_npy EXIT 3 STDERR "shape_mismatch\\.npy: header says shape"
                 ABSENT ${TMP}/shape.png ARGS heatmap ${BAD}/shape_mismatch.npy -o ${TMP}/shape.png)
attnviz_cli_test(int_dtype EXIT 3 STDERR "int32\\.npy: expected a float array .*found int32"
                 ABSENT ${TMP}/int.png ARGS heatmap ${BAD}/int32.npy -o ${TMP}/int.png)
attnviz_cli_test(complex_dtype EXIT 3 STDERR "complex\\.npy: expected a float array .*found complex"
                 ARGS info ${BAD}/complex.npy)
attnviz_cli_test(object_dtype EXIT 3 STDERR "object\\.npy: expected a float array .*found object"
                 ARGS info ${BAD}/object.npy)
attnviz_cli_test(structured_dtype EXIT 3 STDERR "structured\\.npy: .*structured" ARGS info ${BAD}/structured.npy)
attnviz_cli_test(header_code EXIT 3 STDERR "header_code\\.npy: expected a dict literal in the npy header" ARGS info ${BAD}/header_code.npy)
attnviz_cli_test(header_not_dict EXIT 3 STDERR "header_not_dict\\.npy: expected a dict literal in the npy header" ARGS info ${BAD}/header_not_dict.npy)
attnviz_cli_test(bad_npy_version EXIT 3 STDERR "bad_version\\.npy: expected npy format version 1.0, 2.0 or 3.0, found 9"
                 ARGS info ${BAD}/bad_version.npy)
attnviz_cli_test(broken_zip EXIT 3 STDERR "broken\\.npz: .*(broken|truncated) zip" ABSENT ${TMP}/broken.png
                 ARGS heatmap ${BAD}/broken.npz -o ${TMP}/broken.png)
attnviz_cli_test(bad_crc EXIT 3 STDERR "badcrc\\.npz:.*CRC-32 mismatch" ABSENT ${TMP}/badcrc.png
                 ARGS heatmap ${BAD}/badcrc.npz -o ${TMP}/badcrc.png)
attnviz_cli_test(ragged_json EXIT 3 STDERR "ragged\\.json: expected a list of 4 at attention.2. .shape .3, 4.., found a list of 3"
                 ABSENT ${TMP}/ragged.png ARGS heatmap ${BAD}/ragged.json -o ${TMP}/ragged.png)
attnviz_cli_test(truncated_json EXIT 3 STDERR "truncated\\.json: invalid JSON at byte [0-9]+"
                 ABSENT ${TMP}/truncjson.png ARGS heatmap ${BAD}/truncated.json -o ${TMP}/truncjson.png)
attnviz_cli_test(json_without_attention EXIT 3 STDERR "no_attention_key\\.json: expected an object with an 'attention' key"
                 ARGS info ${BAD}/no_attention_key.json)
attnviz_cli_test(json_strings EXIT 3 STDERR "strings\\.json: expected a number at attention.0..0., found string" ARGS info ${BAD}/strings.json)
attnviz_cli_test(embedded_token_mismatch EXIT 3 STDERR "tokens_mismatch\\.json: expected 4 tokens \\(one per (query|key)\\), found 5"
                 ABSENT ${TMP}/tokmis.png ARGS heatmap ${BAD}/tokens_mismatch.json -o ${TMP}/tokmis.png)
attnviz_cli_test(tokens_file_mismatch EXIT 3 STDERR "five_tokens\\.txt: expected 4 tokens \\(one per query\\), found 5"
                 ABSENT ${TMP}/tokfile.png ARGS heatmap ${BAD}/square4.npy --tokens ${BAD}/five_tokens.txt -o ${TMP}/tokfile.png)
attnviz_cli_test(safetensors_offsets EXIT 3 STDERR "safetensors_offsets\\.safetensors: .*outside the"
                 ARGS info ${BAD}/safetensors_offsets.safetensors)
attnviz_cli_test(safetensors_int EXIT 3 STDERR "safetensors_int\\.safetensors: .*found I32"
                 ARGS info ${BAD}/safetensors_int.safetensors)
attnviz_cli_test(layer_out_of_range EXIT 2 STDERR "--layer 7 is out of range: the dump has 1 layer \\(0\\)"
                 ABSENT ${TMP}/layer.png ARGS heatmap ${BAD}/square4.npy --layer 7 -o ${TMP}/layer.png)
attnviz_cli_test(head_out_of_range EXIT 2 STDERR "--head 3 is out of range: the dump has 1 head \\(0\\)"
                 ABSENT ${TMP}/head.png ARGS heatmap ${BAD}/square4.npy --head 3 -o ${TMP}/head.png)
attnviz_cli_test(unknown_flag EXIT 2 STDERR "attnviz: .*--frobnicate" ABSENT ${TMP}/flag.png
                 ARGS heatmap ${BAD}/square4.npy --frobnicate -o ${TMP}/flag.png)
attnviz_cli_test(unknown_extension EXIT 2 STDERR "expected a \\.png, \\.svg or \\.pdf output file, found extension '\\.gif'"
                 ABSENT ${TMP}/figure.gif ARGS heatmap ${BAD}/square4.npy -o ${TMP}/figure.gif)
attnviz_cli_test(missing_output_folder EXIT 4 STDERR "no/such/folder/out\\.png: cannot write: folder .* does not exist"
                 ARGS heatmap ${BAD}/square4.npy -o ${TMP}/no/such/folder/out.png)
attnviz_cli_test(output_is_input EXIT 4 STDERR "refusing to overwrite the input file"
                 ARGS heatmap ${BAD}/square4.npy --format png -o ${BAD}/square4.npy)
attnviz_cli_test(bad_axes EXIT 2 STDERR "--axes: expected names from layer, batch, head, query, key, found 'row'"
                 ARGS info ${BAD}/square4.npy --axes row,key)
attnviz_cli_test(axes_wrong_count EXIT 2 STDERR "expected 2 axis names for a rank-2 array, found 3"
                 ARGS info ${BAD}/square4.npy --axes head,query,key)
attnviz_cli_test(no_subcommand EXIT 2 STDERR "subcommand" ARGS)
attnviz_cli_test(to_dev_full EXIT 4 STDERR "/dev/full: cannot write" ARGS heatmap ${BAD}/square4.npy -o /dev/full --format png)

# Success paths: output exists, stdout has the keys.
attnviz_cli_test(info_json_keys EXIT 0
                 STDOUT "\"path\".*\"row_sum_min\"" ARGS info ${BAD}/square4.npy --json)
attnviz_cli_test(version EXIT 0 STDOUT "attnviz [0-9]+\\.[0-9]+" ARGS --version)
# ATTNVIZ_ISA narrows the vectorised kernels; --version says which run; a wrong name is a usage error.
attnviz_cli_test(version_names_kernels EXIT 0 STDOUT "vectorised kernels: [a-z0-9]+ \\(this CPU: .*scalar" ARGS --version)
add_test(NAME cli.isa_scalar_version COMMAND $<TARGET_FILE:attnviz> --version)
set_tests_properties(cli.isa_scalar_version PROPERTIES ENVIRONMENT ATTNVIZ_ISA=scalar
                     PASS_REGULAR_EXPRESSION "vectorised kernels: scalar ")
add_test(NAME cli.isa_unknown COMMAND bash ${ATTNVIZ_EXPECT} 2 "ATTNVIZ_ISA \"avx9\" is not an instruction set; expected one of .*scalar"
                                      "" "" "" env ATTNVIZ_ISA=avx9 $<TARGET_FILE:attnviz> info ${DATA}/induction.npy)
attnviz_cli_test(help_has_example EXIT 0 STDOUT "Examples:" ARGS heatmap --help)
attnviz_cli_test(heatmap_png EXIT 0 EXISTS ${TMP}/square.png ARGS heatmap ${BAD}/square4.npy -o ${TMP}/square.png)
attnviz_cli_test(heatmap_svg EXIT 0 EXISTS ${TMP}/square.svg ARGS heatmap ${BAD}/square4.npy -o ${TMP}/square.svg)
attnviz_cli_test(heatmap_pdf EXIT 0 EXISTS ${TMP}/square.pdf ARGS heatmap ${BAD}/square4.npy -o ${TMP}/square.pdf)
attnviz_cli_test(unknown_format_option EXIT 2 STDERR "--format: expected png, svg or pdf, found 'gif'"
                 ARGS heatmap ${BAD}/square4.npy -o ${TMP}/x.gif --format gif)
# Standard input: npy and json piped in give the same summary as the files.
add_test(NAME cli.stdin COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/stdin_test.sh $<TARGET_FILE:attnviz>
                                ${BAD}/square4.npy ${REAL}/finbert_l11h0.json)
set_tests_properties(cli.stdin PROPERTIES SKIP_RETURN_CODE 77)

# More hostile inputs: each refused with exit 3 and a message naming what was found.
attnviz_cli_test(negative_dimension EXIT 3 STDERR "negative_shape\\.npy: expected a non-negative dimension" ARGS info ${BAD}/negative_shape.npy)
attnviz_cli_test(shape_overflow EXIT 3 STDERR "overflow_shape\\.npy: header shape .* overflows 64 bits" ARGS info ${BAD}/overflow_shape.npy)
attnviz_cli_test(rank_one EXIT 3 STDERR "rank1\\.npy: expected an array of rank 2 to 5, found rank 1" ARGS info ${BAD}/rank1.npy)
attnviz_cli_test(npz_without_float_array EXIT 3 STDERR "no_arrays\\.npz:tokens\\.npy: expected a float array .*unicode" ARGS info ${BAD}/no_arrays.npz)
attnviz_cli_test(safetensors_shape_bytes EXIT 3 STDERR "needs 80 bytes, data_offsets give 64" ARGS info ${BAD}/safetensors_shape_mismatch.safetensors)
attnviz_cli_test(safetensors_header_length EXIT 3 STDERR "header says it is 1000000 bytes long" ARGS info ${BAD}/safetensors_header_len.safetensors)
attnviz_cli_test(tokens_invalid_utf8 EXIT 3 STDERR "invalid_utf8\\.txt: line 3: invalid UTF-8" ARGS info ${BAD}/square4.npy --tokens ${BAD}/invalid_utf8.txt)
attnviz_cli_test(tokens_not_strings EXIT 3 STDERR "tokens_not_strings\\.json: expected a JSON list of strings, found a number" ARGS info ${BAD}/square4.npy --tokens ${BAD}/tokens_not_strings.json)
# JSON as Python writes it, and tokens files whose first line starts with '['.
attnviz_cli_test(json_python_nan EXIT 0 STDOUT "NaN / Inf +2 / 2" ARGS info ${FIX}/formats/json_python_naninf.json)
attnviz_cli_test(tokens_first_line_cls EXIT 0 EXISTS ${TMP}/tokens_cls.png
                 ARGS heatmap ${FIX}/formats/npy_v1_f4le_c_causal.npy --tokens ${FIX}/formats/tokens_bert_cls.txt -o ${TMP}/tokens_cls.png)
attnviz_cli_test(batch_out_of_range EXIT 2 STDERR "--batch 5 is out of range" ARGS info ${BAD}/square4.npy --batch 5)
attnviz_cli_test(key_names_no_array EXIT 2 STDERR "--key nope names no array" ARGS info ${BAD}/badcrc.npz --key nope)

# The consumers users feed our figures to accept them, and re-runs are byte-identical.
foreach(dump ${DATA}/induction.npy ${DATA}/copy_offset.npz ${DATA}/reverse.json
             ${DATA}/induction_layers.safetensors ${REAL}/finbert_l11h0.json
             ${REAL}/roberta_coqa_512.npy)
  get_filename_component(stem ${dump} NAME_WE)
  add_test(NAME cli.consumers_${stem}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/consumers_test.sh $<TARGET_FILE:attnviz>
                   ${TMP}/consumers ${dump})
  set_tests_properties(cli.consumers_${stem} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

# Output to a read-only folder; materialising past the memory limit.
add_test(NAME cli.read_only_folder
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/readonly_test.sh $<TARGET_FILE:attnviz>
                 ${BAD}/square4.npy ${TMP}/read_only)
attnviz_cli_test(memory_limit EXIT 3 STDERR "inflating this deflated member needs 18560 bytes in memory, more than the 1024-byte limit"
                 ARGS info ${DATA}/copy_offset.npz)
set_tests_properties(cli.memory_limit PROPERTIES ENVIRONMENT ATTNVIZ_MAX_MEMORY=1K)

# SIGKILL while writing a multi-page PDF never leaves a fragment (issue: atomic outputs).
add_test(NAME cli.sigkill_atomic_pdf
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/sigkill_test.sh $<TARGET_FILE:attnviz>
                 ${TMP}/sigkill 20)
set_tests_properties(cli.sigkill_atomic_pdf PROPERTIES TIMEOUT 600)
