//! The CI-neutral view of what the file a publisher names is in the
//! repository, for the publisher rules that look at files rather than at
//! a job's claims: a file that is not there (TP101), a publisher no
//! visible job publishes for, and what tplint cannot see that may
//! (TP103), and a publisher naming a file of the run other than the one
//! the registry reads from the token (TP108).
//!
//! Which files a publisher can name, where they may be and what hides an
//! upload differ in substance by CI system: GitHub's workflows call each
//! other and registries read either end of a call; a GitLab pipeline is
//! one top-level file with includes, some of which tplint cannot read.
//! Each front end answers the same questions in its own words: GitHub's
//! facts in [`github`], GitLab's in `gitlab/facts/publisher_files.rs`.
//! The rules over these answers ([`crate::rules`]'s publisher family)
//! decide what every CI system shares: which publishers are checked, and
//! the severity of each finding.

pub mod github;

use super::ci_view::Finding;
use crate::config::{Platform, Publisher};
use crate::facts::Facts;
use crate::registry::claims::Ci;
use crate::registry::{FieldProblem, FormValues, PublisherField, Registry};
use crate::repository::Repository;

/// The CI system whose tokens a publisher names.
pub fn ci_of(publisher: &Publisher) -> Ci {
    match publisher.platform {
        Platform::Github => Ci::GithubActions,
        Platform::Gitlab => Ci::Gitlab,
    }
}

/// Whether the jobs of the file a publisher names can be checked against
/// it (TP103).
pub enum Checkable<'a> {
    /// The file was read and is the one the registry compares.
    Yes,
    /// Another finding says why not (TP001, TP101, TP108), or the file is
    /// another repository's.
    No,
    /// The publisher names a file tplint did not check, for a reason worth
    /// saying (another top-level pipeline than the one read): an info.
    Note(Finding<'a>),
}

/// TP103's answer for a publisher whose file was read and for whose
/// registry no job of it publishes.
pub struct NoPublishJob<'a> {
    pub finding: Finding<'a>,
    /// Parts tplint cannot see (opaque steps, unread includes, child
    /// pipelines) may hold the upload: advice, not an error.
    pub hidden: bool,
}

/// How wrong a file a publisher names, or the file to register, is for a
/// job the registry attributes to another file of the run (TP108).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongFileKind {
    /// The registry rejects the token: the publisher names the other end
    /// of a call, an included file, or the job runs in another
    /// repository's workflow.
    Rejected,
    /// The upload is accepted but what it signs is not (PyPI's
    /// attestations naming the calling workflow).
    SignedForOtherFile,
    /// No publisher is declared: which file to register, as advice.
    RegisterOther,
}

/// A publisher (or the publisher to register) naming a file of the run
/// other than the one the registry reads from the token (TP108).
pub struct WrongFile<'a> {
    pub finding: Finding<'a>,
    pub kind: WrongFileKind,
}

/// TP101: the file `publisher` names, which the registry compares with
/// the one its tokens are attributed to, is not a file of the repository.
pub fn missing_file<'a>(repo: &'a Repository, publisher: &'a Publisher) -> Option<Finding<'a>> {
    match ci_of(publisher) {
        Ci::GithubActions => github::missing_workflow(repo, publisher),
        Ci::Gitlab => crate::gitlab::facts::publisher_files::missing_pipeline_file(repo, publisher),
    }
}

/// TP103: whether the jobs of the file `publisher` names can be checked.
pub fn checkable<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &'a Publisher,
) -> Checkable<'a> {
    match ci_of(publisher) {
        Ci::GithubActions => github::checkable(repo, publisher),
        Ci::Gitlab => crate::gitlab::facts::publisher_files::checkable(repo, facts, publisher),
    }
}

/// TP103 for a publisher whose file's publish jobs all run in
/// environments other publishers accept.
pub fn jobs_of_others<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &'a Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    match ci_of(publisher) {
        Ci::GithubActions => Some(github::jobs_of_others(repo, facts, publisher, index)),
        Ci::Gitlab => {
            crate::gitlab::facts::publisher_files::jobs_of_others(repo, facts, publisher, index)
        }
    }
}

