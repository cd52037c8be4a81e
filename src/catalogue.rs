//! The rule catalogue: every rule's code, name, default severity, one-line
//! summary and documentation (the `rules/<CODE>-<name>.md` file, embedded),
//! and the [`Severity`] scale. It uses no other module of tplint, and sits
//! below `config`, `fix`, `diagnostic` and `suppress`, which name rules;
//! the checks that produce each rule's diagnostics live in `rules`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where the rule docs are published.
const DOC_BASE: &str = "https://github.com/tplint/tplint/blob/main/rules/";

/// How serious a finding is: each rule's default, which `[lint]` may
/// override per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `tplint rules`.
    pub summary: &'static str,
    /// The whole Markdown documentation.
    pub doc: &'static str,
}

impl Rule {
    /// The doc's file name under `rules/`.
    pub fn doc_file(&self) -> String {
        format!("{}-{}.md", self.code, self.name)
    }

    /// Where the doc is published.
    pub fn doc_url(&self) -> String {
        format!("{DOC_BASE}{}", self.doc_file())
    }

    /// The rule's family, from its code: `TP1xx` publisher, and so on.
    pub fn family(&self) -> &'static str {
        family(self.code)
    }
}

/// The family a code belongs to, for grouping in `tplint rules`.
pub fn family(code: &str) -> &'static str {
    match code.as_bytes().get(2) {
        Some(b'0') => "input",
        Some(b'1') => "publisher",
        Some(b'2') => "permissions",
        Some(b'3') => "credentials",
        Some(b'4') => "environments",
        Some(b'5') => "pinning",
        Some(b'6') => "hygiene",
        _ => "other",
    }
}

macro_rules! rule {
    ($static:ident, $code:literal, $name:literal, $severity:ident, $summary:literal) => {
        pub static $static: Rule = Rule {
            code: $code,
            name: $name,
            severity: Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!("../rules/", $code, "-", $name, ".md")),
        };
    };
}

rule!(
    UNUSED_SUPPRESSION,
    "TP000",
    "unused-suppression",
    Info,
    "a `# tplint: ignore[...]` comment suppresses nothing"
);

rule!(
    INVALID_YAML,
    "TP001",
    "invalid-yaml",
    Error,
    "a workflow file is not valid YAML, not UTF-8, or exceeds a size, nesting or alias limit"
);

rule!(
    INVALID_WORKFLOW,
    "TP002",
    "invalid-workflow",
    Error,
    "valid YAML that is not a usable workflow shape"
);

rule!(
    PUBLISHER_UNDECLARED,
    "TP100",
    "publisher-undeclared",
    Info,
    "an OIDC publish job has no declared publisher for its index"
);

rule!(
    PUBLISHER_WORKFLOW_MISSING,
    "TP101",
    "publisher-workflow-missing",
    Error,
    "the declared workflow file does not exist in .github/workflows"
);

rule!(
    PUBLISHER_INVALID,
    "TP102",
    "publisher-invalid",
    Error,
    "a declared publisher field breaks its registry's own form rules"
);

rule!(
    PUBLISHER_NO_PUBLISH_JOB,
    "TP103",
    "publisher-no-publish-job",
    Error,
    "no job that the registry attributes to the declared workflow (or, for pub.dev and JSR, to the repository) publishes there by OIDC"
);

rule!(
    ENVIRONMENT_MISMATCH,
    "TP104",
    "environment-mismatch",
    Error,
    "the publish job's environment differs from the publisher's"
);

rule!(
    PUBLISHER_ENVIRONMENT_UNRESTRICTED,
    "TP105",
    "publisher-environment-unrestricted",
    Warning,
    "the publish job uses an environment but the publisher declares none"
);

rule!(
    REPOSITORY_MISMATCH,
    "TP106",
    "repository-mismatch",
    Error,
    "the declared owner/repository differ from the git remote `origin`"
);

rule!(
    INDEX_MISMATCH,
    "TP107",
    "index-mismatch",
    Error,
    "the publish step uploads to another index than the publisher declares"
);

rule!(
    REUSABLE_WORKFLOW_PUBLISH,
    "TP108",
    "reusable-workflow-publish",
    Warning,
    "a publish job inside a reusable workflow: the file to register, attestations that PyPI rejects there, a publisher naming the caller"
);

rule!(
    PUBLISHER_RECORD_UNDECLARED,
    "TP109",
    "publisher-record-undeclared",
    Info,
    "(`--online`) no declared publisher matches the one PyPI recorded for the latest release"
);

rule!(
    PACKAGE_REPOSITORY_MISMATCH,
    "TP110",
    "package-repository-mismatch",
    Error,
    "`package.json` `repository` is missing or names another repository than npm provenance will: npm rejects the release (E422)"
);

