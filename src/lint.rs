//! The whole check of one or more repositories: load, derive facts, run the
//! rules, filter, and sort into a deterministic report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalogue::{self, Rule};
use crate::config::{FailOn, LoadError};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::Facts;
use crate::online::pypi::Indexes;
use crate::online::record::{self, RecordFacts};
use crate::online::{GitHub, OnlineFacts, Wants};
use crate::registry::Registry;
use crate::repository::{LoadOptions, Repository};
use crate::rules::{self, Context};
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
    /// PyPI and TestPyPI, with `--online`; nothing is sent without it.
    pub indexes: Option<Arc<Indexes>>,
    /// With `online`: resolve the refs that TP501 and TP502 would pin, so
    /// their fixes can be applied. Set when fixing (`--fix`, `--diff`, the
    /// language server), not for a plain check, whose requests it would
    /// multiply.
    pub resolve_pins: bool,
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
    /// The registries the repository's pipelines publish to, by trusted
    /// publishing or with a token, in order, once each.
    pub registries: Vec<Registry>,
    /// The publishers declared, and with `--online` those the registries'
    /// records show, as `registry owner/repository workflow [environment]`.
    pub publishers: Vec<String>,
}

impl RepoReport {
    /// This repository's diagnostics in output order.
    pub fn resolved(&self) -> Vec<Resolved<'_>> {
        let mut all: Vec<Resolved<'_>> = self
            .diagnostics
            .iter()
            .map(|diagnostic| {
                let file = self.file(diagnostic);
                Resolved {
                    report: self,
                    diagnostic,
                    path: self.display_path(file),
                    start: file.position(diagnostic.location.span.start),
                    end: file.position(diagnostic.location.span.end),
                }
            })
            .collect();
        all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        all
    }

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

impl Resolved<'_> {
    fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            &self.path,
            self.start.line,
            self.start.column,
            self.diagnostic.rule.code,
            &self.diagnostic.message,
        )
    }
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
    /// All diagnostics in output order: path, line, column, code.
    pub fn resolved(&self) -> Vec<Resolved<'_>> {
        let mut all: Vec<Resolved<'_>> = self.repos.iter().flat_map(RepoReport::resolved).collect();
        all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        all
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for report in &self.repos {
            totals.add(report);
        }
        totals
    }
}

/// Totals over a whole run, kept while reports stream past.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Workflow files checked.
    pub files: usize,
    pub counts: Counts,
    /// Whether anything reached the `fail-on` threshold of its repository.
    pub fails: bool,
    /// Diagnostics with a safe fix, which `--fix` would apply.
    pub fixable: usize,
}

impl Totals {
    pub fn merge(&mut self, other: Totals) {
        self.files += other.files;
        self.counts.errors += other.counts.errors;
        self.counts.warnings += other.counts.warnings;
        self.counts.infos += other.counts.infos;
        self.fails |= other.fails;
        self.fixable += other.fixable;
    }

    pub fn add(&mut self, report: &RepoReport) {
        self.files +=
            report.repo.workflows.len() + report.repo.gitlab.as_ref().map_or(0, |g| g.files.len());
        for diagnostic in &report.diagnostics {
            match diagnostic.severity {
                Severity::Error => self.counts.errors += 1,
                Severity::Warning => self.counts.warnings += 1,
                Severity::Info => self.counts.infos += 1,
            }
            self.fails |= report.fail_on.fails(diagnostic.severity);
            if diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applies(crate::fix::Applicability::Safe))
            {
                self.fixable += 1;
            }
        }
    }
}

