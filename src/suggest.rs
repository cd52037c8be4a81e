//! `tplint suggest`: the values to type into each registry's trusted
//! publisher form (PyPI's "Add a new publisher") for every job that publishes by trusted publishing, and the same as
//! a `[[publisher]]` block for `tplint.toml`. With `--online`, the values
//! come from the publisher PyPI recorded for the latest release where it
//! matches a job, and a recorded publisher no job matches is listed too.

use serde::Serialize;

use crate::config::Platform;
use crate::facts::publish::{Auth, PublishSite};
use crate::facts::{Facts, oidc_publish_jobs};
use crate::online::pypi::{Identity, RecordStatus, RecordedPublisher};
use crate::online::record::RecordFacts;
use crate::registry::claims::AudienceMatch;
use crate::registry::{CrossRepository, MatchedWorkflow, Registry};
use crate::repository::Repository;

/// The release whose provenance named a suggested publisher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FromRecord {
    pub project: String,
    pub version: String,
    pub filename: String,
}

/// One publisher to register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The CI system the publisher trusts: `github` or `gitlab`.
    pub platform: &'static str,
    /// The registry's key (`pypi`, `crates.io`, ...).
    pub registry: &'static str,
    /// The same key, under its older name, for PyPI-era readers.
    pub index: &'static str,
    /// The package: `[project].name` of `pyproject.toml` for PyPI, the
    /// manifest's name for the other registries, when there is one.
    pub project: Option<String>,
    /// `None` when the repository has no `origin` remote (on GitLab: the
    /// namespace, subgroups included; `None` without a GitLab remote).
    pub owner: Option<String>,
    /// The repository, or the GitLab project.
    pub repository: Option<String>,
    /// The workflow file name PyPI will see, or GitLab's top-level
    /// pipeline file path.
    pub workflow: String,
    /// `None`: the job has no environment ("(any)" on the form).
    pub environment: Option<String>,
    /// pub.dev: the tag pattern to register (`workflow` is empty for
    /// pub.dev and JSR, which match no workflow file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_pattern: Option<String>,
    /// Whether the environment is an expression that must be resolved by hand.
    pub environment_is_expression: bool,
    /// `path: job` of each publish job this publisher covers.
    pub jobs: Vec<String>,
    /// No upload by trusted publishing is visible: the job can mint OIDC
    /// tokens, runs steps tplint cannot see into, and looks like a release
    /// job or uploads with a tool that needs a registry's mint it does
    /// not show.
    pub unconfirmed: bool,
    /// With `--online`: the release whose provenance records this publisher.
    pub recorded: Option<FromRecord>,
}

/// Words in a job's id, name or environment that say it releases.
const RELEASE_WORDS: &[&str] = &["release", "publish", "deploy", "pypi", "upload"];

/// Words in the names of jobs, environments, called files and inputs, each
/// pointing to one registry.
const REGISTRY_WORDS: &[(&str, Registry)] = &[
    ("pypi", Registry::Pypi),
    ("crate", Registry::CratesIo),
    ("cargo", Registry::CratesIo),
    ("npm", Registry::Npm),
    ("rubygems", Registry::RubyGems),
    ("gem", Registry::RubyGems),
    ("nuget", Registry::NuGet),
    ("jsr", Registry::Jsr),
    ("pub_dev", Registry::PubDev),
    ("pub-dev", Registry::PubDev),
    ("pubdev", Registry::PubDev),
];

/// The registry a job that may publish unseen most likely publishes to,
/// from what the job shows: a step minting a registry's token, npm's
/// registry given to `actions/setup-node`, a registry named in the job's
/// id, name or environment (each name a `${{ matrix.NAME }}` in it makes
/// with the matrix's literal values), or else a Python project at the root.
/// `None` when nothing points to one registry: guessing would send a
/// maintainer to the wrong registry's form.
fn likely_registry(
    repo: &Repository,
    job: &crate::workflow::Job,
    job_facts: &crate::facts::JobFacts,
    names: &[Option<&str>],
) -> Option<Registry> {
    use crate::registry::publishing::token_minters;
    // A registry token minted by the job, in its own steps or a local
    // action's (bytecodealliance/wasm-tools mints in a composite action).
    if let Some(mint) = job_facts.mints.first() {
        return Some(mint.registry);
    }
    for step in &job.steps {
        let Some(uses) = &step.uses else {
            continue;
        };
        if let Some(minter) = token_minters().find(|m| uses.target.is_action(m.action)) {
            return Some(minter.registry);
        }
        if uses.target.is_action(crate::facts::npm::SETUP_NODE)
            && step
                .input("registry-url")
                .is_some_and(|url| url.value.value.contains("registry.npmjs.org"))
        {
            return Some(Registry::Npm);
        }
    }
    let mut named = names.iter().flatten().flat_map(|name| {
        let name = name.to_ascii_lowercase();
        REGISTRY_WORDS
            .iter()
            .filter(move |(word, _)| name.contains(word))
            .map(|(_, registry)| *registry)
            .collect::<Vec<_>>()
    });
    if let Some(first) = named.next() {
        return named.all(|r| r == first).then_some(first);
    }
    repo.config.project_name.as_ref().map(|_| Registry::Pypi)
}

