#!/usr/bin/python3
"""Writes the loader test fixtures and their numpy-computed truth.

    /usr/bin/python3 scripts/make-fixtures.py

tests/fixtures/formats/  one small dump per format variant, token side files, expected.json
tests/fixtures/bad/      broken inputs for the error tests (see bad/README.md)

Deterministic: fixed seeds, no timestamps (numpy's zip members carry 1980-01-01), so a rerun writes
identical bytes. expected.json is computed here with numpy, independently of attnviz: values are
converted to float32 the way the tool reads them, then min/max/row sums are taken in float64.
The "real" section covers ../shared/real when that folder exists and is kept as it was otherwise.
"""

import io
import json
import runpy
import struct
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "fixtures" / "formats"
BAD = ROOT / "tests" / "fixtures" / "bad"
REAL = ROOT.parent / "shared" / "real"

AXIS_ORDER = ["layer", "batch", "head", "query", "key"]
DEFAULT_AXES = {
    2: ["query", "key"],
    3: ["head", "query", "key"],
    4: ["layer", "head", "query", "key"],
    5: ["layer", "batch", "head", "query", "key"],
}

# Tokens with the markers real tokenizers use, CJK and an emoji outside the BMP.
TOKENS5 = ["Ġthe", "▁de", "##ing", "日本", "😀"]
TOKENS6 = TOKENS5 + ["</s>"]
BYTES_TOKENS = ["[CLS]", "the", "Ġcat", "sat", "[SEP]"]


# ---------------------------------------------------------------------------------------------
# Arrays


def softmax_rows(seed, shape, mask=None):
    """Random attention: rows of the last axis softmax-normalised in float64; `mask` (broadcast
    to `shape`) marks the cells allowed to be non-zero, the others are exactly 0."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape) * 2.0
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    if mask is not None:
        weights = np.where(mask, weights, 0.0)
    return weights / weights.sum(axis=-1, keepdims=True)


def causal_mask(n):
    return np.tril(np.ones((n, n), dtype=bool))


def bf16_bits(values):
    """bfloat16 bit patterns of `values`: the upper 16 bits of float32, rounded to nearest even."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def stored(master, dtype):
    """`master` (float64) as stored with numpy dtype `dtype`, and the float32 values the tool
    reads back (f64 rounded to the nearest float32)."""
    array = master.astype(dtype)
    return array, array.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Expected values


def logical(values32, axes):
    """`values32` with its dimensions named by `axes`, reordered to (layer, batch, head, query,
    key); absent axes get extent 1."""
    array = values32
    present = list(axes)
    for name in AXIS_ORDER:
        if name not in present:
            array = array[np.newaxis, ...]
            present.insert(0, name)
    return np.transpose(array, [present.index(name) for name in AXIS_ORDER])


def edge_run(flags):
    run = 0
    for flag in flags:
        if not flag:
            break
        run += 1
    return run


def summary(heads):
    """The TensorSummary fields of `heads` (layers, heads, query, key), computed in float64."""
    values = heads.astype(np.float64)
    finite = np.isfinite(values)
    zero_columns = np.all(values == 0, axis=(0, 1, 2))
    padded = edge_run(zero_columns) + edge_run(zero_columns[::-1])
    square = values.shape[2] == values.shape[3]
    row_sums = np.where(finite, values, 0.0).sum(axis=-1)
    return {
        "min": float(values[finite].min()),
        "max": float(values[finite].max()),
        "row_sum_min": float(row_sums.min()),
        "row_sum_max": float(row_sums.max()),
        "nan": int(np.isnan(values).sum()),
        "inf": int(np.isinf(values).sum()),
        "causal": bool(square and np.all(np.triu(values, k=1) == 0)),
        "padded_keys": int(min(padded, values.shape[3])),
    }


def sample_value(value):
    value = float(value)
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def samples(name, heads, extra=()):
    """[layer, head, query, key, value] for both corners, one random cell of every head and
    `extra` cells; values are the float32 values as Python floats (exact)."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    layers, head_count, queries, keys = heads.shape
    cells = [(0, 0, 0, 0), (layers - 1, head_count - 1, queries - 1, keys - 1)]
    for layer in range(layers):
        for head in range(head_count):
            cells.append((layer, head, int(rng.integers(queries)), int(rng.integers(keys))))
    cells.extend(extra)
    return [[*cell, sample_value(heads[cell])] for cell in cells]


def case(name, file, fmt, values32, axes, dtype, *, shape=None, options=None, array_name="",
         model="", layer_offset=0, head_offset=0, query_tokens=None, key_tokens=None,
         extra_samples=()):
    """One expected.json entry: loading `file` with `options` must give this."""
    options = options or {}
    batch = options.get("batch", 0)
    full = logical(values32, axes)
    heads = full[:, batch]
    layers, batches, head_count, queries, keys = full.shape
    entry = {
        "name": name,
        "file": file,
        "format": fmt,
        "options": options,
        "shape": list(shape if shape is not None else values32.shape),
        "axes": list(axes),
        "extents": {"layers": layers, "batches": batches, "heads": head_count,
                    "queries": queries, "keys": keys},
        "dtype": dtype,
        "array_name": array_name,
        "model": model,
        "layer_offset": layer_offset,
        "head_offset": head_offset,
        "query_tokens": query_tokens,
        "key_tokens": key_tokens,
    }
    entry.update(summary(heads))
    entry["samples"] = samples(name, heads, extra_samples)
    return entry


# ---------------------------------------------------------------------------------------------
# Writers


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def npy_bytes(array, version=(1, 0), allow_pickle=False):
    out = io.BytesIO()
    np.lib.format.write_array(out, array, version=version, allow_pickle=allow_pickle)
    return out.getvalue()


def npy_raw(header_text, data, version=(1, 0), pad_to=64):
    """An .npy file with a hand-written header dict (`header_text`, without padding)."""
    major = version[0]
    length_bytes = 2 if major == 1 else 4
    prefix = 6 + 2 + length_bytes
    text = header_text.encode("utf-8" if major >= 3 else "latin1")
    if pad_to:
        total = prefix + len(text) + 1
        text += b" " * (-total % pad_to)
    text += b"\n"
    length = struct.pack("<H" if major == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text + data


def npz_bytes(members, compressed=False):
    """np.savez / np.savez_compressed of `members` (name -> array), in the dict's order."""
    out = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(out, **members)
    return out.getvalue()


def safetensors_file(header, data, header_length=None):
    """A .safetensors file: 8-byte little-endian header length, the JSON `header` padded with
    spaces to `header_length` (by default to 8-byte alignment), then `data`."""
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    target = header_length if header_length is not None else len(text) + (-len(text) % 8)
    assert target >= len(text)
    text += b" " * (target - len(text))
    return struct.pack("<Q", len(text)) + text + data


