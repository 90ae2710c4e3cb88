# End-to-end tests of --style FILE.json: a style acts as the options it names, options given on
# the command line win wherever they stand, and bad style files are usage errors that write
# nothing. Included from tests/CMakeLists.txt after cli_tests.cmake (uses attnviz_cli_test, DATA,
# TMP).
set(STYLED ${TMP}/styled)
file(MAKE_DIRECTORY ${STYLED})
set(STYLES ${CMAKE_CURRENT_SOURCE_DIR}/cli/style)
set(PNG_SIZE ${CMAKE_CURRENT_SOURCE_DIR}/cli/png_size.sh)
set(IND ${DATA}/induction.npy)

# attnviz_style_size_test(NAME WIDTH HEIGHT ARGS...): the PNG written with ARGS is WIDTH x HEIGHT.
function(attnviz_style_size_test name width height)
  set(png ${STYLED}/${name}.png)
  add_test(NAME cli.style_${name}
           COMMAND bash -c "rm -f \"$1\"; \"$0\" \"\${@:2}\" -o \"$1\" && bash ${PNG_SIZE} \"$1\" ${width} ${height}"
                   $<TARGET_FILE:attnviz> ${png} ${ARGN})
endfunction()

# greys_300x200.json: size 300x200px at dpi 100, so the PNG is 300 x 200 pixels.
attnviz_style_size_test(size_from_style 300 200 heatmap ${IND} --style ${STYLES}/greys_300x200.json)
# four_by_three_inch.json: 4 in x 3 in at 150 dpi.
attnviz_style_size_test(size_and_dpi 600 450 grid ${IND} --style ${STYLES}/four_by_three_inch.json)
# A flag wins over the style, given after it or before it.
attnviz_style_size_test(flag_after_style 500 400 heatmap ${IND} --style ${STYLES}/greys_300x200.json --size 500x400px)
attnviz_style_size_test(flag_before_style 500 400 heatmap ${IND} --size 500x400px --style ${STYLES}/greys_300x200.json)
attnviz_style_size_test(dpi_flag_wins 400 300 grid ${IND} --dpi 100 --style ${STYLES}/four_by_three_inch.json)
# The documented example: 3.3 in at 300 dpi is 990 pixels wide; the height follows the content.
add_test(NAME cli.style_paper_example_width
         COMMAND bash -c "set -e; \"$0\" heatmap \"$1\" --style \"$2\" -o \"$3\"; width=$(od -An -tu1 -j16 -N4 \"$3\" | awk '{print $1*16777216+$2*65536+$3*256+$4}'); echo \"width $width\"; test \"$width\" = 990"
                 $<TARGET_FILE:attnviz> ${IND} ${PROJECT_SOURCE_DIR}/docs/paper-style.json ${STYLED}/paper.png)

# The style gives the same bytes as the options it names, and they differ from the defaults.
add_test(NAME cli.style_equals_its_options
         COMMAND bash -c "set -e; \"$0\" heatmap \"$1\" --style \"$2\" -o \"$3/styled.png\"; \"$0\" heatmap \"$1\" --cmap Greys --font-size 8 --size 300x200px --dpi 100 -o \"$3/flags.png\"; \"$0\" heatmap \"$1\" --size 300x200px --dpi 100 -o \"$3/plain.png\"; cmp \"$3/styled.png\" \"$3/flags.png\"; ! cmp -s \"$3/styled.png\" \"$3/plain.png\"; echo ok"
                 $<TARGET_FILE:attnviz> ${IND} ${STYLES}/greys_300x200.json ${STYLED})

# A style's "page" is the report's paper; --page wins.
add_test(NAME cli.style_report_page
         COMMAND bash -c "set -e; \"$0\" report \"$1\" --style \"$2\" -o \"$3/letter.pdf\"; pdfinfo \"$3/letter.pdf\" | grep -q 'Page size: *612 x 792'; \"$0\" report \"$1\" --style \"$2\" --page a4 -o \"$3/a4.pdf\"; pdfinfo \"$3/a4.pdf\" | grep -q 'Page size: *595.276 x 841.89'; pdffonts \"$3/a4.pdf\" | grep -q 'DejaVuSerif'; echo ok"
                 $<TARGET_FILE:attnviz> ${IND} ${PROJECT_SOURCE_DIR}/docs/paper-style.json ${STYLED})

# Bad style files: exit 2, one line naming the file and the key, nothing written.
attnviz_cli_test(style_unknown_key EXIT 2 STDERR "unknown_key\\.json: unknown key \"colour\", expected one of font, font_size"
                 ABSENT ${STYLED}/unknown.png ARGS heatmap ${IND} --style ${STYLES}/unknown_key.json -o ${STYLED}/unknown.png)
attnviz_cli_test(style_wrong_type EXIT 2 STDERR "dpi_string\\.json: key \"dpi\": expected a number, found \"300\""
                 ABSENT ${STYLED}/type.png ARGS heatmap ${IND} --style ${STYLES}/dpi_string.json -o ${STYLED}/type.png)
attnviz_cli_test(style_fraction_level EXIT 2 STDERR "level_fraction\\.json: key \"png_level\": expected an integer, found 4\\.5"
                 ABSENT ${STYLED}/level.png ARGS grid ${IND} --style ${STYLES}/level_fraction.json -o ${STYLED}/level.png)
attnviz_cli_test(style_bad_value EXIT 2 STDERR "theme_blue\\.json: key \"theme\": .*blue"
                 ABSENT ${STYLED}/theme.png ARGS heatmap ${IND} --style ${STYLES}/theme_blue.json -o ${STYLED}/theme.png)
attnviz_cli_test(style_not_object EXIT 2 STDERR "not_object\\.json: expected a JSON object, found array"
                 ABSENT ${STYLED}/array.png ARGS heatmap ${IND} --style ${STYLES}/not_object.json -o ${STYLED}/array.png)
attnviz_cli_test(style_invalid_json EXIT 2 STDERR "truncated\\.json: expected a JSON object, found invalid JSON"
                 ABSENT ${STYLED}/invalid.png ARGS heatmap ${IND} --style ${STYLES}/truncated.json -o ${STYLED}/invalid.png)
attnviz_cli_test(style_missing_file EXIT 2 STDERR "nope\\.json: cannot open the style file"
                 ABSENT ${STYLED}/missing.png ARGS heatmap ${IND} --style ${STYLES}/nope.json -o ${STYLED}/missing.png)
attnviz_cli_test(style_help EXIT 0 STDOUT "--style" ARGS heatmap --help)
