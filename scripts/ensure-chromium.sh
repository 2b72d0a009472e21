#!/usr/bin/env bash
# Makes sure the browser tests have a Chromium: Debian's package, which ships SwiftShader so
# WebGPU works without a GPU. Installs it when we are root on Debian; otherwise says how.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium from Debian (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "No Chromium at $bin. Install Debian's: sudo apt-get install -y chromium" >&2
echo "(or point CHROMIUM_PATH at a Chromium 120+ with WebGPU)." >&2
exit 1