def safetensors_bytes(tensors, metadata=None, data_order=None, header_length=None):
    """A .safetensors file of `tensors`, a list of (name, dtype, shape, raw bytes). The header
    lists tensors by name; their data is laid out in `data_order` (default: as given)."""
    by_name = {name: (dtype, shape, raw) for name, dtype, shape, raw in tensors}
    order = data_order or [name for name, *_ in tensors]
    offsets, data = {}, b""
    for name in order:
        raw = by_name[name][2]
        offsets[name] = [len(data), len(data) + len(raw)]
        data += raw
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(by_name):
        dtype, shape, _ = by_name[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": offsets[name]}
    return safetensors_file(header, data, header_length)


class Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek or tell, like a pipe."""

    def __init__(self):
        super().__init__()
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += bytes(b)
        return len(b)


def json_bytes(document, indent=None):
    return (json.dumps(document, ensure_ascii=False, indent=indent) + "\n").encode()


def nested(values):
    """Nested lists of Python floats (exact doubles of the array's values)."""
    return values.astype(np.float64).tolist()


# ---------------------------------------------------------------------------------------------
# formats/


class Formats:
    def __init__(self):
        self.cases = []

    def add(self, *args, **kwargs):
        self.cases.append(case(*args, **kwargs))

    def write(self, name, data):
        write_bytes(FORMATS / name, data)


DTYPES = {  # file name part -> numpy dtype
    "f2le": "<f2", "f2be": ">f2", "f4le": "<f4", "f4be": ">f4", "f8le": "<f8", "f8be": ">f8",
}
DTYPE_NAMES = {"f2": "float16", "f4": "float32", "f8": "float64"}


def make_npy(fx):
    rank4 = softmax_rows(1, (2, 3, 5, 4))
    for part, dtype in DTYPES.items():
        for order in ("c", "f"):
            array, values32 = stored(rank4, dtype)
            if order == "f":
                array = np.asfortranarray(array)
            name = f"npy_v1_{part}_{order}_rank4.npy"
            fx.write(name, npy_bytes(array))
            fx.add(name, name, "npy", values32, DEFAULT_AXES[4], DTYPE_NAMES[part[:2]])

    for version, part, order in [(2, "f4le", "c"), (3, "f4le", "c"), (2, "f2be", "f"),
                                 (3, "f8be", "f")]:
        array, values32 = stored(rank4, DTYPES[part])
        if order == "f":
            array = np.asfortranarray(array)
        name = f"npy_v{version}_{part}_{order}_rank4.npy"
        fx.write(name, npy_bytes(array, version=(version, 0)))
        fx.add(name, name, "npy", values32, DEFAULT_AXES[4], DTYPE_NAMES[part[:2]])

    # --axes names the stored dimensions in another order.
    array, values32 = stored(rank4, "<f4")
    axes = ["head", "layer", "query", "key"]
    fx.add("npy_v1_f4le_c_rank4.npy --axes head,layer,query,key", "npy_v1_f4le_c_rank4.npy",
           "npy", values32, axes, "float32", options={"axes": axes})

    ranks = [
        ("npy_v1_f4le_c_rank2.npy", softmax_rows(2, (5, 4)), "<f4", "c"),
        ("npy_v1_f2le_f_rank2.npy", softmax_rows(3, (5, 4)), "<f2", "f"),
        ("npy_v1_f4le_c_rank3.npy", softmax_rows(4, (3, 5, 4)), "<f4", "c"),
        ("npy_v1_f4le_c_rank5.npy", softmax_rows(5, (2, 2, 3, 5, 4)), "<f4", "c"),
        ("npy_v1_f8be_f_rank5.npy", softmax_rows(6, (2, 2, 3, 5, 4)), ">f8", "f"),
    ]
    for name, master, dtype, order in ranks:
        array, values32 = stored(master, dtype)
        if order == "f":
            array = np.asfortranarray(array)
        fx.write(name, npy_bytes(array))
        axes = DEFAULT_AXES[master.ndim]
        dtype_name = DTYPE_NAMES[dtype[1:]]
        fx.add(name, name, "npy", values32, axes, dtype_name)
        if master.ndim == 5:
            fx.add(name + " batch 1", name, "npy", values32, axes, dtype_name,
                   options={"batch": 1})
        if name == "npy_v1_f4le_c_rank2.npy":  # transposed: 4 queries, 5 keys
            fx.add(name + " --axes key,query", name, "npy", values32, ["key", "query"],
                   dtype_name, options={"axes": ["key", "query"]})
        if name == "npy_v1_f4le_c_rank5.npy":  # the batch axis first
            axes = ["batch", "layer", "head", "query", "key"]
            fx.add(name + " --axes batch,layer,head,query,key --batch 1", name, "npy", values32,
                   axes, dtype_name, options={"axes": axes, "batch": 1})

    # Causal: exact zeros above the diagonal. Also the --tokens side file for a square dump.
    causal = softmax_rows(7, (2, 3, 5, 5), mask=causal_mask(5))
    array, values32 = stored(causal, "<f4")
    fx.write("npy_v1_f4le_c_causal.npy", npy_bytes(array))
    fx.add("npy_v1_f4le_c_causal.npy", "npy_v1_f4le_c_causal.npy", "npy", values32,
           DEFAULT_AXES[4], "float32")
    for tokens_file in ("tokens_lines.txt", "tokens_list.json"):
        fx.add(f"npy_v1_f4le_c_causal.npy --tokens {tokens_file}", "npy_v1_f4le_c_causal.npy",
               "npy", values32, DEFAULT_AXES[4], "float32", options={"tokens": tokens_file},
               query_tokens=TOKENS5, key_tokens=TOKENS5)

    # Padding: the last 2 key columns are exactly 0 in every row (5 queries, 6 keys).
    padding_mask = np.array([True, True, True, True, False, False])
    padded = softmax_rows(8, (3, 5, 6), mask=padding_mask)
    array, values32 = stored(padded, "<f4")
    fx.write("npy_v1_f4le_c_padded.npy", npy_bytes(array))
    fx.add("npy_v1_f4le_c_padded.npy", "npy_v1_f4le_c_padded.npy", "npy", values32,
           DEFAULT_AXES[3], "float32")
    fx.add("npy_v1_f4le_c_padded.npy --query-tokens --key-tokens", "npy_v1_f4le_c_padded.npy",
           "npy", values32, DEFAULT_AXES[3], "float32",
           options={"query_tokens": "tokens_lines.txt", "key_tokens": "tokens_keys6.txt"},
           query_tokens=TOKENS5, key_tokens=TOKENS6)

    # NaN and ±Inf: counted, and left out of min/max and row sums.
    naninf = softmax_rows(9, (5, 4)).astype(np.float32)
    naninf[0, 1] = np.nan
    naninf[2, 2] = np.inf
    naninf[3, 0] = -np.inf
    naninf[4, 3] = np.nan
    fx.write("npy_v1_f4le_c_naninf.npy", npy_bytes(naninf))
    fx.add("npy_v1_f4le_c_naninf.npy", "npy_v1_f4le_c_naninf.npy", "npy", naninf,
           DEFAULT_AXES[2], "float32",
           extra_samples=[(0, 0, 0, 1), (0, 0, 2, 2), (0, 0, 3, 0), (0, 0, 4, 3)])

    # Hand-written headers numpy also reads: keys in another order without padding, and an f8
    # body that starts at an odd offset (so elements are not aligned in the mapped file).
    master = softmax_rows(10, (5, 4))
    array, values32 = stored(master, "<f4")
    name = "npy_v1_f4le_c_keyorder.npy"
    fx.write(name, npy_raw("{'shape':(5,4),'fortran_order':False,'descr':'<f4'}",
                           array.tobytes(), pad_to=0))
    fx.add(name, name, "npy", values32, DEFAULT_AXES[2], "float32")

    master = softmax_rows(11, (3, 5, 4))
    array, values32 = stored(master, "<f8")
    name = "npy_v1_f8le_c_unaligned.npy"
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5, 4), }"
    header += " " * ((3 - (10 + len(header) + 1)) % 8)  # the body starts at 3 mod 8
    data = npy_raw(header, array.tobytes(), pad_to=0)
    assert (len(data) - array.nbytes) % 8 == 3
    fx.write(name, data)
    fx.add(name, name, "npy", values32, DEFAULT_AXES[3], "float64")


