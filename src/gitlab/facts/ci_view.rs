//! GitLab's part of the [CI-neutral view](crate::facts::ci_view): pipeline
//! files (and child pipelines') that cannot be read or that GitLab would
//! reject, uploads without the ID token they read, ID tokens nothing in
//! their job uses or with an audience their upload does not accept, a
//! job's single-use ID token spent twice, includes and images that can
//! change, and uploaders too old for trusted publishing on GitLab, in
//! GitLab's words.
//!
//! Facts they rest on (with sources):
//! - The job gets an ID token only from `id_tokens:`; a job-level
//!   `id_tokens` replaces `default:id_tokens` (GitLab `doc/ci/yaml/_index.md`,
//!   `id_tokens`, `default`).
//! - twine (6.1.0 and later, through `id`) and uv (0.8.18 and later, through
//!   `ambient-id`) read the token from `<AUDIENCE>_ID_TOKEN`, the audience
//!   being what the index's `/_/oidc/audience` says: `pypi` or `testpypi`
//!   (di/id `id/_internal/oidc/ambient.py` `detect_gitlab`;
//!   astral-sh/ambient-id `src/gitlab.rs`; twine `docs/changelog.rst` 6.1.0;
//!   uv `changelogs/0.8.x.md` 0.8.18).
//!
//! GitLab puts the project's CI/CD variables (set in its settings, not in
//! the file) into every job's environment, so an upload with no password
//! in the file may still use one: without other signs of trusted
//! publishing, a missing ID token is only a note.

use std::collections::HashSet;

use super::{
    GITLAB_WORDS, GitlabFacts, GitlabJobFacts, TokenFor, gives_username, relies_on_tp, token_for,
    token_variable, tp_indexes, tp_site, variable_for, yaml_aud,
};
use crate::config::Platform;
use crate::diagnostic::{Location, Severity};
use crate::facts::ci_view::{
    FileProblem, Finding, MissingIdToken, NpmUpload, OldUploader, SpentToken, UnpinnedReference,
    UnusedIdToken, WrongAudience, cannot_be_read,
};
use crate::facts::publish::{Auth, PublishSite, Target, Uploader};
use crate::gitlab::{GitlabJob, GitlabPipeline, Include, IncludeKind};
use crate::registry::Registry;
use crate::registry::claims::AudienceMatch;
use crate::repository::Repository;
use crate::source::FileId;

fn found<'a>(
    pipeline: &'a GitlabPipeline,
    location: Location,
    message: String,
    help: String,
) -> Finding<'a> {
    Finding {
        pipeline: Some(pipeline),
        ..Finding::new(location, message, help)
    }
}

/// `finding` with the upload it is about, and the script line (and files
/// on the way) that lead to the upload's location.
fn with_upload<'a>(finding: Finding<'a>, site: &PublishSite, label: &str) -> Finding<'a> {
    let mut finding = finding;
    finding.related.push((site.location(), label.to_string()));
    with_via(finding, &site.via)
}

/// `finding` with the script line (and files on the way) that lead to a
/// location in a repository script.
fn with_via<'a>(finding: Finding<'a>, via: &[Location]) -> Finding<'a> {
    let mut finding = finding;
    for (depth, location) in via.iter().enumerate() {
        let label = if depth == 0 {
            GITLAB_WORDS.via_first
        } else {
            "through here"
        };
        finding.related.push((*location, label.to_string()));
    }
    finding
}

/// A pipeline whose TP001/TP002 are reported: the top-level one, or a
/// child pipeline with the files it alone reads and the entry that starts it.
struct Part<'p> {
    pipeline: &'p GitlabPipeline,
    /// `None`: every file of the pipeline.
    own: Option<Vec<FileId>>,
    started: Option<Location>,
}

impl Part<'_> {
    fn reports(&self, file: FileId) -> bool {
        self.own.as_ref().is_none_or(|own| own.contains(&file))
    }

    /// The places that explain a problem of this part: `related`, then the
    /// entry that starts a child pipeline.
    fn related(&self, related: &[(Location, String)]) -> Vec<(Location, String)> {
        let mut related = related.to_vec();
        if let Some(at) = self.started {
            related.push((at, "the child pipeline is started here".to_string()));
        }
        related
    }
}

fn with_children(top: &GitlabPipeline) -> Vec<Part<'_>> {
    let mut parts = vec![Part {
        pipeline: top,
        own: None,
        started: None,
    }];
    for (started, child, own) in top.child_pipelines() {
        parts.push(Part {
            pipeline: child,
            own: Some(own),
            started: Some(started),
        });
    }
    parts
}

/// Pipeline files (the top-level one's and child pipelines') that cannot
/// be read.
pub fn unreadable_files<'a>(repo: &'a Repository, top: &'a GitlabPipeline) -> Vec<FileProblem<'a>> {
    let mut problems = Vec::new();
    for part in with_children(top) {
        let pipeline = part.pipeline;
        for file in &pipeline.files {
            let Some(error) = &file.error else { continue };
            if !part.reports(file.file) {
                continue;
            }
            // A file that does not exist has no text: the `include:` entry
            // that names it is reported (TP002).
            if file.included_by.is_some() && repo.sources.get(file.file).text.is_empty() {
                continue;
            }
            let mut finding = found(
                pipeline,
                Location::new(file.file, error.span),
                cannot_be_read(&file.path, &error.message),
                GITLAB_WORDS.unreadable.to_string(),
            );
            finding.related = part.related(&[]);
            problems.push(FileProblem {
                finding,
                unsure: false,
            });
        }
    }
    problems
}

