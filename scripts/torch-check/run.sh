#!/bin/bash
# bash scripts/torch-check/run.sh DIR — the PyTorch trainer on the machine it runs on, from what
# prepare.ts wrote into DIR: forward parity with TF.js (CPU, and CUDA when there is a GPU), training
# on CUDA alone and through DDP over NCCL with one rank (same weights expected), and the same
# training on the CPU for a ratio measured on one machine. Prints everything; writes nothing else.
set -u
dir=$(cd "${1:-.torch-check}" && pwd)
py="${KINDLING_PYTHON:-python3}"
cd "$(dirname "$0")/../../python"
export PYTHONUNBUFFERED=1
"$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
devices="cpu"; "$py" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" && devices="cpu cuda"
for d in $devices; do
  "$py" -m kindling_torch.forward --export "$dir/exp" --model "$dir/model" --device "$d" --out "/tmp/torch-check-$d.json"
  "$py" -c "
import json, sys
a = json.load(open('/tmp/torch-check-$d.json')); b = json.load(open('$dir/tfjs.json'))
print('$d vs TF.js: max |ctr diff|', max(abs(x - y) for x, y in zip(a['ctr'], b['ctr'])), 'max |rel diff|', max(abs(x - y) for x, y in zip(a['rel'], b['rel'])), 'over', len(a['ctr']), 'samples')"
  "$py" -m kindling_torch.train --export "$dir/exp-train" --out "/tmp/torch-check-train-$d" --epochs 3 --batch 512 --seed 5 --device "$d" 2>&1 | grep -v "^W20"
done
if [[ $devices == *cuda* ]]; then
  MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 RANK=0 WORLD_SIZE=1 LOCAL_RANK=0 "$py" -m kindling_torch.train --export "$dir/exp-train" --out /tmp/torch-check-nccl --epochs 3 --batch 512 --seed 5 --device cuda 2>&1 | grep -v "^W20"
fi