def make_npz(fx):
    # A single attention array with string tokens: stored and deflated.
    for name, compressed, seed in [("npz_stored_tokens.npz", False, 20),
                                   ("npz_compressed_tokens.npz", True, 21)]:
        array, values32 = stored(softmax_rows(seed, (2, 3, 5, 5)), "<f4")
        fx.write(name, npz_bytes({"attention": array, "tokens": np.array(TOKENS5)}, compressed))
        fx.add(name, name, "npz", values32, DEFAULT_AXES[4], "float32", array_name="attention",
               query_tokens=TOKENS5, key_tokens=TOKENS5)

    # Bytes tokens ('|S', UTF-8) next to a float16 array.
    array, values32 = stored(softmax_rows(22, (3, 5, 5)), "<f2")
    tokens = np.array([t.encode() for t in BYTES_TOKENS])
    assert tokens.dtype.kind == "S"
    fx.write("npz_bytes_tokens.npz", npz_bytes({"attention": array, "tokens": tokens}))
    fx.add("npz_bytes_tokens.npz", "npz_bytes_tokens.npz", "npz", values32, DEFAULT_AXES[3],
           "float16", array_name="attention", query_tokens=BYTES_TOKENS, key_tokens=BYTES_TOKENS)

    # Layer stacks: 12 arrays arr_0 ... arr_11 (np.savez(f, *layers)), and the same names stored
    # in lexicographic order, and layer_0 ... layer_10 deflated in lexicographic order. Only a
    # numeric sort puts layer 10 after layer 9.
    stack = softmax_rows(23, (12, 3, 5, 4))
    array, values32 = stored(stack, "<f4")
    out = io.BytesIO()
    np.savez(out, *array)
    fx.write("npz_layers_positional.npz", out.getvalue())
    stack_axes = ["layer"] + DEFAULT_AXES[3]
    fx.add("npz_layers_positional.npz", "npz_layers_positional.npz", "npz", values32, stack_axes,
           "float32", array_name=None)
    fx.add("npz_layers_positional.npz --key arr_10", "npz_layers_positional.npz", "npz",
           values32[10], DEFAULT_AXES[3], "float32", options={"key": "arr_10"},
           array_name="arr_10")

    names = sorted(f"arr_{i}" for i in range(12))
    fx.write("npz_layers_lexorder.npz", npz_bytes({n: array[int(n[4:])] for n in names}))
    fx.add("npz_layers_lexorder.npz", "npz_layers_lexorder.npz", "npz", values32, stack_axes,
           "float32", array_name=None)

    stack = softmax_rows(24, (11, 3, 5, 4))
    array, values32 = stored(stack, "<f2")
    names = sorted(f"layer_{i}" for i in range(11))
    fx.write("npz_layers_named.npz",
             npz_bytes({n: array[int(n[6:])] for n in names}, compressed=True))
    fx.add("npz_layers_named.npz", "npz_layers_named.npz", "npz", values32, stack_axes,
           "float16", array_name=None)

    # A layer stack whose members differ in memory layout and byte order: np.savez keeps each
    # array's own, so layer 1 is Fortran-ordered and layer 2 big-endian.
    array, values32 = stored(softmax_rows(29, (3, 3, 5, 4)), "<f4")
    out = io.BytesIO()
    np.savez(out, array[0], np.asfortranarray(array[1]), array[2].astype(">f4"))
    fx.write("npz_layers_mixed_layout.npz", out.getvalue())
    fx.add("npz_layers_mixed_layout.npz", "npz_layers_mixed_layout.npz", "npz", values32,
           stack_axes, "float32", array_name=None)

    # Cross-attention with query_tokens ('<U') and key_tokens ('|S') members.
    array, values32 = stored(softmax_rows(19, (3, 5, 4)), "<f4")
    key_tokens = ["Le", "chat", "dort", "</s>"]
    fx.write("npz_cross_tokens.npz", npz_bytes({
        "attention": array, "query_tokens": np.array(TOKENS5),
        "key_tokens": np.array([t.encode() for t in key_tokens])}))
    fx.add("npz_cross_tokens.npz", "npz_cross_tokens.npz", "npz", values32, DEFAULT_AXES[3],
           "float32", array_name="attention", query_tokens=TOKENS5, key_tokens=key_tokens)

    # Written to a pipe (np.savez(sys.stdout.buffer, ...)): zipfile cannot seek back, so local
    # headers carry no sizes (flag bit 3) and a data descriptor follows each member.
    for name, compressed, seed in [("npz_streamed.npz", False, 17),
                                   ("npz_streamed_compressed.npz", True, 18)]:
        array, values32 = stored(softmax_rows(seed, (2, 3, 5, 5)), "<f4")
        pipe = Unseekable()
        (np.savez_compressed if compressed else np.savez)(pipe, attention=array,
                                                          tokens=np.array(TOKENS5))
        data = bytes(pipe.data)
        assert struct.unpack_from("<H", data, 6)[0] & 0x08, "expected data descriptors"
        fx.write(name, data)
        fx.add(name, name, "npz", values32, DEFAULT_AXES[4], "float32", array_name="attention",
               query_tokens=TOKENS5, key_tokens=TOKENS5)

    # Two float arrays: --key chooses; the second is Fortran-ordered big-endian f8.
    a, a32 = stored(softmax_rows(25, (2, 3, 5, 4)), "<f4")
    b, b32 = stored(softmax_rows(26, (3, 5, 5)), ">f8")
    fx.write("npz_two_arrays.npz", npz_bytes({"attn_a": a, "attn_b": np.asfortranarray(b)}))
    fx.add("npz_two_arrays.npz --key attn_a", "npz_two_arrays.npz", "npz", a32, DEFAULT_AXES[4],
           "float32", options={"key": "attn_a"}, array_name="attn_a")
    fx.add("npz_two_arrays.npz --key attn_b", "npz_two_arrays.npz", "npz", b32, DEFAULT_AXES[3],
           "float64", options={"key": "attn_b"}, array_name="attn_b")

    # A member named "attention" among other float arrays, and not first in the archive.
    attention, attention32 = stored(softmax_rows(27, (2, 3, 5, 5)), "<f4")
    rng = np.random.default_rng(28)
    members = {
        "hidden_states": rng.standard_normal((5, 8)).astype("<f4"),
        "attention": attention,
        "logits": rng.standard_normal((5, 3)).astype("<f4"),
        "tokens": np.array(TOKENS5),
    }
    fx.write("npz_attention_member.npz", npz_bytes(members))
    fx.add("npz_attention_member.npz", "npz_attention_member.npz", "npz", attention32,
           DEFAULT_AXES[4], "float32", array_name="attention", query_tokens=TOKENS5,
           key_tokens=TOKENS5)

    make_npz_padding(fx)
    make_npz_scores(fx)


PAD_TOKENS = {"[PAD]", "<pad>", "<|pad|>"}


def padded_attention(seed, lengths, layers, heads, n, left=False):
    """(layer, batch, head, n, n) attention of a padded batch as BERT computes it: padded key
    columns exactly 0, every query row (padded ones too) a softmax over the real keys."""
    real = np.zeros((len(lengths), n), dtype=bool)
    for item, length in enumerate(lengths):
        if left:
            real[item, n - length:] = True
        else:
            real[item, :length] = True
    key_mask = real[np.newaxis, :, np.newaxis, np.newaxis, :]
    return softmax_rows(seed, (layers, len(lengths), heads, n, n), mask=key_mask), real


def real_span(flags):
    where = np.flatnonzero(flags)
    return [int(where[0]), int(where[-1]) + 1]


def padding_truth(name, values32, batch, queries, keys, tokens, source, item_lengths):
    """What loading `values32` (layer, batch, head, q, k) without --keep-padding must give for
    item `batch`: the real query and key spans, their tokens, and samples of the trimmed heads."""
    heads = values32[:, batch][:, :, queries[0]:queries[1], keys[0]:keys[1]]
    return {"source": source, "item_lengths": item_lengths, "real_queries": queries,
            "real_keys": keys,
            "trimmed_tokens": None if tokens is None else tokens[keys[0]:keys[1]],
            "trimmed_samples": samples(name + " trimmed", heads)}


