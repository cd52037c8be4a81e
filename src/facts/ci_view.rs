//! The CI-neutral view of what the file, token and reference rules check,
//! beside [`super::publish_job`]'s view of publish jobs: a file that
//! cannot be read or that its CI system would reject ([`FileProblem`],
//! TP001 and TP002), a job that publishes by trusted publishing but gets
//! no token for it ([`MissingIdToken`], TP201), a token a job is given but
//! does not use ([`UnusedIdToken`], TP203), a reference to configuration
//! or code that can change under the pipeline ([`UnpinnedReference`],
//! TP501), an uploader too old for trusted publishing on its CI system
//! ([`OldUploader`], TP311), a token requested for the wrong audience
//! ([`WrongAudience`], TP205), a single-use token spent twice
//! ([`SpentToken`], TP606) and an upload to npm with what npm's own
//! requirements read of it ([`NpmUpload`], TP305 and TP307).
//!
//! Each front end fills them in its own words: GitHub's facts in
//! [`github`], GitLab's in `gitlab/facts/ci_view.rs`. The
//! platform knowledge (GitHub's permission ceiling for called workflows,
//! GitLab's `id_tokens:` replaced by a job's own) stays there; a rule over
//! these lists decides only what every CI system shares.

pub mod github;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::Facts;
use crate::facts::npm::NpmSite;
use crate::facts::publish::PublishSite;
use crate::gitlab::GitlabPipeline;
use crate::repository::Repository;
use crate::source::{FileId, Span};
use crate::workflow::{Job, Uses, Workflow};

/// What a front end found, in its CI system's words: where, what, the
/// advice, the places that explain it (in order), and the pipeline whose
/// `include:` entries lead to its file.
#[derive(Debug)]
pub struct Finding<'a> {
    pub location: Location,
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<(Location, String)>,
    pub pipeline: Option<&'a GitlabPipeline>,
}

impl Finding<'_> {
    /// A finding at `location` with its advice, no related places and no
    /// pipeline whose include chain leads to it.
    pub fn new(location: Location, message: String, help: String) -> Self {
        Finding {
            location,
            message,
            help: Some(help),
            related: Vec::new(),
            pipeline: None,
        }
    }

    /// The diagnostic of `rule` for it, with its related locations and
    /// those that lead to its file.
    pub fn diagnostic(&self, rule: &'static crate::catalogue::Rule) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(rule, self.location, self.message.clone());
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        for (location, label) in &self.related {
            diagnostic = diagnostic.with_related(*location, label.clone());
        }
        match self.pipeline {
            Some(pipeline) => pipeline.with_include_chain(diagnostic),
            None => diagnostic,
        }
    }
}

/// A file of the repository's CI configuration that cannot be read as
/// YAML (TP001), or whose shape its CI system would reject (TP002): a
/// workflow, a local action a workflow uses, a pipeline file or a child
/// pipeline's.
#[derive(Debug)]
pub struct FileProblem<'a> {
    pub finding: Finding<'a>,
    /// Configuration tplint cannot read may make it no problem at all (a
    /// name an unread include may define): a note, not an error.
    pub unsure: bool,
}

/// What TP001 says of a file at `path` that cannot be read, on every CI
/// system.
pub fn cannot_be_read(path: &str, error: &str) -> String {
    format!("`{path}` cannot be read: {error}")
}

/// A job that publishes by trusted publishing (or calls a workflow that
/// does) but cannot get the token it needs for it.
#[derive(Debug)]
pub struct MissingIdToken<'a> {
    pub finding: Finding<'a>,
    /// The job certainly relies on trusted publishing; otherwise it may
    /// log in with a password tplint cannot see (a GitLab CI/CD variable
    /// of the project's settings), and the finding is a note.
    pub certain: bool,
    /// The GitHub job whose `permissions:` a fix grants `id-token: write`
    /// in, and its workflow and file; `None` where tplint offers no edit.
    pub grant: Option<(FileId, &'a Workflow, &'a Job)>,
}

/// A token a job is given (or a default gives every job) that nothing in
/// the job uses: code running there could publish with it.
#[derive(Debug)]
pub struct UnusedIdToken<'a> {
    pub finding: Finding<'a>,
}

/// A reference to configuration or code run in a publishing pipeline that
/// can be moved to something else: an action or reusable workflow by tag
/// or branch, an image by tag, an included file by branch.
#[derive(Debug)]
pub struct UnpinnedReference<'a> {
    pub finding: Finding<'a>,
    /// Another severity than the rule's.
    pub severity: Option<Severity>,
    /// A GitHub `uses:` a fix can pin to its commit (the commit is looked
    /// up with `--online`).
    pub pin: Option<Pin<'a>>,
}

/// A `uses:` of a remote action or workflow at a ref, which a fix can
/// replace with the ref's commit SHA.
#[derive(Debug)]
pub struct Pin<'a> {
    pub file: FileId,
    pub uses: &'a Uses,
    pub owner: &'a str,
    pub repo: &'a str,
    pub git_ref: &'a str,
    pub ref_span: Span,
}

