//! How publishing tools are described: the uploading actions and command
//! lines each registry module lists in its tables, read by
//! `facts::publish`.

use super::Registry;
use crate::workflow::UsesTarget;

/// A tool that uploads distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Uploader {
    GhActionPypiPublish,
    MaturinAction,
    Uv,
    Twine,
    Pdm,
    Maturin,
    Poetry,
    Hatch,
    Flit,
    /// `npm publish` / `npm stage publish`.
    Npm,
    /// `pnpm publish`.
    Pnpm,
    /// `yarn npm publish` (Yarn 2 and later).
    Yarn,
    /// A third-party action of [`super::pypi::UPLOADER_ACTIONS`].
    Action(&'static str),
    /// `cargo publish`.
    Cargo,
    /// `gem push`.
    GemPush,
    /// `rake release` (bundler's gem tasks build, tag and `gem push`).
    RakeRelease,
    /// `rubygems/release-gem`.
    ReleaseGem,
    /// `dotnet nuget push` or `nuget push`.
    NuGetPush,
    /// `release-plz release` (or `release-plz/action`), which runs `cargo
    /// publish` for each crate not yet on the registry.
    ReleasePlz,
    /// `cargo release ... --execute`, which runs `cargo publish`.
    CargoRelease,
    /// `cargo workspaces publish`, which runs `cargo publish` for each crate.
    CargoWorkspaces,
    /// `changeset publish`, which runs the publish of the client it detects.
    Changesets(NpmClient),
    /// semantic-release with its npm plugin, which runs `npm publish`.
    SemanticRelease,
    /// `cargo smart-release ... --execute`, which runs `cargo publish`.
    CargoSmartRelease,
    /// Yarn classic's `yarn publish`: a token only.
    YarnClassic,
    /// `bun publish`: a token only.
    BunPublish,
    /// `lerna publish`, which publishes with libnpmpublish itself.
    Lerna,
    /// `nx release publish` (or `nx release --yes`), which runs the
    /// workspace client's publish.
    Nx(NpmClient),
    /// `release-it`, whose npm plugin runs `npm publish`.
    ReleaseIt,
    /// `dart pub publish` or `flutter pub publish`.
    DartPub,
    /// `melos publish --no-dry-run` (or `bluefireteam/melos-action` with
    /// `publish: true`), which runs `dart pub publish --force` in each
    /// package not yet on pub.dev.
    Melos,
    /// `deno publish`.
    DenoPublish,
    /// `jsr publish` (run by `npx`, `pnpm dlx`, `yarn dlx`, `bunx`).
    JsrPublish,
}

/// The npm client a release tool runs to publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NpmClient {
    Npm,
    Pnpm,
    Yarn,
}

impl NpmClient {
    /// The uploader whose authentication the client has.
    pub fn uploader(self) -> Uploader {
        match self {
            NpmClient::Npm => Uploader::Npm,
            NpmClient::Pnpm => Uploader::Pnpm,
            NpmClient::Yarn => Uploader::Yarn,
        }
    }
}

