# The explorer page: the command's errors, byte-identical output, and one headless Chromium
# session (tests/html/browser_test.py) that checks the pages against numpy.
add_test(NAME html.browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/html/browser_test.py
                 $<TARGET_FILE:attnviz> ${CMAKE_CURRENT_BINARY_DIR}/html_browser)
set_tests_properties(html.browser PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

add_test(NAME html.identical_on_rerun
         COMMAND bash -c "\"$0\" html \"$1\" -j 1 -o \"$2/a.html\" && \"$0\" html \"$1\" -j 4 -o \"$2/b.html\" && cmp \"$2/a.html\" \"$2/b.html\""
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/induction.npy ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME html.stdout
         COMMAND bash -c "\"$0\" html \"$1\" -o - | head -c 15 | grep -qx '<!doctype html>'"
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/reverse.json)
add_test(NAME html.refuses_other_extensions
         COMMAND bash -c "\"$0\" html \"$1\" -o \"$2/view.png\" 2>&1; test $? -eq 2"
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/induction.npy ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME html.bad_head_is_usage_error
         COMMAND bash -c "\"$0\" html \"$1\" --heads 9 -o \"$2/x.html\"; test $? -eq 2 && test ! -e \"$2/x.html\""
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/induction.npy ${CMAKE_CURRENT_BINARY_DIR})

# The size budget of docs/html.md: 12 x 12 x 512² at 8 bits.
add_test(NAME html.size_budget
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/html/size_budget_test.py
                 $<TARGET_FILE:attnviz> ${CMAKE_CURRENT_BINARY_DIR}/html_size
                 ${PROJECT_SOURCE_DIR}/../shared/real/roberta_coqa_512.npy)
set_tests_properties(html.size_budget PROPERTIES TIMEOUT 300)

# Rollout needs self-attention: a cross-attention dump is refused as invalid input, no page left.
add_test(NAME html.rollout_needs_self_attention
         COMMAND bash -c "\"$0\" html \"$1\" --rollout -o \"$2/r.html\"; test $? -eq 3 && test ! -e \"$2/r.html\""
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/seq2seq_cross.json ${CMAKE_CURRENT_BINARY_DIR})

# So does flow.
add_test(NAME html.flow_needs_self_attention
         COMMAND bash -c "\"$0\" html \"$1\" --flow -o \"$2/f.html\"; test $? -eq 3 && test ! -e \"$2/f.html\""
                 $<TARGET_FILE:attnviz> ${PROJECT_SOURCE_DIR}/data/seq2seq_cross.json ${CMAKE_CURRENT_BINARY_DIR})
