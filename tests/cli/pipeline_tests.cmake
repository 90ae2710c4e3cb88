# attnviz in paper pipelines: the cookbook's recipes, the man page, bash completion, --version and
# an example in every command's --help (included from tests/CMakeLists.txt after cli_tests.cmake).

add_test(NAME cli.cookbook_recipes
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/cookbook_test.sh $<TARGET_FILE:attnviz>
                 ${PROJECT_SOURCE_DIR}/docs/cookbook.md ${DATA})
add_test(NAME cli.bash_completion
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/completion_test.sh $<TARGET_FILE:attnviz>
                 ${PROJECT_SOURCE_DIR}/scripts/attnviz-completion.bash ${DATA})
add_test(NAME cli.cookbook_torch_recipes
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/cookbook_torch_test.sh $<TARGET_FILE:attnviz>
                 ${PROJECT_SOURCE_DIR}/docs/cookbook.md)
set_tests_properties(cli.cookbook_torch_recipes PROPERTIES SKIP_RETURN_CODE 77)

# The man page has a section for every command and formats without a warning; every command's
# --help shows at least one example invocation of that command.
add_test(NAME cli.manpage COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/help_test.sh manpage
                                  $<TARGET_FILE:attnviz> ${CMAKE_BINARY_DIR}/attnviz.1)
add_test(NAME cli.help_examples COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/help_test.sh examples
                                        $<TARGET_FILE:attnviz>)

# Every dump in ../shared/real loads and draws (the dodrio inputs: padding_tests.cmake).
add_test(NAME cli.real_dumps
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/real_dumps_test.sh $<TARGET_FILE:attnviz> ${REAL})
set_tests_properties(cli.real_dumps PROPERTIES SKIP_RETURN_CODE 77)
