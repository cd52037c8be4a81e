//! The pipeline rules on GitLab CI/CD: the checks of TP001/TP002, TP201,
//! TP203 and TP501 for a `.gitlab-ci.yml` and the files it includes, and
//! the GitLab-only rules TP205, TP311 and TP606. (TP303, TP304, TP401,
//! TP601 and TP602 are written once for every CI system, over the views of
//! [`crate::facts::publish_job`]; what a job's ID tokens offer each
//! registry, and whether it runs in merge request pipelines, is in
//! [`crate::gitlab::facts`].)
//!
//! Facts they rest on (SPEC section 2, with sources):
//! - The job gets an ID token only from `id_tokens:`; a job-level
//!   `id_tokens` replaces `default:id_tokens` (GitLab `doc/ci/yaml/_index.md`,
//!   `id_tokens`, `default`).
//! - twine (6.1.0 and later, through `id`) and uv (0.8.18 and later, through
//!   `ambient-id`) read the token from `<AUDIENCE>_ID_TOKEN`, the audience
//!   being what the index's `/_/oidc/audience` says: `pypi` or `testpypi`
//!   (di/id `id/_internal/oidc/ambient.py` `detect_gitlab`;
//!   astral-sh/ambient-id `src/gitlab.rs`; twine `docs/changelog.rst` 6.1.0;
//!   uv `changelogs/0.8.x.md` 0.8.18).
//! - PyPI decodes the token with a strict audience: one string, exactly its
//!   own (pypi/warehouse `warehouse/oidc/services.py`), and accepts each
//!   token once (`jti`, `warehouse/oidc/models/_core.py`); GitLab mints the
//!   token once, when the job starts.
//! - A password or token given to twine or uv disables trusted publishing
//!   (twine `twine/auth.py`; uv `crates/uv-publish/src/lib.rs`).
//!
//! GitLab puts the project's CI/CD variables (set in its settings, not in
//! the file) into every job's environment, so an upload with no password
//! in the file may still use one: without other signs of trusted
//! publishing, a missing ID token is only an info.

use std::collections::HashSet;

use super::Context;
use crate::catalogue::{
    ID_TOKEN_AUDIENCE, ID_TOKEN_MISSING, ID_TOKEN_UNUSED, INVALID_WORKFLOW, INVALID_YAML,
    OIDC_TOKEN_REUSED, UNPINNED_ACTION, UPLOADER_TOO_OLD,
};
use crate::config::{Platform, Publisher};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::{PublishSite, Target, Uploader};
use crate::gitlab::facts::{
    GITLAB_WORDS, GitlabFacts, GitlabJobFacts, TokenFor, audience, gitlab_registries, relies_on_tp,
    token_for, token_variable, tp_indexes, tp_site, variable_for, yaml_aud,
};
use crate::gitlab::{GitlabJob, GitlabPipeline, IncludeKind};
use crate::registry::Registry;

/// The first release of each uploader that does trusted publishing on
/// GitLab: twine 6.1.0 ("preliminary built-in support for Trusted
/// Publishing", pypa/twine `docs/changelog.rst`, 2025-01-17, GitLab through
/// `id`), uv 0.8.18 ("Support Gitlab CI/CD as a trusted publisher (#15583)",
/// astral-sh/uv `changelogs/0.8.x.md`).
const FIRST_GITLAB_RELEASE: &[(Uploader, &str, [u64; 3])] = &[
    (Uploader::Twine, "twine", [6, 1, 0]),
    (Uploader::Uv, "uv", [0, 8, 18]),
];

/// Whether `value` is npm's audience for another of npm's hosts
/// (`npm:registry.npmjs.com`).
fn another_npm_host(index: Registry, value: &str) -> bool {
    let value = value.trim();
    index == Registry::Npm
        && value != audience(index)
        && value
            .strip_prefix("npm:")
            .is_some_and(|host| index.info().upload_hosts.contains(&host))
}

