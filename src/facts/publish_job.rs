//! The one job model rules written once for every CI system read: a job
//! that publishes, or may, by trusted publishing ([`PublishJob`]: its name and key,
//! its environment, its uploads, what else it runs, and what each registry
//! it publishes to sees of it, [`PublishClaims`]: the claims of its OIDC
//! token, which the registry matches publishers against), an upload with a
//! token instead ([`PasswordUpload`]), an untrusted source that can reach an
//! upload ([`UntrustedStart`]), and the words each CI system's messages use
//! ([`CiWords`]). Each front end lowers its jobs into it (GitHub's in
//! `facts/mod.rs` and `facts/untrusted.rs`, GitLab's in `gitlab/facts.rs`);
//! a rule over [`publish_jobs`], [`password_uploads`], [`untrusted_starts`]
//! or [`publish_claims`] does not know which one did.

use crate::config::{Platform, Publisher};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::publish::{PublishSite, Uploader};
use crate::facts::{BuildFact, Facts, LocalCode};
use crate::gitlab::GitlabPipeline;
use crate::registry::Registry;
use crate::registry::claims::{Ci, Claims};
use crate::repository::Repository;
use crate::source::FileId;
use crate::workflow::Job;

/// Whether a job runs in an environment, with three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEnvironment {
    /// The job names one (literal or not).
    Declared,
    /// It names none, and nothing tplint could not read may give it one.
    Absent,
    /// It names none, but a file tplint could not read (a GitLab include)
    /// may give it one.
    Unknown,
}

/// What a CI system calls the things a publish job's messages talk about,
/// and the advice that differs between systems. Each front end's facts
/// own one.
#[derive(Debug)]
pub struct CiWords {
    /// The label of the job's own step or script line that leads into
    /// another file.
    pub via_first: &'static str,
    /// The label of the upload a finding about the job points to.
    pub upload: &'static str,
    /// Whether a finding lists the upload before the steps that lead to
    /// the finding's location (the order each front end's findings have
    /// always had).
    pub upload_first: bool,
    /// Where code in the job can get at the registry credential.
    pub token_reach: &'static str,
    /// A job the credential does not reach.
    pub tokenless_job: &'static str,
    /// The job starts with the repository checked out, so a checkout in it
    /// adds nothing.
    pub starts_checked_out: bool,
    /// What a failed login by password shows in the job's log.
    pub password_failure: &'static str,
    /// How advice tells the user to set an environment variable for the
    /// job ("set", "set the job variable").
    pub set_variable: &'static str,
    /// The advice for a file of the system's configuration that cannot be
    /// read (TP001): what the CI system does with it, and what tplint does.
    pub unreadable: &'static str,
    /// The advice for an upload to a registry by the uploader with a
    /// token from the source (TP303).
    pub token_upload_help: fn(Uploader, Registry, &str) -> String,
    /// The advice for moving builds out of the publish job, for an upload
    /// to a registry (`None`: an index named by an expression).
    pub separate_build: fn(Option<Registry>) -> String,
    /// The finding for a publish job (by name) to a registry without an
    /// environment.
    pub no_environment: fn(&str, Registry) -> NoEnvironment,
}

/// The words and weight of TP401 on one CI system.
#[derive(Debug)]
pub struct NoEnvironment {
    pub message: String,
    pub help: String,
    /// Another severity than the rule's.
    pub severity: Option<Severity>,
    /// Whether the finding points to the upload too.
    pub points_to_upload: bool,
}

