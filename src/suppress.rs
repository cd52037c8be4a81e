//! Inline suppressions: `# tplint: ignore[TP501,TP502] optional reason` on
//! the line of a diagnostic, or alone on the line above it. A suppression
//! that silences nothing becomes a `TP000` so stale comments do not pile up.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::catalogue::{self, Rule, UNUSED_SUPPRESSION};
use crate::diagnostic::{Diagnostic, Location};
use crate::repository::Repository;
use crate::source::{FileId, Span};
use crate::yaml::Comment;

/// At the start of the comment or after another `#` in it, so a suppression
/// can follow a version comment (`@<sha> # v4.2.2 # tplint: ignore[TP505]`).
static SUPPRESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|#)\s*(tplint:\s*ignore\[([^\]]*)\])").expect("valid regex literal")
});

/// One code inside the brackets.
#[derive(Debug)]
struct SuppressedCode {
    text: String,
    rule: Option<&'static Rule>,
    span: Span,
    used: bool,
}

#[derive(Debug)]
struct Suppression {
    file: FileId,
    /// The 1-based line it covers.
    line: usize,
    /// `tplint: ignore[...]`.
    span: Span,
    codes: Vec<SuppressedCode>,
    /// What deleting the whole suppression removes (with its reason), when
    /// the comment's text sits verbatim in the file.
    removal: Option<Span>,
}

/// `# ...` comments of a shell script or task-runner file, line by line
/// (the first `#` that starts a word; enough for suppressions).
fn text_comments(text: &str) -> Vec<Comment> {
    let mut comments = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(at) = content
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || content[..i].ends_with([' ', '\t'])))
            .map(|(i, _)| i)
        {
            comments.push(Comment {
                text: content[at + 1..].to_string(),
                span: Span::new(start + at, start + content.len()),
                trailing: !content[..at].trim().is_empty(),
            });
        }
        start += line.len();
    }
    comments
}

