//! GitLab's answers for `facts::publisher_files`, and the form of a GitLab
//! publisher for TP100's help: a registry compares the top-level file of
//! a pipeline (`ci_config_ref_uri`), whatever file holds the job, so a
//! publisher naming an included file is wrong, a path that is not a file
//! is missing, and includes tplint cannot read, child pipelines and
//! scripts it cannot see into may hide an upload. The registry says how
//! it compares (its [`crate::registry::GitlabPublishing`]).

use super::GitlabFacts;
use crate::config::{Platform, Publisher};
use crate::diagnostic::Location;
use crate::facts::ci_view::Finding;
use crate::facts::publish::{Auth, PublishSite, Target};
use crate::facts::publish_job::PublishClaims;
use crate::facts::publisher_files::{
    Checkable, NoPublishJob, WrongFile, WrongFileKind, closest, file_malformed,
};
use crate::git::Remote;
use crate::gitlab::{DEFAULT_PIPELINE_PATH, GitlabJob, GitlabPipeline, IncludeKind};
use crate::registry::claims::{Ci, ClaimedEnvironment};
use crate::registry::{GitlabPublishing, Registry};
use crate::repository::Repository;

/// A job of the pipeline that uploads by trusted publishing to a registry
/// with GitLab publishers.
struct PipelinePublishJob<'a> {
    job: &'a GitlabJob,
    registry: Registry,
    /// Its first upload to that index by trusted publishing.
    site: &'a PublishSite,
}

fn pipeline<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
) -> Option<(&'a GitlabPipeline, &'a GitlabFacts)> {
    Some((repo.gitlab.as_ref()?, facts.gitlab.as_ref()?))
}

/// Where a finding about a publisher's file field points.
fn at_workflow(publisher: &Publisher) -> Location {
    Location::new(publisher.file, publisher.workflow.span)
}

/// Every (job, index) pair of the pipeline that publishes by trusted publishing.
fn publish_jobs<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
) -> Vec<PipelinePublishJob<'a>> {
    let Some((pipeline, facts)) = pipeline(repo, facts) else {
        return Vec::new();
    };
    let mut out: Vec<PipelinePublishJob<'a>> = Vec::new();
    for (job, job_facts) in pipeline.jobs.iter().zip(&facts.jobs) {
        for site in &job_facts.publish_sites {
            let Some(registry) = site.index() else {
                continue;
            };
            if !site.is_oidc() || registry.gitlab().is_none() {
                continue;
            }
            if !out
                .iter()
                .any(|j| std::ptr::eq(j.job, job) && j.registry == registry)
            {
                out.push(PipelinePublishJob {
                    job,
                    registry,
                    site,
                });
            }
        }
    }
    out
}

/// The GitLab publishers to check.
fn pipeline_publishers<'a>(publishers: &[&'a Publisher]) -> Vec<&'a Publisher> {
    publishers
        .iter()
        .copied()
        .filter(|p| p.platform == Platform::Gitlab && p.index().gitlab_names_pipeline())
        .collect()
}

/// The top-level pipeline file path the publisher names, as PyPI stores it
/// (the form strips whitespace).
fn declared_path(publisher: &Publisher) -> &str {
    publisher.workflow.value.trim()
}

/// Whether `publisher` names the top-level pipeline file `path`.
fn names_pipeline(publisher: &Publisher, path: &str) -> bool {
    publisher
        .index()
        .names_file(Ci::Gitlab, &publisher.workflow.value, path)
}

/// Whether an environment name is set from CI/CD variables (the claim is
/// the expanded value, unknown here).
fn is_dynamic(name: &str) -> bool {
    name.contains('$')
}

/// Whether `publisher` accepts tokens of `job`'s environment (names set
/// from variables are not judged).
fn accepts(publisher: &Publisher, job: &GitlabJob) -> bool {
    let claimed = match &job.environment {
        None => ClaimedEnvironment::None,
        Some(env) if is_dynamic(&env.name.value) => ClaimedEnvironment::Unknown,
        Some(env) => ClaimedEnvironment::Named(&env.name.value),
    };
    publisher.index().accepts_environment(
        Ci::Gitlab,
        publisher.environment.as_ref().map(|e| e.value.as_str()),
        claimed,
    )
}

/// What `registry` knows of GitLab publishers; PyPI's for a registry
/// without (the configuration refuses those, so only a fallback).
fn gitlab_of(registry: Registry) -> &'static GitlabPublishing {
    registry.gitlab_or_pypi()
}

