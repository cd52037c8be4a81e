//! The rules' checks: for each rule of the [catalogue](crate::catalogue), a
//! small function from the shared facts to diagnostics.

mod credentials;
mod environment;
mod hygiene;
mod input;
mod npm;
pub(crate) mod online;
mod permissions;
pub(crate) mod pinning;
mod publisher;
pub(crate) mod record;
mod registry_tokens;
mod repository_publisher;

use crate::catalogue::*;
use crate::config::Publisher;
use crate::diagnostic::Diagnostic;
use crate::facts::publish_job::{PublishClaims, PublishJob};
use crate::facts::{Facts, WorkflowView};
use crate::repository::Repository;

/// What a rule sees.
pub struct Context<'a> {
    pub repo: &'a Repository,
    pub facts: &'a Facts,
    /// What the GitHub API said, with `--online`; `None` otherwise.
    pub online: Option<&'a crate::online::OnlineFacts>,
    /// What PyPI and TestPyPI recorded, with `--online`; `None` otherwise.
    pub records: Option<&'a crate::online::record::RecordFacts>,
    /// The jobs lowered to the one job model, once per run.
    jobs: std::cell::OnceCell<Vec<PublishJob<'a>>>,
}

impl<'a> Context<'a> {
    pub fn new(
        repo: &'a Repository,
        facts: &'a Facts,
        online: Option<&'a crate::online::OnlineFacts>,
        records: Option<&'a crate::online::record::RecordFacts>,
    ) -> Self {
        Context {
            repo,
            facts,
            online,
            records,
            jobs: std::cell::OnceCell::new(),
        }
    }

    /// The repository's jobs in the one job model (`facts::publish_job`).
    pub fn jobs(&self) -> &[PublishJob<'a>] {
        self.jobs
            .get_or_init(|| crate::facts::publish_job::lower(self.repo, self.facts))
    }

    /// The jobs that publish by trusted publishing.
    pub fn publish_jobs(&self) -> impl Iterator<Item = &PublishJob<'a>> {
        crate::facts::publish_job::publish_jobs(self.jobs())
    }

    /// Every (job, registry) pair that publishes by trusted publishing, as
    /// the registry sees it.
    pub fn publish_claims(&self) -> impl Iterator<Item = &PublishClaims<'a>> {
        crate::facts::publish_job::publish_claims(self.jobs())
    }

    /// The publishers to check, of every CI system and registry: the
    /// declared ones, then (with `--online`) the publishers PyPI recorded
    /// for the latest release of an index with none declared. Which of
    /// them a job's token would match is the registry's to say
    /// (`facts::publish_job::PublishClaims::named_by`).
    pub fn publishers(&self) -> Vec<&'a Publisher> {
        let all: &'a [Publisher] = match self.records {
            Some(records) => &records.publishers,
            None => &self.repo.config.publishers,
        };
        all.iter().collect()
    }

    pub fn workflows(&self) -> impl Iterator<Item = WorkflowView<'a>> + 'a {
        crate::facts::views(self.repo, self.facts)
    }
}

