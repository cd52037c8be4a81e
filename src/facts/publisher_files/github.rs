//! GitHub's answers for [`super`]: a publisher names a workflow file of
//! `.github/workflows`; the registry compares it with the called file
//! (`job_workflow_ref`: PyPI, RubyGems, NuGet) or with the file a run
//! starts from (`workflow_ref`: crates.io, npm), so the calls between
//! workflows decide which file to name; opaque steps of jobs that can
//! mint a token, and calls of other repositories' workflows, may hide an
//! upload.

use super::{
    Checkable, NoPublishJob, WrongFile, WrongFileKind, closest, push_registry_and_package,
};
use crate::config::{Platform, Publisher};
use crate::diagnostic::Location;
use crate::facts::attestations::{self, Attests};
use crate::facts::calls::{Call, Callee};
use crate::facts::ci_view::Finding;
use crate::facts::permissions::{GrantSource, id_token};
use crate::facts::publish::{Auth, PublishSite, Target};
use crate::facts::{Facts, OidcPublishJob, WorkflowView, oidc_publish_jobs, views};
use crate::registry::claims::{Ci, ClaimedEnvironment};
use crate::registry::{CrossRepository, MatchedWorkflow, Registry};
use crate::repository::Repository;
use crate::workflow::{Access, Job};

/// Where a finding about a publisher's workflow field points.
fn at_workflow(publisher: &Publisher) -> Location {
    Location::new(publisher.file, publisher.workflow.span)
}

/// The OIDC publish jobs of the registries whose publishers name a
/// workflow file (pub.dev and JSR match a repository).
pub fn workflow_jobs<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<OidcPublishJob<'a>> {
    oidc_publish_jobs(repo, facts)
        .into_iter()
        .filter(|job| job.index.matches_workflow())
        .collect()
}

/// Whether a publisher is of a registry that matches a GitHub workflow
/// file.
fn names_a_workflow(publisher: &Publisher) -> bool {
    publisher.platform == Platform::Github && publisher.index().matches_workflow()
}

/// Whether `publisher` names workflow file `name`, as its registry
/// compares them (NuGet ignores case and reduces a path to its file name).
pub fn names_workflow(publisher: &Publisher, name: &str) -> bool {
    publisher
        .index()
        .names_file(Ci::GithubActions, &publisher.workflow.value, name)
}

/// The workflow file the registry should have registered for `job`.
fn file_to_register(repo: &Repository, facts: &Facts, job: &OidcPublishJob<'_>) -> String {
    let names = job.matched_workflows(repo, facts);
    match names.as_slice() {
        [] => job.view.attributed_name().to_string(),
        [one] => (*one).to_string(),
        many => many.join("` or `"),
    }
}

/// The workflows whose runs `publisher` can match: the file it names, and
/// for registries that match the file a run starts from, the local
/// workflows that file calls.
fn attributed_views<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &Publisher,
) -> Vec<WorkflowView<'a>> {
    let named: Vec<WorkflowView<'a>> = views(repo, facts)
        .filter(|v| names_workflow(publisher, v.attributed_name()))
        .collect();
    if publisher.index().info().matched == MatchedWorkflow::Callee {
        return named;
    }
    let mut found = named.clone();
    let mut queue: Vec<usize> = named.iter().map(|v| v.index).collect();
    while let Some(at) = queue.pop() {
        for call in facts.calls.calls_from(at) {
            if let Callee::Local(callee) = call.callee
                && !found.iter().any(|v| v.index == callee)
                && let Some(view) = views(repo, facts).find(|v| v.index == callee)
            {
                found.push(view);
                queue.push(callee);
            }
        }
    }
    found
}

/// Whether `publisher` names the file at the other end of a call from the
/// one its registry matches for `job`: a caller where the registry matches
/// the called file, or the called file where it matches the caller.
pub fn names_other_end(
    repo: &Repository,
    facts: &Facts,
    publisher: &Publisher,
    job: &OidcPublishJob<'_>,
) -> bool {
    let matched = job.matched_workflows(repo, facts);
    if matched.iter().any(|n| names_workflow(publisher, n)) {
        return false;
    }
    match job.index.info().matched {
        MatchedWorkflow::Callee => {
            let callers = crate::facts::starting_workflows(repo, facts, job.view.index);
            callers.iter().any(|n| names_workflow(publisher, n))
                || facts
                    .calls
                    .callers_of(job.view.index)
                    .any(|call| names_workflow(publisher, &repo.workflows[call.caller].name))
        }
        MatchedWorkflow::Caller => {
            job.view.is_reusable() && names_workflow(publisher, job.view.attributed_name())
        }
        MatchedWorkflow::Repository => false,
    }
}

