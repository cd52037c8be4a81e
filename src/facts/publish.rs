//! Publish sites: steps that publish packages, with the tool, the registry
//! they target and how they authenticate. Every command-line publisher is
//! one row of a registry module's table ([`command_uploaders`]); actions
//! have their own readers. Rules only see [`PublishSite`].

use crate::diagnostic::Location;
use crate::facts::expand::{EnvHit, Executed, ShellBlock};
use crate::facts::shell::{self, Command};
use crate::registry::Registry;
pub use crate::registry::publishing::{
    ActionAuth, CommandUploader, NpmClient, Uploader, UploaderAction, When, command_uploaders,
    token_minters,
};
pub use crate::registry::pypi::{
    COMMAND_UPLOADERS, MATURIN_ACTION, PYPI_PUBLISH_ACTION, PYPI_PUBLISH_DEPRECATED_INPUTS,
    PYPI_PUBLISH_INPUTS, UPLOADER_ACTIONS,
};
pub use crate::release_config::SemanticReleaseNpm;
use crate::source::{FileId, Span};

/// Where an upload goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Registry(Registry),
    /// Another index (a private registry, devpi, a named repository of a
    /// config file): not judged against PyPI publishers.
    Custom(String),
    /// An expression: unknown until the workflow runs.
    Expression(String),
}

/// How an upload authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Trusted publishing (OIDC).
    Oidc,
    /// An API token or password, with where it is given.
    Password { location: Location, source: String },
    /// The tool cannot do trusted publishing and no secret is visible
    /// (it may come from a config file).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct PublishSite {
    /// Index of the job in `Workflow::jobs`.
    pub job: usize,
    /// Index of the job's own step that publishes or leads to the upload.
    pub step: usize,
    /// The file holding the upload: the workflow, a local action's
    /// `action.yml`, a script or a task-runner file.
    pub file: FileId,
    /// How the upload is reached from the workflow's step, outermost first
    /// (empty when it is in the workflow's own step).
    pub via: Vec<Location>,
    /// The local action (index in `Repository::locals.actions`) and the
    /// position of its step, when a composite action's step publishes.
    pub inner: Option<(usize, usize)>,
    pub uploader: Uploader,
    pub target: Target,
    /// Where the target is set, when it is set explicitly.
    pub target_span: Option<Location>,
    pub auth: Auth,
    /// The step's `uses:` value, or the command, in `file`.
    pub span: Span,
    /// For `uv publish`: whether a failed OIDC exchange is an error
    /// (`--trusted-publishing always`) rather than a fallback to passwords.
    pub oidc_required: bool,
    /// An expression that decides whether the step uploads at all (an
    /// uploading action's switch such as deploy-pypi's `upload:`), read
    /// like an `if:` by the rules that ask whether a run reaches the upload.
    pub gate: Option<String>,
    /// For `npm`, `pnpm` and `yarn npm` publishing: what the job set up.
    pub npm: Option<super::npm::NpmSite>,
    /// The token given to the upload, as written (a shell variable replaced
    /// by its value where tplint sees it), when one is given.
    pub secret: Option<String>,
    /// The repository folder a command upload runs in (`""`: the root),
    /// whose manifest names the package it publishes; `None` where not
    /// known.
    pub folder: Option<String>,
    /// The command as written, where its program has another name than
    /// the uploader's (`pn publish`, pnpm's short name).
    pub written: Option<String>,
    /// The package the command names, where it names one (`cargo publish
    /// -p NAME`): it publishes that package, whatever its folder.
    pub package: Option<String>,
    /// The upload publishes each crate of the Cargo workspace at the root
    /// ([`crate::registry::crates_io::publishes_workspace`]), each with
    /// publishers of its own.
    pub workspace: bool,
}

impl PublishSite {
    /// The uploader's name for messages, as the command writes it.
    pub fn name(&self) -> &str {
        self.written.as_deref().unwrap_or(self.uploader.name())
    }

    /// Whether the upload takes its files from the checkout: the tool
    /// builds from it ([`Uploader::builds_from_source`]) or packs a folder
    /// of it ([`Uploader::packs_checkout`]; not an npm client given a
    /// tarball, which may come from elsewhere).
    pub fn publishes_checkout(&self) -> bool {
        self.uploader.builds_from_source().is_some()
            || (self.uploader.packs_checkout() && !self.npm.as_ref().is_some_and(|n| n.tarball))
    }

    /// Where the upload is.
    pub fn location(&self) -> Location {
        Location::new(self.file, self.span)
    }

    /// Where the upload enters from the workflow: the workflow's own step
    /// that leads to it (a `uses:` of a local action, a `run:` that runs a
    /// script), or the upload itself when it is in the workflow.
    pub fn entry(&self) -> Location {
        self.via.first().copied().unwrap_or_else(|| self.location())
    }

    /// Whether the upload is in another file than the workflow's step.
    pub fn is_indirect(&self) -> bool {
        !self.via.is_empty()
    }

    pub fn is_oidc(&self) -> bool {
        self.auth == Auth::Oidc
    }

    /// The index when it is PyPI or TestPyPI.
    pub fn index(&self) -> Option<Registry> {
        match self.target {
            Target::Registry(index) => Some(index),
            _ => None,
        }
    }
}

/// Classify an upload URL.
pub fn target_of_url(url: &str) -> Target {
    if crate::workflow::is_expression(url) {
        return Target::Expression(url.to_string());
    }
    match Registry::of_url(url) {
        Some(registry) => Target::Registry(registry),
        None => Target::Custom(url.to_string()),
    }
}

/// A step of the job that exchanged the job's OIDC token for a registry
/// token, which later steps may use.
#[derive(Clone, Debug)]
pub struct Mint {
    /// The step's `id:`, without which its outputs cannot be read.
    pub id: Option<String>,
    pub registry: Registry,
    /// The minting action, or `None` for a script that requests and
    /// exchanges the token itself.
    pub action: Option<&'static str>,
    /// The outputs holding the token; empty when any output may.
    pub outputs: &'static [&'static str],
    /// Variables it sets for the job's later steps.
    pub exports: &'static [&'static str],
    /// The job's own step that mints, or leads to the step that does.
    pub top: usize,
    /// The local action holding the step, when a composite action's step mints.
    pub inner: Option<usize>,
    /// The step's `uses:` (or `run:`).
    pub location: Location,
    /// The action only mints, from the registry's own service, which
    /// grants the token only to a registered publisher
    /// ([`crate::registry::publishing::TokenMinter::only_mints`]): the job
    /// publishes there, whether or not tplint sees the upload.
    pub needs_publisher: bool,
}

impl Mint {
    /// Whether `output` (any case, as GitHub reads property names) holds the token.
    pub fn holds(&self, output: &str) -> bool {
        self.outputs.is_empty() || self.outputs.iter().any(|o| o.eq_ignore_ascii_case(output))
    }
}

/// A long-lived token a credentials action was given to configure for
/// the job's later steps (configure-rubygems-credentials' `api-token`).
#[derive(Clone, Debug)]
pub struct GivenToken {
    pub registry: Registry,
    /// The input's key.
    pub location: Location,
    /// "`api-token` of rubygems/configure-rubygems-credentials".
    pub source: String,
    pub value: String,
}

/// What a walk has seen so far that later uploads depend on.
#[derive(Debug, Default)]
pub struct MintState {
    /// What the steps so far set up for npm.
    pub npm: super::npm::NpmJob,
    /// The job's steps so far that minted a registry token by OIDC.
    pub mints: Vec<Mint>,
    /// Long-lived tokens configured for the job's later steps.
    pub given: Vec<GivenToken>,
    /// A step so far does something tplint cannot see (it may store a
    /// credential).
    pub opaque_seen: bool,
    /// The repository's `release-plz.toml` turns publishing off.
    pub release_plz_unpublished: bool,
    /// The repository's `release-plz.toml` chooses which packages it
    /// releases or publishes.
    pub release_plz_selects: bool,
    /// Whether semantic-release publishes to npm, by the repository's configuration.
    pub semantic_release: SemanticReleaseNpm,
    /// The semantic-release major the repository depends on.
    pub semantic_release_major: Option<u64>,
    /// The repository's cargo-release configuration turns publishing off.
    pub cargo_release_unpublished: bool,
    /// What the repository says about Yarn, Lerna, Nx and release-it.
    pub npm_tools: crate::release_config::NpmTools,
    /// Variables a step wrote to `$GITHUB_ENV` (`echo "NAME=value" >>
    /// $GITHUB_ENV`), which GitHub sets for the job's later steps: name,
    /// value, where, and the step (top-level index) that wrote it.
    pub github_env: Vec<(String, String, Location, usize)>,
    /// A script so far names a `.pypirc`: twine's configuration, which
    /// can hold a password (`echo "$PYPIRC" > ~/.pypirc`).
    pub pypirc_written: bool,
    /// The variable a script wrote into a `.pypirc` as a credential, and
    /// where ([`pypirc_credential`]).
    pub pypirc_secret: Option<(String, Location)>,
    /// The `source-url` of `actions/setup-dotnet`, which it writes into a
    /// NuGet configuration as `defaultPushSource`: where `dotnet nuget
    /// push` without `--source` goes (actions/setup-dotnet
    /// `src/authutil.ts` `writeFeedToFile`, read at 5e931af).
    pub nuget_push_source: Option<(String, Location)>,
}

/// The action that installs the .NET SDK and may configure a NuGet source.
const SETUP_DOTNET: &str = "actions/setup-dotnet";

impl MintState {
    /// Before any step: what the repository's files say about its release
    /// tools (`changeset publish`'s client, release-plz's and
    /// semantic-release's configuration).
    pub fn with_release_config(release: &crate::release_config::ReleaseConfig) -> Self {
        let mut state = Self::default();
        state.npm.changesets_client = release.changesets_client;
        state.release_plz_unpublished = release.release_plz_unpublished;
        state.release_plz_selects = release.release_plz_selects;
        state.semantic_release = release.semantic_release;
        state.semantic_release_major = release.semantic_release_major;
        state.cargo_release_unpublished = release.cargo_release_unpublished;
        state.npm_tools = release.npm_tools;
        state
    }
}

/// The `NAME=value` lines shell text writes to `$GITHUB_ENV` with `echo`
/// (`echo "NAME=value" >> $GITHUB_ENV`, `>> "$GITHUB_ENV"`,
/// `>> ${GITHUB_ENV}`), as GitHub reads them (docs.github.com, "Setting an
/// environment variable": one `{name}={value}` per line). Other writes
/// (heredocs, `printf`, grouped commands) are not read.
fn github_env_writes(text: &str) -> Vec<(String, String)> {
    let mut writes = Vec::new();
    for line in text.lines() {
        let Some((command, target)) = line.split_once(">>") else {
            continue;
        };
        let target = target.trim().trim_matches('"');
        if !matches!(target, "$GITHUB_ENV" | "${GITHUB_ENV}") {
            continue;
        }
        let Some(rest) = command.trim().strip_prefix("echo ") else {
            continue;
        };
        let rest = rest
            .trim()
            .trim_start_matches("-e ")
            .trim_start_matches("-n ")
            .trim();
        let unquoted = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(rest);
        let Some((name, value)) = unquoted.split_once('=') else {
            continue;
        };
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if valid {
            writes.push((name.to_string(), value.to_string()));
        }
    }
    writes
}

/// Text that shows a token is minted from the job's OIDC identity: the
/// runner's token request, then PyPI's exchange endpoint.
const MINT_MARKERS: &[&str] = &["mint-token", "ACTIONS_ID_TOKEN_REQUEST", "getIDToken"];

/// The `steps.<id>.outputs.<name>` references in an expression's text.
pub fn output_references(value: &str) -> impl Iterator<Item = (&str, &str)> {
    value.split("steps.").skip(1).filter_map(|rest| {
        let (id, tail) = rest.split_once(".outputs.")?;
        let name_end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(tail.len());
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        valid_id.then(|| (id, &tail[..name_end]))
    })
}

