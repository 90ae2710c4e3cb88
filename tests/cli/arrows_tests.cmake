# End-to-end tests of arrows, highlight and overlay: what users see on success and failure, and
# real consumers (pngcheck, qpdf, pdftoppm, rsvg-convert) on every format of every figure.
set(OVERLAY ${FIX}/overlay)

# figure_check.sh NEEDS ATTNVIZ FIGURE ARGS...: renders FIGURE twice (byte-identical), then has
# a consumer read it. Exits 77, a skip CTest shows, when the file NEEDS is absent (../shared is
# not in a clone).
set(ATTNVIZ_FIGURE_CHECK ${CMAKE_CURRENT_BINARY_DIR}/figure_check.sh)
file(WRITE ${ATTNVIZ_FIGURE_CHECK} [=[#!/usr/bin/env bash
set -eu
needs=$1 attnviz=$2 figure=$3
shift 3
if [ ! -e "$needs" ]; then echo "SKIP: $needs absent"; exit 77; fi
"$attnviz" "$@" -o "$figure"
cp "$figure" "$figure.first"
"$attnviz" "$@" -o "$figure"
cmp "$figure" "$figure.first" || { echo "$figure differs between two runs"; exit 1; }
rm "$figure.first"
case "$figure" in
  *.png) pngcheck -q "$figure" ;;
  *.pdf) qpdf --check "$figure" >/dev/null
         pdftoppm -r 30 -png -singlefile "$figure" "$figure-page"
         pngcheck -q "$figure-page.png" ;;
  *.svg) rsvg-convert "$figure" -o "$figure.png"
         pngcheck -q "$figure.png" ;;
esac
echo "ok: $figure accepted and byte-identical on re-run"
]=])

# attnviz_figure_consumers(NAME NEEDS <file> ARGS <attnviz arguments without -o>): one test per
# format, cli.NAME.png / .svg / .pdf.
function(attnviz_figure_consumers name)
  cmake_parse_arguments(T "" "NEEDS" "ARGS" ${ARGN})
  foreach(ext png svg pdf)
    add_test(NAME cli.${name}.${ext}
             COMMAND bash ${ATTNVIZ_FIGURE_CHECK} ${T_NEEDS} $<TARGET_FILE:attnviz>
                     ${TMP}/${name}.${ext} ${T_ARGS})
    set_tests_properties(cli.${name}.${ext} PROPERTIES SKIP_RETURN_CODE 77)
  endforeach()
endfunction()

# Every figure type, every format.
attnviz_figure_consumers(arrows_induction NEEDS ${DATA}/induction.npy
                         ARGS arrows ${DATA}/induction.npy --layer 1 --head 0)
attnviz_figure_consumers(arrows_heads NEEDS ${DATA}/reverse.json
                         ARGS arrows ${DATA}/reverse.json --head all --top-k 2)
attnviz_figure_consumers(arrows_alignment NEEDS ${DATA}/seq2seq_cross.json
                         ARGS arrows ${DATA}/seq2seq_cross.json --horizontal --head 2)
attnviz_figure_consumers(arrows_split NEEDS ${DATA}/reverse.json
                         ARGS arrows ${DATA}/reverse.json --split 14 --theme dark)
attnviz_figure_consumers(highlight_induction NEEDS ${DATA}/induction.npy
                         ARGS highlight ${DATA}/induction.npy --layer 1 --head 0 --query 30)
attnviz_figure_consumers(highlight_finbert NEEDS ${REAL}/finbert_l11h0.json
                         ARGS highlight ${REAL}/finbert_l11h0.json --query 0 --clean-tokens)
attnviz_figure_consumers(overlay_vit NEEDS ${OVERLAY}/vit.npz
                         ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png
                              --grid 14x14 --drop-cls --fuse mean --panel)

# arrows: success, sentence pairs and the messages of its own errors.
attnviz_cli_test(arrows_writes EXIT 0 EXISTS ${TMP}/arrows.png
                 ARGS arrows ${DATA}/induction.npy --layer 1 --head 0:2 --top-k 3 -o ${TMP}/arrows.png)
attnviz_cli_test(arrows_pair_ab EXIT 0 EXISTS ${TMP}/arrows_ab.svg
                 ARGS arrows ${DATA}/reverse.json --split 14 --pair AB -o ${TMP}/arrows_ab.svg)
attnviz_cli_test(arrows_template EXIT 0 EXISTS ${TMP}/arrows_L1_H3.png
                 ARGS arrows ${DATA}/induction.npy --layer 1 --head 3 -o ${TMP}/arrows_L{layer}_H{head}.png)
