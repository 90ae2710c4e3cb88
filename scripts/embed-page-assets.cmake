# Writes OUTPUT, a C++ file defining the explorer page's assets (src/html/page_assets.h) from
# TEMPLATE, STYLE and SCRIPTS (a ;-list, concatenated in order inside one strict function).
# Run as: cmake -DOUTPUT=... -DTEMPLATE=... -DSTYLE=... -DSCRIPTS=a.js;b.js -P embed-page-assets.cmake
# Bytes go in as a char array: GCC 12 has no #embed, and a long string literal trips -Wpedantic.

function(attnviz_hex_array text name out)
  string(HEX "${text}" hex)
  string(LENGTH "${hex}" length)
  math(EXPR bytes "${length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
  string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){24})" "\\1\n" body "${body}")
  set(${out} "const char k${name}Bytes[] = {\n${body}};\nconst std::string_view k${name}(k${name}Bytes, ${bytes});\n" PARENT_SCOPE)
endfunction()

file(READ "${TEMPLATE}" template_text)
file(READ "${STYLE}" style_text)
set(script_text "(() => {\n\"use strict\";\n")
foreach(script IN LISTS SCRIPTS)
  file(READ "${script}" one)
  get_filename_component(name "${script}" NAME)
  string(APPEND script_text "// ---- ${name}\n${one}")
endforeach()
string(APPEND script_text "})();\n")

attnviz_hex_array("${template_text}" PageTemplate template_cc)
attnviz_hex_array("${style_text}" PageStyle style_cc)
attnviz_hex_array("${script_text}" PageScript script_cc)
file(WRITE "${OUTPUT}.new" "// Generated from src/html by scripts/embed-page-assets.cmake; do not edit.\n"
     "#include \"html/page_assets.h\"\n\nnamespace attnviz::html {\n\n"
     "${template_cc}\n${style_cc}\n${script_cc}\n}  // namespace attnviz::html\n")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
