# End-to-end tests of padding, per-item tokens and --softmax: what info reports, that figures draw
# only the real tokens by default, and the 40 dodrio-twitter dumps. Included from
# tests/CMakeLists.txt after cli_tests.cmake (uses its attnviz_cli_test, FIX, TMP and REAL).
set(FORMATS ${FIX}/formats)
set(PADDED ${FORMATS}/npz_padded_right.npz)
set(PAD_FIGS ${TMP}/padding)
file(MAKE_DIRECTORY ${PAD_FIGS})

# info: the padding, how it was known, every item's unpadded length, the tokens' source.
attnviz_cli_test(info_padding_from_mask EXIT 0
                 STDOUT "padding +from attention_mask: real queries 0:4, keys 0:4 of 6 x 6, shown without padding"
                 ARGS info ${PADDED} --batch 1)
attnviz_cli_test(info_item_lengths EXIT 0 STDOUT "unpadded length of each batch item: 6, 4, 2"
                 ARGS info ${PADDED} --batch 1)
attnviz_cli_test(info_tokens_embedded EXIT 0 STDOUT "tokens +4 query, 4 key, embedded in the dump"
                 ARGS info ${PADDED} --batch 1)
attnviz_cli_test(info_json_trimmed EXIT 0
                 STDOUT "\"item_lengths\":.6,4,2.,\"real_keys\":.0,2.,\"real_queries\":.0,2.,\"source\":\"attention_mask\",\"trimmed\":true.*\"queries\":2,"
                 ARGS info ${PADDED} --batch 2 --json)
attnviz_cli_test(info_keep_padding EXIT 0 STDOUT "6 queries x 6 keys.*" ARGS info ${PADDED} --batch 1 --keep-padding)
attnviz_cli_test(info_left_padding EXIT 0 STDOUT "real queries 2:5, keys 2:5 of 5 x 5"
                 ARGS info ${FORMATS}/npz_padded_left.npz --batch 1)
attnviz_cli_test(info_pad_tokens EXIT 0 STDOUT "padding +from pad tokens: real queries 0:3"
                 ARGS info ${FORMATS}/npz_pad_tokens.npz)
attnviz_cli_test(info_no_tokens EXIT 0 STDOUT "tokens +none"
                 ARGS info ${FORMATS}/npz_pad_tokens.npz --no-tokens)
attnviz_cli_test(info_zero_keys EXIT 0 STDOUT "padding +from zero key columns: real queries 0:4, keys 0:4 of 7 x 7"
                 ARGS info ${FORMATS}/npz_zero_keys.npz)
attnviz_cli_test(info_safetensors_mask EXIT 0 STDOUT "unpadded length of each batch item: 4, 3"
                 ARGS info ${FORMATS}/st_mask.safetensors --batch 1)
attnviz_cli_test(info_default_axes EXIT 0 STDOUT "the default reading of 4 dimensions; name them otherwise with --axes"
                 ARGS info ${FORMATS}/npz_scores.npz)

# Scores: info says so, --softmax reads probabilities, check names the problem.
attnviz_cli_test(info_scores EXIT 0 STDOUT "look like pre-softmax scores.*--softmax"
                 ARGS info ${FORMATS}/npz_scores.npz)
attnviz_cli_test(info_softmax EXIT 0 STDOUT "\"looks_like_scores\":false.*\"row_sum_max\":1\\.0000[0-9]*,\"row_sum_min\":0\\.0,.*\"softmax\":true"
                 ARGS info ${FORMATS}/npz_scores.npz --softmax --json)
attnviz_cli_test(check_scores EXIT 1 STDOUT "pre-softmax scores\\? \\(read them with --softmax\\)"
                 ARGS check ${FORMATS}/npz_scores.npz)

# Figures draw only the real tokens: a bare heatmap of 3 px cells is 4 x 4 cells for item 1,
# 6 x 6 with --keep-padding.
add_test(NAME cli.heatmap_padding_trimmed
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${PADDED} --batch 1 --bare --cell 3 -o ${PAD_FIGS}/trim.png && bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/png_size.sh ${PAD_FIGS}/trim.png 12 12")
add_test(NAME cli.heatmap_padding_kept
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${PADDED} --batch 1 --keep-padding --bare --cell 3 -o ${PAD_FIGS}/keep.png && bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/png_size.sh ${PAD_FIGS}/keep.png 18 18")

add_test(NAME cli.dodrio_trimmed
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/dodrio_trimmed.sh $<TARGET_FILE:attnviz> ${REAL}
                 ${PAD_FIGS}/dodrio)
set_tests_properties(cli.dodrio_trimmed PROPERTIES SKIP_RETURN_CODE 77)
