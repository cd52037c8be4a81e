# shellcheck shell=bash
# Sourced by the packaging tests. Provides, once per CI run:
#   $TPLINT_TOOLS  bin folder of a virtualenv with tests/packaging/tools.txt
#   $TPLINT_DIST   folder with the sdist and the wheel built from it
# .ci/run makes both and exports them; a test run alone makes its own: the
# tools in a cache folder (TPLINT_CI_CACHE, default $XDG_CACHE_HOME/tplint-ci
# or ~/.cache/tplint-ci), the distributions in the caller's "$work".
#
# The wheel is built from the extracted sdist, which proves that the sdist
# builds from source. It is a release build without link-time optimisation
# (the release workflow keeps it): the code is the same, the build minutes
# fewer, and the dependencies are shared with tests/pre-commit.sh's build.

packaging_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The pinned tools, in a virtualenv named after the pins.
packaging_tools() {
    if [[ -n "${TPLINT_TOOLS:-}" ]]; then
        return
    fi
    local cache pins venv
    cache="${TPLINT_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tplint-ci}"
    pins="$(sha256sum "$packaging_root/tests/packaging/tools.txt" | cut -c1-16)"
    venv="$cache/tools-$pins"
    # Made in place (a virtualenv's scripts name its path), complete once
    # the marker exists.
    if [[ ! -e "$venv/.complete" ]]; then
        rm -rf "$venv"
        mkdir -p "$cache"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$packaging_root/tests/packaging/tools.txt" ||
            { echo "FAIL: pip install of tests/packaging/tools.txt failed"; return 1; }
        touch "$venv/.complete"
    fi
    export TPLINT_TOOLS="$venv/bin"
}

# The sdist, and the wheel built from it.
packaging_dist() {
    if [[ -n "${TPLINT_DIST:-}" ]]; then
        return
    fi
    : "${work:?the sourcing script sets work to its temporary folder}"
    packaging_tools
    local dist="$work/dist" unpacked="$work/sdist" sdist
    mkdir -p "$dist" "$unpacked"
    "$TPLINT_TOOLS/maturin" sdist --manifest-path "$packaging_root/Cargo.toml" --out "$dist" \
        >"$work/sdist.log" 2>&1 || { cat "$work/sdist.log"; echo "FAIL: maturin sdist"; return 1; }
    sdist="$(ls "$dist"/tplint-*.tar.gz)"
    # -m: fresh time stamps (the sdist's are all one fixed date), so that cargo
    # rebuilds what changed instead of trusting an older build.
    tar -xzmf "$sdist" -C "$unpacked"
    (
        cd "$unpacked"/tplint-*/
        CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$packaging_root/target}" \
            CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
            "$TPLINT_TOOLS/maturin" build --release --locked --out "$dist"
    ) >"$work/wheel.log" 2>&1 || { cat "$work/wheel.log"; echo "FAIL: maturin build from the sdist"; return 1; }
    export TPLINT_DIST="$dist"
}

# The version in Cargo.toml, the one place it is written.
packaging_version() {
    sed -n 's/^version = "\(.*\)"$/\1/p' "$packaging_root/Cargo.toml" | head -n 1
}