impl MintState {
    /// Remember `exec` when it mints a token: a token-minting action of a
    /// registry table, or (with an `id:`) a `run:` or `with:` that names
    /// the OIDC request and an exchange, so later steps can use it.
    pub fn observe(&mut self, exec: &Executed<'_, '_>) {
        self.npm.observe(exec);
        if let Some(uses) = &exec.step.uses
            && uses.target.is_action(SETUP_DOTNET)
            && let Some((kv, value)) = exec.input("source-url")
            && !value.trim().is_empty()
        {
            self.nuget_push_source = Some((value.trim().to_string(), exec.location(kv.value.span)));
        }
        let id = exec.step.id.as_ref().map(|i| i.value.clone());
        if let Some(uses) = &exec.step.uses
            && let Some(minter) = token_minters().find(|m| uses.target.is_action(m.action))
        {
            let set = |input: &&str| {
                exec.input(input)
                    .filter(|(_, value)| !value.trim().is_empty())
            };
            if let Some((kv, value)) = minter.token_inputs.iter().find_map(&set) {
                self.given.push(GivenToken {
                    registry: minter.registry,
                    location: exec.location(kv.key.span),
                    source: format!("`{}` of {}", kv.key.value, minter.action),
                    value: value.into_owned(),
                });
                return;
            }
            let other_mode = minter.other_modes.iter().any(|i| set(i).is_some());
            // configure-rubygems-credentials: `trusted-publisher: false`.
            let switched_off = exec
                .input("trusted-publisher")
                .is_some_and(|(_, value)| value.trim().eq_ignore_ascii_case("false"));
            if !other_mode && !switched_off {
                // NuGet/login given another token service mints another
                // server's key.
                let other_service = minter.registry == Registry::NuGet
                    && exec
                        .input(crate::registry::nuget::LOGIN_SERVICE_INPUT)
                        .is_some_and(|(_, url)| {
                            !url.trim().is_empty()
                                && !crate::registry::nuget::is_nuget_org_token_service(&url)
                        });
                self.mints.push(Mint {
                    needs_publisher: minter.only_mints && !other_service,
                    id,
                    registry: minter.registry,
                    action: Some(minter.action),
                    outputs: minter.outputs,
                    exports: minter.exports,
                    top: exec.top,
                    inner: exec.action_index(),
                    location: exec.location(uses.raw.span),
                });
            }
            return;
        }
        self.observe_login(exec);
        self.observe_pub_credentials(exec);
        let Some(id) = id else {
            return;
        };
        // The `run:` text and the `with:` values, one after another; a
        // step has seldom both, and then needs no copy.
        let run = exec.step.run.as_ref().map(|r| r.value.as_str());
        let text: std::borrow::Cow<'_, str> = match (run, exec.step.with.as_slice()) {
            (run, []) => run.unwrap_or_default().into(),
            (None, [kv]) => kv.value.value.as_str().into(),
            (run, with) => {
                let mut text = run.unwrap_or_default().to_string();
                for kv in with {
                    text.push_str(&kv.value.value);
                }
                text.into()
            }
        };
        static MARKERS: std::sync::LazyLock<super::words::AnyWord> =
            std::sync::LazyLock::new(|| super::words::AnyWord::new(MINT_MARKERS));
        if MARKERS.in_text(&text) {
            let registry = inline_exchange(&text).unwrap_or(Registry::Pypi);
            let span = exec.step.run.as_ref().map_or(exec.step.span, |r| r.span);
            self.mints.push(Mint {
                needs_publisher: false,
                id: Some(id),
                registry,
                action: None,
                outputs: &[],
                exports: &[],
                top: exec.top,
                inner: exec.action_index(),
                location: exec.location(span),
            });
        }
    }

    /// Remember what shell text the job runs sets up for later uploads.
    pub fn observe_shell(&mut self, block: &ShellBlock<'_, '_, '_>) {
        // Each word looked for in every block of every job.
        use super::words::AnyWord;
        use std::sync::LazyLock;
        static NPM: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(&["npm"]));
        static PYPIRC: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(&[".pypirc"]));
        static GITHUB_ENV: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(&["GITHUB_ENV"]));
        if NPM.in_text(&block.text) {
            self.npm.observe_shell(block);
        }
        if PYPIRC.in_text(&block.text) {
            self.pypirc_written = true;
            if let Some(variable) = pypirc_credential(&block.text) {
                let location = Location::new(block.file, block.locate(variable));
                self.pypirc_secret = Some((variable.to_string(), location));
            }
        }
        if GITHUB_ENV.in_text(&block.text) {
            for (name, value) in github_env_writes(&block.text) {
                let location = Location::new(block.file, block.locate(&format!("{name}=")));
                self.github_env
                    .push((name, value, location, block.exec.top));
            }
        }
    }

    /// The latest value a step before `top` wrote to `$GITHUB_ENV` for `name`.
    fn github_env_before(
        &self,
        name: &str,
        top: usize,
    ) -> Option<&(String, String, Location, usize)> {
        self.github_env
            .iter()
            .rev()
            .find(|(n, _, _, at)| n == name && *at < top)
    }

    /// `cargo login` given a secret (as argument or on stdin) stores it
    /// for the job's later `cargo publish` (cargo-login(1)).
    fn observe_login(&mut self, exec: &Executed<'_, '_>) {
        const LOGIN: &str = "cargo login";
        let Some(run) = &exec.step.run else {
            return;
        };
        let text = exec.resolve(&run.value);
        // One search of the whole text before one per line.
        if !text.contains(LOGIN) {
            return;
        }
        let Some(line) = text.lines().find(|l| l.contains(LOGIN)) else {
            return;
        };
        // The line itself, or the step's variables it reads.
        let env_secret = exec
            .step
            .env
            .iter()
            .find(|kv| line.contains(&kv.key.value) && kv.value.value.contains("secrets."));
        let secret = line.contains("secrets.") || env_secret.is_some();
        if !secret || line.contains(".outputs.") {
            return;
        }
        let span = span_in(exec.source, run.span, LOGIN);
        self.given.push(GivenToken {
            registry: Registry::CratesIo,
            location: exec.location(span),
            source: "`cargo login`".into(),
            value: env_secret.map_or_else(|| line.trim().to_string(), |kv| kv.value.value.clone()),
        });
    }

    /// A long-lived pub.dev credential the step stores for later
    /// `dart pub publish`: `dart pub token add` fed a secret (on stdin, or
    /// through `--env-var` naming a variable set from one), or a
    /// credentials file written from a secret
    /// ([`crate::registry::pub_dev::CREDENTIAL_FILES`]).
    fn observe_pub_credentials(&mut self, exec: &Executed<'_, '_>) {
        const TOKEN_ADD: &str = "pub token add";
        let Some(run) = &exec.step.run else {
            return;
        };
        let text = exec.resolve(&run.value);
        // Most steps have none of the words: one search for them all first.
        static WORDS: std::sync::LazyLock<super::words::AnyWord> = std::sync::LazyLock::new(|| {
            let mut words = vec![TOKEN_ADD, super::grinder::PUB_DEPLOY.0];
            words.extend(crate::registry::pub_dev::CREDENTIAL_FILES);
            super::words::AnyWord::new(&words)
        });
        if !WORDS.in_text(&text) {
            return;
        }
        // cli_pkg's `pkg-pub-deploy` writes the credential of its variable
        // before it publishes (read with the grinder task, `super::grinder`).
        let (task, variable) = super::grinder::PUB_DEPLOY;
        if text.contains(task)
            && let Some(hit) = exec
                .env(variable)
                .filter(|hit| hit.value.contains("secrets."))
        {
            let span = span_in(exec.source, run.span, task);
            self.given.push(GivenToken {
                registry: Registry::PubDev,
                location: exec.location(span),
                source: format!("`{variable}`, which `{task}` writes to `pub-credentials.json`"),
                value: hit.value.into_owned(),
            });
            return;
        }
        let file = crate::registry::pub_dev::CREDENTIAL_FILES
            .iter()
            .find(|f| text.contains(*f));
        let needle = if text.contains(TOKEN_ADD) {
            TOKEN_ADD
        } else if let Some(file) = file {
            file
        } else {
            return;
        };
        // The secret is in the text, or in a variable of the step the text reads.
        let env_secret = exec.step.env.iter().find(|kv| {
            text.contains(&kv.key.value)
                && kv.value.value.contains("secrets.")
                && !kv.value.value.contains(".outputs.")
        });
        let secret = text.contains("secrets.") || env_secret.is_some();
        if !secret {
            return;
        }
        let span = span_in(exec.source, run.span, needle);
        self.given.push(GivenToken {
            registry: Registry::PubDev,
            location: exec.location(span),
            source: if needle == TOKEN_ADD {
                "`dart pub token add`".into()
            } else {
                format!("`{needle}`")
            },
            value: env_secret.map_or_else(
                || {
                    text.lines()
                        .find(|l| l.contains("secrets."))
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                },
                |kv| kv.value.value.clone(),
            ),
        });
    }

    /// The mint whose output `value` reads (`${{ steps.<id>.outputs.* }}`),
    /// of `registry` when one is given.
    pub fn mint_of(&self, value: &str, registry: Option<Registry>) -> Option<&Mint> {
        output_references(value).find_map(|(id, output)| {
            self.mints.iter().find(|m| {
                m.id.as_deref() == Some(id)
                    && m.holds(output)
                    && registry.is_none_or(|r| r == m.registry)
            })
        })
    }

    /// Whether `value` is `${{ steps.<id>.outputs.* }}` of a minting step.
    fn minted(&self, value: &str) -> bool {
        self.mint_of(value, None).is_some()
    }

    /// The latest long-lived token configured for `registry`.
    fn given_for(&self, registry: Registry) -> Option<&GivenToken> {
        self.given.iter().rev().find(|g| g.registry == registry)
    }

    /// A mint of `registry` that set variables for the later steps.
    fn exported(&self, registry: Registry) -> Option<&Mint> {
        self.mints
            .iter()
            .find(|m| m.registry == registry && !m.exports.is_empty())
    }
}

/// The variable whose value shell text writes into a `.pypirc` as a
/// credential: the whole file (`echo "$PYPIRC" > ~/.pypirc`, `cp
/// "$PYPIRC_FILE" .pypirc` of a GitLab file variable, `printf '%s'
/// "${{ secrets.PYPIRC }}" | base64 -d > .pypirc`), or its `password`
/// (`echo "password = $TOKEN" >> ~/.pypirc`, a `password = $TOKEN` line of a
/// here-document written to one). A `.pypirc` written from literal text, or
/// with only a variable repository URL or user name, gives no credential.
pub fn pypirc_credential(text: &str) -> Option<&str> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(at) = line.find(".pypirc") else {
            continue;
        };
        if let Some(after) = line.find("<<") {
            if let Some(word) = line[after..].strip_prefix("<<<") {
                // A here-string: `base64 -d <<< "$PYPIRC" > ~/.pypirc`.
                match whole_variable(word.split_whitespace().next().unwrap_or_default()) {
                    Some(variable) => return Some(variable),
                    None => continue,
                }
            }
            let delimiter = line[after + 2..]
                .trim_start_matches(['-', '~'])
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_matches(['\'', '"']);
            for body in lines.by_ref() {
                if body.trim() == delimiter {
                    break;
                }
                if let Some(variable) = password_variable(body) {
                    return Some(variable);
                }
            }
            continue;
        }
        // What is written: the text before the redirection, or `cp`'s source.
        let written = match line[..at].rfind('>') {
            Some(redirect) => &line[..redirect],
            None if line.trim_start().starts_with("cp ") => &line[..at],
            None => continue,
        };
        if let Some(variable) = password_variable(written) {
            return Some(variable);
        }
        let command = written.split('|').next().unwrap_or_default().trim();
        let (program, rest) = command.split_once(' ').unwrap_or((command, ""));
        if !matches!(program, "echo" | "printf" | "cat" | "cp") {
            continue;
        }
        let mut rest = rest.trim();
        while let Some(flag) = rest.strip_prefix('-') {
            rest = flag.split_once(' ').map_or("", |(_, r)| r).trim_start();
        }
        if program == "printf" {
            let format = rest.split_whitespace().next().unwrap_or_default();
            if format.trim_matches(['\'', '"']).starts_with("%s") {
                rest = rest[format.len()..].trim_start();
            }
        }
        if program == "cp" {
            // The source; the destination is the `.pypirc`.
            rest = rest.split_whitespace().next().unwrap_or_default();
        }
        if let Some(variable) = whole_variable(rest) {
            return Some(variable);
        }
    }
    None
}

/// The variable given after `password` (`password = $TOKEN`, `password:
/// ${{ secrets.PYPI }}`) in a line of `.pypirc` text.
fn password_variable(text: &str) -> Option<&str> {
    let at = text.find("password")?;
    let value = text[at + "password".len()..]
        .trim_start()
        .strip_prefix(['=', ':'])?;
    let value = value.trim_start().trim_start_matches(['"', '\'']);
    whole_variable(value.split(['"', '\'', '\\']).next().unwrap_or_default())
}

/// `text` (quotes removed) when it is one variable reference: `$NAME`,
/// `${NAME}`, or one `${{ ... }}` expression.
fn whole_variable(text: &str) -> Option<&str> {
    let text = text.trim().trim_matches(['"', '\'']).trim();
    let valid = if let Some(inner) = text.strip_prefix("${{") {
        inner.ends_with("}}") && !inner.contains("${{")
    } else if let Some(name) = text.strip_prefix('$') {
        let name = name
            .strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    } else {
        false
    };
    valid.then_some(text)
}

/// The registry whose token exchange endpoint shell text calls, for the
/// registries besides PyPI.
fn inline_exchange(text: &str) -> Option<Registry> {
    [
        (
            crate::registry::crates_io::EXCHANGE_PATH,
            Registry::CratesIo,
        ),
        (crate::registry::rubygems::EXCHANGE_PATH, Registry::RubyGems),
        (crate::registry::nuget::EXCHANGE_PATH, Registry::NuGet),
    ]
    .into_iter()
    .find(|(path, _)| text.contains(path))
    .map(|(_, registry)| registry)
}

/// The publish site of a step that uses an uploading action, if it does.
pub fn step_site(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    gh_action_pypi_publish(exec, mint)
        .or_else(|| maturin_action(exec, mint))
        .or_else(|| uploader_action(exec, mint))
        .or_else(|| super::npm::action_site(exec, mint))
        .or_else(|| release_gem(exec, mint))
        .or_else(|| release_tool_action(exec, mint))
}

