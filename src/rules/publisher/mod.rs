//! TP1xx: the declared trusted publishers against the workflows.

use crate::catalogue::{
    ENVIRONMENT_MISMATCH, INDEX_MISMATCH, PUBLISHER_ENVIRONMENT_UNRESTRICTED, PUBLISHER_INVALID,
    PUBLISHER_NO_PUBLISH_JOB, PUBLISHER_UNDECLARED, PUBLISHER_WORKFLOW_MISSING,
    REPOSITORY_MISMATCH, REUSABLE_WORKFLOW_PUBLISH, TAG_PATTERN_MISMATCH,
};

mod top_level_file;

use super::Context;
use crate::config::{Field, Platform, Publisher};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::attestations::{self, Attests};
use crate::facts::calls::Callee;
use crate::facts::permissions::{GrantSource, id_token};
use crate::facts::publish::{Auth, Target};
use crate::facts::publish_job::{PublishClaims, publish_claims, uploads_of_file};
use crate::facts::{OidcPublishJob, PublishSite, WorkflowView, oidc_publish_jobs};
use crate::git::Remote;
use crate::registry::claims::{Ci, ClaimedEnvironment, PathClaims};
use crate::registry::pypi::GITLAB_ISSUER;

use crate::registry::{
    CrossRepository, FieldProblem, FormValues, MatchedWorkflow, PublisherField, Registry,
};
use crate::workflow::{Access, Job};

/// The OIDC publish jobs of the registries whose publishers name a
/// workflow file: pub.dev and JSR have their own rules
/// ([`super::repository_publisher`]).
fn workflow_jobs<'a>(context: &Context<'a>) -> Vec<OidcPublishJob<'a>> {
    oidc_publish_jobs(context.repo, context.facts)
        .into_iter()
        .filter(|job| job.index.matches_workflow())
        .collect()
}

/// Whether a publisher is of a registry that matches a GitHub workflow
/// file (pub.dev and JSR match a repository).
fn names_a_workflow(publisher: &Publisher) -> bool {
    publisher.platform == Platform::Github && publisher.index().matches_workflow()
}

/// The publishers to check of the registries that match a GitHub
/// workflow file.
fn workflow_publishers<'a>(context: &Context<'a>) -> Vec<&'a Publisher> {
    context
        .publishers()
        .into_iter()
        .filter(|p| names_a_workflow(p))
        .collect()
}

pub(super) fn location(publisher: &Publisher, field: &Field) -> Location {
    Location::new(publisher.file, field.span)
}

/// Whether `publisher` names workflow file `name`, as its registry
/// compares them (NuGet ignores case and reduces a path to its file name).
fn names_workflow(publisher: &Publisher, name: &str) -> bool {
    publisher
        .index()
        .names_file(Ci::GithubActions, &publisher.workflow.value, name)
}

/// The workflow file the registry should have registered for `job`.
fn file_to_register(context: &Context<'_>, job: &OidcPublishJob<'_>) -> String {
    let names = job.matched_workflows(context.repo, context.facts);
    match names.as_slice() {
        [] => job.view.attributed_name().to_string(),
        [one] => (*one).to_string(),
        many => many.join("` or `"),
    }
}

