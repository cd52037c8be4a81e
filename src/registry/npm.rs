//! npm (registry.npmjs.org): trusted publishers for GitHub Actions and
//! GitLab CI/CD.
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
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, GitlabPublishing,
    MatchedWorkflow, PublisherField, Registry, RegistryInfo,
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

use super::publishing::{
    ActionAuth, CommandAction, CommandUploader, NpmClient, Uploader, UploaderAction, When,
};

/// npm's GitLab CI/CD publishers. The form (docs.npmjs.com/trusted-publishers,
/// "For GitLab CI/CD") asks for Namespace, Project name, Top-level CI file
/// path ("Must include the `.yml` extension") and an optional Environment
/// name; "All fields are case-sensitive and must be exact", and only
/// GitLab.com shared runners are supported. npm/cli
/// `lib/commands/trust/gitlab.js` registers the claims `project_path`
/// (`group/subgroup/project`), `ci_config_ref_uri` (its file) and
/// `environment`. npm/cli `lib/utils/oidc.js` reads the GitLab ID token
/// from `NPM_ID_TOKEN` (the name npm documents for GitLab), with the
/// audience `npm:<registry host>`, inside `npm publish`, and falls back to
/// a configured token when the exchange fails. Whether npm accepts an
/// audience list, or a token twice, is not documented: tplint says
/// nothing of either (a pipeline publishing several packages from one job
/// with one token is common).
pub static GITLAB: GitlabPublishing = GitlabPublishing {
    labels: FormLabels {
        package: "Package",
        owner: "Namespace",
        repository: "Project name",
        workflow: "Top-level CI file path",
        environment: "Environment name",
    },
    case: CaseRules {
        owner: true,
        workflow: true,
        environment: true,
    },
    id_token: "NPM_ID_TOKEN",
    audience: "npm:registry.npmjs.org",
    audience_list: None,
    // pnpm and Yarn exchange tokens themselves (see [`COMMANDS`]), but
    // neither documents reading `NPM_ID_TOKEN` on GitLab.
    uploaders: &[Uploader::Npm],
    single_use: false,
    publish_hint: "`npm publish` (npm 11.5.1 or later) in a job with `id_tokens: NPM_ID_TOKEN: {aud: \"npm:registry.npmjs.org\"}`",
    rejection: "`E404`/`ENEEDAUTH`: npm hides the failed exchange",
    validate: validate_gitlab,
    source: "https://docs.npmjs.com/trusted-publishers (For GitLab CI/CD); npm/cli lib/utils/oidc.js, lib/commands/trust/gitlab.js",
};

/// npm's GitLab form, as far as npm documents it: a namespace and a
/// project name (the project alone: npm joins them into `project_path`),
/// and a top-level CI file path ending in `.yml` (`.yaml` is accepted too:
/// GitLab names no other extension, and tplint does not report what npm
/// may accept), relative to the project's root.
fn validate_gitlab(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let namespace = values.owner;
    if namespace.trim().is_empty() || namespace.contains("://") || namespace.trim() != namespace {
        problems.push(FieldProblem {
            field: PublisherField::Owner,
            message: format!("namespace `{namespace}` is not a GitLab namespace"),
            help: Some("give the user or group path as GitLab spells it, subgroups included (e.g. `mygroup/subgroup`, not a URL)".into()),
        });
    }
    let project = values.repository;
    if project.trim().is_empty() || project.contains('/') || project.trim() != project {
        problems.push(FieldProblem {
            field: PublisherField::Repository,
            message: format!("project `{project}` is not a GitLab project name"),
            help: Some(
                "give the project's path name alone; its group belongs in the namespace".into(),
            ),
        });
    }
    let path = values.workflow;
    let path_problem = if path.trim() != path {
        Some(format!(
            "top-level CI file path `{path}` has leading or trailing whitespace"
        ))
    } else if path.starts_with('/') {
        Some(format!(
            "top-level CI file path `{path}` must be relative to the project's root"
        ))
    } else if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
        Some(format!(
            "top-level CI file path `{path}` must end with `.yml`"
        ))
    } else {
        None
    };
    if let Some(message) = path_problem {
        problems.push(FieldProblem {
            field: PublisherField::Workflow,
            message,
            help: Some("give the project's CI/CD configuration file as in its CI/CD settings (`.gitlab-ci.yml` by default)".into()),
        });
    }
    problems
}

