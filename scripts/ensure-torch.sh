#!/usr/bin/env bash
# Makes sure the PyTorch trainer's tests (test/torch.test.ts) have PyTorch: Debian's python3-torch
# (PyTorch 1.13) under /usr/bin/python3, or KINDLING_PYTHON. Installs it when we are root on
# Debian; otherwise says how.
set -euo pipefail
py="${KINDLING_PYTHON:-/usr/bin/python3}"
if "$py" -c 'import torch, numpy' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PyTorch from Debian (apt-get install python3-torch)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
  exit 0
fi
echo "No PyTorch for $py. Install Debian's: sudo apt-get install -y --no-install-recommends python3-torch" >&2
echo "(or point KINDLING_PYTHON at a Python with torch and numpy)." >&2
exit 1
