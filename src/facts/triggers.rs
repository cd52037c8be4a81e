//! Events that let people outside the maintainers start a workflow, and
//! whether a job's `if:` provably keeps it from running on one of them.
//! Only literal comparisons on `github.event_name` are read; anything else
//! is treated as "may run", because expressions are never guessed.

use std::collections::HashMap;

use crate::workflow::Workflow;

/// An event that can be started by someone without write access.
pub struct UntrustedTrigger {
    pub event: &'static str,
    /// PyPI refuses OIDC tokens minted for this event.
    pub rejected_by_pypi: bool,
    /// Why the event is risky, for messages.
    pub reason: &'static str,
}

pub const UNTRUSTED_TRIGGERS: &[UntrustedTrigger] = &[
    UntrustedTrigger {
        event: "pull_request_target",
        rejected_by_pypi: true,
        reason: "runs with the base repository's permissions for pull requests from anyone, and PyPI rejects its OIDC tokens",
    },
    UntrustedTrigger {
        event: "pull_request",
        rejected_by_pypi: false,
        reason: "runs for pull requests, whose code is not yet reviewed",
    },
    UntrustedTrigger {
        event: "workflow_run",
        rejected_by_pypi: false,
        reason: "runs with the repository's permissions after another workflow, which may have been started by a pull request",
    },
    UntrustedTrigger {
        event: "issue_comment",
        rejected_by_pypi: false,
        reason: "can be started by anyone who can comment on an issue or pull request",
    },
];

pub fn untrusted(event: &str) -> Option<&'static UntrustedTrigger> {
    UNTRUSTED_TRIGGERS.iter().find(|t| t.event == event)
}

/// For every job, whether it never runs on `event`: its own `if:` excludes
/// the event, or a job it needs (transitively) is skipped on that event and
/// the job does not override the implicit `success()` with a status
/// function. Jobs are settled in
/// `needs` order (Kahn's algorithm), without recursion, so a long chain of
/// jobs cannot exhaust the stack; jobs in a `needs` cycle, which GitHub
/// rejects, are left undecided (`false`).
pub fn jobs_excluding_event(workflow: &Workflow, event: &str) -> Vec<bool> {
    let jobs = &workflow.jobs;
    let index_of: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.value.as_str(), i))
        .collect();
    // needs[i]: the jobs job i waits for; waiters[j]: the jobs waiting for j.
    let needs: Vec<Vec<usize>> = jobs
        .iter()
        .map(|j| {
            j.needs
                .iter()
                .filter_map(|n| index_of.get(n.value.as_str()).copied())
                .collect()
        })
        .collect();
    let mut waiters: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
    for (i, needed) in needs.iter().enumerate() {
        for &n in needed {
            waiters[n].push(i);
        }
    }
    let mut pending: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..jobs.len()).filter(|&i| pending[i] == 0).collect();
    let mut excluded = vec![false; jobs.len()];
    while let Some(i) = ready.pop() {
        let condition = jobs[i].condition.as_ref().map(|c| c.value.as_str());
        excluded[i] = condition.is_some_and(|c| condition_excludes_event(c, event))
            || (!condition.is_some_and(has_status_function)
                && needs[i].iter().any(|&n| excluded[n]));
        for &waiter in &waiters[i] {
            pending[waiter] -= 1;
            if pending[waiter] == 0 {
                ready.push(waiter);
            }
        }
    }
    excluded
}

/// `always()`, `failure()` and `cancelled()` let a job run after a skipped
/// dependency; `success()` keeps the default behaviour.
fn has_status_function(condition: &str) -> bool {
    let lower = condition.to_ascii_lowercase();
    ["always(", "failure(", "cancelled("]
        .iter()
        .any(|f| lower.contains(f))
}

/// Whether an `if:` condition is false whenever `github.event_name` is `event`.
pub fn condition_excludes_event(condition: &str, event: &str) -> bool {
    if condition.len() > MAX_CONDITION_BYTES {
        return false;
    }
    let text = condition.trim();
    let text = text
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text);
    excludes(text, event, 0)
}

/// Deep enough for any hand-written condition; deeper input is not read.
const MAX_DEPTH: usize = 16;
/// Longer conditions are not read (each level of parentheses rescans the
/// text, so a huge machine-made condition could otherwise take long).
const MAX_CONDITION_BYTES: usize = 4096;