/// An action of a registry's `RELEASE_TOOL_ACTIONS` (release-plz/action)
/// that publishes: with the token an input or variable gives it, else
/// (the tool exchanging the job's OIDC token itself) by trusted publishing.
fn release_tool_action(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    use crate::registry::publishing::release_tool_actions;
    let uses = exec.step.uses.as_ref()?;
    let entry = release_tool_actions().find(|a| a.matches(&uses.target))?;
    let value = |input: &str| {
        exec.input(input)
            .map(|(kv, v)| (kv, v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
    };
    if let Some((input, when)) = entry.when {
        let given = value(input)
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        let publishes = crate::workflow::is_expression(&given)
            || match when {
                When::OneOf(values) => values.contains(&given.as_str()),
                When::NoneOf(values) => !values.contains(&given.as_str()),
            };
        if !publishes {
            return None;
        }
    }
    // Any value, even `false`, turns the dry run on; an expression may be empty.
    if entry
        .dry_run_input
        .and_then(value)
        .is_some_and(|(_, v)| !crate::workflow::is_expression(&v))
    {
        return None;
    }
    if entry.uploader == Uploader::ReleasePlz
        && mint.release_plz_unpublished
        && value("config").is_none()
    {
        return None;
    }
    let table = command_uploaders().find(|t| t.uploader == entry.uploader)?;
    let target = match entry.registry_input.and_then(value) {
        Some((kv, name)) => (
            named_target(table, &name),
            Some(exec.location(kv.value.span)),
        ),
        None => (Target::Registry(table.registry), None),
    };
    let token = entry
        .token_inputs
        .iter()
        .find_map(|input| {
            value(input).map(|(kv, v)| (v, exec.location(kv.key.span), format!("`{input}`")))
        })
        .or_else(|| {
            entry.token_env.iter().find_map(|name| {
                exec.env(name)
                    .filter(|e| !e.value.trim().is_empty())
                    .map(|e| (e.value.into_owned(), e.location, format!("`{}`", e.name)))
            })
        });
    let predates_oidc = match &uses.target {
        crate::workflow::UsesTarget::Remote { git_ref, .. } => entry.predates_oidc(
            entry
                .version_input
                .and_then(value)
                .map(|(_, v)| v)
                .as_deref(),
            git_ref,
            uses.comment.as_ref().map(|c| c.value.as_str()),
        ),
        _ => false,
    };
    let (auth, secret) = match token {
        Some((value, ..)) if mint.mint_of(&value, Some(table.registry)).is_some() => {
            (Auth::Oidc, None)
        }
        Some((value, location, source)) => (Auth::Password { location, source }, Some(value)),
        // A token `cargo login` stored is found before any exchange.
        None => match mint.given_for(table.registry) {
            Some(given) => (
                Auth::Password {
                    location: given.location,
                    source: given.source.clone(),
                },
                Some(given.value.clone()),
            ),
            // A release that cannot exchange: whatever cargo finds.
            None if predates_oidc || !entry.exchanges_oidc => (Auth::Unknown, None),
            // Its own exchange turned off: what the job set up before it.
            None if entry.exchange_off.is_some_and(|(input, off)| {
                value(input).is_some_and(|(_, v)| v.eq_ignore_ascii_case(off))
            }) =>
            {
                if mint.exported(table.registry).is_some() {
                    (Auth::Oidc, None)
                } else {
                    (Auth::Unknown, None)
                }
            }
            None => (Auth::Oidc, None),
        },
    };
    let mut site = site_at(exec, entry.uploader, target, auth, uses.raw.span, true);
    site.secret = secret;
    // The workspace at the root, with the repository's configuration.
    site.workspace = entry.uploader == Uploader::ReleasePlz
        && !mint.release_plz_selects
        && crate::registry::crates_io::RELEASE_PLZ_OTHER_WORKSPACE
            .iter()
            .all(|input| value(input).is_none());
    Some(site)
}

/// `rubygems/release-gem`: `rake release` after configuring a key by
/// trusted publishing, unless `setup-trusted-publisher` is false; then
/// whatever key the job's variables give.
fn release_gem(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    use crate::registry::rubygems::{RELEASE_GEM_ACTION, RELEASE_GEM_SWITCH};
    let uses = exec.step.uses.as_ref()?;
    if !uses.target.is_action(RELEASE_GEM_ACTION) {
        return None;
    }
    // Its `rake release` reads `gem_push` from the step's environment.
    if !crate::registry::rubygems::rake_release_pushes(&[], |name| {
        exec.env(name).map(|hit| hit.value.into_owned())
    }) {
        return None;
    }
    let switch = exec.input(RELEASE_GEM_SWITCH);
    let trusted = switch
        .as_ref()
        .is_none_or(|(_, value)| !value.trim().eq_ignore_ascii_case("false"));
    let (auth, secret) = if trusted {
        (Auth::Oidc, None)
    } else {
        let rake = command_uploaders().find(|t| t.uploader == Uploader::RakeRelease)?;
        let given = rake
            .secret_env
            .iter()
            .find_map(|name| exec.env(name).filter(|e| !e.value.trim().is_empty()));
        match given {
            Some(hit) if mint.mint_of(&hit.value, Some(Registry::RubyGems)).is_some() => {
                (Auth::Oidc, None)
            }
            Some(hit) => (
                Auth::Password {
                    location: hit.location,
                    source: format!("`{}`", hit.name),
                },
                Some(hit.value.into_owned()),
            ),
            None if mint.exported(Registry::RubyGems).is_some() => (Auth::Oidc, None),
            None => match mint.given_for(Registry::RubyGems) {
                Some(given) => (
                    Auth::Password {
                        location: given.location,
                        source: given.source.clone(),
                    },
                    Some(given.value.clone()),
                ),
                None => (Auth::Unknown, None),
            },
        }
    };
    let mut site = site_at(
        exec,
        Uploader::ReleaseGem,
        (Target::Registry(Registry::RubyGems), None),
        auth,
        uses.raw.span,
        true,
    );
    site.secret = secret;
    Some(site)
}

/// A site at `span` of `exec`'s file.
pub(super) fn site_at(
    exec: &Executed<'_, '_>,
    uploader: Uploader,
    target: (Target, Option<Location>),
    auth: Auth,
    span: Span,
    oidc_required: bool,
) -> PublishSite {
    PublishSite {
        job: exec.job.index,
        step: exec.top,
        file: exec.file,
        via: exec.via(),
        inner: exec.action_index().map(|a| (a, exec.step.index)),
        uploader,
        target: target.0,
        target_span: target.1,
        auth,
        span,
        oidc_required,
        gate: None,
        npm: None,
        secret: None,
        folder: None,
        written: None,
        package: None,
        workspace: false,
    }
}

fn gh_action_pypi_publish(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    let uses = exec.step.uses.as_ref()?;
    if !uses.target.is_action(PYPI_PUBLISH_ACTION) {
        return None;
    }
    let url = exec
        .input("repository-url")
        .or_else(|| exec.input("repository_url"));
    let target = match url {
        Some((kv, value)) if !value.trim().is_empty() => {
            (target_of_url(&value), Some(exec.location(kv.value.span)))
        }
        _ => (Target::Registry(Registry::Pypi), None),
    };
    let auth = match exec.input("password") {
        Some((kv, value)) if !value.trim().is_empty() => {
            if mint.minted(&value) {
                Auth::Oidc
            } else {
                Auth::Password {
                    location: exec.location(kv.key.span),
                    source: "`password`".into(),
                }
            }
        }
        _ => Auth::Oidc,
    };
    let mut site = site_at(
        exec,
        Uploader::GhActionPypiPublish,
        target,
        auth,
        uses.raw.span,
        true,
    );
    site.folder = exec
        .input("packages-dir")
        .or_else(|| exec.input("packages_dir"))
        .and_then(|(_, dir)| project_of_packages_dir(&dir));
    Some(site)
}

/// The repository folder whose project a `packages-dir` of the form
/// `FOLDER/dist` holds the distributions of (`python -m build FOLDER`,
/// `uv build` there, and maturin write to `FOLDER/dist`); `None` for the
/// default `dist`, another shape, or a value tplint cannot read.
fn project_of_packages_dir(dir: &str) -> Option<String> {
    let dir = dir.trim().trim_start_matches("./").trim_end_matches('/');
    let folder = dir.strip_suffix("/dist")?;
    let literal = !folder.is_empty()
        && !folder.contains(['$', '*', '?', '[', '{', '\\'])
        && !folder
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    literal.then(|| folder.to_string())
}

/// Where an uploader's settings come from: a shell command, or an action's
/// inputs (maturin-action's `args`).
pub(super) struct Invocation<'a, 'b> {
    pub(super) table: &'static CommandUploader,
    args: &'b [String],
    /// The shell command and its block, for variables and locations.
    pub(super) shell: Option<(&'b ShellBlock<'a, 'b, 'b>, &'b Command)>,
    pub(super) exec: &'b Executed<'a, 'b>,
    /// Where the arguments were read from.
    file: FileId,
    source: &'a str,
    within: Span,
    mint: &'b MintState,
    /// The shell text mints a token itself (a script that requests the
    /// OIDC token and exchanges it).
    mints_inline: bool,
}

impl<'a> Invocation<'a, '_> {
    /// `name` from the command's assignments and exports, the caller's,
    /// then every `env:` level.
    fn env(&self, name: &str) -> Option<EnvHit<'a>> {
        let own = match self.shell {
            Some((block, command)) => block.env(Some(command), name),
            None => self.exec.env(name),
        };
        // A value an earlier step wrote to `$GITHUB_ENV`.
        own.or_else(|| {
            self.mint
                .github_env_before(name, self.exec.top)
                .map(|(n, value, location, _)| EnvHit {
                    name: std::borrow::Cow::Owned(n.clone()),
                    value: std::borrow::Cow::Owned(value.clone()),
                    location: *location,
                })
        })
    }

    /// A non-empty variable.
    pub(super) fn set_env(&self, name: &str) -> Option<EnvHit<'a>> {
        self.env(name).filter(|e| !e.value.trim().is_empty())
    }

    pub(super) fn locate(&self, needle: &str) -> Location {
        if let Some((block, command)) = self.shell {
            return Location::new(block.file, block.locate_in(command, needle));
        }
        Location::new(self.file, span_in(self.source, self.within, needle))
    }

    pub(super) fn flag(&self, names: &[&str]) -> Option<&str> {
        shell::flag_value(self.args, names)
    }

    /// `--trusted-publishing` or `UV_TRUSTED_PUBLISHING` is `value`.
    fn trusted_publishing_is(&self, value: &str) -> bool {
        self.flag(&["--trusted-publishing"]) == Some(value)
            || self
                .env("UV_TRUSTED_PUBLISHING")
                .is_some_and(|e| e.value == value)
    }

    fn target(&self) -> (Target, Option<Location>) {
        let table = self.table;
        if let Some(url) = self.flag(table.url_flags) {
            // `--source "${SOURCE}"`: the variable's value where it is set.
            let value = self.dereference(url.to_string());
            return (target_of_url(&value), Some(self.locate(url)));
        }
        if let Some(name) = self.flag(table.repository_flags) {
            // `--repository ${PYPI_REPOSITORY}`: the variable's value where
            // it is set.
            let value = self.dereference(name.to_string());
            return (named_target(table, &value), Some(self.locate(name)));
        }
        for name in table.url_env {
            if let Some(env) = self.set_env(name) {
                return (target_of_url(&env.value), Some(env.location));
            }
        }
        for name in table.repository_env {
            if let Some(env) = self.set_env(name) {
                return (named_target(table, &env.value), Some(env.location));
            }
        }
        (Target::Registry(table.registry), None)
    }

    /// Whether, in a job that cannot request an OIDC token, a token may
    /// have been set where tplint cannot see it: by a step it cannot read,
    /// or through `$GITHUB_ENV`.
    pub(super) fn token_may_be_hidden(&self) -> bool {
        (self.mint.opaque_seen || self.env_written_before()) && !self.job_may_mint()
    }

    /// Whether the job's permissions grant `id-token: write`.
    fn job_may_mint(&self) -> bool {
        self.exec.job.id_token == Some(crate::workflow::Access::Write)
    }

    /// Whether a step of the job before this one writes `$GITHUB_ENV`,
    /// through which it may set a token for the later steps.
    fn env_written_before(&self) -> bool {
        self.exec
            .job
            .steps
            .iter()
            .take(self.exec.top)
            .filter_map(|step| step.run.as_ref())
            .any(|run| run.value.contains("GITHUB_ENV"))
    }

    /// Whether a secret's value was minted by OIDC in this job.
    fn minted(&self, value: &str) -> bool {
        let registry = (!self.table.registry.is_pypi()).then_some(self.table.registry);
        if self.mint.mint_of(value, registry).is_some() {
            return true;
        }
        // `$TOKEN` set by the same script that requested and exchanged it
        // (or `${{ env.TOKEN }}`, written to `$GITHUB_ENV`).
        let env_context = value.starts_with("${{") && value.contains("env.");
        let shell_variable = (value.starts_with('$') && !value.starts_with("${{")) || env_context;
        // A variable tplint cannot follow (set through `$GITHUB_ENV`, say)
        // after the job minted a token of this registry: likely that token,
        // and no finding may say otherwise.
        let after_mint = registry.is_some_and(|r| {
            self.mint
                .mints
                .iter()
                .any(|m| m.registry == r && m.action.is_some())
        });
        (self.mints_inline || after_mint) && shell_variable
    }

    /// The variable this script, or one of the job before it, wrote into
    /// a `.pypirc` as a credential, and where.
    fn pypirc_secret(&self) -> Option<(String, Location)> {
        let own = self.shell.and_then(|(block, _)| {
            let variable = pypirc_credential(&block.text)?;
            Some((
                variable.to_string(),
                Location::new(block.file, block.locate(variable)),
            ))
        });
        own.or_else(|| self.mint.pypirc_secret.clone())
    }

    /// Whether twine may take credentials from a `.pypirc`: a script of
    /// the job so far, or this one, names one, or `--config-file` is given.
    fn pypirc_in_play(&self) -> bool {
        self.mint.pypirc_written
            || self
                .shell
                .is_some_and(|(block, _)| block.text.contains(".pypirc"))
            || self.flag(&["--config-file"]).is_some()
    }

    /// The value of a secret given as a shell variable (`$KEY`, `${KEY}`,
    /// PowerShell's `$env:KEY`, the `${{ env.KEY }}` context) when the
    /// variable is set where tplint can see it, else the value as written.
    fn dereference(&self, value: String) -> String {
        let env_context = value
            .strip_prefix("${{")
            .and_then(|v| v.strip_suffix("}}"))
            .map(str::trim)
            .and_then(|v| v.strip_prefix("env."));
        let name = env_context
            // PowerShell's drive names ignore letter case: `$Env:KEY`.
            .or_else(|| {
                let head = value.get(..5)?;
                head.eq_ignore_ascii_case("$env:").then(|| &value[5..])
            })
            .or_else(|| {
                value
                    .strip_prefix("${")
                    .and_then(|v| v.strip_suffix('}'))
                    .filter(|v| !v.starts_with('{'))
            })
            .or_else(|| value.strip_prefix('$'));
        match name {
            Some(name)
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                // A variable the script set before the command, exported
                // or not, is what the shell puts in its words.
                let in_script = match (env_context, self.shell) {
                    (None, Some((_, command))) => command.shell_variable(name),
                    _ => None,
                };
                match in_script {
                    Some(set) => set.to_string(),
                    None => self
                        .env(name)
                        .map_or(value.clone(), |hit| hit.value.into_owned()),
                }
            }
            _ => value,
        }
    }

    /// How the upload authenticates, and the secret's value when one is given.
    fn auth(&self) -> (Auth, Option<String>) {
        let table = self.table;
        let secret = table
            .secret_flags
            .iter()
            .find_map(|flag| {
                self.flag(&[flag])
                    .map(|value| (value.to_string(), self.locate(flag), format!("`{flag}`")))
            })
            .filter(|(value, ..)| !value.trim().is_empty())
            .or_else(|| {
                table.secret_env.iter().find_map(|name| {
                    self.set_env(name).map(|env| {
                        let source = format!("`{}`", env.name);
                        (env.value.into_owned(), env.location, source)
                    })
                })
            })
            .map(|(value, location, source)| (self.dereference(value), location, source));
        let auth = match &secret {
            Some((value, _, _)) if self.minted(value) => Auth::Oidc,
            Some((_, location, source)) => Auth::Password {
                location: *location,
                source: source.clone(),
            },
            None if table.uploader == Uploader::Uv && self.trusted_publishing_is("never") => {
                Auth::Unknown
            }
            // A token `cargo login` stored: release-plz takes it before
            // trying an exchange (the only tool of a registry with such
            // tokens that exchanges itself).
            None if table.trusted_publishing
                && let Some(given) = self.mint.given_for(table.registry) =>
            {
                return (
                    Auth::Password {
                        location: given.location,
                        source: given.source.clone(),
                    },
                    Some(given.value.clone()),
                );
            }
            // twine takes the password of a `.pypirc` written from a
            // variable before it tries trusted publishing (pypa/twine
            // `twine/utils.py` `get_userpass_value`, read at f536ac5: the
            // configuration's password comes before `auth.py`'s
            // `password_from_keyring_or_trusted_publishing_or_prompt`).
            None if table.uploader == Uploader::Twine
                && let Some((variable, location)) = self.pypirc_secret() =>
            {
                Auth::Password {
                    location,
                    source: format!("the `.pypirc` written from `{variable}`"),
                }
            }
            // A tool that exchanges the OIDC token itself when it finds no
            // token, in a job that cannot request one: after a step tplint
            // cannot see, or one that writes `$GITHUB_ENV`, a token may
            // come from there, so how it authenticates is unknown.
            None if table.trusted_publishing && self.token_may_be_hidden() => Auth::Unknown,
            // twine reads a password from a `.pypirc` a script wrote, or
            // from the configuration file it is given, before it tries
            // trusted publishing.
            None if table.uploader == Uploader::Twine && self.pypirc_in_play() => Auth::Unknown,
            None if table.trusted_publishing => Auth::Oidc,
            // pub.dev: setup-dart mints only when the job may request an
            // OIDC token; without that grant, a credential may come from a
            // step tplint cannot see into.
            None if table.registry == Registry::PubDev
                && self.mint.opaque_seen
                && self.mint.exported(Registry::PubDev).is_some()
                && self.mint.given_for(Registry::PubDev).is_none()
                && self.exec.job.id_token != Some(crate::workflow::Access::Write) =>
            {
                Auth::Unknown
            }
            // pub.dev: a credential the job stored itself (a token added
            // from a secret, a credentials file) wins over setup-dart's,
            // which it replaces or which setup-dart never minted.
            None if table.registry == Registry::PubDev
                && self.mint.given_for(Registry::PubDev).is_some() =>
            {
                match self.mint.given_for(Registry::PubDev) {
                    Some(given) => {
                        return (
                            Auth::Password {
                                location: given.location,
                                source: given.source.clone(),
                            },
                            Some(given.value.clone()),
                        );
                    }
                    None => Auth::Unknown,
                }
            }
            // The key a credentials action exported for the job's later steps.
            None if self.mint.exported(table.registry).is_some() => Auth::Oidc,
            None => match self.mint.given_for(table.registry) {
                Some(given) => {
                    return (
                        Auth::Password {
                            location: given.location,
                            source: given.source.clone(),
                        },
                        Some(given.value.clone()),
                    );
                }
                None => Auth::Unknown,
            },
        };
        (auth, secret.map(|(value, ..)| value))
    }
}