/// What GitLab would reject in the pipeline and its child pipelines.
pub fn invalid_files(top: &GitlabPipeline) -> Vec<FileProblem<'_>> {
    let mut problems = Vec::new();
    for part in with_children(top) {
        for problem in &part.pipeline.problems {
            if !part.reports(problem.location.file) {
                continue;
            }
            problems.push(FileProblem {
                finding: Finding {
                    location: problem.location,
                    message: problem.message.clone(),
                    help: None,
                    related: part.related(&problem.related),
                    pipeline: Some(part.pipeline),
                },
                unsure: problem.unsure,
            });
        }
    }
    problems
}

/// The `default:id_tokens` entry with audience `aud`, if any.
fn default_token(pipeline: &GitlabPipeline, aud: &str) -> Option<Location> {
    let tokens = pipeline.config.as_ref()?.get("default")?.get("id_tokens")?;
    tokens.as_mapping()?.iter().find_map(|entry| {
        let value = entry.value.get("aud")?;
        (value.as_str()?.trim() == aud).then_some(entry.key.location)
    })
}

/// Uploads by trusted publishing whose job has no ID token for them: its
/// own `id_tokens:` replace `default:`'s, it does not inherit them, or it
/// has none (certain when something else says the job relies on trusted
/// publishing, a note otherwise).
pub fn missing_id_tokens<'a>(
    repo: &'a Repository,
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<MissingIdToken<'a>> {
    let mut missing = Vec::new();
    let declared = |index: Registry| {
        repo.config
            .publishers
            .iter()
            .any(|p| p.platform == Platform::Gitlab && p.index() == index)
    };
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        let uploads = tp_indexes(facts);
        let exchangeable = facts
            .publish_sites
            .iter()
            .any(|s| tokenless_exchange(facts, s));
        if uploads.is_empty() && !exchangeable {
            continue;
        }
        // An include tplint cannot read may give the job its `id_tokens`
        // (GitLab merges included configuration under the file's own).
        let Some(unread) = unread_reach(pipeline, job) else {
            continue;
        };
        if exchangeable {
            missing.extend(tokenless_exchanges(pipeline, job, facts, &unread));
        }
        for &index in &uploads {
            if !matches!(token_for(job, facts, &uploads, index), TokenFor::Missing) {
                continue;
            }
            let Some(site) = facts
                .publish_sites
                .iter()
                .find(|s| tp_site(s) == Some(index))
            else {
                continue;
            };
            // A username: a password from the settings, not trusted publishing.
            if gives_username(repo, job, site) {
                continue;
            }
            let aud = index.gitlab_audience();
            let variable = variable_for(facts, index);
            let name = &job.name.value;
            let tool = site.name();
            let shown = index.display_name();
            let replaced = job
                .replaces_default_id_tokens
                .and_then(|key| Some((key, default_token(pipeline, aud)?)));
            // `inherit: default: false` (or a list without `id_tokens`).
            let not_inherited = job
                .node
                .entry("inherit")
                .filter(|_| job.id_tokens_key.is_none())
                .and_then(|inherit| Some((inherit.key.location, default_token(pipeline, aud)?)));
            let declared = declared(index);
            let required = site.uploader == Uploader::Uv && site.oidc_required;
            let quoted = yaml_aud(aud);
            let help = format!(
                "give the job:\n  {name}:\n    id_tokens:\n      {variable}:\n        aud: {quoted}"
            );
            let default_entry = "the `default:` entry the job does not get".to_string();
            let (finding, certain) = if let Some((own, default)) = replaced {
                let mut finding = found(
                    pipeline,
                    own,
                    format!(
                        "the `id_tokens:` of job `{name}` replace those of `default:`, which have the `{aud}` token `{tool}` needs to upload to {shown} by trusted publishing; GitLab does not merge the two"
                    ),
                    format!(
                        "add the entry to the job's own `id_tokens:`:\n      {variable}:\n        aud: {quoted}"
                    ),
                );
                finding.related.push((default, default_entry));
                (finding, true)
            } else if let Some((inherit, default)) = not_inherited {
                let mut finding = found(
                    pipeline,
                    inherit,
                    format!(
                        "job `{name}` does not inherit `default:id_tokens`, which has the `{aud}` token `{tool}` needs to upload to {shown} by trusted publishing"
                    ),
                    format!(
                        "let the job inherit `id_tokens` (`inherit: default: [id_tokens, ...]`), or {}",
                        help.replacen("give", "give it", 1)
                    ),
                );
                finding.related.push((default, default_entry));
                (finding, true)
            } else if index.exchanges_on_gitlab() {
                (
                    found(
                        pipeline,
                        job.id_tokens_key.unwrap_or(job.name.location),
                        format!(
                            "job `{name}` exchanges `${variable}` at {shown} for the token of `{tool}`, but has no `id_tokens` entry `{variable}`, so the exchange is refused and the upload fails"
                        ),
                        help,
                    ),
                    true,
                )
            } else if facts.mints_token || declared || required {
                let why = if declared {
                    format!("a GitLab publisher for {shown} is declared")
                } else if required {
                    "`uv publish` is told to use trusted publishing".to_string()
                } else {
                    "the job exchanges an ID token at PyPI itself".to_string()
                };
                (
                    found(
                        pipeline,
                        job.id_tokens_key.unwrap_or(job.name.location),
                        format!(
                            "job `{name}` uploads to {shown} by trusted publishing ({why}), but has no `id_tokens` entry with `aud: {aud}`, so `{tool}` finds no `{variable}`"
                        ),
                        help,
                    ),
                    true,
                )
            } else {
                (
                    found(
                        pipeline,
                        job.name.location,
                        format!(
                            "job `{name}` runs `{tool}` to {shown} with no password in the pipeline and no `id_tokens` entry with `aud: {aud}`: if it relies on trusted publishing, it finds no `{variable}` and fails"
                        ),
                        format!(
                            "{help}\n(if a password comes from a CI/CD variable of the project's settings, trusted publishing is not used: see TP303)"
                        ),
                    ),
                    false,
                )
            };
            let (finding, hedged) = hedge(finding, &unread, "gives it one");
            missing.push(MissingIdToken {
                finding: with_upload(finding, site, "the upload"),
                certain: certain && !hedged,
                grant: None,
            });
        }
        // npm asked for provenance on GitLab signs with the job's
        // `SIGSTORE_ID_TOKEN`; without one it stops before uploading
        // (npm/cli `workspaces/libnpmpublish/lib/publish.js`,
        // `ensureProvenanceGeneration`, npm 9.7.2 and later).
        if job.id_token(SIGSTORE_ID_TOKEN).is_none()
            && let Some((site, at)) = facts.publish_sites.iter().find_map(|site| {
                let npm = site.npm.as_ref()?;
                match npm.provenance {
                    Some((true, at)) if site.index() == Some(Registry::Npm) => Some((site, at)),
                    _ => None,
                }
            })
        {
            let name = &job.name.value;
            let finding = found(
                pipeline,
                at,
                format!(
                    "job `{name}` asks npm for provenance, which on GitLab CI/CD is signed with the job's `{SIGSTORE_ID_TOKEN}`, but the job has no such `id_tokens` entry: npm stops with \"Provenance generation in GitLab CI requires \"{SIGSTORE_ID_TOKEN}\" with \"sigstore\" audience\" and publishes nothing"
                ),
                format!(
                    "give the job:\n  {name}:\n    id_tokens:\n      {SIGSTORE_ID_TOKEN}:\n        aud: sigstore"
                ),
            );
            let (finding, hedged) = hedge(finding, &unread, "gives it one");
            missing.push(MissingIdToken {
                finding: with_upload(finding, site, "the upload"),
                certain: !hedged,
                grant: None,
            });
        }
    }
    missing
}

