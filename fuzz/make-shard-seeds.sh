#!/usr/bin/env bash
# fuzz/make-shard-seeds.sh: writes fuzz/corpus/shard's seeds again, from the project's own
# fixtures and programs written here (never ../shared: its files stay there), with the nta
# given. Run it when the shard file or the plan it carries changes (a seed the merge refuses at
# its plan reaches none of the later parsers). Paths are relative, so no machine path is kept.
# Usage: bash fuzz/make-shard-seeds.sh [NTA]   (default build/nta)
set -euo pipefail
cd "$(dirname "$0")/.."
NTA=$(realpath "${1:-build/nta}")
C=fuzz/corpus/shard
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
veth=fixtures/veth-scenarios.pcap
two=fixtures/two-links.pcapng
"$NTA" plan -q --shards 2 -o "$T/veth.json" "$veth"
"$NTA" plan -q --shards 2 -o "$T/two.json" "$two"
# seed NAME PLAN K COMMAND...: shard K of PLAN into $C/NAME
seed() {
    local name=$1 plan=$2 k=$3
    shift 3
    "$NTA" "$@" --plan "$T/$plan.json" --shard "$k" --emit-shard "$C/$name" 2>/dev/null
}
seed report-veth-0 veth 0 report --all
seed report-twolinks-0 two 0 report --all
seed bytes-veth-1 veth 1 report --bytes --interval 1s
seed events-veth-1 veth 1 events -P tcp:::state-change -P ip:::send
# run shards: a not-quiet program's output and aggregation; a BEGIN global in a key, a keyless
# aggregation and a fault (division by zero) on every packet
seed run-veth-1 veth 1 run -n 'tcp:::state-change { trace(args[3]->tcps_state); @[args[3]->tcps_state] = count(); }'
seed run-twolinks-0 two 0 run -n 'BEGIN{n=3;}' \
    -n 'tcp:::receive{@[args[3]->tcps_raddr,n]=sum(args[2]->ip_plength);@c=count();trace(1/(args[4]->tcp_flags&0));}'
ls -l "$C"
