//! NuGet.org: trusted publishing policies for GitHub Actions.
//!
//! Sources: NuGet/NuGetGallery `src/NuGetGallery.Services/Authentication/Federated/GitHubTokenPolicyValidator.cs`
//! (matching on `job_workflow_ref`, which must be in the policy's own
//! repository; owner, repository, workflow and environment compared
//! ignoring case), `GitHubCriteria.cs` (a workflow path is reduced to its
//! file name, so the form accepts one), NuGet/login `action.yml` (`user` is required: the nuget.org
//! profile name of the policy's creator), and
//! https://learn.microsoft.com/nuget/nuget-org/trusted-publishing.

use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow,
    PublisherField, Registry, RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::NuGet,
    key: "nuget",
    aliases: &["nuget.org"],
    name: "NuGet.org",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Rejected,
    case: CaseRules {
        owner: false,
        workflow: false,
        environment: false,
    },
    rejected_events: &[],
    labels: FormLabels {
        package: "Package ID",
        owner: "Repository Owner",
        repository: "Repository",
        workflow: "Workflow File",
        environment: "Environment",
    },
    settings_url: "https://www.nuget.org/account/trustedpublishing",
    upload_hosts: &[
        "api.nuget.org/v3/index.json",
        "www.nuget.org/api/v2/package",
        "www.nuget.org/api/v2",
        "nuget.org",
    ],
    default_upload_url: "https://api.nuget.org/v3/index.json",
    publish_hint: "`NuGet/login` and `dotnet nuget push --api-key` with its `NUGET_API_KEY` output, in a job with `id-token: write`",
    rejection: "\"No matching trust policy\"",
    validate,
    source: "https://learn.microsoft.com/nuget/nuget-org/trusted-publishing; NuGet/NuGetGallery GitHubTokenPolicyValidator.cs, GitHubCriteria.cs",
};

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = [
        super::github_owner_problem(values.owner, "NuGet.org"),
        super::github_repository_problem(values.repository, "NuGet.org"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(user) = values.user
        && user.contains('@')
    {
        problems.push(FieldProblem {
            field: PublisherField::User,
            message: format!("`user` `{user}` is an e-mail address; NuGet/login needs the nuget.org profile name of the policy's creator"),
            help: Some("use the user name shown on your nuget.org profile".into()),
        });
    }
    problems
}

/// Its command-line publishers.
pub static COMMANDS: &[super::publishing::CommandUploader] = &[];