pub type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// Each rule's check, in code order. Rules the pipeline applies itself
/// (unused suppressions) have none.
static CHECKS: &[(&Rule, Check)] = &[
    (&INVALID_YAML, input::invalid_yaml),
    (&INVALID_WORKFLOW, input::invalid_workflow),
    (&PUBLISHER_UNDECLARED, publisher::publisher_undeclared),
    (
        &PUBLISHER_WORKFLOW_MISSING,
        publisher::publisher_workflow_missing,
    ),
    (&PUBLISHER_INVALID, publisher::publisher_invalid),
    (
        &PUBLISHER_NO_PUBLISH_JOB,
        publisher::publisher_no_publish_job,
    ),
    (&ENVIRONMENT_MISMATCH, publisher::environment_mismatch),
    (
        &PUBLISHER_ENVIRONMENT_UNRESTRICTED,
        publisher::publisher_environment_unrestricted,
    ),
    (&REPOSITORY_MISMATCH, publisher::repository_mismatch),
    (&INDEX_MISMATCH, publisher::index_mismatch),
    (
        &REUSABLE_WORKFLOW_PUBLISH,
        publisher::reusable_workflow_publish,
    ),
    (
        &PUBLISHER_RECORD_UNDECLARED,
        record::publisher_record_undeclared,
    ),
    (
        &PACKAGE_REPOSITORY_MISMATCH,
        npm::package_repository_mismatch,
    ),
    (
        &TAG_PATTERN_MISMATCH,
        repository_publisher::tag_pattern_mismatch,
    ),
    (&TAG_PATTERN_MISMATCH, publisher::ref_mismatch),
    (&ID_TOKEN_MISSING, permissions::id_token_missing),
    (
        &ID_TOKEN_WORKFLOW_LEVEL,
        permissions::id_token_workflow_level,
    ),
    (&ID_TOKEN_UNUSED, permissions::id_token_unused),
    (&WRITE_ALL, permissions::write_all),
    (&ID_TOKEN_AUDIENCE, permissions::id_token_audience),
    (&PUBLISH_WITH_PASSWORD, credentials::publish_with_password),
    (&UNKNOWN_PUBLISH_INPUT, credentials::unknown_publish_input),
    (&PUBLISH_TOKEN_ENV, credentials::publish_token_env),
    (&PUBLISH_TOKEN_ENV, credentials::token_to_opaque_step),
    (
        &UV_TRUSTED_PUBLISHING_FALLBACK,
        credentials::uv_trusted_publishing_fallback,
    ),
    (&NPM_TOO_OLD, npm::npm_too_old),
    (
        &RELEASE_WITHOUT_PROVENANCE,
        record::release_without_provenance,
    ),
    (&TOKEN_FALLBACK, npm::token_fallback),
    (
        &REGISTRY_TOKEN_NOT_WIRED,
        registry_tokens::registry_token_not_wired,
    ),
    (&NUGET_LOGIN_USER, registry_tokens::nuget_login_user),
    (&UPLOADER_TOO_OLD, credentials::uploader_too_old),
    (&ONLINE_CHECK_SKIPPED, online::online_check_skipped),
    (
        &PUBLISH_JOB_NO_ENVIRONMENT,
        environment::publish_job_no_environment,
    ),
    (&ENVIRONMENT_DYNAMIC, environment::environment_dynamic),
    (&ENVIRONMENT_UNPROTECTED, online::environment_unprotected),
    (
        &ENVIRONMENT_BLOCKS_TRIGGER,
        online::environment_blocks_trigger,
    ),
    (&UNPINNED_ACTION, pinning::unpinned_action),
    (
        &PIN_WITHOUT_VERSION_COMMENT,
        pinning::pin_without_version_comment,
    ),
    (&PUBLISH_ACTION_MASTER, pinning::publish_action_master),
    (&PINNED_COMMIT_UNKNOWN, online::pinned_commit_unknown),
    (&VERSION_COMMENT_MISMATCH, online::version_comment_mismatch),
    (&UNTRUSTED_TRIGGER, hygiene::untrusted_trigger),
    (&BUILD_IN_PUBLISH_JOB, hygiene::build_in_publish_job),
    (&UNSUPPORTED_RUNNER, hygiene::unsupported_runner),
    (&ARTIFACT_HANDOFF, hygiene::artifact_handoff),
    (&PUBLISH_TWICE_IN_JOB, hygiene::publish_twice_in_job),
    (&OIDC_TOKEN_REUSED, hygiene::oidc_token_reused),
];

/// Run the rules that `enabled` accepts.
pub fn run(context: &Context<'_>, enabled: impl Fn(&Rule) -> bool) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (rule, check) in CHECKS {
        if enabled(rule) {
            check(context, &mut diagnostics);
        }
    }
    record::attribute_to_records(context, &mut diagnostics);
    diagnostics
}