impl Uploader {
    pub fn name(self) -> &'static str {
        match self {
            Uploader::GhActionPypiPublish => "pypa/gh-action-pypi-publish",
            Uploader::MaturinAction => "PyO3/maturin-action",
            Uploader::Uv => "uv publish",
            Uploader::Twine => "twine upload",
            Uploader::Pdm => "pdm publish",
            Uploader::Maturin => "maturin upload",
            Uploader::Poetry => "poetry publish",
            Uploader::Hatch => "hatch publish",
            Uploader::Flit => "flit publish",
            Uploader::Npm => "npm publish",
            Uploader::Pnpm => "pnpm publish",
            Uploader::Yarn => "yarn npm publish",
            Uploader::Action(action) => action,
            Uploader::Cargo => "cargo publish",
            Uploader::GemPush => "gem push",
            Uploader::RakeRelease => "rake release",
            Uploader::ReleaseGem => super::rubygems::RELEASE_GEM_ACTION,
            Uploader::NuGetPush => "nuget push",
            Uploader::ReleasePlz => "release-plz release",
            Uploader::CargoRelease => "cargo release",
            Uploader::CargoWorkspaces => "cargo workspaces publish",
            Uploader::Changesets(_) => "changeset publish",
            Uploader::SemanticRelease => "semantic-release",
            Uploader::CargoSmartRelease => "cargo smart-release",
            Uploader::YarnClassic => "yarn publish",
            Uploader::BunPublish => "bun publish",
            Uploader::Lerna => "lerna publish",
            Uploader::Nx(_) => "nx release publish",
            Uploader::ReleaseIt => "release-it",
            Uploader::DartPub => "dart pub publish",
            Uploader::Melos => "melos publish",
            Uploader::DenoPublish => "deno publish",
            Uploader::JsrPublish => "jsr publish",
        }
    }

    /// The npm client that uploads: the tool itself, the client a release
    /// tool runs, npm for an action that runs it; `None` for other registries' tools.
    pub fn npm_client(self) -> Option<Uploader> {
        match self {
            Uploader::Npm
            | Uploader::Pnpm
            | Uploader::Yarn
            | Uploader::YarnClassic
            | Uploader::BunPublish
            | Uploader::Lerna => Some(self),
            Uploader::Changesets(client) | Uploader::Nx(client) => Some(client.uploader()),
            Uploader::SemanticRelease | Uploader::ReleaseIt => Some(Uploader::Npm),
            Uploader::Action(action) => super::npm::UPLOADER_ACTIONS
                .iter()
                .any(|a| a.action == action)
                .then_some(Uploader::Npm),
            _ => None,
        }
    }

    /// The builds the tool runs itself from the checked-out source (`cargo
    /// publish` compiles the crate it packages; `rake release` builds the
    /// gem from its gemspec under bundler): a publish job with it needs the
    /// checkout, and these commands (leading words) add nothing to what it
    /// runs anyway. `None` for tools that upload files built elsewhere.
    pub fn builds_from_source(self) -> Option<&'static [&'static str]> {
        match self {
            // cargo-publish(1): "Create a .crate file by following the
            // steps in cargo-package(1)", which verifies by building it.
            // release-plz runs `cargo publish` for each crate it releases.
            Uploader::Cargo
            | Uploader::ReleasePlz
            | Uploader::CargoRelease
            | Uploader::CargoSmartRelease
            | Uploader::CargoWorkspaces => Some(&["cargo build", "cargo package"]),
            // bundler's gem_helper.rb: `release` depends on `build`, run
            // under `bundle exec` with the Gemfile's gems installed.
            Uploader::RakeRelease | Uploader::ReleaseGem => {
                Some(&["gem build", "rake build", "bundle install"])
            }
            // pub and deno publish the package's files from the checkout
            // (https://dart.dev/tools/pub/cmd/pub-lish,
            // https://jsr.io/docs/publishing-packages), resolving its
            // dependencies first.
            Uploader::DartPub => Some(&["dart pub get", "flutter pub get"]),
            // melos runs pub in each package's folder, after its bootstrap.
            Uploader::Melos => Some(&["dart pub get", "flutter pub get", "melos bootstrap"]),
            Uploader::DenoPublish | Uploader::JsrPublish => {
                Some(&["deno install", "deno check", "npm install", "npm ci"])
            }
            _ => None,
        }
    }

    /// Whether the tool uploads a folder of the checkout as it is, packing
    /// it without building: npm, pnpm, Yarn and Bun publish the working
    /// folder or the one they are given (npm-publish(1): `<folder>`, "A
    /// folder containing a package.json file", and with no argument "the
    /// current working directory"; a `<tarball>` is uploaded as it is,
    /// [`crate::facts::publish::PublishSite::publishes_checkout`]); `changeset publish`
    /// packs each package's folder of the checkout (npm-utils.ts: `publish
    /// <dir>`, or `pnpm publish` in it); semantic-release's npm plugin runs
    /// `npm publish <pkgRoot>`; Lerna, Nx and release-it pack each
    /// package's folder; the npm publishing actions pack `package:`. A job
    /// with them needs the checkout, but what else runs there is not the
    /// upload's own build ([`Uploader::builds_from_source`]).
    pub fn packs_checkout(self) -> bool {
        self.npm_client().is_some()
    }

    /// The registry the tool publishes to when it is given no URL; `None`
    /// for an action no table lists.
    pub fn registry(self) -> Option<Registry> {
        match self {
            Uploader::GhActionPypiPublish | Uploader::MaturinAction => Some(Registry::Pypi),
            Uploader::ReleasePlz => Some(Registry::CratesIo),
            Uploader::Changesets(_) | Uploader::SemanticRelease | Uploader::Nx(_) => {
                Some(Registry::Npm)
            }
            Uploader::Action(action) => uploader_actions()
                .find(|a| a.action == action)
                .map(|a| a.registry),
            _ => command_uploaders()
                .find(|t| t.uploader == self)
                .map(|t| t.registry),
        }
    }

    /// Whether the tool does trusted publishing itself when given no secret.
    pub fn supports_trusted_publishing(self) -> bool {
        match self {
            Uploader::GhActionPypiPublish
            | Uploader::MaturinAction
            | Uploader::ReleaseGem
            | Uploader::ReleasePlz
            | Uploader::Changesets(_)
            | Uploader::Nx(_)
            | Uploader::SemanticRelease => true,
            Uploader::Action(action) => {
                uploader_actions().any(|a| a.action == action && a.auth != ActionAuth::TokenOnly)
            }
            _ => command_uploaders().any(|t| t.uploader == self && t.trusted_publishing),
        }
    }
}