/// The workflows whose runs `publisher` can match: the file it names, and
/// for registries that match the file a run starts from, the local
/// workflows that file calls.
fn attributed_views<'a>(context: &Context<'a>, publisher: &Publisher) -> Vec<WorkflowView<'a>> {
    let named: Vec<WorkflowView<'a>> = context
        .workflows()
        .filter(|v| names_workflow(publisher, v.attributed_name()))
        .collect();
    if publisher.index().info().matched == MatchedWorkflow::Callee {
        return named;
    }
    let mut found = named.clone();
    let mut queue: Vec<usize> = named.iter().map(|v| v.index).collect();
    while let Some(at) = queue.pop() {
        for call in context.facts.calls.calls_from(at) {
            if let Callee::Local(callee) = call.callee
                && !found.iter().any(|v| v.index == callee)
                && let Some(view) = context.workflows().find(|v| v.index == callee)
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
fn names_other_end(context: &Context<'_>, publisher: &Publisher, job: &OidcPublishJob<'_>) -> bool {
    let matched = job.matched_workflows(context.repo, context.facts);
    if matched.iter().any(|n| names_workflow(publisher, n)) {
        return false;
    }
    match job.index.info().matched {
        MatchedWorkflow::Callee => {
            let callers =
                crate::facts::starting_workflows(context.repo, context.facts, job.view.index);
            callers.iter().any(|n| names_workflow(publisher, n))
                || context.facts.calls.callers_of(job.view.index).any(|call| {
                    names_workflow(publisher, &context.repo.workflows[call.caller].name)
                })
        }
        MatchedWorkflow::Caller => {
            job.view.is_reusable() && names_workflow(publisher, job.view.attributed_name())
        }
        MatchedWorkflow::Repository => false,
    }
}

/// The `registry =` line of a `[[publisher]]` block (PyPI is the
/// default) and its `project =` or `package =` line, when the manifests
/// name the package.
/// `registry = ...` and the package the upload publishes: the one its
/// command names, else that of the folder it runs in, else the
/// repository's default.
fn push_registry_and_package(
    help: &mut String,
    context: &Context<'_>,
    registry: Registry,
    folder: Option<&str>,
    named: Option<&str>,
) {
    if registry != Registry::Pypi {
        help.push_str(&format!("registry = \"{}\"\n", registry.key()));
    }
    if let Some(package) = context.repo.package_of(registry, folder, named) {
        let key = if registry.is_pypi() {
            "project"
        } else {
            "package"
        };
        help.push_str(&format!("{key} = \"{package}\"\n"));
    }
}

/// The values the registry's "add a trusted publisher" form needs for this job.
pub fn registration_help(context: &Context<'_>, job: &OidcPublishJob<'_>) -> String {
    let environment = job
        .job
        .environment
        .as_ref()
        .filter(|e| !e.name.is_expression())
        .map(|e| e.name.value.as_str());
    let workflow = file_to_register(context, job);
    registration_form(
        context,
        job.index,
        &workflow,
        environment,
        (job.site.folder.as_deref(), job.site.package.as_deref()),
    )
}

/// The values of a GitHub publisher form of `index` for `workflow` and
/// `environment`, and the `[[publisher]]` block to declare.
fn registration_form(
    context: &Context<'_>,
    index: Registry,
    workflow: &str,
    environment: Option<&str>,
    (folder, named): (Option<&str>, Option<&str>),
) -> String {
    let (owner, repository) = match &context.repo.remote {
        Some(remote) => (remote.owner.clone(), remote.repository.clone()),
        None => ("<owner>".to_string(), "<repository>".to_string()),
    };
    let mut help = format!(
        "register a trusted publisher on {} with owner `{owner}`, repository `{repository}`, workflow `{workflow}`, environment `{}`, then declare it in tplint.toml:\n\n[[publisher]]\n",
        index.display_name(),
        environment.unwrap_or("(any)"),
    );
    push_registry_and_package(&mut help, context, index, folder, named);
    help.push_str(&format!(
        "owner = \"{owner}\"\nrepository = \"{repository}\"\nworkflow = \"{workflow}\"\n"
    ));
    if let Some(environment) = environment {
        help.push_str(&format!("environment = \"{environment}\"\n"));
    }
    if context.repo.remote.is_none() {
        help.push_str(
            "\n(owner and repository are unknown: this repository has no `origin` remote)",
        );
    }
    help.trim_end().to_string()
}

/// Whether the publisher's workflow is a file of `.github/workflows`, as
/// its registry compares names.
fn workflow_exists(context: &Context<'_>, publisher: &Publisher) -> bool {
    context
        .repo
        .workflow_dir_names
        .iter()
        .any(|n| names_workflow(publisher, n))
}

/// TP100: a job publishes by trusted publishing and no publisher of its
/// registry names the file its token is attributed to.
///
/// GitHub jobs are checked against the declared publishers only: a
/// publisher PyPI recorded is named in the help instead (and TP109 says it
/// is not declared).
pub(super) fn publisher_undeclared(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let checked = context.publishers();
    let claims = publish_claims(context.repo, context.facts);
    let jobs = workflow_jobs(context);
    for publish in &claims {
        let ci = publish.claims.ci;
        let index = publish.index;
        let files = &publish.claims.files;
        if index.matches_workflow() && files.is_empty() {
            continue; // started from another repository's workflow: unknown
        }
        let of_ci: Vec<&Publisher> = match ci {
            Ci::GithubActions => context.repo.config.publishers.iter().collect(),
            Ci::Gitlab => checked.clone(),
        }
        .into_iter()
        .filter(|p| ci_of(p) == ci)
        .collect();
        let same_index = || of_ci.iter().filter(|p| p.index_kind == Some(index));
        // The GitHub job, for what depends on calls of reusable workflows.
        let job = jobs.iter().find(|j| {
            j.index == index && Location::new(j.view.file.file, j.job.id.span) == publish.key
        });
        // A publisher for these files on the other PyPI index is TP107's.
        let mismatched = of_ci.iter().any(|p| {
            p.index_kind.is_some_and(|i| {
                i != index && (ci == Ci::Gitlab || (i.is_pypi() && index.is_pypi()))
            }) && files.iter().any(|f| {
                p.index_kind
                    .is_some_and(|i| i.names_file(ci, &p.workflow.value, f))
            }) && !claims.iter().any(|c| c.named_by(p))
        });
        // A publisher of the registry naming another file is TP101's (a
        // file that does not exist) or TP108's (the other end of a call,
        // an included file) to report, with the right file.
        let elsewhere = match ci {
            Ci::Gitlab => same_index().any(|p| !publish.named_by(p)),
            Ci::GithubActions if index.matches_workflow() => same_index().any(|p| {
                (!workflow_exists(context, p) && p.workflow_repository.is_none())
                    || job.is_some_and(|j| names_other_end(context, p, j))
            }),
            Ci::GithubActions => false,
        };
        if mismatched || elsewhere {
            continue;
        }
        let registry = index.display_name();
        if same_index().any(|p| publish.named_by(p)) {
            // crates.io and npm: each file a run can start from needs its
            // own publisher; runs from a file none names are refused.
            let uncovered: Vec<&str> = files
                .iter()
                .copied()
                .filter(|f| !same_index().any(|p| index.names_file(ci, &p.workflow.value, f)))
                .collect();
            let Some(job) = job else {
                continue;
            };
            if uncovered.is_empty() {
                continue;
            }
            let mut help = format!(
                "{registry} matches the workflow a run starts from: register a publisher for `{}` too, or start publishing runs only from a registered file",
                uncovered.join("` and `")
            );
            if index == Registry::Npm {
                help.push_str("; npm accepts one trusted publisher per package, so publish from one starting workflow");
            }
            out.push(
                Diagnostic::new(
                    &PUBLISHER_UNDECLARED,
                    publish.upload,
                    format!(
                        "job `{}` of `{}` publishes to {registry} by trusted publishing; runs started from `{}` have no declared {registry} publisher",
                        publish.job,
                        job.view.attributed_name(),
                        uncovered.join("` or `"),
                    ),
                )
                .with_help(help),
            );
            continue;
        }
        let environment = match publish.claims.environment {
            ClaimedEnvironment::Named(name) => Some(name),
            _ => None,
        };
        let (message, help) = match ci {
            Ci::Gitlab => (
                format!(
                    "job `{}` publishes to {registry} by trusted publishing, but no GitLab publisher is declared for the pipeline `{}`",
                    publish.job,
                    files.join("` or `")
                ),
                top_level_file::registration_help(context, publish),
            ),
            Ci::GithubActions if !index.matches_workflow() => (
                format!(
                    "job `{}` publishes to {registry} by trusted publishing, but no {registry} publisher is declared",
                    publish.job
                ),
                super::repository_publisher::registration_help(
                    context,
                    index,
                    environment,
                    tag_pattern_of(context, publish).as_deref(),
                    publish.folder,
                ),
            ),
            Ci::GithubActions => {
                let workflow = files.join("` or `");
                let help = super::record::recorded_registration_help(
                    context,
                    index,
                    &workflow,
                    environment,
                )
                .unwrap_or_else(|| {
                    registration_form(
                        context,
                        index,
                        &workflow,
                        environment,
                        (publish.folder, publish.package),
                    )
                });
                (
                    format!(
                        "job `{}` publishes to {registry} by trusted publishing, but no {registry} publisher is declared for `{workflow}`",
                        publish.job
                    ),
                    help,
                )
            }
        };
        out.push(Diagnostic::new(&PUBLISHER_UNDECLARED, publish.upload, message).with_help(help));
    }
}

/// The pub.dev tag pattern a publish job's workflow suggests.
fn tag_pattern_of(context: &Context<'_>, publish: &PublishClaims<'_>) -> Option<String> {
    if publish.index != Registry::PubDev {
        return None;
    }
    let view = context
        .workflows()
        .find(|v| v.file.file == publish.key.file)?;
    let job = view
        .workflow
        .jobs
        .iter()
        .find(|j| j.id.span == publish.key.span)?;
    Some(crate::registry::pub_dev::suggested_tag_pattern(
        view.workflow,
        context
            .repo
            .package_of(publish.index, publish.folder, publish.package)
            .as_deref(),
        crate::registry::pub_dev::uses_melos_action(job),
    ))
}

/// TP103: no job publishes by trusted publishing with a token a publisher
/// would accept.
///
/// The jobs a publisher names are those whose token claims it matches; a
/// job runs in an environment the publisher accepts, or every one belongs
/// to other publishers. Where no job publishes, what the CI system's files
/// may hide (opaque steps, calls, includes) decides between an error and
/// an info.
pub(super) fn publisher_no_publish_job(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    let claims = publish_claims(context.repo, context.facts);
    let accepts = |publisher: &Publisher, publish: &PublishClaims<'_>| {
        publish.index.accepts_environment(
            publish.claims.ci,
            publisher.environment.as_ref().map(|e| e.value.as_str()),
            publish.claims.environment,
        )
    };
    for publisher in publishers.iter().copied() {
        let Some(index) = publisher.index_kind else {
            continue;
        };
        if !index.matches_workflow() {
            continue; // pub.dev and JSR: below
        }
        let ci = ci_of(publisher);
        let checkable = match ci {
            Ci::GithubActions => workflow_readable(context, publisher),
            Ci::Gitlab => top_level_file::names_read_pipeline(context, publisher, index, out),
        };
        if !checkable {
            continue;
        }
        let candidates: Vec<&PublishClaims<'_>> =
            claims.iter().filter(|c| c.named_by(publisher)).collect();
        if !candidates.is_empty() {
            // Jobs exist; with an environment, one of them must run in it.
            if candidates.iter().any(|c| accepts(publisher, c)) {
                continue;
            }
            let claimed_by_others = candidates.iter().all(|c| {
                publishers
                    .iter()
                    .any(|p| !std::ptr::eq(*p, publisher) && c.named_by(p) && accepts(p, c))
            });
            if !claimed_by_others {
                continue; // TP104 reports the job
            }
            out.extend(match ci {
                Ci::GithubActions => Some(workflow_jobs_of_others(context, publisher, index)),
                Ci::Gitlab => top_level_file::pipeline_jobs_of_others(context, publisher, index),
            });
            continue;
        }
        out.extend(match ci {
            Ci::GithubActions => workflow_publishes_nothing(context, publisher, index),
            Ci::Gitlab => top_level_file::pipeline_publishes_nothing(context, publisher, index),
        });
    }
    super::repository_publisher::publisher_no_publish_job(context, out);
}

/// TP108: the publisher names a file of the run other than the one the
/// registry reads from the token (a reusable workflow's caller or callee,
/// an included file instead of the top-level pipeline).
pub(super) fn reusable_workflow_publish(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    reusable_workflow_publish_of_workflows(context, out);
    top_level_file::reusable_workflow_publish(context, out);
}

/// Levenshtein distance, small inputs only (file names).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The workflow file a mistyped name most likely meant.
pub(super) fn closest<'a>(wanted: &str, names: &'a [String]) -> Option<&'a str> {
    let swapped = wanted
        .strip_suffix(".yml")
        .map(|s| format!("{s}.yaml"))
        .or_else(|| wanted.strip_suffix(".yaml").map(|s| format!("{s}.yml")));
    let workflows = names
        .iter()
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"));
    if let Some(found) = workflows
        .clone()
        .find(|n| n.eq_ignore_ascii_case(wanted) || Some(n.as_str()) == swapped.as_deref())
    {
        return Some(found);
    }
    workflows
        .map(|n| (edit_distance(&n.to_lowercase(), &wanted.to_lowercase()), n))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n.as_str())
}

