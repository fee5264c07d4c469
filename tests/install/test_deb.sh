#!/usr/bin/env bash
# tests/install/test_deb.sh: the Debian package, built and used as a user would (issue 16).
#
# Builds the .deb with dpkg-buildpackage from a copy of this tree in a temporary folder (it
# writes its artefacts beside the source, and the checkout's parent is not ours to fill), then:
# - the package build is free of compiler and dpkg-shlibdeps warnings, and lintian finds no error;
# - Depends names exactly the packages of the shared libraries nta links (and all of them), and
#   they are installed here (dpkg --dry-run -i);
# - dpkg installs it into an empty root (--root: its own database, nothing of the host's),
#   where nta info and nta report --ooo on a bundled capture print the same bytes as the
#   development build NTA, nta --version is the package's version, man finds and renders the
#   page, which names where the D script is, and bash-completion's loader finds the completion
#   (nta re<TAB> -> report); dpkg --purge then leaves no file behind.
# Takes about half a minute (the package build is most of it). CI runs it after scripts/test.sh.
#
# Usage: bash tests/install/test_deb.sh [NTA]   (default: build/nta, as scripts/test.sh builds)
# Needs root and scripts/setup.sh's packages: skips (77) without them, fails under CI ($CI).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
NTA=${1:-$SRC/build/nta}
FX=$SRC/fixtures

