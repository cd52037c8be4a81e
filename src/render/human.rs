//! Human output: miette's graphical reports with the source snippet, a label
//! on the exact key or value, related labels, a `help:` line, and a summary.

use std::fmt;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::Severity;
use crate::lint::{Resolved, Totals};
use crate::source::SourceFile;

/// A file as miette reads it: snippets are cut with the file's line index
/// instead of miette's scan from the start of the text for every label,
/// which made rendering cost grow with the file size times the findings.
#[derive(Debug)]
struct FileSource<'a> {
    name: String,
    file: &'a SourceFile,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.file.text.as_bytes();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.file.position(start).line - 1;
        let last = self.file.position(end.saturating_sub(1).max(start)).line - 1;
        let window_first = first.saturating_sub(context_lines_before);
        let window_last = (last + context_lines_after).min(self.file.line_count() - 1);
        let window_start = if context_lines_before == 0 {
            start
        } else {
            self.file.line_start(window_first + 1)
        };
        let window_end = if window_last + 1 < self.file.line_count() {
            self.file.line_start(window_last + 2)
        } else {
            text.len()
        }
        .max(end);
        let column = if context_lines_before == 0 {
            start - self.file.line_start(first + 1)
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text[window_start..window_end],
            (window_start, window_end - window_start).into(),
            window_first,
            column,
            window_last + 1,
        )))
    }
}

/// One diagnostic as miette sees it.
#[derive(Debug)]
struct Rendered<'a> {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: FileSource<'a>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered<'a>>,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl MietteDiagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn MietteDiagnostic),
        ))
    }
}

/// The help line, then the fix when one can be applied, with how.
fn help(diagnostic: &crate::diagnostic::Diagnostic) -> Option<String> {
    use crate::fix::Applicability;
    let fix = diagnostic.fix.as_ref().and_then(|fix| {
        let how = if fix.applies(Applicability::Safe) {
            "safe fix, `--fix`"
        } else if fix.applies(Applicability::Unsafe) {
            "unsafe fix, `--fix --unsafe-fixes`"
        } else {
            return None;
        };
        Some(format!("fix: {} ({how})", fix.message))
    });
    match (&diagnostic.help, fix) {
        (Some(help), Some(fix)) => Some(format!("{help}\n{fix}")),
        (help, fix) => help.clone().or(fix),
    }
}

fn span(span: crate::source::Span) -> SourceSpan {
    (span.start, span.len()).into()
}

fn rendered<'a>(item: &Resolved<'a>) -> Rendered<'a> {
    let diagnostic = item.diagnostic;
    let report = item.report;
    let file = report.file(diagnostic);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        diagnostic.label.clone(),
        span(diagnostic.location.span),
    )];
    let mut related = Vec::new();
    for r in &diagnostic.related {
        if r.location.file == diagnostic.location.file {
            labels.push(LabeledSpan::new_with_span(
                Some(r.message.clone()),
                span(r.location.span),
            ));
        } else {
            let other = report.repo.sources.get(r.location.file);
            related.push(Rendered {
                code: String::new(),
                message: r.message.clone(),
                severity: Severity::Info,
                help: None,
                source: FileSource {
                    name: report.display_path(other),
                    file: other,
                },
                labels: vec![LabeledSpan::new_primary_with_span(
                    None,
                    span(r.location.span),
                )],
                related: Vec::new(),
            });
        }
    }
    Rendered {
        code: format!("{} {}", diagnostic.rule.code, diagnostic.rule.name),
        message: diagnostic.message.clone(),
        severity: diagnostic.severity,
        help: help(diagnostic),
        source: FileSource {
            name: item.path.clone(),
            file,
        },
        labels,
        related,
    }
}

/// The report handler, coloured or not. Lines are not re-wrapped: terminals
/// wrap long lines themselves, and wrapping every message and help text
/// cost more than the rest of the rendering together.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_wrap_lines(false)
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The one-line summary.
pub fn summary(totals: &Totals) -> String {
    let counts = totals.counts;
    let files = plural(totals.files, "workflow file", "workflow files");
    if counts.errors + counts.warnings + counts.infos == 0 {
        return format!("No problems found in {files}.");
    }
    let mut line = format!(
        "Found {}, {} and {} in {files}.",
        plural(counts.errors, "error", "errors"),
        plural(counts.warnings, "warning", "warnings"),
        plural(counts.infos, "info", "infos"),
    );
    if totals.fixable > 0 {
        line.push_str(&format!(
            " {} fixable with `tplint check --fix`.",
            totals.fixable
        ));
    }
    line
}

pub fn render_diagnostics(resolved: &[Resolved<'_>], color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    for item in resolved {
        let diagnostic = rendered(item);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &diagnostic);
        out.push('\n');
    }
    out
}
