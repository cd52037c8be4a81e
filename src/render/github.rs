//! GitHub Actions workflow commands: one annotation per diagnostic, shown on
//! the pull request's changed lines.

use crate::diagnostic::Severity;
use crate::lint::Resolved;

/// Escape the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render_diagnostics(resolved: &[Resolved<'_>]) -> String {
    let mut out = String::new();
    for item in resolved {
        let d = item.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\n\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&item.path),
            item.start.line,
            item.start.column,
            item.end.line,
            item.end.column,
            escape_property(&format!("{} {}", d.rule.code, d.rule.name)),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
