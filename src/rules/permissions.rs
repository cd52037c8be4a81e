//! TP2xx: the token trusted publishing needs (GitHub's `id-token: write`,
//! GitLab's `id_tokens:`), granted where it is needed, nowhere else, and
//! for the right audience. TP201 and TP203 are written once over the views
//! of [`crate::facts::ci_view`]; TP202 and TP204 read GitHub's permission
//! blocks. TP205 reads the same view, which only GitLab's front end fills
//! (only GitLab lets a pipeline choose a token's audience).

use super::Context;
use crate::catalogue::{
    ID_TOKEN_AUDIENCE, ID_TOKEN_MISSING, ID_TOKEN_UNUSED, ID_TOKEN_WORKFLOW_LEVEL, WRITE_ALL,
};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::WorkflowView;
use crate::facts::ci_view::{missing_id_tokens, unused_id_tokens, wrong_audiences};
use crate::facts::publish::Target;
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
/// known consumer, or calls a reusable workflow that may need it (another
/// repository's always may; one of this repository's is read, to
/// [`MAX_CALL_DEPTH`] calls deep). A job whose steps tplint cannot all see
/// may use the token there.
fn job_uses_oidc(
    context: &Context<'_>,
    view: &WorkflowView<'_>,
    index: usize,
    depth: usize,
) -> bool {
    let job = view.job(index);
    if let Some(call) = &job.call {
        let called = match &call.uses.target {
            crate::workflow::UsesTarget::Local { path } if depth < MAX_CALL_DEPTH => {
                let path = path.trim_start_matches("./");
                context.workflows().find(|v| v.file.path == path)
            }
            _ => None,
        };
        return called.is_none_or(|called| workflow_needs_oidc(context, &called, depth + 1));
    }
    let facts = view.job_facts(index);
    view.sites_of(index).any(|s| s.is_oidc()) || facts.oidc_consumer || !facts.opaque.is_empty()
}

/// How many local reusable workflows deep [`job_uses_oidc`] reads.
const MAX_CALL_DEPTH: usize = 4;

/// Whether a called workflow needs its caller's `id-token: write`: a job of
/// it grants itself the token (which a called workflow only gets from its
/// caller), or gets the caller's by no block of its own or its workflow's
/// and uses it (docs.github.com, "Reusing workflows": the called
/// workflow's permissions can only be kept or reduced).
fn workflow_needs_oidc(context: &Context<'_>, view: &WorkflowView<'_>, depth: usize) -> bool {
    if let Some(block) = &view.workflow.permissions {
        // Every job without a block of its own has this one.
        let granted = block.grant("id-token") == Some(Access::Write);
        return view
            .workflow
            .jobs
            .iter()
            .enumerate()
            .any(|(i, job)| match &job.permissions {
                Some(own) => own.grant("id-token") == Some(Access::Write),
                None => granted && job_uses_oidc(context, view, i, depth),
            });
    }
    view.workflow
        .jobs
        .iter()
        .enumerate()
        .any(|(i, job)| match &job.permissions {
            Some(own) => own.grant("id-token") == Some(Access::Write),
            None => job_uses_oidc(context, view, i, depth),
        })
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
            .filter(|(i, job)| job.permissions.is_none() && !job_uses_oidc(context, &view, *i, 0))
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
            .filter(|(i, job)| job.permissions.is_none() && job_uses_oidc(context, &view, *i, 0))
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

/// TP205, over [`WrongAudience`](crate::facts::ci_view::WrongAudience)s: a
/// token requested for an audience (or under a name) the upload's registry
/// or uploader does not accept.
pub(super) fn id_token_audience(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for wrong in wrong_audiences(context.repo, context.facts) {
        let diagnostic = wrong.finding.diagnostic(&ID_TOKEN_AUDIENCE);
        out.push(match wrong.severity {
            Some(severity) => diagnostic.with_severity(severity),
            None => diagnostic,
        });
    }
}
