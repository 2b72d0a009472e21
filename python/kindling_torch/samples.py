"""Reading `kindling export`'s folder (src/train/export.ts): the manifest, the text table and the
shards, each checked against its SHA-256; and cutting batches the way src/train/batches.ts does."""
import hashlib
import os

import numpy as np
import torch

from .files import read_json
from .model import history_features_on

FORMAT = "kindling-samples"
VERSION = 1


class ExportError(Exception):
    """A missing, corrupt or foreign file of an export; the message names it."""


def _read_checked(path, sha256):
    if not os.path.exists(path):
        raise ExportError(f"{path}: not found")
    data = open(path, "rb").read()
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise ExportError(f"{path}: checksum mismatch (manifest {sha256}, file {got}): truncated or corrupt")
    return data


def read_manifest(folder, encoder_id=None):
    path = os.path.join(folder, "manifest.json")
    m = read_json(path, ExportError, f" (is {folder} a `kindling export` folder?)")
    if m.get("format") != FORMAT:
        raise ExportError(f"{path}: not a Kindling export (format {m.get('format')!r})")
    if m.get("version") != VERSION:
        raise ExportError(f"{path}: export version {m.get('version')}, this trainer reads version {VERSION}")
    if encoder_id is not None and m["encoderId"] != encoder_id:
        raise ExportError(f"{path}: exported with encoder {m['encoderId']}, but the model was trained on {encoder_id}")
    return m


def read_text_table(folder, m):
    t = m["textTable"]
    data = _read_checked(os.path.join(folder, t["file"]), t["sha256"])
    return torch.from_numpy(np.frombuffer(data, dtype="<f4").copy()).reshape(t["rows"], t["dim"])


def _check_file(path, sha256):
    """The file's SHA-256, read a block at a time (nothing is held)."""
    if not os.path.exists(path):
        raise ExportError(f"{path}: not found")
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != sha256:
        raise ExportError(f"{path}: checksum mismatch (manifest {sha256}, file {h.hexdigest()}): truncated or corrupt")


class Shard:
    """One shard of the export: its counts at once; its arrays (sample fields [samples, width], history
    fields [histRows, width]) only while it is loaded, so a rank holds only the shards it trains on now
    (train.py's --mix-shards)."""

    def __init__(self, folder, m, entry):
        self.path = os.path.join(folder, entry["file"])
        self.m, self.entry = m, entry
        self.n, self.hist_rows, self.file = entry["samples"], entry["histRows"], entry["file"]

    def check(self):
        _check_file(self.path, self.entry["sha256"])
        return self

    def load(self):
        """The shard's arrays, read and checked now (a LoadedShard: dropped, its memory goes)."""
        return LoadedShard(self, _read_checked(self.path, self.entry["sha256"]))


class LoadedShard:
    def __init__(self, shard, data):
        self.n, self.hist_rows, self.file = shard.n, shard.hist_rows, shard.file
        self.fields = {}
        at = 0
        for rows, fields in ((self.n, shard.m["sampleFields"]), (self.hist_rows, shard.m["historyFields"])):
            for f in fields:
                count = rows * f["width"]
                dtype = "<i4" if f["dtype"] == "int32" else "<f4"
                arr = np.frombuffer(data, dtype=dtype, count=count, offset=at).reshape(rows, f["width"])
                self.fields[f["name"]] = torch.from_numpy(arr.copy())
                at += count * 4
        if at != len(data):
            raise ExportError(f"{shard.path}: {len(data)} bytes, the manifest's fields need {at}")


class JoinedShards:
    """Several shards as one (train.py's --mix-shards): their samples and their history rows end to end,
    each sample's histOf and group moved past the shards before it, so that whole requests of every
    shard's period shuffle together into the same batches. Loaded one at a time into arrays sized from
    the manifest: the memory is the shards' own, plus one shard's while it is copied in."""

    def __init__(self, shards):
        m = shards[0].m
        self.n, self.hist_rows = sum(s.n for s in shards), sum(s.hist_rows for s in shards)
        self.file = "+".join(s.file for s in shards)
        dtype = lambda f: torch.int32 if f["dtype"] == "int32" else torch.float32  # noqa: E731
        self.fields = {f["name"]: torch.empty((self.n, f["width"]), dtype=dtype(f)) for f in m["sampleFields"]}
        self.fields.update({f["name"]: torch.empty((self.hist_rows, f["width"]), dtype=dtype(f)) for f in m["historyFields"]})
        at = hist_at = group_at = 0
        for shard in shards:
            loaded = shard.load()
            for f in m["sampleFields"]:
                self.fields[f["name"]][at : at + loaded.n] = loaded.fields[f["name"]]
            for f in m["historyFields"]:
                self.fields[f["name"]][hist_at : hist_at + loaded.hist_rows] = loaded.fields[f["name"]]
            self.fields["histOf"][at : at + loaded.n] += hist_at
            group = self.fields["group"][at : at + loaded.n]
            if loaded.n:
                group += group_at - int(group.min())
                group_at = int(group.max()) + 1
            at, hist_at = at + loaded.n, hist_at + loaded.hist_rows
            del loaded