/// The includes tplint cannot read that may give `job` an ID token (or
/// the script that gets a registry's token): through `default:`, or by
/// defining the job's name or a name it `extends`; GitLab's scanning
/// templates of [`crate::gitlab`]'s table do neither, unless a name of the
/// job's is one of theirs. `None` when what the job is cannot be known: it
/// `extends` or `!reference`s a name no file tplint read defines, or the
/// pipeline holds a `$[[ ... ]]` tplint could not evaluate.
fn unread_reach<'p>(pipeline: &'p GitlabPipeline, job: &GitlabJob) -> Option<Vec<&'p Include>> {
    if pipeline.config.is_none() || !pipeline.uninterpolated.is_empty() {
        return None;
    }
    let unread: Vec<&Include> = pipeline.includes.iter().filter(|i| !i.readable).collect();
    if unread.is_empty() && pipeline.undefined_in.is_empty() {
        return Some(unread);
    }
    // The job's name and the names it `extends`, through every level.
    let mut names: Vec<&str> = vec![job.name.value.as_str()];
    let mut next = 0;
    while let Some(&name) = names.get(next) {
        next += 1;
        if names.len() > crate::gitlab::resolve::MAX_EXTENDS_DEPTH * 8 {
            return None;
        }
        let parents = pipeline
            .config
            .as_ref()
            .and_then(|c| c.get(name))
            .and_then(|entry| entry.get("extends"));
        for parent in parents.map(|p| p.flattened()).unwrap_or_default() {
            if let Some(parent) = parent.as_str()
                && !names.contains(&parent)
            {
                names.push(parent);
            }
        }
    }
    if names
        .iter()
        .any(|name| pipeline.undefined_in.iter().any(|u| u == name))
    {
        return None;
    }
    Some(
        unread
            .into_iter()
            .filter(|include| match include.scanning_template_word() {
                Some(word) => names.iter().any(|name| name.contains(word)),
                None => true,
            })
            .collect(),
    )
}

