//! npm (registry.npmjs.org): trusted publishers for GitHub Actions.
//!
//! Sources: https://docs.npmjs.com/trusted-publishers (npm/documentation
//! `content/packages-and-modules/securing-your-code/trusted-publishers.mdx`:
//! the workflow checked is the calling workflow's, "All fields are
//! case-sensitive and must be exact", one publisher per package, npm CLI
//! 11.5.1 or later, GitHub-hosted runners), npm/cli `lib/utils/oidc.js`
//! (the exchange runs inside `npm publish` and falls back to a configured
//! token when it fails) and `lib/commands/trust/github.js` (the workflow is
//! a bare file name).

use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow, Registry,
    RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::Npm,
    key: "npm",
    aliases: &["npmjs", "registry.npmjs.org"],
    name: "npm",
    matched: MatchedWorkflow::Caller,
    cross_repository: CrossRepository::NotMatched,
    case: CaseRules {
        owner: true,
        workflow: true,
        environment: true,
    },
    rejected_events: &[],
    labels: FormLabels {
        package: "Package",
        owner: "Organization or user",
        repository: "Repository",
        workflow: "Workflow filename",
        environment: "Environment name",
    },
    settings_url: "https://www.npmjs.com/package/{package}/access",
    upload_hosts: &["registry.npmjs.org", "registry.npmjs.com"],
    default_upload_url: "https://registry.npmjs.org/",
    publish_hint: "`npm publish` (npm 11.5.1 or later) in a job with `id-token: write`",
    rejection: "`E404`/`ENEEDAUTH` (npm hides the failed exchange)",
    validate,
    source: "https://docs.npmjs.com/trusted-publishers; npm/cli lib/utils/oidc.js, lib/commands/trust/github.js",
};

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    [
        super::github_owner_problem(values.owner, "npm"),
        super::github_repository_problem(values.repository, "npm"),
        super::workflow_file_problem(values.workflow),
        values
            .environment
            .and_then(|e| super::environment_problem(e, "npm")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Its command-line publishers.
pub static COMMANDS: &[super::publishing::CommandUploader] = &[];
