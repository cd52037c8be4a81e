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
//! GitLab CI/CD: [`GITLAB`] holds what NuGet documents and checks of
//! GitLab policies. `dotnet nuget push` reads no ID token: a script posts
//! it to [`EXCHANGE_PATH`], and `gitlab::facts` recognises the key it
//! answers when the push is given it.

use super::publishing::{ActionAuth, CommandUploader, TokenMinter, Uploader, UploaderAction, When};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, GitlabPublishing,
    MatchedWorkflow, PublisherField, Registry, RegistryInfo,
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
        // Under "Select Scopes" (TrustedPublishing.cshtml at 55d8cc0).
        package: "Glob Patterns and Packages",
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
        // The gallery's base URL (`NuGetConstants.DefaultGalleryServerUrl`)
        // and its bare-domain form: a source that is not a v3 service
        // index is pushed to as is, and one whose path is empty gets
        // `/api/v2/package/` appended (NuGet/NuGet.Client
        // `src/NuGet.Core/NuGet.Protocol/Resources/PackageUpdateResource.cs`
        // `GetServiceEndpointUrl`, `NuGet.Configuration/PackageSource/NuGetConstants.cs`,
        // at fac35579c8c3c92799361e5695e9f7539b4fd5a2), so
        // `--source https://www.nuget.org` pushes to
        // `https://www.nuget.org/api/v2/package/`.
        "www.nuget.org",
        "nuget.org",
        // The base URL publish-nuget's `NUGET_SOURCE` takes (its default),
        // to which it appends `/v3/index.json` ([`UPLOADER_ACTIONS`]).
        "api.nuget.org",
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

/// The variable in which NuGet's client reads an API key: `dotnet nuget
/// push` without `--api-key` takes `NUGET_API_KEY` from NuGet 7.6 (the
/// sources in [`COMMANDS`]). A step tplint cannot see into given it may
/// publish with it.
pub const TOKEN_VARIABLES: &[&str] = &["NUGET_API_KEY"];

/// Actions that push to NuGet.org themselves, with an API key only.
pub static UPLOADER_ACTIONS: &[UploaderAction] = &[
    // brandedoutcast/publish-nuget action.yml and index.js [5c2fdb9, the
    // archived v2]: when the version is not on the feed yet, builds,
    // packs and runs `dotnet nuget push *.nupkg --source
    // ${NUGET_SOURCE}/v3/index.json --api-key ${NUGET_KEY}`; without
    // `NUGET_KEY` it warns and pushes nothing. `NUGET_SOURCE` defaults to
    // `https://api.nuget.org`. (Inputs are read as `INPUT_NUGET_KEY`,
    // else a `NUGET_KEY` variable, which tplint does not follow.)
    publish_nuget("brandedoutcast/publish-nuget"),
    // The same repository under its owner's new name: rohith/publish-nuget
    // serves the same history [5c2fdb9] (ardalis/GuardClauses'
    // `publish.yml` uses `rohith/publish-nuget@v2`).
    publish_nuget("rohith/publish-nuget"),
    // alirezanet/publish-nuget action.yml and index.js [e276c40], a fork:
    // the same inputs and default, `dotnet nuget push *.nupkg -s
    // ${NUGET_SOURCE}/v3/index.json -k ${NUGET_KEY}`, nothing without
    // `NUGET_KEY`.
    publish_nuget("alirezanet/publish-nuget"),
];