attnviz_cli_test(arrows_pair_without_split EXIT 2 STDERR "--pair needs --split N"
                 ABSENT ${TMP}/arrows_pair.png
                 ARGS arrows ${DATA}/reverse.json --pair AB -o ${TMP}/arrows_pair.png)
attnviz_cli_test(arrows_bad_pair EXIT 2 STDERR "--pair: expected all, AA, AB, BA or BB"
                 ARGS arrows ${DATA}/reverse.json --split 14 --pair AC -o ${TMP}/arrows_ac.png)
attnviz_cli_test(arrows_split_cross EXIT 2
                 STDERR "seq2seq_cross\\.json: --split needs self-attention over one token list, found 21 queries and 10 keys"
                 ARGS arrows ${DATA}/seq2seq_cross.json --split 3 -o ${TMP}/arrows_cross.png)
attnviz_cli_test(arrows_split_range EXIT 2 STDERR "--split 26 must leave tokens on both sides: expected 1\\.\\.25"
                 ARGS arrows ${DATA}/reverse.json --split 26 -o ${TMP}/arrows_split.png)
attnviz_cli_test(arrows_split_and_crop EXIT 2 STDERR "excludes"
                 ARGS arrows ${DATA}/reverse.json --split 14 --queries 0:3 -o ${TMP}/arrows_sc.png)
attnviz_cli_test(arrows_head_range EXIT 2 STDERR "--head 4 is out of range: the dump has 4 heads \\(0\\.\\.3\\)"
                 ARGS arrows ${DATA}/induction.npy --head 4 -o ${TMP}/arrows_h4.png)
attnviz_cli_test(arrows_size EXIT 2 STDERR "--size: an arrows figure takes its size from its tokens"
                 ARGS arrows ${DATA}/induction.npy --size 6inx4in -o ${TMP}/arrows_size.png)

# highlight
attnviz_cli_test(highlight_writes EXIT 0 EXISTS ${TMP}/highlight.pdf
                 ARGS highlight ${DATA}/induction.npy --layer 1 --fuse max --size 4in -o ${TMP}/highlight.pdf)
attnviz_cli_test(highlight_needs_fuse EXIT 2 STDERR "select several heads; combine them with --fuse"
                 ABSENT ${TMP}/highlight_heads.png
                 ARGS highlight ${DATA}/induction.npy --head 0:2 -o ${TMP}/highlight_heads.png)
attnviz_cli_test(highlight_query_range EXIT 2 STDERR "--query 41 is out of range"
                 ARGS highlight ${DATA}/induction.npy --query 41 -o ${TMP}/highlight_q.png)
attnviz_cli_test(highlight_height EXIT 2 STDERR "a highlight figure takes a width only"
                 ARGS highlight ${DATA}/induction.npy --size 4inx3in -o ${TMP}/highlight_h.png)

# overlay
attnviz_cli_test(overlay_writes EXIT 0 EXISTS ${TMP}/overlay.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png --grid 14x14
                      --drop-cls --head 1 --alpha 0.7 --cmap inferno -o ${TMP}/overlay.png)
attnviz_cli_test(overlay_needs_drop_cls EXIT 2
                 STDERR "vit\\.npz: --grid 14x14 has 196 patches, the dump has 197 keys; add --drop-cls"
                 ABSENT ${TMP}/overlay_cls.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png --grid 14x14 -o ${TMP}/overlay_cls.png)
attnviz_cli_test(overlay_bad_grid EXIT 2 STDERR "--grid: expected ROWSxCOLS such as 14x14"
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png --grid 14by14 -o ${TMP}/overlay_g.png)
attnviz_cli_test(overlay_missing_image EXIT 3 STDERR "nope\\.png: cannot open"
                 ABSENT ${TMP}/overlay_missing.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/nope.png --grid 14x14 --drop-cls -o ${TMP}/overlay_missing.png)
attnviz_cli_test(overlay_jpeg_named_png EXIT 3 STDERR "jpeg_named\\.png: unreadable JPEG"
                 ABSENT ${TMP}/overlay_jpeg.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/jpeg_named.png --grid 14x14 --drop-cls -o ${TMP}/overlay_jpeg.png)
attnviz_cli_test(overlay_reads_jpeg EXIT 0 EXISTS ${TMP}/overlay_jpeg_pad.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/wide.jpg --image-fit pad --grid 14x14
                      --drop-cls -o ${TMP}/overlay_jpeg_pad.png)
