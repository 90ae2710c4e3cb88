# The heatmap streams a head in bands of query rows (src/cli/head_bands.cc): peak memory does not
# grow with the head. Included from tests/CMakeLists.txt after cli_tests.cmake (uses TMP).
add_test(NAME cli.heatmap_bands_memory
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/heatmap_bands_memory.sh $<TARGET_FILE:attnviz>
                 ${TMP}/heatmap_bands)
# AddressSanitizer's shadow memory and quarantine, not attnviz, set the peak there.
if(ATTNVIZ_SANITIZE)
  set_property(TEST cli.heatmap_bands_memory PROPERTY ENVIRONMENT ATTNVIZ_TEST_SANITIZED=1)
endif()
