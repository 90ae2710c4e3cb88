#!/usr/bin/python3
"""Writes the .pt test fixtures with the real writer (Debian's python3-torch) and their numpy truth.

    /usr/bin/python3 scripts/make-torch-fixtures.py

tests/fixtures/torch/*.pt         torch.save of each container, dtype and view layout attnviz reads
tests/fixtures/torch/hostile_*    pickles that must be refused (built by hand: torch never writes them)
tests/fixtures/torch/expected.json  per fixture: extents, and every head's values computed by numpy

Deterministic: fixed seeds, and torch's zip members carry no timestamps, so a rerun writes identical
bytes. Values in expected.json come from the tensors' bytes through numpy (bfloat16 by shifting its
bits into a float32), converted to float32 the way attnviz reads them, never from attnviz.
"""

import collections
import io
import json
import pickle
import pickletools
import struct
import zipfile
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "torch"

# The file the hostile pickles would create if anything ran them; the tests check it never appears.
SIDE_EFFECT = "/tmp/attnviz-torch-pickle-ran"


def attention(seed, shape):
    """Random rows that sum to 1, as float32 torch tensor."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape)
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return torch.from_numpy((weights / weights.sum(axis=-1, keepdims=True)).astype(np.float32))


def as_float32(tensor):
    """The values of `tensor` as numpy float32, computed from its bytes without torch arithmetic."""
    if tensor.dtype == torch.bfloat16:
        bits = tensor.contiguous().view(torch.int16).numpy().astype(np.uint16)
        return (bits.astype(np.uint32) << 16).view(np.float32)
    return tensor.numpy().astype(np.float32)


def heads(layers, axes):
    """[batch][layer][head] -> q*k values, for per-layer arrays named by `axes` (no layer axis) or
    one array whose axes include 'layer'."""
    arrays = [as_float32(t) for t in layers]
    if "layer" in axes:
        stacked = arrays[0]
        axes = list(axes)
    else:
        stacked = np.stack(arrays)
        axes = ["layer"] + list(axes)
    full = ["layer", "batch", "head", "query", "key"]
    for name in full:
        if name not in axes:
            stacked = stacked[np.newaxis]
            axes = [name] + axes
    stacked = np.transpose(stacked, [axes.index(name) for name in full])
    layer_count, batch_count, head_count = stacked.shape[:3]
    return {
        "layers": layer_count,
        "batches": batch_count,
        "heads": head_count,
        "queries": stacked.shape[3],
        "keys": stacked.shape[4],
        "values": [[[stacked[l, b, h].ravel().astype(float).tolist() for h in range(head_count)]
                    for l in range(layer_count)] for b in range(batch_count)],
    }


class Fixtures:
    def __init__(self):
        self.cases = {}

    def save(self, name, obj, layers, axes, legacy=False, **extra):
        path = OUT / name
        torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
        if legacy:
            path.write_bytes(stable_legacy_keys(path.read_bytes()))
        self.cases[name] = dict(heads(layers, axes), **extra)


AXES3 = ["head", "query", "key"]
AXES4 = ["batch", "head", "query", "key"]


def make_dtypes(fx):
    base = attention(1, (2, 3, 3))
    for dtype, tag in [(torch.float16, "f16"), (torch.bfloat16, "bf16"), (torch.float32, "f32"),
                       (torch.float64, "f64")]:
        tensor = base.to(dtype)
        fx.save(f"tensor_{tag}.pt", tensor, [tensor], AXES3, dtype=str(tensor.dtype)[6:])
    rank4 = attention(2, (2, 2, 3, 3))
    fx.save("tensor_rank4.pt", rank4, [rank4], ["layer", "head", "query", "key"])


def make_views(fx):
    base = attention(3, (2, 4, 4))
    transposed = base.transpose(1, 2)
    fx.save("view_transposed.pt", transposed, [transposed], AXES3)
    big = attention(4, (3, 2, 5, 5))
    sliced = big[1:, :, 1:, 1:]  # storage offset 2*5*5 + 5 + 1, strides of the full tensor
    assert sliced.storage_offset() > 0 and not sliced.is_contiguous()
    fx.save("view_slice_offset.pt", sliced, [sliced], ["layer", "head", "query", "key"])
    shared = attention(5, (2, 1, 2, 3, 3))  # two layers, views into one storage
    layers = (shared[0], shared[1])
    fx.save("shared_storage.pt", {"attentions": layers}, layers, AXES4)


def make_containers(fx):
    layers = tuple(attention(10 + i, (2, 2, 4, 4)) for i in range(3))
    fx.save("layers_tuple.pt", layers, layers, AXES4)
    fx.save("layers_list.pt", list(layers), layers, AXES4)
    # The same attention as numpy writes it: the CLI test draws both and compares the figures.
    np.save(OUT / "layers_tuple.npy", np.stack([layer.numpy() for layer in layers]))
    tokens = ["[CLS]", "the", "cat", "[SEP]", "[PAD]"]
    mask = torch.tensor([[1, 1, 1, 1, 0]])
    dict_layers = tuple(attention(20 + i, (1, 2, 5, 5)) for i in range(2))
    fx.save("dict_tokens_mask.pt",
            {"attentions": dict_layers, "tokens": tokens, "attention_mask": mask,
             "input_ids": torch.tensor([[101, 1996, 4937, 102, 0]])},
            dict_layers, AXES4, tokens=tokens, attention_mask=[[True, True, True, True, False]])
    stacked = torch.stack([attention(30 + i, (2, 2, 4, 4)) for i in range(2)])
    item_tokens = [["<s>", "a", "b", "</s>"], ["<s>", "c", "</s>", "<pad>"]]
    item_mask = torch.tensor([[True, True, True, True], [True, True, True, False]])
    fx.save("dict_item_tokens.pt",
            {"attention": stacked, "tokens": item_tokens, "attention_mask": item_mask},
            [stacked], ["layer", "batch", "head", "query", "key"], item_tokens=item_tokens,
            attention_mask=item_mask.tolist())
    ordered = attention(40, (2, 3, 3))
    fx.save("ordered_dict.pt", collections.OrderedDict(attn=ordered), [ordered], AXES3)
    other = attention(41, (2, 3, 3))
    fx.save("dict_other_key.pt", {"weights": other, "logits": torch.zeros(2, 3)}, [other], AXES3,
            key="weights")


def stable_legacy_keys(data):
    """The legacy format names each storage by its address in memory, which changes every run:
    renames them 0, 1, ... (in the pickles only, before the storage bytes) for identical reruns."""
    stream = io.BytesIO(data)
    for _ in range(4):  # magic number, protocol version, system info, the object: skipped unread
        for _ in pickletools.genops(stream):
            pass
    keys = pickle.load(stream)
    end = stream.tell()
    head = data[:end]
    for index, key in enumerate(keys):
        head = head.replace(unicode(key), unicode(str(index)))
    return head + data[end:]


def make_legacy(fx):
    # One storage per file: the legacy format orders storages by memory address, which would
    # make the bytes differ between runs. The layers are views into it at different offsets.
    stacked = attention(50, (2, 1, 2, 3, 3))
    layers = (stacked[0], stacked[1])
    fx.save("legacy_tuple.pt", layers, layers, AXES4, legacy=True)
    tensor = attention(51, (2, 3, 3)).half()
    fx.save("legacy_f16.pt", {"attentions": tensor, "tokens": ["a", "b", "c"]}, [tensor], AXES3,
            legacy=True, tokens=["a", "b", "c"])


def make_big_endian(fx):
    """A torch >= 2.1 archive of a big-endian machine: the storage bytes swapped and a byteorder
    member saying "big". Rewritten from a real torch.save, as no big-endian machine is at hand."""
    tensor = attention(60, (2, 3, 3))
    buffer = io.BytesIO()
    torch.save(tensor, buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    members = {}
    for name in source.namelist():
        data = source.read(name)
        if "/data/" in name:
            data = np.frombuffer(data, "<f4").astype(">f4").tobytes()
        members[name.replace("archive/", "tensor_big_endian/", 1)] = data
    members["tensor_big_endian/byteorder"] = b"big"
    write_zip(OUT / "tensor_big_endian.pt", members)
    fx.cases["tensor_big_endian.pt"] = heads([tensor], AXES3)


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data)


def unicode(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def hostile_pickles():
    """Pickles torch never writes, each as the data.pkl of an archive laid out like torch.save's."""
    touch = unicode("touch " + SIDE_EFFECT)
    evil = unicode("__import__('os').system('touch " + SIDE_EFFECT + "')")
    return {
        # os.system("touch ...") through REDUCE: the classic pickle exploit.
        "hostile_os_system": b"\x80\x02cos\nsystem\n" + touch + b"\x85R.",
        # builtins.eval of code that would run the same.
        "hostile_eval": b"\x80\x02cbuiltins\neval\n" + evil + b"\x85R.",
        # An instance of an arbitrary class, rebuilt by NEWOBJ and BUILD.
        "hostile_class": b"\x80\x02cmymodel.layers\nAttentionProbe\n)\x81}" + unicode("w") +
        b"K\x01sb.",
        # What torch.save(outputs) writes for a Hugging Face ModelOutput.
        "hostile_model_output": b"\x80\x02ctransformers.modeling_outputs\nBaseModelOutput\n)\x81}b.",
        # The attention under a tensor global that is not _rebuild_tensor_v2.
        "hostile_storage_call": b"\x80\x02ctorch\nFloatStorage\n)R.",
    }