/// The registry whose audience a value names, in any letter case.
fn registry_of_audience(value: &str) -> Option<Registry> {
    gitlab_registries()
        .find(|(_, g)| g.audience.eq_ignore_ascii_case(value.trim()))
        .map(|(registry, _)| registry)
}

fn gitlab<'a>(context: &Context<'a>) -> Option<(&'a GitlabPipeline, &'a GitlabFacts)> {
    Some((
        context.repo.gitlab.as_ref()?,
        context.facts.gitlab.as_ref()?,
    ))
}

/// The GitLab publishers declared in the configuration.
fn gitlab_publishers<'a>(context: &Context<'a>) -> impl Iterator<Item = &'a Publisher> + 'a {
    context
        .repo
        .config
        .publishers
        .iter()
        .filter(|p| p.platform == Platform::Gitlab)
}

/// Push `diagnostic` with the `include:` entries that lead to its file (or,
/// for a finding in a repository script, to the pipeline file that runs it).
fn push(pipeline: &GitlabPipeline, out: &mut Vec<Diagnostic>, diagnostic: Diagnostic) {
    out.push(pipeline.with_include_chain(diagnostic));
}

/// Note the script line (and files on the way) that lead to a location in
/// a repository script.
fn with_via(diagnostic: Diagnostic, via: &[Location]) -> Diagnostic {
    diagnostic.with_via_as(via, GITLAB_WORDS.via_first)
}

/// Whether the upload is given a username other than `__token__`, with
/// which twine does not try trusted publishing (`twine/auth.py`) and uv's
/// `automatic` mode skips it (`crates/uv-publish/src/lib.rs`).
fn gives_username(context: &Context<'_>, job: &GitlabJob, site: &PublishSite) -> bool {
    let (variable, flags): (&str, &[&str]) = match site.uploader {
        Uploader::Twine => ("TWINE_USERNAME", &["-u", "--username"]),
        Uploader::Uv => ("UV_PUBLISH_USERNAME", &["-u", "--username"]),
        _ => return false,
    };
    let not_token = |value: &str| {
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        !value.is_empty() && value != "__token__"
    };
    if job
        .variables
        .iter()
        .any(|v| v.name.value == variable && not_token(&v.value.value))
    {
        return true;
    }
    let text = &context.repo.sources.get(site.file).text;
    let line = text
        .get(site.span.end..)
        .and_then(|rest| rest.split('\n').next())
        .unwrap_or_default();
    let words: Vec<&str> = line.split_whitespace().collect();
    words.iter().enumerate().any(|(i, word)| {
        if let Some(value) = word.strip_prefix("--username=") {
            return not_token(value);
        }
        flags.contains(word) && words.get(i + 1).is_some_and(|value| not_token(value))
    })
}

/// Whether an upload goes to PyPI or TestPyPI, or to an index named by a
/// variable, which may be either.
fn to_pypi(site: &PublishSite) -> bool {
    !matches!(site.target, Target::Custom(_))
}

/// The `default:id_tokens` entry with audience `aud`, if any.
fn default_token(pipeline: &GitlabPipeline, aud: &str) -> Option<Location> {
    let tokens = pipeline.config.as_ref()?.get("default")?.get("id_tokens")?;
    tokens.as_mapping()?.iter().find_map(|entry| {
        let value = entry.value.get("aud")?;
        (value.as_str()?.trim() == aud).then_some(entry.key.location)
    })
}

pub(super) fn invalid_yaml(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(top) = context.repo.gitlab.as_ref() else {
        return;
    };
    for part in with_children(top) {
        invalid_yaml_in(context, &part, out);
    }
}

/// A pipeline whose TP001/TP002 are reported: the top-level one, or a
/// child pipeline with the files it alone reads and the entry that starts it.
struct Part<'p> {
    pipeline: &'p GitlabPipeline,
    /// `None`: every file of the pipeline.
    own: Option<Vec<crate::source::FileId>>,
    started: Option<Location>,
}

