#!/usr/bin/env bash
# tests/install/test_cmake_install.sh: `cmake --install` of the build under test (issue 16):
# exactly the four files the README and the man page promise, under GNUInstallDirs paths; the
# installed nta runs from there and prints the version the build recorded; its manual renders
# and names where the D script went; one release version in CMake, debian/changelog and the
# manual's .TH line.
#
# Usage: test_cmake_install.sh NTA BUILD_DIR SOURCE_DIR BASE_VERSION
set -u
NTA=$1
BUILD=$2
SRC=$3
BASE=$4
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/cli/assert.sh"
P=$TMP/prefix

expect 0 "cmake --install --prefix" -- cmake --install "$BUILD" --prefix "$P"
(cd "$P" && find . -type f -o -type l | sed 's|^\./||' | sort) >"$TMP/files"
printf '%s\n' bin/nta share/bash-completion/completions/nta share/man/man1/nta.1 \
    share/nta/nta-events.d >"$TMP/want"
same "$TMP/files" "$TMP/want" "installed files"
[ -x "$P/bin/nta" ] && ok || bad "bin/nta is not executable"
same "$P/share/nta/nta-events.d" "$SRC/dtrace/nta-events.d" "share/nta/nta-events.d is dtrace/nta-events.d"
same "$P/share/man/man1/nta.1" "$SRC/man/nta.1" "share/man/man1/nta.1 is man/nta.1"
same "$P/share/bash-completion/completions/nta" "$BUILD/completion/nta" "the completion is the one the build made"

# the version: what cmake/version.cmake derives, worked out again here from git
if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$SRC" && pwd -P)" ]; then
    if d=$(git -C "$SRC" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
        v=${d#v}
    else
        v=$BASE-g$(git -C "$SRC" describe --always --dirty)
    fi
else
    v=$BASE
fi
eq "$("$NTA" --version)" "nta $v" "nta --version is git describe's (or the base version outside git)"
eq "$("$P/bin/nta" --version)" "nta $v" "the installed nta's --version"
expect 0 "the installed nta runs" -- "$P/bin/nta" info "$SRC/fixtures/veth-scenarios.pcap.zst"
has "$TMP/out" "pcap" "installed nta info names the format"

# one release version
eq "$(sed -n '1s/^nta (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")" "$BASE" "debian/changelog's version is NTA_BASE_VERSION"
eq "$(sed -n 's/^\.TH NTA 1 "[^"]*" "nta \([^"]*\)".*/\1/p' "$SRC/man/nta.1")" "$BASE" "the manual's .TH version is NTA_BASE_VERSION"

# the manual renders from where it was installed and names where the D script is
MANWIDTH=100 man -l "$P/share/man/man1/nta.1" >"$TMP/man" 2>"$TMP/manerr"
has "$TMP/man" "nta - network trace analyzer" "man -l renders the installed page's NAME"
has "$TMP/man" "/usr/share/nta/nta-events.d" "the manual's FILES names share/nta/nta-events.d"
if MANPATH=$P/share/man man -w nta >"$TMP/out" 2>&1; then
    eq "$(cat "$TMP/out")" "$P/share/man/man1/nta.1" "man finds the page under the prefix"
else
    bad "man -w nta with MANPATH=$P/share/man: $(cat "$TMP/out")"
fi

echo "cmake-install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