/// The index of `target`, an expression choosing among names or
/// addresses of one registry's indexes (PyPI's and TestPyPI's count as
/// one), for an upload given a token whichever it chooses: orhun/git-cliff's
/// `MATURIN_REPOSITORY: ${{ vars.USE_TESTPYPI == 'true' && 'testpypi' ||
/// 'pypi' }}` with `MATURIN_PYPI_TOKEN` from one secret or the other
/// (the values of `&&`/`||`, [`super::conditions::alternatives`]). The
/// table's own registry when it is one of them, else the first. Any other
/// target, any other upload, or an alternative that is not a literal
/// (a context, a comparison), an empty one, or a token that may be empty:
/// `target` unchanged.
fn chosen_index(
    table: &CommandUploader,
    target: (Target, Option<Location>),
    auth: &Auth,
    secret: Option<&str>,
) -> (Target, Option<Location>) {
    use super::conditions::{Alternative, alternatives};
    let (Target::Expression(text), at) = &target else {
        return target;
    };
    if !matches!(auth, Auth::Password { .. }) {
        return target;
    }
    if let Some(secret) = secret.filter(|s| crate::workflow::is_expression(s)) {
        let token = |a: &Alternative| match a {
            Alternative::Context(key) => key.starts_with("secrets."),
            Alternative::Literal(value) => !value.trim().is_empty(),
            Alternative::Other => false,
        };
        if !alternatives(secret).is_some_and(|given| given.iter().all(token)) {
            return target;
        }
    }
    let Some(names) = alternatives(text) else {
        return target;
    };
    let mut chosen: Option<Registry> = None;
    for name in &names {
        let Alternative::Literal(name) = name else {
            return target;
        };
        let name = name.trim();
        if name.is_empty() || crate::workflow::is_expression(name) {
            return target;
        }
        let Target::Registry(index) = named_target(table, name) else {
            return target;
        };
        chosen = match chosen {
            None => Some(index),
            Some(first) if first == index || (first.is_pypi() && index.is_pypi()) => {
                Some(if index == table.registry {
                    index
                } else {
                    first
                })
            }
            Some(_) => return target,
        };
    }
    match chosen {
        Some(index) => (Target::Registry(index), *at),
        None => target,
    }
}

fn named_target(table: &CommandUploader, name: &str) -> Target {
    if name.contains("://") || crate::workflow::is_expression(name) {
        return target_of_url(name);
    }
    if !table.registry.is_pypi() {
        // `pypi_names` are the names of the table's own registry.
        return if table.pypi_names.contains(&name) {
            Target::Registry(table.registry)
        } else {
            Target::Custom(name.to_string())
        };
    }
    if table.testpypi_names.contains(&name) {
        Target::Registry(Registry::TestPypi)
    } else if table.pypi_names.contains(&name) {
        Target::Registry(Registry::Pypi)
    } else {
        Target::Custom(name.to_string())
    }
}

/// Whether an npm release tool's command runs a release older than the
/// first that exchanges the OIDC token: the version `npx
/// semantic-release@24` names, else one the text before it installs (`npm
/// i -g semantic-release@19`), else the one the repository depends on.
fn tool_predates_oidc(
    words: &[String],
    before: &str,
    tool: &str,
    depended: Option<u64>,
    first_oidc_major: u64,
) -> bool {
    let prefix = format!("{tool}@");
    let major = |word: &str| {
        let spec = word
            .trim_matches(['"', '\''])
            .rsplit('/')
            .next()?
            .strip_prefix(prefix.as_str())?;
        crate::release_config::spec_major(spec.trim_matches(['"', '\'']))
    };
    let named = words.iter().find_map(|w| major(w));
    let installed = || before.split_whitespace().filter_map(major).next_back();
    named
        .or_else(installed)
        .or(depended)
        .is_some_and(|major| major < first_oidc_major)
}

/// Whether an npm client or release tool with these arguments publishes,
/// by its options and the repository's configuration: Yarn classic's
/// `yarn publish` only outside Yarn 2+ repositories, `nx release` only
/// with `--yes` (else it asks) and no `--skip-publish` or other step, no
/// dry run of Nx or release-it, release-it only where its configuration
/// keeps the npm plugin publishing.
fn npm_tool_publishes(
    uploader: Uploader,
    subcommand: &str,
    args: &[String],
    tools: &crate::release_config::NpmTools,
) -> bool {
    use crate::registry::npm::{NX_RELEASE_OTHER_STEPS, RELEASE_IT_SKIPS};
    match uploader {
        Uploader::YarnClassic => !tools.yarn_berry,
        Uploader::Nx(_) => {
            if is_dry_run(args) || shell::has_flag(args, &["-d", "--skip-publish"]) {
                return false;
            }
            subcommand != "release"
                || (shell::has_flag(args, &["--yes", "-y"])
                    && !args
                        .iter()
                        .find(|a| !a.starts_with('-'))
                        .is_some_and(|step| NX_RELEASE_OTHER_STEPS.contains(&step.as_str())))
        }
        Uploader::ReleaseIt => {
            tools.release_it != crate::release_config::ToolPublishes::Skips
                && !shell::has_flag(args, RELEASE_IT_SKIPS)
        }
        _ => true,
    }
}

/// The program name of a word: its last path component, after any leading
/// variable references (`${PREFIX}twine`, `$VENV/bin/uv`), a short name
/// read as the long one (`pn` is `pnpm`, `registry::npm::SHORT_NAMES`).
fn program_name(word: &str) -> &str {
    crate::registry::npm::long_name(base_program_name(word))
}

fn base_program_name(word: &str) -> &str {
    let mut rest = word;
    loop {
        let skipped = if let Some(tail) = rest.strip_prefix("${") {
            tail.find('}').map(|at| &tail[at + 1..])
        } else if let Some(tail) = rest.strip_prefix("$(") {
            tail.find(')').map(|at| &tail[at + 1..])
        } else if let Some(tail) = rest.strip_prefix('$') {
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            Some(&tail[end..])
        } else {
            None
        };
        match skipped {
            Some(tail) if !tail.is_empty() => rest = tail,
            _ => break,
        }
    }
    shell::last_component(rest)
}

/// `yarn workspace NAME CMD...` and `yarn workspaces foreach [OPTIONS]
/// CMD...` run the Yarn command CMD (`npm publish` is `yarn npm publish`,
/// `exec ...` a shell command) in workspace NAME, or in each workspace:
/// the command as Yarn runs it, and the workspace it names (a package).
/// Read in yarnpkg/berry `plugin-workspace-tools/sources/commands/`
/// `workspace.ts` and `foreach.ts` [745da4b]; the `foreach` options that
/// take a value are `-j`/`--jobs`, `--include`, `--exclude` and `--from`.
fn yarn_in_workspace(words: &[String]) -> Option<(Vec<String>, Option<String>)> {
    let words = super::expand::strip_prefixes(words);
    let (yarn, rest) = words.split_first()?;
    if program_name(yarn) != "yarn" {
        return None;
    }
    let (command, name) = match rest {
        [workspace, name, command @ ..] if workspace == "workspace" => {
            (command, Some(name.clone()))
        }
        [workspaces, foreach, options @ ..]
            if workspaces == "workspaces" && foreach == "foreach" =>
        {
            let command = super::expand::skip_options(
                options,
                &["-j", "--jobs", "--include", "--exclude", "--from"],
            );
            (command, None)
        }
        _ => return None,
    };
    if command.is_empty() {
        return None;
    }
    let mut rewritten = vec![yarn.clone()];
    rewritten.extend(command.iter().cloned());
    Some((rewritten, name))
}

/// Programs that another program runs as its subcommand and that are
/// named with it (`dotnet nuget push`, which [`unwrap_command`] reads as
/// `nuget push`): the host and the program.
const NAMED_WITH_HOST: &[(&str, &str)] = &[("dotnet", "nuget")];

/// Strip wrappers such as `python -m`, `pipx run`, `uvx`, `uv run`,
/// `pdm run` so the uploader itself comes first.
fn unwrap_command(words: &[String]) -> &[String] {
    let mut rest = words;
    loop {
        let first = rest.first().map(String::as_str).unwrap_or_default();
        let second = rest.get(1).map(String::as_str).unwrap_or_default();
        let program = program_name(first);
        // `$(PYTHON) -m twine`: a variable standing for the interpreter.
        let variable = first.starts_with('$') && program.starts_with(['$', '(', '{']);
        // `timeout 60s`, `xargs -I{}`, `find ... -exec`, `sudo`, `env`, ...
        let unwrapped = super::expand::strip_prefixes(rest);
        if unwrapped.len() < rest.len() {
            rest = unwrapped;
            continue;
        }
        let skip = match (program, second) {
            // `/usr/bin/env twine upload`: a wrapper named by its path.
            ("sudo" | "time" | "exec" | "command" | "nohup" | "env", _) => 1,
            (p, "-m") if p.starts_with("python") || p == "py" || variable => 2,
            ("pipx" | "pdm" | "poetry" | "hatch" | "rye" | "pixi" | "uv", "run") => 2,
            ("uv", "tool") if rest.get(2).is_some_and(|w| w == "run") => 3,
            ("uvx", _) => 1,
            // `npx npm@11 publish`, `corepack pnpm publish`, `pnpm exec`.
            ("npx" | "corepack", _) => 1,
            ("pnpm", "exec" | "dlx") => 2,
            // `pnpm changeset publish`, `yarn changeset publish`: the
            // package manager runs the tool's binary.
            ("pnpm" | "yarn", _) if super::tasks::starts_release_tool(&rest[1..]) => 1,
            // `pnpm jsr publish`: pnpm and Yarn run a dependency's binary
            // named where their own command would be (pnpm.io/cli/exec:
            // "The exec part is actually optional"), and neither has a
            // `jsr` command (colinhacks/zod's release workflow).
            ("pnpm" | "yarn", "jsr") => 1,
            // `npm exec jsr publish`, `npm x jsr publish`.
            ("npm", "exec" | "x") => 2,
            // `yarn dlx jsr publish`, `bunx jsr publish`, `bun x jsr publish`.
            ("yarn", "dlx") | ("bun", "x") => 2,
            // `yarn exec npm publish`: a shell command Yarn runs.
            ("yarn", "exec") => 2,
            ("bunx", _) => 1,
            // `uv run -m twine`: the runner's own `-m`.
            ("-m", _) => 1,
            ("bundle", "exec") => 2,
            // `dotnet nuget push` reads as `nuget push`.
            ("dotnet", "nuget") => 1,
            _ => break,
        };
        rest = &rest[skip.min(rest.len())..];
        // Options of the wrapper before the wrapped command.
        rest = shell::skip_runner_options(rest);
    }
    rest
}