/// The values the registry's "add a trusted publisher" form needs for this job.
fn registration_help(repo: &Repository, facts: &Facts, job: &OidcPublishJob<'_>) -> String {
    let environment = job
        .job
        .environment
        .as_ref()
        .filter(|e| !e.name.is_expression())
        .map(|e| e.name.value.as_str());
    let workflow = file_to_register(repo, facts, job);
    registration_form(
        repo,
        job.index,
        &workflow,
        environment,
        (
            job.site.folder.as_deref(),
            job.site.package.as_deref(),
            job.site.workspace,
        ),
    )
}

/// The values of a GitHub publisher form of `index` for `workflow` and
/// `environment`, and the `[[publisher]]` block to declare.
pub fn registration_form(
    repo: &Repository,
    index: Registry,
    workflow: &str,
    environment: Option<&str>,
    (folder, named, workspace): (Option<&str>, Option<&str>, bool),
) -> String {
    let (owner, repository) = match &repo.remote {
        Some(remote) => (remote.owner.clone(), remote.repository.clone()),
        None => ("<owner>".to_string(), "<repository>".to_string()),
    };
    let mut help = format!(
        "register a trusted publisher on {} with owner `{owner}`, repository `{repository}`, workflow `{workflow}`, environment `{}`, then declare it in tplint.toml:\n\n[[publisher]]\n",
        index.display_name(),
        environment.unwrap_or("(any)"),
    );
    push_registry_and_package(&mut help, repo, index, (folder, named, workspace));
    help.push_str(&format!(
        "owner = \"{owner}\"\nrepository = \"{repository}\"\nworkflow = \"{workflow}\"\n"
    ));
    if let Some(environment) = environment {
        help.push_str(&format!("environment = \"{environment}\"\n"));
    }
    if repo.remote.is_none() {
        help.push_str(
            "\n(owner and repository are unknown: this repository has no `origin` remote)",
        );
    }
    help.trim_end().to_string()
}

/// Whether the publisher's workflow is a file of `.github/workflows`, as
/// its registry compares names.
pub fn workflow_exists(repo: &Repository, publisher: &Publisher) -> bool {
    repo.workflow_dir_names
        .iter()
        .any(|n| names_workflow(publisher, n))
}

/// TP101 for a publisher that names a GitHub workflow file.
pub(super) fn missing_workflow<'a>(
    repo: &'a Repository,
    publisher: &'a Publisher,
) -> Option<Finding<'a>> {
    let names = &repo.workflow_dir_names;
    let workflow = &publisher.workflow;
    // A reusable workflow of another repository (RubyGems) is not here.
    if workflow_exists(repo, publisher) || publisher.workflow_repository.is_some() {
        return None;
    }
    let registry = publisher.index().display_name();
    let help = match closest(&workflow.value, names) {
        Some(name) if name.eq_ignore_ascii_case(&workflow.value) => format!(
            "{registry} matches the file name exactly, including case: the file is `{name}`; rename it or fix the publisher on {registry}"
        ),
        Some(name) => format!(
            "did you mean `{name}`? {registry} matches the file name exactly; fix the publisher on {registry} and here"
        ),
        None if names.is_empty() => "this repository has no .github/workflows folder".to_string(),
        None => format!(
            "workflows here: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Finding::new(
        at_workflow(publisher),
        format!(
            "the publisher's workflow `{}` does not exist in .github/workflows",
            workflow.value
        ),
        help,
    ))
}

/// Whether `publisher` accepts the environment of `job`, a job that may
/// publish where tplint cannot see (expressions are not judged).
fn accepts_environment(publisher: &Publisher, job: &Job) -> bool {
    let claimed = match &job.environment {
        None => ClaimedEnvironment::None,
        Some(env) if env.name.is_expression() => ClaimedEnvironment::Unknown,
        Some(env) => ClaimedEnvironment::Named(&env.name.value),
    };
    publisher.index().accepts_environment(
        Ci::GithubActions,
        publisher.environment.as_ref().map(|e| e.value.as_str()),
        claimed,
    )
}

