//! The table that ends a human report over remote targets: one row per
//! repository with the registries it publishes to, its publishers and its
//! findings, and the repositories that could not be read.

use crate::lint::{RepoReport, Totals};

/// One repository's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub repository: String,
    pub registries: String,
    pub publishers: String,
    /// `errors/warnings/infos`, or why the repository was not checked.
    pub findings: String,
}

impl Row {
    pub fn of(report: &RepoReport) -> Row {
        let mut totals = Totals::default();
        totals.add(report);
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "-".to_string()
            } else {
                items.join(", ")
            }
        };
        Row {
            repository: report.prefix.trim_end_matches('/').to_string(),
            registries: list(report.registries.iter().map(|r| r.to_string()).collect()),
            publishers: list(report.publishers.clone()),
            findings: format!(
                "{}/{}/{}",
                totals.counts.errors, totals.counts.warnings, totals.counts.infos
            ),
        }
    }

    pub fn unreadable(name: &str, reason: &str) -> Row {
        Row {
            repository: name.to_string(),
            registries: "-".into(),
            publishers: "-".into(),
            findings: format!("not checked: {reason}"),
        }
    }
}

/// The rows as an aligned table, sorted by repository.
pub fn table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| a.repository.cmp(&b.repository));
    let header = Row {
        repository: "repository".into(),
        registries: "registries".into(),
        publishers: "publishers".into(),
        findings: "errors/warnings/infos".into(),
    };
    let width = |f: fn(&Row) -> &str| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| f(r).chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [
        width(|r| &r.repository),
        width(|r| &r.registries),
        width(|r| &r.publishers),
    ];
    let mut out = String::from("\n");
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            row.repository,
            row.registries,
            row.publishers,
            row.findings,
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_line_up() {
        let rows = vec![
            Row {
                repository: "github:b/x".into(),
                registries: "PyPI".into(),
                publishers: "-".into(),
                findings: "1/0/2".into(),
            },
            Row::unreadable("github:a/gone", "not found"),
        ];
        let text = table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1].find("registries"), lines[3].find("PyPI"));
        assert!(lines[2].starts_with("github:a/gone"));
        assert!(lines[2].ends_with("not checked: not found"));
    }
}
