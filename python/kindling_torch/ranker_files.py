"""Kindling's model format (src/model/serialize.ts): model.json (TF.js weights manifest plus the
`kindling` block: schema version, config, encoder id, SHA-256 of weights.bin, the training record)
and weights.bin (float32, little-endian, in paramSpecs order). What this writes, the page,
`kindling eval` and `kindling finetune` load unchanged; it reads their models back too."""
import hashlib
import json
import os

import numpy as np
import torch

from .files import read_json

SCHEMA_VERSION = 1
WEIGHTS_FILE = "weights.bin"


class ModelFileError(Exception):
    """A model folder that cannot be read; the message names the file."""


def save_ranker(folder, named, config, training):
    """`named`: (name, tensor) in paramSpecs order. Written under temporary names, then renamed,
    so a crash never leaves a model.json that describes other weights."""
    os.makedirs(folder, exist_ok=True)
    arrays = [(n, t.detach().to("cpu", torch.float32).contiguous().numpy()) for n, t in named]
    weights = b"".join(a.astype("<f4").tobytes() for _, a in arrays)
    model = {
        "format": "kindling-ranker",
        "generatedBy": f"kindling_torch (PyTorch {torch.__version__})",
        "weightsManifest": [{"paths": [WEIGHTS_FILE], "weights": [{"name": n, "shape": list(a.shape), "dtype": "float32"} for n, a in arrays]}],
        "kindling": {
            "format": "kindling-ranker",
            "schemaVersion": SCHEMA_VERSION,
            "config": config,
            "encoderId": config["encoderId"],
            "checksums": {WEIGHTS_FILE: hashlib.sha256(weights).hexdigest()},
            "training": training,
        },
    }
    with open(os.path.join(folder, WEIGHTS_FILE + ".tmp"), "wb") as f:
        f.write(weights)
    with open(os.path.join(folder, "model.json.tmp"), "w") as f:
        f.write(json.dumps(model, indent=1) + "\n")
    os.replace(os.path.join(folder, WEIGHTS_FILE + ".tmp"), os.path.join(folder, WEIGHTS_FILE))
    os.replace(os.path.join(folder, "model.json.tmp"), os.path.join(folder, "model.json"))


def load_ranker(folder):
    """(weights by name, the `kindling` manifest), checked as src/model/serialize.ts decodeRanker checks."""
    mj = os.path.join(folder, "model.json")
    wb = os.path.join(folder, WEIGHTS_FILE)
    model = read_json(mj, ModelFileError)
    if not os.path.exists(wb):
        raise ModelFileError(f"{wb}: not found")
    m = model.get("kindling") or {}
    if m.get("format") != "kindling-ranker":
        raise ModelFileError(f'{mj}: is not a Kindling ranker (no kindling.format "kindling-ranker")')
    if m.get("schemaVersion") != SCHEMA_VERSION:
        raise ModelFileError(f"{mj}: schema version {m.get('schemaVersion')}, this trainer reads version {SCHEMA_VERSION}")
    data = open(wb, "rb").read()
    got = hashlib.sha256(data).hexdigest()
    if m["checksums"].get(WEIGHTS_FILE) != got:
        raise ModelFileError(f"{wb}: checksum mismatch (manifest {m['checksums'].get(WEIGHTS_FILE)}, file {got}): truncated or corrupt")
    out, at = {}, 0

    def take(count, dtype, size, name):
        nonlocal at
        if at + count * size > len(data):
            raise ModelFileError(f"{wb}: ends before tensor {name}")
        arr = np.frombuffer(data, dtype=dtype, count=count, offset=at).copy()
        at += count * size
        return arr

    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32":
                raise ModelFileError(f"{mj}: tensor {spec['name']} is {spec['dtype']}; only float32 is read")
            shape = spec["shape"]
            n = int(np.prod(shape)) if shape else 1
            q = spec.get("quantization")
            if q is None:
                values = take(n, "<f4", 4, spec["name"])
            elif q == {"dtype": "int8", "scheme": "row"} and len(shape) == 2:
                # src/model/quantize.ts: the rows' float32 scales, then the int8 values, row-major.
                scales = take(shape[0], "<f4", 4, spec["name"])
                values = (take(n, "i1", 1, spec["name"]).reshape(shape).astype(np.float32) * scales[:, None]).reshape(-1)
            else:
                raise ModelFileError(f"{mj}: tensor {spec['name']}: unknown quantization {q}")
            out[spec["name"]] = torch.from_numpy(values).reshape(shape)
    if at != len(data):
        raise ModelFileError(f"{wb}: {len(data)} bytes, the manifest's tensors take {at}")
    return out, m
