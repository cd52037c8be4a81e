//! crates.io: GitHub trusted publishing configurations.
//!
//! Sources: rust-lang/crates.io `crates/crates_io_trustpub/src/github/validation.rs`
//! (form rules: 255 characters, owner and repository patterns, a bare
//! `.yml`/`.yaml` workflow file), `crates/crates_io_trustpub/src/github/claims.rs`
//! (the workflow comes from `workflow_ref`: the file the run started from),
//! `src/controllers/trustpub/tokens/exchange/mod.rs` (owner and repository
//! compared in lower case, workflow exactly, environment in lower case;
//! `pull_request_target` and `workflow_run` refused), and
//! https://crates.io/docs/trusted-publishing.

use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow, Registry,
    RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::CratesIo,
    key: "crates.io",
    aliases: &["crates-io", "cratesio", "crates"],
    name: "crates.io",
    matched: MatchedWorkflow::Caller,
    cross_repository: CrossRepository::NotMatched,
    case: CaseRules {
        owner: false,
        workflow: true,
        environment: false,
    },
    rejected_events: &["pull_request_target", "workflow_run"],
    labels: FormLabels {
        package: "Crate",
        owner: "Repository owner",
        repository: "Repository name",
        workflow: "Workflow filename",
        environment: "Environment (optional)",
    },
    settings_url: "https://crates.io/crates/{package}/settings/new-trusted-publisher",
    upload_hosts: &[
        "crates.io",
        "index.crates.io",
        "sparse+https://index.crates.io",
        "github.com/rust-lang/crates.io-index",
    ],
    default_upload_url: "https://crates.io",
    publish_hint: "`rust-lang/crates-io-auth-action` and `cargo publish` with its `token` output, in a job with `id-token: write`",
    rejection: "\"No Trusted Publishing config found\" or \"does not match\"",
    validate,
    source: "https://crates.io/docs/trusted-publishing; rust-lang/crates.io crates/crates_io_trustpub/src/github/validation.rs, src/controllers/trustpub/tokens/exchange/mod.rs",
};

/// The message crates.io answers a token of a refused event with.
pub const REJECTED_EVENT_MESSAGE: &str = "Trusted Publishing does not support the `{event}` event trigger due to security concerns. Please use a different trigger such as `push`, `release`, or `workflow_dispatch`.";

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = [
        super::github_owner_problem(values.owner, "crates.io"),
        super::github_repository_problem(values.repository, "crates.io"),
        super::workflow_file_problem(values.workflow),
        values
            .environment
            .and_then(|e| super::environment_problem(e, "crates.io")),
    ]
    .into_iter()
    .flatten()
    .collect();
    problems.extend(super::length_problems(values, 255, "crates.io"));
    problems
}

/// Its command-line publishers.
pub static COMMANDS: &[super::publishing::CommandUploader] = &[];
