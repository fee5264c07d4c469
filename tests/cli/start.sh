# tests/cli/start.sh: the start two CLI test scripts share (sourced with their arguments,
# NTA_BINARY SOURCE_DIR): absolute paths, a temporary folder, and background processes the
# script records in PIDS, all ended when the script exits; then the assertions (assert.sh).
set -u
NTA=$(realpath "$1")
SRC=$(realpath "$2")
FX=$SRC/fixtures
TMP=$(mktemp -d)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/assert.sh"
