"""python3 -m kindling_torch.forward --model DIR (--export DIR [--split test] | --inputs FILE) [--out FILE] [--device cpu|cuda]

A saved model's click and relevance probabilities as JSON ({"ctr": [...], "rel": [...]}): for every
sample of an export's split, in shard order, or for one call's RankerInputs (a JSON object of
{name: {shape, data}}, as the page builds them): what the parity tests compare with TF.js's."""
import argparse
import json
import sys

import numpy as np
import torch

from .model import Ranker
from .ranker_files import ModelFileError, load_ranker
from .samples import ExportError, batch, read_manifest, read_text_table, shards_for


def predict(model, folder, m, split, device="cpu", batch_size=4096):
    """Click and relevance probabilities for every sample of a split, in shard order, and the click
    labels: float32 numpy arrays (4 bytes a sample each; the shards are read one at a time)."""
    text = read_text_table(folder, m).to(device)
    ctr, rel, labels = [], [], []
    with torch.no_grad():
        for shard in (s.load() for s in shards_for(folder, m, split)):
            labels.append(shard.fields["label"][:, 0].clone())
            for start in range(0, shard.n, batch_size):
                x, _ = batch(shard, range(start, min(shard.n, start + batch_size)), text, model.c, device)
                out = model(x)
                ctr.append(torch.sigmoid(out["ctrLogit"]).cpu())
                rel.append(torch.sigmoid(out["relLogit"]).cpu())
    cat = lambda parts: torch.cat(parts).numpy() if parts else np.zeros(0, dtype=np.float32)  # noqa: E731
    return cat(ctr), cat(rel), cat(labels)


def load_model(folder, device="cpu"):
    """A saved Kindling model as a Ranker (its parameters as model.json lists them)."""
    weights, km = load_ranker(folder)
    specs = [{"name": n, "shape": list(t.shape)} for n, t in weights.items()]
    model = Ranker(km["config"], specs).to(device)
    with torch.no_grad():
        for name, p in model.named_kindling_parameters():
            p.copy_(weights[name])
    return model, km


INT_INPUTS = {"itemId", "itemText", "itemCat", "queryId", "queryText", "ctxCat", "domain", "histId", "histText", "histDomain", "histAction", "userCat", "userIndex"}


def predict_inputs(model, path, device="cpu"):
    """Probabilities for one call's inputs, given as {name: {shape, data}}."""
    raw = json.load(open(path))
    x = {k: torch.tensor(v["data"], dtype=torch.long if k in INT_INPUTS else torch.float32, device=device).reshape(v["shape"]) for k, v in raw.items()}
    with torch.no_grad():
        out = model(x)
    return torch.sigmoid(out["ctrLogit"]).cpu().tolist(), torch.sigmoid(out["relLogit"]).cpu().tolist()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="kindling_torch.forward")
    ap.add_argument("--export")
    ap.add_argument("--inputs")
    ap.add_argument("--model", required=True)
    ap.add_argument("--split", default="test", choices=["train", "test"])
    ap.add_argument("--out")
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args(argv)
    if bool(a.export) == bool(a.inputs):
        ap.error("give one of --export and --inputs")
    try:
        model, km = load_model(a.model, a.device)
        if a.inputs:
            ctr, rel = predict_inputs(model, a.inputs, a.device)
        else:
            m = read_manifest(a.export, km["encoderId"])
            ctr, rel, _ = predict(model, a.export, m, a.split, a.device)
    except (ExportError, ModelFileError) as e:
        print(f"kindling_torch.forward: {e}", file=sys.stderr)
        return 2
    text = json.dumps({"ctr": np.asarray(ctr).tolist(), "rel": np.asarray(rel).tolist()})
    if a.out:
        open(a.out, "w").write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    sys.exit(main())
