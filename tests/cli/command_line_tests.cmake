# The command line itself: help, suggestions for mistyped names, option values quoted as typed,
# the order of --help, the documented commands, and the colour rule of attribute's figures
# (included from tests/CMakeLists.txt after cli_tests.cmake, whose attnviz_cli_test it uses).

# attnviz help COMMAND is attnviz COMMAND --help; attnviz help is attnviz --help.
attnviz_cli_test(help_command EXIT 0 STDOUT "^Usage: .*heatmap" ARGS help heatmap)
attnviz_cli_test(help_alone EXIT 0 STDOUT "^Subcommands:" ARGS help)
attnviz_cli_test(help_names_help EXIT 0 STDOUT "attnviz help COMMAND" ARGS --help)
# Only the invoked command registers its options (start-up, src/cli/main.cc): each command that
# --help lists answers to its own name.
add_test(NAME cli.every_command_answers_to_its_name
         COMMAND bash -c "set -e; names=$(\"$0\" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); [ $(echo $names | wc -w) -ge 24 ] || { echo \"only: $names\"; exit 1; }; for name in $names; do \"$0\" $name --help | grep -q \"^Usage: attnviz $name \" || { echo \"$name\"; exit 1; }; done" $<TARGET_FILE:attnviz>)
add_test(NAME cli.help_command_same_as_flag
         COMMAND bash -c "cmp <(\"$0\" help cluster) <(\"$0\" cluster --help)" $<TARGET_FILE:attnviz>)

# A mistyped command or option: one line naming the nearest, exit 2.
attnviz_cli_test(mistyped_command EXIT 2
                 STDERR "^attnviz: unknown command 'heatmp'; did you mean heatmap\\?$"
                 ARGS heatmp ${DATA}/induction.npy)
attnviz_cli_test(mistyped_command_in_help EXIT 2
                 STDERR "^attnviz: unknown command 'rolout'; did you mean rollout\\?$"
                 ARGS help rolout)
attnviz_cli_test(unknown_command EXIT 2
                 STDERR "^attnviz: unknown command 'attn\\.npy' \\(see attnviz --help\\)$"
                 ARGS attn.npy)
attnviz_cli_test(mistyped_option EXIT 2
                 STDERR "^attnviz: heatmap: unknown option '--layr'; did you mean --layer\\?$"
                 ABSENT ${TMP}/mistyped_option.png
                 ARGS heatmap ${DATA}/induction.npy --layr 1 -o ${TMP}/mistyped_option.png)
attnviz_cli_test(mistyped_option_with_value EXIT 2
                 STDERR "^attnviz: rollout: unknown option '--discrad'; did you mean --discard\\?$"
                 ARGS rollout ${DATA}/induction.npy --discrad=0.5)
attnviz_cli_test(unknown_option_far_from_all EXIT 2
                 STDERR "^attnviz: stats: unknown option '--zzzzzz' \\(see attnviz help stats\\)$"
                 ARGS stats ${DATA}/induction.npy --zzzzzz)

# Values out of range are quoted as typed, never as a parsed double.
attnviz_cli_test(range_quoted_as_typed EXIT 2
                 STDERR "^attnviz: --discard: expected a number from 0 to 1, found '1e309' "
                 ARGS rollout ${DATA}/induction.npy --discard 1e309)
attnviz_cli_test(nonnegative_quoted_as_typed EXIT 2
                 STDERR "^attnviz: --jobs: expected a number >= 0, found '-1' "
                 ARGS heatmap ${DATA}/induction.npy -o ${TMP}/jobs.png --jobs -1)
attnviz_cli_test(dpi_quoted_as_typed EXIT 2
                 STDERR "--dpi: expected a number from 10 to 1200, found '5e3'"
                 ARGS heatmap ${DATA}/induction.npy -o ${TMP}/dpi.png --dpi 5e3)
attnviz_cli_test(whole_number_quoted_as_typed EXIT 2
                 STDERR "--png-level: expected a whole number from 0 to 9, found '2\\.5'"
                 ARGS heatmap ${DATA}/induction.npy -o ${TMP}/level.png --png-level 2.5)
