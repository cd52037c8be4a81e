//! GitLab Code Quality report: a JSON array of issues, each with
//! `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` / `location.lines.begin` (GitLab,
//! `doc/ci/testing/code_quality.md`, "Implement a custom tool"), uploaded by
//! a job as `artifacts: reports: codequality:`.
//!
//! Severities: GitLab has `info`, `minor`, `major`, `critical` and
//! `blocker`. An error (the release fails, or a credential is exposed) is
//! `critical`, a warning (weaker than PyPI's security model recommends) is
//! `major`, advice is `info`; `blocker` and `minor` are not used. Paths and
//! fingerprints are SARIF's: the primary location in a file that exists, and
//! a fingerprint that survives edits elsewhere in the file.

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::lint::Resolved;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
}

#[derive(Serialize)]
struct Content<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's severity for ours.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn begin() -> String {
    "[".to_string()
}

/// One repository's issues as array elements, each with a leading comma
/// (the renderer drops the very first one).
pub fn render_issues(resolved: &[Resolved<'_>]) -> String {
    let mut out = String::new();
    for (item, (path, line, fingerprint)) in resolved.iter().zip(super::sarif::placements(resolved))
    {
        let d = item.diagnostic;
        let issue = Issue {
            description: format!("{} {}: {}", d.rule.code, d.rule.name, d.message),
            check_name: d.rule.code,
            fingerprint,
            severity: severity(d.severity),
            location: Location {
                path,
                lines: Lines { begin: line },
            },
            content: d.help.as_deref().map(|body| Content { body }),
        };
        // Plain strings and numbers: serializing cannot fail.
        let text = serde_json::to_string_pretty(&issue).unwrap_or_default();
        out.push_str(",\n  ");
        out.push_str(&text.replace('\n', "\n  "));
    }
    out
}

pub fn finish(written: usize) -> String {
    if written == 0 {
        "]\n".to_string()
    } else {
        "\n]\n".to_string()
    }
}
