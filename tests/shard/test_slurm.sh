#!/usr/bin/env bash
# tests/shard/test_slurm.sh: the shards of a planned run as a Slurm job array and the merge as a
# dependent job (contrib/slurm/), on a one-node cluster this script starts: munged, slurmctld and
# slurmd, each on files in a temporary folder (own socket, key, ports, spool), stopped by PID at
# the end. The merged output must be byte for byte one run's (report --all as text and JSON,
# events as JSON Lines, nta run of a D script with per-connection state and aggregations;
# shards from the plan's inputs and from nta split's buckets).
# Needs root and Debian's slurmctld slurmd slurm-client munge: without them it skips (77)
# outside CI and fails under CI.
# Usage: test_slurm.sh NTA REPO
set -u
NTA=$(realpath "$1")
REPO=$(realpath "$2")
need() { echo "SKIP: $1"; [ -n "${CI:-}" ] && exit 1; exit 77; }
[ "$(id -u)" = 0 ] || need "not root (munged and slurmd run as root here)"
for c in munged slurmctld slurmd sbatch sinfo; do
    command -v "$c" >/dev/null || PATH=$PATH:/usr/sbin command -v "$c" >/dev/null || need "no $c"
done
export PATH=$PATH:/usr/sbin
T=$(mktemp -d /tmp/nta-slurm.XXXXXX)
chmod 711 "$T"
pids=()
stop() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap stop EXIT
TMP=$T
. "$REPO/tests/cli/assert.sh"

# free ports: slurmctld and slurmd listen on two
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=$(hostname -s)
mkdir -p "$T/state" "$T/spool" "$T/run" "$T/work"
head -c 1024 /dev/urandom >"$T/munge.key"
chmod 400 "$T/munge.key"
munged -F -f --socket="$T/munge.sock" --key-file="$T/munge.key" --pid-file="$T/munged.pid" \
    --log-file="$T/munged.log" --seed-file="$T/munged.seed" >"$T/munged.out" 2>&1 &
pids+=($!)
cat >"$T/slurm.conf" <<CONF
ClusterName=ntatest
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$T/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=nta Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf
for i in $(seq 50); do [ -S "$T/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 100); do
    [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break
    sleep 0.2
done
if [ "$(sinfo -h -o %t 2>/dev/null)" != idle ]; then
    bad "the cluster did not come up: $(tail -3 "$T/slurmctld.log" "$T/slurmd.log" 2>&1)"
    exit 1
fi
ok

cd "$T/work"
export NTA
SB=$REPO/contrib/slurm
# run NAME N PLANARGS -- CMD... -- MERGEOPTS...: plan, array, dependent merge; compares with one run
pipeline() {
    local name=$1 n=$2 cap=$3 buckets=$4
    shift 4
    local cmd=() merge=()
    while [ "$1" != -- ]; do cmd+=("$1"); shift; done
    shift
    merge=("$@")
    "$NTA" plan --shards "$n" -o "$name.plan" "$cap" 2>/dev/null || { bad "$name: plan"; return; }
    if [ "$buckets" = 1 ]; then
        "$NTA" split --plan "$name.plan" -o "$name.b" || { bad "$name: split"; return; }
        export NTA_BUCKETS=$T/work/$name.b
    else
        unset NTA_BUCKETS
    fi
    local jid
    jid=$(sbatch --parsable --array=0-$((n - 1)) -o "$name-%a.log" "$SB/nta-array.sbatch" \
        "$name.plan" "$name.shards" "${cmd[@]}") || { bad "$name: sbatch array"; return; }
    if sbatch --wait --dependency=afterok:"$jid" -o "$name.merge.log" "$SB/nta-merge.sbatch" \
        "$name.shards" -q -o "$T/work/$name.merged" "${merge[@]}" >/dev/null; then ok; else
        bad "$name: merge job failed: $(cat "$name.merge.log" "$name"-*.log 2>/dev/null | head -5)"
        return
    fi
    "$NTA" "${cmd[@]}" -q "${merge[@]}" "$cap" >"$name.single" 2>/dev/null
    same "$name.merged" "$name.single" "$name: merged through Slurm = one run"
}
start=$(date +%s)
V=$REPO/fixtures/veth-scenarios.pcap
pipeline all-text 3 "$V" 0 report --all --
pipeline all-json 7 "$REPO/fixtures/two-links.pcapng" 0 report --all -- --format json
pipeline events 3 "$V" 1 events -- --format jsonl
pipeline bytes 2 "$REPO/fixtures/reorder.pcap" 1 report --bytes --interval 1s -- --format csv
cat >conn.d <<'D'
#pragma D option quiet
BEGIN { printf("%-20s %s\n", "RADDR", "STATE"); }
tcp:::state-change
{
    n[args[1]->cs_cid]++;
    printf("%-20s %s (%d)\n", args[3]->tcps_raddr, tcp_state_string[args[3]->tcps_state],
        n[args[1]->cs_cid]);
    @changes[tcp_state_string[args[3]->tcps_state]] = count();
}
END { printa(@changes); }
D
pipeline run 3 "$V" 1 run -s "$T/work/conn.d" --
# a failed shard: its file is never made; the merge job does not run (afterok) and says nothing
jid=$(sbatch --parsable --array=0-2 -o fail-%a.log "$SB/nta-array.sbatch" all-text.plan fail.shards \
    report --all --msl 5)
sbatch --wait --dependency=afterok:"$jid" --kill-on-invalid-dep=yes -o fail.merge.log \
    "$SB/nta-merge.sbatch" fail.shards >/dev/null 2>&1
if [ -e fail.merge.log ] || [ -e fail.shards/shard-0.nta ]; then
    bad "a merge ran, or a shard file was made, after failed shards"
else
    ok
fi
has fail-0.log "fixed by the plan" "a failed shard says why in its log"
echo "slurm pipelines took $(( $(date +%s) - start )) s"
echo "test_slurm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