/// OIDC uploads of workflow `name` whose target is not `index`: another
/// index, or an expression.
fn other_targets<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    name: &'a str,
    index: Registry,
) -> impl Iterator<Item = (WorkflowView<'a>, &'a PublishSite)> + 'a {
    views(repo, facts)
        .filter(move |v| v.attributed_name() == name)
        .flat_map(|v| v.facts.publish_sites.iter().map(move |s| (v, s)))
        .filter(move |(_, s)| {
            // Only PyPI and TestPyPI can be confused: an npm publish beside
            // a PyPI publisher is another registry's business.
            index.is_pypi()
                && s.is_oidc()
                && s.uploader.registry().is_some_and(Registry::is_pypi)
                && match &s.target {
                    Target::Registry(i) => *i != index,
                    Target::Expression(_) => true,
                    Target::Custom(_) => false,
                }
        })
}

/// Whether the declared workflow publishes through a call that TP108 reports.
fn publishes_through_call(repo: &Repository, facts: &Facts, name: &str, index: Registry) -> bool {
    let Some(caller) = repo.workflows.iter().position(|w| w.name == name) else {
        return false;
    };
    facts
        .calls
        .calls_from(caller)
        .any(|call| match call.callee {
            Callee::Remote(_) => true,
            Callee::Local(callee) => facts.workflows[callee]
                .publish_sites
                .iter()
                .any(|s| s.is_oidc() && s.index() == Some(index)),
            Callee::Missing(_) => false,
        })
}

/// Jobs of the workflows `publisher` names that may publish where tplint
/// cannot see: they can mint OIDC tokens, run in an environment
/// `publisher` accepts, and run opaque steps.
fn hidden_candidates<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &Publisher,
) -> Vec<(WorkflowView<'a>, usize)> {
    let mut found = Vec::new();
    for view in attributed_views(repo, facts, publisher) {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let grant = id_token(GrantSource::of(view.workflow, job));
            let may_mint = grant.is_none_or(|g| g == Access::Write);
            if may_mint
                && accepts_environment(publisher, job)
                && !view.job_facts(index).opaque.is_empty()
            {
                found.push((view, index));
            }
        }
    }
    found
}

/// What TP103 says instead of its error when opaque steps may publish.
fn hidden_publish<'a>(
    candidates: &[(WorkflowView<'_>, usize)],
    location: Location,
    name: &str,
    index: Registry,
) -> NoPublishJob<'a> {
    let jobs: Vec<String> = candidates
        .iter()
        .map(|(view, job)| format!("`{}`", view.job(*job).id.value))
        .collect();
    let mut finding = Finding::new(
        location,
        format!(
            "no step that publishes to {} is visible in `{name}`; job {} can mint OIDC tokens and runs steps tplint cannot see into, which may publish",
            index.display_name(),
            jobs.join(", ")
        ),
        "nothing to fix if one of those steps publishes by trusted publishing; tplint checks the publisher fully when the upload is visible (pypa/gh-action-pypi-publish, uv, twine, ... in the workflow, a local composite action or a shell script)".to_string(),
    );
    for (view, job) in candidates {
        for opaque in view.job_facts(*job).opaque.iter().take(5) {
            finding.related.push((
                opaque.location,
                format!("tplint cannot see into {}", opaque.what),
            ));
        }
    }
    NoPublishJob {
        finding,
        hidden: true,
    }
}

/// Whether the GitHub workflow a publisher names is here and could be
/// read (else TP101, a workflow of another repository, or TP001).
pub(super) fn checkable<'a>(repo: &Repository, publisher: &Publisher) -> Checkable<'a> {
    let readable = repo
        .workflows
        .iter()
        .find(|w| names_workflow(publisher, &w.name))
        .is_some_and(|file| file.workflow.is_some());
    if readable {
        Checkable::Yes
    } else {
        Checkable::No
    }
}

/// TP103 for a publisher of a workflow whose publish jobs all run in the
/// environments of other publishers.
pub(super) fn jobs_of_others<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &Publisher,
    index: Registry,
) -> NoPublishJob<'a> {
    let name = &publisher.workflow.value;
    let location = at_workflow(publisher);
    let hidden = hidden_candidates(repo, facts, publisher);
    if !hidden.is_empty() {
        return hidden_publish(&hidden, location, name, index);
    }
    let expected = publisher
        .environment
        .as_ref()
        .map_or("", |e| e.value.as_str());
    NoPublishJob {
        finding: Finding::new(
            location,
            format!(
                "no job of `{name}` publishes to {} in environment `{expected}`; its publish jobs belong to other publishers",
                index.display_name()
            ),
            format!(
                "add a publish job that runs in this environment, or remove this publisher here and on {}",
                index.display_name()
            ),
        ),
        hidden: false,
    }
}