/// Global options of the uploaders that take a value, so that the value is
/// not taken for the subcommand (uv's and twine's `--help`).
const GLOBAL_VALUE_OPTIONS: &[&str] = &[
    "--directory",
    "--project",
    "--config-file",
    "--cache-dir",
    "--color",
    "--python-preference",
    "--python-fetch",
    "--allow-insecure-host",
    // pnpm's and npm's options that may come before `publish`.
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--workspace",
    "--prefix",
    "--loglevel",
];

/// Position of the first word after the program that is not a global
/// option or its value.
fn subcommand_position(words: &[String]) -> Option<usize> {
    if program_name(&words[0]) == "rake" {
        return rake_task_position(words);
    }
    let mut at = 1;
    while let Some(word) = words.get(at) {
        // `cargo +stable publish`: a toolchain, not a subcommand.
        if !word.starts_with('-') && !word.starts_with('+') {
            return Some(at);
        }
        let takes_value = !word.contains('=') && GLOBAL_VALUE_OPTIONS.contains(&word.as_str());
        at += 1 + usize::from(takes_value);
    }
    None
}

/// rake runs every task it is given, wherever it stands among the options
/// (`rake -f -r bundler/gem_tasks release`): the position of the first
/// word that names a publishing task (`release[origin]` is `release`).
fn rake_task_position(words: &[String]) -> Option<usize> {
    let tasks = command_uploaders()
        .filter(|t| t.program == "rake")
        .flat_map(|t| t.subcommands.iter());
    let tasks: Vec<&str> = tasks.copied().collect();
    (1..words.len()).find(|&at| tasks.contains(&task_name(&words[at])))
}

/// A rake task without its arguments (`release[origin]`).
fn task_name(word: &str) -> &str {
    word.split_once('[').map_or(word, |(name, _)| name)
}

/// Whether `--dry-run` makes a command upload nothing: the bare flag, or
/// `--dry-run=` with a value that is not `false` or `0`. A value tplint
/// cannot read (`--dry-run=${{ needs.validate.outputs.dry_run }}`,
/// `--dry-run="$DRY_RUN"`, as angular-eslint/angular-eslint's release
/// workflow passes `false` on a push) may publish.
fn is_dry_run(args: &[String]) -> bool {
    args.iter().any(|word| {
        if word == "--dry-run" {
            return true;
        }
        let Some(value) = word.strip_prefix("--dry-run=") else {
            return false;
        };
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        let unknown = value.contains("${{") || value.contains('$');
        !unknown && !value.eq_ignore_ascii_case("false") && value != "0"
    })
}

/// Whether shell text requests the OIDC token and exchanges it at a
/// registry (PyPI's `mint-token`, or another registry's endpoint).
fn mints_inline(text: &str) -> bool {
    (text.contains("mint-token") || inline_exchange(text).is_some())
        && (text.contains("ACTIONS_ID_TOKEN_REQUEST") || text.contains("getIDToken"))
}

/// Where `needle` first is in the part `within` of `source`, else all of
/// `within`.
fn span_in(source: &str, within: Span, needle: &str) -> Span {
    source
        .get(within.range())
        .and_then(|raw| raw.find(needle))
        .map_or(within, |at| {
            Span::new(within.start + at, within.start + at + needle.len())
        })
}

/// Shell text worth reading for uploads: every uploader's command has one
/// of these (`publish`, `upload`, `gem push`, `nuget push`, `rake release`,
/// and the release tools without such a word). Kept narrow: `push` and `release` alone are in most release scripts.
pub const UPLOAD_WORDS: &[&str] = &[
    "publish",
    "upload",
    "gem push",
    "nuget push",
    "rake",
    "release-plz",
    "semantic-release",
    "cargo release",
    "smart-release",
    "release-it",
    "nx release",
    // pub's own names for `publish` (`dart pub lish`).
    "pub lish",
    "pub lush",
];

/// Whether shell text mentions one of [`UPLOAD_WORDS`] (this runs on
/// every script of every job).
pub fn mentions_upload_word(text: &str) -> bool {
    static WORDS: std::sync::LazyLock<super::words::AnyWord> =
        std::sync::LazyLock::new(|| super::words::AnyWord::new(UPLOAD_WORDS));
    WORDS.in_text(text)
}

/// The uploads in a block of shell text.
pub fn shell_sites(
    block: &ShellBlock<'_, '_, '_>,
    commands: &[Command],
    mint: &MintState,
) -> Vec<PublishSite> {
    // Skip the scripts that mention no uploader's subcommand.
    if !mentions_upload_word(&block.text) {
        return Vec::new();
    }
    // The commands of command substitutions run too (pnpm/pnpm's
    // npm-staged-publication.sh: `stage_output=$(pnpm stage publish ...)`),
    // in the text's order with the others.
    let merged: Vec<Command>;
    // Only text from the first substitution on can hold one, and only a
    // command naming an upload word can be an upload.
    let first_substitution = [block.text.find("$("), block.text.find('`')]
        .into_iter()
        .flatten()
        .min();
    let commands = if first_substitution.is_some_and(|at| mentions_upload_word(&block.text[at..])) {
        let mut inner = shell::substituted_where(&block.text, commands, &mentions_upload_word);
        inner.retain(|c| c.words.iter().any(|w| mentions_upload_word(w)));
        if inner.is_empty() {
            commands
        } else {
            let mut all = commands.to_vec();
            all.extend(inner);
            all.sort_by_key(|c| c.offset);
            merged = all;
            &merged
        }
    } else {
        commands
    };
    let exec = block.exec;
    let inline_mint = mints_inline(&block.text);
    let mut sites = Vec::new();
    for command in commands {
        let in_workspace = yarn_in_workspace(&command.words);
        let wrapped: &[String] = in_workspace.as_ref().map_or(&command.words, |w| &w.0);
        let words = unwrap_command(wrapped);
        // The word before the uploader's program (`dotnet` of `dotnet
        // nuget push`); `unwrap_command` keeps the end of the command.
        let before_program = wrapped[..wrapped.len() - words.len()].last();
        // `deno run -A jsr:@david/publish-on-tag [args]` runs `deno
        // publish [args]` on a tag (`registry::jsr::PUBLISH_ON_TAG`).
        let on_tag: Option<Vec<String>> = (words.first().map(String::as_str) == Some("deno")
            && words.get(1).is_some_and(|w| w == "run"))
        .then(|| {
            let at = words
                .iter()
                .position(|w| super::tasks::is_publish_on_tag(w))?;
            let mut rewritten = vec!["deno".to_string(), "publish".to_string()];
            rewritten.extend(words[at + 1..].iter().cloned());
            Some(rewritten)
        })
        .flatten();
        let words: &[String] = on_tag.as_deref().unwrap_or(words);
        let Some(program) = words.first() else {
            continue;
        };
        let program = program_name(program);
        // `npm@11` run by `npx`: the program is npm.
        let program = match program.split_once('@') {
            Some((name, _)) if !name.is_empty() => name,
            _ => program,
        };
        // Global options may come before the subcommand (`uv -v publish`,
        // `twine --no-color upload`, `uv --directory pkg publish`).
        // A tool without subcommands (semantic-release) takes only options.
        let bare = command_uploaders().find(|t| t.program == program && t.subcommands.is_empty());
        let Some(at) = bare.map_or_else(|| subcommand_position(words), |_| Some(1)) else {
            continue;
        };
        let Some((table, subcommand_words)) = bare.map(|t| (t, 0)).or_else(|| {
            command_uploaders().find_map(|t| {
                if t.program != program {
                    return None;
                }
                // A subcommand may be two words (`npm stage publish`), or a
                // rake task with arguments (`release[remote]`).
                t.subcommands.iter().find_map(|s| {
                    let count = s.split(' ').count();
                    let matches = count <= words.len() - at
                        && s.split(' ')
                            .zip(&words[at..])
                            .all(|(p, w)| p == task_name(w));
                    matches.then_some((t, count))
                })
            })
        }) else {
            continue;
        };
        let subcommand = words[at..at + subcommand_words].join(" ");
        let args = &words[at + subcommand_words..];
        if shell::has_flag(args, &["--help", "-h"]) || is_dry_run(args) {
            continue;
        }
        if table.uploader == Uploader::Cargo
            && shell::has_flag(args, crate::registry::crates_io::DRY_RUN_FLAGS)
        {
            continue;
        }
        // semantic-release publishes to npm only with its npm plugin (the
        // repository's configuration, unless `--extends` names another).
        if table.uploader == Uploader::SemanticRelease
            && (mint.semantic_release != SemanticReleaseNpm::Publishes
                || shell::has_flag(args, crate::registry::npm::SEMANTIC_RELEASE_DRY_RUN)
                || shell::has_flag(args, &["--extends", "-e"]))
        {
            continue;
        }
        if table.uploader == Uploader::CargoRelease
            && (!crate::registry::crates_io::cargo_release_publishes(args)
                || (mint.cargo_release_unpublished
                    && !shell::has_flag(
                        args,
                        crate::registry::crates_io::CARGO_RELEASE_PUBLISH_OVERRIDES,
                    )))
        {
            continue;
        }
        if table.uploader == Uploader::CargoSmartRelease
            && !crate::registry::crates_io::smart_release_publishes(args)
        {
            continue;
        }
        if !npm_tool_publishes(table.uploader, &subcommand, args, &mint.npm_tools) {
            continue;
        }
        // The repository's release-plz configuration, unless another is named.
        if table.uploader == Uploader::ReleasePlz
            && mint.release_plz_unpublished
            && !shell::has_flag(args, &["--config"])
        {
            continue;
        }
        // `changeset publish` and `nx release` run the client the
        // repository uses.
        let uploader = match table.uploader {
            Uploader::Changesets(_) => {
                Uploader::Changesets(mint.npm.changesets_client.unwrap_or(NpmClient::Npm))
            }
            Uploader::Nx(_) => Uploader::Nx(mint.npm_tools.nx_client.unwrap_or(NpmClient::Npm)),
            uploader => uploader,
        };
        if table.uploader == Uploader::DartPub
            && shell::has_flag(args, crate::registry::pub_dev::DRY_RUN_FLAGS)
        {
            continue;
        }
        if table.uploader == Uploader::Melos && !crate::registry::pub_dev::melos_publishes(args) {
            continue;
        }
        let invocation = Invocation {
            table,
            args,
            shell: Some((block, command)),
            exec,
            file: block.file,
            source: block.source,
            within: block.within,
            mint,
            mints_inline: inline_mint,
        };
        // `rake release gem_push=no` tags and pushes the commit only.
        if table.uploader == Uploader::RakeRelease
            && !crate::registry::rubygems::rake_release_pushes(words, |name| {
                invocation.env(name).map(|hit| hit.value.into_owned())
            })
        {
            continue;
        }
        let (mut auth, secret) = invocation.auth();
        let mut target = chosen_index(table, invocation.target(), &auth, secret.as_deref());
        if table.registry == Registry::NuGet
            && target.1.is_none()
            && let Some((url, location)) = &mint.nuget_push_source
        {
            target = (target_of_url(url), Some(*location));
        }
        let mut npm = (table.registry == Registry::Npm).then(|| {
            let mut site = super::npm::site(
                &invocation,
                &mint.npm,
                super::npm::Command {
                    uploader,
                    before_subcommand: &words[1..at],
                    args,
                    earlier: commands.iter().take_while(|c| c.offset < command.offset),
                },
                &mut target,
                &mut auth,
            );
            site.staged = subcommand == "stage publish"
                || (uploader == Uploader::ReleaseIt
                    && (mint.npm_tools.release_it_staged
                        || args
                            .iter()
                            .any(|a| a == "--npm.stage" || a == "--npm.stage=true")));
            site
        });
        // semantic-release before 25 publishes with its own npm 10, which
        // never exchanges the OIDC token: the token, or whatever npm finds.
        // (The job's grant then does not reach the publish.)
        let before = block.text.get(..command.offset).unwrap_or_default();
        let token_only = match uploader {
            Uploader::SemanticRelease => tool_predates_oidc(
                &command.words,
                before,
                "semantic-release",
                mint.semantic_release_major,
                crate::registry::npm::SEMANTIC_RELEASE_FIRST_OIDC_MAJOR,
            ),
            // Lerna before 9 publishes with libnpmpublish and a token only.
            Uploader::Lerna => tool_predates_oidc(
                &command.words,
                before,
                "lerna",
                mint.npm_tools.lerna_major,
                crate::registry::npm::LERNA_FIRST_OIDC_MAJOR,
            ),
            // Bun has no OIDC exchange (`registry::npm`).
            Uploader::YarnClassic | Uploader::BunPublish => true,
            // npm before 11.5.1 (the one a Node.js before 24.5 bundles,
            // with nothing in the job that may replace it) never exchanges
            // the OIDC token: given a token, it publishes with it, and the
            // job's `id-token: write` only signs provenance
            // (tauri-apps/tauri's publish-cli-js.yml on Node.js 20). So
            // does pnpm 10 or earlier, which runs that npm to publish
            // (tauri-apps/tauri's covector publish with pnpm 9).
            Uploader::Npm | Uploader::Pnpm => npm.as_ref().is_some_and(|site| {
                (uploader == Uploader::Npm
                    || site
                        .pnpm_major
                        .or(mint.npm_tools.pnpm_major)
                        .is_some_and(|major| major < 11))
                    && site.token.is_some()
                    && !site.npm_replaced
                    && site
                        .node
                        .as_ref()
                        .and_then(|node| node.version)
                        .is_some_and(|(major, minor)| {
                            !crate::registry::npm::node_bundles_oidc_npm(major, minor)
                        })
                    // A step tplint cannot see (an unknown action) may
                    // have installed another npm.
                    && !mint.opaque_seen
            }),
            _ => false,
        };
        // A client tplint does not read (bun under Nx), or a release-it
        // configuration it cannot judge: how it authenticates is unknown.
        let unknown_client = match uploader {
            // Each project's `nx-release-publish` target may have another
            // executor than `@nx/js:release-publish` (a Rust or Python
            // plugin's): without a grant and an npm token in sight, the
            // job's authentication is not concluded on.
            Uploader::Nx(_) => {
                mint.npm_tools.nx_client.is_none()
                    || npm
                        .as_ref()
                        .is_some_and(|site| !site.oidc_granted && site.token.is_none())
            }
            Uploader::ReleaseIt => {
                mint.npm_tools.release_it == crate::release_config::ToolPublishes::Unknown
            }
            _ => false,
        };
        if unknown_client {
            auth = Auth::Unknown;
        }
        // A command a Ruby, Python or JavaScript script runs, when the script sets
        // the environment it runs with or writes a credentials file: a
        // token may come from there.
        if block.kind == super::expand::BlockKind::Foreign
            && !matches!(auth, Auth::Password { .. })
            && super::scripts::sets_environment(block.source)
        {
            auth = Auth::Unknown;
        }
        if token_only && let Some(site) = npm.as_mut() {
            site.token_only = true;
            site.oidc_granted = false;
            auth = match &site.token {
                Some((location, source)) => Auth::Password {
                    location: *location,
                    source: source.clone(),
                },
                None => Auth::Unknown,
            };
        }
        let via = block.via.clone();
        let needle = if subcommand.is_empty() {
            words[0].clone()
        } else {
            format!("{} {subcommand}", words[0])
        };
        let span = invocation.locate(&needle).span;
        let found = block.source.get(span.range()) == Some(needle.as_str());
        let span = if block.kind == super::expand::BlockKind::Implied {
            block.within
        } else if found {
            span
        } else {
            // Options between program and subcommand: point at the program.
            invocation.locate(&words[0]).span
        };
        sites.push(PublishSite {
            job: exec.job.index,
            step: exec.top,
            file: block.file,
            via,
            inner: exec.action_index().map(|a| (a, exec.step.index)),
            uploader,
            target: target.0,
            target_span: target.1,
            auth,
            span,
            oidc_required: table.uploader != Uploader::Uv
                || invocation.trusted_publishing_is("always"),
            gate: on_tag
                .is_some()
                .then(|| crate::registry::jsr::PUBLISH_ON_TAG_GATE.to_string())
                .or_else(|| block.gate.clone()),
            npm,
            secret,
            folder: Some(block.cwd.clone()),
            written: {
                // `pn publish`: named as written (pnpm's short name).
                let spelled = base_program_name(&words[0]);
                let name = uploader.name();
                (spelled != program_name(&words[0]))
                    .then(|| name.strip_prefix(program))
                    .flatten()
                    .filter(|rest| rest.is_empty() || rest.starts_with(' '))
                    .map(|rest| format!("{spelled}{rest}"))
                    // `dotnet nuget push`, read as `nuget push`.
                    .or_else(|| {
                        let host = before_program.map(|w| base_program_name(w))?;
                        NAMED_WITH_HOST
                            .contains(&(host, program))
                            .then(|| format!("{host} {name}"))
                    })
            },
            package: match table.uploader {
                Uploader::Cargo => crate::registry::crates_io::named_package(args),
                _ => in_workspace.as_ref().and_then(|w| w.1.clone()),
            },
            workspace: block.cwd.is_empty()
                && !(table.uploader == Uploader::ReleasePlz && mint.release_plz_selects)
                && crate::registry::crates_io::publishes_workspace(table.uploader, args),
        });
    }
    sites
}

