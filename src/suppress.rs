//! Inline suppressions: `# tplint: ignore[TP501,TP502] optional reason` on
//! the line of a diagnostic, or alone on the line above it. A suppression
//! that silences nothing becomes a `TP000` so stale comments do not pile up.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Location};
use crate::repository::Repository;
use crate::rules::{self, Rule, UNUSED_SUPPRESSION};
use crate::source::{FileId, Span};

static SUPPRESSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*tplint:\s*ignore\[([^\]]*)\]").expect("valid regex literal"));

#[derive(Debug)]
struct Suppression {
    file: FileId,
    /// The 1-based line it covers.
    line: usize,
    span: Span,
    codes: Vec<(String, Option<&'static Rule>, bool)>,
}

fn collect(repo: &Repository) -> Vec<Suppression> {
    let mut found = Vec::new();
    for workflow in &repo.workflows {
        let source = repo.sources.get(workflow.file);
        for comment in &workflow.comments {
            let Some(captures) = SUPPRESSION.captures(&comment.text) else {
                continue;
            };
            let position = source.position(comment.span.start);
            let before = source.line_text(position.line);
            let own_line = before
                .chars()
                .take(position.column - 1)
                .all(char::is_whitespace);
            let codes = captures[1]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| (c.to_string(), rules::lookup(c), false))
                .collect();
            found.push(Suppression {
                file: workflow.file,
                line: position.line + usize::from(own_line),
                span: comment.span,
                codes,
            });
        }
    }
    found
}

/// Drop suppressed diagnostics; add a `TP000` for every suppression code that
/// silenced nothing among the rules that ran.
pub fn apply(
    repo: &Repository,
    diagnostics: Vec<Diagnostic>,
    ran: impl Fn(&Rule) -> bool,
) -> Vec<Diagnostic> {
    let mut suppressions = collect(repo);
    if suppressions.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let file = diagnostic.location.file;
        let line = repo
            .sources
            .get(file)
            .position(diagnostic.location.span.start)
            .line;
        let mut suppressed = false;
        for suppression in suppressions
            .iter_mut()
            .filter(|s| s.file == file && s.line == line)
        {
            for (_, rule, used) in &mut suppression.codes {
                if rule.is_some_and(|r| std::ptr::eq(r, diagnostic.rule)) {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(diagnostic);
        }
    }
    if ran(&UNUSED_SUPPRESSION) {
        for suppression in &suppressions {
            for (code, rule, used) in &suppression.codes {
                let message = match rule {
                    None => format!("`{code}` in this suppression is not a tplint rule"),
                    Some(rule) if !*used && ran(rule) => format!(
                        "this suppression of {} ({}) silences nothing",
                        rule.code, rule.name
                    ),
                    Some(_) => continue,
                };
                kept.push(
                    Diagnostic::new(
                        &UNUSED_SUPPRESSION,
                        Location::new(suppression.file, suppression.span),
                        message,
                    )
                    .with_help("remove it, or the code that no longer applies"),
                );
            }
        }
    }
    kept
}