/// TP103 for a publisher of a workflow with no job publishing to its
/// registry by trusted publishing.
pub(super) fn publishes_nothing<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    let name = &publisher.workflow.value;
    let location = at_workflow(publisher);
    if other_targets(repo, facts, name, index).next().is_some()
        || publishes_through_call(repo, facts, name, index)
        || workflow_jobs(repo, facts)
            .iter()
            .any(|j| j.index == index && names_other_end(repo, facts, publisher, j))
    {
        return None; // TP107 or TP108 says why
    }
    let hidden = hidden_candidates(repo, facts, publisher);
    if !hidden.is_empty() {
        return Some(hidden_publish(&hidden, location, name, index));
    }
    let views = attributed_views(repo, facts, publisher);
    let sites: Vec<&PublishSite> = views
        .iter()
        .flat_map(|v| v.facts.publish_sites.iter())
        .filter(|s| s.index() == Some(index))
        .collect();
    let help = if let Some(site) = sites
        .iter()
        .find(|s| matches!(s.auth, Auth::Password { .. }))
    {
        format!(
            "`{name}` uploads with {} and an API token instead; remove the token and give the job `id-token: write` (see TP301/TP303)",
            site.name()
        )
    } else if let Some(site) = sites.first() {
        format!(
            "`{}` does not publish by trusted publishing here; use {}",
            site.name(),
            index.info().publish_hint
        )
    } else {
        format!(
            "publish from `{name}` with {}, or point the publisher at the workflow that publishes",
            index.info().publish_hint
        )
    };
    Some(NoPublishJob {
        finding: Finding::new(
            location,
            format!(
                "no job of `{name}` publishes to {} by trusted publishing, so this publisher is never used",
                index.display_name()
            ),
            help,
        ),
        hidden: false,
    })
}

/// TP103 for the registries that match no workflow file (pub.dev, JSR):
/// a publisher of `index` is declared, and no job of the workflows
/// publishes there at all (by trusted publishing or not). Jobs that may
/// mint a token and run steps tplint cannot see into, and calls of another
/// repository's workflow, may publish: then the finding says so.
pub(super) fn repository_publishes_nothing<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    let publishes = views(repo, facts).any(|view| {
        view.workflow.jobs.iter().enumerate().any(|(at, job)| {
            job.call.as_ref().is_some_and(|call| {
                index == Registry::PubDev
                    && crate::registry::pub_dev::is_publish_workflow(&call.uses.target)
            }) || view.sites_of(at).any(|site| site.index() == Some(index))
        })
    });
    if publishes {
        return None;
    }
    let mut hidden: Vec<(Location, String)> = Vec::new();
    for view in views(repo, facts) {
        for (at, job) in view.workflow.jobs.iter().enumerate() {
            let may_mint =
                id_token(GrantSource::of(view.workflow, job)).is_none_or(|g| g == Access::Write);
            if !may_mint {
                continue;
            }
            for opaque in &view.job_facts(at).opaque {
                hidden.push((
                    opaque.location,
                    format!("tplint cannot see into {}", opaque.what),
                ));
            }
        }
        for call in facts.calls.calls_from(view.index) {
            if let Callee::Remote(target) = &call.callee {
                hidden.push((
                    Location::new(view.file.file, call.span),
                    format!("`{target}` is another repository's workflow"),
                ));
            }
        }
    }
    // Where the publisher names its registry, else its header.
    let location = match &publisher.index {
        Some(field) => Location::new(publisher.file, field.span),
        None => Location::new(publisher.file, publisher.span),
    };
    let name = index.display_name();
    let how = crate::registry::trusted_publishing_how(index).unwrap_or_default();
    let may_be_hidden = !hidden.is_empty();
    let finding = if !may_be_hidden {
        Finding::new(
            location,
            format!(
                "a {name} publisher is declared, but no job of the workflows publishes to {name}"
            ),
            format!("to publish by trusted publishing, {how}"),
        )
    } else {
        let mut finding = Finding::new(
            location,
            format!(
                "a {name} publisher is declared, and no step that publishes to {name} is visible; steps tplint cannot see into may publish"
            ),
            format!(
                "nothing to fix if one of them publishes by trusted publishing; otherwise {how}"
            ),
        );
        finding.related = hidden.into_iter().take(5).collect();
        finding
    };
    Some(NoPublishJob {
        finding,
        hidden: may_be_hidden,
    })
}

