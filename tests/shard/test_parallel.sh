#!/usr/bin/env bash
# tests/shard/test_parallel.sh: shards where the data is, with GNU parallel over ssh
# (contrib/parallel/nta-parallel.sh): an sshd this script starts on a free loopback port with
# its own host key, client key and authorized_keys (stopped by PID at the end), two "hosts"
# (the same sshd) running the shards in the data's folder and --return-ing their files to
# another folder, where they are merged. The merged output must be byte for byte one run's
# (report --all from the inputs, events from nta split's buckets, nta run of a D script with
# per-connection state and aggregations from the inputs). An ssh session takes about
# two seconds to start on this VM, so the test keeps to six jobs.
# Needs root (sshd) and Debian's parallel and openssh-server: without them it skips (77)
# outside CI and fails under CI.
# Usage: test_parallel.sh NTA REPO
set -u
NTA=$(realpath "$1")
REPO=$(realpath "$2")
need() { echo "SKIP: $1"; [ -n "${CI:-}" ] && exit 1; exit 77; }
[ "$(id -u)" = 0 ] || need "not root (sshd)"
command -v parallel >/dev/null || need "no GNU parallel"
[ -x /usr/sbin/sshd ] || need "no sshd"
T=$(mktemp -d /tmp/nta-parallel.XXXXXX)
chmod 700 "$T"
pids=()
stop() {
    for h in 127.0.0.1 localhost; do
        [ -S "$T/cm-$h" ] && ${PARALLEL_SSH:-ssh} -O exit "root@$h" 2>/dev/null
    done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap stop EXIT
TMP=$T
. "$REPO/tests/cli/assert.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$T/client_key"
cp "$T/client_key.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
mkdir -p /run/sshd
cat >"$T/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $T/host_key
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd.pid
CONF
/usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
pids+=($!)
# one ssh connection per host, reused by every job (a handshake costs about a second here);
# the masters are told to exit at the end, before sshd is stopped
export PARALLEL_SSH="ssh -p $port -i $T/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ControlMaster=auto -o ControlPath=$T/cm-%h -o ControlPersist=30"
for i in $(seq 50); do $PARALLEL_SSH root@127.0.0.1 true 2>/dev/null && break; sleep 0.1; done
if $PARALLEL_SSH root@127.0.0.1 true; then ok; else bad "sshd: $(cat "$T/sshd.log")"; exit 1; fi

# the data lives in $T/data (relative names in the plan); results come back to the caller
mkdir -p "$T/data" "$T/here"
cp "$REPO/fixtures/veth-scenarios.pcap" "$T/data/"
export NTA
logins="2/root@127.0.0.1,2/root@localhost"
start=$(date +%s)
cd "$T/data"
"$NTA" plan --shards 3 -o "$T/here/v.plan" veth-scenarios.pcap
"$NTA" report --all -q veth-scenarios.pcap >"$T/here/v.single"
"$NTA" events --format jsonl -q veth-scenarios.pcap >"$T/here/e.single"
"$NTA" split --plan "$T/here/v.plan" -o .
# a D program that shards (state per connection, aggregations; BEGIN and END in the merge)
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
"$NTA" run -s conn.d veth-scenarios.pcap >"$T/here/r.single" 2>/dev/null
cd "$T/here"
MERGE_OPTS=-q bash "$REPO/contrib/parallel/nta-parallel.sh" "$logins" v.plan "$T/data" report --all >v.merged \
    && ok || bad "parallel: report --all"
same v.merged v.single "report --all through parallel = one run"
NTA_BUCKETS=1 MERGE_OPTS="-q --format jsonl" bash "$REPO/contrib/parallel/nta-parallel.sh" "$logins" v.plan \
    "$T/data" events >e.merged && ok || bad "parallel: events from buckets"
same e.merged e.single "events from buckets through parallel = one run"
MERGE_OPTS=-q bash "$REPO/contrib/parallel/nta-parallel.sh" "$logins" v.plan "$T/data" run -s conn.d \
    >r.merged && ok || bad "parallel: run -s conn.d"
same r.merged r.single "nta run through parallel = one run"
ls "$T/data"/*.nta >/dev/null 2>&1 && bad "shard files left on the hosts (--cleanup)" || ok
echo "parallel pipelines took $(( $(date +%s) - start )) s"
echo "test_parallel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
