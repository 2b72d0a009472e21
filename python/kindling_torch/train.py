"""python3 -m kindling_torch.train --export DIR --out DIR [--epochs N] [--batch B] [--lr R] [--seed S]
                                  [--device cpu|cuda] [--resume] [--mix-shards K]
                                  [--from MODEL [--freeze l0|l0+encoder] [--l2sp W]]

Trains the ranking network on `kindling export`'s shards with PyTorch DistributedDataParallel, and
writes model.json + weights.bin in Kindling's own format (the page, `kindling eval` and `kindling
finetune` load it unchanged). One process trains alone; several are started the torch.distributed
way (torchrun, or RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT by hand): gloo on the CPU, NCCL on
CUDA. Each rank reads its own shards (shard k goes to rank k mod world size); --batch is per rank,
so the global batch is --batch x world size. Every epoch is checkpointed into <out>/checkpoint
(weights, optimiser state, epoch); --resume goes on from there.

What it trains is what `kindling train` trains: the same initial values for the same --seed, the
same loss (L_ctr + L_sim + lambda L_reg), the same dropouts (a share config.domainDropout of samples
shown as the generic domain, config.idDropout of items and config.histIdDropout of history events
shown as unknown), Adam with TF.js's epsilon.

With --from, it fine-tunes that foundation as `kindling finetune` does, on an export made for it
(`kindling export --from MODEL --domain NAME`): a new domain gets a row of its own (a copy of the
generic row 0), --freeze keeps the foundation's trained rows of the frozen levels as they are (the new
domain's row and the ID buckets pretraining never touched still learn), and --l2sp W pulls what learns
towards the foundation (W x the squared distance).
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .forward import predict
from .losses import ranker_loss
from .model import Ranker
from .ranker_files import ModelFileError, load_ranker, save_ranker
from .samples import ExportError, batch, grouped_order, load_together, read_manifest, read_text_table, shards_for


def auc(scores, labels):
    """Area under the ROC curve (ties count half), as src/eval/metrics.ts computes it."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    pos, neg = labels == 1, labels == 0
    if not pos.any() or not neg.any():
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(s))
    r[order] = ranks
    return float((r[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * neg.sum()))


# The groups that learn under each freeze split (src/train/finetune.ts FREEZE), and the domain tables.
FREEZE = {"l0": ["encoder", "head"], "l0+encoder": ["head"]}
DOMAIN_TABLES = ["emb.domain", "gate.domain.item", "gate.domain.query"]


class Trainer:
    def __init__(self, a, rank, world, device, manifest=None):
        """`manifest`: the export's manifest as read (default: <export>/manifest.json); a sweep gives
        one with another network shape (kindling_torch.sweep)."""
        self.a, self.rank, self.world, self.device = a, rank, world, device
        self.m = manifest if manifest is not None else read_manifest(a.export)
        self.config = self.m["config"]
        self.text = read_text_table(a.export, self.m).to(device)
        self.shards = shards_for(a.export, self.m, "train", rank, world)
        if not self.shards:
            raise ExportError(f"{a.export}: {len([s for s in self.m['shards'] if s['split'] == 'train'])} training shards for {world} ranks: rank {rank} has none (export with --shards >= the world size)")
        self.model = Ranker(self.config, self.m["params"], seed=a.seed).to(device)
        self.pulled, self.new_rows, self.row_masks = [], [], {}
        if a.from_:
            self.start_from_foundation()
        elif self.m.get("from"):
            raise ExportError(f"{a.export}: exported for fine-tuning {self.m['from']['model']} (--from); give --from")
        self.start_epoch, self.history = 0, []
        self.optimizer = torch.optim.Adam([p for p in self.model.parameters() if p.requires_grad], lr=a.lr, eps=1e-7)
        # config.embDecay: decoupled weight decay on the trainable embedding tables after each step, as
        # kindling train does (a partly frozen table's frozen rows keep their values).
        rate = a.lr * (self.config.get("embDecay") or 0)
        self.decayed = [(p, 1 - rate * self.row_masks[n] if n in self.row_masks else 1 - rate) for n, p in self.model.named_kindling_parameters() if rate and n.startswith("emb.") and p.requires_grad]
        if a.resume:
            self.resume()
        # A parameter no sample reaches (the sparse table of a model whose features are all numeric)
        # needs DDP's search for unused parameters; otherwise it costs a pass over the graph each step.
        unused = not any(len(self.config[k]["categorical"]) for k in ("itemFeatures", "contextFeatures") if k in self.config) and not len((self.config.get("userFeatures") or {}).get("categorical", []))
        self.ddp = DistributedDataParallel(self.model, find_unused_parameters=unused and self.model.has("emb.sparse")) if dist.is_initialized() else self.model

    def start_from_foundation(self):
        """The foundation's weights, the new domain's row, and what --freeze keeps frozen."""
        a, f = self.a, self.m.get("from")
        if not f:
            raise ExportError(f"{a.export}: not exported for fine-tuning; export with `kindling export --from {a.from_} --domain NAME`")
        weights, km = load_ranker(a.from_)
        if km["checksums"]["weights.bin"] != f["sha256"]:
            raise ExportError(f"{a.export}: exported for another foundation ({f['model']}, weights {f['sha256'][:12]}...), not {a.from_}")
        groups = FREEZE[a.freeze]
        with torch.no_grad():
            for s in self.m["params"]:
                p = self.model.param(s["name"])
                p.copy_(weights[s["name"]])
                if f["isNew"] and s["name"] in DOMAIN_TABLES:
                    p[f["domainRow"]] = p[0]
        bits = lambda key: np.unpackbits(np.frombuffer(base64.b64decode(f[key]), dtype=np.uint8), bitorder="little") if f.get(key) else None
        seen, sparse_seen = bits("idBucketsSeen"), bits("sparseBucketsSeen")
        for s in self.m["params"]:
            name, p = s["name"], self.model.param(s["name"])
            if s["group"] in groups:
                self.pulled.append((p, p.detach().clone()))
                continue
            rows = None
            if f["isNew"] and name in DOMAIN_TABLES:
                rows = torch.zeros(p.shape[0], 1)
                rows[f["domainRow"]] = 1
            elif name == "emb.id" and seen is not None:
                rows = torch.from_numpy(1 - seen[: p.shape[0]].astype(np.float32)).reshape(-1, 1)
                rows[0] = 0
            elif name == "emb.sparse" and sparse_seen is not None:
                # Feature values pretraining never saw (a new domain's own) learn, as new IDs do.
                rows = torch.from_numpy(1 - sparse_seen[: p.shape[0]].astype(np.float32)).reshape(-1, 1)
                rows[0] = 0
            if rows is None:
                p.requires_grad_(False)
            else:
                # Frozen rows never get a gradient, so Adam never moves them.
                mask = rows.to(self.device)
                p.register_hook(lambda g, mask=mask: g * mask)
                self.new_rows.append(name)
                self.row_masks[name] = mask

    def l2sp(self):
        return sum(((p - p0) ** 2).sum() for p, p0 in self.pulled) * self.a.l2sp if self.a.from_ and self.a.l2sp else None

    def checkpoint_dir(self):
        return os.path.join(self.a.out, "checkpoint")

    def resume(self):
        folder = self.checkpoint_dir()
        state_path = os.path.join(folder, "state.json")
        if not os.path.exists(state_path):
            return
        state = json.load(open(state_path))
        if state.get("export") != os.path.abspath(self.a.export):
            raise ExportError(f"--resume: the checkpoint in {folder} is from another export ({state.get('export')}); leave out --resume or choose another --out")
        weights, _ = load_ranker(folder)
        with torch.no_grad():
            for name, p in self.model.named_kindling_parameters():
                p.copy_(weights[name])
        self.optimizer.load_state_dict(torch.load(os.path.join(folder, "optimizer.pt"), map_location=self.device))
        self.start_epoch, self.history = state["epoch"] + 1, state["history"]

    def steps_per_epoch(self):
        """Every rank takes the same number of steps (DDP all-reduces each one): the fewest any rank has."""
        mine = sum((s.n + self.a.batch - 1) // self.a.batch for s in self.shards)
        if not dist.is_initialized():
            return mine
        lo, hi = torch.tensor([mine], device=self.device), torch.tensor([mine], device=self.device)
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        if self.rank == 0 and int(hi.item()) > int(lo.item()) * 1.05:
            print(f"kindling_torch.train: the ranks have {int(lo.item())} to {int(hi.item())} steps of samples; each epoch takes {int(lo.item())} on every rank and skips the rest of a rank's samples that epoch (export with --shards a multiple of the world size, {self.world})", file=sys.stderr)
        return int(lo.item())

    def batches(self, epoch):
        """The rank's shards in a random order, --mix-shards at a time, loaded together as one
        (samples.JoinedShards) and their whole requests shuffled together. kindling export cuts a split
        into shards in time order: visited one after another, the shard seen last, a random period, would
        weigh most in the model, and a batch of one shard holds one period."""
        gen = torch.Generator().manual_seed(self.a.seed * 1000 + epoch + 7919 * self.rank)
        perm = torch.randperm(len(self.shards), generator=gen).tolist()
        for w in range(0, len(perm), self.a.mix_shards):
            shard = load_together([self.shards[k] for k in perm[w : w + self.a.mix_shards]])  # at most --mix-shards shards in memory
            order = grouped_order(shard, gen)
            for start in range(0, shard.n, self.a.batch):
                yield shard, order[start : start + self.a.batch], gen

    def train(self, after_epoch=None):
        """Epochs start_epoch .. a.epochs; `after_epoch(epoch)`, if given, runs on every rank after each."""
        c = self.config
        steps = self.steps_per_epoch()
        for epoch in range(self.start_epoch, self.a.epochs):
            t0, total, done, samples = time.time(), 0.0, 0, 0
            for shard, idx, gen in self.batches(epoch):
                if done == steps:
                    break
                n = len(idx)
                hide_domain = torch.rand(n, generator=gen) < c["domainDropout"]
                hide_id = torch.rand(n, generator=gen) < (c.get("idDropout") or 0) if c.get("idDropout") else None
                x, t = batch(shard, idx, self.text, c, self.device, hide_domain, hide_id, gen)
                loss = ranker_loss(c, self.ddp(x), t)["total"]
                pull = self.l2sp()
                if pull is not None:
                    loss = loss + pull
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                if self.decayed:
                    with torch.no_grad():
                        for p, shrink in self.decayed:
                            p.mul_(shrink)
                total += loss.item()
                done += 1
                samples += n
            seconds = time.time() - t0
            rate = torch.tensor([samples / max(seconds, 1e-9)], device=self.device)
            if dist.is_initialized():
                dist.all_reduce(rate)
            self.history.append({"epoch": epoch, "loss": total / max(done, 1), "samplesPerSecond": float(rate.item())})
            if self.rank == 0:
                print(f"epoch {epoch + 1}/{self.a.epochs}: mean loss {total / max(done, 1):.4f}, {rate.item():.0f} samples/s over {self.world} rank(s)", file=sys.stderr)
                self.save_checkpoint(epoch)
            if dist.is_initialized():
                dist.barrier()
            if after_epoch is not None:
                after_epoch(epoch)

    def digest(self):
        """SHA-256 of this rank's weights: after training every rank's must be the same."""
        h = hashlib.sha256()
        for _, p in self.model.named_kindling_parameters():
            h.update(p.detach().cpu().contiguous().numpy().tobytes())
        return h.hexdigest()

    def save_checkpoint(self, epoch):
        folder = self.checkpoint_dir()
        save_ranker(folder, self.model.named_kindling_parameters(), self.config, {"command": "kindling_torch.train", "checkpointEpoch": epoch})
        torch.save(self.optimizer.state_dict(), os.path.join(folder, "optimizer.pt"))
        with open(os.path.join(folder, "state.json"), "w") as f:
            json.dump({"epoch": epoch, "history": self.history, "export": os.path.abspath(self.a.export)}, f)

    def evaluate(self):
        """AUC and logloss on the export's test split (rank 0; `kindling eval` reports the rest)."""
        self.model.eval()
        ctr, _, labels = predict(self.model, self.a.export, self.m, "test", self.device)
        labels = np.asarray(labels, dtype=np.float64)
        p = np.clip(np.asarray(ctr, dtype=np.float64), 1e-7, 1 - 1e-7)
        return {"samples": int(len(labels)), "auc": auc(ctr, labels), "logloss": float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))}

    def save(self, seconds):
        a = self.a
        tuned = {"from": a.from_, "domain": self.m["from"]["domain"], "freeze": a.freeze, "l2sp": a.l2sp, "newRowsTrained": self.new_rows} if a.from_ else {"idBucketsSeen": self.m["idBucketsSeen"], **({"sparseBucketsSeen": self.m["sparseBucketsSeen"]} if self.m.get("sparseBucketsSeen") else {})}
        training = {
            "command": "kindling_torch.train",
            "export": os.path.abspath(a.export),
            "data": self.m["options"]["data"],
            "seed": a.seed,
            "epochs": a.epochs,
            "batchSize": a.batch,
            "worldSize": self.world,
            "learningRate": a.lr,
            "device": str(self.device),
            "negatives": self.m["options"]["negatives"],
            "trainFraction": self.m["options"]["trainFraction"],
            "trainSamples": self.m["counts"]["train"],
            **tuned,
            "seconds": round(seconds),
            "samplesPerSecond": round(float(np.mean([h["samplesPerSecond"] for h in self.history]))) if self.history else 0,
            "loss": [round(h["loss"], 5) for h in self.history],
        }
        save_ranker(a.out, self.model.named_kindling_parameters(), self.config, training)


