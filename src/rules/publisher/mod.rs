//! TP1xx: the declared trusted publishers against the workflows.

use crate::catalogue::{
    ENVIRONMENT_MISMATCH, INDEX_MISMATCH, PUBLISHER_ENVIRONMENT_UNRESTRICTED, PUBLISHER_INVALID,
    PUBLISHER_NO_PUBLISH_JOB, PUBLISHER_UNDECLARED, PUBLISHER_WORKFLOW_MISSING,
    REPOSITORY_MISMATCH, REUSABLE_WORKFLOW_PUBLISH, TAG_PATTERN_MISMATCH,
};

use super::Context;
use crate::config::{Field, Platform, Publisher};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::Target;
use crate::facts::publish_job::{PublishClaims, uploads_of_file};
use crate::facts::publisher_files::github::{
    names_other_end, names_workflow, registration_form, workflow_exists, workflow_jobs,
};
use crate::facts::publisher_files::{
    self, Checkable, NoPublishJob, WrongFileKind, ci_of, file_malformed, form_problems, form_values,
};
use crate::git::Remote;
use crate::registry::claims::{Ci, ClaimedEnvironment, PathClaims};
use crate::registry::pypi::GITLAB_ISSUER;
use crate::registry::{PublisherField, Registry};

pub(super) fn location(publisher: &Publisher, field: &Field) -> Location {
    Location::new(publisher.file, field.span)
}

/// What a job does by trusted publishing, in TP100's words: "publishes
/// `what` by trusted publishing", or for a job whose only sign is the
/// mint of the registry's token, that mint (which the registry grants
/// only to a registered publisher).
fn publishing(publish: &PublishClaims<'_>, what: &str) -> String {
    match publish.minted_by {
        Some(action) => format!(
            "mints a {} token by trusted publishing with `{action}`, which {} grants only to a registered publisher (the upload that uses it is not visible to tplint)",
            publish.index.display_name(),
            publish.index.display_name()
        ),
        None => format!("publishes {what} by trusted publishing"),
    }
}

