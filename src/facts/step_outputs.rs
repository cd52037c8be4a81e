//! The values a `run:` step gives its outputs by writing `name=value`
//! lines to `$GITHUB_OUTPUT` (docs.github.com, "Workflow commands for
//! GitHub Actions", "Setting an output parameter": one `{name}={value}`
//! per line), read where later steps or the job's `outputs:` use
//! `steps.<id>.outputs.<name>`.
//!
//! Only literal values are known, and only when nothing else in the step
//! could write the output: a step whose script runs a program that may
//! write `$GITHUB_OUTPUT` itself (a repository script, an interpreter, a
//! task runner), writes it in a form not read here (`printf`, `tee`, a
//! heredoc), or gives the output a value it computes (`$VERSION`,
//! `$(...)`) leaves the output unknown. A write that may not run (inside
//! an `if`, a `case`, a loop, after `&&` or `||`, in a step with its own
//! `if:`) adds the empty string to the values.

use crate::workflow::Step;

/// Commands that neither run other code nor write `$GITHUB_OUTPUT` unless
/// redirected to it (which is read as a write): a script made only of
/// these and of writes is read whole.
const HARMLESS: &[&str] = &[
    "echo", "test", "[", "[[", "]]", "true", "false", ":", "exit", "export", "set", "shift",
    "local", "declare", "unset", "readonly", "cd", "git", "grep", "cat", "jq", "yq", "sed", "awk",
    "cut", "tr", "head", "tail", "wc", "sort", "uniq", "basename", "dirname", "date", "ls", "then",
    "else", "elif", "fi", "if", "case", "esac", "for", "while", "until", "do", "done", "in", "!",
];

/// Shell words that open a block whose commands may not all run.
const OPENERS: &[&str] = &["if", "case", "for", "while", "until"];
/// Shell words that close one.
const CLOSERS: &[&str] = &["fi", "esac", "done"];

/// A `name=value` line the text writes to `$GITHUB_OUTPUT`: the value when
/// it is literal, and whether the write may not run.
#[derive(Debug, PartialEq, Eq)]
struct Write {
    name: String,
    value: Option<String>,
    conditional: bool,
}

