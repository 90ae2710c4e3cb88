# The catalogue of hostile inputs (tests/hostile, written by scripts/make-hostile.py): each file
# through info and heatmap, with the exit code and message words of tests/hostile/expected.tsv.
set(HOSTILE ${CMAKE_CURRENT_SOURCE_DIR}/hostile)
file(STRINGS ${HOSTILE}/expected.tsv hostile_lines REGEX "^[^#]")
foreach(line IN LISTS hostile_lines)
  string(REGEX MATCH "^[^\t]+" hostile_name "${line}")
  add_test(NAME hostile.${hostile_name}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/hostile_case.sh $<TARGET_FILE:attnviz>
                   ${HOSTILE} ${hostile_name} ${CMAKE_CURRENT_BINARY_DIR}/hostile_out)
endforeach()