/// A job that relies on trusted publishing but installs (or runs in an
/// image with) a version of its uploader older than the first that does
/// trusted publishing on its CI system.
#[derive(Debug)]
pub struct OldUploader<'a> {
    pub finding: Finding<'a>,
}

/// An ID token requested for an audience, or under a name, that the
/// registry or uploader its job publishes with does not accept. Only
/// GitLab lets a pipeline choose a token's audience, so only its front end
/// fills these.
#[derive(Debug)]
pub struct WrongAudience<'a> {
    pub finding: Finding<'a>,
    /// Another severity than the rule's.
    pub severity: Option<Severity>,
}

/// A single-use token spent again by a second upload of its job (or an
/// upload in a loop). A GitLab job has one ID token per entry, minted when
/// it starts; a GitHub job mints a token per exchange, so only GitLab's
/// front end fills these.
#[derive(Debug)]
pub struct SpentToken<'a> {
    pub finding: Finding<'a>,
    /// How sure the second spending is: both always run, one is a
    /// fallback of the other, or shell conditions decide.
    pub severity: Severity,
}

/// The files that cannot be read (TP001): the GitHub workflows' and local
/// actions', then the GitLab pipeline's.
pub fn unreadable_files<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<FileProblem<'a>> {
    let mut problems = github::unreadable_files(repo, facts);
    if let Some(pipeline) = repo.gitlab.as_ref() {
        problems.extend(crate::gitlab::facts::ci_view::unreadable_files(
            repo, pipeline,
        ));
    }
    problems
}

/// The shapes a CI system would reject (TP002): GitHub's, then GitLab's.
pub fn invalid_files<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<FileProblem<'a>> {
    let mut problems = github::invalid_files(repo, facts);
    if let Some(pipeline) = repo.gitlab.as_ref() {
        problems.extend(crate::gitlab::facts::ci_view::invalid_files(pipeline));
    }
    problems
}

/// The publish jobs without the token they need (TP201): GitHub's, then
/// GitLab's.
pub fn missing_id_tokens<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<MissingIdToken<'a>> {
    let mut missing = github::missing_id_tokens(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        missing.extend(crate::gitlab::facts::ci_view::missing_id_tokens(
            repo, pipeline, gitlab,
        ));
    }
    missing
}

/// The tokens given and not used (TP203): GitHub's, then GitLab's.
pub fn unused_id_tokens<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<UnusedIdToken<'a>> {
    let mut unused = github::unused_id_tokens(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        unused.extend(crate::gitlab::facts::ci_view::unused_id_tokens(
            pipeline, gitlab,
        ));
    }
    unused
}

/// The references that can be moved (TP501): GitHub's, then GitLab's.
pub fn unpinned_references<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> Vec<UnpinnedReference<'a>> {
    let mut unpinned = github::unpinned_references(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        unpinned.extend(crate::gitlab::facts::ci_view::unpinned_references(
            pipeline, gitlab,
        ));
    }
    unpinned
}

/// An upload to npm, with what npm's requirements (TP305, TP307) read of
/// it and its job in its CI system's words.
#[derive(Debug)]
pub struct NpmUpload<'a> {
    pub site: &'a PublishSite,
    pub npm: &'a NpmSite,
    /// The upload's npm client is the job's own npm, the one that exchanges
    /// the OIDC token (not one a release tool bundles): GitHub's npm and the
    /// tools that run it, GitLab's `npm publish`.
    pub runs_job_npm: bool,
    /// Something tplint cannot see into runs before the upload and may
    /// install another npm (an unknown action, an opaque step).
    pub unseen_before: bool,
    /// What lets the job mint npm's token, for messages: `` `id-token: write` ``,
    /// `` `NPM_ID_TOKEN` ``.
    pub grant: String,
    /// How to ask for a Node.js that bundles a recent npm, for advice.
    pub newer_node: &'static str,
    /// The job may use its OIDC token for something else: another upload
    /// by trusted publishing, a known consumer of the token (an
    /// attestation, a cloud login), or a step tplint cannot see into.
    pub grant_used_elsewhere: bool,
}

/// Every upload to npm (not a private registry or an expression): the
/// GitHub workflows', then the GitLab pipeline's.
pub fn npm_uploads<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<NpmUpload<'a>> {
    let mut uploads = github::npm_uploads(repo, facts);
    if let Some(gitlab) = facts.gitlab.as_ref() {
        uploads.extend(crate::gitlab::facts::ci_view::npm_uploads(gitlab));
    }
    uploads
}

/// The uploaders too old for trusted publishing (TP311): GitLab's jobs
/// (only GitLab's front end reads uploader versions today).
pub fn old_uploaders<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<OldUploader<'a>> {
    match (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        (Some(pipeline), Some(gitlab)) => {
            crate::gitlab::facts::ci_view::old_uploaders(repo, pipeline, gitlab)
        }
        _ => Vec::new(),
    }
}

/// The tokens requested for an audience their upload does not accept
/// (TP205): GitLab's ID tokens.
pub fn wrong_audiences<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<WrongAudience<'a>> {
    match (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        (Some(pipeline), Some(gitlab)) => {
            crate::gitlab::facts::ci_view::wrong_audiences(pipeline, gitlab)
        }
        _ => Vec::new(),
    }
}

