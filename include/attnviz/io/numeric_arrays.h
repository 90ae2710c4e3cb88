// Named numeric arrays of any dtype and rank (npz, safetensors, a torch.save dict), read whole into
// memory as doubles: the small side arrays of graph dumps (edge lists, labels, weights).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnviz {

struct NumericArray {
  std::vector<int64_t> shape;
  std::vector<double> values;  // row-major
  bool integral = false;       // stored as integers or bools
  std::string dtype;           // as the file names it ("<i8", "I64", "LongStorage"), for messages
};

// Array name -> array. npz members keep numpy's names (without ".npy"), safetensors its tensor
// names, a torch.save dict its str keys (entries that are not tensors are skipped).
using NumericArrays = std::map<std::string, NumericArray>;

// At most this many elements per array (512 MB of doubles); a larger one is refused.
inline constexpr int64_t kMaxNumericElements = int64_t{1} << 26;

// Reads every numeric array of the npz, safetensors or .pt file at `path`. Throws an input Error
// naming `path` for another format, a dtype that is not a number, or a damaged file.
NumericArrays ReadNumericArrays(const std::string& path);

}  // namespace attnviz
