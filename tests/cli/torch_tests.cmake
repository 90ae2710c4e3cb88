# End-to-end tests of .pt files (tests/fixtures/torch, written by torch.save): what info reports,
# figures identical to numpy's, and pickles refused with nothing run. Included from
# tests/CMakeLists.txt after cli_tests.cmake (uses its attnviz_cli_test, FIX and TMP).
set(PT ${FIX}/torch)
set(PT_SIDE_EFFECT /tmp/attnviz-torch-pickle-ran)  # what the hostile pickles would create

attnviz_cli_test(torch_info_tuple EXIT 0 STDOUT "3 layers, 2 heads, 4 queries x 4 keys, batch item 0 of 2"
                 ARGS info ${PT}/layers_tuple.pt)
attnviz_cli_test(torch_info_axes EXIT 0 STDOUT "shape +.3,2,2,4,4. \\(layer, batch, head, query, key\\)"
                 ARGS info ${PT}/layers_list.pt)
# Its attention_mask marks the last of 5 positions as padding: 4 tokens are shown.
attnviz_cli_test(torch_info_dict_tokens EXIT 0 STDOUT "tokens +4 query, 4 key, embedded in the dump"
                 ARGS info ${PT}/dict_tokens_mask.pt)
attnviz_cli_test(torch_info_format EXIT 0 STDOUT "\\(pt, array attentions\\)"
                 ARGS info ${PT}/legacy_f16.pt)
attnviz_cli_test(torch_info_bf16 EXIT 0 STDOUT "dtype +bfloat16" ARGS info ${PT}/tensor_bf16.pt)
attnviz_cli_test(torch_key EXIT 0 STDOUT "array weights" ARGS info ${PT}/dict_other_key.pt --key weights)
attnviz_cli_test(torch_heatmap EXIT 0 EXISTS ${TMP}/torch_heatmap.png
                 ARGS heatmap ${PT}/dict_tokens_mask.pt --layer 1 --head 1 -o ${TMP}/torch_heatmap.png)
add_test(NAME cli.torch_same_figure_as_numpy
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/torch_same_figure.sh $<TARGET_FILE:attnviz>
                 ${TMP}/torch_same ${PT}/layers_tuple.pt ${PT}/layers_tuple.npy
                 --layer 2 --head 1 --batch 1)

# Refused: one line naming the file and what it asked for; nothing run, no figure left.
attnviz_cli_test(torch_os_system EXIT 3 STDERR "hostile_os_system\\.pt.*refused pickle global 'os\\.system'"
                 ABSENT ${PT_SIDE_EFFECT} ARGS info ${PT}/hostile_os_system.pt)
attnviz_cli_test(torch_eval EXIT 3 STDERR "refused pickle global 'builtins\\.eval'"
                 ABSENT ${TMP}/torch_eval.png ARGS heatmap ${PT}/hostile_eval.pt -o ${TMP}/torch_eval.png)
attnviz_cli_test(torch_model_output EXIT 3
                 STDERR "transformers\\.modeling_outputs\\.BaseModelOutput.*torch\\.save\\(outputs\\.attentions, path\\)"
                 ARGS info ${PT}/hostile_model_output.pt)
attnviz_cli_test(torch_no_attention EXIT 3 STDERR "bad_no_attention\\.pt: .*found entries 'logits', 'hidden'"
                 ARGS info ${PT}/bad_no_attention.pt)
attnviz_cli_test(torch_plain_pickle EXIT 3 STDERR "plain\\.pkl: a Python pickle.*torch\\.save"
                 ARGS info ${PT}/plain.pkl)