/// The single-use tokens spent twice (TP606): GitLab's ID tokens.
pub fn spent_tokens<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<SpentToken<'a>> {
    match (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        (Some(pipeline), Some(gitlab)) => {
            crate::gitlab::facts::ci_view::spent_tokens(repo, pipeline, gitlab)
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::{DEFAULT_PIPELINE_PATH, MemoryFiles};

    fn gitlab_repo(pipeline: &str) -> Repository {
        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), pipeline.to_string())]
                .into_iter()
                .collect(),
        );
        Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH)
    }

    #[test]
    fn a_github_job_without_the_grant_is_certain_and_editable() {
        let workflow = "on: push
permissions:
  contents: read
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";
        let repo = Repository::in_memory("release.yml", workflow.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        let missing = missing_id_tokens(&repo, &facts);
        let [missing] = missing.as_slice() else {
            panic!("one missing token expected, got {}", missing.len())
        };
        assert!(missing.certain);
        assert!(missing.grant.is_some() && missing.finding.pipeline.is_none());
        assert!(missing.finding.message.contains("`publish`"));

        let unpinned = unpinned_references(&repo, &facts);
        let [unpinned] = unpinned.as_slice() else {
            panic!("one unpinned reference expected, got {}", unpinned.len())
        };
        assert!(unpinned.severity.is_none());
        assert_eq!(unpinned.pin.as_ref().map(|p| p.git_ref), Some("release/v1"));
    }

    #[test]
    fn an_unread_include_hedges_a_missing_gitlab_token_unless_a_scanning_template() {
        // `uv publish --trusted-publishing always` needs the token: certain,
        // unless an include tplint cannot read may give it one.
        let job = "publish:
  script:
    - uv publish --trusted-publishing always
";
        let check = |include: &str| {
            let repo = gitlab_repo(&format!("include:\n  - {include}\n{job}"));
            let facts = Facts::derive(&repo);
            let missing = missing_id_tokens(&repo, &facts);
            let [missing] = missing.as_slice() else {
                panic!("one missing token expected, got {}", missing.len())
            };
            (missing.certain, missing.finding.message.clone())
        };
        let (certain, message) = check("template: Jobs/SAST.gitlab-ci.yml");
        assert!(certain && !message.contains("unless"), "{message}");
        let (certain, message) = check("project: acme/ci\n    file: /release.yml");
        assert!(!certain, "{message}");
        assert!(
            message.ends_with(
                "; unless the include `project: acme/ci` that tplint does not read gives it one"
            ),
            "{message}"
        );
        // A name the job extends that no file read defines: nothing.
        let repo = gitlab_repo(
            "include:
  - project: acme/ci
publish:
  extends: .release
  script:
    - uv publish --trusted-publishing always
",
        );
        let facts = Facts::derive(&repo);
        assert!(missing_id_tokens(&repo, &facts).is_empty());
    }

    #[test]
    fn a_gitlab_upload_without_signs_of_trusted_publishing_is_a_note() {
        let repo = gitlab_repo(
            "publish:
  image: python:3.12
  script:
    - twine upload dist/*
",
        );
        let facts = Facts::derive(&repo);
        let missing = missing_id_tokens(&repo, &facts);
        let [missing] = missing.as_slice() else {
            panic!("one missing token expected, got {}", missing.len())
        };
        assert!(!missing.certain);
        assert!(missing.grant.is_none() && missing.finding.pipeline.is_some());
        assert_eq!(missing.finding.related[0].1, "the upload");

        let unpinned = unpinned_references(&repo, &facts);
        let [unpinned] = unpinned.as_slice() else {
            panic!("one unpinned reference expected, got {}", unpinned.len())
        };
        assert_eq!(unpinned.severity, Some(Severity::Info));
        assert!(unpinned.pin.is_none());
    }

    #[test]
    fn unused_tokens_are_found_on_both_systems() {
        let workflow = "on: push
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - run: pytest
";
        let repo = Repository::in_memory("ci.yml", workflow.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        assert_eq!(unused_id_tokens(&repo, &facts).len(), 1);

        let repo = gitlab_repo(
            "test:
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - pytest
",
        );
        let facts = Facts::derive(&repo);
        let unused = unused_id_tokens(&repo, &facts);
        let [unused] = unused.as_slice() else {
            panic!("one unused token expected, got {}", unused.len())
        };
        assert!(unused.finding.message.contains("`PYPI_ID_TOKEN`"));
    }

    #[test]
    fn a_name_an_unread_include_may_define_is_unsure() {
        let repo = gitlab_repo(
            "include:
  - project: group/templates
    file: ci.yml
publish:
  extends: .from-the-template
  script:
    - twine upload dist/*
",
        );
        let facts = Facts::derive(&repo);
        let problems = invalid_files(&repo, &facts);
        assert!(!problems.is_empty());
        assert!(problems.iter().all(|p| p.unsure));
        assert!(unreadable_files(&repo, &facts).is_empty());
    }
}