def add_padded(fx, name, file, fmt, values32, dtype, batch, tokens, real, source, axes=None):
    """A case read with --keep-padding (the file as numpy reads it) plus the trimmed truth."""
    axes = axes or DEFAULT_AXES[values32.ndim]
    options = {"keep_padding": True}
    if "batch" in axes:
        options["batch"] = batch
    item_tokens = None if tokens is None else tokens[batch]
    fx.add(name, file, fmt, values32, axes, dtype, options=options, array_name="attention",
           query_tokens=item_tokens, key_tokens=item_tokens)
    span = real_span(real[batch])
    lengths = [int(r.sum()) for r in real]
    fx.cases[-1]["padding"] = padding_truth(name, logical(values32, axes), batch, span, span,
                                            item_tokens, source, lengths)


def make_npz_padding(fx):
    # Right padding (BERT): tokens (batch, n) '<U' with [PAD], attention_mask (batch, n) int64.
    words = [["[CLS]", "the", "cat", "sat", "down", "[SEP]"], ["[CLS]", "hi", "!", "[SEP]"],
             ["[CLS]", "[SEP]"]]
    lengths = [len(w) for w in words]
    values, real = padded_attention(70, lengths, 2, 2, 6)
    array, values32 = stored(values, "<f4")
    tokens = [w + ["[PAD]"] * (6 - len(w)) for w in words]
    fx.write("npz_padded_right.npz", npz_bytes({
        "attention": array, "tokens": np.array(tokens), "input_ids": np.arange(18).reshape(3, 6),
        "attention_mask": real.astype(np.int64)}))
    for batch in (0, 1, 2):
        add_padded(fx, f"npz_padded_right.npz --batch {batch}", "npz_padded_right.npz", "npz",
                   values32, "float32", batch, tokens, real, "attention_mask")

    # Left padding (decoder-only models): bool mask, '<pad>' first, float16, no tokens needed.
    words = [["Ġa", "Ġb", "Ġc", "Ġd", "Ġe"], ["Ġx", "Ġy", "Ġz"]]
    values, real = padded_attention(71, [5, 3], 1, 3, 5, left=True)
    array, values32 = stored(values, "<f2")
    tokens = [["<pad>"] * (5 - len(w)) + w for w in words]
    fx.write("npz_padded_left.npz", npz_bytes({
        "attention": array, "tokens": np.array([[t.encode() for t in row] for row in tokens]),
        "attention_mask": real}))
    add_padded(fx, "npz_padded_left.npz --batch 1", "npz_padded_left.npz", "npz", values32,
               "float16", 1, tokens, real, "attention_mask")

    # Padding known only from pad tokens: the padded keys hold weight (no zero column, no mask).
    words = [["[CLS]", "one", "[SEP]"], ["[CLS]", "two", "words", "[SEP]"]]
    values = softmax_rows(72, (2, 2, 2, 5, 5))
    array, values32 = stored(values, "<f4")
    tokens = [w + ["[PAD]"] * (5 - len(w)) for w in words]
    real = np.array([[t not in PAD_TOKENS for t in row] for row in tokens])
    fx.write("npz_pad_tokens.npz", npz_bytes({"attention": array, "tokens": np.array(tokens)}))
    add_padded(fx, "npz_pad_tokens.npz --batch 0", "npz_pad_tokens.npz", "npz", values32,
               "float32", 0, tokens, real, "pad tokens")

    # Padding known only from zero key columns (no tokens): a (head, query, key) array.
    values, real = padded_attention(73, [4], 1, 2, 7)
    array, values32 = stored(values[0, 0], "<f4")
    fx.write("npz_zero_keys.npz", npz_bytes({"attention": array}))
    add_padded(fx, "npz_zero_keys.npz", "npz_zero_keys.npz", "npz", values32, "float32", 0,
               None, real, "zero key columns")


def softmax_truth(scores32):
    """softmax along the keys in float64 with masks (-inf, <= -1e30) giving 0 and a row with
    nothing else giving all 0, as numpy computes it; rounded to float32."""
    scores = scores32.astype(np.float64)
    masked = scores <= -1e30
    top = np.where(masked, -np.inf, scores).max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.where(masked, 0.0, np.exp(np.where(masked, 0.0, scores) - top))
    totals = weights.sum(axis=-1, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0).astype(
        np.float32)


def make_npz_scores(fx):
    # Pre-softmax scores (TransformerLens attn_scores): a causal -inf mask, one -3.4e38 mask
    # (torch.finfo(float32).min), and a fully masked row.
    rng = np.random.default_rng(74)
    scores = (rng.standard_normal((2, 2, 5, 5)) * 3).astype("<f4")
    scores[:, :, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] = -np.inf
    scores[1, 0, 3, 1] = np.finfo(np.float32).min
    scores[1, 1, 2, :] = np.finfo(np.float32).min
    fx.write("npz_scores.npz", npz_bytes({"attn_scores": scores}))
    fx.add("npz_scores.npz", "npz_scores.npz", "npz", scores, DEFAULT_AXES[4], "float32",
           array_name="attn_scores")
    probabilities = softmax_truth(scores)
    cells = [(1, 0, 3, 1), (1, 1, 2, 0), (0, 0, 0, 4)]
    fx.cases[-1]["softmax_samples"] = samples("npz_scores.npz softmax", probabilities, cells)


