#!/usr/bin/env bash
# The GitHub Action (action.yml), outside GitHub: tests/packaging/run_action.py
# runs its steps as the runner would, with pip pointed at the locally built
# wheel (PIP_FIND_LINKS, PIP_NO_INDEX), in throwaway repositories. Checks the
# annotations it prints, the SARIF file it names, its exit codes, that the
# job's token reaches tplint only with `online: true` (a recorder on
# 127.0.0.1 stands in for the GitHub API), and that bad inputs fail cleanly.
# Its scripts go through shellcheck, and a workflow using every input
# through actionlint (which reads the action's metadata).
set -euo pipefail

work="$(mktemp -d)"
recorder_pid=""
cleanup() {
    if [[ -n "$recorder_pid" ]]; then kill "$recorder_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=tests/packaging/env.sh
source "$(dirname "$0")/packaging/env.sh"
root="$packaging_root"

fail() {
    echo "FAIL: action: $*"
    exit 1
}

packaging_dist
version="$(packaging_version)"
python="$TPLINT_TOOLS/python"
unset GH_TOKEN GITHUB_TOKEN
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
# pip finds tplint in the local wheel folder only.
export PIP_FIND_LINKS="$TPLINT_DIST" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# --- static checks -----------------------------------------------------------
"$python" - "$root/action.yml" >"$work/scripts.txt" <<'PY'
import sys, yaml
for step in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]:
    if "run" in step:
        print(step["run"] + "\0", end="")
PY
count=0
while IFS= read -r -d '' script; do
    count=$((count + 1))
    printf '%s' "$script" >"$work/step-$count.sh"
    "$TPLINT_TOOLS/shellcheck" --shell=bash "$work/step-$count.sh" ||
        fail "shellcheck: the action's script $count"
done <"$work/scripts.txt"
[[ $count -ge 2 ]] || fail "found $count run: scripts in action.yml"

mkdir -p "$work/lint/.github/workflows"
cp "$root/action.yml" "$work/lint/"
git -C "$work/lint" init -q
cat >"$work/lint/.github/workflows/use.yml" <<'YAML'
on: push
permissions: {}
jobs:
  tplint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: ./
        id: tplint
        with:
          version: 1.2.3
          format: sarif
          args: --fail-on never
          working-directory: .
          online: false
      - run: echo "$SARIF"
        env:
          SARIF: ${{ steps.tplint.outputs.sarif-file }}
YAML
(cd "$work/lint" && PATH="$TPLINT_TOOLS:$PATH" "$TPLINT_TOOLS/actionlint") ||
    fail "actionlint: a workflow using the action's inputs and output"

