# End-to-end tests of heatmap, grid and colormaps: selections, templates, PDF pages, options that
# fail, and real consumers on every figure type. Included from tests/CMakeLists.txt after
# cli_tests.cmake (uses its attnviz_cli_test, FIX, DATA, TMP and REAL).
set(FIGS ${TMP}/figures)
file(MAKE_DIRECTORY ${FIGS} ${FIGS}/selection)
set(CONSUMERS ${CMAKE_CURRENT_SOURCE_DIR}/cli/figure_consumers.sh)
set(PNG_SIZE ${CMAKE_CURRENT_SOURCE_DIR}/cli/png_size.sh)
set(IND ${DATA}/induction.npy)

function(attnviz_figure_test name)
  add_test(NAME cli.figure_${name}
           COMMAND bash ${CONSUMERS} $<TARGET_FILE:attnviz> ${FIGS}/consumers ${name} ${ARGN})
  set_tests_properties(cli.figure_${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

# Every figure type and its main variants through pngcheck, qpdf, pdftoppm and rsvg-convert.
attnviz_figure_test(heatmap_annotated heatmap ${IND} --layer 1 --head 2 --queries 0:12 --keys 0:12 -o @FIGURE@)
attnviz_figure_test(heatmap_causal heatmap ${IND} --layer 1 --head 2 -o @FIGURE@)
attnviz_figure_test(heatmap_fused heatmap ${DATA}/copy_offset.npz --layer all --fuse max --norm power:0.5 -o @FIGURE@)
attnviz_figure_test(heatmap_log_dark heatmap ${DATA}/reverse.json --norm log --theme dark -o @FIGURE@)
attnviz_figure_test(heatmap_transparent heatmap ${DATA}/induction_layers.safetensors --transparent --cmap magma -o @FIGURE@)
attnviz_figure_test(heatmap_cross heatmap ${DATA}/seq2seq_cross.json --layer 1 --head 3 --cmap Blues -o @FIGURE@)
attnviz_figure_test(heatmap_bare heatmap ${IND} --layer 1 --head 2 --bare --cell 4 -o @FIGURE@)
attnviz_figure_test(heatmap_llama heatmap ${REAL}/llama31_l31h0_crop.json --clean-tokens -o @FIGURE@)
attnviz_figure_test(heatmap_roberta heatmap ${REAL}/roberta_coqa_512.npy --size 6inx5in -o @FIGURE@)
attnviz_figure_test(heatmap_finbert heatmap ${REAL}/finbert_l11h0.json --cmap Greys --font-size 8 -o @FIGURE@)
attnviz_figure_test(grid grid ${IND} -o @FIGURE@)
attnviz_figure_test(grid_labels grid ${IND} --labels --scale head --theme dark -o @FIGURE@)
attnviz_figure_test(grid_cross grid ${DATA}/seq2seq_cross.json --captions ${FIX}/render/captions.json -o @FIGURE@)
attnviz_figure_test(colormaps colormaps -o @FIGURE@)

# -j changes nothing in the files.
add_test(NAME cli.heatmap_parallel_identical
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/parallel_identical.sh $<TARGET_FILE:attnviz>
                 ${FIGS}/parallel ${IND})

# Selections and templates.
attnviz_cli_test(heatmap_template EXIT 0 EXISTS ${FIGS}/selection/induction_L1_H03.png
                 ARGS heatmap ${IND} --layer 0,1 --head 1:4 --format png -o ${FIGS}/selection/{stem}_L{layer}_H{head:02}.{ext})
attnviz_cli_test(heatmap_last_layer EXIT 0 EXISTS ${FIGS}/selection/last.png
                 ARGS heatmap ${IND} --layer -1 --head -1 -o ${FIGS}/selection/last.png)
attnviz_cli_test(heatmap_fuse_names EXIT 0 EXISTS ${FIGS}/selection/L1_mean.svg
                 ARGS heatmap ${IND} --layer 1 --fuse mean -o ${FIGS}/selection/L{layer}_{head}.svg)
attnviz_cli_test(heatmap_empty_range EXIT 2 STDERR "--head 3:1 is an empty range: the dump has 4 heads \\(0\\.\\.3\\)"
                 ARGS heatmap ${IND} --head 3:1 -o ${FIGS}/x.png)
attnviz_cli_test(heatmap_bad_selection EXIT 2 STDERR "--layer: expected an index, a range A:B, .* found 'first'"
                 ARGS heatmap ${IND} --layer first -o ${FIGS}/x.png)
attnviz_cli_test(heatmap_range_end_out EXIT 2 STDERR "--head 0:9 is out of range: the dump has 4 heads"
                 ARGS heatmap ${IND} --head 0:9 -o ${FIGS}/x.png)
attnviz_cli_test(heatmap_names_collide EXIT 2 STDERR "8 figures would share a file name; put \\{layer\\} and \\{head\\} in it, or write one \\.pdf"
                 ABSENT ${FIGS}/collide.png ARGS heatmap ${IND} --layer all --head all -o ${FIGS}/collide.png)
attnviz_cli_test(heatmap_unknown_field EXIT 2 STDERR "unknown field \\{query\\}; this command knows"
                 ARGS heatmap ${IND} -o ${FIGS}/{query}.png)
attnviz_cli_test(heatmap_unclosed_field EXIT 2 STDERR "a '\\{' without '\\}'"
                 ARGS heatmap ${IND} -o ${FIGS}/{layer.png)
attnviz_cli_test(heatmap_query_range_out EXIT 2 STDERR "--queries 0:99 is out of range: the dump has 41 queries"
                 ARGS heatmap ${IND} --queries 0:99 -o ${FIGS}/x.png)
# Several figures to one .pdf: a page each, accepted by qpdf and poppler.
add_test(NAME cli.heatmap_pdf_pages
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${IND} --layer all --head all -o ${FIGS}/pages.pdf && test \"$(qpdf --show-npages ${FIGS}/pages.pdf)\" = 8 && qpdf --check ${FIGS}/pages.pdf >/dev/null && pdftoppm -r 20 -png ${FIGS}/pages.pdf ${FIGS}/pages-page && test $(ls ${FIGS}/pages-page*.png | wc -l) = 8")

# Options that fail, before any file is written.
attnviz_cli_test(heatmap_bad_norm EXIT 2 STDERR "--norm: expected linear, log, power:GAMMA with GAMMA > 0, or centered; found 'power:-1'"
                 ABSENT ${FIGS}/norm.png ARGS heatmap ${IND} --norm power:-1 -o ${FIGS}/norm.png)
attnviz_cli_test(heatmap_bad_size EXIT 2 STDERR "--size: expected WxH with a unit"
                 ABSENT ${FIGS}/size.png ARGS heatmap ${IND} --size 6x4 -o ${FIGS}/size.png)
attnviz_cli_test(heatmap_size_and_cell EXIT 2 STDERR "give the cell size or the figure size, not both"
                 ABSENT ${FIGS}/both.png ARGS heatmap ${IND} --size 4inx4in --cell 3 -o ${FIGS}/both.png)
attnviz_cli_test(heatmap_log_vmin EXIT 2 STDERR "vmin 0 must be positive on a log scale"
                 ABSENT ${FIGS}/log.png ARGS heatmap ${IND} --norm log --vmin 0 -o ${FIGS}/log.png)
attnviz_cli_test(heatmap_annotate_both EXIT 2 STDERR "excludes"
                 ARGS heatmap ${IND} --annotate --no-annotate -o ${FIGS}/x.png)
attnviz_cli_test(heatmap_bad_theme EXIT 2 STDERR "--theme"
                 ARGS heatmap ${IND} --theme sepia -o ${FIGS}/x.png)

# Sizes in pixels, and bare cells K pixels each.
add_test(NAME cli.heatmap_size_px
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${IND} --size 1200x900px -o ${FIGS}/px.png && bash ${PNG_SIZE} ${FIGS}/px.png 1200 900")
add_test(NAME cli.heatmap_size_inches_dpi
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${IND} --size 6inx4in --dpi 150 -o ${FIGS}/in.png && bash ${PNG_SIZE} ${FIGS}/in.png 900 600")
add_test(NAME cli.heatmap_bare_cell
         COMMAND bash -c "$<TARGET_FILE:attnviz> heatmap ${IND} --bare --cell 3 --queries 0:10 -o ${FIGS}/bare.png && bash ${PNG_SIZE} ${FIGS}/bare.png 123 30")

# grid and colormaps.
attnviz_cli_test(grid_help EXIT 0 STDOUT "Examples:" ARGS grid --help)
attnviz_cli_test(colormaps_help EXIT 0 STDOUT "Examples:" ARGS colormaps --help)
attnviz_cli_test(colormaps_list EXIT 0 STDOUT "coolwarm_r" ARGS colormaps)
attnviz_cli_test(colormaps_json EXIT 0 STDOUT "^.\"colormaps\":.\"viridis\"" ARGS colormaps --json)
attnviz_cli_test(grid_bad_captions EXIT 3 STDERR "bad_captions\\.json: expected a JSON list of lists"
                 ABSENT ${FIGS}/captions.png ARGS grid ${IND} --captions ${FIX}/render/bad_captions.json -o ${FIGS}/captions.png)
attnviz_cli_test(grid_labels_and_captions EXIT 2 STDERR "excludes"
                 ARGS grid ${IND} --labels --captions ${FIX}/render/captions.json -o ${FIGS}/x.png)
attnviz_cli_test(grid_layer_out_of_range EXIT 2 STDERR "--layers 5 is out of range: the dump has 2 layers"
                 ARGS grid ${IND} --layers 5 -o ${FIGS}/x.png)
# A colorbar title longer than its bar wraps instead of losing its end ("each head scal…" on a
# one-layer grid scaled per head).
attnviz_cli_test(colorbar_title_wraps EXIT 0 STDOUT "each head scaled </tspan><tspan[^>]*>alone<"
                 ARGS grid ${FIX}/analysis/classify/local.npy --scale head --format svg -o -)
