//! TP2xx: the token trusted publishing needs (GitHub's `id-token: write`,
//! GitLab's `id_tokens:`), granted where it is needed, nowhere else, and
//! for the right audience. TP201 and TP203 are written once over the views
//! of [`crate::facts::ci_view`]; TP202 and TP204 read GitHub's permission
//! blocks, and TP205 GitLab's `id_tokens:` (only GitLab lets a pipeline
//! choose a token's audience).

use std::collections::HashSet;

use super::Context;
use crate::catalogue::{
    ID_TOKEN_AUDIENCE, ID_TOKEN_MISSING, ID_TOKEN_UNUSED, ID_TOKEN_WORKFLOW_LEVEL, WRITE_ALL,
};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::WorkflowView;
use crate::facts::ci_view::{missing_id_tokens, unused_id_tokens};
use crate::facts::publish::Target;
use crate::gitlab::facts::{
    GITLAB_WORDS, TokenFor, another_npm_host, audience, registry_of_audience, token_for,
    tp_indexes, tp_site, variable_for, yaml_aud,
};
use crate::registry::Registry;
use crate::workflow::{Access, PermissionsKind};

/// TP201, written once over [`MissingIdToken`](crate::facts::ci_view::MissingIdToken)s: a job that publishes by
/// trusted publishing without the token it needs.
pub(super) fn id_token_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for missing in missing_id_tokens(context.repo, context.facts) {
        let mut diagnostic = missing.finding.diagnostic(&ID_TOKEN_MISSING);
        if !missing.certain {
            // It may log in with a password tplint cannot see.
            diagnostic = diagnostic.with_severity(Severity::Info);
        }
        if let Some((file, workflow, job)) = missing.grant {
            let text = &context.repo.sources.get(file).text;
            diagnostic = diagnostic.with_fix(crate::fix::workflow::grant_job_id_token(
                file, text, workflow, job,
            ));
        }
        out.push(diagnostic);
    }
}

/// Whether a job needs the OIDC token itself: it publishes by OIDC, uses a
/// known consumer, or calls a reusable workflow (which may need it).
/// A job whose steps tplint cannot all see may use the token there.
fn job_uses_oidc(view: &WorkflowView<'_>, index: usize) -> bool {
    let job = view.job(index);
    let facts = view.job_facts(index);
    job.call.is_some()
        || view.sites_of(index).any(|s| s.is_oidc())
        || facts.oidc_consumer
        || !facts.opaque.is_empty()
}

pub(super) fn id_token_workflow_level(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        let Some(block) = &view.workflow.permissions else {
            continue;
        };
        if block.grant("id-token") != Some(Access::Write) {
            continue;
        }
        let needless: Vec<&str> = view
            .workflow
            .jobs
            .iter()
            .enumerate()
            .filter(|(i, job)| job.permissions.is_none() && !job_uses_oidc(&view, *i))
            .map(|(_, job)| job.id.value.as_str())
            .collect();
        let what = if matches!(block.kind, PermissionsKind::WriteAll) {
            "`permissions: write-all`"
        } else {
            "`id-token: write`"
        };
        let location = Location::new(view.file.file, block.grant_span("id-token"));
        let needing: Vec<&crate::workflow::Job> = view
            .workflow
            .jobs
            .iter()
            .enumerate()
            .filter(|(i, job)| job.permissions.is_none() && job_uses_oidc(&view, *i))
            .map(|(_, job)| job)
            .collect();
        let fix = crate::fix::workflow::move_id_token(
            view.file.file,
            &context.repo.sources.get(view.file.file).text,
            view.workflow,
            &needing,
        );
        let help = "grant `id-token: write` only in the `permissions:` of the job that publishes, and keep the workflow level at `contents: read`";
        if needless.is_empty() {
            // Latent: every job that inherits the grant needs it today, but
            // the next job added without a block of its own would get it.
            let inheriting: Vec<String> = view
                .workflow
                .jobs
                .iter()
                .filter(|job| job.permissions.is_none())
                .map(|job| format!("`{}`", job.id.value))
                .collect();
            let today = if inheriting.is_empty() {
                "no job inherits it today (each has its own `permissions:`)".to_string()
            } else if inheriting.len() == 1 {
                format!(
                    "the job that inherits it ({}) uses it, or may, through steps or a called workflow tplint cannot rule out",
                    inheriting[0]
                )
            } else {
                format!(
                    "the jobs that inherit it ({}) use it, or may, through steps or called workflows tplint cannot rule out",
                    inheriting.join(", ")
                )
            };
            out.push(
                Diagnostic::new(
                    &ID_TOKEN_WORKFLOW_LEVEL,
                    location,
                    format!(
                        "{what} is granted to the whole workflow; {today}, but a job added later without its own `permissions:` would get it too"
                    ),
                )
                .with_severity(Severity::Info)
                .with_help(help)
                .with_fix(fix),
            );
            continue;
        }
        let listed = needless
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::new(
                &ID_TOKEN_WORKFLOW_LEVEL,
                location,
                format!(
                    "{what} is granted to the whole workflow, so {} {listed} can mint OIDC tokens without needing them",
                    if needless.len() == 1 { "job" } else { "jobs" }
                ),
            )
            .with_help(help)
            .with_fix(fix),
        );
    }
}