/// `PyO3/maturin-action` with `command: upload` or `publish`.
fn maturin_action(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    let uses = exec.step.uses.as_ref()?;
    if !crate::registry::pypi::is_maturin_action(&uses.target) {
        return None;
    }
    let (_, command) = exec.input("command")?;
    if !matches!(command.trim(), "upload" | "publish") {
        return None;
    }
    let table = COMMAND_UPLOADERS
        .iter()
        .find(|t| t.uploader == Uploader::Maturin)?;
    let args_value = exec.input("args");
    let args: Vec<String> = args_value
        .as_ref()
        .map(|(_, value)| {
            shell::commands(value)
                .into_iter()
                .flat_map(|c| c.words)
                .collect()
        })
        .unwrap_or_default();
    if shell::has_flag(&args, &["--dry-run"]) {
        return None;
    }
    let invocation = Invocation {
        table,
        args: &args,
        shell: None,
        exec,
        file: exec.file,
        source: exec.source,
        within: args_value.map_or(uses.raw.span, |(kv, _)| kv.value.span),
        mint,
        mints_inline: false,
    };
    let target = invocation.target();
    let (auth, secret) = invocation.auth();
    let target = chosen_index(table, target, &auth, secret.as_deref());
    Some(site_at(
        exec,
        Uploader::MaturinAction,
        target,
        auth,
        uses.raw.span,
        true,
    ))
}