/// TP100: a job publishes by trusted publishing and no publisher of its
/// registry names the file its token is attributed to.
///
/// GitHub jobs are checked against the declared publishers only: a
/// publisher PyPI recorded is named in the help instead (and TP109 says it
/// is not declared).
pub(super) fn publisher_undeclared(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let checked = context.publishers();
    let claims: Vec<&PublishClaims> = context.publish_claims().collect();
    let jobs = workflow_jobs(context.repo, context.facts);
    // Packages published by one upload (a matrix of folders, a loop): one
    // finding, at the upload, naming them all.
    let mut grouped: Vec<(Location, Registry, usize, Vec<String>)> = Vec::new();
    let lowered = context.jobs().iter();
    for (lowered, publish) in lowered.flat_map(|j| j.claims.iter().map(move |c| (j, c))) {
        let ci = publish.claims.ci;
        let index = publish.index;
        // A GitLab job without an ID token for the registry shows no sign
        // of trusted publishing: it may well use a password from the
        // project's CI/CD settings. TP201 says what it needs if it means
        // to (or, where an include tplint cannot read may give it the
        // token, nothing is concluded).
        if ci == Ci::Gitlab && lowered.site_to(index).is_none() {
            continue;
        }
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
                (!workflow_exists(context.repo, p) && p.workflow_repository.is_none())
                    || job.is_some_and(|j| names_other_end(context.repo, context.facts, p, j))
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
                        "job `{}` of `{}` {}; runs started from `{}` have no declared {registry} publisher",
                        publish.job,
                        job.view.attributed_name(),
                        publishing(publish, &format!("to {registry}")),
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
        // Each package has publishers of its own: name it where the job
        // publishes several, or a publisher is declared for another.
        let package = publish.published.as_deref().filter(|published| {
            lowered.claims.iter().filter(|c| c.index == index).count() > 1
                || same_index().any(|p| {
                    p.project
                        .as_ref()
                        .is_some_and(|d| !index.same_package_name(&d.value, published))
                })
        });
        if let Some(package) = package {
            if let Some((.., packages)) = grouped
                .iter_mut()
                .find(|(upload, i, ..)| *upload == publish.upload && *i == index)
            {
                packages.push(package.to_string());
                continue;
            }
            grouped.push((publish.upload, index, out.len(), vec![package.to_string()]));
        }
        let (what, registry_for) = match package {
            Some(package) => (
                format!("`{package}` to {registry}"),
                format!("{registry} publisher for `{package}`"),
            ),
            None => (format!("to {registry}"), format!("{registry} publisher")),
        };
        let (message, help) = match ci {
            Ci::Gitlab => (
                format!(
                    "job `{}` publishes {what} by trusted publishing, but no GitLab publisher is declared for the pipeline `{}`",
                    publish.job,
                    files.join("` or `")
                ),
                crate::gitlab::facts::publisher_files::registration_help(context.repo, publish),
            ),
            Ci::GithubActions if !index.matches_workflow() => (
                format!(
                    "job `{}` {}, but no {registry_for} is declared",
                    publish.job,
                    publishing(publish, &what)
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
                        context.repo,
                        index,
                        &workflow,
                        environment,
                        (publish.folder, publish.package, publish.workspace),
                    )
                });
                (
                    format!(
                        "job `{}` {}, but no {registry_for} is declared for `{workflow}`",
                        publish.job,
                        publishing(publish, &what)
                    ),
                    help,
                )
            }
        };
        // A tool publishing every crate of the workspace: one publisher each.
        let help = match publisher_files::workspace_help(context.repo, index, publish.workspace) {
            Some(others) if package.is_none() => help + &others,
            _ => help,
        };
        out.push(Diagnostic::new(&PUBLISHER_UNDECLARED, publish.upload, message).with_help(help));
    }
    for (.., at, packages) in grouped {
        let [first, rest @ ..] = packages.as_slice() else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let names = format!("`{first}`, `{}`", rest.join("`, `"));
        let diagnostic = &mut out[at];
        diagnostic.message = diagnostic
            .message
            .replacen(
                &format!("publishes `{first}` to"),
                &format!("publishes {names} to"),
                1,
            )
            .replacen(
                &format!("publisher for `{first}` is"),
                "publisher for them is",
                1,
            );
        if let Some(help) = &mut diagnostic.help {
            help.push_str(&format!(
                "\n\nregister and declare one for each of {}, the same way",
                rest.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
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
    let claims: Vec<&PublishClaims> = context.publish_claims().collect();
    let accepts = |publisher: &Publisher, publish: &PublishClaims<'_>| {
        publish.index.accepts_environment(
            publish.claims.ci,
            publisher.environment.as_ref().map(|e| e.value.as_str()),
            publish.claims.environment,
        )
    };
    // pub.dev and JSR publishers name no file: one finding per registry.
    let mut repository_registries = Vec::new();
    for publisher in publishers.iter().copied() {
        let Some(index) = publisher.index_kind else {
            continue;
        };
        if !index.matches_workflow() {
            if publisher.platform == crate::config::Platform::Github
                && !repository_registries.contains(&index)
            {
                repository_registries.push(index);
                out.extend(
                    publisher_files::publishes_nothing(
                        context.repo,
                        context.facts,
                        publisher,
                        index,
                    )
                    .map(no_publish_job),
                );
            }
            continue;
        }
        match publisher_files::checkable(context.repo, context.facts, publisher) {
            Checkable::Yes => {}
            Checkable::No => continue,
            Checkable::Note(note) => {
                out.push(
                    note.diagnostic(&PUBLISHER_NO_PUBLISH_JOB)
                        .with_severity(Severity::Info),
                );
                continue;
            }
        }
        let candidates: Vec<&PublishClaims<'_>> = claims
            .iter()
            .copied()
            .filter(|c| c.named_by(publisher))
            .collect();
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
            out.extend(
                publisher_files::jobs_of_others(context.repo, context.facts, publisher, index)
                    .map(no_publish_job),
            );
            continue;
        }
        out.extend(
            publisher_files::publishes_nothing(context.repo, context.facts, publisher, index)
                .map(no_publish_job),
        );
    }
}

/// TP108: the publisher names a file of the run other than the one the
/// registry reads from the token (a reusable workflow's caller or callee,
/// an included file instead of the top-level pipeline).
pub(super) fn reusable_workflow_publish(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    for wrong in publisher_files::wrong_files(context.repo, context.facts, &publishers) {
        let severity = match wrong.kind {
            WrongFileKind::Rejected => Severity::Error,
            WrongFileKind::SignedForOtherFile => Severity::Warning,
            WrongFileKind::RegisterOther => Severity::Info,
        };
        out.push(
            wrong
                .finding
                .diagnostic(&REUSABLE_WORKFLOW_PUBLISH)
                .with_severity(severity),
        );
    }
}

/// TP103's diagnostic: an error, or an info where parts tplint cannot
/// see may hold the upload.
fn no_publish_job(found: NoPublishJob<'_>) -> Diagnostic {
    let diagnostic = found.finding.diagnostic(&PUBLISHER_NO_PUBLISH_JOB);
    if found.hidden {
        diagnostic.with_severity(Severity::Info)
    } else {
        diagnostic
    }
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
        if file_malformed(publisher) {
            continue; // TP102
        }
        out.extend(
            publisher_files::missing_file(context.repo, publisher)
                .map(|missing| missing.diagnostic(&PUBLISHER_WORKFLOW_MISSING)),
        );
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

/// TP104, for every CI system and registry: a job's environment claim
/// that none of the publishers naming the job accepts, when each of them
/// expects one.
pub(super) fn environment_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let publishers = context.publishers();
    if publishers.iter().all(|p| p.environment.is_none()) {
        return;
    }
    for publish in context.publish_claims() {
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
    for publish in context.publish_claims() {
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
    let claims: Vec<&PublishClaims> = context.publish_claims().collect();
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
    let claims: Vec<&PublishClaims> = context.publish_claims().collect();
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
