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
    /// `dart pub publish` or `flutter pub publish`.
    DartPub,
    /// `deno publish`.
    DenoPublish,
    /// `jsr publish` (run by `npx`, `pnpm dlx`, `yarn dlx`, `bunx`).
    JsrPublish,
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
            Uploader::DartPub => "dart pub publish",
            Uploader::DenoPublish => "deno publish",
            Uploader::JsrPublish => "jsr publish",
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
            Uploader::Cargo => Some(&["cargo build", "cargo package"]),
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
            Uploader::DenoPublish | Uploader::JsrPublish => {
                Some(&["deno install", "deno check", "npm install", "npm ci"])
            }
            _ => None,
        }
    }

    /// The registry the tool publishes to when it is given no URL; `None`
    /// for an action no table lists.
    pub fn registry(self) -> Option<Registry> {
        match self {
            Uploader::GhActionPypiPublish | Uploader::MaturinAction => Some(Registry::Pypi),
            Uploader::Action(action) => super::pypi::UPLOADER_ACTIONS
                .iter()
                .any(|a| a.action == action)
                .then_some(Registry::Pypi),
            _ => command_uploaders()
                .find(|t| t.uploader == self)
                .map(|t| t.registry),
        }
    }

    /// Whether the tool does trusted publishing itself when given no secret.
    pub fn supports_trusted_publishing(self) -> bool {
        match self {
            Uploader::GhActionPypiPublish | Uploader::MaturinAction | Uploader::ReleaseGem => true,
            Uploader::Action(action) => super::pypi::UPLOADER_ACTIONS
                .iter()
                .chain(super::npm::UPLOADER_ACTIONS)
                .any(|a| a.action == action && a.auth != ActionAuth::TokenOnly),
            _ => command_uploaders().any(|t| t.uploader == self && t.trusted_publishing),
        }
    }
}

/// An action that uploads distributions to PyPI itself.
pub struct UploaderAction {
    /// `owner/repo` or `owner/repo/path`, lower case.
    pub action: &'static str,
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
        .chain(super::rubygems::COMMANDS)
        .chain(super::nuget::COMMANDS)
        .chain(super::pub_dev::COMMANDS)
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
