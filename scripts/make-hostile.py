#!/usr/bin/python3
"""Writes tests/hostile/: small hostile inputs and, for each, the exit code and message words
attnviz must give (tests/hostile/expected.tsv). Run with Debian's /usr/bin/python3 (numpy).

Deterministic: rerunning rewrites identical bytes.
"""
import io
import json
import os
import struct
import zipfile
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "hostile")
CASES = []  # (file name, exit code, regex of the message, what is wrong)


def case(name, data, exit_code, words, why):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    CASES.append((name, exit_code, words, why))


def npy_bytes(array, version=(1, 0)):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=True)
    return buffer.getvalue()


def npy_with_header(header_text, body=b"", version=1):
    """An npy file whose header dict is `header_text` verbatim (padded like numpy does)."""
    text = header_text.encode("latin1")
    length_size = 2 if version == 1 else 4
    pad = (64 - (8 + length_size + len(text) + 1) % 64) % 64
    text += b" " * pad + b"\n"
    length = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text + body


def softmax_rows(shape, seed=0):
    values = np.random.default_rng(seed).random(shape).astype("<f4")
    return values / values.sum(-1, keepdims=True)


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def safetensors_bytes(header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def npy_cases():
    good = npy_bytes(softmax_rows((2, 3, 4)))
    case("npy_empty.npy", b"", 3, "empty file", "zero bytes")
    case("npy_magic_only.npy", good[:6], 3, "truncated npy header", "the magic and nothing else")
    case("npy_no_header_length.npy", good[:9], 3, "truncated npy header", "cut inside the header length")
    case("npy_header_cut.npy", good[:40], 3, "header says it is [0-9]+ bytes long", "cut inside the header dict")
    case("npy_body_cut.npy", good[:-10], 3, "file has [0-9]+ bytes after the header", "cut inside the data")
    case("npy_header_length_beyond.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'", 3,
         "header says it is 65535 bytes long", "header length points past the end")
    case("npy_extra_bytes.npy", good + b"\0" * 16, 3, "bytes after the header",
         "16 bytes more than the shape needs")
    case("npy_shape_overflow.npy",
         npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }"),
         3, "overflows 64 bits", "shape product overflows 64 bits")
    case("npy_dimension_overflow.npy",
         npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 2), }"),
         3, "does not fit in 64 bits", "a dimension beyond 64 bits")
    case("npy_negative_dimension.npy",
         npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }"),
         3, "non-negative dimension", "negative dimension")
    case("npy_zero_dimension.npy",
         npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }"),
         3, "at least 1, found shape \\(0, 4\\)", "zero-length query axis")
    case("npy_absurd_rank.npy",
         npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, " * 64 + "), }",
                         b"\0\0\0\0"),
         3, "rank 2 to 5, found rank 64", "rank 64")
    for dtype, words in [("<i8", "int64"), ("|b1", "bool"), ("<u2", "uint16"), ("<c16", "complex128"),
                         ("<U3", "unicode string"), ("<M8[s]", "datetime")]:
        name = "npy_dtype_" + words.split()[0] + ".npy"
        case(name, npy_bytes(np.zeros((2, 2), dtype=dtype)), 3, "expected a float array .*" + words,
             "dtype " + dtype)
    case("npy_object_pickle.npy", npy_bytes(np.array([[{"a": 1}, None]], dtype=object)), 3,
         "found object", "object dtype: a pickle, never loaded")
    case("npy_structured.npy", npy_bytes(np.zeros((2, 2), dtype=[("a", "<f4"), ("b", "<f4")])), 3,
         "structured dtypes", "structured dtype")
    case("npy_header_list.npy", npy_with_header("[1, 2, 3]"), 3, "dict literal", "header is a list")
    case("npy_header_code.npy",
         npy_with_header("__import__('os').system('touch /tmp/attnviz-pwned')"), 3,
         "dict literal", "header is code: parsed as a literal, never evaluated")
    case("npy_header_nested_dict.npy",
         npy_with_header("{'descr': {'a': 1}, 'fortran_order': False, 'shape': (2, 2), }"), 3,
         "expected a string, True, False or a tuple", "descr is a dict")
    case("npy_header_no_shape.npy", npy_with_header("{'descr': '<f4', 'fortran_order': False, }"),
         3, "npy header has no 'shape'", "no shape key")
    case("npy_descr_not_string.npy",
         npy_with_header("{'descr': True, 'fortran_order': False, 'shape': (2, 2), }"), 3,
         "'descr' is not a string", "descr is True")
    case("npy_version_9.npy", b"\x93NUMPY\x09\x00" + good[8:], 3, "version 1.0, 2.0 or 3.0, found 9.0",
         "format version 9.0")
    fortran = npy_bytes(np.asfortranarray(softmax_rows((3, 5, 4))))
    case("npy_fortran_cut.npy", fortran[:-7], 3, "bytes after the header", "Fortran order, data cut")