/// A third-party action of the registries' uploader tables
/// ([`crate::registry::publishing::uploader_actions`]).
fn uploader_action(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    let uses = exec.step.uses.as_ref()?;
    // npm's have a reader of their own (`super::npm::action_site`).
    let entry = crate::registry::publishing::uploader_actions().find(|a| {
        a.registry != Registry::Npm
            && a.action != PYPI_PUBLISH_ACTION
            && a.action != MATURIN_ACTION
            && a.matches(&uses.target)
    })?;
    let mut gate = None;
    if let Some((input, when)) = entry.when {
        let value = exec
            .input(input)
            .map(|(_, v)| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if crate::workflow::is_expression(&value)
            && matches!(when, When::OneOf(v) if v.contains(&"true"))
        {
            gate = exec.input(input).map(|(_, v)| v.trim().to_string());
        }
        let uploads = crate::workflow::is_expression(&value)
            || match when {
                When::OneOf(values) => values.contains(&value.as_str()),
                When::NoneOf(values) => !values.contains(&value.as_str()),
            };
        if !uploads {
            return None;
        }
    }
    let target = match entry.url_input.and_then(|input| exec.input(input)) {
        Some((kv, value)) if !value.trim().is_empty() => {
            (target_of_url(&value), Some(exec.location(kv.value.span)))
        }
        _ => (Target::Registry(entry.registry), None),
    };
    let token = entry
        .token_inputs
        .iter()
        .find_map(|input| {
            exec.input(input)
                .filter(|(_, value)| !value.trim().is_empty())
                .map(|(kv, value)| {
                    let location = exec.location(kv.key.span);
                    (value.into_owned(), location, format!("`{input}`"))
                })
        })
        .or_else(|| {
            entry.token_env.iter().find_map(|name| {
                exec.env(name)
                    .filter(|e| !e.value.trim().is_empty())
                    .map(|e| (e.value.into_owned(), e.location, format!("`{}`", e.name)))
            })
        });
    let may_mint = || super::expand::job_may_mint(exec.job);
    let auth = match (entry.auth, token) {
        (ActionAuth::TrustedPublishingWhenPermitted, _) if may_mint() => Auth::Oidc,
        (_, Some((value, _, _))) if mint.minted(&value) => Auth::Oidc,
        (_, Some((_, location, source))) => Auth::Password { location, source },
        (ActionAuth::TrustedPublishing, None) => Auth::Oidc,
        (_, None) => Auth::Unknown,
    };
    let mut site = site_at(
        exec,
        Uploader::Action(entry.action),
        target,
        auth,
        uses.raw.span,
        true,
    );
    site.gate = gate;
    Some(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypirc_credentials_are_variables_written_as_the_file_or_its_password() {
        let cases = [
            ("echo \"$PYPIRC\" > ~/.pypirc", Some("$PYPIRC")),
            (
                "cp \"$PYPIRC_FILE\" .pypirc && twine upload",
                Some("$PYPIRC_FILE"),
            ),
            (
                "echo ${PYPIRC} | base64 -d > $HOME/.pypirc",
                Some("${PYPIRC}"),
            ),
            (
                "printf '%s' \"${{ secrets.PYPIRC }}\" > .pypirc",
                Some("${{ secrets.PYPIRC }}"),
            ),
            (
                "base64 -d <<< \"$PYPIRC_B64\" > ~/.pypirc",
                Some("$PYPIRC_B64"),
            ),
            (
                "echo \"password = $PYPI_TOKEN\" >> ~/.pypirc",
                Some("$PYPI_TOKEN"),
            ),
            (
                "cat > ~/.pypirc <<-'EOF'\n[pypi]\nusername = __token__\npassword = ${{ secrets.PYPI }}\nEOF",
                Some("${{ secrets.PYPI }}"),
            ),
            // Close calls: no credential in what is written.
            ("echo \"[pypi]\" > ~/.pypirc", None),
            ("echo \"repository = $INDEX_URL\" >> ~/.pypirc", None),
            ("echo \"username = $USER\" >> ~/.pypirc", None),
            (
                "cat > ~/.pypirc <<EOF\n[testpypi]\nrepository = $URL\nEOF\necho \"$X\"",
                None,
            ),
            ("twine upload --config-file .pypirc dist/*", None),
            ("rm ~/.pypirc", None),
        ];
        for (text, expected) in cases {
            assert_eq!(pypirc_credential(text), expected, "{text}");
        }
    }

    fn sites_with(header: &str, job_env: &str, steps: &str) -> Vec<PublishSite> {
        let src = format!(
            "on: push\n{header}jobs:\n  p:\n    runs-on: ubuntu-latest\n{job_env}    steps:\n{steps}"
        );
        let repo =
            crate::repository::Repository::in_memory("w.yml", src.into_bytes(), None).unwrap();
        let facts = crate::facts::Facts::derive(&repo);
        facts.workflows[0].publish_sites.clone()
    }

    fn sites(steps: &str) -> Vec<PublishSite> {
        sites_with("", "", steps)
    }

    #[test]
    fn gh_action_trusted_publishing_to_pypi_by_default() {
        let s = sites("      - uses: pypa/gh-action-pypi-publish@release/v1\n");
        assert_eq!(s.len(), 1);
        assert!(s[0].is_oidc());
        assert_eq!(s[0].index(), Some(Registry::Pypi));
    }

    #[test]
    fn gh_action_password_and_testpypi() {
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n          repository-url: https://test.pypi.org/legacy/\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        assert_eq!(s[0].index(), Some(Registry::TestPypi));
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ''\n",
        );
        assert!(s[0].is_oidc());
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            target_of_url("https://upload.pypi.org/legacy"),
            Target::Registry(Registry::Pypi)
        );
        assert_eq!(
            target_of_url("https://test.pypi.org/legacy/"),
            Target::Registry(Registry::TestPypi)
        );
        assert!(matches!(
            target_of_url("${{ vars.URL }}"),
            Target::Expression(_)
        ));
        assert!(matches!(
            target_of_url("https://pkgs.example.com/simple/"),
            Target::Custom(_)
        ));
    }

    #[test]
    fn every_uploader_and_wrapper_is_found() {
        for (script, uploader) in [
            ("uv publish", Uploader::Uv),
            ("uv -v --no-progress publish", Uploader::Uv),
            ("uv --directory pkg publish", Uploader::Uv),
            ("twine upload dist/*", Uploader::Twine),
            ("twine --no-color upload dist/*", Uploader::Twine),
            ("python -m twine upload dist/*", Uploader::Twine),
            (
                "python3 -m twine upload --skip-existing dist/*",
                Uploader::Twine,
            ),
            ("pipx run twine upload dist/*", Uploader::Twine),
            ("uvx twine upload dist/*", Uploader::Twine),
            ("uv run --with twine twine upload dist/*", Uploader::Twine),
            (
                "uv run --with twine -m twine upload dist/*",
                Uploader::Twine,
            ),
            ("pdm publish --no-build", Uploader::Pdm),
            ("maturin upload dist/*", Uploader::Maturin),
            ("maturin publish", Uploader::Maturin),
            ("poetry publish --build", Uploader::Poetry),
            ("hatch publish", Uploader::Hatch),
            ("flit publish", Uploader::Flit),
        ] {
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, uploader, "{script}");
        }
    }

    #[test]
    fn dry_runs_and_other_commands_are_not_uploads() {
        for script in [
            "uv publish --dry-run",
            "poetry publish --dry-run",
            "twine check dist/*",
            "uv build",
            "echo uv publish",
            "pip install twine",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn run_blocks_with_chains_and_continuations() {
        let s = sites(
            "      - run: |\n          uv build && \\\n            uv publish \\\n              --trusted-publishing always\n          twine upload -r testpypi dist/*\n",
        );
        assert_eq!(s.len(), 2);
        assert!(s[0].oidc_required && s[0].is_oidc());
        assert_eq!(s[1].index(), Some(Registry::TestPypi));
    }

    #[test]
    fn targets_from_flags_and_env() {
        let s = sites("      - run: uv publish --publish-url https://test.pypi.org/legacy/\n");
        assert_eq!(s[0].index(), Some(Registry::TestPypi));
        let s = sites(
            "      - run: twine upload --repository-url https://pkgs.example.com/ dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.X }}\n",
        );
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites_with(
            "env:\n  UV_PUBLISH_URL: https://test.pypi.org/legacy/\n",
            "",
            "      - run: uv publish\n",
        );
        assert_eq!(s[0].index(), Some(Registry::TestPypi));
        let s = sites("      - run: hatch publish -r test\n");
        assert_eq!(s[0].index(), Some(Registry::TestPypi));
        let s = sites("      - run: uv publish --publish-url ${{ vars.INDEX }}\n");
        assert!(matches!(s[0].target, Target::Expression(_)));
    }

    #[test]
    fn secrets_from_flags_and_every_env_level() {
        let s = sites("      - run: uv publish --token ${{ secrets.PYPI }}\n");
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`--token`"));
        let s = sites_with(
            "",
            "    env:\n      MATURIN_PYPI_TOKEN: ${{ secrets.PYPI }}\n",
            "      - run: maturin upload dist/*\n",
        );
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source == "`MATURIN_PYPI_TOKEN`")
        );
        let s = sites("      - run: POETRY_PYPI_TOKEN_PYPI=${{ secrets.T }} poetry publish\n");
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites("      - run: poetry publish\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites("      - run: uv publish --trusted-publishing never\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites("      - run: uv publish\n");
        assert!(s[0].is_oidc() && !s[0].oidc_required);
    }

    #[test]
    fn minted_token_counts_as_trusted_publishing() {
        let s = sites(
            "      - id: mint\n        run: |\n          resp=$(curl -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi\")\n          curl -X POST https://pypi.org/_/oidc/mint-token -d \"$resp\"\n      - run: uv publish --token ${{ steps.mint.outputs.token }}\n",
        );
        assert!(s[0].is_oidc(), "{:?}", s[0].auth);
    }

    /// Every uploading action of the table: it publishes when its switch
    /// says so, with a token when one of its token inputs is given, and
    /// authenticates as its entry says otherwise.
    #[test]
    fn every_uploader_action() {
        let entries =
            crate::registry::publishing::uploader_actions().filter(|a| a.registry != Registry::Npm);
        for entry in entries {
            let uses = format!("      - uses: {}@v1\n", entry.action);
            let mut with = Vec::new();
            let mut off = None;
            match entry.when {
                Some((input, When::OneOf(values))) => {
                    let on = values.iter().find(|v| !v.is_empty()).copied();
                    if let Some(value) = on {
                        with.push(format!("{input}: {value}"));
                    }
                    off = Some(format!("{input}: something-else"));
                }
                Some((input, When::NoneOf(values))) => {
                    with.push(format!("{input}: ${{{{ secrets.PYPI }}}}"));
                    // `""` stands for the input being absent: an empty string.
                    off = Some(format!("{input}: '{}'", values[0]));
                }
                None => {}
            }
            let step = |extra: &[String]| {
                let mut text = uses.clone();
                if !extra.is_empty() {
                    text.push_str("        with:\n");
                    for line in extra {
                        text.push_str(&format!("          {line}\n"));
                    }
                }
                text
            };
            let found = sites(&step(&with));
            assert_eq!(found.len(), 1, "{}", entry.action);
            assert_eq!(found[0].index(), Some(entry.registry), "{}", entry.action);
            let expected_oidc = match entry.auth {
                ActionAuth::TokenOnly => false,
                // The test job grants nothing; the workflow grants nothing:
                // it cannot mint, so it would use a token.
                ActionAuth::TrustedPublishingWhenPermitted => false,
                ActionAuth::TrustedPublishing => {
                    // NoneOf switches here carry the token themselves.
                    !entry
                        .when
                        .is_some_and(|(i, _)| entry.token_inputs.contains(&i))
                }
            };
            assert_eq!(found[0].is_oidc(), expected_oidc, "{}", entry.action);
            if let Some(off) = off {
                assert!(sites(&step(&[off])).is_empty(), "{}", entry.action);
            }
            if let Some(token) = entry.token_inputs.first() {
                let mut given = with.clone();
                given.retain(|l| !l.starts_with(token));
                given.push(format!("{token}: ${{{{ secrets.PYPI }}}}"));
                let found = sites(&step(&given));
                assert!(
                    matches!(found[0].auth, Auth::Password { .. }),
                    "{}",
                    entry.action
                );
            }
        }
    }

    #[test]
    fn maturin_action_upload() {
        let s = sites(
            "      - uses: PyO3/maturin-action@v1\n        env:\n          MATURIN_PYPI_TOKEN: ${{ secrets.PYPI }}\n        with:\n          command: upload\n          args: --non-interactive --skip-existing wheels-*/*\n",
        );
        assert_eq!(s[0].uploader, Uploader::MaturinAction);
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(
            "      - uses: PyO3/maturin-action@v1\n        with:\n          command: build\n",
        );
        assert!(s.is_empty());
    }

    #[test]
    fn index_chosen_by_an_expression_of_one_registry() {
        // orhun/git-cliff's cd.yml: PyPI or TestPyPI, a token either way.
        let step = |token: &str, repository: &str| {
            format!(
                "      - uses: PyO3/maturin-action@v1\n        env:\n          MATURIN_PYPI_TOKEN: {token}\n          MATURIN_REPOSITORY: {repository}\n        with:\n          command: upload\n"
            )
        };
        let either = "${{ vars.T == 'true' && secrets.TEST || secrets.MAIN }}";
        let index = "${{ vars.T == 'true' && 'testpypi' || 'pypi' }}";
        let s = sites(&step(either, index));
        assert_eq!(s[0].index(), Some(Registry::Pypi));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(&step(
            "${{ secrets.MAIN }}",
            "${{ inputs.test && 'testpypi' || 'pypi' }}",
        ));
        assert_eq!(s[0].index(), Some(Registry::Pypi));
        // Another index among them, a name not written out, or a token
        // that may be empty (then maturin exchanges the OIDC token).
        for (token, repository) in [
            (either, "${{ vars.T == 'true' && 'private' || 'pypi' }}"),
            (either, "${{ vars.T == 'true' && vars.INDEX || 'pypi' }}"),
            (either, "${{ vars.INDEX }}"),
            ("${{ vars.T == 'true' && secrets.TEST || '' }}", index),
        ] {
            let s = sites(&step(token, repository));
            assert!(matches!(s[0].target, Target::Expression(_)), "{repository}");
        }
    }

    #[test]
    fn cargo_publish_forms() {
        let auth = "      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n";
        let s = sites(&format!(
            "{auth}      - run: cargo publish -p foo\n        env:\n          CARGO_REGISTRY_TOKEN: ${{{{ steps.auth.outputs.token }}}}\n"
        ));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].uploader, Uploader::Cargo);
        assert_eq!(s[0].index(), Some(Registry::CratesIo));
        assert!(s[0].is_oidc());
        // Exported in the script, through a shell variable, or by flag.
        let s = sites(&format!(
            "{auth}      - run: |\n          export CARGO_REGISTRY_TOKEN=${{{{ steps.auth.outputs.token }}}}\n          cargo +stable publish --workspace\n"
        ));
        assert!(s[0].is_oidc(), "{:?}", s[0].auth);
        let s = sites(&format!(
            "{auth}      - run: cargo publish --token \"$TOKEN\"\n        env:\n          TOKEN: ${{{{ steps.auth.outputs.token }}}}\n"
        ));
        assert!(s[0].is_oidc(), "{:?}", s[0].auth);
        // A secret, a wrong output, nothing.
        let s = sites(
            "      - run: cargo publish\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES }}\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        assert_eq!(s[0].secret.as_deref(), Some("${{ secrets.CRATES }}"));
        let s = sites(&format!(
            "{auth}      - run: cargo publish --token ${{{{ steps.auth.outputs.key }}}}\n"
        ));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites("      - run: cargo publish\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        // A secret stored by `cargo login`, as argument or from a variable.
        let s = sites(
            "      - run: cargo login ${{ secrets.CRATES_TOKEN }}\n      - run: cargo publish\n",
        );
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`cargo login`"));
        let s = sites(
            "      - run: echo \"$T\" | cargo login\n        env:\n          T: ${{ secrets.CRATES_TOKEN }}\n      - run: cargo publish\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(&format!(
            "{auth}      - run: cargo login ${{{{ steps.auth.outputs.token }}}}\n      - run: cargo publish\n"
        ));
        assert_eq!(s[0].auth, Auth::Unknown);
        // Another registry, and what is not a publish.
        let s = sites("      - run: cargo publish --registry my-registry\n");
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites("      - run: cargo publish --registry crates-io\n");
        assert_eq!(s[0].index(), Some(Registry::CratesIo));
        for script in [
            "cargo publish --dry-run",
            "cargo publish -n",
            "cargo build --release",
            "cargo package",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn release_plz_forms() {
        let grant = "    permissions:\n      id-token: write\n";
        let action = "      - uses: release-plz/action@v0.5\n";
        // The default command runs `release` too; no token: its own exchange.
        for with in ["", "        with:\n          command: release\n"] {
            let s = sites_with("", grant, &format!("{action}{with}"));
            assert_eq!(s.len(), 1, "{with}");
            assert_eq!(s[0].uploader, Uploader::ReleasePlz);
            assert_eq!(s[0].index(), Some(Registry::CratesIo));
            assert!(s[0].is_oidc());
        }
        // Not a publish: release-pr only, a dry run (any value).
        for with in [
            "        with:\n          command: release-pr\n",
            "        with:\n          command: release\n          dry_run: false\n",
        ] {
            assert!(sites(&format!("{action}{with}")).is_empty(), "{with}");
        }
        // A secret, as input or variable; the auth action's output.
        let s = sites(&format!(
            "{action}        env:\n          CARGO_REGISTRY_TOKEN: ${{{{ secrets.CARGO_REGISTRY_TOKEN }}}}\n"
        ));
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source == "`CARGO_REGISTRY_TOKEN`")
        );
        let s = sites(&format!(
            "{action}        with:\n          token: ${{{{ secrets.CRATES }}}}\n"
        ));
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`token`"));
        let s = sites(&format!(
            "      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n{action}        env:\n          CARGO_REGISTRY_TOKEN: ${{{{ steps.auth.outputs.token }}}}\n"
        ));
        assert!(s[0].is_oidc());
        // Another registry; the former repository name; an old release.
        let s = sites(&format!(
            "{action}        with:\n          registry: my-registry\n"
        ));
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites("      - uses: MarcoIeni/release-plz-action@v0.5\n");
        assert_eq!(s[0].uploader, Uploader::ReleasePlz);
        for old in [
            "      - uses: release-plz/action@v0.5.116\n",
            "      - uses: release-plz/action@0123456789012345678901234567890123456789 # v0.5.100\n",
            "      - uses: release-plz/action@v0.5\n        with:\n          version: 0.3.140\n",
        ] {
            assert_eq!(sites(old)[0].auth, Auth::Unknown, "{old}");
        }
        // The binary in a `run:`.
        let s = sites("      - run: release-plz release --git-token ${{ secrets.GITHUB_TOKEN }}\n");
        assert_eq!(s[0].uploader, Uploader::ReleasePlz);
        assert!(s[0].is_oidc());
        let s = sites("      - run: release-plz release --token ${{ secrets.CRATES }}\n");
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(
            "      - run: cargo login ${{ secrets.CRATES_TOKEN }}\n      - run: release-plz release\n",
        );
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`cargo login`"));
        for script in [
            "release-plz release-pr",
            "release-plz release --dry-run",
            "release-plz update",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn cargo_release_forms() {
        for script in [
            "cargo release patch --execute --no-confirm",
            "cargo release -x",
            "cargo release publish --execute --no-confirm",
            "cargo release --workspace -p foo -x 1.2.3",
        ] {
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, Uploader::CargoRelease, "{script}");
            assert_eq!(s[0].auth, Auth::Unknown, "{script}");
        }
        for script in [
            "cargo release patch",
            "cargo release tag --execute",
            "cargo release version minor -x",
            "cargo release --execute --no-publish",
            "cargo release changes",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
        for script in [
            "cargo workspaces publish --yes --from-git",
            "cargo ws publish patch --token ${{ secrets.CRATES }}",
        ] {
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, Uploader::CargoWorkspaces, "{script}");
        }
        assert!(sites("      - run: cargo workspaces publish --dry-run\n").is_empty());
        assert!(sites("      - run: cargo workspaces version patch\n").is_empty());
        let s = sites(
            "      - run: cargo release -x --no-confirm\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES }}\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(
            "      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n      - run: cargo release publish -x\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}\n",
        );
        assert!(s[0].is_oidc());
    }

    #[test]
    fn changesets_forms() {
        let grant = "    permissions:\n      id-token: write\n";
        for step in [
            "      - run: npx changeset publish\n",
            "      - run: pnpm changeset publish\n",
            "      - run: yarn changeset publish\n",
            "      - uses: changesets/action@v1\n        with:\n          publish: npx changeset publish\n",
            "      - uses: changesets/action@v2\n        with:\n          publish-script: npx changeset publish --tag next\n",
            "      - uses: changesets/action/publish@v2\n",
        ] {
            let s = sites_with("", grant, step);
            assert_eq!(s.len(), 1, "{step}");
            assert_eq!(
                s[0].uploader,
                Uploader::Changesets(NpmClient::Npm),
                "{step}"
            );
            assert_eq!(s[0].index(), Some(Registry::Npm), "{step}");
            assert!(s[0].is_oidc(), "{step}");
        }
        // Only the version PR; changeset's other commands.
        for step in [
            "      - uses: changesets/action@v1\n",
            "      - uses: changesets/action@v1\n        with:\n          version: pnpm changeset version\n",
            "      - run: npx changeset version\n",
            "      - run: npx changeset status\n",
        ] {
            assert!(sites_with("", grant, step).is_empty(), "{step}");
        }
        // v1 writes NPM_TOKEN into ~/.npmrc: npm falls back to it, or (no
        // id-token) uses it; v2 does not write it.
        let v1 = "      - uses: changesets/action@v1\n        with:\n          publish: npx changeset publish\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
        let s = sites_with("", grant, v1);
        assert!(s[0].is_oidc());
        assert!(s[0].npm.as_ref().unwrap().token.is_some());
        let s = sites(v1);
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source.starts_with("`NPM_TOKEN`"))
        );
        let v2 = v1.replace("publish:", "publish-script:");
        let s = sites_with("", grant, &v2);
        assert!(s[0].npm.as_ref().unwrap().token.is_none());
        // `pnpm release` with no `release` script tplint can read: opaque.
        let src = format!(
            "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n{grant}    steps:\n      - uses: changesets/action@v1\n        with:\n          publish: pnpm release\n"
        );
        let repo =
            crate::repository::Repository::in_memory("w.yml", src.into_bytes(), None).unwrap();
        let facts = crate::facts::Facts::derive(&repo);
        assert!(facts.workflows[0].publish_sites.is_empty());
        assert!(!facts.workflows[0].jobs[0].opaque.is_empty());
    }

    #[test]
    fn github_env_values_reach_later_steps() {
        assert_eq!(
            github_env_writes(
                "echo \"CARGO_REGISTRY_TOKEN=${{ secrets.C }}\" >> \"$GITHUB_ENV\"\necho X >> $GITHUB_OUTPUT\n"
            ),
            [(
                "CARGO_REGISTRY_TOKEN".to_string(),
                "${{ secrets.C }}".to_string()
            )]
        );
        let grant = "    permissions:\n      id-token: write\n";
        // release-plz takes a token it finds before exchanging: one written
        // to `$GITHUB_ENV` by an earlier step is a token.
        let steps = "      - run: echo \"CARGO_REGISTRY_TOKEN=${{ secrets.CRATES }}\" >> $GITHUB_ENV\n      - run: release-plz release\n";
        let s = sites_with("", grant, steps);
        assert!(
            matches!(s[0].auth, Auth::Password { .. }),
            "{:?}",
            s[0].auth
        );
        // Written in the same step: not yet set for it.
        let same = "      - run: |\n          echo \"CARGO_REGISTRY_TOKEN=${{ secrets.CRATES }}\" >> $GITHUB_ENV\n          release-plz release\n";
        assert!(sites_with("", grant, same)[0].is_oidc());
    }

    #[test]
    fn npm_release_tool_forms() {
        let grant = "    permissions:\n      id-token: write\n";
        for (script, uploader) in [
            ("npx lerna publish from-git --yes", Uploader::Lerna),
            (
                "lerna publish from-package --no-verify-access",
                Uploader::Lerna,
            ),
            ("pnpm lerna publish --yes", Uploader::Lerna),
            ("npx nx release publish", Uploader::Nx(NpmClient::Npm)),
            ("npx nx release --yes", Uploader::Nx(NpmClient::Npm)),
            ("pnpm nx release -y", Uploader::Nx(NpmClient::Npm)),
            ("npx release-it --ci", Uploader::ReleaseIt),
            ("pnpm release-it minor --ci", Uploader::ReleaseIt),
        ] {
            let s = sites_with("", grant, &format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, uploader, "{script}");
            assert_eq!(s[0].index(), Some(Registry::Npm), "{script}");
            assert!(s[0].is_oidc(), "{script}");
        }
        for script in [
            "npx lerna run build",
            "npx lerna version --yes",
            "npx nx release",
            "npx nx release --yes --skip-publish",
            "npx nx release version --yes",
            "npx nx release publish --dry-run",
            "npx nx run-many -t build",
            "npx release-it --dry-run",
            "npx release-it --no-npm.publish --ci",
            "npx release-it --release-version",
            "yarn npm publish --dry-run",
        ] {
            assert!(
                sites_with("", grant, &format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
        // Yarn classic: a token or nothing, never the OIDC token.
        // Nx without a grant or an npm token: another executor may publish.
        let s = sites("      - run: npx nx release publish\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites_with("", grant, "      - run: yarn publish --access public\n");
        assert_eq!(s[0].uploader, Uploader::YarnClassic);
        assert_eq!(s[0].auth, Auth::Unknown);
        assert!(!s[0].npm.as_ref().unwrap().oidc_granted);
        let token = "      - run: yarn publish --non-interactive\n        env:\n          npm_config_//registry.npmjs.org/:_authToken: ${{ secrets.NPM }}\n";
        assert!(matches!(
            sites_with("", grant, token)[0].auth,
            Auth::Password { .. }
        ));
        // Lerna 8 publishes with a token only; 9 tries OIDC first.
        let s = sites_with("", grant, "      - run: npx lerna@8 publish from-git\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites_with(
            "",
            grant,
            "      - run: npx lerna@9 publish from-git\n        env:\n          NPM_TOKEN: ${{ secrets.NPM }}\n",
        );
        assert!(s[0].is_oidc());
        // cargo smart-release: a dry run without `--execute`.
        let s = sites("      - run: cargo smart-release --execute --update-crates-index\n");
        assert_eq!(s[0].uploader, Uploader::CargoSmartRelease);
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites(
            "      - run: cargo smart-release -eu gix\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES }}\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        for script in [
            "cargo smart-release gix",
            "cargo smart-release --execute --no-publish",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn semantic_release_forms() {
        let grant = "    permissions:\n      id-token: write\n";
        for script in [
            "npx semantic-release",
            "npx --yes semantic-release@25 --branches main",
            "pnpm semantic-release",
            "semantic-release --no-ci",
        ] {
            let s = sites_with("", grant, &format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, Uploader::SemanticRelease, "{script}");
            assert_eq!(s[0].index(), Some(Registry::Npm), "{script}");
            assert!(s[0].is_oidc(), "{script}");
        }
        for script in [
            "npx semantic-release --dry-run",
            "npx semantic-release -d",
            "npx semantic-release --extends @acme/config",
            "npx semantic-release-cli setup",
        ] {
            assert!(
                sites_with("", grant, &format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
        // The plugin writes NPM_TOKEN into its `.npmrc`: npm falls back to
        // it, or (no id-token) uses it.
        let token = "      - run: npx semantic-release\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
        let s = sites_with("", grant, token);
        assert!(s[0].is_oidc() && s[0].npm.as_ref().unwrap().token.is_some());
        let s = sites(token);
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`NPM_TOKEN`"));
        // semantic-release 24 (npm plugin 12, npm 10): never an exchange.
        let old = token.replace("npx semantic-release", "npx semantic-release@24");
        let s = sites_with("", grant, &old);
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        assert!(!s[0].npm.as_ref().unwrap().oidc_granted);
        let s = sites_with("", grant, "      - run: npx semantic-release@^24.2.0\n");
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites_with(
            "",
            grant,
            "      - run: |\n          npm i -g semantic-release@19\n          semantic-release\n",
        );
        assert_eq!(s[0].auth, Auth::Unknown);
        // cycjimmy/semantic-release-action runs the release it bundles.
        let action = "      - uses: cycjimmy/semantic-release-action@v6\n";
        let s = sites_with("", grant, action);
        assert_eq!(s[0].uploader, Uploader::SemanticRelease);
        assert!(s[0].is_oidc());
        let s = sites_with("", grant, &action.replace("@v6", "@v4"));
        assert_eq!(s[0].auth, Auth::Unknown);
        for with in ["dry_run: true", "extends: '@acme/config'"] {
            let step = format!("{action}        with:\n          {with}\n");
            assert!(sites_with("", grant, &step).is_empty(), "{with}");
        }
    }

    #[test]
    fn gem_push_and_rake_release() {
        let creds = "      - uses: rubygems/configure-rubygems-credentials@v1\n";
        for script in [
            "gem push pkg/*.gem",
            "bundle exec rake release",
            "rake -f -r bundler/gem_tasks release",
            "rake 'release[origin]'",
        ] {
            let s = sites(&format!("{creds}      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].index(), Some(Registry::RubyGems), "{script}");
            assert!(s[0].is_oidc(), "{script}");
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s[0].auth, Auth::Unknown, "{script}");
        }
        // A step's own key wins over the exported one.
        let s = sites(&format!(
            "{creds}      - run: gem push pkg/x.gem\n        env:\n          GEM_HOST_API_KEY: ${{{{ secrets.RUBYGEMS }}}}\n"
        ));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        // A static token given to the credentials action is no exchange.
        let s = sites(
            "      - uses: rubygems/configure-rubygems-credentials@v1\n        with:\n          api-token: ${{ secrets.RUBYGEMS }}\n      - run: gem push x.gem\n",
        );
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source.starts_with("`api-token`"))
        );
        // An OIDC API key role is no trusted publisher, and no static token.
        let s = sites(
            "      - uses: rubygems/configure-rubygems-credentials@v1\n        with:\n          role-to-assume: rg_oidc_akr_x\n      - run: gem push x.gem\n",
        );
        assert_eq!(s[0].auth, Auth::Unknown);
        let s = sites("      - run: gem push x.gem --host https://gems.example.com\n");
        assert!(matches!(s[0].target, Target::Custom(_)));
        for script in [
            "gem build x.gemspec",
            "rake build",
            "git push origin v1",
            "rake release:guard_clean",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn release_gem_action() {
        let s = sites("      - uses: rubygems/release-gem@v1\n");
        assert_eq!(s[0].uploader, Uploader::ReleaseGem);
        assert!(s[0].is_oidc());
        let s = sites(
            "      - uses: rubygems/release-gem@v1\n        with:\n          setup-trusted-publisher: false\n        env:\n          GEM_HOST_API_KEY: ${{ secrets.RUBYGEMS }}\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
    }

    #[test]
    fn nuget_push_forms() {
        let login =
            "      - uses: NuGet/login@v1\n        id: login\n        with:\n          user: me\n";
        for script in [
            "dotnet nuget push x.nupkg --api-key ${{ steps.login.outputs.NUGET_API_KEY }} --source https://api.nuget.org/v3/index.json",
            "dotnet nuget push x.nupkg -k ${{ steps.login.outputs.NUGET_API_KEY }} -s nuget.org",
            "nuget push x.nupkg -ApiKey ${{ steps.login.outputs.NUGET_API_KEY }}",
            "dotnet nuget push x.nupkg --api-key $env:KEY",
            "dotnet nuget push x.nupkg --api-key $Env:KEY",
        ] {
            let s = sites(&format!(
                "{login}      - run: {script}\n        env:\n          KEY: ${{{{ steps.login.outputs.NUGET_API_KEY }}}}\n"
            ));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].index(), Some(Registry::NuGet), "{script}");
            assert!(s[0].is_oidc(), "{script}: {:?}", s[0].auth);
        }
        let s = sites("      - run: dotnet nuget push x.nupkg --api-key ${{ secrets.NUGET }}\n");
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(
            "      - run: dotnet nuget push x.nupkg --source https://nuget.pkg.github.com/o/index.json --api-key ${{ secrets.GITHUB_TOKEN }}\n",
        );
        assert!(matches!(s[0].target, Target::Custom(_)));
        // `${{ env.K }}`: the variable where tplint sees it, else (written
        // to `$GITHUB_ENV` after a login) the minted key.
        let s = sites_with(
            "env:\n  K: ${{ secrets.NUGET }}\n",
            "",
            "      - run: dotnet nuget push x.nupkg --api-key ${{ env.K }}\n",
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites(&format!(
            "{login}      - run: dotnet nuget push x.nupkg --api-key ${{{{ env.K }}}}\n"
        ));
        assert!(s[0].is_oidc());
        assert!(sites("      - run: dotnet nuget push --help\n").is_empty());
        assert!(sites("      - run: dotnet pack -c Release\n").is_empty());
    }

    #[test]
    fn output_references_and_mints() {
        let refs: Vec<_> = output_references(
            "${{steps.login.outputs.NUGET_API_KEY}} and ${{ steps.a-b.outputs.token }} steps.x",
        )
        .collect();
        assert_eq!(refs, [("login", "NUGET_API_KEY"), ("a-b", "token")]);
        // Output names are read in any case; another output is no token.
        let login =
            "      - uses: NuGet/login@v1\n        id: login\n        with:\n          user: me\n";
        let s = sites(&format!(
            "{login}      - run: dotnet nuget push x.nupkg -k ${{{{ steps.login.outputs.nuget_api_key }}}}\n"
        ));
        assert!(s[0].is_oidc());
        let s = sites(&format!(
            "{login}      - run: dotnet nuget push x.nupkg -k ${{{{ steps.login.outputs.token }}}}\n"
        ));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
    }

    #[test]
    fn dart_and_flutter_pub_publish() {
        let setup = "      - uses: dart-lang/setup-dart@v1\n";
        for script in [
            "dart pub publish --force",
            "dart pub publish -f",
            "flutter pub publish --force",
        ] {
            let s = sites(&format!("{setup}      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, Uploader::DartPub, "{script}");
            assert_eq!(s[0].index(), Some(Registry::PubDev), "{script}");
            assert!(s[0].is_oidc(), "{script}");
            // Without setup-dart no token is minted for it.
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s[0].auth, Auth::Unknown, "{script}");
        }
        for script in [
            "dart pub publish --dry-run",
            "dart pub publish -n",
            "dart pub get",
            "dart pub token add https://pub.dev --env-var PUB_TOKEN",
        ] {
            assert!(
                sites(&format!("{setup}      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
        // A credential stored from a secret wins over setup-dart's token.
        let s = sites(&format!(
            "{setup}      - run: echo '${{{{ secrets.CREDS }}}}' > ~/.config/dart/pub-credentials.json\n      - run: dart pub publish -f\n"
        ));
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source == "`pub-credentials.json`")
        );
        let s = sites(&format!(
            "{setup}      - run: echo \"$T\" | dart pub token add https://pub.dev\n        env:\n          T: ${{{{ secrets.PUB }}}}\n      - run: dart pub publish -f\n"
        ));
        assert!(
            matches!(&s[0].auth, Auth::Password { source, .. } if source == "`dart pub token add`")
        );
        // Without `id-token: write`, after a step tplint cannot see into:
        // setup-dart minted nothing, and a credential may come from it.
        let s = sites(&format!(
            "{setup}      - uses: example/pub-credentials@v1\n      - run: dart pub publish -f\n"
        ));
        assert_eq!(s[0].auth, Auth::Unknown);
        // Another server.
        let s = sites(&format!(
            "{setup}      - run: dart pub publish -f\n        env:\n          PUB_HOSTED_URL: https://pub.example.com\n"
        ));
        assert!(matches!(s[0].target, Target::Custom(_)));
    }

    #[test]
    fn deno_and_jsr_publish() {
        for script in [
            "deno publish",
            "npx jsr publish",
            "npx jsr@latest publish --allow-slow-types",
            "pnpm dlx jsr publish",
            "yarn dlx jsr publish",
            "bunx jsr publish",
            "pnpm jsr publish",
            "yarn jsr publish --allow-slow-types",
            "npm exec jsr publish",
        ] {
            let s = sites(&format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].index(), Some(Registry::Jsr), "{script}");
            assert!(s[0].is_oidc(), "{script}");
        }
        let s = sites("      - run: deno publish --token ${{ secrets.JSR_TOKEN }}\n");
        assert!(matches!(&s[0].auth, Auth::Password { source, .. } if source == "`--token`"));
        let s = sites("      - run: npx jsr publish --token=$JSR\n");
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        for script in [
            "deno publish --dry-run",
            "npx jsr publish --dry-run",
            "pnpm jsr publish --dry-run",
            "deno fmt",
        ] {
            assert!(
                sites(&format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }
}