/// Every registry's actions that upload themselves.
pub fn uploader_actions() -> impl Iterator<Item = &'static UploaderAction> {
    super::pypi::UPLOADER_ACTIONS
        .iter()
        .chain(super::npm::UPLOADER_ACTIONS)
        .chain(super::pub_dev::UPLOADER_ACTIONS)
        .chain(super::nuget::UPLOADER_ACTIONS)
}

/// An action that uploads to a registry itself.
pub struct UploaderAction {
    /// `owner/repo` or `owner/repo/path`, lower case.
    pub action: &'static str,
    /// The registry it uploads to when no URL input says otherwise.
    pub registry: Registry,
    /// It uploads only when this input's (lower-case) value is, or is not,
    /// one of a list; `""` stands for the input being absent. An
    /// expression counts as uploading.
    pub when: Option<(&'static str, When)>,
    /// Inputs that pass an API token or password.
    pub token_inputs: &'static [&'static str],
    /// Environment variables that pass one.
    pub token_env: &'static [&'static str],
    /// How it authenticates without a token.
    pub auth: ActionAuth,
    /// The input naming the upload URL.
    pub url_input: Option<&'static str>,
}

#[derive(Clone, Copy, Debug)]
pub enum When {
    OneOf(&'static [&'static str]),
    NoneOf(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionAuth {
    /// Trusted publishing when no token is given.
    TrustedPublishing,
    /// Trusted publishing whenever the job can mint OIDC tokens; a token
    /// only otherwise.
    TrustedPublishingWhenPermitted,
    /// Tokens only.
    TokenOnly,
}

impl UploaderAction {
    pub fn matches(&self, target: &UsesTarget) -> bool {
        let UsesTarget::Remote { slug, path, .. } = target else {
            return false;
        };
        match (self.action.strip_prefix(slug.as_str()), path) {
            (Some(""), None) => true,
            (Some(rest), Some(path)) => {
                rest.strip_prefix('/')
                    == Some(path.trim_end_matches('/').to_ascii_lowercase().as_str())
            }
            _ => false,
        }
    }
}

/// How a command-line uploader is told where to upload and with what secret.
pub struct CommandUploader {
    pub uploader: Uploader,
    /// Where it publishes when no URL or repository name is given.
    pub registry: Registry,
    pub program: &'static str,
    pub subcommands: &'static [&'static str],
    /// Flags that pass a token or password.
    pub secret_flags: &'static [&'static str],
    /// Environment variables holding a token or password; a trailing `*`
    /// matches a prefix (`POETRY_PYPI_TOKEN_*`).
    pub secret_env: &'static [&'static str],
    pub url_flags: &'static [&'static str],
    pub url_env: &'static [&'static str],
    /// Flags and variables naming a repository (or, for some tools, a URL).
    pub repository_flags: &'static [&'static str],
    pub repository_env: &'static [&'static str],
    pub testpypi_names: &'static [&'static str],
    pub pypi_names: &'static [&'static str],
    /// Whether the tool exchanges the GitHub OIDC token itself when no secret is given.
    pub trusted_publishing: bool,
}

/// Every command-line publisher of every registry.
pub fn command_uploaders() -> impl Iterator<Item = &'static CommandUploader> {
    super::pypi::COMMAND_UPLOADERS
        .iter()
        .chain(super::crates_io::COMMANDS)
        .chain(super::npm::COMMANDS)
        .chain(std::iter::once(&super::npm::SEMANTIC_RELEASE))
        .chain(super::npm::RELEASE_TOOLS)
        .chain(super::rubygems::COMMANDS)
        .chain(super::nuget::COMMANDS)
        .chain(super::pub_dev::COMMANDS)
        .chain(std::iter::once(&super::pub_dev::MELOS))
        .chain(super::jsr::COMMANDS)
}