def make_safetensors(fx):
    master = softmax_rows(30, (2, 3, 5, 4))
    shape = master.shape

    f16, f16_32 = stored(master, "<f2")
    fx.write("st_f16.safetensors", safetensors_bytes([("attention", "F16", shape, f16.tobytes())]))
    fx.add("st_f16.safetensors", "st_f16.safetensors", "safetensors", f16_32, DEFAULT_AXES[4],
           "float16", array_name=None)

    bits = bf16_bits(master)
    bf16_32 = bf16_to_f32(bits)
    assert np.any(bf16_32 != (master.astype(np.float32).view(np.uint32) & 0xFFFF0000).view(
        np.float32)), "some values must round up, not only truncate"
    fx.write("st_bf16.safetensors",
             safetensors_bytes([("attention", "BF16", shape, bits.astype("<u2").tobytes())]))
    fx.add("st_bf16.safetensors", "st_bf16.safetensors", "safetensors", bf16_32, DEFAULT_AXES[4],
           "bfloat16", array_name=None)

    f32, f32_32 = stored(softmax_rows(31, (3, 5, 4)), "<f4")
    fx.write("st_f32.safetensors", safetensors_bytes([("attn", "F32", f32.shape, f32.tobytes())]))
    fx.add("st_f32.safetensors", "st_f32.safetensors", "safetensors", f32_32, DEFAULT_AXES[3],
           "float32", array_name=None)

    f64, f64_32 = stored(master, "<f8")
    fx.write("st_f64.safetensors", safetensors_bytes([("attention", "F64", shape, f64.tobytes())]))
    fx.add("st_f64.safetensors", "st_f64.safetensors", "safetensors", f64_32, DEFAULT_AXES[4],
           "float64", array_name=None)

    # model.layers.0.self_attn ... model.layers.10.self_attn, bf16, header sorted by name (so 10
    # comes before 2), data in reverse layer order, and the usual {"format": "pt"} metadata.
    stack = softmax_rows(32, (11, 3, 5, 4))
    bits = bf16_bits(stack)
    names = [f"model.layers.{i}.self_attn" for i in range(11)]
    tensors = [(n, "BF16", (3, 5, 4), bits[i].astype("<u2").tobytes()) for i, n in
               enumerate(names)]
    fx.write("st_layers.safetensors", safetensors_bytes(tensors, metadata={"format": "pt"},
                                                        data_order=names[::-1]))
    fx.add("st_layers.safetensors", "st_layers.safetensors", "safetensors", bf16_to_f32(bits),
           ["layer"] + DEFAULT_AXES[3], "bfloat16", array_name=None)

    # Two unrelated tensors: --key chooses.
    enc, enc32 = stored(softmax_rows(33, (3, 5, 4)), "<f4")
    dec, dec32 = stored(softmax_rows(34, (2, 3, 5, 5)), "<f8")
    fx.write("st_two.safetensors", safetensors_bytes([
        ("encoder_attn", "F32", enc.shape, enc.tobytes()),
        ("decoder_attn", "F64", dec.shape, dec.tobytes()),
    ]))
    fx.add("st_two.safetensors --key encoder_attn", "st_two.safetensors", "safetensors", enc32,
           DEFAULT_AXES[3], "float32", options={"key": "encoder_attn"}, array_name="encoder_attn")
    fx.add("st_two.safetensors --key decoder_attn", "st_two.safetensors", "safetensors", dec32,
           DEFAULT_AXES[4], "float64", options={"key": "decoder_attn"}, array_name="decoder_attn")

    # Model and tokens in __metadata__ (metadata values are strings: the tokens are a JSON list
    # inside a string).
    meta, meta32 = stored(softmax_rows(35, (2, 3, 5, 5)), "<f4")
    metadata = {"model": "openai-community/gpt2", "tokens": json.dumps(TOKENS5, ensure_ascii=False)}
    fx.write("st_metadata.safetensors",
             safetensors_bytes([("attention", "F32", meta.shape, meta.tobytes())], metadata))
    fx.add("st_metadata.safetensors", "st_metadata.safetensors", "safetensors", meta32,
           DEFAULT_AXES[4], "float32", array_name=None, model="openai-community/gpt2",
           query_tokens=TOKENS5, key_tokens=TOKENS5)

    # A header of 123 bytes, unpadded: the body starts at the odd offset 131, and the first byte
    # of the file is '{' (0x7B) though the file is not JSON.
    una, una32 = stored(softmax_rows(36, (5, 4)), "<f4")
    data = safetensors_bytes([("attention", "F32", una.shape, una.tobytes())], header_length=123)
    assert data[0:1] == b"{" and data[8:9] == b"{"
    fx.write("st_unaligned.safetensors", data)
    fx.add("st_unaligned.safetensors", "st_unaligned.safetensors", "safetensors", una32,
           DEFAULT_AXES[2], "float32", array_name=None)

    # A padded batch with an I64 attention_mask tensor and per-item tokens in __metadata__.
    words = [["<s>", "Ġhello", "Ġworld", "</s>"], ["<s>", "Ġhi", "</s>"]]
    values, real = padded_attention(75, [4, 3], 2, 2, 5)
    array, values32 = stored(values, "<f4")
    tokens = [w + ["<pad>"] * (5 - len(w)) for w in words]
    fx.write("st_mask.safetensors", safetensors_bytes([
        ("attention", "F32", array.shape, array.tobytes()),
        ("attention_mask", "I64", real.shape, real.astype("<i8").tobytes())],
        metadata={"tokens": json.dumps(tokens)}))
    add_padded(fx, "st_mask.safetensors --batch 1", "st_mask.safetensors", "safetensors",
               values32, "float32", 1, tokens, real, "attention_mask")


def make_json(fx):
    # JSON numbers are doubles: numpy reads these files as float64. Ranks 2 and 4 hold full
    # float64 values (so rounding to float32 matters); the others hold float32 values exactly.
    for rank, shape, seed, exact32 in [(2, (5, 5), 40, False), (3, (3, 5, 5), 41, True),
                                       (4, (2, 3, 5, 5), 42, False), (5, (2, 2, 3, 5, 5), 43, True)]:
        master = softmax_rows(seed, shape)
        values = master.astype(np.float32).astype(np.float64) if exact32 else master
        name = f"json_rank{rank}.json"
        fx.write(name, json_bytes({"attention": values.tolist(), "tokens": TOKENS5},
                                  indent=1 if rank == 3 else None))
        values32 = values.astype(np.float32)
        fx.add(name, name, "json", values32, DEFAULT_AXES[rank], "float64", query_tokens=TOKENS5,
               key_tokens=TOKENS5)
        if rank == 5:
            fx.add(name + " batch 1", name, "json", values32, DEFAULT_AXES[rank], "float64",
                   options={"batch": 1}, query_tokens=TOKENS5, key_tokens=TOKENS5)

    # Cross-attention: 5 queries, 4 keys, each with its own tokens.
    cross = softmax_rows(44, (3, 5, 4)).astype(np.float32)
    key_tokens = ["Le", "▁chat", "▁dort", "</s>"]
    fx.write("json_cross.json", json_bytes({"attention": nested(cross), "query_tokens": TOKENS5,
                                            "key_tokens": key_tokens}))
    fx.add("json_cross.json", "json_cross.json", "json", cross, DEFAULT_AXES[3], "float64",
           query_tokens=TOKENS5, key_tokens=key_tokens)

    # Axes named by the file: (head, layer, query, key).
    axes = ["head", "layer", "query", "key"]
    permuted = softmax_rows(45, (3, 2, 5, 4)).astype(np.float32)
    fx.write("json_axes.json", json_bytes({"axes": axes, "attention": nested(permuted)}))
    fx.add("json_axes.json", "json_axes.json", "json", permuted, axes, "float64")

    # One head of a bigger model.
    head = softmax_rows(46, (5, 5)).astype(np.float32)
    fx.write("json_slice.json", json_bytes({"model": "bert-base-uncased", "layer": 11, "head": 0,
                                            "tokens": TOKENS5, "attention": nested(head)}))
    fx.add("json_slice.json", "json_slice.json", "json", head, DEFAULT_AXES[2], "float64",
           model="bert-base-uncased", layer_offset=11, head_offset=0, query_tokens=TOKENS5,
           key_tokens=TOKENS5)

    # A bare nested list, written by hand: integers, exponents in both cases, -0.0.
    text = ("[[1, 0, 0, 0],\n"
            " [0.5, 0.5, 0, 0],\n"
            " [2.5e-1, 0.25, 25E-2, 2.5E-1],\n"
            " [0.1, 0.2, 0.3, 0.4],\n"
            " [1e-3, 9.99e-1, 0.0, -0.0]]\n")
    bare = np.array(json.loads(text), dtype=np.float64).astype(np.float32)
    fx.write("json_bare.json", text.encode())
    fx.add("json_bare.json", "json_bare.json", "json", bare, DEFAULT_AXES[2], "float64")

    make_json_python_values(fx)
    make_json_bertviz(fx)
    make_json_circuitsvis(fx)
    make_json_transformerlens(fx)
    return make_json_hugging_face(fx)


def make_json_python_values(fx):
    """What json.dump writes by default: NaN, Infinity, -Infinity (allow_nan=True) and None."""
    naninf = softmax_rows(47, (3, 5, 5)).astype(np.float32)
    bad_cells = {(0, 1, 2): np.nan, (1, 0, 4): np.inf, (2, 4, 0): -np.inf, (2, 3, 3): np.nan}
    for cell, value in bad_cells.items():
        naninf[cell] = value
    # The same words inside strings, with escaped quotes and backslashes, stay text.
    tokens = ["NaN", "Infinity", "-Infinity", '"NaN", Infinity', "\\"]
    model = 'model "NaN" \\ -Infinity'
    document = {"model": model, "layer": 2, "head": None, "tokens": tokens,
                "attention": nested(naninf)}
    data = json_bytes(document, indent=1)
    assert b" NaN," in data and b" Infinity" in data and b" -Infinity" in data
    fx.write("json_python_naninf.json", data)
    fx.add("json_python_naninf.json", "json_python_naninf.json", "json", naninf,
           DEFAULT_AXES[3], "float64", model=model, layer_offset=2, head_offset=0,
           query_tokens=tokens, key_tokens=tokens,
           extra_samples=[(0, *cell) for cell in bad_cells])

    # Every optional field None: each means absent.
    plain = softmax_rows(48, (5, 4)).astype(np.float32)
    fields = ["tokens", "query_tokens", "key_tokens", "axes", "model", "layer", "head",
              "attention_mask"]
    fx.write("json_python_nulls.json",
             json_bytes({"attention": nested(plain), **{field: None for field in fields}}))
    fx.add("json_python_nulls.json", "json_python_nulls.json", "json", plain, DEFAULT_AXES[2],
           "float64")

    # --key names the member when it is none of the usual names.
    weights = softmax_rows(55, (3, 5, 5)).astype(np.float32)
    fx.write("json_key_weights.json",
             json_bytes({"weights": nested(weights), "tokens": TOKENS5}))
    fx.add("json_key_weights.json --key weights", "json_key_weights.json", "json", weights,
           DEFAULT_AXES[3], "float64", options={"key": "weights"}, array_name="weights",
           query_tokens=TOKENS5, key_tokens=TOKENS5)