/// A job that uploads by trusted publishing as far as its file shows, or
/// calls a registry's reusable publishing workflow, as each front end
/// lowers it: where it is, its environment, what it runs, the uploads that
/// rely on trusted publishing (none for a GitLab job without an ID token
/// for the registry, or a caller of pub.dev's workflow), and what each
/// registry it publishes to sees of it (the claims of its token).
#[derive(Debug)]
pub struct PublishJob<'a> {
    /// The job's name as its file writes it, and where its key is.
    pub name: &'a str,
    pub key: Location,
    pub environment: JobEnvironment,
    /// A job this one needs (through any depth of `needs`) that runs in a
    /// literal environment, and that environment.
    pub needed_environment: Option<(&'a str, &'a str)>,
    /// Its uploads that rely on trusted publishing, in order; empty only
    /// for a job that calls a registry's reusable publishing workflow, or
    /// whose uploads lack the token they need (a GitLab job without an ID
    /// token meant for the registry), which [`publish_jobs`] leaves out.
    pub sites: Vec<&'a PublishSite>,
    /// What each registry it uploads to by trusted publishing sees of it,
    /// once per registry and package it certainly publishes, in the order
    /// of its first uploads.
    pub claims: Vec<PublishClaims<'a>>,
    pub builds: &'a [BuildFact],
    pub local_code: &'a [LocalCode],
    /// The workflow file that holds the job (GitHub), which its messages
    /// name; `None` for a GitLab job.
    pub workflow: Option<&'a str>,
    /// The GitHub job and its file, for fixes that edit it; `None` where
    /// tplint offers no edit.
    pub editable: Option<(FileId, &'a Job)>,
    pub words: &'static CiWords,
    /// The pipeline the job is in, whose `include:` entries lead to the
    /// files of its findings.
    pub pipeline: Option<&'a GitlabPipeline>,
}

impl PublishJob<'_> {
    /// The registries it publishes to by trusted publishing, in order,
    /// once each.
    pub fn indexes(&self) -> Vec<Registry> {
        let mut indexes = Vec::new();
        for index in self.sites.iter().filter_map(|s| s.index()) {
            if !indexes.contains(&index) {
                indexes.push(index);
            }
        }
        indexes
    }

    /// The first upload to `index`.
    pub fn site_to(&self, index: Registry) -> Option<&PublishSite> {
        self.sites
            .iter()
            .copied()
            .find(|s| s.index() == Some(index))
    }

    /// Whether a publisher of `index` names this job: whether the registry
    /// would match it against the claims of the job's token
    /// ([`PublishClaims::named_by`]).
    pub fn named_by(&self, publisher: &Publisher, index: Registry) -> bool {
        self.claims
            .iter()
            .any(|claims| claims.index == index && claims.named_by(publisher))
    }

    /// `diagnostic` pointing to the upload `site` and to the steps `via`
    /// that lead to its location.
    pub fn with_upload_and_via(
        &self,
        diagnostic: Diagnostic,
        site: &PublishSite,
        via: &[Location],
    ) -> Diagnostic {
        if self.words.upload_first {
            diagnostic
                .with_related(site.location(), self.words.upload)
                .with_via_as(via, self.words.via_first)
        } else {
            diagnostic
                .with_via_as(via, self.words.via_first)
                .with_related(site.location(), self.words.upload)
        }
    }

    /// `diagnostic` with the locations that lead to its file (a GitLab
    /// pipeline's `include:` entries), ready to report.
    pub fn finish(&self, diagnostic: Diagnostic) -> Diagnostic {
        with_include_chain(self.pipeline, diagnostic)
    }
}

/// An upload to a registry with a password or API token instead of trusted
/// publishing, in the terms rules written once read.
#[derive(Debug)]
pub struct PasswordUpload<'a> {
    pub site: &'a PublishSite,
    pub index: Registry,
    /// Where the token is given, and what gives it (an input, a variable).
    pub given: Location,
    pub source: &'a str,
    /// The job's own trusted-publishing credential the token wins over, in
    /// words ("a given token wins over the job's `id-token: write`"), when
    /// the job has one.
    pub overrides: Option<String>,
    /// The job mints a registry token by trusted publishing itself: an
    /// exchange of its own script (GitLab), or an action whose token this
    /// upload is not given (GitHub, TP308's finding).
    pub minted_in_job: bool,
    /// The job's ID token given as the password (by its variable's name),
    /// with the variable the uploaders read it from themselves.
    pub id_token_as_password: Option<(&'a str, &'static str)>,
    /// The credential is not given where tplint can see it, yet the upload
    /// certainly does not use trusted publishing (`given` is the upload
    /// itself).
    pub unseen: Option<UnseenCredential<'a>>,
    pub words: &'static CiWords,
    /// The pipeline the upload is in, whose `include:` entries lead to the
    /// files of its findings.
    pub pipeline: Option<&'a GitlabPipeline>,
}

/// Why an upload whose credential tplint cannot see is not by trusted
/// publishing, and where the credential may come from.
#[derive(Debug)]
pub struct UnseenCredential<'a> {
    /// Why the upload cannot exchange the job's OIDC token, in words ("it
    /// has no OIDC exchange of its own, and the job cannot mint ...").
    pub reason: &'static str,
    /// The last step before the upload that tplint cannot see, which may
    /// set the credential, and what it is.
    pub step: Option<(Location, &'a str)>,
    /// How the upload would publish by trusted publishing instead.
    pub help: String,
}