/// `finding` told as what holds unless an include tplint cannot read
/// `gives` the job what it lacks, with those includes as related
/// locations; whether it was.
fn hedge<'a>(finding: Finding<'a>, unread: &[&Include], gives: &str) -> (Finding<'a>, bool) {
    let mut finding = finding;
    let Some(first) = unread.first() else {
        return (finding, false);
    };
    let mut shown: Vec<String> = Vec::new();
    for include in unread {
        let text = format!("`{}`", crate::gitlab::job::include_text(include));
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    let unless = if shown.len() == 1 {
        format!(
            "; unless the include `{}` that tplint does not read {gives}",
            crate::gitlab::job::include_text(first)
        )
    } else {
        let more = shown.len().saturating_sub(MAX_HEDGED_INCLUDES);
        shown.truncate(MAX_HEDGED_INCLUDES);
        format!(
            "; unless one of the includes tplint does not read ({}{}) {gives}",
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        )
    };
    finding.message.push_str(&unless);
    for include in unread.iter().take(MAX_HEDGED_INCLUDES) {
        finding.related.push((
            include.location,
            "an include tplint does not read".to_string(),
        ));
    }
    (finding, true)
}

/// Most unread includes one finding names.
const MAX_HEDGED_INCLUDES: usize = 3;

/// An upload to a registry that trusts GitLab CI/CD only through a token
/// exchange (crates.io, NuGet.org) by its own client, given no token the
/// pipeline shows, in a job that calls no exchange and runs nothing tplint
/// cannot read: the token comes from outside the file.
fn tokenless_exchange(facts: &GitlabJobFacts, site: &PublishSite) -> bool {
    let Some(index) = site.index() else {
        return false;
    };
    let exchange = match index {
        Registry::CratesIo => &facts.crates_io_id_token,
        Registry::NuGet => &facts.nuget_id_token,
        _ => return false,
    };
    index.exchanges_on_gitlab()
        && index
            .gitlab()
            .is_some_and(|g| g.uploaders.contains(&site.uploader))
        && site.auth == Auth::Unknown
        && site.secret.is_none()
        && exchange.is_none()
        && facts.opaque.is_empty()
}

/// TP201's note for [`tokenless_exchange`] uploads: one per registry.
fn tokenless_exchanges<'a>(
    pipeline: &'a GitlabPipeline,
    job: &GitlabJob,
    facts: &GitlabJobFacts,
    unread: &[&Include],
) -> Vec<MissingIdToken<'a>> {
    let mut out = Vec::new();
    let mut seen: Vec<Registry> = Vec::new();
    for site in &facts.publish_sites {
        if !tokenless_exchange(facts, site) {
            continue;
        }
        let (Some(index), Some(gitlab)) = (site.index(), site.index().and_then(Registry::gitlab))
        else {
            continue;
        };
        if seen.contains(&index) {
            continue;
        }
        seen.push(index);
        let name = &job.name.value;
        let tool = site.name();
        let shown = index.display_name();
        let finding = found(
            pipeline,
            job.name.location,
            format!(
                "job `{name}` runs `{tool}` to {shown} with no token in the pipeline and no token exchange: the token it publishes with comes from outside the file (a CI/CD variable of the project's settings, or a file the job finds)"
            ),
            format!(
                "{shown} can trust the job's ID token instead of a long-lived token: register a GitLab publisher on {shown} and use {}",
                gitlab.publish_hint
            ),
        );
        let (finding, _) = hedge(finding, unread, "gives it one");
        out.push(MissingIdToken {
            finding: with_upload(finding, site, "the upload"),
            certain: false,
            grant: None,
        });
    }
    out
}

/// The ID token npm signs provenance with on GitLab CI/CD (sigstore-js,
/// which npm bundles, reads it in `@sigstore/sign`
/// `dist/identity/ci.js`, with the audience `sigstore`; npm's trusted
/// publishing documentation shows it beside `NPM_ID_TOKEN`).
const SIGSTORE_ID_TOKEN: &str = "SIGSTORE_ID_TOKEN";

/// Whether a job uses (or may use) its ID token `name`.
fn uses_token(job: &GitlabJob, facts: &GitlabJobFacts, name: &str) -> bool {
    let named =
        |text: &str| text.contains(&format!("${name}")) || text.contains(&format!("${{{name}}}"));
    !facts.publish_sites.is_empty()
        || !facts.opaque.is_empty()
        || facts.mints_token
        || facts.id_token_uses.iter().any(|u| u.value == name)
        || facts.crates_io_id_token.as_deref() == Some(name)
        || facts.nuget_id_token.as_deref() == Some(name)
        || job.variables.iter().any(|v| named(&v.value.value))
        || job.all_lines().any(|l| l.text.contains("-m id "))
        || job.script.is_empty()
        || job.trigger.is_some()
}

