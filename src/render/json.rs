//! JSON output, format version 1: what editors and tools parse. Fields are
//! only ever added. Lines and columns are 1-based, columns count Unicode code
//! points, offsets are 0-based bytes, `end` is exclusive.

use serde::Serialize;

use crate::lint::{Report, Resolved};
use crate::source::Position;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

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
    }
}

pub fn render(report: &Report) -> String {
    let counts = report.counts();
    let resolved = report.resolved();
    let output = Output {
        version: 1,
        tool: Tool {
            name: "tplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics: resolved.iter().map(diagnostic).collect(),
        summary: Summary {
            files: report.files(),
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
        },
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
