// Which arrays of an npz or safetensors file hold the attention, and which layers they say they
// are.
#include "io/array_choice.h"

#include <doctest/doctest.h>

namespace attnviz {
namespace {

ArrayChoice Choose(const std::vector<std::string>& names,
                   const std::optional<std::string>& key = std::nullopt) {
  return ChooseArrays(names, names, key, "attn.npz");
}

TEST_CASE("a series of consecutive layer numbers states the model's first layer") {
  const ArrayChoice choice = Choose({"layer_5", "layer_3", "layer_4"});
  CHECK(choice.layer_stack);
  CHECK(choice.names == std::vector<std::string>{"layer_3", "layer_4", "layer_5"});
  REQUIRE(choice.first_layer.has_value());
  CHECK(*choice.first_layer == 3);
}

TEST_CASE("np.savez's arr_0 ... arr_11 are layers 0 to 11") {
  std::vector<std::string> names;
  for (int i = 11; i >= 0; --i) names.push_back("arr_" + std::to_string(i));
  const ArrayChoice choice = Choose(names);
  CHECK(choice.names.front() == "arr_0");
  CHECK(choice.names.back() == "arr_11");
  CHECK(choice.first_layer == std::optional<int64_t>(0));
}

TEST_CASE("a series with gaps states no single offset") {
  const ArrayChoice choice = Choose({"layer_0", "layer_4", "layer_8"});
  CHECK(choice.layer_stack);
  CHECK_FALSE(choice.first_layer.has_value());
}

TEST_CASE("--key naming one member of a layer series states its layer") {
  const ArrayChoice choice = Choose({"layer_3", "layer_4", "layer_5"}, "layer_4");
  CHECK_FALSE(choice.layer_stack);
  CHECK(choice.first_layer == std::optional<int64_t>(4));
}

TEST_CASE("one array, or one named attention, states nothing") {
  CHECK_FALSE(Choose({"scores"}).first_layer.has_value());
  CHECK_FALSE(Choose({"attention", "logits"}).first_layer.has_value());
  CHECK_FALSE(Choose({"attention", "logits"}, "logits").first_layer.has_value());
}

}  // namespace
}  // namespace attnviz