def bertviz_entry(name, attn, left_text, right_text):
    """One element of BertViz's attn_data (bertviz/head_view.py); attn is (layer, head, q, k)."""
    return {"name": name, "attn": attn.tolist(), "left_text": left_text,
            "right_text": right_text}


def make_json_bertviz(fx):
    """BertViz's data: one entry saved alone, and the params its views embed (json.dumps(params)
    in head_view.py / model_view.py), whose 'layer' is the view's first selection, not data."""
    encoder_tokens = ["▁Le", "▁chat", "▁dort", "</s>"]
    decoder_tokens = ["<pad>", "▁The", "▁cat", "▁sleeps", "</s>"]
    layers, heads = 2, 3
    encoder = softmax_rows(56, (layers, heads, 4, 4)).astype(np.float32)
    decoder = softmax_rows(57, (layers, heads, 5, 5), mask=causal_mask(5)).astype(np.float32)
    cross = softmax_rows(58, (layers, heads, 5, 4)).astype(np.float32)

    fx.write("json_bertviz_entry.json",
             json_bytes(bertviz_entry("Cross", cross, decoder_tokens, encoder_tokens)))
    fx.add("json_bertviz_entry.json", "json_bertviz_entry.json", "json", cross, DEFAULT_AXES[4],
           "float64", array_name="Cross", query_tokens=decoder_tokens, key_tokens=encoder_tokens)

    params = {"attention": [bertviz_entry("Encoder", encoder, encoder_tokens, encoder_tokens),
                            bertviz_entry("Decoder", decoder, decoder_tokens, decoder_tokens),
                            bertviz_entry("Cross", cross, decoder_tokens, encoder_tokens)],
              "default_filter": "0", "root_div_id": "bertviz-0", "layer": 1, "heads": None,
              "include_layers": [4, 5]}
    fx.write("json_bertviz_head_view.json", json_bytes(params))
    for key, values, query, keys in [("Cross", cross, decoder_tokens, encoder_tokens),
                                     ("Encoder", encoder, encoder_tokens, encoder_tokens)]:
        fx.add(f"json_bertviz_head_view.json --key {key}", "json_bertviz_head_view.json",
               "json", values, DEFAULT_AXES[4], "float64", options={"key": key},
               array_name=key, layer_offset=4, query_tokens=query, key_tokens=keys)

    # model_view of a sentence pair: "All" and its four blocks; heads 2 and 3 of the model.
    tokens = ["[CLS]", "the", "cat", "[SEP]", "it", "sat", "[SEP]"]
    full = softmax_rows(59, (2, 2, 7, 7)).astype(np.float32)
    a, b = slice(0, 4), slice(4, 7)
    blocks = [("All", full, tokens, tokens)] + [
        (f"Sentence {x} -> Sentence {y}", full[:, :, sx, sy], tokens[sx], tokens[sy])
        for x, sx, y, sy in [("A", a, "A", a), ("B", b, "B", b), ("A", a, "B", b),
                             ("B", b, "A", a)]]
    params = {"attention": [bertviz_entry(*block) for block in blocks], "default_filter": "0",
              "display_mode": "dark", "root_div_id": "bertviz-1", "include_layers": [0, 1],
              "include_heads": [2, 3], "total_heads": 4}
    fx.write("json_bertviz_model_view.json", json_bytes(params))
    fx.add("json_bertviz_model_view.json", "json_bertviz_model_view.json", "json", full,
           DEFAULT_AXES[4], "float64", array_name="All", head_offset=2, query_tokens=tokens,
           key_tokens=tokens)
    name, values, query, keys = blocks[3]
    fx.add(f"json_bertviz_model_view.json --key {name}", "json_bertviz_model_view.json", "json",
           np.ascontiguousarray(values), DEFAULT_AXES[4], "float64", options={"key": name},
           array_name=name, head_offset=2, query_tokens=query, key_tokens=keys)


def make_json_circuitsvis(fx):
    """The props circuitsvis.attention.attention_heads renders: attention is (head, dest, src)."""
    tokens = ["<|endoftext|>", "The", " cat", " sat", "."]
    pattern = softmax_rows(60, (4, 5, 5), mask=causal_mask(5)).astype(np.float32)
    props = {"attention": pattern.tolist(), "attentionHeadNames": None, "maxValue": None,
             "minValue": None, "negativeColor": None, "positiveColor": None, "tokens": tokens}
    fx.write("json_circuitsvis.json", json_bytes(props))
    fx.add("json_circuitsvis.json", "json_circuitsvis.json", "json", pattern, DEFAULT_AXES[3],
           "float64", query_tokens=tokens, key_tokens=tokens)


def make_json_transformerlens(fx):
    """A TransformerLens cache saved hook by hook:
    {name: t.tolist() for name, t in cache.items()}: blocks.N.attn.hook_pattern is (batch, head,
    query, key); hook_attn_scores holds the scores, -inf above the diagonal (json: -Infinity)."""
    layers, n = 11, 4
    tokens = ["<|endoftext|>", "Hello", " world", "!"]
    pattern = softmax_rows(61, (layers, 1, 2, n, n), mask=causal_mask(n)).astype(np.float32)
    rng = np.random.default_rng(62)
    scores = np.where(causal_mask(n), rng.standard_normal((layers, 1, 2, n, n)), -np.inf)
    scores = scores.astype(np.float32)
    cache = {}
    for layer in range(layers):
        cache[f"blocks.{layer}.attn.hook_attn_scores"] = scores[layer].tolist()
        cache[f"blocks.{layer}.attn.hook_pattern"] = pattern[layer].tolist()
    # In name order, as a sorted dict dumps it: blocks.10 comes before blocks.2.
    document = {name: cache[name] for name in sorted(cache)} | {"tokens": tokens}
    fx.write("json_transformerlens.json", json_bytes(document))
    axes = ["layer", "batch", "head", "query", "key"]
    fx.add("json_transformerlens.json", "json_transformerlens.json", "json", pattern, axes,
           "float64", array_name=None, query_tokens=tokens, key_tokens=tokens)
    fx.add("json_transformerlens.json --key hook_attn_scores", "json_transformerlens.json",
           "json", scores, axes, "float64", options={"key": "hook_attn_scores"}, array_name=None,
           query_tokens=tokens, key_tokens=tokens)

    # One layer of a cache run with remove_batch_dim=True: (head, query, key), layer 5.
    layer5 = softmax_rows(63, (3, n, n), mask=causal_mask(n)).astype(np.float32)
    fx.write("json_transformerlens_layer5.json",
             json_bytes({"blocks.5.attn.hook_pattern": layer5.tolist()}))
    fx.add("json_transformerlens_layer5.json", "json_transformerlens_layer5.json", "json",
           layer5[np.newaxis], ["layer", "head", "query", "key"], "float64",
           array_name="blocks.5.attn.hook_pattern", layer_offset=5)