def load_together(shards):
    """One shard loaded as it is, or several joined (JoinedShards)."""
    return shards[0].load() if len(shards) == 1 else JoinedShards(shards)


def shards_for(folder, m, split, rank=0, world=1):
    """This rank's shards of a split (shard k goes to rank k mod world), each checked against its
    SHA-256 now, so a missing or corrupt one stops the run before it trains; loaded one at a time later."""
    entries = [e for e in m["shards"] if e["split"] == split]
    return [Shard(folder, m, e).check() for k, e in enumerate(entries) if k % world == rank]


def batch(shard, idx, text_table, config, device="cpu", hide_domain=None, hide_id=None, hist_gen=None):
    """The model's inputs and targets for samples `idx` of a shard (src/train/batches.ts batchTensors).
    `hide_domain`/`hide_id`: boolean masks [len(idx)] (training's domain and ID dropout); `hist_gen`: the
    generator that draws, with config.histIdDropout, which history events' IDs are hidden (training only)."""
    f = shard.fields
    idx = torch.as_tensor(idx, dtype=torch.long)
    hist = f["histOf"][idx, 0]
    rows, user_index = torch.unique(hist, sorted=False, return_inverse=True)
    rows = rows.long()
    width1 = lambda name: f[name][idx, 0]  # noqa: E731
    domain = width1("domain")
    shown = torch.where(hide_domain, torch.zeros_like(domain), domain) if hide_domain is not None else domain
    x = {"textTable": text_table}
    for name in ("itemId", "itemText", "queryId", "queryText"):
        x[name] = width1(name)
    for name in ("itemCat", "itemNum", "ctxCat", "ctxNum"):
        x[name] = f[name][idx]
    x["domain"] = shown
    for name in ("histId", "histText", "histDomain", "histAction", "histMask"):
        x[name] = f[name][rows]
    x["userIndex"] = user_index
    if config.get("unknownIds") == "mask":
        known = width1("itemIdKnown")
        x["itemIdKnown"] = torch.where(hide_id, torch.zeros_like(known), known) if hide_id is not None else known
        x["queryIdKnown"] = width1("queryIdKnown")
        hist_known = f["histIdKnown"][rows]
        p = (config.get("histIdDropout") or 0) if "id" in config["aspects"] else 0
        if hist_gen is not None and p > 0:
            hist_known = torch.where(torch.rand(hist_known.shape, generator=hist_gen) < p, torch.zeros_like(hist_known), hist_known)
        x["histIdKnown"] = hist_known
    if history_features_on(config):
        if "histCat" not in f:
            raise ExportError(f"{shard.file}: the model reads history features (config.historyFeatures) but the export has no histCat/histNum fields; export with --history-features")
        N = config["historyLength"]
        for name in ("histCat", "histNum"):
            x[name] = f[name][rows].reshape(len(rows), N, f[name].shape[1] // N)
    if f["userCat"].shape[1] or f["userNum"].shape[1]:
        x["userCat"], x["userNum"] = f["userCat"][rows], f["userNum"][rows]
    targets = {"label": width1("label"), "relevance": width1("relevance"), "relMask": width1("relMask"), "domain": domain}
    move = lambda d: {k: v.to(device) for k, v in d.items()}  # noqa: E731
    return move(x), move(targets)


def grouped_order(shard, gen):
    """Whole requests (groups) shuffled, so a batch shares histories (src/train/batches.ts groupedOrder)."""
    group = shard.fields["group"][:, 0].numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    perm = torch.randperm(len(starts), generator=gen).numpy()
    return np.concatenate([np.arange(starts[i], ends[i]) for i in perm]) if len(perm) else np.zeros(0, dtype=np.int64)