/// The one registry, of those that do not match a called workflow's file,
/// whose manifest in the repository names a package (`package.json`,
/// `Cargo.toml`, `pubspec.yaml`, `jsr.json`): where a call of another
/// repository's workflow would publish, when its names do not say.
fn only_manifest_registry(repo: &Repository) -> Option<Registry> {
    let mut found = Registry::ALL.into_iter().filter(|r| {
        r.info().cross_repository == CrossRepository::NotMatched
            && repo.default_package(*r).is_some()
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The registries a call of another repository's workflow switches on by
/// an input: a `with:` key naming the registry (`publish_jsr`, `npm`,
/// `publish-to-crates`) set to `true`.
fn called_with_registries(job: &crate::workflow::Job) -> Vec<Registry> {
    let Some(call) = job
        .call
        .as_ref()
        .filter(|_| crate::facts::unread_remote_call(job).is_some())
    else {
        return Vec::new();
    };
    call.with
        .iter()
        .filter(|kv| kv.value.value.trim() == "true")
        .filter_map(|kv| {
            let key = kv.key.value.to_ascii_lowercase();
            REGISTRY_WORDS
                .iter()
                .find(|(word, _)| key.contains(word))
                .map(|(_, registry)| *registry)
        })
        .collect()
}

/// Jobs that probably publish where tplint cannot see (see `Suggestion::unconfirmed`).
fn probable(repo: &Repository, facts: &Facts) -> Vec<Suggestion> {
    use crate::facts::permissions::{GrantSource, id_token};
    let mut out = Vec::new();
    for view in crate::facts::views(repo, facts) {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let grant = id_token(GrantSource::of(view.workflow, job));
            // A reusable workflow of another repository, given the grant,
            // runs steps tplint cannot see, like an opaque step.
            let remote = crate::facts::unread_remote_call(job).is_some();
            if grant.is_some_and(|g| g != crate::workflow::Access::Write)
                || (view.job_facts(index).opaque.is_empty() && !remote)
                || view.sites_of(index).any(|s| s.is_oidc())
                || !crate::facts::unseen_mint_publishes(&view, index).is_empty()
                // A registry's long-lived token handed to what tplint cannot
                // see: if the job publishes, it is with that token.
                || !crate::facts::tokens_to_opaque(repo, &view, index).is_empty()
            {
                continue;
            }
            // An upload tplint sees whose tool needs a registry's mint for
            // trusted publishing, with no mint in sight: a step tplint
            // cannot see may mint its token, so it publishes to that
            // registry, perhaps by trusted publishing (npm's client
            // exchanges itself, so its uploads are never unknown here).
            if let Some(registry) = view
                .sites_of(index)
                .filter(|s| s.auth == Auth::Unknown && !s.uploader.supports_trusted_publishing())
                .filter_map(PublishSite::index)
                .find(|registry| *registry != Registry::Npm)
            {
                out.extend(suggestion_for_job(repo, facts, &view, job, registry, true));
                continue;
            }
            let environment = job.environment.as_ref().map(|e| e.name.value.clone());
            // The called file's name (`jsr-publish.yml`) says what it does
            // as a job's name would.
            let called = crate::facts::unread_remote_call(job)
                .map(|uses| uses.raw.value.split('@').next().unwrap_or_default())
                .map(|path| path.rsplit('/').next().unwrap_or(path));
            // A name written with `${{ matrix.NAME }}` (GitTools/GitVersion's
            // `name: ${{ matrix.taskName }}`) is each name its literal
            // values make.
            let expanded = |name: Option<&str>| -> Vec<String> {
                let Some(name) = name else {
                    return Vec::new();
                };
                job.strategy
                    .as_ref()
                    .filter(|_| name.contains("matrix."))
                    .and_then(|strategy| crate::facts::expand::matrix_expansions(strategy, name))
                    .unwrap_or_else(|| vec![name.to_string()])
            };
            let job_names = expanded(job.name.as_ref().map(|n| n.value.as_str()));
            let environments = expanded(environment.as_deref());
            let names: Vec<Option<&str>> = [Some(job.id.value.as_str()), called]
                .into_iter()
                .chain(job_names.iter().map(|n| Some(n.as_str())))
                .chain(environments.iter().map(|n| Some(n.as_str())))
                .collect();
            let releases = names.iter().flatten().any(|n| {
                let n = n.to_ascii_lowercase();
                RELEASE_WORDS.iter().any(|w| n.contains(w))
            });
            if !releases {
                continue;
            }
            let mut registries: Vec<Registry> =
                likely_registry(repo, job, view.job_facts(index), &names)
                    .or_else(|| remote.then(|| only_manifest_registry(repo)).flatten())
                    .into_iter()
                    .collect();
            // An input of the call switching a registry's publish on
            // (panva/jose's `publish_jsr: true`).
            for registry in called_with_registries(job) {
                if !registries.contains(&registry) {
                    registries.push(registry);
                }
            }
            for registry in registries {
                // A registry that matches the called file, or needs its
                // repository registered, needs what tplint cannot read there.
                if remote && registry.info().cross_repository != CrossRepository::NotMatched {
                    continue;
                }
                out.extend(suggestion_for_job(repo, facts, &view, job, registry, true));
            }
        }
    }
    out
}

/// Jobs that mint a registry's token with an action that only mints
/// while tplint sees no upload using it
/// ([`crate::facts::unseen_mint_publishes`]): the registry grants the
/// token only to a registered publisher, so the form is needed even if
/// the upload is not visible.
fn minting(repo: &Repository, facts: &Facts) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for view in crate::facts::views(repo, facts) {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            for mint in crate::facts::unseen_mint_publishes(&view, index) {
                out.extend(suggestion_for_job(
                    repo,
                    facts,
                    &view,
                    job,
                    mint.registry,
                    false,
                ));
            }
        }
    }
    out
}

