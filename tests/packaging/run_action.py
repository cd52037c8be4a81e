"""Run the steps of the composite action in action.yml outside GitHub.

    python run_action.py ACTION_DIR WORKSPACE RUNNER_TEMP --python PATH
        [--input NAME=VALUE]... [--token TOKEN]

Does what the runner does for a composite action, as far as this action
needs: input defaults, `env:` and `working-directory:` with their `${{ }}`
expressions evaluated, each `run:` body written to a file and run with
`bash --noprofile --norc -eo pipefail FILE` (GitHub's `shell: bash`), the
step outputs read back from $GITHUB_OUTPUT, and the first failing step
ending the run with its exit code. `actions/setup-python` is the one action
the steps may use: its `python-path` output is `--python`. An expression or
action this runner does not model is an error, so the test cannot pass by
skipping part of the action.

Prints, for each `run:` step, a line `step ID env: {JSON}` with the
variables its `env:` sets, then the step's own output; last, one line
`outputs: {JSON}` with the action's outputs. Exits with the failing step's
exit code, 0 when every step passed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<word>[A-Za-z_][\w.-]*))")


class Unsupported(Exception):
    pass


def tokens(text):
    pos, found = 0, []
    while pos < len(text.rstrip()):
        match = TOKEN.match(text, pos)
        if not match:
            raise Unsupported(f"cannot read `{text}` at {pos}")
        pos = match.end()
        kind = match.lastgroup
        found.append((kind, match.group(kind)))
    return found


def evaluate(text, context):
    """A `${{ }}` expression: contexts, string literals, ==, !=, !, &&, ||."""
    items = tokens(text)
    pos = 0

    def peek():
        return items[pos] if pos < len(items) else (None, None)

    def take():
        nonlocal pos
        pos += 1
        return items[pos - 1]

    def primary():
        kind, value = take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if value == "(":
            result = disjunction()
            if take()[1] != ")":
                raise Unsupported(f"unbalanced parentheses in `{text}`")
            return result
        if value == "!":
            return not truthy(primary())
        if kind == "word":
            if value in ("true", "false"):
                return value == "true"
            if value not in context:
                raise Unsupported(f"`{value}` in `{text}` is not modelled")
            return context[value]
        raise Unsupported(f"unexpected `{value}` in `{text}`")

    def comparison():
        left = primary()
        while peek()[1] in ("==", "!="):
            op = take()[1]
            right = primary()
            equal = str(left).lower() == str(right).lower()
            left = equal if op == "==" else not equal
        return left

    def conjunction():
        left = comparison()
        while peek()[1] == "&&":
            take()
            right = comparison()
            left = right if truthy(left) else left
        return left

    def disjunction():
        left = conjunction()
        while peek()[1] == "||":
            take()
            right = conjunction()
            left = left if truthy(left) else right
        return left

    result = disjunction()
    if pos != len(items):
        raise Unsupported(f"trailing tokens in `{text}`")
    return result


def truthy(value):
    return value not in ("", False, None, 0)


def render(value):
    return "true" if value is True else "false" if value is False else str(value)


def substitute(text, context):
    if not isinstance(text, str):
        return render(text)
    return EXPRESSION.sub(lambda m: render(evaluate(m.group(1), context)), text)


def read_outputs(path):
    """`name=value` lines and `name<<DELIMITER` blocks, as GitHub reads them."""
    outputs, lines = {}, Path(path).read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action_dir", type=Path)
    parser.add_argument("workspace", type=Path)
    parser.add_argument("runner_temp", type=Path)
    parser.add_argument("--python", required=True)
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--token", default="test-token-not-a-secret")
    args = parser.parse_args()

    action = yaml.safe_load((args.action_dir / "action.yml").read_text())
    if action["runs"]["using"] != "composite":
        raise Unsupported("not a composite action")
    given = dict(item.split("=", 1) for item in args.input)
    unknown = set(given) - set(action.get("inputs", {}))
    if unknown:
        raise Unsupported(f"the action has no input {sorted(unknown)}")
    inputs = {name: given.get(name, spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}

    steps = {}
    context = {"github.token": args.token, "runner.temp": str(args.runner_temp)}
    context.update({f"inputs.{name}": value for name, value in inputs.items()})
    base_env = {
        **os.environ,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(args.action_dir),
        "GITHUB_WORKSPACE": str(args.workspace),
        "RUNNER_TEMP": str(args.runner_temp),
        "RUNNER_OS": "Linux",
    }
    status = 0
    for index, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"__{index}")
        if "if" in step:
            raise Unsupported("`if:` on a step is not modelled")
        if "uses" in step:
            if not step["uses"].startswith("actions/setup-python@"):
                raise Unsupported(f"action {step['uses']} is not modelled")
            outputs = {"python-path": args.python}
        else:
            if step.get("shell") != "bash":
                raise Unsupported(f"step {step_id}: only `shell: bash` is modelled")
            step_env = {k: substitute(v, context) for k, v in step.get("env", {}).items()}
            print(f"step {step_id} env: " + json.dumps(step_env, sort_keys=True))
            env = {**base_env, **step_env}
            cwd = args.workspace / substitute(step.get("working-directory", "."), context)
            with tempfile.TemporaryDirectory(dir=args.runner_temp) as files:
                script = Path(files) / "script.sh"
                script.write_text(substitute(step["run"], context))
                for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"):
                    env[name] = str(Path(files) / name)
                    Path(env[name]).touch()
                sys.stdout.flush()
                status = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env
                ).returncode
                outputs = read_outputs(env["GITHUB_OUTPUT"])
                for name in ("GITHUB_ENV", "GITHUB_PATH"):
                    if Path(env[name]).read_text():
                        raise Unsupported(f"step {step_id} writes ${name}: not modelled")
        steps[step_id] = outputs
        context.update({f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()})
        if status != 0:
            break
    # Outputs of steps that did not run are empty, as on GitHub.
    for name, spec in action.get("outputs", {}).items():
        for match in EXPRESSION.finditer(spec["value"]):
            for kind, word in tokens(match.group(1)):
                if kind == "word":
                    context.setdefault(word, "")
    outputs = {name: substitute(spec["value"], context) for name, spec in action.get("outputs", {}).items()}
    print("outputs: " + json.dumps(outputs, sort_keys=True))
    sys.exit(status)


if __name__ == "__main__":
    try:
        main()
    except Unsupported as error:
        print(f"run_action: {error}", file=sys.stderr)
        sys.exit(125)
