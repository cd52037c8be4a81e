//! Renderers: the same report for people (miette), editors (JSON) and CI
//! (SARIF for code scanning, GitHub workflow commands, GitLab Code Quality). Output streams: a
//! header, then each repository's diagnostics as soon as it is checked, then
//! a footer, so a run over many repositories never holds them all.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use clap::ValueEnum;

use crate::lint::{RepoReport, Report, Totals};

/// An output format, as `check --format` names it (the command line
/// re-exports it as `cli::Format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with labels, for people.
    Human,
    /// Versioned JSON, for editors and tools.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report (`artifacts: reports: codequality:`).
    Gitlab,
}

/// One repository's rendered diagnostics.
pub struct Chunk {
    text: String,
    diagnostics: usize,
}

/// Renders one run, repository by repository.
pub struct Renderer {
    format: Format,
    color: bool,
    quiet: bool,
    /// Diagnostics written so far (JSON needs commas between them).
    written: usize,
}

impl Renderer {
    pub fn new(format: Format, color: bool, quiet: bool) -> Self {
        Self {
            format,
            color,
            quiet,
            written: 0,
        }
    }

    pub fn begin(&mut self) -> String {
        match self.format {
            Format::Json => json::begin(),
            Format::Sarif => sarif::begin(),
            Format::Gitlab => gitlab::begin(),
            _ => String::new(),
        }
    }

    /// Renders one repository. Takes `&self` so repositories render in
    /// parallel; array elements come with a leading separator that
    /// [`Renderer::emit`] drops before the very first one.
    pub fn repo(&self, report: &RepoReport) -> Chunk {
        let resolved = report.resolved();
        let text = match self.format {
            Format::Human => human::render_diagnostics(&resolved, self.color),
            Format::Json => json::render_diagnostics(&resolved, 1),
            Format::Sarif => sarif::render_results(&resolved, 1),
            Format::Github => github::render_diagnostics(&resolved),
            Format::Gitlab => gitlab::render_issues(&resolved),
        };
        Chunk {
            text,
            diagnostics: resolved.len(),
        }
    }

    /// The text to write for a chunk, in output order.
    pub fn emit(&mut self, chunk: Chunk) -> String {
        let mut text = chunk.text;
        let is_array = matches!(self.format, Format::Json | Format::Sarif | Format::Gitlab);
        if is_array && self.written == 0 && text.starts_with(',') {
            text.remove(0);
        }
        self.written += chunk.diagnostics;
        text
    }

    pub fn finish(&mut self, totals: &Totals) -> String {
        match self.format {
            Format::Human if self.quiet => String::new(),
            Format::Human => format!("{}\n", human::summary(totals)),
            Format::Json => json::finish(totals, self.written),
            Format::Sarif => sarif::finish(self.written),
            Format::Github => String::new(),
            Format::Gitlab => gitlab::finish(self.written),
        }
    }

    /// The end of a run with remote targets: as [`Renderer::finish`], and
    /// in JSON and SARIF the repositories that could not be read, as
    /// `(name, reason)`.
    pub fn finish_with(&mut self, totals: &Totals, unreadable: &[(String, String)]) -> String {
        match self.format {
            Format::Json => json::finish_with(totals, self.written, unreadable),
            Format::Sarif => sarif::finish_with(self.written, unreadable),
            _ => self.finish(totals),
        }
    }

    /// A whole report at once.
    pub fn render(mut self, report: &Report) -> String {
        let mut out = self.begin();
        for repo in &report.repos {
            let chunk = self.repo(repo);
            out.push_str(&self.emit(chunk));
        }
        out.push_str(&self.finish(&report.totals()));
        out
    }
}