/// The suggestions for `job` publishing to `registry`: one per file the
/// registry would see.
fn suggestion_for_job(
    repo: &Repository,
    facts: &Facts,
    view: &crate::facts::WorkflowView<'_>,
    job: &crate::workflow::Job,
    registry: Registry,
    unconfirmed: bool,
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let environment = job.environment.as_ref().map(|e| e.name.value.clone());
    // The file the registry would see: the one holding the job, or
    // for crates.io and npm each file a run can start from (a
    // reusable workflow's callers); none for pub.dev and JSR.
    let workflows: Vec<&str> = match registry.info().matched {
        MatchedWorkflow::Repository => vec![""],
        MatchedWorkflow::Callee => vec![view.attributed_name()],
        MatchedWorkflow::Caller => {
            let starting = crate::facts::starting_workflows_of_job(repo, facts, view.index, job);
            if starting.is_empty() {
                vec![view.attributed_name()]
            } else {
                starting
            }
        }
    };
    for workflow in workflows {
        out.push(Suggestion {
            platform: Platform::Github.key(),
            registry: registry.key(),
            index: registry.key(),
            project: repo.default_package(registry),
            owner: repo.remote.as_ref().map(|r| r.owner.clone()),
            repository: repo.remote.as_ref().map(|r| r.repository.clone()),
            workflow: workflow.to_string(),
            environment_is_expression: job
                .environment
                .as_ref()
                .is_some_and(|e| e.name.is_expression()),
            environment: environment.clone(),
            tag_pattern: (registry == Registry::PubDev).then(|| {
                crate::registry::pub_dev::suggested_tag_pattern(
                    view.workflow,
                    repo.default_package(registry).as_deref(),
                    crate::registry::pub_dev::uses_melos_action(job),
                )
            }),
            jobs: vec![format!("{}: {}", view.file.path, job.id.value)],
            unconfirmed,
            recorded: None,
        });
    }
    out
}

/// The jobs that call pub.dev's reusable publishing workflow: publish by
/// trusted publishing, in the environment given to it.
fn pub_dev_calls(repo: &Repository, facts: &Facts) -> Vec<(Registry, Suggestion)> {
    use crate::registry::pub_dev::WorkflowEnvironment;
    let mut out: Vec<(Registry, Suggestion)> = Vec::new();
    for view in crate::facts::views(repo, facts) {
        for job in &view.workflow.jobs {
            let (Some(call), Some((called, true))) =
                (&job.call, crate::facts::pub_dev_call(view.workflow, job))
            else {
                continue;
            };
            let (name, environment_is_expression) = match called.environment {
                WorkflowEnvironment::Input(input) => {
                    let given = call
                        .with
                        .iter()
                        .find(|kv| kv.key.value == input)
                        .map(|kv| &kv.value)
                        .filter(|v| !v.value.trim().is_empty());
                    (
                        given.map(|e| e.value.clone()),
                        given.is_some_and(|e| e.is_expression()),
                    )
                }
                WorkflowEnvironment::Fixed(name) => (Some(name.to_string()), false),
                WorkflowEnvironment::Absent => (None, false),
            };
            let label = format!("{}: {}", view.file.path, job.id.value);
            // The package is the one in the folder the call names: each
            // package has a publisher, and a tag pattern, of its own
            // (simolus3/sqlite3.dart's calls for `sqlite3/`, `sqlite3_web/`).
            let folder = called
                .folder_input
                .and_then(|input| call.with.iter().find(|kv| kv.key.value == input))
                .map(|kv| kv.value.value.trim().trim_start_matches("./"))
                .filter(|dir| !dir.contains("${{"));
            let project = repo.package_of(Registry::PubDev, folder, None);
            let tag_pattern = crate::registry::pub_dev::suggested_tag_pattern(
                view.workflow,
                project.as_deref(),
                false,
            );
            if let Some((_, existing)) = out.iter_mut().find(|(_, s)| {
                s.environment == name
                    && s.project == project
                    && s.tag_pattern.as_deref() == Some(tag_pattern.as_str())
            }) {
                existing.jobs.push(label);
                continue;
            }
            out.push((
                Registry::PubDev,
                Suggestion {
                    platform: Platform::Github.key(),
                    registry: Registry::PubDev.key(),
                    index: Registry::PubDev.key(),
                    project,
                    owner: repo.remote.as_ref().map(|r| r.owner.clone()),
                    repository: repo.remote.as_ref().map(|r| r.repository.clone()),
                    workflow: String::new(),
                    environment_is_expression,
                    environment: name,
                    tag_pattern: Some(tag_pattern),
                    jobs: vec![label],
                    unconfirmed: false,
                    recorded: None,
                },
            ));
        }
    }
    out
}

