// torch.save's zip format: a placeholder until the restricted unpickler lands.
#include "attnviz/error.h"
#include "io/raw_dump.h"

namespace attnviz {

RawDump ReadTorchDump(std::shared_ptr<const ByteSource>, const std::string& path,
                      const std::optional<std::string>&) {
  ThrowInputError(path, "PyTorch files are not read yet");
}

}  // namespace attnviz