/// Actions that publish to npm themselves. `JS-DevTools/npm-publish`
/// (action.yaml and README at 455a53e, v4.1.5) runs the npm CLI's
/// `publish` with an `.npmrc` reading `_authToken=${NODE_AUTH_TOKEN}`
/// from its `token` input ("not required if using trusted publishing"),
/// so npm's own OIDC exchange runs first whenever the job can mint.
/// `changesets/action` is not listed: it runs whatever `publish` script it
/// is given.
pub static UPLOADER_ACTIONS: &[UploaderAction] = &[UploaderAction {
    action: "js-devtools/npm-publish",
    registry: Registry::Npm,
    when: Some(("dry-run", When::NoneOf(&["true"]))),
    token_inputs: &["token"],
    token_env: &[],
    auth: ActionAuth::TrustedPublishingWhenPermitted,
    url_input: Some("registry"),
}];

/// Environment variables through which npm reads a registry token. npm
/// reads any `npm_config_<key>` (case-insensitive) as config `<key>`
/// (npm/cli `workspaces/config/lib/index.js` `loadEnv`, `/^npm_config_/i`),
/// and uses only credentials scoped to the registry
/// (`npm-registry-fetch` `lib/auth.js` `hasAuth`: `${regKey}:_authToken`,
/// `${regKey}:_auth`): an unscoped `_auth`/`_authToken` is not one; `NODE_AUTH_TOKEN`
/// and `NPM_TOKEN` are what `.npmrc` files reference
/// (`//registry.npmjs.org/:_authToken=${NODE_AUTH_TOKEN}` is the line
/// actions/setup-node `src/authutil.ts` writes for `registry-url`).
/// The variables `bun publish` takes a token from (`NPM_CONFIG_TOKEN`,
/// documented for CI at bun.sh/docs/cli/publish; `BUN_CONFIG_TOKEN`,
/// which oven-sh/bun's registry tests clear with it). setup-node's
/// `NODE_AUTH_TOKEN` reaches it through the `.npmrc` setup-node writes.
pub const BUN_TOKEN_ENV: &[&str] = &["NPM_CONFIG_TOKEN", "npm_config_token", "BUN_CONFIG_TOKEN"];

pub const NPM_TOKEN_ENV: &[&str] = &[
    "NODE_AUTH_TOKEN",
    "NPM_TOKEN",
    "npm_config_//registry.npmjs.org/:_authToken",
    "NPM_CONFIG_//registry.npmjs.org/:_authToken",
    "npm_config_//registry.npmjs.org/:_auth",
    "NPM_CONFIG_//registry.npmjs.org/:_auth",
];

/// `YARN_<SETTING>` for `npmAuthToken` and `npmAuthIdent`
/// (yarnpkg.com/configuration/yarnrc): Yarn's registry credentials.
pub const YARN_TOKEN_ENV: &[&str] = &["YARN_NPM_AUTH_TOKEN", "YARN_NPM_AUTH_IDENT"];