/// The GitLab `origin` remote (any host but github.com).
fn gitlab_remote(repo: &Repository) -> Option<&crate::git::Remote> {
    repo.remote.as_ref().filter(|r| r.host != "github.com")
}

/// One suggestion per (registry, environment) of the GitLab pipeline's jobs
/// that upload by trusted publishing to a registry with GitLab publishers
/// (PyPI, TestPyPI, npm): its GitLab form (namespace, project, top-level
/// pipeline file path, environment).
fn gitlab(repo: &Repository, facts: &Facts) -> Vec<(Registry, Suggestion)> {
    let (Some(pipeline), Some(gitlab)) = (&repo.gitlab, &facts.gitlab) else {
        return Vec::new();
    };
    let remote = gitlab_remote(repo);
    let mut out: Vec<(Registry, Suggestion)> = Vec::new();
    for (job, job_facts) in pipeline.jobs.iter().zip(&gitlab.jobs) {
        let path = &repo.sources.get(job.name.location.file).path;
        let label = format!("{path}: {}", job.name.value);
        let named = job.environment.as_ref().map(|e| e.name.value.clone());
        // A name from `parallel:matrix` variables: one publisher per value.
        let environments: Vec<Option<String>> = match named.as_deref() {
            Some(name) if name.contains('$') => job
                .matrix_values(name)
                .map(|values| values.into_iter().map(Some).collect())
                .unwrap_or_else(|| vec![named.clone()]),
            _ => vec![named.clone()],
        };
        // Uploads that rely on trusted publishing (an ID token for the
        // registry, as TP100 asks): a job without one may use a password
        // from the project's settings.
        let mut indexes: Vec<Registry> = job_facts
            .publish_sites
            .iter()
            .filter_map(crate::gitlab::facts::tp_site)
            .filter(|index| crate::gitlab::facts::relies_on_tp(job, job_facts, *index))
            .collect();
        indexes.dedup();
        // No visible upload, but an ID token for a registry's audience and
        // commands tplint cannot see into: probably a publish.
        let unconfirmed = indexes.is_empty() && !job_facts.opaque.is_empty();
        if unconfirmed {
            indexes = Registry::ALL
                .into_iter()
                .filter(|index| {
                    index.gitlab().is_some()
                        && job.id_tokens.iter().any(|token| {
                            token
                                .aud
                                .iter()
                                .any(|aud| index.audience_match(&aud.value) == AudienceMatch::Exact)
                        })
                })
                .collect();
        }
        for (index, environment) in indexes
            .iter()
            .flat_map(|i| environments.iter().map(move |e| (*i, e.clone())))
        {
            if let Some((_, existing)) = out.iter_mut().find(|(i, s)| {
                *i == index && s.environment == environment && s.unconfirmed == unconfirmed
            }) {
                if !existing.jobs.contains(&label) {
                    existing.jobs.push(label.clone());
                }
                continue;
            }
            out.push((
                index,
                Suggestion {
                    platform: Platform::Gitlab.key(),
                    registry: index.key(),
                    index: index.key(),
                    project: repo.default_package(index),
                    owner: remote.map(|r| r.namespace.clone()),
                    repository: remote.map(|r| r.repository.clone()),
                    // NuGet.org's GitLab policies name no pipeline file.
                    workflow: if index.gitlab_names_pipeline() {
                        pipeline.path.clone()
                    } else {
                        String::new()
                    },
                    environment_is_expression: environment
                        .as_deref()
                        .is_some_and(|e| e.contains('$')),
                    environment: environment.clone(),
                    tag_pattern: None,
                    jobs: vec![label.clone()],
                    unconfirmed,
                    recorded: None,
                },
            ));
        }
    }
    out
}

