//! NuGet.org: trusted publishing policies for GitHub Actions.
//!
//! Sources: NuGet/NuGetGallery `src/NuGetGallery.Services/Authentication/Federated/GitHubTokenPolicyValidator.cs`
//! (matching on `job_workflow_ref`, which must be in the policy's own
//! repository; owner, repository, workflow and environment compared
//! ignoring case), `GitHubCriteria.cs` (a workflow path is reduced to its
//! file name, so the form accepts one), NuGet/login `action.yml` (`user` is required: the nuget.org
//! profile name of the policy's creator), and
//! https://learn.microsoft.com/nuget/nuget-org/trusted-publishing.
//!
//! GitLab CI/CD: NuGet's documentation describes it too (section "Gitlab
//! support" of NuGet/docs.microsoft.com-nuget
//! `docs/nuget-org/trusted-publishing.md` [042ebab]: an `id_tokens:` entry
//! with `aud: "https://www.nuget.org"`, sent as a bearer token to
//! [`EXCHANGE_PATH`], the answer's `apiKey` given to `dotnet nuget push`).
//! tplint does not check it yet: NuGet.org has no GitLab entry here.

use super::publishing::{CommandUploader, TokenMinter, Uploader};
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

/// Its command-line publishers. `dotnet nuget push` is read as `nuget push`
/// (the reader drops `dotnet`).
pub static COMMANDS: &[CommandUploader] = &[
    // https://learn.microsoft.com/dotnet/core/tools/dotnet-nuget-push
    // (`-k|--api-key`, `-s|--source`) and
    // https://learn.microsoft.com/nuget/reference/cli-reference/cli-ref-push
    // (`-ApiKey`, `-Source`; nuget.exe options ignore case). Neither
    // exchanges an OIDC token: NuGet/login does. From NuGet 7.6 push reads
    // `NUGET_API_KEY` when no key is given on the command line
    // (NuGet/NuGet.Client#7087, `docs/reference/cli-reference/
    // cli-ref-environment-variables.md` of NuGet/docs.microsoft.com-nuget
    // [#3562]: "The command-line option takes precedence").
    CommandUploader {
        registry: Registry::NuGet,
        uploader: Uploader::NuGetPush,
        program: "nuget",
        subcommands: &["push"],
        secret_flags: &["--api-key", "-k", "-ApiKey", "-apikey", "-apiKey"],
        secret_env: &["NUGET_API_KEY"],
        url_flags: &["--source", "-s", "-Source", "-source"],
        url_env: &[],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
];

/// The action that exchanges the job's OIDC token for a NuGet.org key.
pub const LOGIN_ACTION: &str = "nuget/login";

/// The input naming the nuget.org user whose policy matches.
pub const LOGIN_USER_INPUT: &str = "user";

/// The input naming the token service (default
/// `https://www.nuget.org/api/v2/token`; another server has its own users).
pub const LOGIN_SERVICE_INPUT: &str = "token-service-url";

/// Whether a `token-service-url` is NuGet.org's (NuGet/login action.yml:
/// `https://www.nuget.org/api/v2/token`).
pub fn is_nuget_org_token_service(url: &str) -> bool {
    let url = url.trim().trim_end_matches('/').to_ascii_lowercase();
    let bare = url.strip_prefix("https://").unwrap_or(&url);
    bare == "www.nuget.org/api/v2/token" || bare == "nuget.org/api/v2/token"
}

/// Its token minter.
pub static MINTERS: &[TokenMinter] = &[
    // NuGet/login action.yml (input `user` required, output
    // `NUGET_API_KEY`), src/index.ts (requests the OIDC token, posts
    // `username` to `token-service-url`, sets `NUGET_API_KEY`) [e12aa70].
    TokenMinter {
        action: LOGIN_ACTION,
        registry: Registry::NuGet,
        outputs: &["NUGET_API_KEY"],
        exports: &[],
        other_modes: &[],
        token_inputs: &[],
    },
];

/// The path of NuGet.org's token exchange (NuGet/login action.yml
/// `token-service-url`; the GitLab example of
/// https://learn.microsoft.com/nuget/nuget-org/trusted-publishing).
pub const EXCHANGE_PATH: &str = "/api/v2/token";

/// How a job publishes by trusted publishing (NuGet/login README).
pub const TRUSTED_PUBLISHING_HOW: &str = "give the job `id-token: write`, a `NuGet/login` step with an `id:` (e.g. `login`) and your nuget.org `user`, and pass `--api-key ${{ steps.login.outputs.NUGET_API_KEY }}` to `dotnet nuget push`";