/// The repositories named by `paths` (the current one when empty), with
/// their output prefixes, in output order.
pub fn roots(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut roots: Vec<(String, PathBuf)> = if paths.is_empty() {
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
    // Every output path starts with its repository's prefix, so sorting the
    // repositories by prefix keeps the concatenated output sorted by path.
    roots.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(roots)
}

/// Check every repository named by `paths`. Repositories are checked in
/// parallel, a few at a time, and each report is turned into a `T` (its
/// rendered output) by `per_repo` on the worker that checked it, then
/// dropped; `each` receives the results in output order. Memory therefore
/// grows with the largest repository, not with their number.
pub fn check_each<T: Send>(
    paths: &[PathBuf],
    options: &CheckOptions,
    per_repo: impl Fn(RepoReport) -> T + Sync,
    mut each: impl FnMut(T),
) -> Result<Totals, LoadError> {
    use rayon::prelude::*;
    let roots = roots(paths)?;
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut totals = Totals::default();
    for group in roots.chunks(batch) {
        let results: Vec<Result<(Totals, T), LoadError>> = group
            .par_iter()
            .map(|(prefix, root)| {
                let report = check_repository(root, prefix.clone(), options)?;
                let mut part = Totals::default();
                part.add(&report);
                Ok((part, per_repo(report)))
            })
            .collect();
        for result in results {
            let (part, value) = result?;
            totals.merge(part);
            each(value);
        }
    }
    Ok(totals)
}

/// Check every repository named by `paths` and keep all reports.
pub fn check(paths: &[PathBuf], options: &CheckOptions) -> Result<Report, LoadError> {
    let mut repos = Vec::new();
    check_each(paths, options, |report| report, |report| repos.push(report))?;
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
    Ok(check_loaded(repo, prefix, options))
}

/// Check one workflow file held in memory (see [`Repository::in_memory`]),
/// with the configuration text `config`: the whole pipeline without the
/// file system, for tests and fuzzing.
pub fn check_source(
    name: &str,
    bytes: Vec<u8>,
    config: Option<&str>,
    options: &CheckOptions,
) -> Result<RepoReport, LoadError> {
    let repo = Repository::in_memory(name, bytes, config)?;
    Ok(check_loaded(repo, String::new(), options))
}

/// Run the rules on a repository already read.
pub fn check_loaded(mut repo: Repository, prefix: String, options: &CheckOptions) -> RepoReport {
    let facts = Facts::derive_reading(&mut repo);
    let lint = repo.config.lint.clone();
    let enabled = |rule: &Rule| {
        let selected =
            options.select.is_empty() || options.select.iter().any(|r| std::ptr::eq(*r, rule));
        let ignored = options.ignore.iter().any(|r| std::ptr::eq(*r, rule))
            || lint.ignore.contains(&rule.code);
        selected && !ignored
    };
    // The GitHub API and the package indexes are asked at the same time.
    let (online, answers) = std::thread::scope(|scope| {
        let answers = options.indexes.as_deref().map(|indexes| {
            let wants = rules::record::wants(&enabled);
            let (repo, facts) = (&repo, &facts);
            scope.spawn(move || record::ask(indexes, repo, facts, wants))
        });
        let online: Option<OnlineFacts> = options.online.as_deref().map(|github| {
            let wants = Wants {
                environments: enabled(&catalogue::ENVIRONMENT_UNPROTECTED)
                    || enabled(&catalogue::ENVIRONMENT_BLOCKS_TRIGGER),
                commits: enabled(&catalogue::PINNED_COMMIT_UNKNOWN),
                version_comments: enabled(&catalogue::VERSION_COMMENT_MISMATCH),
                pins: options.resolve_pins
                    && (enabled(&catalogue::UNPINNED_ACTION)
                        || enabled(&catalogue::PIN_WITHOUT_VERSION_COMMENT)),
            };
            crate::online::gather(github, &repo, &facts, wants)
        });
        let answers = answers.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (online, answers)
    });
    let records: Option<RecordFacts> = answers.map(|answers| record::attach(answers, &mut repo));
    let publishers = publishers(
        records
            .as_ref()
            .map_or(&repo.config.publishers, |r| &r.publishers),
    );
    let context = Context::new(&repo, &facts, online.as_ref(), records.as_ref());
    let registries = registries(&context);
    let mut diagnostics = rules::run(&context, enabled);
    // A finding inside a local action or script used by several workflows
    // is made once per use: keep one.
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| {
        seen.insert((
            d.rule.code,
            d.location.file,
            d.location.span,
            d.message.clone(),
        ))
    });
    let mut diagnostics = crate::suppress::apply(&repo, diagnostics, enabled);
    // No fix leaves here that would break its file.
    crate::fix::verify::vet(&repo, &mut diagnostics);
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
    RepoReport {
        prefix,
        repo,
        diagnostics,
        fail_on,
        registries,
        publishers,
    }
}

/// The registries the pipelines upload to, in order, once each.
fn registries(context: &Context<'_>) -> Vec<Registry> {
    let mut registries: Vec<Registry> = Vec::new();
    let uploads = crate::facts::publish_job::password_uploads(context.repo, context.facts);
    let all = context
        .publish_jobs()
        .flat_map(|job| job.indexes())
        .chain(uploads.iter().map(|upload| upload.index));
    for registry in all {
        if !registries.contains(&registry) {
            registries.push(registry);
        }
    }
    registries
}

/// Publishers in a line each, for the summary of a run.
fn publishers(publishers: &[crate::config::Publisher]) -> Vec<String> {
    publishers
        .iter()
        .map(|p| {
            let registry = match (p.index_kind, &p.index) {
                (None, Some(written)) => written.value.clone(),
                _ => p.index().to_string(),
            };
            let mut line = format!("{registry} {}/{}", p.owner.value, p.repository.value);
            if !p.workflow.value.is_empty() {
                line.push_str(&format!(" {}", p.workflow.value));
            }
            if let Some(environment) = &p.environment {
                line.push_str(&format!(" [{}]", environment.value));
            }
            line
        })
        .collect()
}
