//! TP4xx: the environment a publish job runs in. TP401 is written once for
//! GitHub and GitLab, over [`PublishJob`]s; TP402 reads GitHub workflows.

use super::Context;
use crate::catalogue::{ENVIRONMENT_DYNAMIC, PUBLISH_JOB_NO_ENVIRONMENT};
use crate::config::Publisher;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::Target;
use crate::facts::publish_job::{JobEnvironment, PublishJob};
use crate::registry::Registry;
use crate::registry::claims::ClaimedEnvironment;

pub(super) fn environment_dynamic(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let Some(environment) = &job.environment else {
                continue;
            };
            let Some(site) = view
                .sites_of(index)
                .find(|s| s.is_oidc() && !matches!(s.target, Target::Custom(_)))
            else {
                continue;
            };
            if !environment.name.is_expression() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &ENVIRONMENT_DYNAMIC,
                    Location::new(view.file.file, environment.name.span),
                    format!(
                        "job `{}` publishes by trusted publishing in environment `{}`, which is only known when the workflow runs",
                        job.id.value, environment.name.value
                    ),
                )
                .with_help(match site.index() {
                    Some(index) if !index.is_pypi() => format!(
                        "{} compares the environment of each run with the publisher's: use a literal environment, so the publisher can name it and its protection rules always apply",
                        index.display_name()
                    ),
                    _ => "PyPI compares the environment of each run with the publisher's: use one literal environment per index (e.g. a `pypi` job and a `testpypi` job), so the publisher can name it and its protection rules always apply".to_string(),
                })
                .with_related(site.entry(), "trusted publishing happens here"),
            );
        }
    }
}

/// TP401, written once over [`PublishJob`]s: each registry a job publishes
/// to by trusted publishing, when the job has no environment and no
/// publisher of that registry naming the job expects one.
pub(super) fn publish_job_no_environment(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = &context.repo.config.publishers;
    for job in context.publish_jobs() {
        if job.environment != JobEnvironment::Absent {
            continue;
        }
        for index in job.indexes() {
            report_no_environment(context, job, index, publishers, out);
        }
    }
    // A call of a registry's reusable publishing workflow (setup-dart's
    // `publish.yml`) whose job takes its environment from an input: none
    // given, the job runs in none; or whose job has none at all.
    for publish in context.publish_claims() {
        if !publish.claims.environment_is_input
            || publish.claims.environment != ClaimedEnvironment::None
            || publishers
                .iter()
                .any(|p| publish.named_by(p) && p.environment.is_some())
        {
            continue;
        }
        let shown = publish.index.display_name();
        let suggested = publish.index.key();
        let input = publish.publish_workflow.and_then(|w| match w.environment {
            crate::registry::pub_dev::WorkflowEnvironment::Input(input) => Some(input),
            _ => None,
        });
        let (message, help) = match input {
            Some(input) => (
                format!(
                    "job `{}` publishes to {shown} through a reusable workflow without its `{input}` input, so its job runs in no environment and no reviewer or branch rule can stop a bad release",
                    publish.job
                ),
                format!(
                    "pass `{input}: {suggested}` under the call's `with:`, protect that environment under Settings → Environments (required reviewers, tag rules), and add it to the publisher on {shown}"
                ),
            ),
            None => (
                format!(
                    "job `{}` publishes to {shown} through a reusable workflow whose job runs in no environment (it takes none), so no reviewer or branch rule can stop a bad release",
                    publish.job
                ),
                format!(
                    "call a publishing workflow that takes an environment (`{}` takes it as `environment:` under `with:`), protect that environment under Settings → Environments (required reviewers, tag rules), and add it to the publisher on {shown}",
                    crate::registry::pub_dev::PUBLISH_WORKFLOWS[0].path
                ),
            ),
        };
        out.push(
            Diagnostic::new(&PUBLISH_JOB_NO_ENVIRONMENT, publish.key, message)
                .with_help(help)
                .with_related(publish.upload, "the reusable workflow called here"),
        );
    }
}

fn report_no_environment(
    context: &Context<'_>,
    job: &PublishJob<'_>,
    index: Registry,
    publishers: &[Publisher],
    out: &mut Vec<Diagnostic>,
) {
    // A publisher that expects an environment makes this a TP104 error already.
    if publishers
        .iter()
        .any(|p| job.named_by(p, index) && p.environment.is_some())
    {
        return;
    }
    let shown = index.display_name();
    let suggested = index.key();
    if let (Some((needed, environment)), Some(workflow)) = (job.needed_environment, job.workflow) {
        out.push(job.finish(
            Diagnostic::new(
                &PUBLISH_JOB_NO_ENVIRONMENT,
                job.key,
                format!(
                    "job `{}` publishes to {shown} without an `environment:`; the job it needs, `{needed}`, runs in `{environment}`, whose rules gate the run, but the publisher on {shown} cannot require it, so any job of `{workflow}` may publish",
                    job.name
                ),
            )
            .with_severity(Severity::Info)
            .with_help(format!(
                "move `environment: {environment}` to the publish job and add it to the publisher on {shown}"
            )),
        ));
        return;
    }
    // A declared publisher without an environment must be changed on the
    // registry too: only the user can do that.
    let declared = publishers.iter().any(|p| job.named_by(p, index));
    // JSR matches no environment: only GitHub's protection rules apply, and
    // there is no publisher to change.
    let matched = index != Registry::Jsr;
    let fix = job.editable.and_then(|(file, edited)| {
        if declared && matched {
            Some(crate::fix::Fix::display_only(format!(
                "add `environment: {suggested}` to the job and to the publisher on {shown}"
            )))
        } else {
            crate::fix::workflow::add_environment(
                file,
                &context.repo.sources.get(file).text,
                edited,
                suggested,
            )
        }
    });
    let words = (job.words.no_environment)(job.name, index);
    // `npm stage publish` only stages the release: a maintainer approves it
    // on npm before it is published (docs.npmjs.com/trusted-publishers,
    // "Allowed actions"), so a reviewer can stop a bad release there.
    let staged = {
        let mut to_index = job.sites.iter().filter(|s| s.index() == Some(index));
        let first = to_index.next();
        first.is_some()
            && first
                .into_iter()
                .chain(to_index)
                .all(|s| s.npm.as_ref().is_some_and(|n| n.staged))
    };
    let (message, severity) = if staged {
        let client = if job
            .sites
            .iter()
            .any(|s| s.uploader == crate::registry::publishing::Uploader::Pnpm)
        {
            "pnpm"
        } else {
            "npm"
        };
        (
            format!(
                "job `{}` stages releases on npm (`{client} stage publish`) without an `environment:`; a maintainer approves each staged release on npm, but nothing limits which runs of the job may stage one",
                job.name
            ),
            Some(Severity::Info),
        )
    } else {
        (words.message, words.severity)
    };
    let mut diagnostic = Diagnostic::new(&PUBLISH_JOB_NO_ENVIRONMENT, job.key, message)
        .with_help(words.help)
        .with_fix(fix);
    if let Some(severity) = severity {
        diagnostic = diagnostic.with_severity(severity);
    }
    if words.points_to_upload
        && let Some(site) = job.site_to(index)
    {
        diagnostic = diagnostic.with_related(site.location(), job.words.upload);
    }
    out.push(job.finish(diagnostic));
}