/// TP103 for a publisher whose file has no job publishing to its
/// registry by trusted publishing; `None` where another finding explains
/// it (TP107, TP108) or an upload tplint cannot trace may be one.
pub fn publishes_nothing<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publisher: &'a Publisher,
    index: Registry,
) -> Option<NoPublishJob<'a>> {
    match ci_of(publisher) {
        // pub.dev and JSR: no file to name, only whether a job publishes.
        Ci::GithubActions if !index.matches_workflow() => {
            github::repository_publishes_nothing(repo, facts, publisher, index)
        }
        Ci::GithubActions => github::publishes_nothing(repo, facts, publisher, index),
        Ci::Gitlab => {
            crate::gitlab::facts::publisher_files::publishes_nothing(repo, facts, publisher, index)
        }
    }
}

/// TP108 for every CI system: GitHub's calls of reusable workflows, then
/// GitLab's included files.
pub fn wrong_files<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    publishers: &[&'a Publisher],
) -> Vec<WrongFile<'a>> {
    let mut found = github::wrong_files(repo, facts, publishers);
    found.extend(crate::gitlab::facts::publisher_files::wrong_files(
        repo, facts, publishers,
    ));
    found
}

/// A TP108 finding about the job of `site`: at the job's own step that
/// leads to the upload (the upload itself when the job's file holds it),
/// with the upload as a related location when it is elsewhere (a package
/// script, a script, a local action), since the finding is about the file
/// that holds the job.
pub fn at_job_upload<'a>(
    site: &super::publish::PublishSite,
    message: String,
    help: String,
) -> Finding<'a> {
    let mut found = Finding::new(site.entry(), message, help);
    if site.entry() != site.location() {
        found
            .related
            .push((site.location(), "the upload".to_string()));
    }
    found
}

/// `registry = ...` and the package the upload publishes: the one its
/// command names, else that of the folder it runs in, else the
/// repository's default; for an upload of each crate of a workspace
/// (`workspace`), the first of them ([`workspace_help`] names the others).
pub fn push_registry_and_package(
    help: &mut String,
    repo: &Repository,
    registry: Registry,
    (folder, named, workspace): (Option<&str>, Option<&str>, bool),
) {
    if registry != Registry::Pypi {
        help.push_str(&format!("registry = \"{}\"\n", registry.key()));
    }
    let package = repo
        .workspace_packages(registry, workspace)
        .and_then(|packages| packages.into_iter().next())
        .or_else(|| repo.package_of(registry, folder, named));
    if let Some(package) = package {
        let key = if registry.is_pypi() {
            "project"
        } else {
            "package"
        };
        help.push_str(&format!("{key} = \"{package}\"\n"));
    }
}

/// Most packages a help text names one by one.
const NAMED_PACKAGES: usize = 10;

/// For an upload of each crate of a workspace, the words that say the
/// other crates need publishers of their own, appended to a registration
/// help whose `package =` is the first of them; `None` for one crate or
/// where tplint did not read every member.
pub fn workspace_help(repo: &Repository, registry: Registry, workspace: bool) -> Option<String> {
    let packages = repo.workspace_packages(registry, workspace)?;
    let [_, rest @ ..] = packages.as_slice() else {
        return None;
    };
    let mut named: Vec<String> = rest
        .iter()
        .take(NAMED_PACKAGES)
        .map(|p| format!("`{p}`"))
        .collect();
    if rest.len() > NAMED_PACKAGES {
        named.push(format!("and {} more", rest.len() - NAMED_PACKAGES));
    }
    Some(format!(
        "\n\nthe upload publishes each of the {} publishable crates of the workspace, and {} accepts a publisher only for its own crate: register and declare one for each of {}, the same way",
        packages.len(),
        registry.display_name(),
        named.join(", ")
    ))
}

/// The publisher's values as a form reads them.
pub fn form_values(publisher: &Publisher) -> FormValues<'_> {
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

/// The publisher's fields that break its registry's form rules.
pub fn form_problems(publisher: &Publisher) -> Vec<FieldProblem> {
    // An unknown registry (TP102 too) is read with PyPI's form.
    let validate = match publisher.platform {
        Platform::Github => publisher.index().info().validate,
        Platform::Gitlab => publisher.index().gitlab_or_pypi().validate,
    };
    validate(&form_values(publisher))
}

/// Whether the publisher's file breaks the form rules (TP102's error).
pub fn file_malformed(publisher: &Publisher) -> bool {
    form_problems(publisher)
        .iter()
        .any(|p| p.field == PublisherField::Workflow)
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

/// The file a mistyped name most likely meant.
pub fn closest<'a>(wanted: &str, names: &'a [String]) -> Option<&'a str> {
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
