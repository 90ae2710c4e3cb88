// The .npz format: a zip of .npy members; one attention array or a per-layer series, plus tokens.
#include <algorithm>

#include "attnviz/error.h"
#include "io/array_choice.h"
#include "io/npy.h"
#include "io/raw_dump.h"
#include "io/zip.h"

namespace attnviz {

namespace {

constexpr size_t kHeaderPrefixBytes = 1 << 16;

// The array name numpy gives a member: its file name without ".npy".
std::string ArrayName(const std::string& member_name) {
  const std::string suffix = ".npy";
  if (member_name.size() > suffix.size() && member_name.ends_with(suffix)) {
    return member_name.substr(0, member_name.size() - suffix.size());
  }
  return member_name;
}

// The npy header of a member, from its first bytes only; nullopt when it is not an npy array.
std::optional<NpyHeader> PeekHeader(const ZipArchive& zip, const ZipMember& member,
                                    const std::string& path) {
  try {
    return ParseNpyHeader(zip.ReadPrefix(member, kHeaderPrefixBytes), path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

const ZipMember& FindMember(const ZipArchive& zip, const std::string& array_name) {
  return *std::find_if(zip.members().begin(), zip.members().end(),
                       [&](const ZipMember& m) { return ArrayName(m.name) == array_name; });
}

ArrayView ReadMemberArray(const ZipArchive& zip, const std::string& array_name,
                          const std::string& path) {
  const ZipMember& member = FindMember(zip, array_name);
  ZipArchive::Contents contents = zip.Read(member);
  return ReadNpyArray(std::move(contents.owner), contents.bytes, path + ":" + member.name);
}

// A tokens member: 1-D gives one list, 2-D (batch, n) one list per batch item.
void ReadTokensMember(const ZipArchive& zip, const ZipMember& member, const std::string& path,
                      RawDump& dump) {
  const ZipArchive::Contents contents = zip.Read(member);
  const std::string where = path + ":" + member.name;
  auto rows = ReadNpyStringRows(contents.bytes, where);
  if (ParseNpyHeader(contents.bytes, where).shape.size() == 2) {
    dump.item_tokens = std::move(rows);
  } else {
    dump.tokens = std::move(rows.front());
  }
}

void ReadTokenMembers(const ZipArchive& zip, const std::string& path, RawDump& dump) {
  for (const ZipMember& member : zip.members()) {
    const std::string name = ArrayName(member.name);
    if (name == "tokens") ReadTokensMember(zip, member, path, dump);
    if (name == "attention_mask") {
      dump.attention_mask = ReadNpyMask(zip.Read(member).bytes, path + ":" + member.name);
    }
    if (name != "query_tokens" && name != "key_tokens") continue;
    const ZipArchive::Contents contents = zip.Read(member);
    auto tokens = ReadNpyStrings(contents.bytes, path + ":" + member.name);
    if (name == "query_tokens") dump.query_tokens = std::move(tokens);
    if (name == "key_tokens") dump.key_tokens = std::move(tokens);
  }
}

}  // namespace

RawDump ReadNpzDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                    const std::optional<std::string>& key) {
  const ZipArchive zip(std::move(source), path);
  std::vector<std::string> float_names, all_names;
  for (const ZipMember& member : zip.members()) {
    const std::string name = ArrayName(member.name);
    all_names.push_back(name);
    if (IsTokenDataName(name)) continue;
    const std::optional<NpyHeader> header = PeekHeader(zip, member, path);
    if (header && IsFloatDescr(header->descr)) float_names.push_back(name);
  }
  if (all_names.empty()) ThrowInputError(path, "expected arrays in the npz archive, found none");
  const ArrayChoice choice = ChooseArrays(float_names, all_names, key, path);
  RawDump dump;
  for (const std::string& name : choice.names)
    dump.arrays.push_back(ReadMemberArray(zip, name, path));
  dump.layer_stack = choice.layer_stack;
  dump.array_name = choice.layer_stack ? choice.names.front() + " ... " + choice.names.back()
                                       : choice.names.front();
  ReadTokenMembers(zip, path, dump);
  return dump;
}

}  // namespace attnviz