/// TP101, for every CI system: the file a publisher names, which the
/// registry compares with the one its tokens are attributed to, is not a
/// file of the repository (a workflow of `.github/workflows`, a file of
/// the pipeline or the repository).
pub(super) fn publisher_workflow_missing(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for publisher in context.publishers() {
        if !publisher.index().matches_workflow() {
            continue; // pub.dev and JSR: no file to name
        }
        if form_problems(publisher)
            .iter()
            .any(|p| p.field == PublisherField::Workflow)
        {
            continue; // TP102
        }
        let diagnostic = match ci_of(publisher) {
            Ci::GithubActions => missing_workflow(context, publisher),
            Ci::Gitlab => top_level_file::missing_pipeline_file(context, publisher),
        };
        out.extend(diagnostic);
    }
}

/// TP101 for a publisher that names a GitHub workflow file.
fn missing_workflow(context: &Context<'_>, publisher: &Publisher) -> Option<Diagnostic> {
    let names = &context.repo.workflow_dir_names;
    let workflow = &publisher.workflow;
    // A reusable workflow of another repository (RubyGems) is not here.
    if workflow_exists(context, publisher) || publisher.workflow_repository.is_some() {
        return None;
    }
    let registry = publisher.index().display_name();
    let diagnostic = Diagnostic::new(
        &PUBLISHER_WORKFLOW_MISSING,
        location(publisher, workflow),
        format!(
            "the publisher's workflow `{}` does not exist in .github/workflows",
            workflow.value
        ),
    );
    Some(match closest(&workflow.value, names) {
        Some(name) if name.eq_ignore_ascii_case(&workflow.value) => diagnostic.with_help(format!(
            "{registry} matches the file name exactly, including case: the file is `{name}`; rename it or fix the publisher on {registry}"
        )),
        Some(name) => diagnostic.with_help(format!(
            "did you mean `{name}`? {registry} matches the file name exactly; fix the publisher on {registry} and here"
        )),
        None if names.is_empty() => {
            diagnostic.with_help("this repository has no .github/workflows folder")
        }
        None => diagnostic.with_help(format!(
            "workflows here: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })
}

/// The publisher's fields that break its registry's form rules.
fn form_problems(publisher: &Publisher) -> Vec<FieldProblem> {
    // An unknown registry (TP102 too) is read with PyPI's form.
    let validate = match publisher.platform {
        Platform::Github => publisher.index().info().validate,
        Platform::Gitlab => publisher.index().gitlab_or_pypi().validate,
    };
    validate(&form_values(publisher))
}

/// The publisher's values as a form reads them.
pub(super) fn form_values(publisher: &Publisher) -> FormValues<'_> {
    FormValues {
        owner: &publisher.owner.value,
        repository: &publisher.repository.value,
        workflow: &publisher.workflow.value,
        environment: publisher.environment.as_ref().map(|e| e.value.as_str()),
        workflow_repository: publisher
            .workflow_repository
            .as_ref()
            .map(|(o, n)| (o.value.as_str(), n.value.as_str())),
        user: publisher.user.as_ref().map(|u| u.value.as_str()),
    }
}

/// The publisher's field a problem is about.
fn problem_field(publisher: &Publisher, field: PublisherField) -> &Field {
    match field {
        PublisherField::Owner => &publisher.owner,
        PublisherField::Repository => &publisher.repository,
        PublisherField::Workflow => &publisher.workflow,
        PublisherField::Environment => publisher
            .environment
            .as_ref()
            .unwrap_or(&publisher.workflow),
        PublisherField::WorkflowRepositoryOwner => publisher
            .workflow_repository
            .as_ref()
            .map_or(&publisher.workflow, |(owner, _)| owner),
        PublisherField::WorkflowRepositoryName => publisher
            .workflow_repository
            .as_ref()
            .map_or(&publisher.workflow, |(_, name)| name),
        PublisherField::User => publisher.user.as_ref().unwrap_or(&publisher.workflow),
        PublisherField::Ref => publisher.git_ref.as_ref().unwrap_or(&publisher.workflow),
    }
}

pub(super) fn publisher_invalid(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for publisher in &context.repo.config.publishers {
        if let (Some(index), None) = (&publisher.index, publisher.index_kind) {
            out.push(
                Diagnostic::new(
                    &PUBLISHER_INVALID,
                    location(publisher, index),
                    format!("unknown registry `{}`", index.value),
                )
                .with_help(format!("use one of {}", crate::registry::keys())),
            );
        }
        let problems = match publisher.platform {
            Platform::Github => form_problems(publisher),
            Platform::Gitlab => publisher
                .index()
                .gitlab()
                .map_or_else(Vec::new, |g| (g.validate)(&form_values(publisher))),
        };
        for problem in problems {
            let mut diagnostic = Diagnostic::new(
                &PUBLISHER_INVALID,
                location(publisher, problem_field(publisher, problem.field)),
                problem.message,
            );
            diagnostic.help = problem.help;
            out.push(diagnostic);
        }
    }
    super::repository_publisher::publisher_fields(context, out);
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
    context: &'a Context<'_>,
    name: &'a str,
    index: Registry,
) -> impl Iterator<Item = (WorkflowView<'a>, &'a PublishSite)> + 'a {
    context
        .workflows()
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
fn publishes_through_call(context: &Context<'_>, name: &str, index: Registry) -> bool {
    let Some(caller) = context.repo.workflows.iter().position(|w| w.name == name) else {
        return false;
    };
    context
        .facts
        .calls
        .calls_from(caller)
        .any(|call| match call.callee {
            Callee::Remote(_) => true,
            Callee::Local(callee) => context.facts.workflows[callee]
                .publish_sites
                .iter()
                .any(|s| s.is_oidc() && s.index() == Some(index)),
            Callee::Missing(_) => false,
        })
}

/// Jobs of workflow `name` that may publish where tplint cannot see: they
/// can mint OIDC tokens, run in an environment `publisher` accepts, and
/// run opaque steps.
fn hidden_candidates<'a>(
    context: &Context<'a>,
    publisher: &Publisher,
) -> Vec<(WorkflowView<'a>, usize)> {
    let mut found = Vec::new();
    for view in attributed_views(context, publisher) {
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

/// The info said instead of TP103's error when opaque steps may publish.
fn hidden_publish_info(
    candidates: &[(WorkflowView<'_>, usize)],
    location: Location,
    name: &str,
    index: Registry,
) -> Diagnostic {
    let jobs: Vec<String> = candidates
        .iter()
        .map(|(view, job)| format!("`{}`", view.job(*job).id.value))
        .collect();
    let mut diagnostic = Diagnostic::new(
        &PUBLISHER_NO_PUBLISH_JOB,
        location,
        format!(
            "no step that publishes to {} is visible in `{name}`; job {} can mint OIDC tokens and runs steps tplint cannot see into, which may publish",
            index.display_name(),
            jobs.join(", ")
        ),
    )
    .with_severity(Severity::Info)
    .with_help(
        "nothing to fix if one of those steps publishes by trusted publishing; tplint checks the publisher fully when the upload is visible (pypa/gh-action-pypi-publish, uv, twine, ... in the workflow, a local composite action or a shell script)",
    );
    for (view, job) in candidates {
        for opaque in view.job_facts(*job).opaque.iter().take(5) {
            diagnostic = diagnostic.with_related(
                opaque.location,
                format!("tplint cannot see into {}", opaque.what),
            );
        }
    }
    diagnostic
}

/// Whether the GitHub workflow a publisher names is here and could be
/// read (else TP101, a workflow of another repository, or TP001).
fn workflow_readable(context: &Context<'_>, publisher: &Publisher) -> bool {
    context
        .repo
        .workflows
        .iter()
        .find(|w| names_workflow(publisher, &w.name))
        .is_some_and(|file| file.workflow.is_some())
}

/// TP103 for a publisher of a workflow whose publish jobs all run in the
/// environments of other publishers.
fn workflow_jobs_of_others(
    context: &Context<'_>,
    publisher: &Publisher,
    index: Registry,
) -> Diagnostic {
    let name = &publisher.workflow.value;
    let location = location(publisher, &publisher.workflow);
    let hidden = hidden_candidates(context, publisher);
    if !hidden.is_empty() {
        return hidden_publish_info(&hidden, location, name, index);
    }
    let expected = publisher
        .environment
        .as_ref()
        .map_or("", |e| e.value.as_str());
    Diagnostic::new(
        &PUBLISHER_NO_PUBLISH_JOB,
        location,
        format!(
            "no job of `{name}` publishes to {} in environment `{expected}`; its publish jobs belong to other publishers",
            index.display_name()
        ),
    )
    .with_help(format!(
        "add a publish job that runs in this environment, or remove this publisher here and on {}",
        index.display_name()
    ))
}

/// TP103 for a publisher of a workflow with no job publishing to its
/// registry by trusted publishing.
fn workflow_publishes_nothing(
    context: &Context<'_>,
    publisher: &Publisher,
    index: Registry,
) -> Option<Diagnostic> {
    let name = &publisher.workflow.value;
    let location = location(publisher, &publisher.workflow);
    if other_targets(context, name, index).next().is_some()
        || publishes_through_call(context, name, index)
        || workflow_jobs(context)
            .iter()
            .any(|j| j.index == index && names_other_end(context, publisher, j))
    {
        return None; // TP107 or TP108 says why
    }
    let hidden = hidden_candidates(context, publisher);
    if !hidden.is_empty() {
        return Some(hidden_publish_info(&hidden, location, name, index));
    }
    let views = attributed_views(context, publisher);
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
    Some(
        Diagnostic::new(
            &PUBLISHER_NO_PUBLISH_JOB,
            location,
            format!(
                "no job of `{name}` publishes to {} by trusted publishing, so this publisher is never used",
                index.display_name()
            ),
        )
        .with_help(help),
    )
}

/// TP104, for every CI system and registry: a job's environment claim
/// that none of the publishers naming the job accepts, when each of them
/// expects one.
pub(super) fn environment_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    if publishers.iter().all(|p| p.environment.is_none()) {
        return;
    }
    for publish in publish_claims(context.repo, context.facts) {
        let matching: Vec<(&Publisher, &Field)> = publishers
            .iter()
            .filter(|p| publish.named_by(p))
            .filter_map(|p| Some((*p, p.environment.as_ref()?)))
            .collect();
        // Any publisher without an environment accepts every job it names.
        let named = publishers.iter().filter(|p| publish.named_by(p)).count();
        if matching.is_empty() || matching.len() < named {
            continue;
        }
        let expected: Vec<&str> = matching.iter().map(|(_, f)| f.value.as_str()).collect();
        let Some(mismatch) = publish
            .index
            .environment_mismatch(&publish.claims, &expected)
        else {
            continue;
        };
        let index = publish.index.display_name();
        let expected_list = expected
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let note = mismatch
            .note
            .as_ref()
            .map_or_else(String::new, |n| format!("; {n}"));
        let id = publish.job;
        // pub.dev requires an environment of every run it accepts; the
        // others expect one of the job the publisher names.
        let repository = !publish.index.matches_workflow();
        let (at, message) = match (&mismatch.found, publish.environment_at) {
            (Some(found), Some(at)) if repository => (
                at,
                format!(
                    "job `{id}` publishes to {index} in environment `{found}`, but the {index} publisher requires {expected_list}{note}"
                ),
            ),
            (Some(found), Some(at)) => (
                at,
                format!(
                    "job `{id}` runs in environment `{found}`, but the {index} publisher expects {expected_list}{note}"
                ),
            ),
            _ if repository => (
                publish.key,
                format!(
                    "job `{id}` publishes to {index} without an environment, but the {index} publisher requires {expected_list}"
                ),
            ),
            _ => (
                publish.key,
                format!(
                    "job `{id}` has no environment, but the {index} publisher expects {expected_list}"
                ),
            ),
        };
        let (publisher, first) = matching[0];
        let mut diagnostic = Diagnostic::new(&ENVIRONMENT_MISMATCH, at, message);
        if let Some((file, job)) = publish.editable {
            diagnostic = diagnostic.with_fix(crate::fix::workflow::set_environment(
                file,
                &context.repo.sources.get(file).text,
                job,
                &expected,
            ));
        }
        out.push(
            diagnostic
                .with_severity(Severity::Error)
                .with_help(mismatch.fix)
                .with_related(
                    location(publisher, first),
                    "publisher's environment declared here",
                ),
        );
    }
}

/// TP111, for a publisher with a ref (NuGet.org's GitLab policies): a job
/// it names that can run only for tags, or only on other branches, as the
/// registry reads the refs of its claims. A job whose refs tplint cannot
/// tell (rules it cannot evaluate, an include it cannot read) is left
/// alone.
pub(super) fn ref_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    if publishers.iter().all(|p| p.git_ref.is_none()) {
        return;
    }
    for publish in publish_claims(context.repo, context.facts) {
        let named: Vec<&Publisher> = publishers
            .iter()
            .copied()
            .filter(|p| publish.named_by(p))
            .collect();
        // A publisher without a ref accepts every ref; any one that
        // accepts the job's is enough.
        let mut mismatches = Vec::new();
        for publisher in &named {
            let Some(git_ref) = &publisher.git_ref else {
                mismatches.clear();
                break;
            };
            match publish
                .index
                .ref_mismatch(&publish.claims, git_ref.value.trim())
            {
                Some(mismatch) => mismatches.push((*publisher, git_ref, mismatch)),
                None => {
                    mismatches.clear();
                    break;
                }
            }
        }
        let Some((publisher, git_ref, mismatch)) = mismatches.into_iter().next() else {
            continue;
        };
        let index = publish.index.display_name();
        let found = mismatch.found.as_deref().unwrap_or("other refs");
        let note = mismatch
            .note
            .as_ref()
            .map_or_else(String::new, |n| format!("; {n}"));
        out.push(
            Diagnostic::new(
                &TAG_PATTERN_MISMATCH,
                publish.key,
                format!(
                    "job `{}` runs for {found}, but the {index} publisher requires ref `{}`, a branch{note}",
                    publish.job,
                    git_ref.value.trim()
                ),
            )
            .with_help(mismatch.fix)
            .with_related(location(publisher, git_ref), "publisher's ref declared here")
            .with_related(publish.upload, "the upload"),
        );
    }
}

/// TP105, for every CI system and registry: a publisher that names no
/// environment, while a job it names runs in one.
pub(super) fn publisher_environment_unrestricted(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    if publishers.iter().all(|p| p.environment.is_some()) {
        return;
    }
    let claims = publish_claims(context.repo, context.facts);
    for publisher in publishers {
        if publisher.environment.is_some() || !publisher.index().matches_environment() {
            continue;
        }
        let Some((publish, environment, at)) = claims.iter().find_map(|c| {
            let ClaimedEnvironment::Named(name) = c.claims.environment else {
                return None;
            };
            c.named_by(publisher)
                .then_some((c, name, c.environment_at?))
        }) else {
            continue;
        };
        let index = publish.index.display_name();
        let job = publish.job;
        let (location, message, help) = match publish.claims.ci {
            Ci::GithubActions if !publish.index.matches_workflow() => (
                publisher.tag_pattern.as_ref().map_or_else(
                    || Location::new(publisher.file, publisher.span),
                    |f| location(publisher, f),
                ),
                format!(
                    "the {index} publisher requires no environment, so any run started by a matching tag can publish; job `{job}` runs in `{environment}`"
                ),
                format!(
                    "on {index}, turn on \"Require GitHub Actions environment\" with `{environment}`, and add `environment = \"{environment}\"` to this publisher"
                ),
            ),
            Ci::GithubActions => (
                location(publisher, &publisher.workflow),
                format!(
                    "{} names no environment, so any job of that workflow can publish; job `{job}` runs in `{environment}`",
                    Ci::GithubActions.publisher_for(publish.index, &publisher.workflow.value)
                ),
                format!(
                    "add `environment = \"{environment}\"` to this publisher, and the same environment to the publisher on {index}"
                ),
            ),
            Ci::Gitlab => (
                location(publisher, &publisher.workflow),
                format!(
                    "{} names no environment, so any job of the pipeline (and of every file it includes) can publish; job `{job}` runs in `{environment}`",
                    Ci::Gitlab.publisher_for(
                        publish.index,
                        publish.claims.files.first().copied().unwrap_or_default()
                    )
                ),
                format!(
                    "add `environment = \"{environment}\"` to this publisher, and the same environment name to the publisher on {index}; protect the environment in GitLab so only release pipelines deploy to it"
                ),
            ),
        };
        out.push(
            Diagnostic::new(&PUBLISHER_ENVIRONMENT_UNRESTRICTED, location, message)
                .with_help(help)
                .with_related(at, "the publish job's environment"),
        );
    }
}

/// TP106, for every CI system: the publisher's owner (namespace) and
/// repository (project) against the repository path the token carries,
/// as `origin` spells it; GitLab publishers' issuer against its host.
pub(super) fn repository_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(remote) = &context.repo.remote else {
        return; // no remote: nothing to compare with
    };
    for publisher in context.publishers() {
        let claims = match publisher.platform {
            Platform::Github => PathClaims {
                ci: Ci::GithubActions,
                owner: &remote.owner,
                name: &remote.repository,
                url: &remote.url,
            },
            // A GitHub remote says nothing of a GitLab project.
            Platform::Gitlab if remote.host == "github.com" => continue,
            Platform::Gitlab => PathClaims {
                ci: Ci::Gitlab,
                owner: &remote.namespace,
                name: &remote.repository,
                url: &remote.url,
            },
        };
        let malformed = form_problems(publisher);
        for (field, kind) in [
            (&publisher.owner, PublisherField::Owner),
            (&publisher.repository, PublisherField::Repository),
        ] {
            if malformed.iter().any(|p| p.field == kind) {
                continue; // already a TP102 error
            }
            let Some(mismatch) = publisher.index().path_mismatch(kind, &field.value, &claims)
            else {
                continue;
            };
            let what = match kind {
                PublisherField::Owner => claims.ci.path_words().0,
                _ => claims.ci.path_words().1,
            };
            let found = mismatch.found.as_deref().unwrap_or_default();
            let message = if mismatch.case_only {
                format!(
                    "{}'s {what} `{}` differs in letter case from `{found}` in the git remote `origin`",
                    claims.ci.publisher(),
                    field.value
                )
            } else {
                format!(
                    "{}'s {what} `{}` is not `{found}` from the git remote `origin` ({})",
                    claims.ci.publisher(),
                    field.value,
                    claims.url
                )
            };
            let mut diagnostic =
                Diagnostic::new(&REPOSITORY_MISMATCH, location(publisher, field), message);
            if let Some(severity) = mismatch.severity {
                diagnostic = diagnostic.with_severity(severity);
            }
            out.push(diagnostic.with_help(mismatch.fix));
        }
        if claims.ci == Ci::Gitlab {
            issuer_mismatch(publisher, remote, out);
        }
    }
}

/// A GitLab publisher for gitlab.com in a project whose `origin` is on
/// another host with a name (an SSH alias has none: it says nothing of
/// the instance), or the reverse.
fn issuer_mismatch(publisher: &Publisher, remote: &Remote, out: &mut Vec<Diagnostic>) {
    let issuer = publisher
        .issuer
        .as_ref()
        .map_or(GITLAB_ISSUER, |f| f.value.as_str());
    let issuer_host = issuer
        .trim_end_matches('/')
        .strip_prefix("https://")
        .unwrap_or(issuer)
        .to_ascii_lowercase();
    if issuer_host == remote.host || !remote.host.contains('.') {
        return;
    }
    // Without an `issuer` key: the `[[publisher]]` header.
    let at = publisher
        .issuer
        .as_ref()
        .map_or(Location::new(publisher.file, publisher.span), |field| {
            location(publisher, field)
        });
    out.push(
        Diagnostic::new(
            &REPOSITORY_MISMATCH,
            at,
            format!(
                "the GitLab publisher's issuer is `{issuer}`, but the git remote `origin` is on `{}`",
                remote.host
            ),
        )
        .with_severity(Severity::Warning)
        .with_help(if publisher.index().is_pypi() {
            format!(
                "ID tokens carry the issuer of the instance the pipeline runs on; for a self-managed instance set `issuer = \"https://{}\"`: PyPI accepts it only for projects of a PyPI organisation that registered the instance (in beta), otherwise publish from gitlab.com",
                remote.host
            )
        } else if publisher.index() == Registry::CratesIo {
            // rust-lang/crates.io crates/crates_io_trustpub/src/gitlab/mod.rs
            // (`GITLAB_ISSUER_URL`) and claims.rs (the one issuer validated).
            "ID tokens carry the issuer of the instance the pipeline runs on; crates.io accepts only `https://gitlab.com`, so publish from gitlab.com".to_string()
        } else if publisher.index() == Registry::NuGet {
            // NuGet/NuGetGallery GitLabTokenPolicyValidator.cs (`Issuer`).
            "ID tokens carry the issuer of the instance the pipeline runs on; NuGet.org accepts only `https://gitlab.com`, so publish from gitlab.com".to_string()
        } else {
            format!(
                "ID tokens carry the issuer of the instance the pipeline runs on; {} accepts trusted publishing from GitLab.com shared runners only, so publish from gitlab.com",
                publisher.index().display_name()
            )
        }),
    );
}

/// TP107, for every CI system: a publisher of PyPI or TestPyPI whose
/// file's runs upload by trusted publishing to the other index, or to one
/// named by a value known only when the job runs.
pub(super) fn index_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    if !publishers
        .iter()
        .any(|p| p.index_kind.is_some_and(Registry::is_pypi))
    {
        return;
    }
    let claims = publish_claims(context.repo, context.facts);
    for publisher in publishers.iter().copied() {
        // Only PyPI and TestPyPI can be confused: an npm publish beside a
        // PyPI publisher is another registry's business.
        let Some(index) = publisher.index_kind.filter(|i| i.is_pypi()) else {
            continue;
        };
        if publisher.platform == Platform::Github && !index.matches_workflow() {
            continue;
        }
        let ci = ci_of(publisher);
        let name = &publisher.workflow.value;
        let sites = uploads_of_file(context.repo, context.facts, ci, name);
        let file = match ci {
            Ci::GithubActions => name.as_str(),
            Ci::Gitlab => name.trim(),
        };
        let has_own_jobs = claims.iter().any(|c| c.named_by(publisher));
        let related = location(
            publisher,
            publisher.index.as_ref().unwrap_or(&publisher.workflow),
        );
        for site in sites {
            let other_target = site.is_oidc()
                && site.uploader.registry().is_some_and(Registry::is_pypi)
                && match &site.target {
                    Target::Registry(i) => *i != index,
                    Target::Expression(_) => true,
                    Target::Custom(_) => false,
                };
            if !other_target {
                continue;
            }
            let at = site.target_span.unwrap_or(site.location());
            match &site.target {
                Target::Expression(url) => out.push(
                    Diagnostic::new(
                        &INDEX_MISMATCH,
                        at,
                        format!(
                            "the upload target `{url}` {}; tplint cannot tell whether it is {}, where the publisher for {} is registered",
                            ci.dynamic(),
                            index.display_name(),
                            match ci {
                                Ci::GithubActions => format!("`{file}`"),
                                Ci::Gitlab => format!("the pipeline `{file}`"),
                            }
                        ),
                    )
                    .with_severity(Severity::Info)
                    .with_help(format!(
                        "a literal `{}` lets the publisher be checked",
                        index.upload_url()
                    ))
                    .with_related(related, "publisher declared here"),
                ),
                Target::Registry(other) => {
                    let declared_elsewhere = publishers.iter().any(|p| {
                        p.platform == publisher.platform
                            && p.index_kind == Some(*other)
                            && match ci {
                                Ci::GithubActions => names_workflow(p, name),
                                Ci::Gitlab => other.names_file(ci, &p.workflow.value, file),
                            }
                    });
                    // A file whose runs also upload to the declared index
                    // is fine: the other upload is TP100's concern.
                    if declared_elsewhere || has_own_jobs {
                        continue;
                    }
                    let id_tokens = match ci {
                        Ci::GithubActions => String::new(),
                        Ci::Gitlab => {
                            let gitlab = other.gitlab_or_pypi();
                            format!(
                                ", with `id_tokens: {}: {{aud: {}}}` on the job",
                                gitlab.id_token, gitlab.audience
                            )
                        }
                    };
                    out.push(
                        Diagnostic::new(
                            &INDEX_MISMATCH,
                            at,
                            format!(
                                "`{}` uploads to {}, but {} is registered on {}",
                                site.name(),
                                other.display_name(),
                                match ci {
                                    Ci::GithubActions => format!("the publisher for `{file}`"),
                                    Ci::Gitlab =>
                                        format!("the GitLab publisher for the pipeline `{file}`"),
                                },
                                index.display_name()
                            ),
                        )
                        .with_help(format!(
                            "{} and {} have separate publishers: register one on {} (and set `registry = \"{}\"` here{id_tokens}), or upload to {}",
                            Registry::Pypi.display_name(),
                            Registry::TestPypi.display_name(),
                            other.display_name(),
                            other.key(),
                            index.upload_url()
                        ))
                        .with_related(related, "publisher declared here"),
                    );
                }
                Target::Custom(_) => {}
            }
        }
    }
}

/// The CI system whose tokens a publisher names.
fn ci_of(publisher: &Publisher) -> Ci {
    match publisher.platform {
        Platform::Github => Ci::GithubActions,
        Platform::Gitlab => Ci::Gitlab,
    }
}

/// TP108 for registries that match the file a run starts from (crates.io,
/// npm): an error when the publisher names the reusable workflow that
/// holds the job instead of a caller, info when none is declared.
fn caller_matched(
    context: &Context<'_>,
    publishers: &[&Publisher],
    job: &OidcPublishJob<'_>,
) -> Option<Diagnostic> {
    let starting = job.matched_workflows(context.repo, context.facts);
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
        return Some(
            Diagnostic::new(
                &REUSABLE_WORKFLOW_PUBLISH,
                job.site.location(),
                format!(
                    "job `{id}` publishes from the reusable workflow `{called}`; {registry} matches the workflow the run starts from ({callers}), not `{called}` that the publisher names"
                ),
            )
            .with_severity(Severity::Error)
            .with_help(format!(
                "register (and declare) the publisher with workflow {callers}: {registry} reads `workflow_ref`, the calling file, and rejects the token ({})",
                job.index.info().rejection
            ))
            .with_related(location(publisher, &publisher.workflow), "publisher names the called file"),
        );
    }
    if !job.view.is_reusable() {
        return None;
    }
    Some(
        Diagnostic::new(
            &REUSABLE_WORKFLOW_PUBLISH,
            job.site.location(),
            format!(
                "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to the workflow the run starts from ({callers}), so that is the file to register as the {registry} publisher"
            ),
        )
        .with_severity(Severity::Info)
        .with_help(registration_help(context, job)),
    )
}

fn reusable_workflow_publish_of_workflows(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = workflow_publishers(context);
    for job in workflow_jobs(context) {
        if !job.view.is_reusable() {
            continue;
        }
        let called = job.view.attributed_name();
        let id = &job.job.id.value;
        let callers: Vec<_> = context.facts.calls.callers_of(job.view.index).collect();
        let caller_name =
            |call: &crate::facts::calls::Call| context.repo.workflows[call.caller].name.as_str();
        let registry = job.index.display_name();
        if job.index.info().matched == MatchedWorkflow::Caller {
            if let Some(diagnostic) = caller_matched(context, &publishers, &job) {
                let mut diagnostic = diagnostic;
                for call in &callers {
                    let caller = &context.repo.workflows[call.caller];
                    diagnostic = diagnostic.with_related(
                        Location::new(caller.file, call.span),
                        format!("called from `{}`", caller.name),
                    );
                }
                out.push(diagnostic);
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
                && crate::facts::site_step(context.repo, &job.view, site)
                    .is_some_and(|step| attestations::attests(site, step) == Attests::Yes)
        });
        let mut diagnostic = match (names_caller, attesting, callers.first()) {
            (Some((caller, publisher)), _, _) if !declared_for_called => Diagnostic::new(
                &REUSABLE_WORKFLOW_PUBLISH,
                job.site.location(),
                format!(
                    "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to `{called}`, not to the calling workflow `{caller}` that the publisher names"
                ),
            )
            .with_severity(Severity::Error)
            .with_help(format!(
                "register (and declare) a publisher with workflow `{called}`: {registry} sees the called file (`job_workflow_ref`), not the caller `{caller}`"
            ))
            .with_related(
                location(publisher, &publisher.workflow),
                "publisher names the calling file",
            ),
            (_, Some(site), Some(first_call)) => {
                let caller = if callers.len() == 1 {
                    format!("`{}`", caller_name(first_call))
                } else {
                    "the calling workflows".to_string()
                };
                Diagnostic::new(
                    &REUSABLE_WORKFLOW_PUBLISH,
                    site.location(),
                    format!(
                        "job `{id}` publishes from the reusable workflow `{called}` with attestations on (the default of gh-action-pypi-publish since v1.11.0); the attestations name the workflow that starts the run ({caller}), but PyPI checks them against the publisher's workflow `{called}` and rejects the upload"
                    ),
                )
                .with_severity(Severity::Warning)
                .with_help(format!(
                    "set `attestations: false` on the publish step, or move the publish job into the calling workflow ({caller}) and register that file as the publisher"
                ))
            }
            _ if !declared_for_called => Diagnostic::new(
                &REUSABLE_WORKFLOW_PUBLISH,
                job.site.location(),
                format!(
                    "job `{id}` publishes from the reusable workflow `{called}`; {registry} attributes its token to `{called}`, not to the calling workflow, so `{called}` is the file to register as the {registry} publisher"
                ),
            )
            .with_severity(Severity::Info)
            .with_help(registration_help(context, &job)),
            _ => continue,
        };
        for call in &callers {
            let caller = &context.repo.workflows[call.caller];
            diagnostic = diagnostic.with_related(
                Location::new(caller.file, call.span),
                format!("called from `{}`", caller.name),
            );
        }
        out.push(diagnostic);
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
        let Some(caller) = context
            .repo
            .workflows
            .iter()
            .position(|w| names_workflow(publisher, &w.name))
        else {
            continue;
        };
        let publishes_itself = context.facts.workflows[caller]
            .publish_sites
            .iter()
            .any(|s| s.is_oidc() && s.index() == Some(index));
        if publishes_itself {
            continue;
        }
        for call in context.facts.calls.calls_from(caller) {
            let Callee::Remote(target) = &call.callee else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &REUSABLE_WORKFLOW_PUBLISH,
                    Location::new(context.repo.workflows[caller].file, call.span),
                    format!(
                        "`{}` publishes nothing itself and calls `{target}` from another repository, which tplint cannot read offline; if that workflow publishes, {} sees its repository and file and rejects the token",
                        publisher.workflow.value,
                        index.display_name()
                    ),
                )
                .with_severity(Severity::Error)
                .with_help(if index.info().cross_repository == CrossRepository::Registered {
                    "register the reusable workflow's own file and repository with the publisher (`workflow-repository-owner` and `workflow-repository-name`), or copy the publish job into this repository"
                } else {
                    "trusted publishing works only from workflows of the publishing repository; copy the publish job into this repository"
                })
                .with_related(location(publisher, &publisher.workflow), "publisher declared here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_prefers_case_and_extension_variants() {
        let names = vec![
            "Release.yml".to_string(),
            "ci.yaml".to_string(),
            "publish.yaml".to_string(),
        ];
        assert_eq!(closest("release.yml", &names), Some("Release.yml"));
        assert_eq!(closest("publish.yml", &names), Some("publish.yaml"));
        assert_eq!(closest("pubish.yaml", &names), Some("publish.yaml"));
        assert_eq!(closest("deploy-docs.yml", &names), None);
    }
}