def item_case(name, file, values32, axes, *, tokens=None, item_tokens=None,
              attention_mask=None, options=None):
    """A case whose tokens are per batch item or which carries an attention mask: LoadDump's
    values as for any case, and the tokens and mask the JSON reader hands over
    (json_dump_test.cc); attaching them to the dump is the padding work's."""
    entry = case(name, file, "json", values32, axes, "float64", options=options)
    entry["raw_tokens"] = tokens
    entry["item_tokens"] = item_tokens
    entry["attention_mask"] = attention_mask
    return entry


def make_json_hugging_face(fx):
    """Hugging Face's outputs.attentions (a tuple of (batch, head, q, k) per layer) as
    json.dump({"attentions": [a.tolist() for a in outputs.attentions], ...}) writes it, with
    the batch's tokens and attention_mask; returns the item cases."""
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    tokens = [["[CLS]", "the", "cat", "sat", "[SEP]"], ["[CLS]", "hi", "[SEP]", "[PAD]", "[PAD]"]]
    keep = mask[:, np.newaxis, np.newaxis, :].astype(bool)
    per_layer = [softmax_rows(64 + layer, (2, 3, 5, 5), mask=keep).astype(np.float32)
                 for layer in range(2)]
    document = {"attentions": [a.tolist() for a in per_layer], "tokens": tokens,
                "attention_mask": mask.tolist()}
    fx.write("json_hf_batch.json", json_bytes(document))
    stacked = np.stack(per_layer)  # (layer, batch, head, query, key)
    flags = (mask == 1).tolist()
    items = [item_case("json_hf_batch.json", "json_hf_batch.json", stacked, DEFAULT_AXES[5],
                       item_tokens=tokens, attention_mask=flags),
             item_case("json_hf_batch.json batch 1", "json_hf_batch.json", stacked,
                       DEFAULT_AXES[5], item_tokens=tokens, attention_mask=flags,
                       options={"batch": 1})]

    # One input, [a[0].tolist() for a in ...]: (layer, head, q, k); tokens and a mask of bools.
    single = stacked[:, 1]
    document = {"attentions": [layer.tolist() for layer in single], "tokens": tokens[1],
                "attention_mask": (mask[1] == 1).tolist()}
    fx.write("json_hf_single.json", json_bytes(document))
    items.append(item_case("json_hf_single.json", "json_hf_single.json", single,
                           DEFAULT_AXES[4], tokens=tokens[1], attention_mask=[flags[1]]))
    return items


def make_tokens(fx):
    """Token side files; returns file name -> the tokens it holds."""
    lines = "".join(t + "\n" for t in TOKENS5)
    fx.write("tokens_lines.txt", lines.encode())
    fx.write("tokens_crlf.txt", lines.replace("\n", "\r\n").encode())
    fx.write("tokens_no_final_newline.txt", lines.rstrip("\n").encode())
    fx.write("tokens_keys6.txt", "".join(t + "\n" for t in TOKENS6).encode())
    fx.write("tokens_list.json", json_bytes(TOKENS5))
    # \u escapes, the emoji as a surrogate pair.
    fx.write("tokens_escaped.json", (json.dumps(TOKENS5, ensure_ascii=True) + "\n").encode())
    return make_tokens_as_written(fx) | {
        "tokens_lines.txt": TOKENS5,
        "tokens_crlf.txt": TOKENS5,
        "tokens_no_final_newline.txt": TOKENS5,
        "tokens_keys6.txt": TOKENS6,
        "tokens_list.json": TOKENS5,
        "tokens_escaped.json": TOKENS5,
    }


def write_lines(fx, name, tokens, newline="\n", trailing_blank=False):
    """One token per line as Python's text files write them (newline="\r\n" on Windows)."""
    path = FORMATS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline=newline) as out:
        out.write("".join(token + "\n" for token in tokens) + ("\n" if trailing_blank else ""))
    return tokens


def make_tokens_as_written(fx):
    """Token files as users write them: lines whose first token starts with '[' (never JSON),
    a trailing empty line, and one JSON list of tokens per batch item."""
    bert = ["[CLS]", "the", "cat", "sat", "[SEP]"]
    llama = ["[INST]", "▁Hi", "[/INST]", "▁Hello", "</s>"]
    brackets = ["[", "Ġx", "]", "=", "[]"]
    items = [bert, ["[CLS]", "hi", "[SEP]", "[PAD]", "[PAD]"]]
    with open(FORMATS / "tokens_items.json", "w", encoding="utf-8") as out:
        json.dump(items, out, ensure_ascii=False)
    return {
        "tokens_bert_cls.txt": write_lines(fx, "tokens_bert_cls.txt", bert),
        "tokens_inst_crlf.txt": write_lines(fx, "tokens_inst_crlf.txt", llama, newline="\r\n"),
        "tokens_lone_bracket.txt": write_lines(fx, "tokens_lone_bracket.txt", brackets),
        "tokens_trailing_blank.txt": write_lines(fx, "tokens_trailing_blank.txt", TOKENS5,
                                                 trailing_blank=True),
        "tokens_trailing_blank_crlf.txt": write_lines(fx, "tokens_trailing_blank_crlf.txt",
                                                      TOKENS5, newline="\r\n",
                                                      trailing_blank=True),
        "tokens_items.json": items,
    }


# ---------------------------------------------------------------------------------------------
# Self-check: numpy reads every array fixture back as described


def numpy_reads(entry):
    """The float32 array numpy reads for an npy or npz case, or None for other formats."""
    path = FORMATS / entry["file"]
    if entry["format"] == "npy":
        return np.load(path).astype(np.float32)
    if entry["format"] != "npz":
        return None
    with np.load(path) as archive:
        if entry["options"].get("key"):
            return archive[entry["options"]["key"]].astype(np.float32)
        if entry["array_name"]:
            return archive[entry["array_name"]].astype(np.float32)
        layers = sorted(archive.files, key=lambda n: int(n.rsplit("_", 1)[1]))
        return np.stack([archive[n] for n in layers]).astype(np.float32)


def check_with_numpy(entry):
    """numpy reads the file back with the shape and sample values the entry states."""
    array = numpy_reads(entry)
    if array is None:
        return
    assert list(array.shape) == entry["shape"], entry["name"]
    heads = logical(array, entry["axes"])[:, entry["options"].get("batch", 0)]
    for layer, head, query, key, value in entry["samples"]:
        got = sample_value(heads[layer, head, query, key])
        assert got == value, (entry["name"], got, value)


# ---------------------------------------------------------------------------------------------
# bad/