def parse(argv):
    ap = argparse.ArgumentParser(prog="kindling_torch.train", description=__doc__.split("\n\n")[1])
    ap.add_argument("--export", required=True, help="a `kindling export` folder")
    ap.add_argument("--out", required=True, help="where model.json, weights.bin, eval.json and checkpoint/ go")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=512, help="samples per step on each rank")
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix-shards", type=int, default=4, help="training shards a rank loads at once, their requests shuffled together (default 4)")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (one GPU per rank: LOCAL_RANK picks it)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--timeout", type=int, default=300, help="seconds a rank waits for the others before it gives up")
    ap.add_argument("--from", dest="from_", help="fine-tune this foundation model (on an export made --from it)")
    ap.add_argument("--freeze", default="l0", choices=sorted(FREEZE), help="with --from: the levels kept frozen")
    ap.add_argument("--l2sp", type=float, default=0.0, help="with --from: pull towards the foundation (0, the default: none)")
    a = ap.parse_args(argv)
    for name, lo in (("epochs", 1), ("batch", 1), ("mix_shards", 1)):
        if getattr(a, name) < lo:
            ap.error(f"--{name.replace('_', '-')}: expected an integer >= {lo}, got {getattr(a, name)}")
    if not a.lr > 0:
        ap.error(f"--lr: expected a positive number, got {a.lr}")
    if not a.l2sp >= 0:
        ap.error(f"--l2sp: expected a number >= 0, got {a.l2sp}")
    return a


