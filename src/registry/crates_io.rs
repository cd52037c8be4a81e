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
//!
//! GitLab CI/CD (public beta on crates.io): [`GITLAB`] holds what crates.io
//! documents and checks of GitLab publishers. cargo does no exchange: a
//! script does, and `gitlab::facts` recognises it (the job's ID token
//! posted to [`EXCHANGE_PATH`], the answer given to `cargo publish`).

use super::publishing::{CommandUploader, ReleaseToolAction, TokenMinter, Uploader, When};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, GitlabPublishing,
    MatchedWorkflow, PublisherField, Registry, RegistryInfo,
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

/// The message crates.io answers a token of a refused event with
/// (rust-lang/crates.io src/controllers/trustpub/tokens/exchange/mod.rs,
/// checked with its tests in src/tests/routes/trustpub/tokens/exchange/github.rs
/// [57fa000]).
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

/// The variable in which cargo reads crates.io's token
/// (`CARGO_REGISTRY_TOKEN`, doc.rust-lang.org/cargo/reference/config.html
/// `registry.token`, as in [`COMMANDS`]). A step tplint cannot see into
/// given it may publish with it.
pub const TOKEN_VARIABLES: &[&str] = &["CARGO_REGISTRY_TOKEN"];

/// Its command-line publishers.
pub static COMMANDS: &[CommandUploader] = &[
    // https://doc.rust-lang.org/cargo/commands/cargo-publish.html and
    // rust-lang/cargo src/doc/man/cargo-publish.md: `--token` (else
    // `CARGO_REGISTRY_TOKEN`, else the credentials file of `cargo login`),
    // `--index <url>`, `--registry <name>` (`crates-io` is crates.io
    // itself), `--dry-run`/`-n` uploads nothing; `registry.default`
    // (`CARGO_REGISTRY_DEFAULT`) names the default registry. cargo does no
    // OIDC exchange itself: rust-lang/crates-io-auth-action does.
    CommandUploader {
        registry: Registry::CratesIo,
        uploader: Uploader::Cargo,
        program: "cargo",
        subcommands: &["publish"],
        secret_flags: &["--token"],
        secret_env: &["CARGO_REGISTRY_TOKEN"],
        url_flags: &["--index"],
        url_env: &[],
        repository_flags: &["--registry"],
        repository_env: &["CARGO_REGISTRY_DEFAULT"],
        testpypi_names: &[],
        // Registry names that mean crates.io.
        pypi_names: &["crates-io"],
        trusted_publishing: false,
    },
    // release-plz/release-plz [4183d14]: `release-plz release` runs `cargo
    // publish` for each crate whose version is not on the registry
    // (crates/release_plz_core/src/command/release.rs `release_package`).
    // Its token is `--token`, else `CARGO_REGISTRY_TOKEN` (or
    // `CARGO_REGISTRIES_<NAME>_TOKEN` for `--registry`), else cargo's
    // credentials file (crates/release_plz/src/args/release.rs,
    // crates/cargo_utils/src/token.rs `registry_token`). With none of them,
    // on GitHub Actions, for crates.io and not a `--dry-run`, it requests
    // the job's OIDC token and exchanges it itself
    // (`should_use_trusted_publishing`, command/trusted_publishing.rs), since
    // 0.3.146 (CHANGELOG.md, #2396); a failed exchange is a warning, and
    // `cargo publish` then runs without a token.
    CommandUploader {
        registry: Registry::CratesIo,
        uploader: Uploader::ReleasePlz,
        program: "release-plz",
        subcommands: &["release"],
        secret_flags: &["--token"],
        secret_env: &["CARGO_REGISTRY_TOKEN"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--registry"],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &["crates-io"],
        trusted_publishing: true,
    },
    // crate-ci/cargo-release [a199bf5]: `cargo release [LEVEL|VERSION]`
    // and its `publish` step run `cargo publish` (src/ops/cargo.rs
    // `publish`, with `--registry` when given and no token: cargo reads
    // `CARGO_REGISTRY_TOKEN` or its credentials) only with `--execute`/`-x`
    // (src/steps/release.rs, src/steps/publish.rs: a dry run otherwise),
    // unless `--no-publish` or `publish = false` in `release.toml` or the
    // manifest's `[package|workspace.metadata.release]` (src/config.rs).
    // The other steps (`version`, `tag`, `push`, ...) publish nothing.
    CommandUploader {
        registry: Registry::CratesIo,
        uploader: Uploader::CargoRelease,
        program: "cargo",
        subcommands: &["release"],
        secret_flags: &[],
        secret_env: &["CARGO_REGISTRY_TOKEN"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--registry"],
        repository_env: &["CARGO_REGISTRY_DEFAULT"],
        testpypi_names: &[],
        pypi_names: &["crates-io"],
        trusted_publishing: false,
    },
    // pksunkara/cargo-workspaces [4165711]: `cargo workspaces publish`
    // (alias `ws`, src/main.rs) versions, then runs `cargo publish` for
    // each crate with `--token` and `--registry` when given, `--dry-run`
    // when asked (src/publish.rs, src/utils/publish.rs `RegistryOpt`).
    CommandUploader {
        registry: Registry::CratesIo,
        uploader: Uploader::CargoWorkspaces,
        program: "cargo",
        subcommands: &["workspaces publish", "ws publish"],
        secret_flags: &["--token"],
        secret_env: &["CARGO_REGISTRY_TOKEN"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--registry"],
        repository_env: &["CARGO_REGISTRY_DEFAULT"],
        testpypi_names: &[],
        pypi_names: &["crates-io"],
        trusted_publishing: false,
    },
    // Byron/cargo-smart-release [49e50f7, 0.21.6]: `cargo smart-release`
    // is a dry run unless `--execute`/`-e` (src/cli/options.rs); it then
    // runs `cargo publish` for each crate it releases, with `--registry`
    // when given and no token of its own (src/command/release/cargo.rs
    // `publish_crate`), unless `--no-publish`. cargo reads
    // `CARGO_REGISTRY_TOKEN` or its credentials; no OIDC exchange.
    CommandUploader {
        registry: Registry::CratesIo,
        uploader: Uploader::CargoSmartRelease,
        program: "cargo",
        subcommands: &["smart-release"],
        secret_flags: &[],
        secret_env: &["CARGO_REGISTRY_TOKEN"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--registry"],
        repository_env: &["CARGO_REGISTRY_DEFAULT"],
        testpypi_names: &[],
        pypi_names: &["crates-io"],
        trusted_publishing: false,
    },
];

/// The one crate `cargo publish` names with `-p`/`--package` (cargo-publish(1),
/// "Package Selection": "-p spec…, --package spec… The package to
/// publish"); `None` without one, with several, or with `--workspace`.
pub fn named_package(args: &[String]) -> Option<String> {
    let mut named = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = match word.as_str() {
            "-p" | "--package" => words.next().cloned(),
            "--workspace" | "--all" => return None,
            other => other
                .strip_prefix("--package=")
                .or_else(|| {
                    other
                        .strip_prefix("-p")
                        .map(|v| v.strip_prefix('=').unwrap_or(v))
                        .filter(|v| !v.is_empty())
                })
                .map(str::to_string),
        };
        if let Some(value) = value {
            named.push(value);
        }
    }
    match named.as_slice() {
        [one] if !one.contains(['$', '*', '?', '@', ':']) => Some(one.clone()),
        _ => None,
    }
}

/// The inputs of `release-plz/action` that point release-plz at another
/// workspace than the root's, or at another configuration
/// (release-plz/action action.yml [01df7cf]: `manifest_path`,
/// `project_manifest` and `config` become `--manifest-path`,
/// `--project-manifest` and `--config`).
pub const RELEASE_PLZ_OTHER_WORKSPACE: &[&str] = &["manifest_path", "project_manifest", "config"];

/// Whether `uploader` run with `args` in the root folder publishes each
/// crate of the workspace there that is published to crates.io, rather
/// than one:
/// - `release-plz release`, without another manifest or configuration:
///   every package of the workspace not yet on the registry
///   (release-plz/release-plz `crates/release_plz_core/src/command/release.rs`
///   [4183d14]); the caller checks the configuration's switches.
/// - `cargo workspaces publish`: every package of `cargo metadata` not
///   `publish = false` (pksunkara/cargo-workspaces
///   `cargo-workspaces/src/publish.rs` [005e8f2], `filter_private`).
/// - `cargo publish --workspace` (or `--all`), without `--exclude`: every
///   member, skipping those with `publish = false` (cargo-publish(1)
///   "Package Selection"; rust-lang/cargo#15525).
///
/// `cargo release --workspace` is left out: cargo-release also reads each
/// member's own configuration (`release.toml`, `[package.metadata.release]`),
/// which tplint does not.
pub fn publishes_workspace(uploader: Uploader, args: &[String]) -> bool {
    let other_manifest = args.iter().any(|a| {
        a == "--manifest-path"
            || a.starts_with("--manifest-path=")
            || a == "--project-manifest"
            || a.starts_with("--project-manifest=")
    });
    if other_manifest {
        return false;
    }
    match uploader {
        Uploader::ReleasePlz => !args
            .iter()
            .any(|a| a == "--config" || a.starts_with("--config=")),
        Uploader::CargoWorkspaces => true,
        Uploader::Cargo => {
            args.iter().any(|a| a == "--workspace" || a == "--all")
                && !args.iter().any(|a| {
                    a == "--exclude"
                        || a.starts_with("--exclude=")
                        || a == "-p"
                        || a.starts_with("-p")
                        || a.starts_with("--package")
                })
        }
        _ => false,
    }
}

/// Whether `cargo smart-release` with these arguments (after
/// `smart-release`) publishes: `--execute` or a short-option cluster with
/// `e`, and no `--no-publish` (Byron/cargo-smart-release
/// src/cli/options.rs [49e50f7]).
pub fn smart_release_publishes(args: &[String]) -> bool {
    let execute = args.iter().any(|a| {
        a == "--execute" || (a.starts_with('-') && !a.starts_with("--") && a.contains('e'))
    });
    execute && !args.iter().any(|a| a == "--no-publish")
}

/// `cargo release` options that override a `publish = false` of
/// `release.toml`: another configuration file, and `--publish`, the
/// hidden opposite of `--no-publish`, whose value replaces the file's
/// (crate-ci/cargo-release src/config.rs `PublishArgs` [a199bf5];
/// nextest-rs/nextest's scripts/cargo-release-publish.sh passes it).
pub const CARGO_RELEASE_PUBLISH_OVERRIDES: &[&str] = &["--config", "-c", "--publish"];

/// Whether `cargo release` with these arguments (after `release`)
/// publishes: `--execute`/`-x`, no `--no-publish`, and no step other than
/// `publish` named (crate-ci/cargo-release src/bin/cargo-release.rs `Step`).
pub fn cargo_release_publishes(args: &[String]) -> bool {
    const STEPS: &[&str] = &[
        "changes", "version", "replace", "hook", "commit", "owner", "tag", "push", "config",
    ];
    // Options of the release step and its `publish` that take a value.
    const VALUE_OPTIONS: &[&str] = &[
        "-p",
        "--package",
        "--exclude",
        "--manifest-path",
        "-m",
        "--metadata",
        "--prev-tag-name",
        "-c",
        "--config",
        "--registry",
        "--target",
        "-F",
        "--features",
    ];
    let execute = args.iter().any(|a| {
        a == "--execute" || (a.starts_with('-') && !a.starts_with("--") && a.contains('x'))
    });
    if !execute || args.iter().any(|a| a == "--no-publish") {
        return false;
    }
    let mut skip = false;
    for arg in args {
        if skip {
            skip = false;
            continue;
        }
        if arg.starts_with('-') {
            skip = !arg.contains('=') && VALUE_OPTIONS.contains(&arg.as_str());
            continue;
        }
        return !STEPS.contains(&arg.as_str());
    }
    true
}

/// Actions that run a release tool publishing to crates.io.
pub static RELEASE_TOOL_ACTIONS: &[ReleaseToolAction] = &[
    release_plz_action("release-plz/action"),
    // The same repository under its former name, which GitHub redirects
    // (MarcoIeni/release-plz-action: the marketplace's "release-plz", with
    // the same v0.5.x tags).
    release_plz_action("marcoieni/release-plz-action"),
    // katyo/publish-crates action.yml and src/main.ts [5e67639]: runs
    // `cargo publish` in each crate of `path` not yet on crates.io, with
    // `registry-token` as `CARGO_REGISTRY_TOKEN` when it is given (else
    // the job's environment, which it passes on); `dry-run` is read with
    // `getBooleanInput` (default `false`); no OIDC exchange of its own
    // (tree-sitter/tree-sitter's release workflow gives it the token of
    // crates-io-auth-action).
    ReleaseToolAction {
        action: "katyo/publish-crates",
        uploader: Uploader::Cargo,
        when: Some(("dry-run", When::NoneOf(&["true"]))),
        dry_run_input: None,
        token_inputs: &["registry-token"],
        token_env: &["CARGO_REGISTRY_TOKEN"],
        registry_input: None,
        version_input: None,
        first_oidc_tool: (0, 0, 0),
        first_oidc_action: (0, 0, 0),
        exchange_off: None,
        exchanges_oidc: false,
    },
];

/// release-plz/action action.yml [0be594c]: a composite action whose last
/// step runs `release-plz release-pr` when `command` is empty or
/// `release-pr`, and `release-plz release` when it is empty or `release`
/// (`command` exists since v0.2), passing `token` as `--token`, `registry`
/// as `--registry`, and `--dry-run` whenever `dry_run` is not empty
/// (`[[ -n ... ]]`). `version` picks the release-plz it installs; the
/// default follows the action's release, and v0.5.117 is the first whose
/// default (0.3.146) exchanges the OIDC token (action.yml at each tag).
const fn release_plz_action(action: &'static str) -> ReleaseToolAction {
    ReleaseToolAction {
        action,
        uploader: Uploader::ReleasePlz,
        when: Some(("command", When::OneOf(&["", "release"]))),
        dry_run_input: Some("dry_run"),
        token_inputs: &["token"],
        token_env: &["CARGO_REGISTRY_TOKEN"],
        registry_input: Some("registry"),
        version_input: Some("version"),
        first_oidc_tool: (0, 3, 146),
        first_oidc_action: (0, 5, 117),
        exchange_off: None,
        exchanges_oidc: true,
    }
}

/// The action that exchanges the job's OIDC token for a crates.io token.
pub const AUTH_ACTION: &str = "rust-lang/crates-io-auth-action";

/// Its token minter.
pub static MINTERS: &[TokenMinter] = &[
    // rust-lang/crates-io-auth-action action.yml (output `token`, input
    // `url`), src/main.ts (requests the OIDC token, exchanges it at
    // `{url}/api/v1/trusted_publishing/tokens`, sets `token`), src/post.ts
    // (revokes it) [a1c979f].
    TokenMinter {
        action: AUTH_ACTION,
        registry: Registry::CratesIo,
        outputs: &["token"],
        exports: &[],
        other_modes: &[],
        token_inputs: &[],
        only_mints: true,
    },
];

/// The path of crates.io's token exchange, which a script that mints a
/// token itself calls (src/main.ts of crates-io-auth-action;
/// https://crates.io/docs/trusted-publishing shows the same in a script).
pub const EXCHANGE_PATH: &str = "/api/v1/trusted_publishing/tokens";

/// `cargo publish` options that upload nothing: rust-lang/cargo
/// src/cargo/util/command_prelude.rs `arg_dry_run` is `--dry-run` with the
/// short form `-n`.
pub const DRY_RUN_FLAGS: &[&str] = &["--dry-run", "-n"];

/// How a job publishes by trusted publishing (https://crates.io/docs/trusted-publishing).
pub const TRUSTED_PUBLISHING_HOW: &str = "give the job `id-token: write`, a `rust-lang/crates-io-auth-action` step with an `id:` (e.g. `auth`), and `CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}` for `cargo publish`";

/// crates.io's GitLab publishers, checked against rust-lang/crates.io
/// [57fa000]:
/// - form labels: `svelte/src/routes/crates/[crate_id]/settings/new-trusted-publisher/+page.svelte`
///   (GitLab: "Namespace", "Project", "Workflow filepath", "Environment
///   name (optional)");
/// - the ID token: `svelte/src/routes/docs/trusted-publishing/+page.svelte`
///   (GitLab CI/CD Setup: `id_tokens: CRATES_IO_ID_TOKEN: aud: crates.io`,
///   a script posting `{"jwt": "$CRATES_IO_ID_TOKEN"}` to [`EXCHANGE_PATH`]
///   and reading `.token`, assigned to `CARGO_REGISTRY_TOKEN` for `cargo
///   publish`); the name is the documentation's choice, the script reads
///   whichever variable it is given;
/// - the audience: `src/config/server.rs` (`TRUSTPUB_AUDIENCE`, else the
///   domain name, `crates.io`), decoded as one string
///   (`crates/crates_io_trustpub/src/gitlab/claims.rs`, `aud: String`),
///   issuer `https://gitlab.com` only (`gitlab/mod.rs`, `GITLAB_ISSUER_URL`);
/// - matching: `src/controllers/trustpub/tokens/exchange/mod.rs`
///   (`handle_gitlab_token_inner`): `project_path` split at its last `/`
///   into namespace (subgroups included) and project, both compared in
///   lower case; the workflow filepath taken from `ci_config_ref_uri`
///   (`gitlab/workflows.rs`) compared exactly; the environment in lower
///   case; the namespace ID stored at the first exchange and required
///   after; each token's `jti` accepted once (`NewUsedJti`).
pub static GITLAB: GitlabPublishing = GitlabPublishing {
    labels: FormLabels {
        package: "Crate",
        owner: "Namespace",
        repository: "Project",
        workflow: "Workflow filepath",
        environment: "Environment name (optional)",
    },
    case: CaseRules {
        owner: false,
        workflow: true,
        environment: false,
    },
    id_token: "CRATES_IO_ID_TOKEN",
    audience: "crates.io",
    audience_list: Some(false),
    // cargo reads no ID token: a script exchanges it, and a `cargo
    // publish` given the answer is trusted publishing (`gitlab::facts`).
    uploaders: &[Uploader::Cargo],
    // crates.io accepts each ID token once (`jti`), but the job exchanges
    // it once and may publish several crates with the answer (a 30-minute
    // token, per the documentation): a second upload does not fail.
    single_use: false,
    publish_hint: "a script posting the job's ID token (`id_tokens: CRATES_IO_ID_TOKEN: {aud: crates.io}`) to `https://crates.io/api/v1/trusted_publishing/tokens` and `cargo publish` with the returned token as `CARGO_REGISTRY_TOKEN`",
    rejection: "\"No Trusted Publishing config found\" or \"does not match\"",
    validate: validate_gitlab,
    source: "https://crates.io/docs/trusted-publishing (GitLab CI/CD Setup); rust-lang/crates.io crates/crates_io_trustpub/src/gitlab/validation.rs, claims.rs, workflows.rs, src/controllers/trustpub/tokens/exchange/mod.rs",
};

/// crates.io's GitLab form rules (rust-lang/crates.io
/// `crates/crates_io_trustpub/src/gitlab/validation.rs` [57fa000]): every
/// field at most 255 bytes; namespace and project start and end with a
/// letter or digit, with letters, digits, `_`, `.`, `-` between (and `/`
/// in the namespace), not ending in `.git` or `.atom`; the workflow
/// filepath ends in `.yml`/`.yaml` and neither starts nor ends with `/`;
/// the environment is letters, digits, spaces and `-_/${}`.
pub fn validate_gitlab(values: &FormValues<'_>) -> Vec<FieldProblem> {
    const MAX: usize = 255;
    let mut problems = Vec::new();
    let mut push = |field: PublisherField, message: String, help: Option<String>| {
        problems.push(FieldProblem {
            field,
            message,
            help,
        });
    };
    let name_ok = |value: &str, slash: bool| {
        let inner = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c) || (slash && c == '/');
        value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric())
            && value.chars().all(inner)
    };
    let suffix = |value: &str| value.ends_with(".git") || value.ends_with(".atom");
    for (field, value, what, slash) in [
        (PublisherField::Owner, values.owner, "namespace", true),
        (
            PublisherField::Repository,
            values.repository,
            "project name",
            false,
        ),
    ] {
        if value.len() > MAX {
            push(
                field,
                format!("crates.io accepts a GitLab {what} of at most {MAX} characters"),
                None,
            );
        } else if suffix(value) {
            push(
                field,
                format!(
                    "crates.io does not accept a GitLab {what} ending in `.git` or `.atom` (`{value}`)"
                ),
                None,
            );
        } else if !name_ok(value, slash) {
            let help = if slash {
                "give the user or group path as GitLab spells it, subgroups included (e.g. `mygroup/subgroup`, not a URL)"
            } else {
                "give the project's path name alone; its group belongs in the namespace"
            };
            push(
                field,
                format!("`{value}` is not a GitLab {what} crates.io accepts"),
                Some(help.into()),
            );
        }
    }
    let path = values.workflow;
    let message = if path.is_empty() {
        Some("the workflow filepath may not be empty".to_string())
    } else if path.len() > MAX {
        Some(format!(
            "crates.io accepts a workflow filepath of at most {MAX} characters"
        ))
    } else if path.starts_with('/') || path.ends_with('/') {
        Some(format!(
            "workflow filepath `{path}` may neither start nor end with `/`"
        ))
    } else if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
        Some(format!(
            "workflow filepath `{path}` must end in `.yml` or `.yaml`"
        ))
    } else {
        None
    };
    if let Some(message) = message {
        push(
            PublisherField::Workflow,
            message,
            Some(
                "give the pipeline file's path from the project's root, e.g. `.gitlab-ci.yml`"
                    .into(),
            ),
        );
    }
    if let Some(environment) = values.environment {
        let allowed = |c: char| c.is_ascii_alphanumeric() || " -_/${}".contains(c);
        if environment.is_empty() || environment.len() > MAX || !environment.chars().all(allowed) {
            push(
                PublisherField::Environment,
                format!(
                    "environment `{}` is not one crates.io accepts",
                    environment.escape_debug()
                ),
                Some(format!(
                    "crates.io accepts 1 to {MAX} letters, digits, spaces and `-_/${{}}`"
                )),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_crate_cargo_publish_names() {
        let args = |text: &str| {
            text.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(named_package(&args("-p a --locked")).as_deref(), Some("a"));
        assert_eq!(named_package(&args("--package=a")).as_deref(), Some("a"));
        assert_eq!(named_package(&args("--package a")).as_deref(), Some("a"));
        assert_eq!(named_package(&args("-pa")).as_deref(), Some("a"));
        assert_eq!(named_package(&args("-p=a")).as_deref(), Some("a"));
        assert_eq!(named_package(&args("--locked")), None);
        assert_eq!(named_package(&args("-p a -p b")), None);
        assert_eq!(named_package(&args("-p $CRATE")), None);
        assert_eq!(named_package(&args("--workspace -p a")), None);
        assert!(publishes_workspace(
            Uploader::Cargo,
            &args("--workspace --locked")
        ));
        assert!(!publishes_workspace(
            Uploader::Cargo,
            &args("--workspace --exclude x")
        ));
        assert!(!publishes_workspace(Uploader::Cargo, &args("-p a")));
        assert!(publishes_workspace(
            Uploader::ReleasePlz,
            &args("--git-token t")
        ));
        assert!(!publishes_workspace(
            Uploader::ReleasePlz,
            &args("--manifest-path a/Cargo.toml")
        ));
        assert!(!publishes_workspace(
            Uploader::ReleasePlz,
            &args("--config other.toml")
        ));
        assert!(publishes_workspace(
            Uploader::CargoWorkspaces,
            &args("--from-git")
        ));
        assert!(!publishes_workspace(
            Uploader::CargoRelease,
            &args("--workspace -x")
        ));
    }

    use super::*;

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
    fn gitlab_form_follows_crates_io_validation() {
        let fields = |v: &FormValues<'_>| -> Vec<PublisherField> {
            validate_gitlab(v).into_iter().map(|p| p.field).collect()
        };
        assert!(fields(&values("foo/bar/baz", "my.project_1", ".gitlab-ci.yml")).is_empty());
        assert!(fields(&values("a", "b", "ci/release.yaml")).is_empty());
        assert_eq!(
            fields(&values("-start", "p", "c.yml")),
            [PublisherField::Owner]
        );
        assert_eq!(
            fields(&values("foo.git", "p", "c.yml")),
            [PublisherField::Owner]
        );
        assert_eq!(
            fields(&values("foo+bar", "p", "c.yml")),
            [PublisherField::Owner]
        );
        assert_eq!(
            fields(&values("g", "a/b", "c.yml")),
            [PublisherField::Repository]
        );
        assert_eq!(
            fields(&values("g", "p.atom", "c.yml")),
            [PublisherField::Repository]
        );
        assert_eq!(
            fields(&values("g", "p", "/c.yml")),
            [PublisherField::Workflow]
        );
        assert_eq!(fields(&values("g", "p", "ci/")), [PublisherField::Workflow]);
        assert_eq!(
            fields(&values("g", "p", "ci.txt")),
            [PublisherField::Workflow]
        );
        let long = "x".repeat(256);
        assert_eq!(
            fields(&values(&long, "p", "c.yml")),
            [PublisherField::Owner]
        );
        let mut env = values("g", "p", "c.yml");
        env.environment = Some("release/${CI_COMMIT_TAG}");
        assert!(fields(&env).is_empty());
        env.environment = Some("rel,ease");
        assert_eq!(fields(&env), [PublisherField::Environment]);
        env.environment = Some("");
        assert_eq!(fields(&env), [PublisherField::Environment]);
    }

    #[test]
    fn gitlab_facts_as_documented() {
        assert_eq!(GITLAB.audience, "crates.io");
        assert_eq!(GITLAB.id_token, "CRATES_IO_ID_TOKEN");
        assert!(std::ptr::eq(
            Registry::CratesIo.gitlab().map_or(std::ptr::null(), |g| g),
            &GITLAB
        ));
        assert!(GITLAB.case.workflow && !GITLAB.case.owner && !GITLAB.case.environment);
    }
}