impl Part<'_> {
    fn reports(&self, file: crate::source::FileId) -> bool {
        self.own.as_ref().is_none_or(|own| own.contains(&file))
    }

    fn started_here(&self, diagnostic: Diagnostic) -> Diagnostic {
        match self.started {
            Some(at) => diagnostic.with_related(at, "the child pipeline is started here"),
            None => diagnostic,
        }
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

fn invalid_yaml_in(context: &Context<'_>, part: &Part<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = part.pipeline;
    for file in &pipeline.files {
        let Some(error) = &file.error else { continue };
        if !part.reports(file.file) {
            continue;
        }
        // A file that does not exist has no text: the `include:` entry
        // that names it is reported (TP002).
        if file.included_by.is_some() && context.repo.sources.get(file.file).text.is_empty() {
            continue;
        }
        push(
            pipeline,
            out,
            part.started_here(Diagnostic::new(
                &INVALID_YAML,
                Location::new(file.file, error.span),
                format!("`{}` cannot be read: {}", file.path, error.message),
            )
            .with_help("GitLab will refuse this pipeline too; tplint checks the jobs it could read and concludes nothing from jobs it could not")),
        );
    }
}

pub(super) fn invalid_workflow(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(top) = context.repo.gitlab.as_ref() else {
        return;
    };
    for part in with_children(top) {
        invalid_workflow_in(&part, out);
    }
}

fn invalid_workflow_in(part: &Part<'_>, out: &mut Vec<Diagnostic>) {
    let pipeline = part.pipeline;
    for problem in &pipeline.problems {
        if !part.reports(problem.location.file) {
            continue;
        }
        let mut diagnostic =
            Diagnostic::new(&INVALID_WORKFLOW, problem.location, problem.message.clone());
        if problem.unsure {
            // A name an include tplint does not read may define: a note.
            diagnostic = diagnostic.with_severity(Severity::Info);
        }
        for (location, message) in &problem.related {
            diagnostic = diagnostic.with_related(*location, message.clone());
        }
        push(pipeline, out, part.started_here(diagnostic));
    }
}

pub(super) fn id_token_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
    // An include tplint cannot read may give the job its `id_tokens`
    // (GitLab merges included configuration under the file's own).
    if !pipeline.complete() {
        return;
    }
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        let uploads = tp_indexes(facts);
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
            if gives_username(context, job, site) {
                continue;
            }
            let aud = audience(index);
            let variable = variable_for(facts, index);
            let name = &job.name.value;
            let tool = site.uploader.name();
            let replaced = job
                .replaces_default_id_tokens
                .and_then(|key| Some((key, default_token(pipeline, aud)?)));
            // `inherit: default: false` (or a list without `id_tokens`).
            let not_inherited = job
                .node
                .entry("inherit")
                .filter(|_| job.id_tokens_key.is_none())
                .and_then(|inherit| Some((inherit.key.location, default_token(pipeline, aud)?)));
            let declared = gitlab_publishers(context).any(|p| p.index() == index);
            let required = site.uploader == Uploader::Uv && site.oidc_required;
            let quoted = yaml_aud(aud);
            let help = format!(
                "give the job:\n  {name}:\n    id_tokens:\n      {variable}:\n        aud: {quoted}"
            );
            let diagnostic = if let Some((own, default)) = replaced {
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    own,
                    format!(
                        "the `id_tokens:` of job `{name}` replace those of `default:`, which have the `{aud}` token `{tool}` needs to upload to {} by trusted publishing; GitLab does not merge the two",
                        index.display_name()
                    ),
                )
                .with_help(format!(
                    "add the entry to the job's own `id_tokens:`:\n      {variable}:\n        aud: {quoted}"
                ))
                .with_related(default, "the `default:` entry the job does not get")
            } else if let Some((inherit, default)) = not_inherited {
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    inherit,
                    format!(
                        "job `{name}` does not inherit `default:id_tokens`, which has the `{aud}` token `{tool}` needs to upload to {} by trusted publishing",
                        index.display_name()
                    ),
                )
                .with_help(format!(
                    "let the job inherit `id_tokens` (`inherit: default: [id_tokens, ...]`), or {}",
                    help.replacen("give", "give it", 1)
                ))
                .with_related(default, "the `default:` entry the job does not get")
            } else if index == Registry::CratesIo {
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    job.id_tokens_key.unwrap_or(job.name.location),
                    format!(
                        "job `{name}` exchanges `${variable}` at crates.io for the token of `{tool}`, but has no `id_tokens` entry `{variable}`, so the exchange is refused and the upload fails"
                    ),
                )
                .with_help(help)
            } else if facts.mints_token || declared || required {
                let why = if declared {
                    format!(
                        "a GitLab publisher for {} is declared",
                        index.display_name()
                    )
                } else if required {
                    "`uv publish` is told to use trusted publishing".to_string()
                } else {
                    "the job exchanges an ID token at PyPI itself".to_string()
                };
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    job.id_tokens_key.unwrap_or(job.name.location),
                    format!(
                        "job `{name}` uploads to {} by trusted publishing ({why}), but has no `id_tokens` entry with `aud: {aud}`, so `{tool}` finds no `{variable}`",
                        index.display_name()
                    ),
                )
                .with_help(help)
            } else {
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    job.name.location,
                    format!(
                        "job `{name}` runs `{tool}` to {} with no password in the pipeline and no `id_tokens` entry with `aud: {aud}`: if it relies on trusted publishing, it finds no `{variable}` and fails",
                        index.display_name()
                    ),
                )
                .with_severity(Severity::Info)
                .with_help(format!(
                    "{help}\n(if a password comes from a CI/CD variable of the project's settings, trusted publishing is not used: see TP303)"
                ))
            };
            push(
                pipeline,
                out,
                with_via(
                    diagnostic.with_related(site.location(), "the upload"),
                    &site.via,
                ),
            );
        }
    }
}