attnviz_cli_test(overlay_truncated_jpeg EXIT 3 STDERR "truncated\\.jpg: damaged JPEG: "
                 ABSENT ${TMP}/overlay_truncated.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/truncated.jpg --grid 14x14 --drop-cls -o ${TMP}/overlay_truncated.png)
attnviz_cli_test(overlay_cmyk_jpeg EXIT 3 STDERR "cmyk\\.jpg: expected an RGB or greyscale JPEG, found CMYK"
                 ABSENT ${TMP}/overlay_cmyk.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/cmyk.jpg --grid 14x14 --drop-cls -o ${TMP}/overlay_cmyk.png)
attnviz_cli_test(overlay_huge_jpeg EXIT 3 STDERR "huge\\.jpg: expected an image of 1 to 16384 pixels a side, found 65000 x 65000"
                 ABSENT ${TMP}/overlay_huge.png
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/huge.jpg --grid 14x14 --drop-cls -o ${TMP}/overlay_huge.png)
attnviz_cli_test(overlay_rollout_reads_jpeg EXIT 0 EXISTS ${TMP}/rollout_jpeg.svg
                 ARGS rollout ${OVERLAY}/vit.npz --rows 0 --draw overlay --image ${OVERLAY}/wide.jpg
                      --image-fit stretch --grid 14x14 --drop-cls -o ${TMP}/rollout_jpeg.svg)
attnviz_cli_test(overlay_image_fit_unknown EXIT 2 STDERR "--image-fit"
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/wide.jpg --image-fit zoom --grid 14x14 --drop-cls -o ${TMP}/overlay_fit.png)
attnviz_cli_test(overlay_alpha EXIT 2 STDERR "--alpha"
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png --grid 14x14 --drop-cls --alpha 2 -o ${TMP}/overlay_a.png)
attnviz_cli_test(overlay_image_is_output EXIT 4 STDERR "refusing to overwrite the input file"
                 ARGS overlay ${OVERLAY}/vit.npz --image ${OVERLAY}/picture.png --grid 14x14 --drop-cls -o ${OVERLAY}/picture.png)

# rollout and flow rows drawn as a highlight of the tokens and over a ViT's picture (--draw).
attnviz_figure_consumers(rollout_highlight NEEDS ${DATA}/induction.npy
                         ARGS rollout ${DATA}/induction.npy --rows 40 --draw highlight)
attnviz_figure_consumers(flow_highlight NEEDS ${DATA}/reverse.json
                         ARGS flow ${DATA}/reverse.json --rows 0 --draw highlight)
attnviz_figure_consumers(rollout_overlay NEEDS ${OVERLAY}/vit.npz
                         ARGS rollout ${OVERLAY}/vit.npz --rows 0 --fuse max --discard 0.9
                              --draw overlay --image ${OVERLAY}/picture.png --grid 14x14 --drop-cls)
attnviz_cli_test(rollout_highlight_needs_one_row EXIT 2
                 STDERR "induction\\.npy: --draw highlight shows one output token: give it with --rows"
                 ABSENT ${TMP}/rollout_rows_hl.png
                 ARGS rollout ${DATA}/induction.npy --draw highlight -o ${TMP}/rollout_rows_hl.png)
attnviz_cli_test(rollout_overlay_needs_image EXIT 2 STDERR "--draw overlay: needs --image"
                 ARGS rollout ${OVERLAY}/vit.npz --rows 0 --draw overlay -o ${TMP}/ov_noimg.png)
attnviz_cli_test(rollout_image_without_overlay EXIT 2
                 STDERR "--image, --grid and --drop-cls go with --draw overlay"
                 ARGS rollout ${OVERLAY}/vit.npz --rows 0 --image ${OVERLAY}/picture.png -o ${TMP}/ov_x.png)
attnviz_cli_test(rollout_overlay_grid_mismatch EXIT 2 STDERR "vit\\.npz: --grid 14x14 has 196 patches, the dump has 197 keys; add --drop-cls"
                 ABSENT ${TMP}/ov_grid.png
                 ARGS rollout ${OVERLAY}/vit.npz --rows 0 --draw overlay --image ${OVERLAY}/picture.png
                      --grid 14x14 -o ${TMP}/ov_grid.png)
attnviz_cli_test(flow_draw_needs_output EXIT 2 STDERR "--draw highlight: needs -o OUT"
                 ARGS flow ${DATA}/reverse.json --rows 0 --draw highlight)