/// ID tokens meant for a registry that nothing in their job uses: a job's
/// own entry, or a `default:` entry (one finding, naming the jobs).
pub fn unused_id_tokens<'a>(
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<UnusedIdToken<'a>> {
    let mut unused = Vec::new();
    // An include tplint cannot read may add script lines that use it.
    if !pipeline.complete() {
        return unused;
    }
    // `default:` entries: one finding at the entry, naming the jobs.
    let mut from_default: Vec<(Location, String, Vec<String>, usize, &str)> = Vec::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        for token in &job.id_tokens {
            let Some((aud, registry)) = token
                .aud
                .iter()
                .find_map(|a| Some((a, Registry::of_gitlab_audience(&a.value)?)))
            else {
                continue;
            };
            let shown = registry.display_name();
            let used = uses_token(job, facts, &token.name.value);
            if job.id_tokens_from_default {
                let at = token.name.location;
                let index = match from_default.iter().position(|e| e.0 == at) {
                    Some(index) => index,
                    None => {
                        from_default.push((at, token.name.value.clone(), Vec::new(), 0, shown));
                        from_default.len() - 1
                    }
                };
                if let Some(entry) = from_default.get_mut(index) {
                    entry.3 += 1;
                    if !used {
                        entry.2.push(job.name.value.clone());
                    }
                }
                continue;
            }
            if used {
                continue;
            }
            unused.push(UnusedIdToken {
                finding: found(
                    pipeline,
                    aud.location,
                    format!(
                        "job `{}` gets {shown}'s ID token (`{}`, `aud: {}`), but nothing in it uploads or reads the token",
                        job.name.value, token.name.value, aud.value
                    ),
                    format!("remove the entry, so that code running in this job cannot publish to {shown} with it"),
                ),
            });
        }
    }
    for (location, name, needless, all, shown) in from_default {
        if needless.is_empty() {
            continue;
        }
        let listed = needless
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let scope = if needless.len() == all {
            "no job that inherits it uploads or reads it".to_string()
        } else {
            format!(
                "{} {listed} {} it without uploading or reading it",
                if needless.len() == 1 { "job" } else { "jobs" },
                if needless.len() == 1 { "gets" } else { "get" },
            )
        };
        unused.push(UnusedIdToken {
            finding: found(
                pipeline,
                location,
                format!("`default:id_tokens` gives every job {shown}'s ID token `{name}`; {scope}"),
                "move the entry to the `id_tokens:` of the job that publishes".to_string(),
            ),
        });
    }
    unused
}

/// Whether an upload goes to PyPI or TestPyPI, or to an index named by a
/// variable, which may be either.
fn to_pypi(site: &PublishSite) -> bool {
    !matches!(site.target, Target::Custom(_))
}

/// The registry the pipeline uploads to, or holds an ID token for (PyPI
/// when the upload's target is a variable).
fn publishes(pipeline: &GitlabPipeline, gitlab: &GitlabFacts) -> Option<Registry> {
    let uploaded = gitlab
        .jobs
        .iter()
        .flat_map(|f| f.publish_sites.iter())
        .find(|s| to_pypi(s))
        .map(|s| s.index().unwrap_or(Registry::Pypi));
    uploaded.or_else(|| {
        pipeline
            .jobs
            .iter()
            .flat_map(|j| j.id_tokens.iter())
            .flat_map(|t| t.aud.iter())
            .find_map(|a| Registry::of_gitlab_audience(&a.value))
    })
}

/// In a pipeline that publishes: includes of other projects by branch or
/// tag (or none), remote includes, components by version, and the images
/// of publish jobs by tag.
pub fn unpinned_references<'a>(
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<UnpinnedReference<'a>> {
    let mut unpinned = Vec::new();
    let Some(registry) = publishes(pipeline, gitlab) else {
        return unpinned;
    };
    for include in &pipeline.includes {
        if include.pinned != Some(false) {
            continue;
        }
        let target = &include.target.value;
        // A variable may stand for a commit SHA: not judged.
        let variable_ref = match include.kind {
            IncludeKind::Remote => target.contains('$'),
            _ => include
                .reference
                .as_ref()
                .is_some_and(|r| r.value.contains('$')),
        };
        if variable_ref {
            continue;
        }
        let (location, message, help) = match include.kind {
            IncludeKind::Project => match &include.reference {
                Some(reference) => (
                    reference.location,
                    format!(
                        "project `{target}` is included at `ref: {}`, a branch or tag that can be moved to other configuration",
                        reference.value
                    ),
                    "set `ref:` to the full 40-character commit SHA, with the tag as a comment",
                ),
                None => (
                    include.target.location,
                    format!(
                        "project `{target}` is included without `ref:`, so its default branch's latest configuration runs in this pipeline"
                    ),
                    "add `ref:` with the full 40-character commit SHA, with the tag as a comment",
                ),
            },
            IncludeKind::Remote => (
                include.target.location,
                format!(
                    "remote file `{target}` is fetched each time the pipeline is created, and can change to other configuration at any time"
                ),
                "include the file from a project at a full commit SHA (`project:`, `ref:`), or copy it into this repository",
            ),
            IncludeKind::Component => (
                include
                    .reference
                    .as_ref()
                    .map_or(include.target.location, |r| r.location),
                format!(
                    "component `{target}` is included by a version, not a commit SHA, so the configuration behind it can change"
                ),
                "use the component at the full 40-character commit SHA of the release, with the version as a comment",
            ),
            _ => continue,
        };
        unpinned.push(UnpinnedReference {
            finding: found(
                pipeline,
                location,
                format!("{message}; its jobs and `default:` run in the same pipeline as the upload to {registry}"),
                help.to_string(),
            ),
            severity: None,
            pin: None,
        });
    }
    let mut reported: HashSet<Location> = HashSet::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        if !facts.publish_sites.iter().any(to_pypi) {
            continue;
        }
        let Some(image) = &job.image else { continue };
        let name = image.value.trim();
        // An empty name is an image tplint could not resolve (a `!reference`
        // into an include it does not read).
        if name.is_empty()
            || name.contains("@sha256:")
            || name.contains('$')
            || !reported.insert(image.location)
        {
            continue;
        }
        unpinned.push(UnpinnedReference {
            finding: found(
                pipeline,
                image.location,
                format!(
                    "the image `{name}` of publish job `{}` is not pinned by digest, so its tag can be moved to another image",
                    job.name.value
                ),
                format!("pin the digest: `{name}@sha256:<digest>`"),
            ),
            // Images by tag are the norm in pipelines: a note.
            severity: Some(Severity::Info),
            pin: None,
        });
    }
    unpinned
}

