//! JSR (jsr.io): publishing from GitHub Actions with the job's OIDC token.
//!
//! Sources: jsr-io/jsr `frontend/docs/publishing-packages.md`
//! (https://jsr.io/docs/publishing-packages: link the package to a GitHub
//! repository in its settings, then publish from a job with
//! `id-token: write`; no workflow or environment is registered),
//! denoland/deno `cli/tools/publish/auth.rs` (`get_auth_method`: `--token`
//! first; on GitHub Actions the OIDC request variables, and without them the
//! error "No means to authenticate"; interactive only on a terminal) and
//! `cli/args/flags.rs` (`publish`: `--token`, `--dry-run`), and
//! jsr-io/jsr-npm `src/bin.ts` (`jsr publish` takes the same `--token` and
//! `--dry-run`, and `JSR_URL` for another registry).

use super::publishing::{CommandUploader, Uploader};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow, Registry,
    RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::Jsr,
    key: "jsr",
    aliases: &["jsr.io"],
    name: "JSR",
    matched: MatchedWorkflow::Repository,
    cross_repository: CrossRepository::NotMatched,
    // The package is linked to a repository GitHub names; tplint does not
    // know how JSR compares the spelling, so it never reports case alone.
    case: CaseRules {
        owner: false,
        workflow: false,
        environment: false,
    },
    rejected_events: &[],
    labels: FormLabels {
        package: "Package",
        owner: "GitHub repository",
        repository: "GitHub repository",
        workflow: "",
        environment: "",
    },
    // jsr-io/jsr frontend/routes/package/settings.tsx, the package's
    // settings tab, where the GitHub repository is linked.
    settings_url: "https://jsr.io/{package}/settings",
    upload_hosts: &["jsr.io", "api.jsr.io"],
    default_upload_url: "https://jsr.io",
    publish_hint: "`deno publish` or `npx jsr publish` without `--token`, in a job with `id-token: write`",
    rejection: "an error that the actor is not authorized to publish the package",
    validate,
    source: "https://jsr.io/docs/publishing-packages; denoland/deno cli/tools/publish/auth.rs; jsr-io/jsr-npm src/bin.ts; jsr-io/jsr frontend/routes/package/settings.tsx",
};

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    [
        super::github_owner_problem(values.owner, "JSR"),
        super::github_repository_problem(values.repository, "JSR"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Its command-line publishers: both exchange the job's OIDC token
/// themselves when no `--token` is given.
pub static COMMANDS: &[CommandUploader] = &[
    CommandUploader {
        registry: Registry::Jsr,
        uploader: Uploader::DenoPublish,
        program: "deno",
        subcommands: &["publish"],
        secret_flags: &["--token"],
        secret_env: &[],
        url_flags: &[],
        url_env: &[],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
    // `npx jsr publish`, `pnpm dlx jsr publish`, `yarn dlx jsr publish`,
    // `bunx jsr publish` (publishing-packages.md): the jsr package
    // downloads deno and runs `deno publish`.
    CommandUploader {
        registry: Registry::Jsr,
        uploader: Uploader::JsrPublish,
        program: "jsr",
        subcommands: &["publish"],
        secret_flags: &["--token"],
        secret_env: &[],
        url_flags: &[],
        url_env: &["JSR_URL"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: true,
    },
];

/// `deno run -A jsr:@david/publish-on-tag[@version] [args]`
/// (dsherret/jsr-publish-on-tag `run.ts`, `src/run.ts` [758de1e,
/// 3ad5365]): on a run for a tag (`GITHUB_REF` starting with `refs/tags/`)
/// whose name, without a leading `v`, is a semantic version, it writes the
/// version into `deno.json(c)`/`jsr.json(c)` and runs `deno publish` with
/// the arguments it was given (`npx jsr publish` outside Deno); otherwise
/// it publishes nothing (later versions run `deno publish --dry-run`).
/// Its authentication is `deno publish`'s.
pub const PUBLISH_ON_TAG: &str = "jsr:@david/publish-on-tag";

/// When [`PUBLISH_ON_TAG`] publishes, read like an `if:`.
pub const PUBLISH_ON_TAG_GATE: &str = "startsWith(github.ref, 'refs/tags/')";

/// How a job publishes by trusted publishing (publishing-packages.md).
pub const TRUSTED_PUBLISHING_HOW: &str = "link the package to the repository in its JSR settings, give the job `id-token: write`, and run `deno publish` or `npx jsr publish` without `--token`";