impl PasswordUpload<'_> {
    /// `diagnostic` pointing to the upload and the steps that lead to it,
    /// with the locations that lead to its file, ready to report.
    pub fn finish(&self, diagnostic: Diagnostic) -> Diagnostic {
        let diagnostic = match &self.unseen {
            None => diagnostic.with_related(self.site.location(), "the upload"),
            Some(unseen) => match unseen.step {
                Some((step, _)) => diagnostic.with_related(step, "may set the credential"),
                None => diagnostic,
            },
        }
        .with_via_as(&self.site.via, self.words.via_first);
        with_include_chain(self.pipeline, diagnostic)
    }
}

/// Every upload of the repository to a registry with a password or token:
/// the GitHub workflows', then the GitLab pipeline's.
pub fn password_uploads<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<PasswordUpload<'a>> {
    let mut uploads = super::github_password_uploads(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        uploads.extend(crate::gitlab::facts::password_uploads(
            repo, pipeline, gitlab,
        ));
    }
    uploads
}

/// How sure tplint is that an untrusted source reaches an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Some run started by the source reaches it.
    Certain,
    /// A condition tplint cannot evaluate decides (the message names it).
    Undecided,
}

/// An untrusted source (a pull request's, a fork's or a merge request's
/// code) that can start a run reaching an upload, with the words of the
/// CI system it was found in.
#[derive(Debug)]
pub struct UntrustedStart<'a> {
    /// Where the source is let in: a workflow's trigger, a pipeline rule.
    pub location: Location,
    pub reach: Reach,
    /// The registry refuses the OIDC tokens of such runs.
    pub refused: bool,
    /// A file tplint cannot read may keep the source out.
    pub may_be_excluded: bool,
    pub message: String,
    pub help: String,
    /// The job reached or its upload, and the steps that lead there.
    pub related: Vec<(Location, &'static str)>,
    /// The pipeline of the job, whose `include:` entries lead to the files
    /// of the finding.
    pub pipeline: Option<&'a GitlabPipeline>,
}

impl UntrustedStart<'_> {
    /// `diagnostic` with the related locations and those that lead to its
    /// file, ready to report.
    pub fn finish(&self, diagnostic: Diagnostic) -> Diagnostic {
        let mut diagnostic = diagnostic;
        for (location, label) in &self.related {
            diagnostic = diagnostic.with_related(*location, *label);
        }
        with_include_chain(self.pipeline, diagnostic)
    }
}

/// Every untrusted source of the repository that can reach an upload: the
/// GitHub workflows' triggers, then the GitLab pipeline's jobs.
pub fn untrusted_starts<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<UntrustedStart<'a>> {
    let mut starts = super::github_untrusted_starts(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        starts.extend(crate::gitlab::facts::untrusted_starts(pipeline, gitlab));
    }
    starts
}

/// Every job of the repository lowered to the one job model: the GitHub
/// workflows' jobs, then the GitLab pipeline's. Rules read it through
/// `rules::Context`, which lowers it once per run.
pub fn lower<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<PublishJob<'a>> {
    let mut jobs = super::github_jobs(repo, facts);
    if let (Some(pipeline), Some(gitlab)) = (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
        jobs.extend(crate::gitlab::facts::jobs(pipeline, gitlab));
    }
    jobs
}

/// The jobs of `lowered` that publish by trusted publishing (at least one
/// upload relies on it), in order.
pub fn publish_jobs<'j, 'a>(
    lowered: &'j [PublishJob<'a>],
) -> impl Iterator<Item = &'j PublishJob<'a>> + 'j {
    lowered.iter().filter(|job| !job.sites.is_empty())
}

/// Every (job, registry) pair of `lowered` that publishes by trusted
/// publishing, as the registry sees it: the GitHub workflows', then the
/// GitLab pipeline's (registries with GitLab publishers).
pub fn publish_claims<'j, 'a>(
    lowered: &'j [PublishJob<'a>],
) -> impl Iterator<Item = &'j PublishClaims<'a>> + 'j {
    lowered.iter().flat_map(|job| job.claims.iter())
}