rule!(
    TAG_PATTERN_MISMATCH,
    "TP111",
    "tag-pattern-mismatch",
    Error,
    "the workflow that publishes to pub.dev cannot be started by pushing a tag of the publisher's tag pattern, or a GitLab job that publishes to NuGet.org cannot run on the policy's ref"
);

rule!(
    ID_TOKEN_MISSING,
    "TP201",
    "id-token-missing",
    Error,
    "an OIDC publish job lacks `id-token: write`"
);

rule!(
    ID_TOKEN_WORKFLOW_LEVEL,
    "TP202",
    "id-token-workflow-level",
    Warning,
    "`id-token: write` is granted at workflow level, so every job without its own `permissions:` gets it"
);

rule!(
    ID_TOKEN_UNUSED,
    "TP203",
    "id-token-unused",
    Warning,
    "a job grants itself `id-token: write` but neither publishes nor uses a known OIDC consumer"
);

rule!(
    WRITE_ALL,
    "TP204",
    "write-all",
    Warning,
    "`permissions: write-all` in a workflow that publishes"
);

rule!(
    ID_TOKEN_AUDIENCE,
    "TP205",
    "id-token-audience",
    Error,
    "(GitLab) the ID token an upload reads has an `aud` that is a list, names another registry or index, or sits in a variable the uploader or exchange does not read"
);

rule!(
    PUBLISH_WITH_PASSWORD,
    "TP301",
    "publish-with-password",
    Warning,
    "gh-action-pypi-publish is given a password (an API token), so trusted publishing is not used"
);

rule!(
    UNKNOWN_PUBLISH_INPUT,
    "TP302",
    "unknown-publish-input",
    Warning,
    "gh-action-pypi-publish is given an input it does not have"
);

rule!(
    PUBLISH_TOKEN_ENV,
    "TP303",
    "publish-token-env",
    Warning,
    "an uploader other than gh-action-pypi-publish is given a token or password"
);

rule!(
    UV_TRUSTED_PUBLISHING_FALLBACK,
    "TP304",
    "uv-trusted-publishing-fallback",
    Info,
    "`uv publish` may silently fall back from trusted publishing to password authentication"
);

rule!(
    NPM_TOO_OLD,
    "TP305",
    "npm-too-old",
    Warning,
    "npm publishes by trusted publishing with a Node.js whose npm is older than 11.5.1 and cannot exchange the OIDC token"
);

rule!(
    RELEASE_WITHOUT_PROVENANCE,
    "TP306",
    "release-without-provenance",
    Info,
    "(`--online`) no file of the latest release has provenance, so PyPI has no record of its publisher"
);

rule!(
    TOKEN_FALLBACK,
    "TP307",
    "token-fallback",
    Warning,
    "a registry token is configured where npm publishes by trusted publishing: npm falls back to it silently, pnpm 11 and Yarn never try OIDC"
);

rule!(
    REGISTRY_TOKEN_NOT_WIRED,
    "TP308",
    "registry-token-not-wired",
    Error,
    "a job exchanges its OIDC token for a crates.io, NuGet.org or RubyGems.org token, and the publish does not use it"
);

rule!(
    NUGET_LOGIN_USER,
    "TP309",
    "nuget-login-user",
    Error,
    "NuGet/login is given no `user`, an e-mail address, or another user than the declared publisher's"
);

rule!(
    UPLOADER_TOO_OLD,
    "TP311",
    "uploader-too-old",
    Warning,
    "(GitLab) the job pins twine before 6.1.0, uv before 0.8.18 or pdm before 2.23.1, which cannot do trusted publishing on GitLab"
);

rule!(
    ONLINE_CHECK_SKIPPED,
    "TP400",
    "online-check-skipped",
    Warning,
    "(`--online`) a check that needs the GitHub API or PyPI's record could not be made (no remote, bad token, rate limit, unreachable)"
);

rule!(
    PUBLISH_JOB_NO_ENVIRONMENT,
    "TP401",
    "publish-job-no-environment",
    Warning,
    "an OIDC publish job has no `environment:`, so no protection rules can apply"
);

rule!(
    ENVIRONMENT_DYNAMIC,
    "TP402",
    "environment-dynamic",
    Warning,
    "the publish job's environment name is an expression, so it cannot be matched statically"
);

rule!(
    ENVIRONMENT_UNPROTECTED,
    "TP403",
    "environment-unprotected",
    Warning,
    "(`--online`) the publish job's environment does not exist or has no reviewers, wait timer or custom rule"
);

rule!(
    ENVIRONMENT_BLOCKS_TRIGGER,
    "TP404",
    "environment-blocks-trigger",
    Error,
    "(`--online`) the environment's deployment branch/tag policy rejects the refs the workflow runs on"
);

rule!(
    UNPINNED_ACTION,
    "TP501",
    "unpinned-action",
    Warning,
    "a remote action, reusable workflow or Docker image is not pinned to an immutable commit SHA or digest"
);

