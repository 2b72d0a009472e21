"""python3 -m kindling_torch.sweep --jobs JOBS.json --out RESULTS.jsonl [--root DIR] [--device cpu|cuda]
                                  [--procs N] [--budget SECONDS]

Trains many runs of kindling_torch.train side by side (one process each, all on one device) and
writes the test AUC of every run after every epoch: overall, on warm items and on cold ones (the
export's `cold` field, as `kindling eval` splits them). What scripts/sweep-real.ts prepares and
reports (docs/SWEEP-REAL.md): it answers "is the network too small, trained too short or too long, at
the wrong rate?" with the epoch curves of dozens of runs, which `kindling train` on a laptop cannot.

JOBS.json is a list of runs:
  {"name": "h64", "data": "both", "seed": 1, "export": "ex-s1", "epochs": 5,
   "lr": 0.003, "batch": 512,              (optional: kindling_torch.train's defaults)
   "manifest": "manifest.h64.json",        (optional: another network shape over the same samples)
   "set": {"idDropout": 0.3},              (optional: config values that change no parameter's shape)
   "from": "fnd-s1", "freeze": "l0", "l2sp": 0}   (optional: fine-tune that foundation)
Paths are relative to --root. RESULTS.jsonl gets one line per run and epoch, appended as each run
ends: {name, data, seed, epoch, auc, warm, cold, seconds, device}; a run that fails gets one line with
its `error`. With --budget, no run starts after that many seconds (the ones under way finish). Exports
packed for carrying to another machine (their text tables as rows of <root>/canon.f32) are unpacked first.
"""
import argparse
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import traceback

OPTIONAL = {"lr": 0.003, "batch": 512, "freeze": "l0", "l2sp": 0.0}


def read_jobs(path):
    """The jobs, checked: a bad field names the job and the field."""
    with open(path) as f:
        jobs = json.load(f)
    if not isinstance(jobs, list):
        raise ValueError(f"{path}: expected a list of jobs")
    for i, j in enumerate(jobs):
        for key in ("name", "data", "seed", "export", "epochs"):
            if key not in j:
                raise ValueError(f"{path}: job {i}: {key}: missing")
        if not (isinstance(j["epochs"], int) and j["epochs"] >= 1):
            raise ValueError(f"{path}: job {i}: epochs: expected an integer >= 1, got {j['epochs']!r}")
        unknown = set(j) - {"name", "data", "seed", "export", "epochs", "manifest", "set", "from", *OPTIONAL}
        if unknown:
            raise ValueError(f"{path}: job {i}: unknown field(s) {sorted(unknown)}")
    return jobs


def run(job):
    """One run: train epoch by epoch, scoring the test split after each."""
    import numpy as np
    import torch

    from .forward import predict
    from .samples import read_manifest, shards_for
    from .train import Trainer, auc

    torch.set_num_threads(1)  # the runs share the machine's cores
    export = os.path.join(job["root"], job["export"])
    m = read_manifest(export)
    if job.get("manifest"):
        with open(os.path.join(export, job["manifest"])) as f:
            m = json.load(f)
    m["config"].update(job.get("set", {}))
    device = torch.device(job["device"])
    a = argparse.Namespace(export=export, out=tempfile.mkdtemp(prefix="kindling-sweep-"), epochs=job["epochs"], seed=job["seed"], mix_shards=4,
                           device=job["device"], resume=False, timeout=300, from_=os.path.join(job["root"], job["from"]) if job.get("from") else None,
                           **{k: job.get(k, v) for k, v in OPTIONAL.items()})
    t0 = time.time()
    trainer = Trainer(a, 0, 1, device, manifest=m)
    cold = np.concatenate([s.load().fields["cold"][:, 0].numpy() for s in shards_for(export, m, "test")]).astype(bool)
    rows = []

    def score(epoch):
        trainer.model.eval()
        ctr, _, labels = predict(trainer.model, export, m, "test", job["device"])
        trainer.model.train()
        rows.append({"name": job["name"], "data": job["data"], "seed": job["seed"], "epoch": epoch + 1, "auc": auc(ctr, labels),
                     "warm": auc(ctr[~cold], labels[~cold]), "cold": auc(ctr[cold], labels[cold]), "seconds": round(time.time() - t0, 1),
                     "device": job["deviceName"]})

    try:
        trainer.train(after_epoch=score)
    finally:
        shutil.rmtree(a.out, ignore_errors=True)  # the per-epoch checkpoints: a sweep keeps scores, not models
    return rows


