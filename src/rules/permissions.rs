//! TP2xx: the `id-token: write` permission that trusted publishing needs,
//! granted where it is needed and nowhere else.

use super::Context;
use crate::catalogue::{ID_TOKEN_MISSING, ID_TOKEN_UNUSED, ID_TOKEN_WORKFLOW_LEVEL, WRITE_ALL};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::call_reach;
use crate::facts::calls::Callee;
use crate::facts::permissions::{GrantSource, id_token};
use crate::facts::publish::Target;
use crate::facts::{OidcPublishJob, WorkflowView, oidc_publish_jobs};
use crate::workflow::{Access, PermissionsKind};

pub(super) fn id_token_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for job in oidc_publish_jobs(context.repo, context.facts) {
        let view = job.view;
        let own = GrantSource::of(view.workflow, job.job);
        let callers: Vec<_> = context.facts.calls.callers_of(view.index).collect();
        // A reusable-only workflow without a block of its own gets what its
        // callers grant: only the calls can be judged.
        let standalone = view.runs_standalone() || !view.is_reusable();
        if (standalone || own.block().is_some())
            && let Some(diagnostic) = own_grant_problem(&job, own)
        {
            let file = view.file.file;
            let text = &context.repo.sources.get(file).text;
            let fix = crate::fix::workflow::grant_job_id_token(file, text, view.workflow, job.job);
            out.push(diagnostic.with_fix(fix));
            continue;
        }
        for call in callers {
            let Some(caller) = context.repo.workflows[call.caller].workflow.as_ref() else {
                continue;
            };
            let caller_job = &caller.jobs[call.job];
            let source = GrantSource::of(caller, caller_job);
            if id_token(source).is_none_or(|access| access == Access::Write) {
                continue;
            }
            let caller_file = &context.repo.workflows[call.caller];
            let span = match source.block() {
                None => caller_job.id.span,
                Some(block) => block.id_token_span(),
            };
            let fix = crate::fix::workflow::grant_job_id_token(
                caller_file.file,
                &context.repo.sources.get(caller_file.file).text,
                caller,
                caller_job,
            );
            out.push(
                Diagnostic::new(
                    &ID_TOKEN_MISSING,
                    Location::new(caller_file.file, span),
                    format!(
                        "job `{}` calls `{}` without granting `id-token: write`, so its job `{}` cannot use trusted publishing (a called workflow gets no more than its caller grants)",
                        caller_job.id.value,
                        view.file.name,
                        job.job.id.value
                    ),
                )
                .with_help(format!(
                    "add to the calling job:\n  {}:\n    permissions:\n      contents: read\n      id-token: write",
                    caller_job.id.value
                ))
                .with_related(
                    job.site.entry(),
                    "trusted publishing happens here",
                )
                .with_fix(fix),
            );
        }
    }
}

/// The diagnostic for a publish job whose own permissions lack the grant.
fn own_grant_problem(job: &OidcPublishJob<'_>, source: GrantSource<'_>) -> Option<Diagnostic> {
    let access = id_token(source)?;
    if access == Access::Write {
        return None;
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
        GrantSource::Job(block) if block.names("id-token") => (
            block.id_token_span(),
            format!(
                "job `{id}` sets `id-token: {}`, but trusted publishing needs `id-token: write`",
                access.as_str()
            ),
        ),
        GrantSource::Job(block) => (
            block.id_token_span(),
            format!(
                "the `permissions` of job `{id}` do not grant `id-token: write`, which trusted publishing needs"
            ),
        ),
        GrantSource::Workflow(block) => (
            block.id_token_span(),
            format!(
                "job `{id}` inherits workflow permissions that do not grant `id-token: write`, which trusted publishing needs"
            ),
        ),
    };
    Some(
        Diagnostic::new(&ID_TOKEN_MISSING, Location::new(file, span), message)
            .with_help(format!(
                "give the job its own block:\n  {id}:\n    permissions:\n      id-token: write\n(a job-level block replaces the workflow's, so add any other scope the job needs, e.g. `contents: read`)"
            ))
            .with_related(job.site.entry(), "trusted publishing happens here"),
    )
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

/// Whether a job itself uses or may use its OIDC token: it publishes (by
/// OIDC, or with a password that trusted publishing should replace), uses a
/// known consumer (in its steps, local actions or scripts), or runs a step
/// tplint cannot see into, which may use it.
fn job_uses_token_itself(view: &WorkflowView<'_>, index: usize) -> bool {
    // An upload with a password still counts: TP301/TP303 report it, and
    // their fix (trusted publishing) needs the grant, so removing it would
    // be contradictory advice for one root cause.
    let facts = view.job_facts(index);
    view.sites_of(index).next().is_some() || facts.oidc_consumer || !facts.opaque.is_empty()
}

/// Whether a job uses or may use its OIDC token, itself or through the
/// reusable workflow it calls. `files_using` says, per workflow file,
/// whether some job in it (or in what it calls) does; a call that cannot be
/// followed offline, or that closes a cycle, counts as a use.
fn job_needs_oidc(
    context: &Context<'_>,
    view: &WorkflowView<'_>,
    index: usize,
    files_using: &[bool],
) -> bool {
    if job_uses_token_itself(view, index) {
        return true;
    }
    if view.job(index).call.is_none() {
        return false;
    }
    let graph = &context.facts.calls;
    let call = graph
        .calls
        .iter()
        .enumerate()
        .find(|(_, c)| c.caller == view.index && c.job == index);
    match call {
        Some((call_index, call)) if !graph.cycles.contains(&call_index) => match call.callee {
            Callee::Local(file) => files_using.get(file).copied().unwrap_or(true),
            Callee::Missing(_) | Callee::Remote(_) => true,
        },
        _ => true,
    }
}

pub(super) fn id_token_unused(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let repo = context.repo;
    let files_using = call_reach::files_reaching(
        &context.facts.calls,
        repo.workflows.len(),
        |file| {
            context
                .workflows()
                .find(|v| v.index == file)
                .is_none_or(|v| (0..v.workflow.jobs.len()).any(|i| job_uses_token_itself(&v, i)))
        },
        true,
    );
    for view in context.workflows() {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            // Only an explicit job-level `id-token: write`: a workflow-level
            // grant is TP202's finding, and `write-all` is TP204's.
            let Some(block) = &job.permissions else {
                continue;
            };
            let PermissionsKind::Scopes(scopes) = &block.kind else {
                continue;
            };
            let Some(scope) = scopes.iter().find(|s| s.name.value == "id-token") else {
                continue;
            };
            if scope.access.value != Access::Write
                || job_needs_oidc(context, &view, index, &files_using)
                // A publish job no run reaches gets no finding.
                || view.facts.unreachable_jobs.contains(&index)
            {
                continue;
            }
            let id = &job.id.value;
            let (message, help) = if job.call.is_some() {
                (
                    format!(
                        "job `{id}` grants `id-token: write` to a reusable workflow that neither publishes by OIDC nor uses a known OIDC consumer"
                    ),
                    "remove `id-token: write` from the calling job",
                )
            } else {
                (
                    format!(
                        "job `{id}` has `id-token: write`, but no step publishes by trusted publishing or uses a known OIDC consumer"
                    ),
                    "remove `id-token: write`, so that code running in this job cannot mint OIDC tokens (e.g. to publish to PyPI)",
                )
            };
            out.push(
                Diagnostic::new(
                    &ID_TOKEN_UNUSED,
                    Location::new(view.file.file, scope.access.span),
                    message,
                )
                .with_help(help),
            );
        }
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