pub fn suggestions(
    repo: &Repository,
    facts: &Facts,
    records: Option<&RecordFacts>,
) -> Vec<Suggestion> {
    let mut out: Vec<(Registry, Suggestion)> = Vec::new();
    for job in oidc_publish_jobs(repo, facts) {
        let environment = job.job.environment.as_ref().map(|e| e.name.value.clone());
        let environment_is_expression = job
            .job
            .environment
            .as_ref()
            .is_some_and(|e| e.name.is_expression());
        // The file the registry sees: the one holding the job, or for
        // crates.io and npm each file a run can start from; none for
        // pub.dev and JSR.
        let mut workflows = job.matched_workflows(repo, facts);
        if !job.index.matches_workflow() {
            workflows = vec![""];
        } else if workflows.is_empty() {
            workflows.push(job.view.attributed_name());
        }
        let tag_pattern = (job.index == Registry::PubDev).then(|| {
            crate::registry::pub_dev::suggested_tag_pattern(
                job.view.workflow,
                repo.package_of(Registry::PubDev, job.site.folder.as_deref(), None)
                    .as_deref(),
                crate::registry::pub_dev::uses_melos_action(job.job),
            )
        });
        let job_label = format!("{}: {}", job.view.file.path, job.job.id.value);
        // Each package the job publishes there has publishers of its own
        // (`cargo publish -p a` then `-p b`): a form for each.
        let mut projects: Vec<Option<String>> = Vec::new();
        for site in job
            .view
            .sites_of(job.site.job)
            .filter(|s| s.is_oidc() && s.index() == Some(job.index))
        {
            // A tool publishing every crate of the workspace: each crate.
            let published = match repo.workspace_packages(job.index, site.workspace) {
                Some(packages) => packages.into_iter().map(Some).collect(),
                None => vec![repo.package_of(
                    job.index,
                    site.folder.as_deref(),
                    site.package.as_deref(),
                )],
            };
            let known = |p: &Option<String>, q: &Option<String>| match (p, q) {
                (Some(p), Some(q)) => job.index.same_package_name(p, q),
                _ => p == q,
            };
            for project in published {
                if !projects.iter().any(|p| known(p, &project)) {
                    projects.push(project);
                }
            }
        }
        if projects.iter().any(Option::is_some) {
            projects.retain(Option::is_some);
        }
        if projects.is_empty() {
            projects.push(repo.package_of(
                job.index,
                job.site.folder.as_deref(),
                job.site.package.as_deref(),
            ));
        }
        for (project, workflow) in projects
            .iter()
            .flat_map(|p| workflows.iter().map(move |w| (p.clone(), *w)))
        {
            if let Some((_, existing)) = out.iter_mut().find(|(index, s)| {
                *index == job.index
                    && s.workflow == workflow
                    && s.project == project
                    && s.tag_pattern == tag_pattern
                    && s.environment.as_deref().map(str::to_lowercase)
                        == environment.as_deref().map(str::to_lowercase)
            }) {
                if !existing.jobs.contains(&job_label) {
                    existing.jobs.push(job_label.clone());
                }
                continue;
            }
            out.push((
                job.index,
                Suggestion {
                    platform: Platform::Github.key(),
                    registry: job.index.key(),
                    index: job.index.key(),
                    project: project.clone(),
                    owner: repo.remote.as_ref().map(|r| r.owner.clone()),
                    repository: repo.remote.as_ref().map(|r| r.repository.clone()),
                    workflow: workflow.to_string(),
                    environment: environment.clone(),
                    tag_pattern: tag_pattern.clone(),
                    environment_is_expression,
                    jobs: vec![job_label.clone()],
                    unconfirmed: false,
                    recorded: None,
                },
            ));
        }
    }
    for (index, call) in pub_dev_calls(repo, facts) {
        match out.iter_mut().find(|(i, s)| {
            *i == index
                && s.environment == call.environment
                && s.project == call.project
                && s.tag_pattern == call.tag_pattern
        }) {
            Some((_, existing)) => existing.jobs.extend(call.jobs),
            None => out.push((index, call)),
        }
    }
    for mint in minting(repo, facts) {
        let registry = Registry::parse(mint.index).unwrap_or(Registry::Pypi);
        match out.iter_mut().find(|(i, s)| {
            *i == registry
                && s.workflow == mint.workflow
                && s.project == mint.project
                && s.environment == mint.environment
                && s.tag_pattern == mint.tag_pattern
        }) {
            Some((_, existing)) => {
                for job in mint.jobs {
                    if !existing.jobs.contains(&job) {
                        existing.jobs.push(job);
                    }
                }
            }
            None => out.push((registry, mint)),
        }
    }
    out.extend(gitlab(repo, facts));
    out.extend(probable(repo, facts).into_iter().map(|s| {
        let registry = Registry::parse(s.index).unwrap_or(Registry::Pypi);
        (registry, s)
    }));
    for record in records.iter().flat_map(|r| &r.records) {
        let RecordStatus::Recorded {
            release,
            publishers,
        } = &record.status
        else {
            continue;
        };
        for recorded in publishers {
            // GitLab's namespace is everything before the last `/` (subgroups).
            let Some(RecordedPublisher {
                platform,
                owner,
                repository: name,
                workflow,
                environment,
            }) = recorded.identity.publisher()
            else {
                // Another kind, or a GitLab record without its pipeline file path:
                // TP109 says what it is.
                continue;
            };
            let from = FromRecord {
                project: release.project.clone(),
                version: release.version.clone(),
                filename: recorded.filename.clone(),
            };
            let same = |known: &Option<String>, recorded: &str| {
                known
                    .as_deref()
                    .is_none_or(|k| k.eq_ignore_ascii_case(recorded))
            };
            // GitLab environments are compared exactly, GitHub's ignoring case.
            let same_environment = |known: Option<&str>| match platform {
                Platform::Gitlab => known == environment,
                Platform::Github => {
                    known.map(str::to_lowercase) == environment.map(str::to_lowercase)
                }
            };
            let matching = out.iter_mut().find(|(index, s)| {
                *index == record.index
                    && s.platform == platform.key()
                    && s.recorded.is_none()
                    && !s.unconfirmed
                    && s.workflow == workflow
                    && !s.environment_is_expression
                    && same_environment(s.environment.as_deref())
                    && same(&s.owner, owner)
                    && same(&s.repository, name)
            });
            let suggestion = match matching {
                Some((_, suggestion)) => suggestion,
                None => {
                    out.push((
                        record.index,
                        Suggestion {
                            platform: platform.key(),
                            registry: record.index.key(),
                            index: record.index.key(),
                            project: Some(record.project.clone()),
                            owner: None,
                            repository: None,
                            workflow: workflow.to_string(),
                            environment: None,
                            tag_pattern: None,
                            environment_is_expression: false,
                            jobs: Vec::new(),
                            unconfirmed: false,
                            recorded: None,
                        },
                    ));
                    match out.last_mut() {
                        Some((_, suggestion)) => suggestion,
                        None => continue,
                    }
                }
            };
            // The record has the spelling PyPI stored at registration.
            suggestion.owner = Some(owner.to_string());
            suggestion.repository = Some(name.to_string());
            suggestion.environment = environment.map(str::to_string);
            suggestion.recorded = Some(from);
        }
    }
    out.sort_by(|(a, x), (b, y)| {
        (a, x.platform, &x.workflow, &x.environment).cmp(&(
            b,
            y.platform,
            &y.workflow,
            &y.environment,
        ))
    });
    out.into_iter().map(|(_, s)| s).collect()
}

