//! TP4xx: the GitHub environment a publish job runs in.

use super::Context;
use crate::catalogue::{ENVIRONMENT_DYNAMIC, PUBLISH_JOB_NO_ENVIRONMENT};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::oidc_publish_jobs;
use crate::facts::publish::Target;
use crate::registry::Registry;

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
                .with_help(
                    "PyPI compares the environment of each run with the publisher's: use one literal environment per index (e.g. a `pypi` job and a `testpypi` job), so the publisher can name it and its protection rules always apply",
                )
                .with_related(site.entry(), "trusted publishing happens here"),
            );
        }
    }
}

pub(super) fn publish_job_no_environment(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = &context.repo.config.publishers;
    for job in oidc_publish_jobs(context.repo, context.facts) {
        if job.job.environment.is_some() {
            continue;
        }
        // The publishers of this job: those naming its file, or for pub.dev
        // and JSR, which match no file, those of the registry.
        let covers = |p: &&crate::config::Publisher| {
            p.index_kind == Some(job.index)
                && (!job.index.matches_workflow() || p.workflow.value == job.view.attributed_name())
        };
        // A publisher that expects an environment makes this a TP104 error already.
        let expects_environment = publishers
            .iter()
            .any(|p| covers(&p) && p.environment.is_some());
        if expects_environment {
            continue;
        }
        let suggested = job.index.key();
        if let Some((needed, environment)) = needed_environment(job.view.workflow, job.job) {
            out.push(
                Diagnostic::new(
                    &PUBLISH_JOB_NO_ENVIRONMENT,
                    Location::new(job.view.file.file, job.job.id.span),
                    format!(
                        "job `{}` publishes to {} without an `environment:`; the job it needs, `{needed}`, runs in `{environment}`, whose rules gate the run, but the publisher on {} cannot require it, so any job of `{}` may publish",
                        job.job.id.value,
                        job.index.display_name(),
                        job.index.display_name(),
                        job.view.attributed_name()
                    ),
                )
                .with_severity(Severity::Info)
                .with_help(format!(
                    "move `environment: {environment}` to the publish job and add it to the publisher on {}",
                    job.index.display_name()
                )),
            );
            continue;
        }
        let file = job.view.file.file;
        // A declared publisher without an environment must be changed on
        // the index too: only the user can do that.
        let declared = publishers.iter().any(|p| covers(&p));
        // JSR matches no environment: only GitHub's protection rules apply,
        // and there is no publisher to change.
        let matched = job.index != Registry::Jsr;
        let fix = if declared && matched {
            Some(crate::fix::Fix::display_only(format!(
                "add `environment: {suggested}` to the job and to the publisher on {}",
                job.index.display_name()
            )))
        } else {
            crate::fix::workflow::add_environment(
                file,
                &context.repo.sources.get(file).text,
                job.job,
                suggested,
            )
        };
        out.push(
            Diagnostic::new(
                &PUBLISH_JOB_NO_ENVIRONMENT,
                Location::new(job.view.file.file, job.job.id.span),
                format!(
                    "job `{}` publishes to {} without an `environment:`, so no reviewer or branch rule can stop a bad release",
                    job.job.id.value,
                    job.index.display_name()
                ),
            )
            .with_help(if matched {
                format!(
                    "add `environment: {suggested}` to the job, protect it under Settings → Environments (required reviewers, tag rules), and add the environment to the publisher on {}",
                    job.index.display_name()
                )
            } else {
                format!(
                    "add `environment: {suggested}` to the job and protect it under Settings → Environments (required reviewers, tag rules); {} does not match environments, so its settings do not change",
                    job.index.display_name()
                )
            })
            .with_fix(fix),
        );
    }
}

/// A job in the `needs` closure of `job` with a literal environment.
fn needed_environment<'a>(
    workflow: &'a crate::workflow::Workflow,
    job: &'a crate::workflow::Job,
) -> Option<(&'a str, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    let mut queue: Vec<&str> = job.needs.iter().map(|n| n.value.as_str()).collect();
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(needed) = workflow.job(id) else {
            continue;
        };
        if let Some(environment) = &needed.environment
            && !environment.name.is_expression()
        {
            return Some((&needed.id.value, &environment.name.value));
        }
        queue.extend(needed.needs.iter().map(|n| n.value.as_str()));
    }
    None
}
