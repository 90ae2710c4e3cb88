// Choosing the attention array among the named arrays of an npz or safetensors file.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace attnviz {

// What to read: one array, or several that form a layer stack (in layer order).
struct ArrayChoice {
  std::vector<std::string> names;
  bool layer_stack = false;
};

// Among the float arrays `names` (in file order): `key` when given (a usage Error when no array has
// that name), else the only one, else one named attention/attn/attentions, else the arrays whose
// names differ only by one number (arr_0 ... arr_11, model.layers.3.attn), sorted numerically.
// `all_names` lists every array for the error message.
ArrayChoice ChooseArrays(const std::vector<std::string>& names,
                         const std::vector<std::string>& all_names,
                         const std::optional<std::string>& key, const std::string& path);

}  // namespace attnviz
