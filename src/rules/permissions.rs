//! TP2xx: the `id-token: write` permission that trusted publishing needs,
//! granted where it is needed and nowhere else.

use super::{Context, rule};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::oidc;
use crate::facts::permissions::{GrantSource, id_token};
use crate::facts::{WorkflowView, oidc_publish_jobs};
use crate::workflow::{Access, PermissionsKind};

rule!(
    ID_TOKEN_MISSING,
    "TP201",
    "id-token-missing",
    Error,
    "an OIDC publish job lacks `id-token: write`",
    Some(id_token_missing)
);

rule!(
    ID_TOKEN_WORKFLOW_LEVEL,
    "TP202",
    "id-token-workflow-level",
    Warning,
    "`id-token: write` is granted at workflow level, so every job gets it",
    Some(id_token_workflow_level)
);

fn id_token_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for job in oidc_publish_jobs(context.repo, context.facts) {
        let source = GrantSource::of(job.view.workflow, job.job);
        let Some(access) = id_token(source) else {
            continue; // an expression: not guessed
        };
        if access == Access::Write {
            continue;
        }
        let file = job.view.file.file;
        let id = &job.job.id.value;
        let (span, message) = match source {
            GrantSource::RepositoryDefault => (
                job.job.id.span,
                format!(
                    "job `{id}` publishes by trusted publishing but has no `id-token: write` permission (it defaults to `none`)"
                ),
            ),
            GrantSource::Job(block) => match &block.kind {
                PermissionsKind::Scopes(scopes)
                    if scopes.iter().any(|s| s.name.value == "id-token") =>
                {
                    (
                        block.grant_span("id-token"),
                        format!(
                            "job `{id}` sets `id-token: {}`, but trusted publishing needs `id-token: write`",
                            access.as_str()
                        ),
                    )
                }
                PermissionsKind::Scopes(_) => (
                    block.key,
                    format!(
                        "the `permissions` of job `{id}` do not grant `id-token: write`, which trusted publishing needs"
                    ),
                ),
                _ => (
                    block.span,
                    format!(
                        "the `permissions` of job `{id}` do not grant `id-token: write`, which trusted publishing needs"
                    ),
                ),
            },
            GrantSource::Workflow(block) => (
                block.grant_span("id-token"),
                format!(
                    "job `{id}` inherits workflow permissions that do not grant `id-token: write`, which trusted publishing needs"
                ),
            ),
        };
        out.push(
            Diagnostic::new(&ID_TOKEN_MISSING, Location::new(file, span), message)
                .with_help(format!(
                    "give the job its own block:\n  {id}:\n    permissions:\n      id-token: write\n(a job-level block replaces the workflow's, so add any other scope the job needs, e.g. `contents: read`)"
                ))
                .with_related(Location::new(file, job.site.span), "trusted publishing happens here"),
        );
    }
}

/// Whether a job needs the OIDC token itself: it publishes by OIDC, uses a
/// known consumer, or calls a reusable workflow (which may need it).
fn job_uses_oidc(view: &WorkflowView<'_>, index: usize) -> bool {
    let job = view.job(index);
    job.call.is_some()
        || view.sites_of(index).any(|s| s.is_oidc())
        || job.steps.iter().any(oidc::is_consumer)
}

fn id_token_workflow_level(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
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
        if needless.is_empty() {
            continue;
        }
        let what = if matches!(block.kind, PermissionsKind::WriteAll) {
            "`permissions: write-all`"
        } else {
            "`id-token: write`"
        };
        let listed = needless
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Diagnostic::new(
                &ID_TOKEN_WORKFLOW_LEVEL,
                Location::new(view.file.file, block.grant_span("id-token")),
                format!(
                    "{what} is granted to the whole workflow, so {} {listed} can mint OIDC tokens without needing them",
                    if needless.len() == 1 { "job" } else { "jobs" }
                ),
            )
            .with_help(
                "grant `id-token: write` only in the `permissions:` of the job that publishes, and keep the workflow level at `contents: read`",
            ),
        );
    }
}