/// The `origin` remote when it is not on GitHub (a GitLab instance, or a
/// host tplint cannot tell apart from one).
fn gitlab_remote(repo: &Repository) -> Option<&Remote> {
    repo.remote.as_ref().filter(|r| r.host != "github.com")
}

/// How a GitLab job publishes by trusted publishing, for help texts.
fn publish_hint(registry: Registry) -> &'static str {
    gitlab_of(registry).publish_hint
}

/// The values of PyPI's GitLab form for `job`, and the `[[publisher]]`
/// block to declare.
pub fn registration_help(repo: &Repository, publish: &PublishClaims<'_>) -> String {
    let registry = publish.index;
    let Some(pipeline) = repo.gitlab.as_ref() else {
        return String::new();
    };
    let remote = gitlab_remote(repo);
    let (namespace, project) = match remote {
        Some(remote) => (remote.namespace.clone(), remote.repository.clone()),
        None => ("<namespace>".to_string(), "<project>".to_string()),
    };
    let environment = match publish.claims.environment {
        ClaimedEnvironment::Named(name) => Some(name),
        _ => None,
    };
    let path = &pipeline.path;
    let labels = &gitlab_of(registry).labels;
    // NuGet.org's policies name no pipeline file.
    let names_pipeline = registry.gitlab_names_pipeline();
    let pipeline_field = if names_pipeline {
        format!(" {} `{path}`,", lower_first(labels.workflow))
    } else {
        String::new()
    };
    let mut help = format!(
        "register a GitLab trusted publisher on {} with {} `{namespace}`, {} `{project}`,{pipeline_field} {} `{}`, then declare it in tplint.toml:\n\n[[publisher]]\nplatform = \"gitlab\"\n",
        registry.display_name(),
        lower_first(labels.owner),
        lower_first(labels.repository),
        lower_first(labels.environment),
        environment.unwrap_or("(any)"),
    );
    crate::facts::publisher_files::push_registry_and_package(
        &mut help,
        repo,
        registry,
        (publish.folder, publish.package, publish.workspace),
    );
    help.push_str(&format!(
        "namespace = \"{namespace}\"\nrepository = \"{project}\"\n"
    ));
    if names_pipeline {
        help.push_str(&format!("workflow = \"{path}\"\n"));
    }
    if let Some(environment) = environment {
        help.push_str(&format!("environment = \"{environment}\"\n"));
    }
    if let Some(file) = pipeline
        .file(publish.key.file)
        .filter(|f| names_pipeline && f.included_by.is_some())
    {
        help.push_str(&format!(
            "\n(the job is in `{}`, but {} matches the top-level pipeline file `{path}`: register that one)",
            file.path,
            registry.display_name()
        ));
    }
    if remote.is_none() {
        help.push_str("\n(namespace and project are unknown: this repository has no GitLab `origin` remote; use the project's path as GitLab spells it)");
    }
    help.trim_end().to_string()
}

/// A form label inside a sentence: `Top-level CI file path` as
/// `top-level CI file path`.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// The included file of the pipeline the publisher names, if it names one.
fn named_included_file<'p>(
    pipeline: &'p GitlabPipeline,
    publisher: &Publisher,
) -> Option<&'p crate::gitlab::PipelineFile> {
    let path = declared_path(publisher);
    pipeline
        .files
        .iter()
        .find(|f| f.included_by.is_some() && f.path == path && path != pipeline.path)
}