/// What a script writes to `$GITHUB_OUTPUT`; `None` when it may write
/// there in a way not read here.
fn writes(script: &str) -> Option<Vec<Write>> {
    let mut found = Vec::new();
    let mut depth: usize = 0;
    for line in script.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Function bodies and brace groups run when called, if at all.
        if line.contains("()") || line == "{" || line == "}" {
            return None;
        }
        let statements: Vec<&str> = line
            .split([';', '&', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let chained = line.contains("&&") || line.contains("||");
        let mut opened_here = false;
        for statement in &statements {
            let first = statement.split_whitespace().next().unwrap_or_default();
            if OPENERS.contains(&first) {
                depth += 1;
                opened_here = true;
            }
            if CLOSERS.contains(&first) {
                depth = depth.saturating_sub(1);
            }
        }
        // A command that may run other code, which may write the output.
        let harmless = statements
            .iter()
            .filter(|statement| !statement.contains("GITHUB_OUTPUT"))
            .all(|statement| harmless(statement));
        // Substitutions run commands too; only harmless ones are read.
        if !harmless || (line.contains("$(") || line.contains('`')) && !substitutions_harmless(line)
        {
            return None;
        }
        if line.contains("GITHUB_OUTPUT") {
            let write = output_write(line)?;
            found.push(Write {
                conditional: depth > 0 || chained || opened_here,
                ..write
            });
        }
    }
    Some(found)
}

/// Whether a statement's command is one of [`HARMLESS`] (after reserved
/// words), a lone assignment, or a `case` pattern.
fn harmless(statement: &str) -> bool {
    let mut words = statement.split_whitespace();
    let mut first = words.next().unwrap_or_default();
    while matches!(
        first,
        "then" | "else" | "do" | "!" | "elif" | "if" | "while" | "until"
    ) {
        match words.next() {
            Some(next) => first = next,
            None => return true,
        }
    }
    // `VAR=value` on its own, or a `case` pattern (`v*)`).
    let assignment = first
        .split_once('=')
        .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    assignment || first.ends_with(')') || HARMLESS.contains(&first)
}

/// Whether every `$(...)` of `line` starts with a harmless command, and
/// it has no backticks.
fn substitutions_harmless(line: &str) -> bool {
    !line.contains('`')
        && line.split("$(").skip(1).all(|rest| {
            let first = rest
                .split(|c: char| c.is_whitespace() || c == ')')
                .next()
                .unwrap_or_default();
            HARMLESS.contains(&first)
        })
}

/// `echo "name=value" >> "$GITHUB_OUTPUT"` (also `$GITHUB_OUTPUT`,
/// `${GITHUB_OUTPUT}`, single quotes, no quotes, `-e`/`-n`), after any
/// `if ...; then` or `cond &&` before it; `None` for any other write.
fn output_write(line: &str) -> Option<Write> {
    let (command, target) = line.rsplit_once(">>")?;
    let target = target.trim();
    let target = target
        .split([';', '&', '|'])
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    if !matches!(target, "$GITHUB_OUTPUT" | "${GITHUB_OUTPUT}") {
        return None;
    }
    // The last statement before the redirection is the `echo`.
    let command = command
        .rsplit(['&', ';', '|'])
        .next()
        .unwrap_or_default()
        .trim();
    let command = command
        .strip_prefix("then ")
        .or_else(|| command.strip_prefix("else "))
        .or_else(|| command.strip_prefix("do "))
        .unwrap_or(command)
        .trim();
    let rest = command.strip_prefix("echo ")?.trim();
    let rest = rest
        .strip_prefix("-e ")
        .or_else(|| rest.strip_prefix("-n "))
        .unwrap_or(rest)
        .trim();
    let (unquoted, single) =
        if let Some(inner) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            (inner, false)
        } else if let Some(inner) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            (inner, true)
        } else if rest.contains(['"', '\'', ' ']) {
            return None;
        } else {
            (rest, false)
        };
    let (name, value) = unquoted.split_once('=')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return None;
    }
    // A value the shell or GitHub computes is not known here.
    let dynamic = value.contains("${{")
        || value.contains('`')
        || (!single && (value.contains('$') || value.contains('\\')));
    Some(Write {
        name: name.to_string(),
        value: (!dynamic).then(|| value.to_string()),
        conditional: false,
    })
}

/// The values output `name` of the step with id `id` among the first
/// `before` steps of `job` may have, or `None` when it is not known (no
/// such `run:` step, a value it computes, anything else that may write
/// it). The empty string is among them when the step, or the write, may
/// not run.
pub fn values(steps: &[Step], before: usize, id: &str, name: &str) -> Option<Vec<String>> {
    let step = steps.iter().take(before).find(|s| {
        s.id.as_ref()
            .is_some_and(|i| i.value.eq_ignore_ascii_case(id))
    })?;
    // An action's outputs are its own; only shell steps are read, and
    // only in the shells that read `>>` and `echo` this way.
    if step.uses.is_some() {
        return None;
    }
    let run = step.run.as_ref()?;
    if run.value.contains("${{") && run.value.contains("inputs.") {
        return None;
    }
    let written = writes(&run.value)?;
    let mut values = Vec::new();
    let mut may_not_run = step.condition.is_some();
    let mut any = false;
    for write in written.iter().filter(|w| w.name.eq_ignore_ascii_case(name)) {
        any = true;
        may_not_run |= write.conditional;
        let value = write.value.clone()?;
        if !values.contains(&value) {
            values.push(value);
        }
    }
    if !any {
        return None;
    }
    // Every write of the step being conditional, none may run.
    let always = written
        .iter()
        .any(|w| w.name.eq_ignore_ascii_case(name) && !w.conditional);
    if (may_not_run || !always) && !values.iter().any(String::is_empty) {
        values.push(String::new());
    }
    Some(values)
}