/// TP203, written once over [`UnusedIdToken`](crate::facts::ci_view::UnusedIdToken)s: a token a job is given
/// but does not use.
pub(super) fn id_token_unused(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for unused in unused_id_tokens(context.repo, context.facts) {
        out.push(unused.finding.diagnostic(&ID_TOKEN_UNUSED));
    }
}

pub(super) fn write_all(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        // A release to PyPI or TestPyPI (or an index named by an expression).
        let Some(site) = view
            .facts
            .publish_sites
            .iter()
            .find(|s| !matches!(s.target, Target::Custom(_)))
        else {
            continue;
        };
        let blocks = view.workflow.permissions.iter().map(|b| (b, None)).chain(
            view.workflow
                .jobs
                .iter()
                .filter_map(|j| j.permissions.as_ref().map(|b| (b, Some(j)))),
        );
        for (block, job) in blocks {
            if !matches!(block.kind, PermissionsKind::WriteAll) {
                continue;
            }
            let scope = match job {
                None => "every job of this publishing workflow".to_string(),
                Some(job) => format!("job `{}` of this publishing workflow", job.id.value),
            };
            out.push(
                Diagnostic::new(
                    &WRITE_ALL,
                    Location::new(view.file.file, block.span),
                    format!(
                        "`permissions: write-all` gives {scope} write access to every scope, including `contents`, `packages` and `id-token`"
                    ),
                )
                .with_help(
                    "name only the scopes each job needs, e.g. `contents: read` at workflow level and `id-token: write` on the publish job",
                )
                .with_related(
                    site.entry(),
                    "the workflow publishes here",
                ),
            );
        }
    }
}

/// TP205: a GitLab ID token whose audience the upload's registry does not
/// accept (a list where the registry takes one, another registry's, a
/// letter case off, a variable), or that is named otherwise than the
/// uploader reads it. Only GitLab lets the pipeline write the audience.
/// PyPI decodes the token with a strict audience: one string, exactly its
/// own (pypi/warehouse `warehouse/oidc/services.py`).
pub(super) fn id_token_audience(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(pipeline), Some(gitlab)) =
        (context.repo.gitlab.as_ref(), context.facts.gitlab.as_ref())
    else {
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
            out.push(pipeline.with_include_chain(
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
            ));
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
            out.push(
                pipeline.with_include_chain(
                    Diagnostic::new(&ID_TOKEN_AUDIENCE, location, message)
                        .with_severity(severity)
                        .with_help(help)
                        .with_related(site.location(), "the upload")
                        .with_via_as(&site.via, GITLAB_WORDS.via_first),
                ),
            );
        }
    }
}