/// TP101 for a GitLab publisher: its top-level pipeline file is not a
/// file of the repository.
pub fn missing_pipeline_file<'a>(
    repo: &'a Repository,
    publisher: &'a Publisher,
) -> Option<Finding<'a>> {
    if !publisher.index().gitlab_names_pipeline() {
        return None; // NuGet.org's policies name no file
    }
    let pipeline = repo.gitlab.as_ref();
    let path = declared_path(publisher);
    let in_pipeline =
        pipeline.is_some_and(|p| p.path == path || p.files.iter().any(|f| f.path == path));
    if in_pipeline || repo.has_file(path) {
        return None;
    }
    let mut names: Vec<String> = pipeline
        .map(|p| p.files.iter().map(|f| f.path.clone()).collect())
        .unwrap_or_default();
    for default in [DEFAULT_PIPELINE_PATH, ".gitlab-ci.yaml"] {
        if !names.iter().any(|n| n == default) && repo.has_file(default) {
            names.push(default.to_string());
        }
    }
    let top = pipeline.map(|p| p.path.as_str());
    let help = match closest(path, &names) {
        Some(found) if Some(found) == top => format!(
            "did you mean `{found}`, the top-level pipeline file here? {} compares the path exactly, letter case included; correct the publisher on {} and here",
            publisher.index().display_name(),
            publisher.index().display_name()
        ),
        Some(found) => format!(
            "did you mean `{found}`? {} compares the path exactly, letter case included; it must be the project's top-level pipeline file (its CI/CD configuration file), {}",
            publisher.index().display_name(),
            top.map_or("`.gitlab-ci.yml` unless changed in the project's settings".to_string(), |t| format!("`{t}` here"))
        ),
        None => match top {
            Some(top) => format!(
                "the top-level pipeline file here is `{top}`; register the path of the project's CI/CD configuration file, relative to the repository root"
            ),
            None => "this repository has no GitLab pipeline file; register the path of the project's CI/CD configuration file (`.gitlab-ci.yml` unless changed in the project's settings)".to_string(),
        },
    };
    Some(Finding::new(
        at_workflow(publisher),
        format!(
            "the GitLab publisher's top-level pipeline file `{path}` is not a file of this repository"
        ),
        help,
    ))
}

/// Where tplint cannot see the whole pipeline: includes it cannot read and
/// jobs with steps it cannot see into that can get an ID token and run in
/// an environment `publisher` accepts.
fn hidden_parts(
    pipeline: &GitlabPipeline,
    facts: &GitlabFacts,
    publisher: &Publisher,
) -> Vec<(Location, String)> {
    let mut parts = Vec::new();
    for include in pipeline.includes.iter().filter(|i| !i.readable) {
        let target = &include.target.value;
        let what = match include.kind {
            IncludeKind::Project if !include.files.is_empty() => format!(
                "`{}` of project `{target}`",
                include
                    .files
                    .iter()
                    .map(|f| f.value.as_str())
                    .collect::<Vec<_>>()
                    .join("`, `")
            ),
            IncludeKind::Project => format!("the files of project `{target}`"),
            IncludeKind::Remote => format!("the remote file `{target}`"),
            IncludeKind::Template => format!("the GitLab template `{target}`"),
            IncludeKind::Component => format!("the CI/CD component `{target}`"),
            IncludeKind::Local | IncludeKind::Other => format!("the include `{target}`"),
        };
        parts.push((include.location, format!("tplint cannot read {what}")));
    }
    for file in pipeline.files.iter().filter(|f| f.error.is_some()) {
        parts.push((
            Location::new(file.file, crate::source::Span::empty(0)),
            format!("tplint cannot read `{}`", file.path),
        ));
    }
    // Interpolation tplint could not evaluate may hide a job or its script.
    if let Some(unknown) = pipeline.uninterpolated.first() {
        parts.push((
            unknown.location,
            "tplint cannot evaluate this `$[[ ... ]]` interpolation".to_string(),
        ));
    }
    // A child pipeline (`trigger: include:`) runs jobs tplint does not
    // check. GitLab documents `ci_config_ref_uri` as the top-level pipeline
    // definition (`doc/ci/secrets/id_token_authentication.md`) and says
    // nothing of child pipelines: an upload there is not ruled out.
    for job in &pipeline.jobs {
        if let Some(include) = job.node.get("trigger").and_then(|t| t.get("include")) {
            parts.push((
                include.location,
                format!(
                    "job `{}` starts a child pipeline whose jobs tplint does not check",
                    job.name.value
                ),
            ));
        }
    }
    for (job, job_facts) in pipeline.jobs.iter().zip(&facts.jobs) {
        if job.id_tokens.is_empty() || !accepts(publisher, job) {
            continue;
        }
        for opaque in job_facts.opaque.iter().take(5) {
            parts.push((
                opaque.location,
                format!(
                    "job `{}`: tplint cannot see into {}",
                    job.name.value, opaque.what
                ),
            ));
        }
    }
    parts
}

