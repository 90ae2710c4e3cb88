# attnviz vlm: text tokens over image patches on the synthetic scene of data/ (make-vlm-sample.py):
# every format accepted by its consumers and byte-identical on re-run, the measured share and the
# pixels checked by numpy (vlm_check.py), and the messages of bad inputs.
set(VLM_ARGS vlm ${DATA}/vlm_attn.npy --tokens ${DATA}/vlm_tokens.txt --image ${DATA}/vlm_scene.png
             --grid 8x8)

attnviz_figure_consumers(vlm_phrase NEEDS ${DATA}/vlm_attn.npy
                         ARGS ${VLM_ARGS} --layer 1 --head 2 --phrase "red square")
attnviz_figure_consumers(vlm_fused NEEDS ${DATA}/vlm_attn.npy
                         ARGS ${VLM_ARGS} --layer 1 --fuse mean --token blue --token 70 --top-k 2)
attnviz_figure_consumers(vlm_region NEEDS ${DATA}/vlm_attn.npy
                         ARGS ${VLM_ARGS} --layer 1 --fuse mean --region 0,16,16,32px)

add_test(NAME cli.vlm_measured_share_and_pixels
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/vlm_check.py
                 $<TARGET_FILE:attnviz> ${DATA} ${TMP})

# The patches found three ways: the <image> run, an explicit span, and one placeholder expanded.
attnviz_cli_test(vlm_span EXIT 0 STDOUT "\"token\": \"#65\""
                 ARGS vlm ${DATA}/vlm_attn.npy --no-tokens --grid 8x8 --image-span 1:65
                      --token 65 --json)
file(WRITE ${TMP}/vlm_one_placeholder.txt "<s>\n<image>\nred\nsquare\nleft\nof\nblue\ncircle\n")
attnviz_cli_test(vlm_one_placeholder EXIT 0 STDOUT "\"position\": 66"
                 ARGS vlm ${DATA}/vlm_attn.npy --tokens ${TMP}/vlm_one_placeholder.txt --grid 8x8
                      --token square --json)

attnviz_cli_test(vlm_cross_attention EXIT 0 STDOUT "\"patches\": \"keys\""
                 ARGS vlm ${DATA}/seq2seq_cross.json --grid 2x5 --token 2 --json)

# Bad inputs: one line, the documented exit code, no figure left behind.
attnviz_cli_test(vlm_span_outside EXIT 2
                 STDERR "vlm_attn\\.npy: --image-span 10:75 is outside the sequence: expected A < B <= 71"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS ${VLM_ARGS} --image-span 10:75 --token 0 -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_span_grid EXIT 2
                 STDERR "--image-span 1:60 holds 59 positions, the 8x8 grid \\(64 patches\\) needs 64"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS ${VLM_ARGS} --image-span 1:60 --token 0 -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_grid_placeholders EXIT 3
                 STDERR "the tokens hold 64 <image> at positions 1:65 of 71 tokens for 71 queries; the 6x6 grid"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS vlm ${DATA}/vlm_attn.npy --tokens ${DATA}/vlm_tokens.txt
                      --image ${DATA}/vlm_scene.png --grid 6x6 --token red -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_no_image EXIT 2 STDERR "the figure needs --image"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS vlm ${DATA}/vlm_attn.npy --grid 8x8 --token red -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_missing_image EXIT 3 STDERR "nope\\.png"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS vlm ${DATA}/vlm_attn.npy --tokens ${DATA}/vlm_tokens.txt --image ${TMP}/nope.png
                      --grid 8x8 --token red -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_patch_token EXIT 2 STDERR "--token 5 is not a text position"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS ${VLM_ARGS} --token 5 -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_unknown_word EXIT 2 STDERR "no text token \"purple\" found"
                 ARGS ${VLM_ARGS} --phrase "red purple" --json)
attnviz_cli_test(vlm_region_outside EXIT 2 STDERR "--region 6,6,9,8 \\(patches\\) is empty or outside the 8x8 grid"
                 ABSENT ${TMP}/vlm_bad.png
                 ARGS ${VLM_ARGS} --region 6,6,9,8 -o ${TMP}/vlm_bad.png)
attnviz_cli_test(vlm_region_keys_only EXIT 2 STDERR "--region needs the patches as queries"
                 ARGS vlm ${DATA}/seq2seq_cross.json --grid 2x5 --region 0,0,1,1 --json)
attnviz_cli_test(vlm_cross_keys EXIT 2 STDERR "the 10 keys are not the 3x3 grid \\(9 patches\\)"
                 ARGS vlm ${DATA}/seq2seq_cross.json --grid 3x3 --token 2 --json)
attnviz_cli_test(vlm_nothing_chosen EXIT 2 STDERR "choose text tokens"
                 ARGS ${VLM_ARGS} --json)
attnviz_cli_test(vlm_cannot_write EXIT 4 STDERR "vlm_missing_folder"
                 ARGS ${VLM_ARGS} --token red -o ${TMP}/vlm_missing_folder/vlm.png)
attnviz_cli_test(vlm_bad_region EXIT 2 STDERR "--region 1,2,x,4: expected x0,y0,x1,y1 in patches"
                 ARGS ${VLM_ARGS} --region 1,2,x,4 --json)
attnviz_cli_test(vlm_region_pixels_json EXIT 0 STDOUT "\"x1\": 2"
                 ARGS ${VLM_ARGS} --region 0,16,16,32px --json)