skip() {
    if [ -n "${CI:-}" ]; then echo "FAIL deb: $*, and CI must run this test"; exit 1; fi
    echo "SKIP deb: $*"
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root (dpkg --root installs files owned by root)"
for t in dpkg-buildpackage dh lintian dpkg-deb man bash; do
    command -v "$t" >/dev/null || skip "$t not installed (bash scripts/setup.sh installs it)"
done
[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion not installed (scripts/setup.sh)"
[ -x "$NTA" ] || skip "no development build at $NTA (bash scripts/test.sh makes one)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/cli/assert.sh"
. "$SRC/tests/install/complete.sh"
touch "$TMP/start"

# --- build: the tree as it is (tracked and new files, not ignored ones: no build folders) ---
mkdir "$TMP/nta"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$SRC" ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$SRC/$f" ] && printf '%s\0' "$f"; done |
        tar -C "$SRC" --null -T - -cf - | tar -C "$TMP/nta" -xf -
else
    tar -C "$SRC" --exclude='./build*' --exclude=./fuzz/out -cf - . | tar -C "$TMP/nta" -xf -
fi
# noddebs: no -dbgsym package to make and throw away
if ! (cd "$TMP/nta" && DEB_BUILD_OPTIONS="noddebs parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
        >"$TMP/build.log" 2>&1; then
    tail -40 "$TMP/build.log"
    echo "FAIL deb: dpkg-buildpackage failed"
    exit 1
fi
version=$(cd "$TMP/nta" && dpkg-parsechangelog -S Version)
deb=$(ls "$TMP"/nta_"${version}"_*.deb 2>/dev/null)
[ -f "$deb" ] && ok || { echo "FAIL deb: no nta_${version}_*.deb in: $(ls "$TMP")"; exit 1; }
grep -E ': warning:|dpkg-shlibdeps: warning' "$TMP/build.log" >"$TMP/warnings"
eq "$(head -5 "$TMP/warnings")" "" "the package build (Debian's flags) is free of warnings"

# --- lintian: no error (warnings listed, not fatal) ---
lintian --fail-on error "$deb" >"$TMP/lintian" 2>&1
st=$?
grep -v '^running with root privileges' "$TMP/lintian"
eq "$st" 0 "lintian $(basename "$deb") reports no error"

# --- Depends: the packages of the libraries nta links, all of them, nothing else ---
dpkg-deb -x "$deb" "$TMP/x"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (:].*//' | grep . | sort -u >"$TMP/depends"
for so in $(objdump -p "$TMP/x/usr/bin/nta" | awk '$1 == "NEEDED" { print $2 }'); do
    path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|64bit|=>/ { print $NF; exit }')
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null ||
            dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null)
    [ -n "$owner" ] || bad "no package owns $so ($path)"
    echo "${owner%%:*}"
done | sort -u >"$TMP/linked"
same "$TMP/depends" "$TMP/linked" "Depends lists the packages of the linked libraries (objdump NEEDED)"
[ "$(wc -l <"$TMP/linked")" -ge 5 ] && ok || bad "too few linked libraries found: $(cat "$TMP/linked")"
dpkg --dry-run -i "$deb" >"$TMP/dry" 2>&1 && ok || bad "dpkg --dry-run -i: $(tail -5 "$TMP/dry")"

# --- installed into an empty root with its own dpkg database ---
R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
# its dependencies are the host's (checked just above), not in this root's database
expect 0 "dpkg --root -i" -- dpkg --root="$R" --force-depends -i "$deb"
eq "$(dpkg-query --root="$R" -W -f='${Status}' nta 2>&1)" "install ok installed" "dpkg-query: nta installed"
for f in usr/bin/nta usr/share/man/man1/nta.1.gz usr/share/nta/nta-events.d \
         usr/share/bash-completion/completions/nta usr/share/doc/nta/copyright; do
    [ -f "$R/$f" ] && ok || bad "/$f not installed"
done
same "$R/usr/share/nta/nta-events.d" "$SRC/dtrace/nta-events.d" "/usr/share/nta/nta-events.d is dtrace/nta-events.d"

# the same outputs as the development build
for args in "info" "report --ooo"; do
    # shellcheck disable=SC2086
    "$NTA" $args "$FX/veth-scenarios.pcap.zst" >"$TMP/dev.out" 2>"$TMP/dev.err"
    # shellcheck disable=SC2086
    expect 0 "installed nta $args" -- "$R/usr/bin/nta" $args "$FX/veth-scenarios.pcap.zst"
    same "$TMP/out" "$TMP/dev.out" "installed nta $args prints what $NTA prints"
    same "$TMP/err" "$TMP/dev.err" "installed nta $args says on stderr what $NTA says"
    [ -s "$TMP/out" ] && ok || bad "installed nta $args printed nothing"
done
eq "$("$R/usr/bin/nta" --version)" "nta $version" "nta --version is the package's version"

# the manual: man finds it where the package put it, renders it, and it names the D script's place
if MANPATH=$R/usr/share/man man -w nta >"$TMP/out" 2>&1; then
    eq "$(cat "$TMP/out")" "$R/usr/share/man/man1/nta.1.gz" "man -w nta finds the package's page"
else
    bad "man -w nta: $(cat "$TMP/out")"
fi
MANWIDTH=100 man -l "$R/usr/share/man/man1/nta.1.gz" >"$TMP/man" 2>"$TMP/err"
has "$TMP/man" "nta - network trace analyzer" "man -l renders the page's NAME"
has "$TMP/man" "/usr/share/nta/nta-events.d" "FILES names where the package put the D script"

# completion, found by bash-completion's own loader as on the first TAB after installing
export COMP_FROM=loader:$R/usr/share
eq "$(words re)" "report" "nta re<TAB> (installed completion)"
eq "$(words report --oo)" "--ooo" "nta report --oo<TAB> (installed completion)"
eq "$(words info --format '')" "json text" "nta info --format <TAB> (installed completion)"

# --- removed: nothing left but dpkg's own database ---
expect 0 "dpkg --root --purge" -- dpkg --root="$R" --purge nta
eq "$(cd "$R" && find . -mindepth 1 ! -path './var' ! -path './var/lib' ! -path './var/lib/dpkg*' | head -5)" "" \
    "nothing of nta left after dpkg --purge"
eq "$(dpkg-query --root="$R" -W -f='${Status}' nta 2>/dev/null)" "" "dpkg-query: nta gone"

# nothing was written beside the checkout
eq "$(find "$SRC/.." -maxdepth 1 -newer "$TMP/start" -name 'nta[_-]*' 2>/dev/null)" "" "no artefacts in the checkout's parent"

echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