def guarded(job):
    if time.time() > job["deadline"]:
        return []
    try:
        return run(job)
    except Exception:  # one failed run is a row of the results, not the end of the sweep
        return [{"name": job["name"], "data": job["data"], "seed": job["seed"], "error": traceback.format_exc()[-2000:]}]


def rebuild_text_tables(root):
    """An export packed for the trip (scripts/sweep-real.ts prepare --pack) holds its text table as rows
    of <root>/canon.f32 (text-table.idx); write the table back, where it is missing. The manifest's
    SHA-256 checks the result when the run reads it."""
    import numpy as np

    canon_path = os.path.join(root, "canon.f32")
    if not os.path.exists(canon_path):
        return 0
    canon, written = None, 0
    for name in sorted(os.listdir(root)):
        idx, table = os.path.join(root, name, "text-table.idx"), os.path.join(root, name, "text-table.f32")
        if os.path.exists(idx) and not os.path.exists(table):
            with open(os.path.join(root, name, "manifest.json")) as f:
                dim = json.load(f)["textTable"]["dim"]
            if canon is None:
                canon = np.fromfile(canon_path, dtype="<f4").reshape(-1, dim)
            canon[np.fromfile(idx, dtype="<i4")].astype("<f4").tofile(table)
            written += 1
    return written


def device_name(device):
    import torch

    if device.startswith("cuda"):
        return f"{torch.cuda.get_device_name(0)} (torch {torch.__version__})"
    return f"cpu: {os.cpu_count()} cores (torch {torch.__version__})"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="kindling_torch.sweep", description=__doc__.split("\n\n")[1])
    ap.add_argument("--jobs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--root", default=".", help="the folder the jobs' paths are relative to")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda: every run on the first GPU")
    ap.add_argument("--procs", type=int, default=2, help="runs at a time")
    ap.add_argument("--budget", type=float, default=float("inf"), help="seconds after which no run starts")
    a = ap.parse_args(argv)
    if a.procs < 1:
        ap.error(f"--procs: expected an integer >= 1, got {a.procs}")
    try:
        jobs = read_jobs(a.jobs)
    except (OSError, ValueError) as e:
        print(f"kindling_torch.sweep: {e}", file=sys.stderr)
        return 2
    rebuilt = rebuild_text_tables(a.root)
    if rebuilt:
        print(f"kindling_torch.sweep: {rebuilt} text tables rebuilt from {a.root}/canon.f32", file=sys.stderr)
    t0, name = time.time(), device_name(a.device)
    for j in jobs:
        j.update(root=os.path.abspath(a.root), device=a.device, deviceName=name, deadline=t0 + a.budget)
    done = failed = 0
    with mp.get_context("spawn").Pool(a.procs) as pool, open(a.out, "a") as f:
        for rows in pool.imap_unordered(guarded, jobs):
            for r in rows:
                f.write(json.dumps(r) + "\n")
            f.flush()
            if rows:
                done += 1
                failed += "error" in rows[-1]
                print(f"[{time.time() - t0:.0f}s] {done}/{len(jobs)} {rows[-1]['name']} {rows[-1]['data']} seed {rows[-1]['seed']}: "
                      + (rows[-1]["error"].strip().splitlines()[-1] if "error" in rows[-1] else f"AUC {rows[-1]['auc']:.4f} after {rows[-1]['epoch']} epochs"), file=sys.stderr, flush=True)
    print(f"kindling_torch.sweep: {done} of {len(jobs)} runs in {time.time() - t0:.0f} s ({failed} failed, {len(jobs) - done} not started) on {name}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