/// The one value output `name` of step `id` certainly has, when the step
/// is among the first `before` of `job` and writes a single literal value
/// that always runs.
pub fn single(steps: &[Step], before: usize, id: &str, name: &str) -> Option<String> {
    match values(steps, before, id, name)?.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(script: &str) -> Option<Vec<(String, Option<String>, bool)>> {
        writes(script).map(|w| {
            w.into_iter()
                .map(|w| (w.name, w.value, w.conditional))
                .collect()
        })
    }

    #[test]
    fn literal_writes_are_read() {
        assert_eq!(
            names("echo \"registry=https://test.pypi.org/legacy/\" >> \"$GITHUB_OUTPUT\"\n"),
            Some(vec![(
                "registry".into(),
                Some("https://test.pypi.org/legacy/".into()),
                false
            )])
        );
        assert_eq!(
            names("echo publish=true >> $GITHUB_OUTPUT"),
            Some(vec![("publish".into(), Some("true".into()), false)])
        );
        assert_eq!(
            names("echo 'a=$x' >> ${GITHUB_OUTPUT}"),
            Some(vec![("a".into(), Some("$x".into()), false)])
        );
    }

    #[test]
    fn computed_values_are_unknown() {
        assert_eq!(
            names("echo \"version=$VERSION\" >> $GITHUB_OUTPUT"),
            Some(vec![("version".into(), None, false)])
        );
        assert_eq!(
            names("echo \"v=${{ github.ref_name }}\" >> $GITHUB_OUTPUT"),
            Some(vec![("v".into(), None, false)])
        );
    }

    #[test]
    fn branches_and_chains_are_conditional() {
        let script = "if [ \"$X\" = y ]; then\n  echo \"go=true\" >> $GITHUB_OUTPUT\nelse\n  echo \"go=false\" >> $GITHUB_OUTPUT\nfi\necho \"kind=lib\" >> $GITHUB_OUTPUT\n";
        assert_eq!(
            names(script),
            Some(vec![
                ("go".into(), Some("true".into()), true),
                ("go".into(), Some("false".into()), true),
                ("kind".into(), Some("lib".into()), false),
            ])
        );
        assert_eq!(
            names("[ -n \"$X\" ] && echo \"go=true\" >> $GITHUB_OUTPUT"),
            Some(vec![("go".into(), Some("true".into()), true)])
        );
        assert_eq!(
            names(
                "if true; then echo \"go=true\" >> $GITHUB_OUTPUT; fi\necho \"k=v\" >> $GITHUB_OUTPUT"
            ),
            Some(vec![
                ("go".into(), Some("true".into()), true),
                ("k".into(), Some("v".into()), false),
            ])
        );
    }

    #[test]
    fn other_code_or_other_writes_make_it_unknown() {
        assert_eq!(
            names("./scripts/outputs.sh\necho \"a=b\" >> $GITHUB_OUTPUT"),
            None
        );
        assert_eq!(names("python set.py\necho \"a=b\" >> $GITHUB_OUTPUT"), None);
        assert_eq!(names("printf 'a=b\\n' >> $GITHUB_OUTPUT"), None);
        assert_eq!(names("echo a=b | tee -a $GITHUB_OUTPUT"), None);
        assert_eq!(names("f() {\n echo a=b >> $GITHUB_OUTPUT\n}\n"), None);
        assert_eq!(names("V=$(./get.sh)\necho \"a=b\" >> $GITHUB_OUTPUT"), None);
        // Harmless substitutions and commands keep it readable.
        assert!(names("V=$(git describe)\necho \"a=b\" >> $GITHUB_OUTPUT").is_some());
    }
}