attnviz_cli_test(alpha_quoted_as_typed EXIT 2
                 STDERR "--alpha: expected a number from 0 to 1, found '1\\.5'"
                 ARGS overlay ${FIX}/overlay/vit.npz --image ${FIX}/overlay/picture.png
                      --grid 14x14 --drop-cls -o ${TMP}/alpha.png --alpha 1.5)
attnviz_cli_test(overflowing_limit_quoted_as_typed EXIT 2
                 STDERR "^attnviz: --vmax: expected a finite number, found '1e400' "
                 ARGS heatmap ${DATA}/induction.npy -o ${TMP}/vmax.png --vmax 1e400)
attnviz_cli_test(conversion_quoted_as_typed EXIT 2
                 STDERR "^attnviz: --top-k: expected a whole number, found '1e3' "
                 ARGS arrows ${DATA}/induction.npy -o ${TMP}/topk.png --top-k 1e3)
# No message of any numeric check carries a long run of digits (CLI11 printed 309 of them).
add_test(NAME cli.no_parsed_doubles_in_messages
         COMMAND bash -c "for a in 'rollout --discard -1' 'rollout --residual-weight 2' 'heatmap -o ${TMP}/loop.png --font-size 1' 'heatmap -o ${TMP}/loop.png --dpi 1' 'heatmap -o ${TMP}/loop.png -j -2' 'stats --topk 0' 'check --row-sum -1' 'check --tolerance -1' 'arrows -o ${TMP}/loop.png --vmax 0' 'arrows -o ${TMP}/loop.png --min-weight -1' 'classify -j -1' 'heatmap -o ${TMP}/loop.png --vmin 1e999' 'diff --vmax 1e999'; do msg=$(\"$0\" $a \"$1\" 2>&1 >/dev/null); case $msg in *[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*) echo \"$a: $msg\"; exit 1;; esac; done; echo ok"
                 $<TARGET_FILE:attnviz> ${DATA}/induction.npy)

# --help lists a command's own options first, then the shared dump and figure options.
add_test(NAME cli.help_own_options_first
         COMMAND bash -c "\"$0\" heatmap --help | awk '/^  --layer/ && !own { own = NR } /^Dump options:/ { dump = NR } /^Figure options:/ { figure = NR } /^  --key/ { key = NR } /^  --font / { font = NR } END { if (!(own && own < dump && dump < key && dump < figure && figure < font)) { print \"order: own \" own \", dump \" dump \", key \" key \", figure \" figure \", font \" font; exit 1 } }'"
                 $<TARGET_FILE:attnviz>)

# Every command in README.md and docs/cli.md runs as written (mapping in the script).
add_test(NAME cli.doc_commands
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/doc_commands_test.sh $<TARGET_FILE:attnviz>
                 ${PROJECT_SOURCE_DIR})

# attribute: sequential viridis from 0 for maps never negative, centred RdBu_r for signed ones.
add_test(NAME cli.attribute_colour_rule
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/attribute_colors_test.py
                 $<TARGET_FILE:attnviz> ${FIX}/analysis/attribute/causal.npy
                 ${FIX}/analysis/attribute/causal.grad.npy ${TMP})

# The causal triangle (and kept padding) is hatched in every figure that shows a matrix, not in
# heatmap alone.
add_test(NAME cli.masks_in_every_matrix_figure
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/masks_test.py
                 $<TARGET_FILE:attnviz> ${FIX}/analysis/attribute/causal.npy
                 ${FIX}/analysis/attribute/causal.grad.npy ${FIX}/formats/npz_padded_right.npz
                 ${TMP})

# stats --plot and attribute --show importance: layer x head maps at a size that reads in print.
add_test(NAME cli.summary_maps_read_in_print
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/summary_size_test.py
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/induction.npy
                 ${FIX}/analysis/attribute/causal.npy ${FIX}/analysis/attribute/causal.grad.npy
                 ${TMP})
