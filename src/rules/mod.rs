//! The rule registry. Each rule is a code, a name, a default severity, its
//! documentation (the `rules/<CODE>-<name>.md` file, embedded) and a small
//! function from the shared facts to diagnostics.

mod credentials;
mod environment;
mod hygiene;
mod input;
pub(crate) mod online;
mod permissions;
pub(crate) mod pinning;
mod publisher;
pub(crate) mod record;

use crate::config::Publisher;
use crate::diagnostic::{Diagnostic, Severity};
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
}

impl<'a> Context<'a> {
    /// The publishers the workflows are checked against: the declared ones,
    /// then (with `--online`) the publishers PyPI recorded for the latest
    /// release of an index with none declared.
    pub fn publishers(&self) -> &'a [Publisher] {
        match self.records {
            Some(records) => &records.publishers,
            None => &self.repo.config.publishers,
        }
    }

    pub fn workflows(&self) -> impl Iterator<Item = WorkflowView<'a>> + 'a {
        crate::facts::views(self.repo, self.facts)
    }
}

/// Where the rule docs are published.
const DOC_BASE: &str = "https://github.com/tplint/tplint/blob/main/rules/";

pub type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `tplint rules`.
    pub summary: &'static str,
    /// The whole Markdown documentation.
    pub doc: &'static str,
    /// `None` for rules applied by the pipeline itself (suppressions).
    pub check: Option<Check>,
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
}

macro_rules! rule {
    ($static:ident, $code:literal, $name:literal, $severity:ident, $summary:literal, $check:expr) => {
        pub static $static: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!("../../rules/", $code, "-", $name, ".md")),
            check: $check,
        };
    };
}
pub(crate) use rule;

rule!(
    UNUSED_SUPPRESSION,
    "TP000",
    "unused-suppression",
    Info,
    "a `# tplint: ignore[...]` comment suppresses nothing",
    None
);

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &input::INVALID_YAML,
    &input::INVALID_WORKFLOW,
    &publisher::PUBLISHER_UNDECLARED,
    &publisher::PUBLISHER_WORKFLOW_MISSING,
    &publisher::PUBLISHER_INVALID,
    &publisher::PUBLISHER_NO_PUBLISH_JOB,
    &publisher::ENVIRONMENT_MISMATCH,
    &publisher::PUBLISHER_ENVIRONMENT_UNRESTRICTED,
    &publisher::REPOSITORY_MISMATCH,
    &publisher::INDEX_MISMATCH,
    &publisher::REUSABLE_WORKFLOW_PUBLISH,
    &record::PUBLISHER_RECORD_UNDECLARED,
    &permissions::ID_TOKEN_MISSING,
    &permissions::ID_TOKEN_WORKFLOW_LEVEL,
    &permissions::ID_TOKEN_UNUSED,
    &permissions::WRITE_ALL,
    &credentials::PUBLISH_WITH_PASSWORD,
    &credentials::UNKNOWN_PUBLISH_INPUT,
    &credentials::PUBLISH_TOKEN_ENV,
    &credentials::UV_TRUSTED_PUBLISHING_FALLBACK,
    &record::RELEASE_WITHOUT_PROVENANCE,
    &online::ONLINE_CHECK_SKIPPED,
    &environment::PUBLISH_JOB_NO_ENVIRONMENT,
    &environment::ENVIRONMENT_DYNAMIC,
    &online::ENVIRONMENT_UNPROTECTED,
    &online::ENVIRONMENT_BLOCKS_TRIGGER,
    &pinning::UNPINNED_ACTION,
    &pinning::PIN_WITHOUT_VERSION_COMMENT,
    &pinning::PUBLISH_ACTION_MASTER,
    &online::PINNED_COMMIT_UNKNOWN,
    &online::VERSION_COMMENT_MISMATCH,
    &hygiene::UNTRUSTED_TRIGGER,
    &hygiene::BUILD_IN_PUBLISH_JOB,
    &hygiene::UNSUPPORTED_RUNNER,
    &hygiene::ARTIFACT_HANDOFF,
    &hygiene::PUBLISH_TWICE_IN_JOB,
];

/// A rule by code (`TP104`, any case) or name (`environment-mismatch`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    let wanted = code_or_name.trim();
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(wanted) || r.name.eq_ignore_ascii_case(wanted))
}

/// Run the rules that `enabled` accepts.
pub fn run(context: &Context<'_>, enabled: impl Fn(&Rule) -> bool) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for rule in RULES {
        if let Some(check) = rule.check
            && enabled(rule)
        {
            check(context, &mut diagnostics);
        }
    }
    record::attribute_to_records(context, &mut diagnostics);
    diagnostics
}
