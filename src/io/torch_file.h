// Recognising PyTorch files from their first bytes (reading them is ReadTorchDump in raw_dump.h).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "attnviz/io/numeric_arrays.h"
#include "attnviz/tensor/byte_source.h"

namespace attnviz {

// True when `head` starts a zip whose first member is NAME/data.pkl, as torch.save writes it
// (an npz's first member is an .npy). Needs the local header and the name (at most 512 bytes).
bool IsTorchArchive(std::span<const std::byte> head);

// True when `head` starts with the magic-number pickle of torch.save's legacy (pre-1.6) format.
bool IsLegacyTorchFile(std::span<const std::byte> head);

// Every tensor of the dict a .pt file holds (torch.save({"edge_index": ..., "alpha": ...})), any
// dtype and rank, as doubles; read by the same restricted unpickler as ReadTorchDump.
NumericArrays ReadTorchNumericArrays(std::shared_ptr<const ByteSource> source,
                                     const std::string& path);

}  // namespace attnviz