/// What a registry sees of one job publishing to it by trusted
/// publishing: the claims of the token the job would present, and where
/// the job and those claims are written.
#[derive(Debug)]
pub struct PublishClaims<'a> {
    pub index: Registry,
    pub claims: Claims<'a>,
    /// The job's name as its file writes it, and where its key is.
    pub job: &'a str,
    pub key: Location,
    /// Where the job publishes: its first upload to the registry by
    /// trusted publishing, or the call of the registry's reusable
    /// publishing workflow.
    pub upload: Location,
    /// Where the environment claim is written (a literal or not).
    pub environment_at: Option<Location>,
    /// The registry's reusable publishing workflow the job calls, when
    /// that is how it publishes.
    pub publish_workflow: Option<&'static crate::registry::pub_dev::PublishWorkflow>,
    /// The action minting the registry's token, when that is all tplint
    /// sees of the publish (`upload` is then the mint's step:
    /// [`super::unseen_mint_publishes`]).
    pub minted_by: Option<&'static str>,
    /// The repository folder the upload runs in, whose manifest names the
    /// package it publishes (`None`: not known).
    pub folder: Option<&'a str>,
    /// The package the upload's command names (`cargo publish -p NAME`).
    pub package: Option<&'a str>,
    /// The package the job certainly publishes: the one its command
    /// names, or the one the manifest of the folder it runs in names (not
    /// the root's, which a workspace's tools may publish from); `None`
    /// where not known.
    pub published: Option<String>,
    /// The upload publishes each crate of the Cargo workspace at the root
    /// ([`crate::facts::publish::PublishSite::workspace`]).
    pub workspace: bool,
    /// The GitHub job and its file, for fixes that edit it; `None` where
    /// tplint offers no edit.
    pub editable: Option<(FileId, &'a Job)>,
}

impl PublishClaims<'_> {
    /// Whether `publisher` is one the registry would match against these
    /// claims: of the same CI system and registry, naming the file the
    /// registry compares (when it compares one).
    pub fn named_by(&self, publisher: &Publisher) -> bool {
        let ci = match publisher.platform {
            Platform::Github => Ci::GithubActions,
            Platform::Gitlab => Ci::Gitlab,
        };
        ci == self.claims.ci
            && publisher.index_kind == Some(self.index)
            && self
                .index
                .names_claims(&publisher.workflow.value, &self.claims)
            && same_package(self.index, publisher, self.published.as_deref())
    }
}