/// Whether a job uses (or may use) its ID token `name`.
fn uses_token(job: &GitlabJob, facts: &GitlabJobFacts, name: &str) -> bool {
    let named =
        |text: &str| text.contains(&format!("${name}")) || text.contains(&format!("${{{name}}}"));
    !facts.publish_sites.is_empty()
        || !facts.opaque.is_empty()
        || facts.mints_token
        || facts.id_token_uses.iter().any(|u| u.value == name)
        || facts.crates_io_id_token.as_deref() == Some(name)
        || job.variables.iter().any(|v| named(&v.value.value))
        || job.all_lines().any(|l| l.text.contains("-m id "))
        || job.script.is_empty()
        || job.trigger.is_some()
}

pub(super) fn id_token_unused(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
    // An include tplint cannot read may add script lines that use it.
    if !pipeline.complete() {
        return;
    }
    // `default:` entries: one finding at the entry, naming the jobs.
    let mut from_default: Vec<(Location, String, Vec<String>, usize, &str)> = Vec::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        for token in &job.id_tokens {
            let Some((aud, registry)) = token
                .aud
                .iter()
                .find_map(|a| Some((a, registry_of_audience(&a.value)?)))
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
            push(
                pipeline,
                out,
                Diagnostic::new(
                    &ID_TOKEN_UNUSED,
                    aud.location,
                    format!(
                        "job `{}` gets {shown}'s ID token (`{}`, `aud: {}`), but nothing in it uploads or reads the token",
                        job.name.value, token.name.value, aud.value
                    ),
                )
                .with_help(format!("remove the entry, so that code running in this job cannot publish to {shown} with it")),
            );
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
        push(
            pipeline,
            out,
            Diagnostic::new(
                &ID_TOKEN_UNUSED,
                location,
                format!("`default:id_tokens` gives every job {shown}'s ID token `{name}`; {scope}"),
            )
            .with_help("move the entry to the `id_tokens:` of the job that publishes"),
        );
    }
}