/// Whether a GitLab publisher names the top-level file of the pipeline
/// tplint read, so that its jobs can be checked against it. A missing
/// file is TP101's, an included one TP108's; another file of the
/// repository is another top-level pipeline than the one read, which
/// another publisher names: an info.
pub fn checkable<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
    publisher: &'a Publisher,
) -> Checkable<'a> {
    let Some((pipeline, _)) = pipeline(repo, facts) else {
        return Checkable::No;
    };
    if pipeline.config.is_none() {
        return Checkable::No; // the pipeline could not be read (TP001)
    }
    if names_pipeline(publisher, &pipeline.path) {
        return Checkable::Yes;
    }
    let declared = declared_path(publisher);
    let other_pipeline = !pipeline.files.iter().any(|f| f.path == declared)
        && repo.has_file(declared)
        && !file_malformed(publisher);
    if !other_pipeline {
        return Checkable::No;
    }
    Checkable::Note(Finding::new(
        at_workflow(publisher),
        format!(
            "the publisher names the top-level pipeline file `{declared}`, but another publisher names `{}`, the pipeline tplint checked; a project has one CI/CD configuration file, so one of these publishers is never used",
            pipeline.path
        ),
        format!(
            "keep the publisher whose path is the project's CI/CD configuration file (Settings > CI/CD > General pipelines), and remove the other here and on {}",
            publisher.index().display_name()
        ),
    ))
}

/// What tplint cannot see of the pipeline that may publish for
/// `publisher`, in a sentence, and the TP103 info that says so.
struct Hidden {
    parts: Vec<(Location, String)>,
    summary: String,
}

impl Hidden {
    fn of(pipeline: &GitlabPipeline, facts: &GitlabFacts, publisher: &Publisher) -> Hidden {
        let parts = hidden_parts(pipeline, facts, publisher);
        let summary = match parts.as_slice() {
            [(_, one)] => one.clone(),
            [(_, first), rest @ ..] => format!("{first} and {} more part(s)", rest.len()),
            [] => String::new(),
        };
        Hidden { parts, summary }
    }

    fn info<'a>(&self, at: Location, index: Registry, message: String) -> NoPublishJob<'a> {
        let mut found = Finding::new(
            at,
            message,
            format!(
                "nothing to fix if the upload is in a part tplint cannot read; tplint checks the publisher fully when the upload is visible ({} in the pipeline's files or in a script of this repository)",
                match index {
                    Registry::Npm => "`npm publish`",
                    Registry::CratesIo => "`cargo publish` given the token of crates.io's exchange",
                    Registry::NuGet => "`dotnet nuget push` given the key of NuGet.org's exchange",
                    _ => "`twine upload` or `uv publish`",
                }
            ),
        );
        found.related.extend(self.parts.iter().take(8).cloned());
        NoPublishJob {
            finding: found,
            hidden: true,
        }
    }
}

/// TP103 for a GitLab publisher whose pipeline's publish jobs all run in
/// the environments of other publishers.
pub fn jobs_of_others<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
    publisher: &Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    let (pipeline, facts) = pipeline(repo, facts)?;
    let path = &pipeline.path;
    let at = at_workflow(publisher);
    let hidden = Hidden::of(pipeline, facts, publisher);
    let expected = publisher
        .environment
        .as_ref()
        .map_or("", |e| e.value.as_str());
    if !hidden.parts.is_empty() {
        return Some(hidden.info(
            at,
            index,
            format!(
                "no visible job of the pipeline `{path}` publishes to {} in environment `{expected}`; {} may",
                index.display_name(),
                hidden.summary
            ),
        ));
    }
    Some(NoPublishJob {
        finding: Finding::new(
            at,
            format!(
                "no job of the pipeline `{path}` publishes to {} in environment `{expected}`; its publish jobs belong to other publishers",
                index.display_name()
            ),
            format!(
                "add a publish job with `environment: {expected}`, or remove this publisher here and on {}",
                index.display_name()
            ),
        ),
        hidden: false,
    })
}