/// Its command-line publishers. Each exchanges the job's OIDC token itself:
/// npm inside `publish` whenever the job can request one, before any
/// configured token (npm/cli `lib/utils/oidc.js`, commit 026b4fe: "This
/// function is intended to never throw"; on success it sets
/// `//registry/:_authToken`); pnpm 11 and later only when no token or
/// user/password is configured (pnpm/pnpm
/// `releasing/plugin-commands-publishing/src/publishPackedPkg.ts`
/// `fetchTokenAndProvenanceByOidcIfApplicable`, since v11.0.0, #10591;
/// pnpm 10 and earlier run `npm publish`); Yarn only when neither
/// `npmAuthToken` nor `npmAuthIdent` is set (yarnpkg/berry
/// `packages/plugin-npm/sources/npmHttpUtils.ts` `getAuthenticationHeader`).
pub static COMMANDS: &[CommandUploader] = &[
    CommandUploader {
        uploader: Uploader::Npm,
        registry: Registry::Npm,
        program: "npm",
        // `npm stage publish`: the second allowed action of a trusted
        // publisher (docs.npmjs.com/trusted-publishers "Allowed actions").
        subcommands: &["publish", "stage publish"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        // `--registry` and `npm_config_registry` (npm/cli
        // `workspaces/config/lib/definitions/definitions.js` `registry`).
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Pnpm,
        registry: Registry::Npm,
        program: "pnpm",
        // `pnpm stage publish` (pnpm 11): `publish` with `stage: true`
        // (pnpm/pnpm `pnpm11/releasing/commands/src/stage/publish.ts`
        // [36e5ae6]), the same authentication, staged on npm.
        subcommands: &["publish", "stage publish"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        // pnpm reads npm's configuration keys (pnpm.io/npmrc `registry`).
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    CommandUploader {
        uploader: Uploader::Yarn,
        registry: Registry::Npm,
        program: "yarn",
        subcommands: &["npm publish"],
        secret_flags: &[],
        secret_env: YARN_TOKEN_ENV,
        url_flags: &[],
        url_env: &["YARN_NPM_PUBLISH_REGISTRY", "YARN_NPM_REGISTRY_SERVER"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    // changesets/changesets `packages/cli/src/commands/publish/npm-utils.ts`
    // (@changesets/cli 2.31.1) and `getPublishTool.ts` (3.0.1): `changeset
    // publish` runs `pnpm publish` when the repository uses pnpm, else `npm
    // publish` (2.x) or, for Yarn 2 and later, `yarn npm publish` (3.x),
    // so its authentication is that client's; the client is chosen per
    // repository (`facts::npm::NpmJob::changesets_client`).
    CommandUploader {
        uploader: Uploader::Changesets(NpmClient::Npm),
        registry: Registry::Npm,
        program: "changeset",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        url_flags: &[],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
];

/// Release tools and clients beside npm's own, each publishing to npm.
pub static RELEASE_TOOLS: &[CommandUploader] = &[
    // Yarn classic (yarnpkg/yarn `src/cli/commands/publish.js`, 1.22.x,
    // frozen): `yarn publish` sends the tarball itself with the
    // `_authToken` of its npm configuration (`.npmrc`, `npm_config_*`;
    // `src/registries/npm-registry.js` `getAuth`), and has no OIDC
    // exchange. Yarn 2 and later have no such command (`yarn npm
    // publish`): read only where the repository is not on Yarn 2+.
    CommandUploader {
        uploader: Uploader::YarnClassic,
        registry: Registry::Npm,
        program: "yarn",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
    // Bun (oven-sh/bun `src/cli/publish_command.zig`, `bun publish`):
    // packs the package (or takes a tarball) and sends it with the token
    // of the registry's configuration: `bunfig.toml`'s `install.registry`,
    // an `_authToken` of `.npmrc` (setup-node's reads `NODE_AUTH_TOKEN`),
    // or `NPM_CONFIG_TOKEN` (bun.sh/docs/cli/publish, for CI); without one
    // it stops with "missing authentication". It has no OIDC exchange:
    // oven-sh/bun#22423 ("bun publish does not support npm OIDC
    // authentication in GitHub Actions") is open, and #29374, which would
    // have added one, was closed unmerged; projects publish with `bunx npm
    // publish` for trusted publishing. `--dry-run` publishes nothing.
    CommandUploader {
        uploader: Uploader::BunPublish,
        registry: Registry::Npm,
        program: "bun",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: BUN_TOKEN_ENV,
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
    // Lerna (lerna/lerna `libs/core/src/lib/npm-publish.ts` and `oidc.ts`
    // [35d15a1, 10.0.1]): `lerna publish` publishes each package in-process
    // with libnpmpublish, not with the npm CLI, whatever `npmClient` says.
    // From 9.0.0 (d51e344) it first exchanges the job's OIDC token as npm
    // does (GitHub Actions with `id-token: write`, `NPM_ID_TOKEN` on
    // GitLab), else it uses the `_authToken` of the npm configuration
    // (`.npmrc`, `npm_config_*`); before 9 only the token
    // ([`LERNA_FIRST_OIDC_MAJOR`]).
    CommandUploader {
        uploader: Uploader::Lerna,
        registry: Registry::Npm,
        program: "lerna",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    // Nx (nrwl/nx `packages/nx/src/command-line/release/release.ts`:
    // `nx release` publishes only with `--yes` and without
    // `--skip-publish`, else it asks; `nx release publish` publishes):
    // each project's `nx-release-publish` target, for JavaScript packages
    // `@nx/js:release-publish` (`packages/js/src/executors/release-publish/
    // release-publish.impl.ts`), which runs `npm publish <root>`, or `pnpm
    // publish` in a pnpm workspace (`bun publish` with bun), from the
    // workspace root. Its authentication is that client's.
    CommandUploader {
        uploader: Uploader::Nx(NpmClient::Npm),
        registry: Registry::Npm,
        program: "nx",
        subcommands: &["release publish", "release"],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        url_flags: &["--registry"],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    // release-it (release-it/release-it `lib/plugin/npm/npm.js` [7ca61cc,
    // 21.0.1]): with a `package.json` that is not private and `npm.publish`
    // not false, it runs `npm publish` (or `npm.publishPackageManager`)
    // with the job's npm, so its authentication is npm's; `--dry-run`/`-d`
    // publishes nothing. Unless `npm.skipChecks`, it first runs `npm
    // whoami`, which fails without a token.
    CommandUploader {
        uploader: Uploader::ReleaseIt,
        registry: Registry::Npm,
        program: "release-it",
        subcommands: &[],
        secret_flags: &[],
        secret_env: NPM_TOKEN_ENV,
        url_flags: &[],
        url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
];

/// The options of `lerna exec` that take a value as the next word: its own
/// (`--profile-location`), the filter options (`--scope`, `--ignore`,
/// `--since`, a string yargs gives the next word) and the global ones
/// (`--loglevel`, `--concurrency`) (lerna/lerna
/// `libs/commands/exec/src/command.ts`, `libs/core/src/lib/filter-options.ts`
/// and `cli.ts` [35d15a1, 10.0.1]). `lerna exec [options] [--] CMD [ARGS]`
/// runs CMD in each package's folder ("A double-dash (`--`) is necessary
/// to pass dashed flags to the spawned command", its `README.md`).
pub const LERNA_EXEC_VALUE_OPTIONS: &[&str] = &[
    "--scope",
    "--ignore",
    "--since",
    "--loglevel",
    "--concurrency",
    "--profile-location",
];

/// The first Lerna major that exchanges the OIDC token itself (lerna/lerna
/// `packages/lerna/CHANGELOG.md`, 9.0.0: "support OIDC trusted publishing").
pub const LERNA_FIRST_OIDC_MAJOR: u64 = 9;

/// `nx release`'s subcommands that publish nothing, and the options that
/// keep it from publishing or asking (nrwl/nx `release/command-object.ts`).
pub const NX_RELEASE_OTHER_STEPS: &[&str] = &["version", "changelog", "plan", "plan:check"];

/// release-it's options that skip publishing to npm or everything
/// (release-it `lib/args.js`, `config/release-it.json`: `--no-npm`,
/// `--npm.publish=false`, `--dry-run`, `--release-version` and
/// `--changelog` print and exit).
pub const RELEASE_IT_SKIPS: &[&str] = &[
    "--dry-run",
    "-d",
    "--no-npm",
    "--no-npm.publish",
    "--npm.publish=false",
    "--npm=false",
    "--release-version",
    "--changelog",
];

/// semantic-release: with its npm plugin (in the default plugins,
/// semantic-release/semantic-release `lib/get-config.js` [8d905a5]) it
/// runs `npm publish` (semantic-release/npm `lib/publish.js`). From
/// @semantic-release/npm 13.1.0 (semantic-release 25) `lib/verify-auth.js`
/// first exchanges the job's OIDC token (`lib/trusted-publishing/`), else
/// writes `NPM_TOKEN` into the `.npmrc` it publishes with
/// (`lib/set-npmrc-auth.js`) [1e3495c]; npm 11.5.1 and later exchange the
/// token themselves anyway. It has no subcommand; `--dry-run`/`-d` skips
/// publishing (`cli.js`).
pub static SEMANTIC_RELEASE: CommandUploader = CommandUploader {
    uploader: Uploader::SemanticRelease,
    registry: Registry::Npm,
    program: "semantic-release",
    subcommands: &[],
    secret_flags: &[],
    secret_env: &["NPM_TOKEN"],
    url_flags: &[],
    url_env: &["NPM_CONFIG_REGISTRY", "npm_config_registry"],
    repository_flags: &[],
    repository_env: &[],
    testpypi_names: &[],
    pypi_names: &[],
    trusted_publishing: true,
};

/// The first semantic-release major whose npm plugin exchanges the OIDC
/// token: 25 depends on @semantic-release/npm ^13 (13.1.1 from 25.0.1),
/// which bundles npm ^11.6.2 and runs it (`preferLocal`); 24 depends on
/// ^12, which bundles npm ^10 (semantic-release/semantic-release and
/// semantic-release/npm `package.json` at those tags).
pub const SEMANTIC_RELEASE_FIRST_OIDC_MAJOR: u64 = 25;

/// semantic-release's options that skip publishing (`cli.js`).
pub const SEMANTIC_RELEASE_DRY_RUN: &[&str] = &["--dry-run", "-d"];

/// Actions that run the command lines they are given.
pub static COMMAND_ACTIONS: &[CommandAction] = &[
    // changesets/action: v1 (action.yml and src/index.ts at v1.9.0) runs
    // its `publish` input when no changesets are left, and `version`
    // otherwise; when `NPM_TOKEN` is set it first writes
    // `//registry.npmjs.org/:_authToken=<NPM_TOKEN>` into `~/.npmrc`
    // (unless that file has such a line; v1.6 and earlier write it even
    // when the variable is unset). v2 (action.yml, src/index.ts, src/run.ts
    // at 36f529f) renames them `publish-script` and `version-script` and
    // writes no `.npmrc`. The commands run in `cwd`.
    CommandAction {
        action: "changesets/action",
        command_inputs: &["publish", "publish-script", "version", "version-script"],
        default_command: None,
        implied: None,
        cwd_input: Some("cwd"),
        npmrc_token: Some(("publish", "NPM_TOKEN")),
    },
    // changesets/action v2 `publish/action.yml` and src/publish/index.ts
    // [36f529f]: its `script`, else `changeset publish` itself
    // (src/run.ts `runPublish`).
    CommandAction {
        action: "changesets/action/publish",
        command_inputs: &["script"],
        default_command: Some("changeset publish"),
        implied: None,
        cwd_input: Some("cwd"),
        npmrc_token: None,
    },
    // cycjimmy/semantic-release-action [71b2ac3, v6.0.0]: `src/index.js`
    // imports semantic-release and runs it in-process, with `dryRun` when
    // `dry_run` is `true` (`src/handleOptions.js`), after installing
    // `semantic-release@<semantic_version>` when given
    // (`src/installSpecifyingVersionSemantic.task.js`); otherwise the one it
    // bundles: ^25 from v6.0.0, ^24 in v4.2 and v5, ^23 before
    // (`package.json` at those tags).
    CommandAction {
        action: "cycjimmy/semantic-release-action",
        command_inputs: &[],
        default_command: None,
        implied: Some(semantic_release_action),
        cwd_input: None,
        npmrc_token: None,
    },
];

/// What cycjimmy/semantic-release-action runs, as a command line.
/// `extends` (a shareable configuration) and `working_directory` (another
/// folder's configuration) leave it unknown.
fn semantic_release_action(
    input: &dyn Fn(&str) -> Option<String>,
    version: Option<&str>,
) -> Option<String> {
    let given = |name: &str| input(name).filter(|v| !v.trim().is_empty());
    if given("extends").is_some()
        || given("working_directory").is_some_and(|d| !matches!(d.trim(), "." | "./"))
    {
        return None;
    }
    let release = match given("semantic_version") {
        Some(version) => Some(version.trim().to_string()),
        None => {
            let major = version.and_then(|v| {
                v.trim()
                    .trim_start_matches('v')
                    .split('.')
                    .next()?
                    .parse::<u64>()
                    .ok()
            });
            major.map(|m| if m >= 6 { "25" } else { "24" }.to_string())
        }
    };
    let mut command = match release {
        Some(release) => format!("semantic-release@{release}"),
        None => "semantic-release".to_string(),
    };
    if given("dry_run").is_some_and(|d| d.trim() == "true") {
        command.push_str(" --dry-run");
    }
    Some(command)
}

/// pnpm's own commands and their aliases: a first word that is one of
/// them is that command, any other runs the `package.json` script of that
/// name (`pnpm release` as `pnpm run release`), or a program of the
/// project when no script has it. pnpm 11.8.0 (pnpm/pnpm 6545793845b3,
/// `pnpm/src/cmd/index.ts` with the `commandNames` of each command it
/// lists, and `pnpm/src/cmd/notImplemented.ts`; the fallback to `run` only
/// for a name no command has: `cli/parse-cli-args/src/index.ts`,
/// `fallbackCommandUsed`). Names of earlier releases (`doctor`, `server`)
/// are kept: a name taken for a command is never read as a script. `test`,
/// `t`, `tst` and `start` are not commands there: they run the script.
pub const PNPM_COMMANDS: &[&str] = &[
    "access",
    "add",
    "adduser",
    "approve-builds",
    "audit",
    "bin",
    "bugs",
    "c",
    "cache",
    "cat-file",
    "cat-index",
    "ci",
    "clean",
    "clean-install",
    "completion",
    "completion-server",
    "config",
    "create",
    "dedupe",
    "deploy",
    "deprecate",
    "dislink",
    "dist-tag",
    "dist-tags",
    "dlx",
    "docs",
    "doctor",
    "edit",
    "env",
    "exec",
    "fetch",
    "find",
    "find-hash",
    "get",
    "help",
    "home",
    "i",
    "ic",
    "ignored-builds",
    "import",
    "info",
    "init",
    "install",
    "install-clean",
    "install-test",
    "issues",
    "it",
    "la",
    "licenses",
    "link",
    "list",
    "ll",
    "ln",
    "login",
    "logout",
    "ls",
    "m",
    "multi",
    "outdated",
    "owner",
    "owners",
    "pack",
    "pack-app",
    "patch",
    "patch-commit",
    "patch-remove",
    "peers",
    "ping",
    "pkg",
    "prefix",
    "profile",
    "prune",
    "publish",
    "purge",
    "rb",
    "rebuild",
    "recursive",
    "remove",
    "repo",
    "restart",
    "rm",
    "root",
    "rt",
    "run",
    "run-script",
    "runtime",
    "s",
    "sbom",
    "se",
    "search",
    "self-update",
    "server",
    "set",
    "set-script",
    "setup",
    "show",
    "ss",
    "stage",
    "star",
    "stars",
    "store",
    "team",
    "token",
    "un",
    "undeprecate",
    "uni",
    "uninstall",
    "unlink",
    "unpublish",
    "unstar",
    "up",
    "update",
    "upgrade",
    "v",
    "version",
    "view",
    "whoami",
    "why",
    "with",
    "xmas",
];

/// Yarn's own commands, of Yarn 1 (classic.yarnpkg.com/en/docs/cli: the
/// command list) and Yarn 2 to 4 (yarnpkg.com/cli: the command list;
/// yarnpkg/berry `packages/plugin-*/sources/commands/`): a first word that
/// is one of them is that command, any other runs the `package.json`
/// script of that name (`yarn publish:all` as `yarn run publish:all`).
/// Both releases' names are kept: a name taken for a command in either is
/// never read as a script.
pub const YARN_COMMANDS: &[&str] = &[
    "access",
    "add",
    "audit",
    "autoclean",
    "bin",
    "cache",
    "check",
    "config",
    "constraints",
    "create",
    "dedupe",
    "dlx",
    "exec",
    "explain",
    "generate-lock-entry",
    "global",
    "help",
    "import",
    "info",
    "init",
    "install",
    "licenses",
    "link",
    "list",
    "login",
    "logout",
    "node",
    "npm",
    "outdated",
    "owner",
    "pack",
    "patch",
    "patch-commit",
    "plugin",
    "policies",
    "publish",
    "rebuild",
    "remove",
    "run",
    "search",
    "set",
    "stage",
    "tag",
    "team",
    "test",
    "unlink",
    "unplug",
    "up",
    "upgrade",
    "upgrade-interactive",
    "version",
    "versions",
    "why",
    "workspace",
    "workspaces",
];

/// Whether `word`, first after `yarn`, is one of Yarn's own commands.
pub fn is_yarn_command(word: &str) -> bool {
    YARN_COMMANDS.contains(&word)
}

/// pnpm 11's short names of its programs: `pn` is `pnpm`, `pnx` is `pnpx`
/// (pnpm/pnpm `pnpm11/pnpm/package.json` `bin`: `"pn": "bin/pnpm.mjs"`,
/// `"pnx": "bin/pnpx.mjs"` [36e5ae6]; pnpm/pnpm's own release job runs `pn
/// publish`).
pub const SHORT_NAMES: &[(&str, &str)] = &[("pn", "pnpm"), ("pnx", "pnpx")];

/// The program a name stands for: the long name of a short one
/// ([`SHORT_NAMES`]), else the name itself.
pub fn long_name(program: &str) -> &str {
    SHORT_NAMES
        .iter()
        .find(|(short, _)| *short == program)
        .map_or(program, |(_, long)| long)
}

/// Whether `word`, first after `pnpm`, is one of pnpm's own commands.
pub fn is_pnpm_command(word: &str) -> bool {
    PNPM_COMMANDS.contains(&word)
}

/// The first npm release that exchanges OIDC tokens (docs.npmjs.com/trusted-publishers:
/// "Trusted publishing requires npm CLI version 11.5.1 or later").
pub const FIRST_OIDC_NPM: (u64, u64, u64) = (11, 5, 1);

/// Whether the npm a Node.js release bundles is at least 11.5.1 (for a
/// bare major, the newest release of that line). From nodejs/node
/// `doc/changelogs`: npm 11.0.0 arrived as a semver-major change in Node
/// 23 (CHANGELOG_V23.md, #56274), so Node 22 and older LTS lines keep npm
/// 10 or older (CHANGELOG_V22.md: 22.13.0 "upgrade npm to 10.9.2");
/// Node 24.5.0 (2025-07-31) is the first with "deps: upgrade npm to
/// 11.5.1" (#59199, CHANGELOG_V24.md); Node 23 ended before npm 11.5.1 was
/// released; Node 25 and later branch from after 24.5.0.
pub fn node_bundles_oidc_npm(major: u64, minor: Option<u64>) -> bool {
    match (major, minor) {
        (0..=23, _) => false,
        (24, Some(minor)) => minor >= 5,
        // `24` resolves to the newest 24.x, which has npm 11.5.1 or later.
        _ => true,
    }
}

/// Node versions named by `actions/setup-node` `node-version` or a
/// `node:` image tag: `22`, `22.14`, `v22.14.0`, `22.x`, `lts/jod`,
/// `node:22-alpine`. Ranges, `latest`, `lts/*` and expressions give `None`.
pub fn node_version(spec: &str) -> Option<(u64, Option<u64>)> {
    let spec = spec.trim().trim_matches(['"', '\'']);
    // LTS code names (nodejs/Release `schedule.json`).
    let codename = match spec.to_ascii_lowercase().as_str() {
        "lts/hydrogen" => Some(18),
        "lts/iron" => Some(20),
        "lts/jod" => Some(22),
        "lts/krypton" => Some(24),
        _ => None,
    };
    if let Some(major) = codename {
        return Some((major, None));
    }
    let spec = spec.strip_prefix('v').unwrap_or(spec);
    let mut parts = spec.split('.');
    let major = parts.next()?.parse::<u64>().ok()?;
    let minor = match parts.next() {
        None | Some("x") | Some("*") => None,
        Some(minor) => Some(minor.parse::<u64>().ok()?),
    };
    if let Some(patch) = parts.next()
        && patch != "x"
        && patch != "*"
        && patch.parse::<u64>().is_err()
    {
        return None;
    }
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_versions() {
        assert_eq!(node_version("22"), Some((22, None)));
        assert_eq!(node_version("'22.14.0'"), Some((22, Some(14))));
        assert_eq!(node_version("v24.4.1"), Some((24, Some(4))));
        assert_eq!(node_version("20.x"), Some((20, None)));
        assert_eq!(node_version("lts/jod"), Some((22, None)));
        for unknown in [
            "lts/*",
            "latest",
            "node",
            ">=22",
            "^22",
            "${{ matrix.node }}",
            "",
            "22-alpine",
        ] {
            assert_eq!(node_version(unknown), None, "{unknown}");
        }
        assert!(!node_bundles_oidc_npm(22, Some(14)));
        assert!(!node_bundles_oidc_npm(24, Some(4)));
        assert!(node_bundles_oidc_npm(24, Some(5)));
        assert!(node_bundles_oidc_npm(24, None));
        assert!(node_bundles_oidc_npm(26, None));
    }

    #[test]
    fn gitlab_form() {
        let values = |owner, repository, workflow| FormValues {
            owner,
            repository,
            workflow,
            environment: None,
            workflow_repository: None,
            user: None,
        };
        assert!(validate_gitlab(&values("group/sub", "web-kit", ".gitlab-ci.yml")).is_empty());
        assert!(validate_gitlab(&values("group", "kit", "ci/release.yml")).is_empty());
        for (owner, repository, workflow) in [
            ("https://gitlab.com/group", "kit", ".gitlab-ci.yml"),
            ("group", "group/kit", ".gitlab-ci.yml"),
            ("group", "kit", "/.gitlab-ci.yml"),
            ("group", "kit", ".gitlab-ci"),
            ("group", "kit", ".gitlab-ci.yml "),
        ] {
            assert_eq!(
                validate_gitlab(&values(owner, repository, workflow)).len(),
                1,
                "{owner} {repository} {workflow}"
            );
        }
    }
}