def make_bad():
    """Broken inputs; returns file name -> README line."""
    readme = {}

    def bad(name, data, what):
        write_bytes(BAD / name, data)
        readme[name] = what

    square = softmax_rows(50, (4, 4)).astype("<f4")
    rank4 = softmax_rows(51, (2, 3, 5, 4)).astype("<f4")

    bad("empty.npy", b"", "0 bytes. Message: `empty`.")
    rng = np.random.default_rng(52)
    noise = bytearray(rng.integers(0, 256, 64, dtype=np.uint8).tobytes())
    noise[0] = 0x01  # not '\x93', 'P', '{', '[' or whitespace
    noise[8] = 0x02  # not '{' after an 8-byte length
    bad("unknown.bin", bytes(noise), "random bytes, no known magic. Message: `format`.")

    full = npy_bytes(rank4)
    header_bytes = len(full) - rank4.nbytes
    bad("truncated.npy", full[:header_bytes + 100],
        "header says (2, 3, 5, 4) float32 = 480 bytes, the body has 100. Message: `480`, `100`.")
    bad("shape_mismatch.npy",
        npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (12, 12, 512, 512), }",
                square.tobytes()),
        "header says (12, 12, 512, 512) float32 = 150994944 bytes, the body has 64. "
        "Message: `150994944`, `64`.")
    bad("int32.npy", npy_bytes(np.arange(16, dtype="<i4").reshape(4, 4)),
        "dtype '<i4'. Message: `int32`.")
    bad("complex.npy", npy_bytes((square + 1j * square).astype("<c8")),
        "dtype '<c8'. Message: `complex64`.")
    bad("object.npy", npy_bytes(np.array([[{"a": 1}, None], [None, None]], dtype=object),
                                allow_pickle=True),
        "dtype object ('|O', a pickle): refused, never unpickled. Message: `object`.")
    structured = np.zeros((4, 4), dtype=[("a", "<f4"), ("b", "<f4")])
    bad("structured.npy", npy_bytes(structured),
        "structured dtype [('a', '<f4'), ('b', '<f4')]. Message: `dtype`.")
    bad("rank1.npy", npy_bytes(np.full(5, 0.2, dtype="<f4")),
        "shape (5,): rank 1 has no query and key axes. Message: `rank`.")
    bad("overflow_shape.npy",
        npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, "
                "1099511627776, 1099511627776), }", square.tobytes()),
        "shape (2^40, 2^40, 2^40): the byte count overflows 64 bits; must be refused, not "
        "wrapped. Message: `shape`.")
    bad("negative_shape.npy",
        npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", square.tobytes()),
        "shape (-1, 4). Message: `negative`.")
    bad("header_not_dict.npy", npy_raw("[1, 2, 3]", square.tobytes()),
        "the header is a list literal, not a dict. Message: `header`.")
    bad("header_code.npy", npy_raw("__import__('os').system('echo pwned')", square.tobytes()),
        "the header is Python code; parsed as a literal, never evaluated. Message: `header`.")
    bad("bad_version.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }",
                                   square.tobytes(), version=(9, 0)),
        "format version 9.0. Message: `version`, `9`.")

    archive = npz_bytes({"attention": rank4, "tokens": np.array(TOKENS5)})
    bad("broken.npz", archive[:len(archive) // 2],
        "a zip cut in half: no central directory. Message: `zip`.")
    corrupt = bytearray(npz_bytes({"attention": rank4}))
    body = corrupt.index(b"\x93NUMPY") + header_bytes + 10
    corrupt[body] ^= 0x01
    bad("badcrc.npz", bytes(corrupt),
        "stored member attention.npy with one data byte flipped. Message: `CRC`.")
    bad("no_arrays.npz", npz_bytes({"tokens": np.array(TOKENS5)}),
        "only a tokens member, no float array. Message: `tokens` (what the archive has).")

    bad("ragged.json", json_bytes({"attention": [[0.25] * 4, [0.25] * 4, [1 / 3] * 3]}),
        "attention rows of 4, 4 and 3 numbers. Message: `4`, `3`.")
    document = json_bytes({"attention": nested(square), "tokens": ["a", "b", "c", "d"]})
    bad("truncated.json", document[:len(document) // 2],
        "JSON cut mid-way. Message: where it stopped (`line`, `byte` or `offset`).")
    bad("no_attention_key.json", json_bytes({"weights": nested(square), "tokens": list("abcd")}),
        "an object without \"attention\". Message: `attention`.")
    bad("strings.json", json_bytes({"attention": [["0.5", "0.5"], ["0.5", "0.5"]]}),
        "strings where numbers belong. Message: `number`, `string`.")
    bad("tokens_mismatch.json", json_bytes({"attention": nested(square), "tokens": TOKENS5}),
        "5 tokens for a 4 x 4 attention. Message: `5`, `4`, `token`.")

    bad("square4.npy", npy_bytes(square), "valid 4 x 4 float32; used with five_tokens.txt.")
    bad("five_tokens.txt", "".join(t + "\n" for t in TOKENS5).encode(),
        "5 tokens; `--tokens five_tokens.txt` on square4.npy. Message: `5`, `4`, `token`.")
    bad("invalid_utf8.txt", b"first\nsecond\nth\xffird\nfourth\n",
        "byte 0xFF on line 3. Message: `UTF-8`, `line 3`.")
    bad("tokens_not_strings.json", b'["a", 2, "c"]\n',
        "a tokens list with a number in it. Message: `string`.")

    bad("safetensors_offsets.safetensors", safetensors_file(
        {"attention": {"dtype": "F32", "shape": [25, 40], "data_offsets": [0, 4000]}},
        square.tobytes()),
        "data_offsets [0, 4000] past the 64 bytes of data. Message: `4000`.")
    bad("safetensors_int.safetensors", safetensors_bytes(
        [("attention", "I32", (4, 4), np.arange(16, dtype="<i4").tobytes())]),
        "dtype I32. Message: `I32` or `int32`.")
    bad("safetensors_shape_mismatch.safetensors", safetensors_bytes(
        [("attention", "F32", (5, 4), square.tobytes())]),
        "shape [5, 4] F32 = 80 bytes, data_offsets span 64. Message: `80`, `64`.")
    header_len = bytearray(safetensors_bytes([("attention", "F32", (4, 4), square.tobytes())]))
    header_len[0:8] = struct.pack("<Q", 1_000_000)
    bad("safetensors_header_len.safetensors", bytes(header_len),
        "header length 1000000, longer than the file. Message: `header`.")
    return readme


def write_bad_readme(readme):
    lines = ["# Bad inputs for the error tests",
             "",
             "Written by scripts/make-fixtures.py. Each must be refused with an input error (exit "
             "code 3) whose message names the file and contains the words given (case aside).",
             ""]
    lines += [f"- `{name}`: {what}" for name, what in readme.items()]
    write_bytes(BAD / "README.md", ("\n".join(lines) + "\n").encode())


# ---------------------------------------------------------------------------------------------
# Real dumps in ../shared/real


def make_real():
    entries = []
    for name in ("finbert_l11h0.json", "llama31_l31h0_crop.json"):
        document = json.loads((REAL / name).read_text(encoding="utf-8"))
        values32 = np.array(document["attention"], dtype=np.float64).astype(np.float32)
        entries.append(case(name, name, "json", values32, DEFAULT_AXES[2], "float64",
                            model=document["model"], layer_offset=document["layer"],
                            head_offset=document["head"], query_tokens=document["tokens"],
                            key_tokens=document["tokens"]))
    values32 = np.load(REAL / "roberta_coqa_512.npy")
    assert values32.dtype == np.float32
    rng = np.random.default_rng(60)
    extra = [(0, 0, int(rng.integers(512)), int(rng.integers(512))) for _ in range(8)]
    entries.append(case("roberta_coqa_512.npy", "roberta_coqa_512.npy", "npy", values32,
                        DEFAULT_AXES[2], "float32", extra_samples=extra))
    return entries


def previous_real():
    path = FORMATS / "expected.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("real", [])


# ---------------------------------------------------------------------------------------------


def main():
    fx = Formats()
    make_npy(fx)
    make_npz(fx)
    make_safetensors(fx)
    item_cases = make_json(fx)
    tokens_files = make_tokens(fx)
    for entry in fx.cases:
        check_with_numpy(entry)
    names = [entry["name"] for entry in fx.cases + item_cases]
    assert len(names) == len(set(names)), "case names must be unique"

    real = make_real() if REAL.is_dir() else previous_real()
    expected = {
        "about": "Written by scripts/make-fixtures.py with numpy; files are relative to "
                 "tests/fixtures/formats (cases, item_cases, tokens_files) or ../shared/real (real).",
        "cases": fx.cases,
        "item_cases": item_cases,
        "tokens_files": tokens_files,
        "real": real,
    }
    write_bytes(FORMATS / "expected.json",
                (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode())
    write_bad_readme(make_bad())
    # .pt files need torch, which only this script imports (tests/fixtures/torch).
    runpy.run_path(str(ROOT / "scripts" / "make-torch-fixtures.py"), run_name="__main__")


if __name__ == "__main__":
    main()