/// TP103 for a GitLab publisher whose pipeline has no job publishing to
/// its registry by trusted publishing.
pub fn publishes_nothing<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
    publisher: &Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    let (pipeline, facts) = pipeline(repo, facts)?;
    let path = &pipeline.path;
    let at = at_workflow(publisher);
    if other_targets(facts, index).next().is_some() {
        return None; // TP107 says why
    }
    // crates.io, NuGet.org: an upload whose token tplint cannot trace (a
    // script it cannot read, or next to an exchange) may be one.
    if index.exchanges_on_gitlab()
        && facts
            .jobs
            .iter()
            .flat_map(|j| j.publish_sites.iter())
            .any(|s| s.index() == Some(index) && s.auth == Auth::Unknown)
    {
        return None;
    }
    let hidden = Hidden::of(pipeline, facts, publisher);
    if !hidden.parts.is_empty() {
        return Some(hidden.info(
            at,
            index,
            format!(
                "no job that publishes to {} by trusted publishing is visible in the pipeline `{path}`; {}, and the upload may be there",
                index.display_name(),
                hidden.summary
            ),
        ));
    }
    let sites: Vec<&PublishSite> = facts
        .jobs
        .iter()
        .flat_map(|j| j.publish_sites.iter())
        .filter(|s| s.index() == Some(index))
        .collect();
    let help = if let Some(site) = sites
        .iter()
        .find(|s| matches!(s.auth, Auth::Password { .. }))
    {
        format!(
            "the pipeline uploads with {} and a password or API token instead; remove it and give the job an ID token for {} (see TP301/TP303)",
            site.name(),
            index.display_name()
        )
    } else if let Some(site) = sites.first() {
        format!(
            "`{}` does not publish by trusted publishing here; use {}",
            site.name(),
            publish_hint(index)
        )
    } else {
        format!(
            "publish from the pipeline with {}, or remove this publisher here and on {}",
            publish_hint(index),
            index.display_name()
        )
    };
    Some(NoPublishJob {
        finding: Finding::new(
            at,
            format!(
                "no job of the pipeline `{path}` publishes to {} by trusted publishing, so this publisher is never used",
                index.display_name()
            ),
            help,
        ),
        hidden: false,
    })
}

/// The pipeline's uploads by trusted publishing whose target is not
/// `index`: the other PyPI index, or a URL set from variables.
fn other_targets(facts: &GitlabFacts, index: Registry) -> impl Iterator<Item = &PublishSite> {
    facts
        .jobs
        .iter()
        .flat_map(|j| j.publish_sites.iter())
        .filter(move |s| {
            s.is_oidc()
                && index.is_pypi()
                && s.uploader.registry().is_some_and(Registry::is_pypi)
                && match &s.target {
                    Target::Registry(i) => *i != index,
                    Target::Expression(_) => true,
                    Target::Custom(_) => false,
                }
        })
}

/// TP108 on GitLab: a publisher that names the included file holding the
/// job instead of the top-level pipeline file. GitLab's ID token names
/// only the top-level file (`ci_config_ref_uri`), which PyPI compares.
pub fn wrong_files<'a>(
    repo: &'a Repository,
    facts: &'a crate::facts::Facts,
    publishers: &[&'a Publisher],
) -> Vec<WrongFile<'a>> {
    let Some((pipeline, _)) = pipeline(repo, facts) else {
        return Vec::new();
    };
    let jobs = publish_jobs(repo, facts);
    let mut out = Vec::new();
    for publisher in pipeline_publishers(publishers) {
        let Some(file) = named_included_file(pipeline, publisher) else {
            continue;
        };
        let included = &file.path;
        let top = &pipeline.path;
        let registry = publisher.index().display_name();
        let in_file = jobs
            .iter()
            .find(|j| j.job.name.location.file == file.file || j.site.location().file == file.file);
        let help = format!(
            "register (and declare) the publisher with top-level pipeline file path `{top}`: GitLab's ID token names only the top-level pipeline (`ci_config_ref_uri`), whatever file holds the job, and {registry} rejects the token ({})",
            gitlab_of(publisher.index()).rejection
        );
        let mut found = match in_file {
            Some(job) => {
                let mut found = crate::facts::publisher_files::at_job_upload(
                    job.site,
                    format!(
                        "job `{}` publishes from `{included}`, included by `{top}`; {registry} matches the top-level pipeline file `{top}`, not `{included}` that the publisher names",
                        job.job.name.value
                    ),
                    help,
                );
                found.related.push((
                    at_workflow(publisher),
                    "publisher names the included file".to_string(),
                ));
                found
            }
            None => Finding::new(
                at_workflow(publisher),
                format!(
                    "the publisher names `{included}`, a file included by `{top}`; {registry} matches the top-level pipeline file `{top}`"
                ),
                help,
            ),
        };
        for include in pipeline.include_chain(file.file) {
            found.related.push((include, "included here".to_string()));
        }
        out.push(WrongFile {
            finding: found,
            kind: WrongFileKind::Rejected,
        });
    }
    out
}