/// The first release of each uploader that does trusted publishing on
/// GitLab: twine 6.1.0 ("preliminary built-in support for Trusted
/// Publishing", pypa/twine `docs/changelog.rst`, 2025-01-17, GitLab through
/// `id`), uv 0.8.18 ("Support Gitlab CI/CD as a trusted publisher (#15583)",
/// astral-sh/uv `changelogs/0.8.x.md`), pdm 2.23.1 (pdm-project/pdm
/// 0fabc965 "Support more OIDC providers (#3442)": `detect_credential` of
/// `id`, first in tag 2.23.1; `src/pdm/cli/commands/publish/repository.py`
/// tries it when no password is given).
const FIRST_GITLAB_RELEASE: &[(Uploader, &str, [u64; 3])] = &[
    (Uploader::Twine, "twine", [6, 1, 0]),
    (Uploader::Uv, "uv", [0, 8, 18]),
    (Uploader::Pdm, "pdm", [2, 23, 1]),
];

/// A version's first three numbers; pre-release suffixes are dropped, so
/// `6.1.0rc1` reads as `6.1.0` (never older than what it precedes).
fn version(text: &str) -> Option<[u64; 3]> {
    let mut parts = [0u64; 3];
    for (slot, part) in parts.iter_mut().zip(text.split('.')) {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        *slot = digits.parse().ok()?;
    }
    Some(parts)
}

/// Jobs that rely on trusted publishing with twine or uv pinned (by an
/// install, else by the job's image) to a release older than the first
/// that does it on GitLab.
pub fn old_uploaders<'a>(
    repo: &'a Repository,
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<OldUploader<'a>> {
    let mut old = Vec::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        // A job that exchanges the token itself gives the tool a password.
        if facts.mints_token {
            continue;
        }
        for (uploader, tool, first) in FIRST_GITLAB_RELEASE {
            let Some(site) = facts.publish_sites.iter().find(|s| {
                s.uploader == *uploader
                    && !gives_username(repo, job, s)
                    && tp_site(s).is_some_and(|index| relies_on_tp(job, facts, index))
            }) else {
                continue;
            };
            // The version that runs: the last install, else the image's.
            let pins: Vec<_> = facts.tool_pins.iter().filter(|p| p.tool == *tool).collect();
            let effective = pins
                .iter()
                .rev()
                .find(|p| !p.from_image)
                .or_else(|| pins.first());
            let Some(pin) = effective else { continue };
            let Some(pinned) = version(&pin.version) else {
                continue;
            };
            if pinned >= *first {
                continue;
            }
            let [a, b, c] = first;
            let what = if pin.from_image {
                format!("the job's image pins {tool} {}", pin.version)
            } else {
                format!("job `{}` installs {tool} {}", job.name.value, pin.version)
            };
            let mut finding = found(
                pipeline,
                pin.location,
                format!(
                    "{what}, but {tool} does trusted publishing on GitLab only from {a}.{b}.{c} on, so the upload finds no credentials"
                ),
                format!("use {tool} {a}.{b}.{c} or later"),
            );
            finding.related.push((
                site.location(),
                "the upload by trusted publishing".to_string(),
            ));
            old.push(OldUploader { finding });
        }
    }
    old
}

