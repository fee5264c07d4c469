#!/usr/bin/env bash
# scripts/setup.sh: install every build and test dependency of nta from Debian's packages.
#
# Idempotent: packages already present are not touched and apt is not even asked when nothing is
# missing, so running it before every build costs a dpkg query. Must run as root (or via sudo).
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config
  libpcap-dev libtrace3-dev libjansson-dev libzstd-dev zlib1g-dev libbz2-dev liblzma-dev
  check
  # tests: compression tools to make the compressed forms of fixtures, peers for ground truth,
  # libtrace-tools for traceconvert (makes the ERF fixture), valgrind for the memcheck pass,
  # python3 for the CLI test's JSON and CSV checks
  gzip bzip2 xz-utils zstd libtrace-tools tshark tcpdump valgrind clang python3
  # fixtures/make-fixtures.sh: namespaces and offload control
  iproute2 ethtool
  # installing (cmake/, tests/install/): git for the version nta records, and what an installed
  # nta is checked with (man, bash completion)
  git man-db groff-base bash-completion
  # the Debian package (debian/): its build and its checker
  debhelper dpkg-dev lintian
  # shards on a scheduler (tests/shard/): a one-node Slurm cluster, GNU parallel over ssh on
  # loopback (rsync carries --return and --basefile)
  slurmctld slurmd slurm-client munge parallel openssh-server rsync
)

missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it so the install never waits on a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
