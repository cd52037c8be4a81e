#!/usr/bin/env bash
# Validates tplint's SARIF output for every fixture with Microsoft's SARIF
# Multitool (`validate --rule-kind "Gh;Sarif"`): the SARIF 2.1.0 schema plus
# GitHub code scanning's ingestion rules. Any error or warning fails.
#
# The validator is installed from npm into a cache folder (SARIF_MULTITOOL_CACHE,
# default: $XDG_CACHE_HOME/tplint-ci or ~/.cache/tplint-ci). Set TPLINT to use
# an already built binary.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="5.7.0"
cache="${SARIF_MULTITOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tplint-ci/sarif-multitool-$version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
    echo "FAIL: sarif-validate: $*"
    exit 1
}

# --- the validator ---------------------------------------------------------
multitool="$cache/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [[ ! -x "$multitool" ]]; then
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error \
        "@microsoft/sarif-multitool@$version" >"$work/npm.log" 2>&1 ||
        { cat "$work/npm.log"; fail "npm install of the SARIF Multitool failed"; }
    # npm may skip the package's postinstall `chmod`; do it ourselves.
    chmod u+x "$multitool" || fail "no Sarif.Multitool binary in the npm package"
fi
# The .NET runtime inside needs no ICU for validation.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

# Validate one SARIF file; print the findings and return non-zero on any
# error or warning. The Multitool exits 0 even when it finds problems, so the
# verdict is read from its own SARIF report (`-o`), where a result without a
# `level` is a warning.
validate() {
    local sarif="$1" report="${1%.sarif}.report" console="${1%.sarif}.console"
    rm -f "$report"
    if ! "$multitool" validate --rule-kind "Gh;Sarif" -o "$report" "$sarif" >"$console" 2>&1; then
        cat "$console"
        return 2
    fi
    [[ -s "$report" ]] || { cat "$console"; return 2; }
    python3 - "$report" <<'PY'
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
bad = 0
for run in log.get("runs", []):
    for result in run.get("results", []):
        level = result.get("level", "warning")
        if level in ("error", "warning"):
            bad += 1
            print(f"  {level} {result.get('ruleId')}: {result.get('message', {}).get('text', '')}")
            for arg in result.get("message", {}).get("arguments", []):
                print(f"      {arg}")
    for notification in run.get("invocations", [{}])[0].get("toolExecutionNotifications", []):
        if notification.get("level", "warning") in ("error", "warning"):
            bad += 1
            print(f"  tool: {notification.get('message', {}).get('text', '')}")
sys.exit(1 if bad else 0)
PY
}

# --- self-test: a broken log must be rejected -------------------------------
cat >"$work/broken.sarif" <<'JSON'
{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {}}]}]}
JSON
if validate "$work/broken.sarif" >/dev/null; then
    fail "the validator accepted a broken SARIF log, so this test proves nothing"
fi

# --- every fixture -----------------------------------------------------------
if [[ -z "${TPLINT:-}" ]]; then
    cargo build --quiet --manifest-path "$root/Cargo.toml" --bin tplint
    TPLINT="${CARGO_TARGET_DIR:-$root/target}/debug/tplint"
fi

failures=0
count=0

# Copy a fixture to $work/repos/NAME as a git repository with its origin.
prepare() {
    local case="$1" repo="$work/repos/$2"
    mkdir -p "$repo"
    cp -R "$case". "$repo"
    rm -f "$repo/expected.txt"
    git -C "$repo" init -q
    if [[ -f "$repo/remote.txt" ]]; then
        git -C "$repo" remote add origin "$(tr -d '[:space:]' <"$repo/remote.txt")"
        rm "$repo/remote.txt"
    fi
}

# check NAME ARGS...: run `tplint check ARGS --format sarif` into
# $work/logs/NAME.sarif; the logs are validated together below.
mkdir -p "$work/logs"
check() {
    local name="$1" status=0
    shift
    "$TPLINT" check "$@" --format sarif >"$work/logs/$name.sarif" || status=$?
    if [[ $status -gt 1 ]]; then
        echo "$name: tplint exited with $status"
        failures=$((failures + 1))
        rm -f "$work/logs/$name.sarif"
        return
    fi
    count=$((count + 1))
}

fixtures=0
for case in "$root"/fixtures/*/; do
    fixtures=$((fixtures + 1))
    name="$(basename "$case")"
    prepare "$case" "$name"
    check "$name" "$work/repos/$name"
done

# Beyond the fixtures: a publisher declared by flags (its diagnostics live in
# the pseudo file `<command line>`), with and without files to fall back on,
# and several repositories in one run (relative and absolute PATHs).
check flags "$work/repos/tp104-environment-mismatch" \
    --owner "bad owner" --repository x --workflow nope.yml --environment "a'b"
mkdir -p "$work/repos/empty"
git -C "$work/repos/empty" init -q
check flags-empty-repo "$work/repos/empty" --owner "bad owner" --repository x --workflow nope.yml
mv "$work/repos/seed-example" "$work/repos/seed example"
pushd "$work/repos" >/dev/null
check multi-relative tp104-environment-mismatch "seed example"
popd >/dev/null
check multi-absolute "$work/repos/tp104-environment-mismatch" "$work/repos/seed example"

# Validate the logs two at a time (each Multitool run is mostly start-up):
# every log leaves NAME.status (the verdict) and NAME.findings.
export multitool
export -f validate
find "$work/logs" -name '*.sarif' -print0 |
    xargs -0 -P 2 -n 1 bash -c 'validate "$1" >"${1%.sarif}.findings"; echo $? >"${1%.sarif}.status"' _
validated=0
for log in "$work/logs"/*.sarif; do
    name="$(basename "$log" .sarif)"
    status_file="${log%.sarif}.status"
    [[ -f "$status_file" ]] || { echo "$name: not validated"; failures=$((failures + 1)); continue; }
    validated=$((validated + 1))
    if [[ "$(cat "$status_file")" != 0 ]]; then
        echo "$name:"
        cat "${log%.sarif}.findings"
        failures=$((failures + 1))
    fi
done
if [[ $validated -ne $count ]]; then
    fail "$validated of $count SARIF logs were validated"
fi
if [[ $failures -gt 0 ]]; then
    fail "$failures of $count SARIF logs are rejected by the SARIF Multitool"
fi
echo "PASS: sarif-validate: $count SARIF logs ($fixtures fixtures and $((count - fixtures)) extra cases) pass the SARIF Multitool $version (Gh;Sarif) with no errors or warnings"
