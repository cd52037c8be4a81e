#!/usr/bin/env bash
# Proves the hooks in .pre-commit-hooks.yaml with the real pre-commit from
# PyPI: in a throwaway repository whose .pre-commit-config.yaml points at this
# checkout, `pre-commit run --all-files` must fail on a broken release
# workflow with tplint's diagnostics, and pass once it is fixed.
#
# The `tplint` hook (language: rust) makes pre-commit `cargo install` this
# checkout at its HEAD commit, so only committed changes are tested. The
# `tplint-system` hook uses the tplint found on PATH (built here). The
# README's `repo: local` hook with `language: python` installs the wheel
# (built from this checkout, see tests/packaging/env.sh; pip is pointed at it
# with PIP_FIND_LINKS and PIP_NO_INDEX) and runs with no cargo on PATH.
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/packaging/env.sh
source "$(dirname "$0")/packaging/env.sh"
root="$packaging_root"

fail() {
    echo "FAIL: pre-commit: $*"
    exit 1
}

rev="$(git -C "$root" rev-parse HEAD)"
if ! git -C "$root" diff --quiet HEAD -- .pre-commit-hooks.yaml src Cargo.toml Cargo.lock 2>/dev/null; then
    echo "note: uncommitted changes are not tested; pre-commit installs commit $rev"
fi

# --- pre-commit itself, from the pinned tools --------------------------------
packaging_tools
pre_commit="$TPLINT_TOOLS/pre-commit"
export PRE_COMMIT_HOME="$work/pre-commit-home"
# Nothing in the user's global git config may change the throwaway repository.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
# `cargo install` builds a release binary: share the target folder so
# dependencies are compiled once, and skip the slow link-time optimisation.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export NO_COLOR=1

# --- the repository under test ----------------------------------------------
repo="$work/project"
mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" remote add origin "$(tr -d '[:space:]' <"$root/fixtures/clean-release/remote.txt")"

use_hook() {
    cat >"$repo/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $root
    rev: $rev
    hooks:
      - id: $1
YAML
}

# A broken release: PyPI's guide workflow with actions pinned by tags and a
# publisher whose environment the job does not use (the seed example).
broken() {
    rm -rf "$repo/.github" "$repo/tplint.toml"
    cp -R "$root/fixtures/seed-example/.github" "$root/fixtures/seed-example/tplint.toml" "$repo/"
    git -C "$repo" add -A
}

fixed() {
    rm -rf "$repo/.github" "$repo/tplint.toml"
    cp -R "$root/fixtures/clean-release/.github" "$root/fixtures/clean-release/tplint.toml" "$repo/"
    git -C "$repo" add -A
}

run() {
    (cd "$repo" && "$pre_commit" run --all-files --color never) >"$work/output.txt" 2>&1
}

expect_failure() {
    if run; then
        cat "$work/output.txt"
        fail "$1: pre-commit passed on a broken release workflow"
    fi
    for needle in "TP104 environment-mismatch" "TP501 unpinned-action" ".github/workflows/release.yml"; do
        grep -qF "$needle" "$work/output.txt" ||
            { cat "$work/output.txt"; fail "$1: the output lacks \`$needle\`"; }
    done
}

expect_success() {
    run || { cat "$work/output.txt"; fail "$1: pre-commit failed on a fixed workflow"; }
    grep -qE "^tplint.*Passed$" "$work/output.txt" ||
        { cat "$work/output.txt"; fail "$1: the hook did not run"; }
}

# language: rust — pre-commit builds tplint from this checkout.
use_hook tplint
broken
expect_failure tplint
fixed
expect_success tplint

# language: system — the tplint on PATH.
cargo build --quiet --manifest-path "$root/Cargo.toml" --bin tplint
export PATH="$CARGO_TARGET_DIR/debug:$PATH"
use_hook tplint-system
broken
expect_failure tplint-system
fixed
expect_success tplint-system

# language: python — the README's configuration, which installs the wheel.
packaging_dist
version="$(packaging_version)"
awk '/^<!-- pre-commit: language python -->$/ {on = 1; next}
     on && /^```/ {if (started) exit; started = 1; next}
     on && started {print}' "$root/README.md" >"$repo/.pre-commit-config.yaml"
grep -qF "additional_dependencies: [tplint==$version]" "$repo/.pre-commit-config.yaml" ||
    { cat "$repo/.pre-commit-config.yaml"; fail "the README's language: python hook does not pin tplint==$version"; }
# pip builds pre-commit's placeholder package for a local hook with
# setuptools: fetch it now, so that the hook's install needs no index.
"$TPLINT_TOOLS/python" -m pip download --quiet --disable-pip-version-check --only-binary :all: \
    --dest "$work/wheelhouse" setuptools || fail "pip download setuptools failed"
export PIP_FIND_LINKS="$TPLINT_DIST $work/wheelhouse" PIP_NO_INDEX=1
# No Rust: only the pre-commit tools and the system folders on PATH.
PATH="$TPLINT_TOOLS:/usr/bin:/bin"
if command -v cargo rustc >/dev/null; then
    fail "cargo or rustc is still on PATH ($(command -v cargo rustc))"
fi
export CARGO_HOME="$work/no-cargo" RUSTUP_HOME="$work/no-rustup"
broken
expect_failure "language: python"
fixed
expect_success "language: python"
compgen -G "$PRE_COMMIT_HOME/repo*/py_env-*/bin/tplint" >/dev/null ||
    fail "pre-commit's environment has no tplint from the wheel"

echo "PASS: pre-commit: hooks tplint, tplint-system and the README's language: python hook (the wheel, no cargo) fail on a broken release workflow and pass once it is fixed (pre-commit $("$pre_commit" --version | cut -d' ' -f2), rev ${rev:0:12})"
