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

// Arrays that describe the tokens rather than hold attention (tokens, attention_mask, input_ids,
// token_type_ids, position_ids, labels): never chosen as the attention array unless by `key`.
bool IsTokenDataName(const std::string& name);

// Among the float arrays `float_names` (in file order), token data left out: `key` when given (a
// usage Error when no array has that name), else the only one, else one named
// attention/attn/attentions, else the arrays whose names differ only by one number (arr_0 ...
// arr_11, model.layers.3.attn), sorted numerically. `every_name` lists every array for the error
// message.
ArrayChoice ChooseArrays(const std::vector<std::string>& float_names,
                         const std::vector<std::string>& every_name,
                         const std::optional<std::string>& key, const std::string& path);

}  // namespace attnviz
