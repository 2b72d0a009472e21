"""python3 -m kindling_torch.grads --export DIR --model DIR --samples N --out FILE

The gradient of the training loss (L_ctr + L_sim + lambda L_reg) with respect to every parameter, on
the last N training samples of the export's first shard (late ones: their users have a history), with
no dropout: what the gradient parity test compares with TF.js's (test/torch.test.ts)."""
import argparse
import json
import sys

from .forward import load_model
from .losses import ranker_loss
from .samples import batch, read_manifest, read_text_table, shards_for


def main(argv=None):
    ap = argparse.ArgumentParser(prog="kindling_torch.grads")
    ap.add_argument("--export", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    model, km = load_model(a.model)
    m = read_manifest(a.export, km["encoderId"])
    shard = shards_for(a.export, m, "train")[0].load()
    x, t = batch(shard, range(max(0, shard.n - a.samples), shard.n), read_text_table(a.export, m), model.c)
    parts = ranker_loss(model.c, model(x), t)
    parts["total"].backward()
    grads = {name: p.grad.reshape(-1).tolist() if p.grad is not None else None for name, p in model.named_kindling_parameters()}
    json.dump({"loss": {k: float(v) for k, v in parts.items()}, "grads": grads}, open(a.out, "w"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