/// ID tokens whose audience the upload's registry does not accept (a list
/// where the registry takes one, another registry's, a letter case off, a
/// variable), or named otherwise than the uploader reads them. PyPI decodes
/// the token with a strict audience: one string, exactly its own
/// (pypi/warehouse `warehouse/oidc/services.py`).
pub fn wrong_audiences<'a>(
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<WrongAudience<'a>> {
    let mut wrong = Vec::new();
    let mut reported: HashSet<Location> = HashSet::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        for token in job.id_tokens.iter().filter(|t| t.aud_is_list) {
            // Only a registry that says it takes one audience (PyPI).
            let Some((listed, registry)) = token.aud.iter().find_map(|a| {
                let registry = Registry::of_gitlab_audience(&a.value)?;
                (registry.accepts_audience_list() == Some(false)).then_some((a, registry))
            }) else {
                continue;
            };
            if !reported.insert(token.aud_location) {
                continue;
            }
            let single = yaml_aud(listed.value.trim());
            let shown = registry.display_name();
            wrong.push(WrongAudience {
                finding: found(
                    pipeline,
                    token.aud_location,
                    format!(
                        "the `aud` of ID token `{}` is a list, so the token carries several audiences, and {shown} accepts only tokens whose one audience is its own",
                        token.name.value
                    ),
                    format!(
                        "give the token one audience, `aud: {single}`, and add a separate entry for any other audience"
                    ),
                ),
                severity: None,
            });
        }
        // An include tplint cannot read may add the entry the upload needs
        // (GitLab merges included configuration under the file's own).
        if !pipeline.complete() {
            continue;
        }
        let uploads = tp_indexes(facts);
        for &index in &uploads {
            let aud = index.gitlab_audience();
            let quoted = yaml_aud(aud);
            let variable = variable_for(facts, index);
            let Some(site) = facts
                .publish_sites
                .iter()
                .find(|s| tp_site(s) == Some(index))
            else {
                continue;
            };
            let tool = site.name();
            // Who reads the variable: the uploader, or the registry's
            // exchange (crates.io, NuGet.org).
            let reader = if index.exchanges_on_gitlab() {
                "the job's token exchange".to_string()
            } else {
                format!("`{tool}`")
            };
            let shown = index.display_name();
            let (location, message, help, severity) = match token_for(job, facts, &uploads, index) {
                TokenFor::Ready | TokenFor::InList | TokenFor::Missing => continue,
                // The job's script exchanges the token itself, by its name.
                TokenFor::WrongName(_) if facts.mints_token => continue,
                TokenFor::WrongName(token) => (
                    token.name.location,
                    format!(
                        "ID token `{}` has `aud: {aud}`, but {reader} looks for the token in `{variable}`, so it finds none",
                        token.name.value
                    ),
                    format!("rename the entry to `{variable}`"),
                    Severity::Error,
                ),
                TokenFor::Variable(token, value) => (
                    token.aud_location,
                    format!(
                        "the audience of ID token `{}` is `{value}`, a CI/CD variable; the upload to {shown} needs `aud: {aud}` in `{variable}`, which tplint cannot check",
                        token.name.value
                    ),
                    format!("write the audience out: `{variable}: {{aud: {quoted}}}`"),
                    Severity::Info,
                ),
                TokenFor::Case(token, value) => (
                    token.aud_location,
                    format!(
                        "ID token `{}` has `aud: {value}`, but {shown} compares the audience exactly with `{aud}`",
                        token.name.value
                    ),
                    format!("write `aud: {quoted}`"),
                    Severity::Error,
                ),
                // npm names the audience after the registry's host
                // (`npm:<host>`, npm/cli `lib/utils/oidc.js`): another host
                // of npm's own may be the one the job publishes to.
                TokenFor::NamedOther(_, value)
                    if index.audience_match(value) == AudienceMatch::AnotherHost =>
                {
                    continue;
                }
                TokenFor::NamedOther(token, value) | TokenFor::OtherIndex(token, value) => (
                    token.aud_location,
                    format!(
                        "ID token `{}` has `aud: {value}`, but the job uploads to {shown}, which asks for a token with audience `{aud}` in `{variable}`",
                        token.name.value
                    ),
                    format!("for {shown}, use `{variable}: {{aud: {quoted}}}`"),
                    Severity::Error,
                ),
            };
            if !reported.insert(location) {
                continue;
            }
            wrong.push(WrongAudience {
                finding: with_upload(found(pipeline, location, message, help), site, "the upload"),
                severity: Some(severity),
            });
        }
    }
    wrong
}

/// Most uploads of one job compared pairwise (real jobs have one or two).
const MAX_UPLOADS_COMPARED: usize = 16;

/// Whether a shell word occurs in `text` (a keyword such as `else`).
fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
        .any(|w| w == word)
}

/// How two uploads relate in a job's run.
enum Together {
    /// Both run, one after the other.
    Always,
    /// The second runs only when the first failed (`||`).
    Fallback,
    /// Shell conditions decide.
    Maybe,
    /// Branches of one `if`/`case`: never both.
    Exclusive,
}

fn together(repo: &Repository, first: &PublishSite, second: &PublishSite) -> Together {
    if first.file != second.file || first.span.end > second.span.start {
        return Together::Maybe;
    }
    let text = &repo.sources.get(first.file).text;
    let Some(between) = text.get(first.span.end..second.span.start) else {
        return Together::Maybe;
    };
    let branch = has_word(between, "else") || has_word(between, "elif") || between.contains(";;");
    let closed = has_word(between, "fi") || has_word(between, "esac");
    if branch && !closed {
        return Together::Exclusive;
    }
    if ["if", "then", "else", "elif", "fi", "case", "esac"]
        .iter()
        .any(|w| has_word(between, w))
        || between.contains(";;")
    {
        return Together::Maybe;
    }
    if between.contains("||") {
        return Together::Fallback;
    }
    Together::Always
}

/// Whether an upload is inside a shell loop of its line.
fn in_loop(repo: &Repository, job: &GitlabJob, site: &PublishSite) -> bool {
    let line = if site.via.is_empty() {
        job.all_lines().nth(site.step)
    } else {
        None
    };
    let Some(line) = line else { return false };
    let text = &repo.sources.get(line.location.file).text;
    let (Some(before), Some(after)) = (
        text.get(line.location.span.start..site.span.start),
        text.get(site.span.end..line.location.span.end),
    ) else {
        return false;
    };
    has_word(before, "do") && has_word(after, "done")
}

