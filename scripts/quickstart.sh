#!/usr/bin/env bash
# scripts/quickstart.sh: set up, build, and run nta's main job on a bundled capture (README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/nta info fixtures/veth-scenarios.pcap.zst