/// TP108 for registries that match the file a run starts from (crates.io,
/// npm): rejected when the publisher names the reusable workflow that
/// holds the job instead of a caller, advice when none is declared.
fn caller_matched<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publishers: &[&Publisher],
    job: &OidcPublishJob<'_>,
) -> Option<WrongFile<'a>> {
    let starting = job.matched_workflows(repo, facts);
    if starting.is_empty() {
        return None; // started from another repository: unknown
    }
    let for_registry = || {
        publishers
            .iter()
            .filter(|p| p.index_kind == Some(job.index))
    };
    if for_registry().any(|p| starting.iter().any(|n| names_workflow(p, n))) {
        return None;
    }
    let called = job.view.attributed_name();
    let registry = job.index.display_name();
    let id = &job.job.id.value;
    let callers = format!("`{}`", starting.join("` or `"));
    if let Some(publisher) = for_registry().find(|p| names_workflow(p, called)) {
        let mut found = super::at_job_upload(
            job.site,
            format!(
                "job `{id}` publishes from the reusable workflow `{called}`; {registry} matches the workflow the run starts from ({callers}), not `{called}` that the publisher names"
            ),
            format!(
                "register (and declare) the publisher with workflow {callers}: {registry} reads `workflow_ref`, the calling file, and rejects the token ({})",
                job.index.info().rejection
            ),
        );
        found.related.push((
            at_workflow(publisher),
            "publisher names the called file".to_string(),
        ));
        return Some(WrongFile {
            finding: found,
            kind: WrongFileKind::Rejected,
        });
    }
    // Without a caller in the repository the run starts from the file
    // itself (or from another repository, which tplint cannot see): TP100
    // names it, and there is no other file to register.
    // Nor when every run that reaches the job starts from the file itself
    // (PRQL/prql's `if: github.event_name == 'release'` job, whose callers
    // never run on `release`).
    if !job.view.is_reusable()
        || facts.calls.callers_of(job.view.index).next().is_none()
        || starting.iter().all(|n| *n == called)
    {
        return None;
    }
    Some(WrongFile {
        finding: super::at_job_upload(
            job.site,
            format!(
                "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to the workflow the run starts from ({callers}), so that is the file to register as the {registry} publisher"
            ),
            registration_help(repo, facts, job),
        ),
        kind: WrongFileKind::RegisterOther,
    })
}