def make_bad():
    """Files that are .pt but not attention: refused with a message, not read wrongly."""
    torch.save(torch.ones(2, 3, 3, dtype=torch.long), OUT / "bad_int_attention.pt")
    torch.save({"logits": torch.zeros(2, 3), "hidden": torch.zeros(2, 3)}, OUT / "bad_no_attention.pt")
    # A view of shape (3, 3) over a storage of 4 float32 elements: reaches past its storage.
    persid = b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
    rebuild = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(" + persid +
               b"K\x00K\x03K\x03\x86K\x03K\x01\x86\x89ccollections\nOrderedDict\n)RtR.")
    write_zip(OUT / "bad_view_out_of_range.pt",
              {"bad_view_out_of_range/data.pkl": rebuild,
               "bad_view_out_of_range/data/0": np.full(4, 0.25, np.float32).tobytes(),
               "bad_view_out_of_range/version": b"3\n"})


def make_hostile():
    for name, payload in hostile_pickles().items():
        write_zip(OUT / f"{name}.pt", {f"{name}/data.pkl": payload, f"{name}/version": b"3\n"})
    # A plain pickle, as pickle.dump(outputs.attentions) would write (numpy arrays, protocol 4).
    (OUT / "plain.pkl").write_bytes(pickle.dumps({"attentions": [[0.5, 0.5]]}, protocol=4))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    fx = Fixtures()
    make_dtypes(fx)
    make_views(fx)
    make_containers(fx)
    make_legacy(fx)
    make_big_endian(fx)
    make_bad()
    make_hostile()
    expected = {
        "about": "Written by scripts/make-torch-fixtures.py: values of each head computed with "
                 "numpy from the saved tensors, indexed [batch][layer][head], rows of keys.",
        "side_effect": SIDE_EFFECT,
        "cases": fx.cases,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