def main(argv=None):
    a = parse(argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    # Ranks sharing a machine share its cores (torchrun sets LOCAL_WORLD_SIZE).
    local = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    if local > 1:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // local))
    if a.device.startswith("cuda"):
        if not torch.cuda.is_available():
            print("kindling_torch.train: --device cuda: no CUDA device here", file=sys.stderr)
            return 2
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device(a.device)
    # Started the torch.distributed way (torchrun sets MASTER_ADDR): DDP, even with one process.
    distributed = world > 1 or "MASTER_ADDR" in os.environ
    if distributed:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world, timeout=datetime.timedelta(seconds=a.timeout))
    try:
        t0 = time.time()
        trainer = Trainer(a, rank, world, device)
        trainer.train()
        print(f"rank {rank} of {world}: weights sha256 {trainer.digest()}", file=sys.stderr)
        if rank == 0:
            trainer.save(time.time() - t0)
            report = trainer.evaluate()
            with open(os.path.join(a.out, "eval.json"), "w") as f:
                json.dump(report, f, indent=1)
            print(f"saved {a.out}/model.json: test AUC {report['auc']:.4f}, logloss {report['logloss']:.4f} on {report['samples']} samples", file=sys.stderr)
        if dist.is_initialized():
            dist.barrier()  # every rank leaves together: none tears the group down while rank 0 still writes
        return 0
    except (ExportError, ModelFileError) as e:
        print(f"kindling_torch.train (rank {rank}): {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        # A rank that died or hung: gloo / NCCL raise here on the ranks left waiting.
        print(f"kindling_torch.train (rank {rank} of {world}): {e}", file=sys.stderr)
        return 1
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main())
