#!/usr/bin/env bash
# The PyPI package: the wheel (built once from the sdist, see
# tests/packaging/env.sh) installs into a fresh virtualenv with nothing else,
# and the `tplint` it puts on PATH is the real binary: version from
# Cargo.toml, a check of the seed example that fails with TP104, completions
# and the manual page. Then the release archive made from that wheel holds
# the same binary. Needs PyPI only for the tools (cached).
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/packaging/env.sh
source "$(dirname "$0")/packaging/env.sh"
root="$packaging_root"

fail() {
    echo "FAIL: wheel: $*"
    exit 1
}

packaging_dist
version="$(packaging_version)"
wheels=("$TPLINT_DIST"/tplint-"$version"-py3-none-*.whl)
[[ ${#wheels[@]} -eq 1 && -f "${wheels[0]}" ]] || fail "expected one wheel of $version in $TPLINT_DIST"
wheel="${wheels[0]}"
[[ -f "$TPLINT_DIST/tplint-$version.tar.gz" ]] || fail "no sdist tplint-$version.tar.gz"

# --- sdist: the crate's files, the Python metadata, nothing else ------------
tar -tzf "$TPLINT_DIST/tplint-$version.tar.gz" | sed "s|^tplint-$version/||" | sort >"$work/sdist.txt"
for file in pyproject.toml Cargo.toml Cargo.lock README.md LICENSE-MIT LICENSE-APACHE src/main.rs rules/TP104-environment-mismatch.md; do
    grep -qxF "$file" "$work/sdist.txt" || fail "the sdist lacks $file"
done
if grep -E '^(fixtures|tests|target|fuzz)/' "$work/sdist.txt"; then
    fail "the sdist carries test or build folders"
fi

# --- a fresh virtualenv with only the wheel ---------------------------------
python3 -m venv "$work/venv"
start=$EPOCHREALTIME
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel" ||
    fail "pip install of $(basename "$wheel") failed"
install_seconds=$(python3 -c "print(f'{$EPOCHREALTIME - $start:.1f}')")
tplint="$work/venv/bin/tplint"
[[ -x "$tplint" ]] || fail "the wheel put no tplint in the virtualenv's bin folder"
# The virtualenv's bin folder alone on PATH: the one found is the wheel's.
export PATH="$work/venv/bin:/usr/bin:/bin"
[[ "$(command -v tplint)" == "$tplint" ]] || fail "tplint on PATH is $(command -v tplint)"

[[ "$(tplint --version)" == "tplint $version" ]] || fail "tplint --version says $(tplint --version), not tplint $version"

status=0
(cd "$root" && tplint check --color never fixtures/seed-example) >"$work/check.txt" 2>&1 || status=$?
[[ $status -eq 1 ]] || { cat "$work/check.txt"; fail "check of fixtures/seed-example exited $status, not 1"; }
grep -qF "TP104 environment-mismatch" "$work/check.txt" || { cat "$work/check.txt"; fail "no TP104 reported"; }

tplint completions bash >"$work/tplint.bash"
bash -n "$work/tplint.bash" || fail "the bash completion is not valid bash"
tplint manpage | grep -q '^\.TH tplint 1' || fail "tplint manpage printed no manual page"

# --- the wheel's metadata ---------------------------------------------------
metadata="$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' \
    "$wheel" "tplint-$version.dist-info/METADATA")"
for field in "Version: $version" "License-Expression: MIT OR Apache-2.0" "Requires-Python: >=3.8" \
    "Project-URL: Repository, https://github.com/tplint/tplint"; do
    grep -qxF "$field" <<<"$metadata" || fail "METADATA lacks \`$field\`"
done

# --- the release archive is the wheel's binary ------------------------------
python3 "$root/scripts/release-archive.py" "$wheel" x86_64-unknown-linux-gnu "$work/archives" --docs >/dev/null
tar -xzf "$work/archives/tplint-$version-x86_64-unknown-linux-gnu.tar.gz" -C "$work/archives"
cmp -s "$work/archives/tplint-$version-x86_64-unknown-linux-gnu/tplint" "$tplint" ||
    fail "the archive's binary differs from the wheel's"
tar -xzf "$work/archives/tplint-$version-manpage-completions.tar.gz" -C "$work/archives"
grep -q '^\.TH tplint 1' "$work/archives/tplint-$version-manpage-completions/man/man1/tplint.1" ||
    fail "the archive's manual page is not one"

echo "PASS: wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) installs in ${install_seconds}s into a fresh virtualenv; tplint $version checks the seed example (exit 1, TP104); sdist and release archive complete"