/// Whether `claims` already has the entry of an upload to `registry` that
/// certainly publishes `published` (`None`: not known): one of the same
/// registry for the same package, or for a package not known (an upload
/// of a package not known adds none beside an entry of its registry).
pub fn claimed(claims: &[PublishClaims<'_>], registry: Registry, published: Option<&str>) -> bool {
    claims.iter().any(|c| {
        c.index == registry
            && match (c.published.as_deref(), published) {
                (Some(known), Some(published)) => registry.same_package_name(known, published),
                _ => true,
            }
    })
}

/// Whether a job that certainly publishes `published` (`None`: not known)
/// may be one of `publisher`'s: a publisher is registered for one package
/// (a PyPI project, a crate, an npm package), so a job that certainly
/// publishes another is none of this publisher's, as the registry compares
/// names ([`Registry::same_package_name`]). Registries that match no
/// workflow file (pub.dev, JSR) tell a repository's publishers apart by
/// package alone.
fn same_package(index: Registry, publisher: &Publisher, published: Option<&str>) -> bool {
    match (&publisher.project, published) {
        (Some(declared), Some(published)) => index.same_package_name(&declared.value, published),
        _ => true,
    }
}

/// The uploads of the runs whose tokens name `file` (as a publisher of
/// `ci` writes it): a GitHub workflow's, or on GitLab every upload of the
/// pipeline whose top-level file it is.
pub fn uploads_of_file<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    ci: Ci,
    file: &str,
) -> Vec<&'a PublishSite> {
    match ci {
        Ci::GithubActions => super::views(repo, facts)
            .filter(|v| v.attributed_name() == file)
            .flat_map(|v| v.facts.publish_sites.iter())
            .collect(),
        Ci::Gitlab => match (repo.gitlab.as_ref(), facts.gitlab.as_ref()) {
            (Some(pipeline), Some(gitlab)) if pipeline.path == file.trim() => gitlab
                .jobs
                .iter()
                .flat_map(|j| j.publish_sites.iter())
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// `diagnostic` with the `include:` entries that lead to its file, for a
/// finding in a GitLab pipeline; unchanged for a GitHub workflow.
fn with_include_chain(pipeline: Option<&GitlabPipeline>, diagnostic: Diagnostic) -> Diagnostic {
    match pipeline {
        Some(pipeline) => pipeline.with_include_chain(diagnostic),
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::{DEFAULT_PIPELINE_PATH, MemoryFiles};

    const WORKFLOW: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    environment: release
    steps:
      - run: python -m build
  publish:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
";

    const PIPELINE: &str = "publish:
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - python -m build
    - twine upload dist/*
no-token:
  script:
    - twine upload dist/*
";

    #[test]
    fn a_github_job_is_named_by_its_workflow_file() {
        let repo = Repository::in_memory("release.yml", WORKFLOW.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let jobs: Vec<&PublishJob> = publish_jobs(&lowered).collect();
        let [job] = jobs.as_slice() else {
            panic!("one publish job expected, got {}", jobs.len())
        };
        assert_eq!(job.name, "publish");
        assert_eq!(job.environment, JobEnvironment::Absent);
        assert_eq!(job.needed_environment, Some(("build", "release")));
        assert_eq!(job.indexes(), vec![Registry::Pypi]);
        assert_eq!(job.workflow, Some("release.yml"));
        assert!(job.editable.is_some() && job.pipeline.is_none());
        assert!(!job.words.starts_checked_out);
    }

    #[test]
    fn a_gitlab_job_publishes_only_with_a_token_meant_for_the_registry() {
        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), PIPELINE.to_string())]
                .into_iter()
                .collect(),
        );
        let repo = Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH);
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let jobs: Vec<&PublishJob> = publish_jobs(&lowered).collect();
        let [job] = jobs.as_slice() else {
            panic!("one publish job expected, got {}", jobs.len())
        };
        assert_eq!(job.name, "publish");
        assert_eq!(job.environment, JobEnvironment::Absent);
        assert_eq!(job.needed_environment, None);
        assert_eq!(job.indexes(), vec![Registry::Pypi]);
        assert_eq!(job.workflow, None);
        assert!(job.builds.iter().any(|b| b.what.contains("build")));
        assert!(job.editable.is_none() && job.pipeline.is_some());
        assert!(job.words.starts_checked_out);
        // The job without an ID token is in the model, with the claims
        // PyPI would read, but publishes nothing by trusted publishing.
        let no_token = lowered.iter().find(|j| j.name == "no-token").unwrap();
        assert!(no_token.sites.is_empty());
        assert_eq!(no_token.claims.len(), 1);
        assert_eq!(no_token.claims[0].job, "no-token");
    }

    #[test]
    fn claims_name_the_file_each_registry_reads() {
        let workflow = "on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: ${{ inputs.env }}
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
      - run: npm publish
";
        let repo = Repository::in_memory("release.yml", workflow.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let claims: Vec<&PublishClaims> = publish_claims(&lowered).collect();
        let registries: Vec<Registry> = claims.iter().map(|c| c.index).collect();
        assert_eq!(registries, vec![Registry::Pypi, Registry::Npm]);
        for publish in &claims {
            assert_eq!(publish.claims.ci, Ci::GithubActions);
            assert_eq!(publish.claims.files, vec!["release.yml"]);
            // An expression is known only when the job runs.
            assert_eq!(
                publish.claims.environment,
                crate::registry::claims::ClaimedEnvironment::Unknown
            );
            assert!(publish.editable.is_some());
        }

        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), PIPELINE.to_string())]
                .into_iter()
                .collect(),
        );
        let repo = Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH);
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let claims: Vec<&PublishClaims> = publish_claims(&lowered).collect();
        // Both jobs upload by trusted publishing as far as the script
        // shows; the pipeline's top-level file is the one claimed.
        assert!(!claims.is_empty());
        for publish in &claims {
            assert_eq!(publish.claims.ci, Ci::Gitlab);
            assert_eq!(publish.claims.files, vec![DEFAULT_PIPELINE_PATH]);
            assert_eq!(
                publish.claims.environment,
                crate::registry::claims::ClaimedEnvironment::None
            );
            assert!(publish.editable.is_none());
        }
    }

    #[test]
    fn a_gitlab_id_token_given_as_a_password_is_named() {
        let pipeline = "publish:
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - twine upload -p $PYPI_ID_TOKEN dist/*
";
        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), pipeline.to_string())]
                .into_iter()
                .collect(),
        );
        let repo = Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH);
        let facts = Facts::derive(&repo);
        let uploads = password_uploads(&repo, &facts);
        let [upload] = uploads.as_slice() else {
            panic!("one upload with a token expected, got {}", uploads.len())
        };
        assert_eq!(upload.index, Registry::Pypi);
        assert_eq!(
            upload.id_token_as_password,
            Some(("PYPI_ID_TOKEN", "PYPI_ID_TOKEN"))
        );
        assert!(!upload.minted_in_job);
        assert!(upload.overrides.is_some());
    }

    #[test]
    fn untrusted_sources_are_found_on_both_systems() {
        let workflow = "on: pull_request_target
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";
        let repo = Repository::in_memory("release.yml", workflow.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        let starts = untrusted_starts(&repo, &facts);
        let [start] = starts.as_slice() else {
            panic!("one untrusted start expected, got {}", starts.len())
        };
        assert_eq!(start.reach, Reach::Certain);
        assert_eq!(start.related[0].1, "this job publishes");

        let pipeline = "publish:
  rules:
    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"
  script:
    - twine upload dist/*
";
        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), pipeline.to_string())]
                .into_iter()
                .collect(),
        );
        let repo = Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH);
        let facts = Facts::derive(&repo);
        let starts = untrusted_starts(&repo, &facts);
        let [start] = starts.as_slice() else {
            panic!("one untrusted start expected, got {}", starts.len())
        };
        assert_eq!(start.reach, Reach::Certain);
        assert!(!start.refused && !start.may_be_excluded);
        assert_eq!(start.related[0].1, "the upload");
    }

    #[test]
    fn claims_carry_the_starting_events_refs_and_audience() {
        use crate::registry::claims::{ClaimedAudience, ClaimedEvent};
        use crate::tri::Tri;
        let workflow = "on:
  push:
    tags: ['v*']
  pull_request_target:
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";
        let repo = Repository::in_memory("release.yml", workflow.into(), None).unwrap();
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let claims: Vec<&PublishClaims> = publish_claims(&lowered).collect();
        let [publish] = claims.as_slice() else {
            panic!("one claim expected, got {}", claims.len())
        };
        let events: Vec<(&str, bool)> = publish
            .claims
            .events
            .events
            .iter()
            .map(|e| (e.name, e.untrusted))
            .collect();
        assert_eq!(events, vec![("push", false), ("pull_request_target", true)]);
        assert!(publish.claims.events.complete);
        assert_eq!(publish.claims.audience, ClaimedAudience::Requested);
        let refused: Vec<&str> = Registry::Pypi
            .refused_events(&publish.claims)
            .iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(refused, vec!["pull_request_target"]);

        let pipeline = "publish:
  rules:
    - if: $CI_COMMIT_BRANCH == \"main\"
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - twine upload dist/*
";
        let files = MemoryFiles(
            [(DEFAULT_PIPELINE_PATH.to_string(), pipeline.to_string())]
                .into_iter()
                .collect(),
        );
        let repo = Repository::in_memory_gitlab(files, DEFAULT_PIPELINE_PATH);
        let facts = Facts::derive(&repo);
        let lowered = lower(&repo, &facts);
        let claims: Vec<&PublishClaims> = publish_claims(&lowered).collect();
        let [publish] = claims.as_slice() else {
            panic!("one claim expected, got {}", claims.len())
        };
        let refs = &publish.claims.refs;
        assert_eq!(refs.tags, Tri::False);
        assert_eq!(refs.branches, Tri::Unknown);
        assert_eq!(
            refs.branch_names,
            Some(vec![("main".to_string(), Tri::True)])
        );
        assert_eq!(
            publish.claims.events.events,
            vec![ClaimedEvent {
                name: "merge_request_event",
                untrusted: true,
                reaches: Tri::False,
            }]
        );
        assert_eq!(
            publish.claims.audience,
            ClaimedAudience::Written(vec!["pypi"])
        );
        assert_eq!(Registry::Pypi.accepts_audience(&publish.claims), Tri::True);
    }
}
