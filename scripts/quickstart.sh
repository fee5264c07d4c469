#!/usr/bin/env bash
# scripts/quickstart.sh: set up, build, and run nta on a bundled capture: what it holds (info),
# then its main job, the article's reports (README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/nta info fixtures/veth-scenarios.pcap.zst
./build/nta report --states --durations --ooo fixtures/veth-scenarios.pcap.zst