# The README's example: pinned with the version comment of this release, and
# only inputs the action has, with values it accepts.
awk '/^<!-- action: example -->$/ {on = 1; next}
     on && /^```/ {if (started) exit; started = 1; next}
     on && started {print}' "$root/README.md" >"$work/readme-example.yml"
grep -qE "^ +- uses: tplint/tplint@<commit of the tag> # v$version\$" "$work/readme-example.yml" ||
    { cat "$work/readme-example.yml"; fail "the README's example does not pin the action at v$version"; }
"$python" - "$root/action.yml" "$work/readme-example.yml" <<'PY' || fail "the README's example does not fit action.yml"
import sys, textwrap, yaml
inputs = yaml.safe_load(open(sys.argv[1]))["inputs"]
example = yaml.safe_load(textwrap.dedent(open(sys.argv[2]).read()))
step = next(s for s in example["steps"] if s["uses"].startswith("tplint/tplint@"))
given = step.get("with", {})
assert set(given) <= set(inputs), set(given) - set(inputs)
assert given.get("format", "github") in ("github", "sarif"), given
PY

# --- running the action ------------------------------------------------------
# A repository with a fixture's workflows and publisher, at $work/ws/project.
repo_from() {
    local remote=https://github.com/myorg/myproject.git
    if [[ -f "$root/fixtures/$1/remote.txt" ]]; then
        remote="$(tr -d '[:space:]' <"$root/fixtures/$1/remote.txt")"
    fi
    rm -rf "$work/ws"
    mkdir -p "$work/ws/project" "$work/temp"
    cp -R "$root/fixtures/$1/.github" "$root/fixtures/$1/tplint.toml" "$work/ws/project/"
    git -C "$work/ws/project" init -q
    git -C "$work/ws/project" remote add origin "$remote"
}

# run_action EXPECTED_STATUS NAME=VALUE...; output in $work/out.txt.
run_action() {
    local expected="$1" status=0
    shift
    local inputs=()
    for input in "$@"; do inputs+=(--input "$input"); done
    "$python" "$root/tests/packaging/run_action.py" "$root" "$work/ws" "$work/temp" \
        --python "$python" --token "test-token-$RANDOM" ${inputs[@]+"${inputs[@]}"} \
        >"$work/out.txt" 2>&1 || status=$?
    if [[ $status -ne $expected ]]; then
        cat "$work/out.txt"
        fail "with $* the action exited $status, not $expected"
    fi
}

expect() {
    grep -qE -- "$1" "$work/out.txt" || { cat "$work/out.txt"; fail "$2: no line matches \`$1\`"; }
}

reject() {
    if grep -E -- "$1" "$work/out.txt"; then fail "$2: unexpected \`$1\`"; fi
}

# The seed example: annotations, exit 1; the version installed is Cargo.toml's.
repo_from seed-example
run_action 1 working-directory=project
expect "^tplint $version\$" "default version"
reject "already installed" "first use"
expect '^::error file=\.github/workflows/release\.yml,line=[0-9]+,.*title=TP104 environment-mismatch::' "seed example"
expect '^::warning file=\.github/workflows/release\.yml,line=[0-9]+,.*title=TP501 unpinned-action::' "seed example"
[[ -x "$work/temp/tplint-venv/bin/tplint" ]] || fail "no virtualenv in RUNNER_TEMP"

# `args` reach tplint: below the threshold the step passes. A second use in
# the same job (same RUNNER_TEMP) reuses the virtualenv.
run_action 0 working-directory=project "args=--fail-on never --ignore TP501"
expect "^tplint $version is already installed" "second use"
expect '^::error .*title=TP104' "--fail-on never"
reject 'title=TP501' "--ignore TP501"

# A clean release: no annotation, exit 0.
repo_from clean-release
run_action 0 working-directory=project
reject '^::(error|warning)' "clean release"

# SARIF into the file named by the `sarif-file` output.
repo_from seed-example
run_action 1 working-directory=project format=sarif
sarif="$(sed -n 's/^outputs: //p' "$work/out.txt" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["sarif-file"])')"
[[ "$sarif" == "$work/temp/tplint.sarif" ]] || fail "sarif-file output is \`$sarif\`"
"$python" - "$sarif" <<'PY' || fail "the SARIF file lacks TP104"
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0", log["version"]
assert "TP104" in {r["ruleId"] for r in log["runs"][0]["results"]}
PY
reject '^::error' "sarif format"

# The token: sent to the API only with `online: true`.
"$python" - "$work/requests.jsonl" "$work/port" <<'PY' &
import http.server, json, sys
log, port_file = sys.argv[1], sys.argv[2]
class Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization")}) + "\n")
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": "Not Found"}')
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
open(port_file, "w").write(str(server.server_address[1]))
server.serve_forever()
PY
recorder_pid=$!
for _ in $(seq 50); do [[ -s "$work/port" ]] && break; sleep 0.1; done
[[ -s "$work/port" ]] || fail "the API recorder did not start"
api="http://127.0.0.1:$(cat "$work/port")"

repo_from clean-release
run_action 0 working-directory=project "args=--github-api-url $api" online=false
[[ ! -s "$work/requests.jsonl" ]] || fail "online: false sent requests: $(cat "$work/requests.jsonl")"
expect '^step run env: .*"GH_TOKEN": ""' "online: false passes no token"

run_action 1 working-directory=project "args=--github-api-url $api --fail-on warning" online=true
expect '^step run env: .*"GH_TOKEN": "test-token-' "online: true passes the job's token"
[[ -s "$work/requests.jsonl" ]] || fail "online: true sent no request"
"$python" - "$work/requests.jsonl" <<'PY' || fail "a request lacked the job's token"
import json, sys
requests = [json.loads(line) for line in open(sys.argv[1])]
assert all(r["authorization"] and r["authorization"].startswith("Bearer test-token-") for r in requests), requests
PY

# Bad inputs: a located error, exit 2, nothing run.
repo_from seed-example
run_action 2 working-directory=project format=xml
expect "^::error title=tplint::\`format\` must be github or sarif" "format=xml"
run_action 2 working-directory=project online=yes
expect "^::error title=tplint::\`online\` must be true or false" "online=yes"
run_action 2 "version=1.0 --index-url=http://127.0.0.1:9"
expect "^::error title=tplint::\`version\` must be a version" "version with an option"
# A version that the index does not have fails the install step.
run_action 1 version=0.0.0

echo "PASS: action: annotations and exit codes, args, SARIF output, token only with online, bad inputs; shellcheck and actionlint clean (tplint $version from the local wheel)"