/// `publish-nuget` and its forks: when `NUGET_KEY` is given, they push to
/// `NUGET_SOURCE` (default `https://api.nuget.org`) with it as the API key.
const fn publish_nuget(action: &'static str) -> UploaderAction {
    UploaderAction {
        action,
        registry: Registry::NuGet,
        when: Some(("NUGET_KEY", When::NoneOf(&[""]))),
        token_inputs: &["NUGET_KEY"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: Some("NUGET_SOURCE"),
    }
}

/// The .NET SDK's own commands: `dotnet` followed by any other word runs
/// a .NET tool of the repository's tool manifest (`dotnet tool restore`,
/// then `dotnet TOOL`), or an application (`dotnet app.dll`): code tplint
/// does not read, which may push packages and exchange the job's OIDC
/// token (quartznet runs `dotnet fallout`, a NUKE fork that does both).
/// https://learn.microsoft.com/dotnet/core/tools/ ("dotnet command" and
/// the SDK commands it lists), checked against the .NET 10 SDK's
/// `dotnet --help`.
pub const DOTNET_SDK_COMMANDS: &[&str] = &[
    "add",
    "build",
    "build-server",
    "clean",
    "dev-certs",
    "format",
    "fsi",
    "help",
    "list",
    "migrate",
    "msbuild",
    "new",
    "nuget",
    "pack",
    "package",
    "project",
    "publish",
    "reference",
    "remove",
    "restore",
    "run",
    "sdk",
    "sln",
    "solution",
    "store",
    "test",
    "tool",
    "user-jwts",
    "user-secrets",
    "vstest",
    "watch",
    "workload",
];

/// The action that exchanges the job's OIDC token for a NuGet.org key.
/// Actions that run a build whose NuGet pushes tplint reads.
pub static COMMAND_ACTIONS: &[super::publishing::CommandAction] = &[
    // cake-build/cake-action `action.yml`, `src/input.ts`, `src/cake.ts`
    // [deebeed]: runs the script of `script-path` (default `build.cake`)
    // with `--target=<target>`, `--dryrun` for `dry-run: true`, and one
    // `--name=value` per `arguments:` line `name: value` (after the target,
    // so a `target` line wins); `file-path` runs a C# file (Cake.Sdk),
    // `project-path` a project (Frosting or Cake.Sdk), which tplint does
    // not read. What the script pushes is read by `facts::cake`.
    super::publishing::CommandAction {
        action: "cake-build/cake-action",
        command_inputs: &[],
        default_command: None,
        implied: Some(cake_action),
        cwd_input: None,
        npmrc_token: None,
    },
    // The action's earlier name (cake-build/cake-action README).
    super::publishing::CommandAction {
        action: "ecampidoglio/cake-action",
        command_inputs: &[],
        default_command: None,
        implied: Some(cake_action),
        cwd_input: None,
        npmrc_token: None,
    },
];

/// The Cake command line cake-action runs, from its inputs; `None` for a
/// project it builds (`project-path`), or a value that is not a word.
fn cake_action(input: &dyn Fn(&str) -> Option<String>, _: Option<&str>) -> Option<String> {
    let given = |name: &str| {
        input(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if given("project-path").is_some() {
        return None;
    }
    let quote = |word: &str| {
        if word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@".contains(c))
        {
            word.to_string()
        } else {
            format!("'{}'", word.replace('\'', r"'\''"))
        }
    };
    let mut line = match given("file-path") {
        Some(file) => format!("dotnet run {} --", quote(&file)),
        None => format!(
            "dotnet cake {}",
            quote(&given("script-path").unwrap_or_else(|| "build.cake".to_string()))
        ),
    };
    if let Some(target) = given("target") {
        line.push_str(&format!(" {}", quote(&format!("--target={target}"))));
    }
    if given("dry-run").is_some_and(|v| v == "true") {
        line.push_str(" --dryrun");
    }
    for entry in given("arguments").iter().flat_map(|a| a.lines()) {
        let Some((name, value)) = entry.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            continue;
        }
        line.push_str(&format!(" {}", quote(&format!("--{name}={value}"))));
    }
    Some(line)
}

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
        only_mints: true,
    },
];

/// The path of NuGet.org's token exchange (NuGet/login action.yml
/// `token-service-url`; the GitLab example of
/// https://learn.microsoft.com/nuget/nuget-org/trusted-publishing).
pub const EXCHANGE_PATH: &str = "/api/v2/token";

/// How a job publishes by trusted publishing (NuGet/login README).
pub const TRUSTED_PUBLISHING_HOW: &str = "give the job `id-token: write`, a `NuGet/login` step with an `id:` (e.g. `login`) and your nuget.org `user`, and pass `--api-key ${{ steps.login.outputs.NUGET_API_KEY }}` to `dotnet nuget push`";

/// NuGet.org's GitLab policies, checked against NuGet/NuGetGallery
/// [55d8cc0] and NuGet/docs.microsoft.com-nuget [2b52d77]:
/// - the setup: `docs/nuget-org/trusted-publishing.md`, section "Gitlab
///   support" (`id_tokens: NUGET_ID_TOKEN: aud: "https://www.nuget.org"`,
///   a script posting it as `Authorization: Bearer` with `username` and
///   `tokenType` to `https://www.nuget.org/api/v2/token`, the answer's
///   `apiKey` given to `dotnet nuget push -k`); the variable name is the
///   documentation's choice, the script reads whichever it is given;
/// - the form: `src/NuGetGallery/Views/Users/TrustedPublishing.cshtml`
///   ("Namespace Path" and "Project Path" required, "Ref" and
///   "Environment" optional): no pipeline file;
/// - matching: `src/NuGetGallery.Services/Authentication/Federated/GitLabTokenPolicyValidator.cs`:
///   issuer `https://gitlab.com` only; the audience NuGet's configured
///   one; `namespace_path` and `project_path` (namespace, `/`, project)
///   compared ignoring case; a project path given with its group or as a
///   URL is cut to its last segment when saved (`NormalizeProjectPath`);
///   the namespace and project IDs stored at the first exchange (within 7
///   days) and required after; the environment, when the policy names
///   one, compared exactly; the ref, when named, compared exactly and
///   required to be a branch (`ref_type`), checked against the refs a
///   job can run on (`Registry::ref_mismatch`, TP111);
///   each token accepted once (`TokenPolicyValidator`, `jti`).
pub static GITLAB: GitlabPublishing = GitlabPublishing {
    labels: FormLabels {
        // Under "Select Scopes" (TrustedPublishing.cshtml at 55d8cc0).
        package: "Glob Patterns and Packages",
        owner: "Namespace Path",
        repository: "Project Path",
        // NuGet.org's GitLab policies name no pipeline file.
        workflow: "",
        environment: "Environment",
    },
    case: CaseRules {
        owner: false,
        workflow: false,
        environment: true,
    },
    id_token: "NUGET_ID_TOKEN",
    audience: "https://www.nuget.org",
    // The documentation gives one string; NuGet validates the token with
    // its one configured audience and says nothing of lists.
    audience_list: None,
    // `dotnet nuget push` reads no ID token: a script exchanges it, and a
    // push given the answer's `apiKey` is trusted publishing
    // (`gitlab::facts`).
    uploaders: &[Uploader::NuGetPush],
    // Each token is exchanged once, but the key it answers (valid for an
    // hour, per the documentation) pushes any number of packages.
    single_use: false,
    publish_hint: "a script posting the job's ID token (`id_tokens: NUGET_ID_TOKEN: {aud: \"https://www.nuget.org\"}`) as `Authorization: Bearer` with your nuget.org `username` to `https://www.nuget.org/api/v2/token`, and `dotnet nuget push -k` with the `apiKey` it answers",
    rejection: "\"No matching trust policy\"",
    validate: validate_gitlab,
    source: "https://learn.microsoft.com/nuget/nuget-org/trusted-publishing (Gitlab support); NuGet/NuGetGallery GitLabTokenPolicyValidator.cs, GitLabCriteria.cs, TrustedPublishing.cshtml",
};

