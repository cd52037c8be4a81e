//! RubyGems.org: GitHub Actions trusted publishers.
//!
//! Sources: rubygems/rubygems.org `app/models/oidc/trusted_publisher/github_action.rb`
//! (fields, 255 characters, a bare `.yml`/`.yaml` workflow file,
//! `workflow_repository_owner`/`_name` both or neither; matching on
//! `job_workflow_ref`, the file holding the job, by SQL equality), and
//! https://guides.rubygems.org/trusted-publishing/.

use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow,
    PublisherField, Registry, RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::RubyGems,
    key: "rubygems",
    aliases: &["rubygems.org", "gem"],
    name: "RubyGems.org",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Registered,
    // SQL equality on every column: exact.
    case: CaseRules {
        owner: true,
        workflow: true,
        environment: true,
    },
    rejected_events: &[],
    labels: FormLabels {
        package: "Gem name",
        owner: "Repository owner",
        repository: "Repository name",
        workflow: "Workflow filename",
        environment: "Environment",
    },
    settings_url: "https://rubygems.org/gems/{package}/trusted_publishers",
    upload_hosts: &["rubygems.org"],
    default_upload_url: "https://rubygems.org",
    publish_hint: "`rubygems/release-gem`, or `rubygems/configure-rubygems-credentials` and `gem push`, in a job with `id-token: write`",
    rejection: "\"No trusted publisher configured for this workflow\"",
    validate,
    source: "https://guides.rubygems.org/trusted-publishing/; rubygems/rubygems.org app/models/oidc/trusted_publisher/github_action.rb",
};

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = [
        super::github_owner_problem(values.owner, "RubyGems.org"),
        super::github_repository_problem(values.repository, "RubyGems.org"),
        super::workflow_file_problem(values.workflow),
    ]
    .into_iter()
    .flatten()
    .collect();
    problems.extend(super::length_problems(values, 255, "RubyGems.org"));
    if let Some((owner, name)) = values.workflow_repository
        && owner.eq_ignore_ascii_case(values.owner)
        && name.eq_ignore_ascii_case(values.repository)
    {
        problems.push(FieldProblem {
            field: PublisherField::WorkflowRepositoryName,
            message: "the workflow repository is the gem's own repository".into(),
            help: Some("leave `workflow-repository-owner` and `workflow-repository-name` out: they are for a reusable workflow of another repository".into()),
        });
    }
    problems
}

/// Its command-line publishers.
pub static COMMANDS: &[super::publishing::CommandUploader] = &[];