fn collect(repo: &Repository) -> Vec<Suppression> {
    let mut found = Vec::new();
    let workflows = repo
        .workflows
        .iter()
        .map(|w| (w.file, std::borrow::Cow::Borrowed(w.comments.as_slice())));
    let actions = repo
        .locals
        .actions
        .iter()
        .filter_map(|a| Some((a.file?, std::borrow::Cow::Borrowed(a.comments.as_slice()))));
    let texts = repo.locals.texts.iter().filter_map(|t| {
        let file = t.file?;
        let text = &repo.sources.get(file).text;
        // Only files that mention a suppression are scanned line by line.
        text.contains("tplint:")
            .then(|| (file, std::borrow::Cow::Owned(text_comments(text))))
    });
    let gitlab = repo
        .gitlab
        .iter()
        // Child pipelines' files too (their TP001/TP002 are reported).
        .flat_map(|g| {
            g.files
                .iter()
                .chain(g.children.iter().flat_map(|(_, child)| child.files.iter()))
        })
        .map(|f| (f.file, std::borrow::Cow::Borrowed(f.comments.as_slice())));
    for (file, comments) in workflows.chain(gitlab).chain(actions).chain(texts) {
        let source = repo.sources.get(file);
        for comment in comments.iter() {
            // Every suppression spells `tplint:`; most files have none,
            // and then the expression is not even compiled.
            if !comment.text.contains("tplint:") {
                continue;
            }
            let Some(captures) = SUPPRESSION.captures(&comment.text) else {
                continue;
            };
            // The comment's text follows its `#`; fall back to the whole
            // comment should the text not sit there verbatim.
            let text_start = comment.span.start + 1;
            let exact = source
                .text
                .get(text_start..)
                .is_some_and(|rest| rest.starts_with(comment.text.as_str()));
            let span_of = |range: std::ops::Range<usize>| {
                if exact {
                    Span::new(text_start + range.start, text_start + range.end)
                } else {
                    comment.span
                }
            };
            let position = source.position(comment.span.start);
            let own_line = !comment.trailing
                && source
                    .line_text(position.line)
                    .chars()
                    .take(position.column - 1)
                    .all(char::is_whitespace);
            let (Some(whole), Some(list)) = (captures.get(1), captures.get(2)) else {
                continue;
            };
            let mut codes = Vec::new();
            let mut offset = list.start();
            for part in list.as_str().split(',') {
                let code = part.trim();
                if !code.is_empty() {
                    let start = offset + (part.len() - part.trim_start().len());
                    codes.push(SuppressedCode {
                        text: code.to_string(),
                        rule: catalogue::lookup(code),
                        span: span_of(start..start + code.len()),
                        used: false,
                    });
                }
                offset += part.len() + 1;
            }
            let removal = exact.then(|| {
                let text = &source.text;
                let from = captures.get(0).map_or(0, |m| m.start());
                let mut start = text_start + from - usize::from(from == 0);
                while start > 0 && matches!(text.as_bytes()[start - 1], b' ' | b'\t') {
                    start -= 1;
                }
                let mut end = comment.span.end.min(text.len());
                while end > start && matches!(text.as_bytes()[end - 1], b'\r' | b'\n') {
                    end -= 1;
                }
                if own_line && from == 0 {
                    // The whole line goes, with its line break.
                    Span::new(
                        crate::fix::edit::line_start(text, start),
                        crate::fix::edit::next_line_start(text, end),
                    )
                } else {
                    Span::new(start, end)
                }
            });
            found.push(Suppression {
                file,
                line: position.line + usize::from(own_line),
                span: span_of(whole.range()),
                codes,
                removal,
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
    // Indexed by line: a scan of every suppression for every diagnostic is
    // quadratic in a large file that has many of both.
    let mut by_line: HashMap<(FileId, usize), Vec<usize>> = HashMap::new();
    for (index, suppression) in suppressions.iter().enumerate() {
        by_line
            .entry((suppression.file, suppression.line))
            .or_default()
            .push(index);
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
        for &index in by_line.get(&(file, line)).into_iter().flatten() {
            for code in &mut suppressions[index].codes {
                if code.rule.is_some_and(|r| std::ptr::eq(r, diagnostic.rule)) {
                    code.used = true;
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
            let stale = |code: &SuppressedCode| match code.rule {
                None => true,
                Some(rule) => !code.used && ran(rule),
            };
            // When nothing in it is used, the whole comment goes.
            let whole = suppression
                .codes
                .iter()
                .all(stale)
                .then_some(suppression.removal)
                .flatten();
            if suppression.codes.is_empty() {
                kept.push(unused(
                    suppression.file,
                    suppression.span,
                    "this suppression names no rule, so it silences nothing".into(),
                    whole,
                ));
            }
            for (index, code) in suppression.codes.iter().enumerate() {
                let message = match code.rule {
                    None => format!("`{}` in this suppression is not a tplint rule", code.text),
                    Some(rule) if !code.used && ran(rule) => format!(
                        "this suppression of {} ({}) silences nothing",
                        rule.code, rule.name
                    ),
                    Some(_) => continue,
                };
                let removal = whole.or_else(|| code_removal(&suppression.codes, index));
                kept.push(unused(suppression.file, code.span, message, removal));
            }
        }
    }
    kept
}

/// The span that removes one code from a list that keeps others: up to the
/// next code, or from the end of the previous one.
fn code_removal(codes: &[SuppressedCode], index: usize) -> Option<Span> {
    let code = codes.get(index)?;
    if let Some(next) = codes.get(index + 1) {
        return Some(Span::new(code.span.start, next.span.start));
    }
    let previous = codes.get(index.checked_sub(1)?)?;
    Some(Span::new(previous.span.end, code.span.end))
}

fn unused(file: FileId, span: Span, message: String, removal: Option<Span>) -> Diagnostic {
    let fix = removal.map(|removal| {
        crate::fix::Fix::safe(
            "remove the stale suppression",
            [crate::fix::Edit::delete(Location::new(file, removal))],
        )
        .comments_only()
    });
    Diagnostic::new(&UNUSED_SUPPRESSION, Location::new(file, span), message)
        .with_help("remove it, or the code that no longer applies")
        .with_fix(fix)
}

/// The rule named in a suppression comment at byte `offset` of `text`,
/// with the span of its code: what an editor shows on hover.
pub fn rule_at(text: &str, offset: usize) -> Option<(&'static Rule, Span)> {
    let offset = offset.min(text.len());
    let start = crate::fix::edit::line_start(text, offset);
    let end = crate::fix::edit::next_line_start(text, offset);
    let line = text.get(start..end)?;
    let hash = line.find('#')?;
    for captures in SUPPRESSION.captures_iter(&line[hash + 1..]) {
        let list = captures.get(2)?;
        let mut at = start + hash + 1 + list.start();
        for part in list.as_str().split(',') {
            let code = part.trim();
            let code_start = at + (part.len() - part.trim_start().len());
            let span = Span::new(code_start, code_start + code.len());
            if span.start <= offset && offset <= span.end {
                return catalogue::lookup(code).map(|rule| (rule, span));
            }
            at += part.len() + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_under_the_cursor_is_found_in_a_suppression() {
        let text = "a: b\n  - uses: x@v1 # v1 # tplint: ignore[TP501, TP502] why\n";
        let at = text.find("TP502").unwrap() + 2;
        let (rule, span) = rule_at(text, at).unwrap();
        assert_eq!(rule.code, "TP502");
        assert_eq!(&text[span.range()], "TP502");
        assert!(rule_at(text, text.find("uses").unwrap()).is_none());
        assert!(rule_at(text, 1).is_none());
    }
}