def npz_cases():
    array = npy_bytes(softmax_rows((2, 4, 4)))
    case("npz_no_members.npz", zip_bytes([]), 3, "expected arrays in the npz archive, found none",
         "an empty zip")
    whole = zip_bytes([("attention.npy", array)])
    case("npz_truncated.npz", whole[: len(whole) // 2], 3, "broken zip", "cut in half")
    crc = bytearray(whole)
    crc[100] ^= 0xFF
    case("npz_bad_crc.npz", bytes(crc), 3, "CRC-32 mismatch", "one data byte flipped")
    # A deflated member whose header claims 64 GiB from a few hundred bytes: refused before any
    # allocation because deflate cannot expand more than 1032:1.
    bomb = bytearray(zip_bytes([("attention.npy", array)], zipfile.ZIP_DEFLATED))
    central = bomb.rfind(b"PK\x01\x02")
    local = bomb.find(b"PK\x03\x04")
    struct.pack_into("<I", bomb, central + 24, 0xFFFFFFFF - 1)
    struct.pack_into("<I", bomb, local + 22, 0xFFFFFFFF - 1)
    case("npz_bomb_claim.npz", bytes(bomb), 3, "more than deflate can produce",
         "member claims 4 GB from a few hundred compressed bytes")
    case("npz_member_not_array.npz", zip_bytes([("attention.npy", b"hello, I am not an array")]), 3,
         "npy magic", "the only member is text")
    encrypted = bytearray(whole)
    struct.pack_into("<H", encrypted, encrypted.rfind(b"PK\x01\x02") + 8, 1)
    case("npz_encrypted.npz", bytes(encrypted), 3, "encrypted", "encryption flag set")
    method = bytearray(whole)
    struct.pack_into("<H", method, method.rfind(b"PK\x01\x02") + 10, 12)
    case("npz_bzip2_method.npz", bytes(method), 3, "compression method 0 .stored. or 8 .deflate., found 12",
         "bzip2 method")
    beyond = bytearray(whole)
    struct.pack_into("<I", beyond, beyond.rfind(b"PK\x05\x06") + 16, 0x7FFFFFFF)
    case("npz_directory_beyond.npz", bytes(beyond), 3, "does not fit in the file",
         "central directory offset past the end")
    local_beyond = bytearray(whole)
    struct.pack_into("<I", local_beyond, local_beyond.rfind(b"PK\x01\x02") + 42, 0x7FFFFFF0)
    case("npz_local_header_beyond.npz", bytes(local_beyond), 3, "local header missing",
         "member offset past the end")


def safetensors_cases():
    data = softmax_rows((4, 4)).tobytes()
    entry = {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}
    good = safetensors_bytes({"attention": entry}, data)
    case("st_header_length_beyond.safetensors", struct.pack("<Q", 1 << 40) + good[8:], 3,
         "header says it is [0-9]+ bytes long", "header length past the end")
    case("st_offsets_past_end.safetensors",
         safetensors_bytes({"attention": dict(entry, data_offsets=[0, 6400])}, data), 3,
         "outside the 64-byte data section", "data_offsets past the end")
    case("st_overlap.safetensors",
         safetensors_bytes({"a": dict(entry, shape=[2, 4], data_offsets=[0, 32]),
                            "b": dict(entry, shape=[2, 4], data_offsets=[16, 48])}, data), 3,
         "overlap", "two tensors share bytes")
    case("st_shape_bytes_mismatch.safetensors",
         safetensors_bytes({"attention": dict(entry, shape=[4, 8])}, data), 3,
         "needs 128 bytes, data_offsets give 64", "shape needs more bytes than given")
    case("st_int_dtype.safetensors",
         safetensors_bytes({"attention": dict(entry, dtype="I64", shape=[2, 4])}, data), 3,
         "expected dtype F16, BF16, F32 or F64, found I64", "integer dtype")
    case("st_header_not_json.safetensors", struct.pack("<Q", 16) + b"{not json at all" + data, 3,
         "invalid JSON", "header is not JSON")
    case("st_negative_shape.safetensors",
         safetensors_bytes({"attention": dict(entry, shape=[-4, 4])}, data), 3,
         "non-negative integer dimensions", "negative dimension")
    case("st_shape_overflow.safetensors",
         safetensors_bytes({"attention": dict(entry, shape=[2**62, 2**62])}, data), 3,
         "shape .* overflows 64 bits", "shape product overflows")
    case("st_no_tensors.safetensors", safetensors_bytes({"__metadata__": {"model": "x"}}, b""), 3,
         "found none", "only metadata")


def json_cases():
    case("json_nested_100000.json", b"[" * 100000 + b"]" * 100000, 3,
         "(nested 2 to 5 lists deep|empty list)", "a list nested 100,000 deep")
    case("json_strings.json", json.dumps({"attention": [["a", "b"], ["c", "d"]]}).encode(), 3,
         "expected a number at attention.0..0., found string", "strings where numbers belong")
    case("json_empty_rows.json", json.dumps({"attention": [[], []]}).encode(), 3,
         "empty list", "rows with no values")
    case("json_no_attention.json", json.dumps({"weights": [[1.0]]}).encode(), 3,
         "'attention' key", "no attention key")
    case("json_truncated.json", json.dumps({"attention": [[0.5, 0.5], [0.5, 0.5]]}).encode()[:25], 3,
         "invalid JSON at byte", "cut mid-way")
    case("json_null_cell.json", json.dumps({"attention": [[0.5, None], [0.5, 0.5]]}).encode(), 3,
         "expected a number at attention.0..1., found null", "null where a number belongs")
    case("json_tokens_not_list.json", json.dumps({"attention": [[1.0]], "tokens": "a"}).encode(), 3,
         "'tokens' to be a list", "tokens is a string")
    case("json_token_count.json", json.dumps({"attention": [[0.5, 0.5], [0.5, 0.5]],
                                              "tokens": ["a", "b", "c"]}).encode(), 3,
         "expected 2 tokens .one per query., found 3", "three tokens for two positions")
    case("json_invalid_utf8_token.json", b'{"attention": [[1.0]], "tokens": ["\xff"]}', 3,
         "invalid JSON", "a token that is not UTF-8")
    case("json_scalar.json", b"5", 3, "unknown format", "a bare number")


def data_cases():
    values = softmax_rows((2, 4, 4)).copy()
    values[0, 1, 2] = np.nan
    values[1, 3, 0] = np.inf
    values[1, 0, 1] = -np.inf
    case("nan_inf_values.npy", npy_bytes(values), 0, "", "NaN and Inf are data: reported, drawn bad")


def main():
    os.makedirs(OUT, exist_ok=True)
    for stale in os.listdir(OUT):
        os.remove(os.path.join(OUT, stale))
    npy_cases()
    npz_cases()
    safetensors_cases()
    json_cases()
    data_cases()
    with open(os.path.join(OUT, "expected.tsv"), "w") as f:
        f.write("# file\texit code\tmessage regex (grep -E)\twhat is wrong\n")
        for name, code, words, why in CASES:
            f.write(f"{name}\t{code}\t{words}\t{why}\n")
    print(f"wrote {len(CASES)} hostile inputs to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