rule!(
    PIN_WITHOUT_VERSION_COMMENT,
    "TP502",
    "pin-without-version-comment",
    Info,
    "a commit SHA pin has no comment naming the version it stands for"
);

rule!(
    PUBLISH_ACTION_MASTER,
    "TP503",
    "publish-action-master",
    Error,
    "`pypa/gh-action-pypi-publish@master` is sunset and cannot do trusted publishing"
);

rule!(
    PINNED_COMMIT_UNKNOWN,
    "TP504",
    "pinned-commit-unknown",
    Error,
    "(`--online`) the pinned SHA is no commit of the action's repository (or, for gh-action-pypi-publish, a tag object)"
);

rule!(
    VERSION_COMMENT_MISMATCH,
    "TP505",
    "version-comment-mismatch",
    Warning,
    "(`--online`) the version comment after a SHA pin names a tag that does not point at that SHA"
);

rule!(
    UNTRUSTED_TRIGGER,
    "TP601",
    "untrusted-trigger",
    Warning,
    "a run of `pull_request`, `pull_request_target`, `workflow_run` or `issue_comment` can reach a publish step"
);

rule!(
    BUILD_IN_PUBLISH_JOB,
    "TP602",
    "build-in-publish-job",
    Warning,
    "an OIDC publish job also checks out, builds or installs code, which then runs next to the token"
);

rule!(
    UNSUPPORTED_RUNNER,
    "TP603",
    "unsupported-runner",
    Error,
    "gh-action-pypi-publish runs on a non-Linux runner or in a job with `container:`; npm trusted publishing on a self-hosted runner"
);

rule!(
    ARTIFACT_HANDOFF,
    "TP604",
    "artifact-handoff",
    Error,
    "the publish job downloads an artifact no needed job uploads, or into another folder than it publishes from"
);

rule!(
    PUBLISH_TWICE_IN_JOB,
    "TP605",
    "publish-twice-in-job",
    Error,
    "gh-action-pypi-publish runs twice in one job on the same folder, in one run, with attestations on"
);

rule!(
    OIDC_TOKEN_REUSED,
    "TP606",
    "oidc-token-reused",
    Error,
    "(GitLab) two uploads by trusted publishing in one job, which share the job's single-use ID token"
);

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &INVALID_YAML,
    &INVALID_WORKFLOW,
    &PUBLISHER_UNDECLARED,
    &PUBLISHER_WORKFLOW_MISSING,
    &PUBLISHER_INVALID,
    &PUBLISHER_NO_PUBLISH_JOB,
    &ENVIRONMENT_MISMATCH,
    &PUBLISHER_ENVIRONMENT_UNRESTRICTED,
    &REPOSITORY_MISMATCH,
    &INDEX_MISMATCH,
    &REUSABLE_WORKFLOW_PUBLISH,
    &PUBLISHER_RECORD_UNDECLARED,
    &PACKAGE_REPOSITORY_MISMATCH,
    &TAG_PATTERN_MISMATCH,
    &ID_TOKEN_MISSING,
    &ID_TOKEN_WORKFLOW_LEVEL,
    &ID_TOKEN_UNUSED,
    &WRITE_ALL,
    &ID_TOKEN_AUDIENCE,
    &PUBLISH_WITH_PASSWORD,
    &UNKNOWN_PUBLISH_INPUT,
    &PUBLISH_TOKEN_ENV,
    &UV_TRUSTED_PUBLISHING_FALLBACK,
    &NPM_TOO_OLD,
    &RELEASE_WITHOUT_PROVENANCE,
    &TOKEN_FALLBACK,
    &REGISTRY_TOKEN_NOT_WIRED,
    &NUGET_LOGIN_USER,
    &UPLOADER_TOO_OLD,
    &ONLINE_CHECK_SKIPPED,
    &PUBLISH_JOB_NO_ENVIRONMENT,
    &ENVIRONMENT_DYNAMIC,
    &ENVIRONMENT_UNPROTECTED,
    &ENVIRONMENT_BLOCKS_TRIGGER,
    &UNPINNED_ACTION,
    &PIN_WITHOUT_VERSION_COMMENT,
    &PUBLISH_ACTION_MASTER,
    &PINNED_COMMIT_UNKNOWN,
    &VERSION_COMMENT_MISMATCH,
    &UNTRUSTED_TRIGGER,
    &BUILD_IN_PUBLISH_JOB,
    &UNSUPPORTED_RUNNER,
    &ARTIFACT_HANDOFF,
    &PUBLISH_TWICE_IN_JOB,
    &OIDC_TOKEN_REUSED,
];

/// A rule by code (`TP104`, any case) or name (`environment-mismatch`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    let wanted = code_or_name.trim();
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_and_unique() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
    }
}