/// NuGet.org's GitLab form (NuGet/NuGetGallery `GitLabCriteria.cs`
/// `Validate` [55d8cc0]): namespace and project paths required (trimmed);
/// no pipeline file is registered.
pub fn validate_gitlab(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    for (field, value, what) in [
        (PublisherField::Owner, values.owner, "namespace path"),
        (
            PublisherField::Repository,
            values.repository,
            "project path",
        ),
    ] {
        if value.trim().is_empty() {
            problems.push(FieldProblem {
                field,
                message: format!("NuGet.org requires the GitLab {what}"),
                help: None,
            });
        }
    }
    if !values.workflow.trim().is_empty() {
        problems.push(FieldProblem {
            field: PublisherField::Workflow,
            message: format!(
                "NuGet.org's GitLab policies name no pipeline file (`{}`): it trusts every pipeline of the project",
                values.workflow
            ),
            help: Some("remove `workflow`; limit the policy with an environment instead".into()),
        });
    }
    if let Some(user) = values.user
        && user.contains('@')
    {
        problems.push(FieldProblem {
            field: PublisherField::User,
            message: format!("`user` `{user}` is an e-mail address; NuGet.org's token exchange needs the nuget.org profile name of the policy's creator"),
            help: Some("use the user name shown on your nuget.org profile".into()),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::claims::{Ci, PathClaims};

    fn values<'a>(owner: &'a str, repository: &'a str, workflow: &'a str) -> FormValues<'a> {
        FormValues {
            owner,
            repository,
            workflow,
            environment: None,
            workflow_repository: None,
            user: None,
        }
    }

    #[test]
    fn gitlab_facts_as_documented() {
        assert_eq!(GITLAB.audience, "https://www.nuget.org");
        assert_eq!(GITLAB.id_token, "NUGET_ID_TOKEN");
        assert!(std::ptr::eq(
            Registry::NuGet.gitlab().map_or(std::ptr::null(), |g| g),
            &GITLAB
        ));
        assert!(!GITLAB.case.owner && GITLAB.case.environment);
        assert!(Registry::NuGet.exchanges_on_gitlab());
        assert!(!Registry::NuGet.gitlab_names_pipeline());
        assert!(Registry::CratesIo.gitlab_names_pipeline());
    }

    #[test]
    fn gitlab_form_names_no_pipeline_file() {
        let fields = |v: &FormValues<'_>| -> Vec<PublisherField> {
            validate_gitlab(v).into_iter().map(|p| p.field).collect()
        };
        assert!(fields(&values("acme/dotnet", "widget", "")).is_empty());
        assert_eq!(
            fields(&values("acme", "widget", ".gitlab-ci.yml")),
            [PublisherField::Workflow]
        );
        assert_eq!(fields(&values(" ", "widget", "")), [PublisherField::Owner]);
    }

    #[test]
    fn gitlab_paths_ignore_case_and_a_project_given_with_its_group() {
        let claims = PathClaims {
            ci: Ci::Gitlab,
            owner: "acme/dotnet",
            name: "widget",
            url: "https://gitlab.com/acme/dotnet/widget.git",
        };
        let nuget = Registry::NuGet;
        assert!(
            nuget
                .path_mismatch(PublisherField::Owner, "Acme/DotNet", &claims)
                .is_none()
        );
        assert!(
            nuget
                .path_mismatch(PublisherField::Repository, "acme/dotnet/Widget", &claims)
                .is_none()
        );
        assert!(
            nuget
                .path_mismatch(PublisherField::Owner, "acme", &claims)
                .is_some()
        );
        // Every pipeline of the project: no file compared.
        assert!(nuget.names_file(Ci::Gitlab, "", ".gitlab-ci.yml"));
    }
}