/// An action that exchanges the job's OIDC token for a registry token that
/// later steps of the job use: from one of its `outputs`
/// (`${{ steps.<id>.outputs.token }}`), or from the variables it
/// `exports` to the steps after it.
pub struct TokenMinter {
    /// `owner/repo` in lower case.
    pub action: &'static str,
    pub registry: Registry,
    /// The outputs holding the token; empty when any output may.
    pub outputs: &'static [&'static str],
    /// Variables it sets for the job's later steps.
    pub exports: &'static [&'static str],
    /// Inputs that make it configure something else than a token minted
    /// by trusted publishing (an OIDC role).
    pub other_modes: &'static [&'static str],
    /// Inputs that give it a long-lived token to configure instead.
    pub token_inputs: &'static [&'static str],
    /// Minting is all it does, and the registry grants the token only to
    /// a registered trusted publisher: a job running it publishes there
    /// (with what tplint may not see), so it needs that publisher. False
    /// for a setup action that mints in passing (setup-dart, in every
    /// Dart job that may request an OIDC token).
    pub only_mints: bool,
}

/// Every registry's token-minting actions.
pub fn token_minters() -> impl Iterator<Item = &'static TokenMinter> {
    super::pypi::MINTERS
        .iter()
        .chain(super::crates_io::MINTERS)
        .chain(super::rubygems::MINTERS)
        .chain(super::nuget::MINTERS)
        .chain(super::pub_dev::MINTERS)
}

/// An action that runs a release tool which publishes inside itself
/// (`release-plz/action` runs `release-plz release`, which runs `cargo
/// publish`).
pub struct ReleaseToolAction {
    /// `owner/repo` or `owner/repo/path`, lower case.
    pub action: &'static str,
    pub uploader: Uploader,
    /// It publishes only when this input's (lower-case) value is, or is not,
    /// one of a list; `""` stands for the input being absent. An
    /// expression counts as publishing.
    pub when: Option<(&'static str, When)>,
    /// An input that makes the run a dry run whenever it is not empty.
    pub dry_run_input: Option<&'static str>,
    /// Inputs that pass a registry token.
    pub token_inputs: &'static [&'static str],
    /// Environment variables it reads a token from.
    pub token_env: &'static [&'static str],
    /// The input naming another registry.
    pub registry_input: Option<&'static str>,
    /// The input choosing the tool's version.
    pub version_input: Option<&'static str>,
    /// The first release of the tool that exchanges the OIDC token itself.
    pub first_oidc_tool: (u64, u64, u64),
    /// The first release of the action that installs such a tool by default.
    pub first_oidc_action: (u64, u64, u64),
    /// An input and the (lower-case) value that turn the action's own
    /// exchange off: it then uses what the job set up before it.
    pub exchange_off: Option<(&'static str, &'static str)>,
    /// Whether any release exchanges the OIDC token: one that never does
    /// uses only the token it is given or finds.
    pub exchanges_oidc: bool,
}

impl ReleaseToolAction {
    pub fn matches(&self, target: &UsesTarget) -> bool {
        crate::workflow::uses::matches_table_entry(self.action, target)
    }

    /// Whether the step runs a release of the tool older than the first
    /// that exchanges the OIDC token: from its version input, else from the
    /// action's version (the `@ref`, or the comment after a pinned commit).
    /// A moving tag (`v0.5`) stands for its newest release; anything
    /// unreadable is not known to be older.
    pub fn predates_oidc(
        &self,
        version_input: Option<&str>,
        git_ref: &str,
        comment: Option<&str>,
    ) -> bool {
        if let Some(version) = version_input.map(str::trim).filter(|v| !v.is_empty()) {
            return older_than(version, self.first_oidc_tool);
        }
        let versioned = |text: &str| {
            let text = text.trim();
            text.starts_with('v') && text[1..].starts_with(|c: char| c.is_ascii_digit())
        };
        let action_version = if versioned(git_ref) {
            Some(git_ref)
        } else {
            comment.map(str::trim).filter(|c| versioned(c))
        };
        action_version.is_some_and(|v| older_than(v, self.first_oidc_action))
    }
}

/// Whether `version` (`v0.5.110`, `0.3.145`, a moving `v0.4`) is known to
/// be older than `first`. Any text that is not a version is not.
fn older_than(version: &str, first: (u64, u64, u64)) -> bool {
    let version = version.trim().trim_start_matches('v');
    let version = version.split([' ', '-', '+']).next().unwrap_or(version);
    let mut parts = Vec::new();
    for part in version.split('.') {
        match part.parse::<u64>() {
            Ok(n) => parts.push(n),
            Err(_) => return false,
        }
    }
    if parts.is_empty() || parts.len() > 3 {
        return false;
    }
    let first = [first.0, first.1, first.2];
    for (have, want) in parts.iter().zip(first) {
        if *have != want {
            return *have < want;
        }
    }
    // Equal as far as given: the release itself, or a moving tag whose
    // newest release is at least `first`.
    false
}

