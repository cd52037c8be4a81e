#!/bin/sh
# Regenerate the seed corpus of the `lint`, `yaml` and `workflow` targets
# (fuzz/seeds/lint/) from the fixtures' workflows and GitLab pipeline files,
# one file per distinct text, named after its fixture. With `--minimise`,
# keep only the fewest files that cover the same features (`cargo fuzz cmin`
# with libFuzzer's set-cover merge; it renames them to their SHA-1), which
# is what is committed. Needs a built `lint` target (`cargo fuzz build lint`).
set -eu
cd "$(dirname "$0")"
out=seeds/lint
rm -rf "$out"
mkdir -p "$out"
for file in ../fixtures/*/.github/workflows/*.yml ../fixtures/*/.gitlab-ci.yml; do
    [ -f "$file" ] || continue
    case_name=$(printf '%s\n' "$file" | cut -d/ -f3)
    name="$case_name--$(basename "$file")"
    sum=$(cksum < "$file" | cut -d' ' -f1)
    # One copy of each text.
    if ! grep -qx "$sum" "$out/.sums" 2>/dev/null; then
        echo "$sum" >> "$out/.sums"
        cp "$file" "$out/$name"
    fi
done
rm -f "$out/.sums"
if [ "${1:-}" = "--minimise" ]; then
    RUSTC_BOOTSTRAP=1 cargo fuzz cmin lint "$out" -- -set_cover_merge=1
fi
echo "$(ls "$out" | wc -l) seeds, $(cat "$out"/* | wc -c) bytes in $out"

# The `gitlab` target: each GitLab fixture's pipeline with the other YAML
# files of the fixture after it, each behind a `#--- <path>` line.
out=seeds/gitlab
rm -rf "$out"
mkdir -p "$out"
for pipeline in ../fixtures/*/.gitlab-ci.yml; do
    [ -f "$pipeline" ] || continue
    dir=$(dirname "$pipeline")
    case_name=$(basename "$dir")
    {
        cat "$pipeline"
        (cd "$dir" && find . -name '*.yml' ! -path './.gitlab-ci.yml' ! -path './.github/*' | sort) |
            while read -r included; do
                printf '#--- %s\n' "${included#./}"
                cat "$dir/$included"
            done
    } > "$out/$case_name"
done
echo "$(ls "$out" | wc -l) seeds, $(cat "$out"/* | wc -c) bytes in $out"
