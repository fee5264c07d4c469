#!/bin/bash
# contrib/parallel/nta-parallel.sh: a planned nta run on the machines that hold the data, with
# GNU parallel over ssh (issue 17; README "Beyond one machine").
#
#   nta-parallel.sh SSHLOGINS PLAN DATADIR COMMAND [OPTIONS...] > OUTPUT
#
# SSHLOGINS is parallel's --sshlogin list (e.g. "2/host1,2/host2"). Shard K runs on a host in
# DATADIR (--workdir), where the plan's inputs or nta split's buckets are (NTA_BUCKETS=1: each
# shard reads DATADIR/shard-K.pcapng); the plan goes to each host once (--basefile), each shard
# file comes back with --return, and they are merged here. PARALLEL_SSH (e.g. "ssh -p 2222") and NTA (the nta binary on the hosts,
# default nta) are passed on. MERGE_OPTS holds nta merge's options (--format json, -o FILE, ...).
set -euo pipefail
logins=$1
plan=$2
datadir=$3
shift 3
n=$(sed -n 's/^  "shards": \([0-9]*\),$/\1/p' "$plan")
[ -n "$n" ] || { echo "nta-parallel: $plan is no nta plan" >&2; exit 2; }
nta=${NTA:-nta}
bucket=""
[ -n "${NTA_BUCKETS:-}" ] && bucket="shard-{}.pcapng"
local_dir=$(mktemp -d)
trap 'rm -rf "$local_dir"' EXIT
cp "$plan" "$local_dir/plan.json"
(cd "$local_dir" &&
    parallel --will-cite ${PARALLEL_SSH:+--ssh "$PARALLEL_SSH"} -S "$logins" --workdir "$datadir" \
        --basefile plan.json --return "shard-{}.nta" --cleanup --halt now,fail=1 \
        "$nta" "$@" --plan plan.json --shard {} --emit-shard "shard-{}.nta" $bucket \
        ::: $(seq 0 $((n - 1))))
"$nta" merge ${MERGE_OPTS:-} "$local_dir"/shard-*.nta