/// An action that runs command lines it is given (`changesets/action`'s
/// `publish`), read as a `run:` would be, in the step's environment.
pub struct CommandAction {
    /// `owner/repo` or `owner/repo/path`, lower case.
    pub action: &'static str,
    /// Inputs holding a command line it runs.
    pub command_inputs: &'static [&'static str],
    /// The command line it runs when none of `command_inputs` is given.
    pub default_command: Option<&'static str>,
    /// Or, for an action that runs a tool in-process, the command line that
    /// stands for what it runs, from its inputs (read through the first
    /// argument) and its version (`v6.0.0`: the `@ref`, or the comment after
    /// a pinned commit); `None` when tplint cannot tell what it runs.
    pub implied: Option<ImpliedCommand>,
    /// The input naming the folder the commands run in.
    pub cwd_input: Option<&'static str>,
    /// When this input is given, the action writes the variable's value
    /// into the user's `.npmrc` as the npm registry's token: `(input, variable)`.
    pub npmrc_token: Option<(&'static str, &'static str)>,
}

/// See [`CommandAction::implied`].
pub type ImpliedCommand = fn(&dyn Fn(&str) -> Option<String>, Option<&str>) -> Option<String>;

impl CommandAction {
    pub fn matches(&self, target: &UsesTarget) -> bool {
        crate::workflow::uses::matches_table_entry(self.action, target)
    }
}

/// Every registry's release-tool actions.
pub fn release_tool_actions() -> impl Iterator<Item = &'static ReleaseToolAction> {
    super::crates_io::RELEASE_TOOL_ACTIONS
        .iter()
        .chain(super::pub_dev::RELEASE_TOOL_ACTIONS)
}

/// Every registry's actions that run the command lines they are given.
pub fn command_actions() -> impl Iterator<Item = &'static CommandAction> {
    super::npm::COMMAND_ACTIONS
        .iter()
        .chain(super::nuget::COMMAND_ACTIONS)
        .chain(POLYGLOT_COMMAND_ACTIONS)
}

/// Actions of release tools that publish to several registries with the
/// command lines of their own configuration.
static POLYGLOT_COMMAND_ACTIONS: &[CommandAction] = &[
    // jbolda/covector `packages/action/action.yml` and `src/index.ts`
    // [12f80da]: runs covector's `command` input (`version-or-publish`
    // runs `version` while change files are left, else `publish`); with
    // `dryRun: true` it logs the commands instead of running them; in the
    // `cwd` input's folder. What each command runs is read from
    // `.changes/config.json` (`release_config::Covector`).
    CommandAction {
        action: "jbolda/covector/packages/action",
        command_inputs: &[],
        default_command: None,
        implied: Some(covector_action),
        cwd_input: Some("cwd"),
        npmrc_token: None,
    },
];

/// The covector command the action runs, as a command line; `None` for
/// one tplint does not read (`preview`, a value given by an expression).
fn covector_action(input: &dyn Fn(&str) -> Option<String>, _: Option<&str>) -> Option<String> {
    let command = input("command")?;
    let command = command.trim();
    if !matches!(
        command,
        "publish" | "version" | "version-or-publish" | "status"
    ) {
        return None;
    }
    let dry_run = input("dryRun").is_some_and(|v| v.trim() == "true");
    // `filterPackages`: a comma-separated list of the packages it runs for.
    let packages = input("filterPackages")
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    // A list given by an expression: which packages run cannot be told.
    if packages
        .as_deref()
        .is_some_and(|v| v.contains(['$', ' ', '\n']))
    {
        return None;
    }
    let mut line = format!("covector {command}");
    if dry_run {
        line.push_str(" --dry-run");
    }
    if let Some(packages) = packages {
        line.push_str(" --filterPackages=");
        line.push_str(&packages);
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_older_than() {
        for (version, older) in [
            ("v0.5.116", true),
            ("v0.5.117", false),
            ("v0.5.131", false),
            ("v0.5", false),
            ("v0", false),
            ("v0.4", true),
            ("0.3.145", true),
            ("main", false),
            ("v1.x", false),
        ] {
            assert_eq!(older_than(version, (0, 5, 117)), older, "{version}");
        }
    }
}