/// Second uploads (and uploads in a loop) by trusted publishing that spend
/// a job's single-use ID token again. GitLab gives a job one ID token per
/// entry, minted when the job starts, and PyPI accepts each token once
/// (`jti`, pypi/warehouse `warehouse/oidc/models/_core.py`).
pub fn spent_tokens<'a>(
    repo: &'a Repository,
    pipeline: &'a GitlabPipeline,
    gitlab: &'a GitlabFacts,
) -> Vec<SpentToken<'a>> {
    let mut spent = Vec::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        // A job that exchanges the token itself may reuse the API token.
        if facts.mints_token {
            continue;
        }
        let uploads = tp_indexes(facts);
        for &index in &uploads {
            if !matches!(token_for(job, facts, &uploads, index), TokenFor::Ready) {
                continue;
            }
            // A registry that accepts a token again (npm) lets one job
            // publish several packages with it.
            if !index.gitlab().is_some_and(|g| g.single_use) {
                continue;
            }
            let variable = token_variable(index);
            let (sites, sets): (Vec<&PublishSite>, Vec<Option<&Vec<usize>>>) = facts
                .publish_sites
                .iter()
                .enumerate()
                .filter(|(_, s)| tp_site(s) == Some(index) && !gives_username(repo, job, s))
                .map(|(i, s)| (s, facts.matrix_sets.get(i)))
                .unzip();
            // Uploads that only different `parallel: matrix:` jobs reach
            // spend different tokens.
            let other_jobs = |i: usize, j: usize| match (sets[i], sets[j]) {
                (Some(a), Some(b)) => !a.iter().any(|x| b.contains(x)),
                _ => false,
            };
            let name = &job.name.value;
            let help = format!(
                "upload every file with one command (`twine upload dist/*` or `uv publish`), or give each upload its own job with its own `{variable}`"
            );
            if let [site] = sites.as_slice() {
                if in_loop(repo, job, site) {
                    spent.push(SpentToken {
                        finding: found(
                            pipeline,
                            site.location(),
                            format!(
                                "job `{name}` uploads to {} by trusted publishing inside a loop; GitLab gives the job one ID token, and PyPI accepts it once, so a second pass fails",
                                index.display_name()
                            ),
                            help,
                        ),
                        severity: Severity::Warning,
                    });
                }
                continue;
            }
            // The pair most certain to run together.
            let rank = |t: &Together| match t {
                Together::Always => 3,
                Together::Fallback => 2,
                Together::Maybe => 1,
                Together::Exclusive => 0,
            };
            let mut best: Option<(Together, &PublishSite, &PublishSite)> = None;
            for (i, first) in sites.iter().take(MAX_UPLOADS_COMPARED).enumerate() {
                for (j, second) in sites
                    .iter()
                    .enumerate()
                    .take(MAX_UPLOADS_COMPARED)
                    .skip(i + 1)
                {
                    let how = if other_jobs(i, j) {
                        Together::Exclusive
                    } else {
                        together(repo, first, second)
                    };
                    if best.as_ref().is_none_or(|(b, _, _)| rank(&how) > rank(b)) {
                        best = Some((how, first, second));
                    }
                }
            }
            let Some((how, first, second)) = best else {
                continue;
            };
            let (severity, message) = match how {
                Together::Exclusive => continue,
                Together::Always => (
                    Severity::Error,
                    format!(
                        "job `{name}` uploads to {} by trusted publishing a second time; GitLab gives the job one ID token (`{variable}`), which PyPI accepts once, so this exchange fails",
                        index.display_name()
                    ),
                ),
                Together::Fallback => (
                    Severity::Warning,
                    format!(
                        "in job `{name}`, this upload to {} runs when the first fails, but if the first got as far as exchanging the job's one ID token (`{variable}`), PyPI refuses it here again, so the fallback cannot succeed by trusted publishing",
                        index.display_name()
                    ),
                ),
                Together::Maybe => (
                    Severity::Info,
                    format!(
                        "job `{name}` has two uploads to {} by trusted publishing; if one run reaches both, the second fails, since GitLab gives the job one ID token (`{variable}`) and PyPI accepts it once",
                        index.display_name()
                    ),
                ),
            };
            let mut finding = found(pipeline, second.location(), message, help);
            finding.related.push((
                first.location(),
                "the first upload, which spends the token".to_string(),
            ));
            spent.push(SpentToken {
                finding: with_via(finding, &second.via),
                severity,
            });
        }
    }
    spent
}

/// Each upload to npm of the pipeline's jobs, with whether the job runs
/// something tplint cannot see into before it.
pub fn npm_uploads(gitlab: &GitlabFacts) -> Vec<NpmUpload<'_>> {
    let token = Registry::Npm
        .gitlab()
        .map_or("NPM_ID_TOKEN", |g| g.id_token);
    let mut uploads = Vec::new();
    for job in &gitlab.jobs {
        for site in &job.publish_sites {
            let Some(npm) = site.npm.as_ref() else {
                continue;
            };
            if site.index() != Some(Registry::Npm) {
                continue;
            }
            uploads.push(NpmUpload {
                site,
                npm,
                runs_job_npm: site.uploader == Uploader::Npm,
                unseen_before: job.opaque.iter().any(|o| o.top <= site.step),
                grant: format!("`{token}`"),
                newer_node: "`image: node:24`",
                grant_used_elsewhere: !job.opaque.is_empty()
                    || job
                        .publish_sites
                        .iter()
                        .any(|other| !std::ptr::eq(other, site) && other.is_oidc()),
            });
        }
    }
    uploads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert!(has_word("; else twine", "else"));
        assert!(!has_word("elsewhere", "else"));
        assert!(has_word("for f in dist/*; do", "do"));
    }

    #[test]
    fn versions_compare_by_their_numbers() {
        assert_eq!(version("6.0.1"), Some([6, 0, 1]));
        assert_eq!(version("6.1"), Some([6, 1, 0]));
        assert_eq!(version("6.1.0rc1"), Some([6, 1, 0]));
        assert!(version("0.8.17").unwrap() < [0, 8, 18]);
        assert!(version("0.10.0").unwrap() > [0, 8, 18]);
        assert_eq!(version("x"), None);
    }
}
