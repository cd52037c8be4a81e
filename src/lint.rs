//! The whole check of one or more repositories: load, derive facts, run the
//! rules, filter, and sort into a deterministic report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{FailOn, LoadError};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::Facts;
use crate::online::{GitHub, OnlineFacts, Wants};
use crate::repository::{LoadOptions, Repository};
use crate::rules::{self, Context, Rule};
use crate::source::{Position, SourceFile};

#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub load: LoadOptions,
    /// Run only these rules (all when empty).
    pub select: Vec<&'static Rule>,
    pub ignore: Vec<&'static Rule>,
    /// Overrides the config's `fail-on`.
    pub fail_on: Option<FailOn>,
    /// The GitHub API, with `--online`; nothing is sent without it. Shared by
    /// every repository of the run, so each request is made once.
    pub online: Option<Arc<GitHub>>,
}

/// The result for one repository.
#[derive(Debug)]
pub struct RepoReport {
    /// Prefix for paths in output: empty for a single repository, else the
    /// PATH given on the command line followed by `/`.
    pub prefix: String,
    pub repo: Repository,
    pub diagnostics: Vec<Diagnostic>,
    pub fail_on: FailOn,
}

impl RepoReport {
    pub fn file(&self, diagnostic: &Diagnostic) -> &SourceFile {
        self.repo.sources.get(diagnostic.location.file)
    }

    pub fn display_path(&self, file: &SourceFile) -> String {
        if file.path.starts_with('<') {
            file.path.clone()
        } else {
            format!("{}{}", self.prefix, file.path)
        }
    }
}

/// A diagnostic with its resolved path and positions, ready for any renderer.
pub struct Resolved<'a> {
    pub report: &'a RepoReport,
    pub diagnostic: &'a Diagnostic,
    pub path: String,
    pub start: Position,
    pub end: Position,
}

#[derive(Debug)]
pub struct Report {
    pub repos: Vec<RepoReport>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Report {
    /// Number of workflow files checked.
    pub fn files(&self) -> usize {
        self.repos.iter().map(|r| r.repo.workflows.len()).sum()
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in self.repos.iter().flat_map(|r| &r.diagnostics) {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// Whether anything reaches the `fail-on` threshold of its repository.
    pub fn fails(&self) -> bool {
        self.repos
            .iter()
            .any(|r| r.diagnostics.iter().any(|d| r.fail_on.fails(d.severity)))
    }

    /// All diagnostics in output order: path, line, column, code.
    pub fn resolved(&self) -> Vec<Resolved<'_>> {
        let mut all: Vec<Resolved<'_>> = self
            .repos
            .iter()
            .flat_map(|report| {
                report.diagnostics.iter().map(move |diagnostic| {
                    let file = report.file(diagnostic);
                    Resolved {
                        report,
                        diagnostic,
                        path: report.display_path(file),
                        start: file.position(diagnostic.location.span.start),
                        end: file.position(diagnostic.location.span.end),
                    }
                })
            })
            .collect();
        all.sort_by(|a, b| {
            (
                &a.path,
                a.start.line,
                a.start.column,
                a.diagnostic.rule.code,
                &a.diagnostic.message,
            )
                .cmp(&(
                    &b.path,
                    b.start.line,
                    b.start.column,
                    b.diagnostic.rule.code,
                    &b.diagnostic.message,
                ))
        });
        all
    }
}

/// Check every repository named by `paths` (the current one when empty).
pub fn check(paths: &[PathBuf], options: &CheckOptions) -> Result<Report, LoadError> {
    let roots: Vec<(String, PathBuf)> = if paths.is_empty() {
        let cwd = std::env::current_dir().map_err(|source| LoadError::Io {
            path: ".".into(),
            source,
        })?;
        vec![(String::new(), crate::discover::repository_root(&cwd)?)]
    } else {
        paths
            .iter()
            .map(|p| {
                Ok((
                    display_prefix(p, paths.len()),
                    crate::discover::repository_root(p)?,
                ))
            })
            .collect::<Result<_, LoadError>>()?
    };
    let mut repos = Vec::with_capacity(roots.len());
    for (prefix, root) in roots {
        repos.push(check_repository(&root, prefix, options)?);
    }
    Ok(Report { repos })
}

fn display_prefix(path: &Path, count: usize) -> String {
    if count <= 1 {
        return String::new();
    }
    let text = path.to_string_lossy().replace('\\', "/");
    format!("{}/", text.trim_end_matches('/'))
}

/// Check one repository.
pub fn check_repository(
    root: &Path,
    prefix: String,
    options: &CheckOptions,
) -> Result<RepoReport, LoadError> {
    let repo = Repository::load(root, &options.load)?;
    let facts = Facts::derive(&repo);
    let lint = &repo.config.lint;
    let enabled = |rule: &Rule| {
        let selected =
            options.select.is_empty() || options.select.iter().any(|r| std::ptr::eq(*r, rule));
        let ignored = options.ignore.iter().any(|r| std::ptr::eq(*r, rule))
            || lint.ignore.contains(&rule.code);
        selected && !ignored
    };
    let online: Option<OnlineFacts> = options.online.as_deref().map(|github| {
        let wants = Wants {
            environments: enabled(&rules::online::ENVIRONMENT_UNPROTECTED)
                || enabled(&rules::online::ENVIRONMENT_BLOCKS_TRIGGER),
            commits: enabled(&rules::online::PINNED_COMMIT_UNKNOWN),
            version_comments: enabled(&rules::online::VERSION_COMMENT_MISMATCH),
        };
        crate::online::gather(github, &repo, &facts, wants)
    });
    let context = Context {
        repo: &repo,
        facts: &facts,
        online: online.as_ref(),
    };
    let diagnostics = rules::run(&context, enabled);
    let mut diagnostics = crate::suppress::apply(&repo, diagnostics, enabled);
    for diagnostic in &mut diagnostics {
        if let Some((_, severity)) = lint
            .severity
            .iter()
            .find(|(code, _)| *code == diagnostic.rule.code)
        {
            diagnostic.severity = *severity;
        }
    }
    let fail_on = options.fail_on.or(lint.fail_on).unwrap_or(FailOn::Warning);
    Ok(RepoReport {
        prefix,
        repo,
        diagnostics,
        fail_on,
    })
}
