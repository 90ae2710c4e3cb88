# Replays every saved fuzz crash input in the ordinary test build (tests/io/fuzz_regressions_test.cc)
# through the harness code itself, which reads the private reader headers of src/.
target_sources(attnviz_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fuzz_targets.cc)
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_targets.cc APPEND PROPERTY
             INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/io/fuzz_regressions_test.cc APPEND PROPERTY
             INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
set_property(SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/io/fuzz_regressions_test.cc APPEND PROPERTY
             COMPILE_DEFINITIONS ATTNVIZ_FUZZ_REGRESSIONS_DIR="${CMAKE_CURRENT_LIST_DIR}/regressions")
