# End-to-end tests of text that is wider than its bytes suggest: table columns aligned by display
# width (CJK takes two columns, UTF-8 bytes are more than either). Included from
# tests/CMakeLists.txt after cli_tests.cmake (uses its attnviz_cli_test and FIX).
set(WIDE ${FIX}/render/wide_tokens.json)

# "我" is 3 bytes and 2 columns; the token column is 5 wide ("token"), so 3 spaces of padding and
# the 2 between columns. Counting bytes gave 4 spaces and shifted the row.
attnviz_cli_test(table_pads_wide_tokens_by_columns EXIT 0 STDOUT "^    1  我     0\\.2500  0\\.7500$"
                 ARGS rollout ${WIDE})
attnviz_cli_test(table_csv_keeps_wide_tokens_unpadded EXIT 0 STDOUT "^1,我,0\\.25,0\\.75$"
                 ARGS rollout ${WIDE} --csv)

# SVG labels as <text> land where the glyph outlines were, in every figure that writes SVG
# (rendered with rsvg-convert), escaped, naming the font, the same bytes on a second run.
add_test(NAME cli.svg_text_where_outlines_were
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/svg_text_test.py
                 $<TARGET_FILE:attnviz> ${FIX}/overlay ${TMP})