pub(super) fn id_token_audience(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
    let mut reported: HashSet<Location> = HashSet::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        for token in job.id_tokens.iter().filter(|t| t.aud_is_list) {
            // Only a registry that says it takes one audience (PyPI).
            let Some((listed, registry)) = token.aud.iter().find_map(|a| {
                let registry = registry_of_audience(&a.value)?;
                (registry.gitlab()?.audience_list == Some(false)).then_some((a, registry))
            }) else {
                continue;
            };
            if !reported.insert(token.aud_location) {
                continue;
            }
            let single = yaml_aud(listed.value.trim());
            let shown = registry.display_name();
            push(
                pipeline,
                out,
                Diagnostic::new(
                    &ID_TOKEN_AUDIENCE,
                    token.aud_location,
                    format!(
                        "the `aud` of ID token `{}` is a list, so the token carries several audiences, and {shown} accepts only tokens whose one audience is its own",
                        token.name.value
                    ),
                )
                .with_help(format!(
                    "give the token one audience, `aud: {single}`, and add a separate entry for any other audience"
                )),
            );
        }
        // An include tplint cannot read may add the entry the upload needs
        // (GitLab merges included configuration under the file's own).
        if !pipeline.complete() {
            continue;
        }
        let uploads = tp_indexes(facts);
        for &index in &uploads {
            let aud = audience(index);
            let quoted = yaml_aud(aud);
            let variable = variable_for(facts, index);
            let Some(site) = facts
                .publish_sites
                .iter()
                .find(|s| tp_site(s) == Some(index))
            else {
                continue;
            };
            let tool = site.uploader.name();
            // Who reads the variable: the uploader, or crates.io's exchange.
            let reader = if index == Registry::CratesIo {
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
                TokenFor::NamedOther(_, value) if another_npm_host(index, value) => continue,
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
            push(
                pipeline,
                out,
                with_via(
                    Diagnostic::new(&ID_TOKEN_AUDIENCE, location, message)
                        .with_severity(severity)
                        .with_help(help)
                        .with_related(site.location(), "the upload"),
                    &site.via,
                ),
            );
        }
    }
}

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

pub(super) fn uploader_too_old(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        // A job that exchanges the token itself gives the tool a password.
        if facts.mints_token {
            continue;
        }
        for (uploader, tool, first) in FIRST_GITLAB_RELEASE {
            let Some(site) = facts.publish_sites.iter().find(|s| {
                s.uploader == *uploader
                    && !gives_username(context, job, s)
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
            if let Some(pin) = effective {
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
                push(
                    pipeline,
                    out,
                    Diagnostic::new(
                        &UPLOADER_TOO_OLD,
                        pin.location,
                        format!(
                            "{what}, but {tool} does trusted publishing on GitLab only from {a}.{b}.{c} on, so the upload finds no credentials"
                        ),
                    )
                    .with_help(format!("use {tool} {a}.{b}.{c} or later"))
                    .with_related(site.location(), "the upload by trusted publishing"),
                );
            }
        }
    }
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
            .find_map(|a| registry_of_audience(&a.value))
    })
}