/// TP108 on GitHub: publishers naming the wrong end of a call of a
/// reusable workflow, publishes from a reusable workflow with no
/// publisher declared, and declared workflows that only call another
/// repository's workflow.
pub(super) fn wrong_files<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    all: &[&'a Publisher],
) -> Vec<WrongFile<'a>> {
    let publishers: Vec<&Publisher> = all
        .iter()
        .copied()
        .filter(|p| names_a_workflow(p))
        .collect();
    let mut out = Vec::new();
    for job in workflow_jobs(repo, facts) {
        if !job.view.is_reusable() {
            continue;
        }
        let called = job.view.attributed_name();
        let id = &job.job.id.value;
        let callers: Vec<_> = facts.calls.callers_of(job.view.index).collect();
        let caller_name = |call: &Call| repo.workflows[call.caller].name.as_str();
        let called_from = |found: &mut Finding<'_>| {
            for call in &callers {
                let caller = &repo.workflows[call.caller];
                found.related.push((
                    Location::new(caller.file, call.span),
                    format!("called from `{}`", caller.name),
                ));
            }
        };
        let registry = job.index.display_name();
        if job.index.info().matched == MatchedWorkflow::Caller {
            if let Some(mut wrong) = caller_matched(repo, facts, &publishers, &job) {
                called_from(&mut wrong.finding);
                out.push(wrong);
            }
            continue;
        }
        let declared_for_called = publishers
            .iter()
            .any(|p| p.index_kind == Some(job.index) && names_workflow(p, called));
        let names_caller = callers.iter().find_map(|call| {
            publishers
                .iter()
                .find(|p| p.index_kind == Some(job.index) && names_workflow(p, caller_name(call)))
                .map(|p| (caller_name(call), *p))
        });
        // gh-action-pypi-publish signs attestations with the run's identity,
        // whose workflow is the calling file; PyPI checks them against the
        // publisher, which must name the called file.
        let attesting = job.view.sites_of(job.site.job).find(|site| {
            site.is_oidc()
                && site.index() == Some(job.index)
                && crate::facts::site_step(repo, &job.view, site)
                    .is_some_and(|step| attestations::attests(site, step) == Attests::Yes)
        });
        let mut wrong = match (names_caller, attesting, callers.first()) {
            (Some((caller, publisher)), _, _) if !declared_for_called => {
                let mut found = super::at_job_upload(
                    job.site,
                    format!(
                        "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to `{called}`, not to the calling workflow `{caller}` that the publisher names"
                    ),
                    format!(
                        "register (and declare) a publisher with workflow `{called}`: {registry} sees the called file (`job_workflow_ref`), not the caller `{caller}`"
                    ),
                );
                found.related.push((
                    at_workflow(publisher),
                    "publisher names the calling file".to_string(),
                ));
                WrongFile {
                    finding: found,
                    kind: WrongFileKind::Rejected,
                }
            }
            (_, Some(site), Some(first_call)) => {
                let caller = if callers.len() == 1 {
                    format!("`{}`", caller_name(first_call))
                } else {
                    "the calling workflows".to_string()
                };
                WrongFile {
                    finding: super::at_job_upload(
                        site,
                        format!(
                            "job `{id}` publishes from the reusable workflow `{called}` with attestations on (the default of gh-action-pypi-publish since v1.11.0); the attestations name the workflow that starts the run ({caller}), but PyPI checks them against the publisher's workflow `{called}` and rejects the upload"
                        ),
                        format!(
                            "set `attestations: false` on the publish step, or move the publish job into the calling workflow ({caller}) and register that file as the publisher"
                        ),
                    ),
                    kind: WrongFileKind::SignedForOtherFile,
                }
            }
            // With no caller in the repository the job's own file is
            // what the token names whichever way the run starts: TP100
            // says so, and there is no calling file to confuse it with.
            _ if !declared_for_called && !callers.is_empty() => WrongFile {
                finding: super::at_job_upload(
                    job.site,
                    format!(
                        "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to `{called}`, not to the calling workflow, so `{called}` is the file to register as the {registry} publisher"
                    ),
                    registration_help(repo, facts, &job),
                ),
                kind: WrongFileKind::RegisterOther,
            },
            _ => continue,
        };
        called_from(&mut wrong.finding);
        out.push(wrong);
    }
    // A declared workflow that only calls a remote reusable workflow: the
    // upload would come from another repository's file.
    for publisher in publishers.iter().copied() {
        let Some(index) = publisher.index_kind else {
            continue;
        };
        // crates.io and npm match the calling file, which is here; RubyGems
        // accepts a registered repository of the reusable workflow.
        match index.info().cross_repository {
            CrossRepository::NotMatched => continue,
            CrossRepository::Registered if publisher.workflow_repository.is_some() => continue,
            CrossRepository::Registered | CrossRepository::Rejected => {}
        }
        let Some(caller) = repo
            .workflows
            .iter()
            .position(|w| names_workflow(publisher, &w.name))
        else {
            continue;
        };
        let publishes_itself = facts.workflows[caller]
            .publish_sites
            .iter()
            .any(|s| s.is_oidc() && s.index() == Some(index));
        if publishes_itself {
            continue;
        }
        for call in facts.calls.calls_from(caller) {
            let Callee::Remote(target) = &call.callee else {
                continue;
            };
            let mut found = Finding::new(
                Location::new(repo.workflows[caller].file, call.span),
                format!(
                    "`{}` publishes nothing itself and calls `{target}` from another repository, which tplint cannot read offline; if that workflow publishes, {} sees its repository and file and rejects the token",
                    publisher.workflow.value,
                    index.display_name()
                ),
                if index.info().cross_repository == CrossRepository::Registered {
                    "register the reusable workflow's own file and repository with the publisher (`workflow-repository-owner` and `workflow-repository-name`), or copy the publish job into this repository"
                } else {
                    "trusted publishing works only from workflows of the publishing repository; copy the publish job into this repository"
                }
                .to_string(),
            );
            found.related.push((
                at_workflow(publisher),
                "publisher declared here".to_string(),
            ));
            out.push(WrongFile {
                finding: found,
                kind: WrongFileKind::Rejected,
            });
        }
    }
    out
}