fn excludes(expression: &str, event: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let expression = strip_outer_parens(expression.trim());
    let alternatives = split_top_level(expression, "||");
    if alternatives.len() > 1 {
        return alternatives.iter().all(|a| excludes(a, event, depth + 1));
    }
    let conjuncts = split_top_level(expression, "&&");
    if conjuncts.len() > 1 {
        return conjuncts.iter().any(|c| excludes(c, event, depth + 1));
    }
    match event_name_comparison(expression) {
        Some((Comparison::Equal, literal)) => !literal.eq_ignore_ascii_case(event),
        Some((Comparison::NotEqual, literal)) => literal.eq_ignore_ascii_case(event),
        None => false,
    }
}

enum Comparison {
    Equal,
    NotEqual,
}

/// `github.event_name == 'x'`, `'x' != github.event_name`, ... (GitHub
/// compares strings and property names case-insensitively).
fn event_name_comparison(atom: &str) -> Option<(Comparison, &str)> {
    let (left, right, comparison) = if let Some((l, r)) = atom.split_once("==") {
        (l, r, Comparison::Equal)
    } else if let Some((l, r)) = atom.split_once("!=") {
        (l, r, Comparison::NotEqual)
    } else {
        return None;
    };
    let (left, right) = (left.trim(), right.trim());
    let is_event_name = |s: &str| s.eq_ignore_ascii_case("github.event_name");
    let literal = if is_event_name(left) {
        right
    } else if is_event_name(right) {
        left
    } else {
        return None;
    };
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.contains('\'') {
        return None;
    }
    Some((comparison, inner))
}

fn strip_outer_parens(mut text: &str) -> &str {
    // `(a) && (b)` starts and ends with parentheses that do not pair up.
    while parens_wrap(text) {
        text = text[1..text.len() - 1].trim();
    }
    text
}

/// Whether `text` starts with `(` whose `)` is its last character.
fn parens_wrap(text: &str) -> bool {
    if !text.starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == text.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// Split at `separator` (ASCII) outside parentheses and string literals;
/// slicing only at an ASCII separator keeps every part on char boundaries.
fn split_top_level<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_string = !in_string,
            b'(' if !in_string => depth += 1,
            b')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !in_string && depth == 0 && bytes[i..].starts_with(separator.as_bytes()) {
            parts.push(&text[start..i]);
            i += separator.len();
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_name_guards() {
        let ex = condition_excludes_event;
        assert!(ex("github.event_name == 'release'", "pull_request"));
        assert!(ex("${{ github.event_name == 'push' }}", "pull_request"));
        assert!(!ex("github.event_name == 'pull_request'", "pull_request"));
        assert!(ex("github.event_name != 'pull_request'", "pull_request"));
        assert!(!ex("github.event_name != 'pull_request'", "workflow_run"));
        assert!(ex("'release' == github.event_name", "issue_comment"));
        assert!(ex(
            "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')",
            "pull_request"
        ));
        assert!(ex(
            "(github.event_name == 'push' || github.event_name == 'release') && github.repository == 'a/b'",
            "pull_request"
        ));
        assert!(!ex(
            "github.event_name == 'push' || github.event_name == 'pull_request'",
            "pull_request"
        ));
        assert!(!ex("startsWith(github.ref, 'refs/tags/')", "pull_request"));
        assert!(!ex(
            "github.event_name == 'release' || always()",
            "pull_request"
        ));
        assert!(!ex(
            "!(github.event_name == 'pull_request')",
            "pull_request"
        ));
        assert!(ex("GitHub.Event_Name == 'Release'", "pull_request"));
    }

    #[test]
    fn needs_propagate_skips() {
        let src = "on: [push, pull_request]\njobs:\n  build:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  report:\n    needs: build\n    if: always()\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n";
        let doc = crate::yaml::parse(src).unwrap();
        let workflow = crate::workflow::build(src, &doc);
        let on_pr = jobs_excluding_event(&workflow, "pull_request");
        let on_push = jobs_excluding_event(&workflow, "push");
        // build, publish, report
        assert_eq!(on_pr, vec![true, true, false]);
        assert_eq!(on_push, vec![false, false, false]);
    }
}