pub(super) fn unpinned_include(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
    let Some(registry) = publishes(pipeline, gitlab) else {
        return;
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
        push(
            pipeline,
            out,
            Diagnostic::new(&UNPINNED_ACTION, location, format!("{message}; its jobs and `default:` run in the same pipeline as the upload to {registry}"))
                .with_help(help),
        );
    }
    let mut reported: HashSet<Location> = HashSet::new();
    for (job, facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        if !facts.publish_sites.iter().any(to_pypi) {
            continue;
        }
        let Some(image) = &job.image else { continue };
        let name = image.value.trim();
        if name.contains("@sha256:") || name.contains('$') || !reported.insert(image.location) {
            continue;
        }
        push(
            pipeline,
            out,
            Diagnostic::new(
                &UNPINNED_ACTION,
                image.location,
                format!(
                    "the image `{name}` of publish job `{}` is not pinned by digest, so its tag can be moved to another image",
                    job.name.value
                ),
            )
            .with_severity(Severity::Info)
            .with_help(format!("pin the digest: `{name}@sha256:<digest>`")),
        );
    }
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

fn together(context: &Context<'_>, first: &PublishSite, second: &PublishSite) -> Together {
    if first.file != second.file || first.span.end > second.span.start {
        return Together::Maybe;
    }
    let text = &context.repo.sources.get(first.file).text;
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
fn in_loop(context: &Context<'_>, job: &GitlabJob, site: &PublishSite) -> bool {
    let line = if site.via.is_empty() {
        job.all_lines().nth(site.step)
    } else {
        None
    };
    let Some(line) = line else { return false };
    let text = &context.repo.sources.get(line.location.file).text;
    let (Some(before), Some(after)) = (
        text.get(line.location.span.start..site.span.start),
        text.get(site.span.end..line.location.span.end),
    ) else {
        return false;
    };
    has_word(before, "do") && has_word(after, "done")
}

pub(super) fn oidc_token_reused(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((pipeline, gitlab)) = gitlab(context) else {
        return;
    };
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
            let sites: Vec<&PublishSite> = facts
                .publish_sites
                .iter()
                .filter(|s| tp_site(s) == Some(index) && !gives_username(context, job, s))
                .collect();
            let name = &job.name.value;
            let help = format!(
                "upload every file with one command (`twine upload dist/*` or `uv publish`), or give each upload its own job with its own `{variable}`"
            );
            if let [site] = sites.as_slice() {
                if in_loop(context, job, site) {
                    push(
                        pipeline,
                        out,
                        Diagnostic::new(
                            &OIDC_TOKEN_REUSED,
                            site.location(),
                            format!(
                                "job `{name}` uploads to {} by trusted publishing inside a loop; GitLab gives the job one ID token, and PyPI accepts it once, so a second pass fails",
                                index.display_name()
                            ),
                        )
                        .with_severity(Severity::Warning)
                        .with_help(help),
                    );
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
                for second in sites.iter().take(MAX_UPLOADS_COMPARED).skip(i + 1) {
                    let how = together(context, first, second);
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
            push(
                pipeline,
                out,
                with_via(
                    Diagnostic::new(&OIDC_TOKEN_REUSED, second.location(), message)
                        .with_severity(severity)
                        .with_help(help)
                        .with_related(first.location(), "the first upload, which spends the token"),
                    &second.via,
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_names_its_token() {
        assert_eq!(token_variable(Registry::Pypi), "PYPI_ID_TOKEN");
        assert_eq!(token_variable(Registry::TestPypi), "TESTPYPI_ID_TOKEN");
        assert_eq!(token_variable(Registry::Npm), "NPM_ID_TOKEN");
        assert_eq!(audience(Registry::Npm), "npm:registry.npmjs.org");
        assert_eq!(
            registry_of_audience(" npm:registry.npmjs.org"),
            Some(Registry::Npm)
        );
        assert_eq!(registry_of_audience("sigstore"), None);
        assert_eq!(
            yaml_aud("npm:registry.npmjs.org"),
            "\"npm:registry.npmjs.org\""
        );
        assert!(another_npm_host(Registry::Npm, "npm:registry.npmjs.com"));
        assert!(!another_npm_host(Registry::Npm, "npm:registry.npmjs.org"));
        assert!(!another_npm_host(
            Registry::Npm,
            "https://registry.npmjs.org"
        ));
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

    #[test]
    fn shell_words() {
        assert!(has_word("; else twine", "else"));
        assert!(!has_word("elsewhere", "else"));
        assert!(has_word("for f in dist/*; do", "do"));
    }
}