fn quoted(text: &str) -> String {
    // TOML basic strings: escape backslashes and quotes.
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `[[publisher]]` blocks for `tplint.toml`: the publishers the jobs
/// need (a recorded publisher no job matches is left out).
pub fn toml(suggestions: &[Suggestion]) -> String {
    let mut text = String::new();
    for s in suggestions.iter().filter(|s| !s.jobs.is_empty()) {
        if !text.is_empty() {
            text.push('\n');
        }
        if s.unconfirmed {
            text.push_str(
                "# unconfirmed: no upload by trusted publishing is visible in this job\n",
            );
        }
        text.push_str("[[publisher]]\n");
        let gitlab = s.platform == Platform::Gitlab.key();
        if gitlab {
            text.push_str("platform = \"gitlab\"\n");
        }
        if s.index != Registry::Pypi.key() {
            text.push_str(&format!("registry = {}\n", quoted(s.index)));
        }
        let pypi = Registry::parse(s.index).is_some_and(Registry::is_pypi);
        if let Some(project) = &s.project {
            let key = if pypi { "project" } else { "package" };
            text.push_str(&format!("{key} = {}\n", quoted(project)));
        }
        if gitlab {
            text.push_str(&format!(
                "namespace = {}\nrepository = {}\n",
                quoted(s.owner.as_deref().unwrap_or("NAMESPACE")),
                quoted(s.repository.as_deref().unwrap_or("PROJECT")),
            ));
            // NuGet.org registers no pipeline file.
            if !s.workflow.is_empty() {
                text.push_str(&format!("workflow = {}\n", quoted(&s.workflow)));
            }
        } else {
            text.push_str(&format!(
                "owner = {}\nrepository = {}\n",
                quoted(s.owner.as_deref().unwrap_or("OWNER")),
                quoted(s.repository.as_deref().unwrap_or("REPOSITORY")),
            ));
            // pub.dev and JSR register no workflow file.
            if !s.workflow.is_empty() {
                text.push_str(&format!("workflow = {}\n", quoted(&s.workflow)));
            }
            if let Some(pattern) = &s.tag_pattern {
                text.push_str(&format!("tag-pattern = {}\n", quoted(pattern)));
            }
        }
        // JSR matches no environment.
        let environment_field =
            Registry::parse(s.index).is_none_or(|r| !r.info().labels.environment.is_empty());
        if let Some(environment) = s.environment.as_ref().filter(|_| environment_field) {
            text.push_str(&format!("environment = {}\n", quoted(environment)));
        }
    }
    text
}

/// What the indexes said that the suggestions could not use.
fn record_notes(records: Option<&RecordFacts>) -> String {
    let mut out = String::new();
    for index in records.iter().flat_map(|r| &r.unnamed) {
        out.push_str(&format!(
            "{}'s record was not read: the project name is unknown (set `[project].name` in pyproject.toml).\n",
            index.display_name()
        ));
    }
    for record in records.iter().flat_map(|r| &r.records) {
        let index = record.index.display_name();
        match &record.status {
            RecordStatus::Skipped(reason) => out.push_str(&format!(
                "{index}'s record of `{}` was not read: {reason}.\n",
                record.project
            )),
            RecordStatus::NotOnIndex => out.push_str(&format!(
                "`{}` has no release on {index} yet, so there is no record to fill these in from.\n",
                record.project
            )),
            RecordStatus::NoFiles(release) | RecordStatus::NoProvenance(release) => {
                out.push_str(&format!(
                    "No file of {} {} on {index} has provenance, so there is no record to fill these in from.\n",
                    release.project, release.version
                ))
            }
            RecordStatus::Recorded {
                release,
                publishers,
            } => {
                for recorded in publishers {
                    if !matches!(
                        recorded.identity,
                        Identity::GitHub { .. } | Identity::GitLab { .. }
                    ) {
                        out.push_str(&format!(
                            "{index} recorded {} for {} {} ({}); it is neither a GitHub nor a GitLab publisher.\n",
                            recorded.identity, release.project, release.version, recorded.filename
                        ));
                    }
                }
            }
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The human listing: form values grouped by index, then the TOML.
pub fn render_human(
    repo: &Repository,
    suggestions: &[Suggestion],
    records: Option<&RecordFacts>,
) -> String {
    let notes = record_notes(records);
    if suggestions.is_empty() {
        return format!(
            "{notes}No job publishes by trusted publishing, so there is no publisher to register.\n"
        );
    }
    let mut out = notes;
    let groups = Registry::ALL
        .into_iter()
        .flat_map(|index| [(index, Platform::Github), (index, Platform::Gitlab)]);
    for (index, platform) in groups {
        let group: Vec<&Suggestion> = suggestions
            .iter()
            .filter(|s| s.index == index.key() && s.platform == platform.key())
            .collect();
        if group.is_empty() {
            continue;
        }
        let info = index.info();
        let (labels, ci) = match platform {
            Platform::Github => (&info.labels, "GitHub Actions"),
            Platform::Gitlab => (
                index
                    .gitlab()
                    .map_or(&crate::registry::pypi::GITLAB_LABELS, |g| &g.labels),
                "GitLab CI/CD",
            ),
        };
        let mut projects: Vec<&str> = group.iter().filter_map(|s| s.project.as_deref()).collect();
        projects.dedup();
        // Several packages: each has its own settings page.
        let several = projects.len() > 1;
        let package = projects
            .first()
            .copied()
            .filter(|_| !several)
            .or(repo
                .config
                .project_name
                .as_deref()
                .filter(|_| index.is_pypi() && !several))
            .unwrap_or("<package>");
        out.push_str(&format!(
            "{} — add a trusted publisher ({ci}) at {}{}\n",
            info.name,
            info.settings_url.replace("{package}", package),
            if several { ", for each package" } else { "" }
        ));
        if index.is_pypi() {
            let host = if index == Registry::Pypi {
                "pypi.org"
            } else {
                "test.pypi.org"
            };
            out.push_str(&format!(
                "(or at https://{host}/manage/account/publishing/ for a project that does not exist yet)\n"
            ));
        }
        out.push('\n');
        let width = [
            labels.package,
            labels.owner,
            labels.repository,
            labels.workflow,
            labels.environment,
        ]
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
            + 3;
        let line = |label: &str, value: &str| format!("  {:<width$}{value}\n", format!("{label}:"));
        for s in group {
            let unknown = "(unknown: see below)";
            out.push_str(&line(
                labels.package,
                s.project.as_deref().unwrap_or("(your package's name)"),
            ));
            if index.matches_workflow() {
                out.push_str(&line(labels.owner, s.owner.as_deref().unwrap_or(unknown)));
                out.push_str(&line(
                    labels.repository,
                    s.repository.as_deref().unwrap_or(unknown),
                ));
                if !labels.workflow.is_empty() {
                    out.push_str(&line(labels.workflow, &s.workflow));
                }
            } else {
                // pub.dev and JSR take the repository as `owner/name`.
                let repository = match (&s.owner, &s.repository) {
                    (Some(owner), Some(name)) => format!("{owner}/{name}"),
                    _ => unknown.to_string(),
                };
                out.push_str(&line(labels.repository, &repository));
                if let Some(pattern) = &s.tag_pattern {
                    out.push_str(&line(labels.workflow, pattern));
                }
            }
            if labels.environment.is_empty() {
                // JSR: no environment on the form.
            } else {
                out.push_str(&line(
                    labels.environment,
                    &match (&s.environment, s.environment_is_expression) {
                        (None, _) => "(any)".to_string(),
                        (Some(e), true) if platform == Platform::Gitlab => {
                            format!("{e}  (set from CI/CD variables: enter the name it expands to)")
                        }
                        (Some(e), true) => {
                            format!("{e}  (an expression: enter the name it evaluates to)")
                        }
                        (Some(e), false) => e.clone(),
                    },
                ));
            }
            for job in &s.jobs {
                out.push_str(&format!("    for job {job}\n"));
            }
            if s.unconfirmed {
                out.push_str(&format!(
                    "    unconfirmed: no upload by trusted publishing is visible; the job can mint OIDC tokens and runs steps tplint cannot see into, so check that it publishes to {}\n",
                    info.name
                ));
            }
            if let Some(from) = &s.recorded {
                out.push_str(&format!(
                    "    as {} recorded it for {} {} ({})\n",
                    index.display_name(),
                    from.project,
                    from.version,
                    from.filename
                ));
                if s.jobs.is_empty() {
                    out.push_str("    but no job here publishes as this publisher any more, so it is left out below\n");
                }
            }
            out.push('\n');
        }
    }
    let github_unknown = suggestions
        .iter()
        .any(|s| s.owner.is_none() && s.platform == Platform::Github.key());
    let gitlab_unknown = suggestions
        .iter()
        .any(|s| s.owner.is_none() && s.platform == Platform::Gitlab.key());
    if gitlab_unknown {
        out.push_str(
            "The namespace and project are unknown: this repository has no GitLab `origin` remote.\nFill them in from the project's GitLab URL (https://gitlab.com/NAMESPACE/PROJECT, subgroups belong to the namespace), spelled exactly as GitLab spells them.\n\n",
        );
    }
    if repo.remote.is_none() && github_unknown {
        out.push_str(
            "The owner and repository are unknown: this repository has no `origin` remote.\nAdd it with `git remote add origin https://github.com/OWNER/REPOSITORY.git`, or fill them in from the repository's GitHub URL.\n\n",
        );
    }
    if suggestions.iter().any(|s| s.environment.is_none()) {
        out.push_str("A publisher without an environment accepts any job of its workflow; consider a protected environment (TP401).\n\n");
    }
    // NuGet.org's form names no package: a policy belongs to a package
    // owner and is scoped to packages by glob patterns (NuGet/NuGetGallery
    // `src/NuGetGallery/Views/Users/TrustedPublishing.cshtml` at 55d8cc0).
    if suggestions.iter().any(|s| s.index == Registry::NuGet.key()) {
        out.push_str("On NuGet.org, choose as Package Owner the nuget.org user or organization that owns the package, and enter the package under Select Scopes (an empty list allows all of that owner's packages).\n\n");
    }
    // crates.io compares GitLab environments ignoring case.
    if suggestions.iter().any(|s| {
        s.platform == Platform::Gitlab.key()
            && s.environment.is_some()
            && s.index != Registry::CratesIo.key()
    }) {
        out.push_str("PyPI, npm and NuGet.org compare GitLab environment names exactly, letter case included: enter them as the job spells them.\n\n");
    }
    let checked = match (github_count(suggestions), suggestions.len()) {
        (0, _) => "the pipeline",
        (github, all) if github == all => "the workflow",
        _ => "the workflows and the pipeline",
    };
    out.push_str(&format!(
        "Declare the same in tplint.toml so tplint checks {checked} against it:\n\n"
    ));
    out.push_str(&toml(suggestions));
    out
}

fn github_count(suggestions: &[Suggestion]) -> usize {
    suggestions
        .iter()
        .filter(|s| s.platform == Platform::Github.key())
        .count()
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    version: u32,
    publishers: &'a [Suggestion],
    toml: String,
}

pub fn render_json(suggestions: &[Suggestion]) -> String {
    let output = JsonOutput {
        version: 1,
        publishers: suggestions,
        toml: toml(suggestions),
    };
    // Serializing strings and vectors cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
