//! JSON output, format version 1: what editors and tools parse. Fields are
//! only ever added. Lines and columns are 1-based, columns count Unicode code
//! points, offsets are 0-based bytes, `end` is exclusive. A diagnostic
//! with a fix has a `fix` object: what it does, its `applicability`
//! (`safe`, `unsafe` or `display-only`) and its `edits`, each a range of
//! the original text (same positions as locations) and the text that
//! replaces it.

use serde::Serialize;

use crate::lint::{Resolved, Totals};
use crate::source::Position;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    location: JsonLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    start: Position,
    end: Position,
    content: &'a str,
}

#[derive(Serialize)]
struct JsonLocation {
    path: String,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: JsonLocation,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn diagnostic<'a>(item: &Resolved<'a>) -> JsonDiagnostic<'a> {
    let d = item.diagnostic;
    JsonDiagnostic {
        code: d.rule.code,
        name: d.rule.name,
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        location: JsonLocation {
            path: item.path.clone(),
            start: item.start,
            end: item.end,
        },
        related: d
            .related
            .iter()
            .map(|r| {
                let file = item.report.repo.sources.get(r.location.file);
                JsonRelated {
                    message: &r.message,
                    location: JsonLocation {
                        path: item.report.display_path(file),
                        start: file.position(r.location.span.start),
                        end: file.position(r.location.span.end),
                    },
                }
            })
            .collect(),
        fix: d.fix.as_ref().map(|fix| JsonFix {
            message: &fix.message,
            applicability: fix.applicability.as_str(),
            edits: fix
                .edits
                .iter()
                .map(|edit| {
                    let file = item.report.repo.sources.get(edit.location.file);
                    JsonEdit {
                        path: item.report.display_path(file),
                        start: file.position(edit.location.span.start),
                        end: file.position(edit.location.span.end),
                        content: &edit.content,
                    }
                })
                .collect(),
        }),
    }
}

/// The document up to the opening of the `diagnostics` array.
pub fn begin() -> String {
    let tool = Tool {
        name: "tplint",
        version: env!("CARGO_PKG_VERSION"),
    };
    // Serializing two string fields cannot fail.
    let tool = serde_json::to_string(&tool).unwrap_or_default();
    format!("{{\n  \"version\": 1,\n  \"tool\": {tool},\n  \"diagnostics\": [")
}

/// Diagnostics as array elements; `written` is how many came before.
pub fn render_diagnostics(resolved: &[Resolved<'_>], written: usize) -> String {
    let mut out = String::new();
    for (i, item) in resolved.iter().enumerate() {
        if written + i > 0 {
            out.push(',');
        }
        // Serializing plain structs of strings and numbers cannot fail.
        let text = serde_json::to_string_pretty(&diagnostic(item)).unwrap_or_default();
        out.push_str("\n    ");
        out.push_str(&text.replace('\n', "\n    "));
    }
    out
}

/// Closes the array and adds the summary.
/// A repository given on the command line that could not be read.
#[derive(Serialize)]
struct JsonUnreadable<'a> {
    repository: &'a str,
    reason: &'a str,
}

/// The end of a run over remote targets: `unreadable` lists the
/// repositories that could not be read (only when there are some).
pub fn finish_with(totals: &Totals, written: usize, unreadable: &[(String, String)]) -> String {
    let text = finish(totals, written);
    if unreadable.is_empty() {
        return text;
    }
    let list: Vec<JsonUnreadable<'_>> = unreadable
        .iter()
        .map(|(repository, reason)| JsonUnreadable { repository, reason })
        .collect();
    let list = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    text.replacen(
        ",\n  \"summary\": ",
        &format!(",\n  \"unreadable\": {list},\n  \"summary\": "),
        1,
    )
}

pub fn finish(totals: &Totals, written: usize) -> String {
    let summary = Summary {
        files: totals.files,
        errors: totals.counts.errors,
        warnings: totals.counts.warnings,
        infos: totals.counts.infos,
    };
    let summary = serde_json::to_string(&summary).unwrap_or_default();
    let close = if written > 0 { "\n  ]" } else { "]" };
    format!("{close},\n  \"summary\": {summary}\n}}\n")
}
