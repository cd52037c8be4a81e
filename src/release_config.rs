//! What the repository's files say about the release tools that publish
//! inside themselves: which npm client `changeset publish` runs, and
//! whether release-plz's configuration turns publishing off. Read at the
//! root, bounded like the manifests; a file that cannot be read says
//! nothing.

use std::path::Path;

use crate::overlay::Overlay;
use crate::registry::publishing::NpmClient;

/// covector's configuration, in the folder it runs in.
pub const COVECTOR_CONFIG: &str = ".changes/config.json";

/// Largest configuration file read (256 KiB).
const MAX_BYTES: usize = 256 * 1024;

/// The files package-manager-detector looks for, in its order
/// (antfu-collective/package-manager-detector `src/constants.ts` `LOCKS`
/// [1042cf8]), with the client each stands for; `None` for managers
/// changesets does not publish with (it then runs npm).
const LOCKS: &[(&str, Option<NpmClient>)] = &[
    ("bun.lock", None),
    ("bun.lockb", None),
    ("deno.lock", None),
    ("pnpm-lock.yaml", Some(NpmClient::Pnpm)),
    ("pnpm-workspace.yaml", Some(NpmClient::Pnpm)),
    ("yarn.lock", Some(NpmClient::Yarn)),
    ("package-lock.json", Some(NpmClient::Npm)),
    ("npm-shrinkwrap.json", Some(NpmClient::Npm)),
];

/// release-plz's configuration files, in the order it looks for them
/// (release-plz/release-plz `crates/release_plz/src/args/config_path.rs`
/// `DEFAULT_CONFIG_PATHS` [4183d14]).
pub const RELEASE_PLZ_CONFIGS: &[&str] = &["release-plz.toml", ".release-plz.toml"];

/// Where semantic-release finds its configuration: cosmiconfig's search
/// places for the module name `release` (semantic-release/semantic-release
/// `lib/get-config.js` [8d905a5], `cosmiconfig(CONFIG_NAME).search(cwd)`;
/// cosmiconfig 9 `getDefaultSearchPlaces`), after `package.json`'s
/// `release` key.
const SEMANTIC_RELEASE_CONFIGS: &[&str] = &[
    ".releaserc",
    ".releaserc.json",
    ".releaserc.yaml",
    ".releaserc.yml",
    ".releaserc.js",
    ".releaserc.ts",
    ".releaserc.mjs",
    ".releaserc.cjs",
    ".config/releaserc",
    ".config/releaserc.json",
    ".config/releaserc.yaml",
    ".config/releaserc.yml",
    ".config/releaserc.js",
    ".config/releaserc.ts",
    ".config/releaserc.mjs",
    ".config/releaserc.cjs",
    "release.config.js",
    "release.config.ts",
    "release.config.mjs",
    "release.config.cjs",
];

/// Plugins known not to publish to npm: semantic-release's own, for
/// commit analysis, notes, changelog, git, GitHub and GitLab releases.
const INERT_SEMANTIC_RELEASE_PLUGINS: &[&str] = &[
    "@semantic-release/commit-analyzer",
    "@semantic-release/release-notes-generator",
    "@semantic-release/changelog",
    "@semantic-release/git",
    "@semantic-release/github",
    "@semantic-release/gitlab",
];

/// The npm plugin.
const SEMANTIC_RELEASE_NPM: &str = "@semantic-release/npm";

/// The plugin that runs shell commands at each step
/// (semantic-release/exec `README.md` [41d533b]: each `*Cmd` option is
/// "the shell command to execute during" its step, run from the folder
/// semantic-release runs in unless `execCwd` names another).
const SEMANTIC_RELEASE_EXEC: &str = "@semantic-release/exec";

/// Plugins that publish by running a registry's own client from the
/// folder semantic-release runs in, unless their `cwd` option names
/// another: the command they amount to.
const SEMANTIC_RELEASE_CLIENT_PLUGINS: &[(&str, &str)] = &[
    // sebbo2002/semantic-release-jsr `src/utils.ts` (08abc20): `publish`
    // calls the `jsr` package's `publish` (the `jsr publish` CLI) in
    // `config.cwd || context.cwd`.
    ("@sebbo2002/semantic-release-jsr", "jsr publish"),
];

/// Its command options, in the order of semantic-release's steps.
const SEMANTIC_RELEASE_EXEC_COMMANDS: &[&str] = &[
    "verifyConditionsCmd",
    "analyzeCommitsCmd",
    "verifyReleaseCmd",
    "generateNotesCmd",
    "prepareCmd",
    "addChannelCmd",
    "publishCmd",
    "successCmd",
    "failCmd",
];

/// The commands `@semantic-release/exec` runs, in step order, in a
/// semantic-release configuration read as text: empty without the plugin;
/// `None` when one is not a literal string or they run in another folder.
fn semantic_release_exec_commands(text: &str) -> Option<Vec<String>> {
    let mut commands = Vec::new();
    if !text.contains(SEMANTIC_RELEASE_EXEC) {
        return Some(commands);
    }
    if text.contains("execCwd") {
        return None;
    }
    for key in SEMANTIC_RELEASE_EXEC_COMMANDS {
        commands.extend(literal_values(text, key)?);
    }
    Some(commands)
}

/// The commands the client plugins of a semantic-release configuration
/// run from the root; none when a `cwd` option may move them.
fn semantic_release_client_commands(text: &str) -> Vec<&'static str> {
    let moved = text.match_indices("cwd").any(|(at, _)| {
        let rest = text[at + 3..].trim_start_matches(['"', '\'']).trim_start();
        rest.starts_with(':')
    });
    SEMANTIC_RELEASE_CLIENT_PLUGINS
        .iter()
        .filter(|(plugin, _)| !moved && quoted(text, plugin))
        .map(|(_, command)| *command)
        .collect()
}

/// Whether `name` appears quoted in configuration text.
fn quoted(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        text[..at].ends_with(['"', '\'', '`'])
            && text[at + name.len()..].starts_with(['"', '\'', '`'])
    })
}

/// The literal string values of `key` in configuration text (JSON, YAML
/// or JavaScript); `None` when one is not a literal string.
fn literal_values(text: &str, key: &str) -> Option<Vec<String>> {
    let mut commands = Vec::new();
    for (at, _) in text.match_indices(key) {
        let rest = text[at + key.len()..].trim_start();
        let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest).trim_start();
        // A mention (in a comment), not a key.
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let body = &rest[1..];
        let mut value = String::new();
        let mut chars = body.chars();
        loop {
            match chars.next()? {
                '\\' => value.push(chars.next()?),
                c if c == quote => break,
                c => value.push(c),
            }
        }
        // A value joined to more (`'a' + b`) is not the whole command.
        let after = chars.as_str().trim_start();
        if !(after.is_empty() || after.starts_with([',', '}', '\n'])) {
            return None;
        }
        commands.push(value);
    }
    Some(commands)
}

/// Whether semantic-release publishes the root package to npm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SemanticReleaseNpm {
    /// The default plugins, or a `plugins` list with the npm plugin.
    #[default]
    Publishes,
    /// No npm plugin among plugins known not to publish, `npmPublish:
    /// false`, or a private package.
    Skips,
    /// A shareable configuration (`extends`), or plugins tplint does not
    /// know without the npm plugin: it may publish anywhere.
    Unknown,
}

#[derive(Clone, Debug, Default)]
pub struct ReleaseConfig {
    /// The client `changeset publish` runs from the repository root.
    pub changesets_client: Option<NpmClient>,
    /// release-plz's configuration turns publishing off for every package
    /// (`publish = false` or `git_only = true` under `[workspace]`, and no
    /// `[[package]]` turns it back on).
    pub release_plz_unpublished: bool,
    /// release-plz's configuration turns releasing or publishing on or
    /// off for some packages ([`release_plz_selects`]): it may not publish
    /// every crate of the workspace.
    pub release_plz_selects: bool,
    /// Whether semantic-release publishes to npm.
    pub semantic_release: SemanticReleaseNpm,
    /// The commands semantic-release's plugins run from the repository
    /// root: `@semantic-release/exec`'s at each step (`prepareCmd`,
    /// `publishCmd`, ...), then those of the client plugins
    /// ([`SEMANTIC_RELEASE_CLIENT_PLUGINS`]).
    pub semantic_release_commands: Vec<String>,
    /// The semantic-release major the root package depends on.
    pub semantic_release_major: Option<u64>,
    /// cargo-release's configuration turns publishing off: `publish =
    /// false` in `release.toml`, or in `Cargo.toml`'s
    /// `[workspace.metadata.release]` or `[package.metadata.release]`
    /// (crate-ci/cargo-release `src/config.rs` [a199bf5]).
    pub cargo_release_unpublished: bool,
    /// What the repository says about Yarn, Lerna, Nx and release-it.
    pub npm_tools: NpmTools,
    /// The commands covector runs, from `.changes/config.json`.
    pub covector: Covector,
}

/// What covector runs, from its configuration (`.changes/config.json`,
/// jbolda/covector `packages/files/src/index.ts` `configFile`, schema in
/// `packages/files/src/schema.ts` [12f80da]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Covector {
    /// No configuration: covector stops without running anything.
    #[default]
    Absent,
    /// A configuration that cannot be read or parsed.
    Unreadable,
    /// The command lines each of its commands runs, as written (with
    /// covector's `${ ... }` templates).
    Commands {
        /// `covector version`: `preversion`, `version`, `postversion`.
        version: Vec<CovectorLine>,
        /// `covector publish`: `prepublish`, `publish`, `postpublish`.
        publish: Vec<CovectorLine>,
    },
}

/// A command line covector runs, and the package folder it runs in
/// (`None`: the folder covector runs in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CovectorLine {
    /// The package, as `packages` names it.
    pub package: String,
    pub folder: Option<String>,
    pub command: String,
}

/// Most command lines read from covector's configuration.
const MAX_COVECTOR_LINES: usize = 400;

impl Covector {
    /// Read `.changes/config.json`'s text: for each package (`packages`,
    /// with its `path` and `manager`), each phase's command is the
    /// package's own, else its manager's (`pkgManagers`), as
    /// `packages/assemble/src/index.ts` `mergeCommand` merges them. A
    /// command is a string, an object with a `command` string (or a
    /// built-in `use:` that runs nothing), or a list of those; booleans
    /// select covector's own behaviour. Commands run in the package's
    /// `path` unless `runFromRoot` (`packages/command/src/index.ts`).
    pub fn parse(text: &str) -> Self {
        let Ok(root) = serde_json::from_str::<serde_json::Value>(text) else {
            return Self::Unreadable;
        };
        let Some(packages) = root.get("packages").and_then(|p| p.as_object()) else {
            return Self::Commands {
                version: Vec::new(),
                publish: Vec::new(),
            };
        };
        let managers = root.get("pkgManagers");
        let lines = |phases: [&str; 3]| {
            let mut lines: Vec<CovectorLine> = Vec::new();
            for (name, package) in packages {
                let manager = package
                    .get("manager")
                    .and_then(|m| m.as_str())
                    .and_then(|m| managers.and_then(|all| all.get(m)));
                let path = package.get("path").and_then(|p| p.as_str()).unwrap_or(".");
                // The `pre` and `post` commands run only around a main
                // command that is set (`packages/assemble/src/index.ts`:
                // a package without one is left out).
                let merged = |phase: &str| {
                    package
                        .get(phase)
                        .or_else(|| manager.and_then(|m| m.get(phase)))
                };
                let main = merged(phases[1]);
                let runs = main.is_some_and(|value| {
                    !matches!(
                        value,
                        serde_json::Value::Null | serde_json::Value::Bool(false)
                    )
                });
                if !runs {
                    continue;
                }
                for phase in phases {
                    let Some(command) = merged(phase) else {
                        continue;
                    };
                    for (text, from_root) in covector_commands(command) {
                        let line = CovectorLine {
                            package: name.clone(),
                            folder: (!from_root && !matches!(path, "." | "./" | ""))
                                .then(|| path.to_string()),
                            command: text,
                        };
                        if lines.len() < MAX_COVECTOR_LINES && !lines.contains(&line) {
                            lines.push(line);
                        }
                    }
                }
            }
            lines
        };
        Self::Commands {
            version: lines(["preversion", "version", "postversion"]),
            publish: lines(["prepublish", "publish", "postpublish"]),
        }
    }
}

/// The shell commands of one phase's value, each with whether it runs
/// from the root.
fn covector_commands(value: &serde_json::Value) -> Vec<(String, bool)> {
    use serde_json::Value;
    match value {
        Value::String(text) => vec![(text.clone(), false)],
        Value::Object(entry) => match entry.get("command") {
            Some(Value::String(text)) => vec![(
                text.clone(),
                entry.get("runFromRoot").and_then(Value::as_bool) == Some(true),
            )],
            _ => Vec::new(),
        },
        Value::Array(items) => items.iter().flat_map(covector_commands).collect(),
        _ => Vec::new(),
    }
}

/// What the repository's files say about the npm clients and release
/// tools beside changesets and semantic-release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NpmTools {
    /// The repository uses Yarn 2 or later (`.yarnrc.yml`, or
    /// `packageManager: yarn@2+`), which has no `yarn publish`.
    pub yarn_berry: bool,
    /// The Lerna major the root package depends on.
    pub lerna_major: Option<u64>,
    /// The pnpm major `packageManager` names (`pnpm@9.9.0`).
    pub pnpm_major: Option<u64>,
    /// The client `nx release publish` runs (`@nx/js:release-publish`:
    /// pnpm in a pnpm workspace, else npm); `None` for bun, which tplint
    /// does not read.
    pub nx_client: Option<NpmClient>,
    /// Whether release-it publishes the root package to npm.
    pub release_it: ToolPublishes,
    /// release-it's configuration stages the release (`npm.stage`: `npm
    /// stage publish`, release-it `lib/plugin/npm/npm.js` [7ca61cc]).
    pub release_it_staged: bool,
}

impl Default for NpmTools {
    /// A repository with no lock file and no configuration: npm.
    fn default() -> Self {
        Self {
            yarn_berry: false,
            lerna_major: None,
            pnpm_major: None,
            nx_client: Some(NpmClient::Npm),
            release_it: ToolPublishes::Publishes,
            release_it_staged: false,
        }
    }
}

/// Whether a release tool publishes, by the repository's configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ToolPublishes {
    #[default]
    Publishes,
    Skips,
    /// A configuration tplint cannot judge (code, `extends`, another
    /// client).
    Unknown,
}

/// release-it's configuration files (release-it `lib/config.js`: `.release-it`
/// with the extensions c12 loads, and `package.json`'s `release-it` key).
const RELEASE_IT_CONFIGS: &[&str] = &[
    ".release-it.json",
    ".release-it.yaml",
    ".release-it.yml",
    ".release-it.toml",
    ".release-it.js",
    ".release-it.cjs",
    ".release-it.mjs",
    ".release-it.ts",
    ".release-it.json5",
    ".release-it.jsonc",
];

impl ReleaseConfig {
    pub fn load(root: &Path, overlay: &Overlay, package_json: Option<&str>) -> Self {
        let read = |relative: &str| -> Option<String> {
            let bytes = overlay
                .read(root, relative, MAX_BYTES)
                .ok()
                .filter(|b| b.len() <= MAX_BYTES)?;
            String::from_utf8(bytes).ok()
        };
        let lockfile = LOCKS
            .iter()
            .find(|(name, _)| overlay.exists(root, name))
            .map(|(_, client)| *client);
        let release_plz_text = RELEASE_PLZ_CONFIGS.iter().find_map(|name| read(name));
        let release_plz_unpublished = release_plz_text
            .as_deref()
            .is_some_and(release_plz_unpublished);
        let release_plz_selects = release_plz_text.as_deref().is_some_and(release_plz_selects);
        // `package.json` parsed once for every question below.
        let package: Option<serde_json::Value> =
            package_json.and_then(|text| serde_json::from_str(text).ok());
        let in_package = package
            .as_ref()
            .and_then(|root| root.get("release").map(serde_json::Value::to_string));
        let config = in_package.or_else(|| SEMANTIC_RELEASE_CONFIGS.iter().find_map(|n| read(n)));
        let private = package
            .as_ref()
            .is_some_and(|root| root.get("private").and_then(|p| p.as_bool()) == Some(true));
        // release-it's configuration, read only where `package.json` names
        // release-it (a dependency or its `release-it` key): elsewhere a
        // `release-it` run is of unknown configuration.
        let names_release_it = package_json.is_some_and(|text| text.contains("release-it"));
        let release_it_config = names_release_it
            .then(|| {
                package
                    .as_ref()
                    .and_then(|root| root.get("release-it"))
                    .map(serde_json::Value::to_string)
                    .or_else(|| RELEASE_IT_CONFIGS.iter().find_map(|n| read(n)))
            })
            .flatten();
        Self {
            changesets_client: package_json
                .map(|_| changesets_client_of(lockfile, package.as_ref().unwrap_or(&NULL))),
            release_plz_unpublished,
            release_plz_selects,
            // Without a `package.json` (and no `pkgRoot` naming one) the
            // npm plugin has nothing to publish (semantic-release/npm
            // `lib/get-pkg.js`: ENOPKG).
            semantic_release: match semantic_release_npm(config.as_deref(), private) {
                SemanticReleaseNpm::Publishes
                    if package_json.is_none()
                        && !config.as_deref().is_some_and(|c| c.contains("pkgRoot")) =>
                {
                    SemanticReleaseNpm::Skips
                }
                judged => judged,
            },
            semantic_release_commands: config
                .as_deref()
                .map(|text| {
                    let mut commands = semantic_release_exec_commands(text).unwrap_or_default();
                    commands.extend(
                        semantic_release_client_commands(text)
                            .into_iter()
                            .map(String::from),
                    );
                    commands
                })
                .unwrap_or_default(),
            cargo_release_unpublished: cargo_release_unpublished(
                read("release.toml").as_deref(),
                read("Cargo.toml").as_deref(),
            ),
            semantic_release_major: package
                .as_ref()
                .and_then(|root| dependency_major(root, "semantic-release")),
            npm_tools: NpmTools {
                // Only a repository with a `package.json` publishes with Yarn.
                yarn_berry: package_json.is_some()
                    && (package_manager(package.as_ref()).is_some_and(|(name, major)| {
                        name == "yarn" && major.is_some_and(|m| m >= 2)
                    }) || overlay.exists(root, ".yarnrc.yml")),
                lerna_major: package
                    .as_ref()
                    .and_then(|root| dependency_major(root, "lerna")),
                pnpm_major: package_manager(package.as_ref())
                    .filter(|(name, _)| *name == "pnpm")
                    .and_then(|(_, major)| major),
                nx_client: nx_client_of(lockfile, package.as_ref()),
                release_it: match package_json {
                    // release-it's npm plugin needs `./package.json`
                    // (`lib/plugin/npm/npm.js` `isEnabled`).
                    None => ToolPublishes::Skips,
                    Some(_) if private => ToolPublishes::Skips,
                    Some(_) if !names_release_it => ToolPublishes::Unknown,
                    Some(_) => release_it_publishes(release_it_config.as_deref()),
                },
                release_it_staged: release_it_config.as_deref().is_some_and(|text| {
                    let compact: String = text
                        .chars()
                        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
                        .collect();
                    compact.contains("stage:true") || compact.contains("stage=true")
                }),
            },
            covector: if overlay.exists(root, COVECTOR_CONFIG) {
                read(COVECTOR_CONFIG).map_or(Covector::Unreadable, |text| Covector::parse(&text))
            } else {
                Covector::Absent
            },
        }
    }
}

/// `packageManager`'s name and major (`pnpm@9.1.0`).
fn package_manager(root: Option<&serde_json::Value>) -> Option<(&str, Option<u64>)> {
    let manager = root?.get("packageManager")?.as_str()?;
    let (name, version) = manager.split_once('@').unwrap_or((manager, ""));
    Some((name, spec_major(version)))
}

/// The client `@nx/js:release-publish` runs: nrwl/nx
/// `packages/js/src/executors/release-publish/release-publish.impl.ts`
/// (`pnpm publish` when the detected package manager is pnpm, `bun
/// publish` for bun, else `npm publish`).
fn nx_client_of(
    lockfile: Option<Option<NpmClient>>,
    root: Option<&serde_json::Value>,
) -> Option<NpmClient> {
    match lockfile {
        Some(Some(NpmClient::Pnpm)) => Some(NpmClient::Pnpm),
        Some(Some(_)) => Some(NpmClient::Npm),
        // bun or deno.
        Some(None) => None,
        None => match package_manager(root) {
            Some(("pnpm", _)) => Some(NpmClient::Pnpm),
            Some(("bun", _)) => None,
            _ => Some(NpmClient::Npm),
        },
    }
}

/// What release-it's configuration (any format, read as text) says about
/// publishing to npm: `npm: false` or `publish: false` under `npm` skips
/// it (release-it `config/release-it.json`, `lib/plugin/npm/npm.js`);
/// `extends` (a shared configuration) or `publishPackageManager` naming
/// another client leaves it unknown.
fn release_it_publishes(config: Option<&str>) -> ToolPublishes {
    let Some(text) = config else {
        return ToolPublishes::Publishes;
    };
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
        .collect();
    if compact.contains("npm:false") || compact.contains("npm=false") {
        return ToolPublishes::Skips;
    }
    if compact.contains("extends") {
        return ToolPublishes::Unknown;
    }
    if let Some(at) = compact.find("publishPackageManager") {
        let value = compact[at + "publishPackageManager".len()..].trim_start_matches([':', '=']);
        if !value.starts_with("npm") {
            return ToolPublishes::Unknown;
        }
    }
    // `publish: false` (JSON, YAML, JavaScript) or `publish = false`
    // (TOML), which only the npm plugin reads among the defaults.
    if compact.contains("publish:false") || compact.contains("publish=false") {
        return ToolPublishes::Skips;
    }
    ToolPublishes::Publishes
}

/// [`changesets_client_of`] of `package.json`'s text, for tests.
#[cfg(test)]
fn changesets_client(lockfile: Option<Option<NpmClient>>, package_json: &str) -> NpmClient {
    let root: serde_json::Value = serde_json::from_str(package_json).unwrap_or_default();
    changesets_client_of(lockfile, &root)
}

/// What an unreadable `package.json` says: nothing.
static NULL: serde_json::Value = serde_json::Value::Null;

/// The client `changeset publish` runs: changesets/changesets
/// `packages/cli/src/commands/publish/npm-utils.ts` `getPublishTool`
/// (@changesets/cli 2.31.1: pnpm when package-manager-detector says pnpm,
/// else npm) and `getPublishTool.ts` (3.0.1: also `yarn npm publish` for
/// Yarn 2 and later). package-manager-detector reads lock files first,
/// then `packageManager` (`src/detect.ts` `strategies`).
fn changesets_client_of(
    lockfile: Option<Option<NpmClient>>,
    root: &serde_json::Value,
) -> NpmClient {
    let detected = lockfile.unwrap_or_else(|| {
        let manager = root.get("packageManager").and_then(|m| m.as_str())?;
        match manager.split('@').next()? {
            "pnpm" => Some(NpmClient::Pnpm),
            "yarn" => Some(NpmClient::Yarn),
            _ => Some(NpmClient::Npm),
        }
    });
    match detected {
        Some(NpmClient::Pnpm) => NpmClient::Pnpm,
        // Only the 3.x CLI publishes with Yarn; 2.x runs npm.
        Some(NpmClient::Yarn) if changesets_cli_major(root).is_some_and(|m| m >= 3) => {
            NpmClient::Yarn
        }
        _ => NpmClient::Npm,
    }
}

/// The major version of `@changesets/cli` the package depends on
/// (`^3.0.1`, `~2.29.0`, `3`).
fn changesets_cli_major(root: &serde_json::Value) -> Option<u64> {
    dependency_major(root, "@changesets/cli")
}

/// The major version of a package `package.json` depends on.
fn dependency_major(root: &serde_json::Value, name: &str) -> Option<u64> {
    let spec = ["devDependencies", "dependencies"]
        .iter()
        .find_map(|key| root.get(key)?.get(name)?.as_str())?;
    spec_major(spec)
}

/// The major version of a version or range (`^3.0.1`, `~2.29.0`, `3`).
pub fn spec_major(spec: &str) -> Option<u64> {
    let digits: String = spec
        .trim_start_matches(['^', '~', '>', '=', 'v', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether a `release-plz.toml` turns publishing off for every package
/// (`crates/release_plz/src/config.rs` [4183d14]: `[workspace]` holds the
/// defaults, `publish` and `git_only`; each `[[package]]` may override
/// `publish`).
fn release_plz_unpublished(text: &str) -> bool {
    let Ok(config) = text.parse::<toml::Table>() else {
        return false;
    };
    let workspace = config.get("workspace").and_then(|w| w.as_table());
    let flag = |key: &str| workspace.and_then(|w| w.get(key)).and_then(|v| v.as_bool());
    let off = flag("publish") == Some(false) || flag("git_only") == Some(true);
    let turned_on = config
        .get("package")
        .and_then(|p| p.as_array())
        .is_some_and(|packages| {
            packages.iter().any(|p| {
                p.get("publish").and_then(|v| v.as_bool()) == Some(true)
                    || p.get("git_only").and_then(|v| v.as_bool()) == Some(false)
            })
        });
    off && !turned_on
}

/// Whether a `release-plz.toml` sets what decides which packages release-plz
/// releases and publishes, `release`, `publish` or `git_only`, under
/// `[workspace]` or for a `[[package]]` (release-plz/release-plz
/// `crates/release_plz/src/config.rs` [1d999fc]: `PackageCommonConfig`'s
/// `release`, the release options' `publish` and `git_only`, the package
/// values merged over the workspace's); or a file tplint cannot parse.
fn release_plz_selects(text: &str) -> bool {
    const SWITCHES: &[&str] = &["release", "publish", "git_only"];
    let Ok(config) = text.parse::<toml::Table>() else {
        return true;
    };
    let sets = |table: &toml::Value| SWITCHES.iter().any(|key| table.get(key).is_some());
    config.get("workspace").is_some_and(sets)
        || config
            .get("package")
            .and_then(|p| p.as_array())
            .is_some_and(|packages| packages.iter().any(sets))
}

/// Whether cargo-release's configuration at the root turns publishing off.
fn cargo_release_unpublished(release_toml: Option<&str>, cargo_toml: Option<&str>) -> bool {
    let off = |table: Option<&toml::Value>| {
        table
            .and_then(|t| t.get("publish"))
            .and_then(|p| p.as_bool())
            == Some(false)
    };
    let release = release_toml.and_then(|t| t.parse::<toml::Table>().ok());
    // Most manifests have no cargo-release table: parse only those that
    // could (the manifest reader has parsed the file once already).
    let cargo = cargo_toml
        .filter(|t| t.contains("metadata") && t.contains("publish"))
        .and_then(|t| t.parse::<toml::Table>().ok());
    let metadata = |section: &str| {
        cargo
            .as_ref()
            .and_then(|c| c.get(section)?.get("metadata")?.get("release"))
    };
    release.is_some_and(|r| r.get("publish").and_then(|p| p.as_bool()) == Some(false))
        || off(metadata("workspace"))
        || off(metadata("package"))
}

/// What semantic-release's configuration (any format, read as text) says
/// about publishing to npm. semantic-release/npm `index.js` [1e3495c]
/// publishes unless `npmPublish` is false or the package (in `pkgRoot`,
/// when set) is private.
fn semantic_release_npm(config: Option<&str>, private: bool) -> SemanticReleaseNpm {
    let text = config.unwrap_or_default();
    if text.contains("extends") {
        return SemanticReleaseNpm::Unknown;
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
        .collect();
    // `pkgRoot` publishes another folder's package, whose `private` the
    // root's does not tell.
    let private = private && !text.contains("pkgRoot");
    let npm_off = private || compact.contains("npmPublish:false");
    if !text.contains("plugins") {
        return if npm_off {
            SemanticReleaseNpm::Skips
        } else {
            SemanticReleaseNpm::Publishes
        };
    }
    // The exec plugin is read when its publish commands are.
    let exec_read = semantic_release_exec_commands(text).is_some();
    // A client plugin is read when its commands are.
    let clients: &[(&str, &str)] = if semantic_release_client_commands(text).is_empty() {
        &[]
    } else {
        SEMANTIC_RELEASE_CLIENT_PLUGINS
    };
    // Every quoted name that looks like a plugin: `@scope/name` or one
    // with `semantic-release` in it.
    let plugins = text
        .split(['"', '\'', '`'])
        .skip(1)
        .step_by(2)
        .filter(|name| {
            !name.contains(char::is_whitespace)
                && (name.contains("semantic-release") || name.starts_with('@'))
        });
    // Every plugin is looked at: the npm plugin may follow one tplint does
    // not know (sebbo2002/ical-generator's `semantic-release-license`).
    let (mut npm, mut known) = (false, true);
    for name in plugins {
        npm |= name == SEMANTIC_RELEASE_NPM;
        known &= name == SEMANTIC_RELEASE_NPM
            || INERT_SEMANTIC_RELEASE_PLUGINS.contains(&name)
            || (name == SEMANTIC_RELEASE_EXEC && exec_read)
            || (clients.iter().any(|(plugin, _)| *plugin == name))
            || name == "semantic-release";
    }
    match (npm, known) {
        // The npm plugin turned off, or the package private: the other
        // plugins decide.
        (true, true) if npm_off => SemanticReleaseNpm::Skips,
        (true, false) if npm_off => SemanticReleaseNpm::Unknown,
        (true, _) => SemanticReleaseNpm::Publishes,
        (false, true) => SemanticReleaseNpm::Skips,
        (false, false) => SemanticReleaseNpm::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covector_commands_merge_package_and_manager() {
        let config = r#"{
          "pkgManagers": {
            "rust": {
              "version": true,
              "publish": [
                { "command": "echo '<details>'", "dryRunCommand": true },
                { "command": "cargo publish", "dryRunCommand": "cargo publish --dry-run" },
                { "use": "fetch:check", "options": { "url": "https://crates.io" } }
              ],
              "postpublish": { "command": "git push --tags", "runFromRoot": true }
            },
            "javascript": { "prepublish": "pnpm build", "publish": "pnpm publish ${ pkg.tag }" }
          },
          "packages": {
            "api": { "path": "./packages/api", "manager": "javascript", "publish": ["pnpm npm-publish"] },
            "core": { "path": "./crates/core", "manager": "rust" },
            "docs": { "path": "." }
          }
        }"#;
        let Covector::Commands { version, publish } = Covector::parse(config) else {
            panic!("not read");
        };
        assert!(version.is_empty());
        let lines: Vec<(Option<&str>, &str)> = publish
            .iter()
            .map(|l| (l.folder.as_deref(), l.command.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (Some("./packages/api"), "pnpm build"),
                (Some("./packages/api"), "pnpm npm-publish"),
                (Some("./crates/core"), "echo '<details>'"),
                (Some("./crates/core"), "cargo publish"),
                (None, "git push --tags"),
            ]
        );
        assert_eq!(Covector::parse("{ not json"), Covector::Unreadable);
    }

    #[test]
    fn changesets_clients() {
        let pnpm = Some(Some(NpmClient::Pnpm));
        let yarn = Some(Some(NpmClient::Yarn));
        assert_eq!(changesets_client(pnpm, "{}"), NpmClient::Pnpm);
        assert_eq!(changesets_client(None, "{}"), NpmClient::Npm);
        assert_eq!(
            changesets_client(None, r#"{"packageManager": "pnpm@9.1.0"}"#),
            NpmClient::Pnpm
        );
        // Yarn: npm with the 2.x CLI, Yarn with 3.x.
        let v2 = r#"{"devDependencies": {"@changesets/cli": "^2.29.4"}}"#;
        let v3 = r#"{"devDependencies": {"@changesets/cli": "^3.0.1"}}"#;
        assert_eq!(changesets_client(yarn, v2), NpmClient::Npm);
        assert_eq!(changesets_client(yarn, v3), NpmClient::Yarn);
        // A lock file wins over `packageManager`; bun publishes with npm.
        assert_eq!(
            changesets_client(Some(None), r#"{"packageManager": "pnpm@9.1.0"}"#),
            NpmClient::Npm
        );
        assert_eq!(changesets_client(None, "not json"), NpmClient::Npm);
    }

    #[test]
    fn semantic_release_exec_commands_in_step_order() {
        // After analogjs/analog `release.config.cjs`.
        let js = "// the exec plugin's publishCmd publishes\nmodule.exports = { plugins: [\n  ['@semantic-release/npm', { npmPublish: false }],\n  ['@semantic-release/exec', {\n    publishCmd: 'pnpm build:release && RELEASE_TAG=${nextRelease.channel} ./tools/publish.sh',\n    prepareCmd: \"pnpm build\",\n  }],\n] };\n";
        assert_eq!(
            semantic_release_exec_commands(js),
            Some(vec![
                "pnpm build".to_string(),
                "pnpm build:release && RELEASE_TAG=${nextRelease.channel} ./tools/publish.sh"
                    .to_string()
            ])
        );
        assert_eq!(
            semantic_release_npm(Some(js), false),
            SemanticReleaseNpm::Skips
        );
        assert_eq!(semantic_release_exec_commands("{}"), Some(Vec::new()));
    }

    #[test]
    fn semantic_release_configurations() {
        use SemanticReleaseNpm::*;
        assert_eq!(semantic_release_npm(None, false), Publishes);
        assert_eq!(semantic_release_npm(None, true), Skips);
        assert_eq!(
            semantic_release_npm(Some("{\"branches\": [\"main\"]}"), false),
            Publishes
        );
        let with_npm = r#"{"plugins": ["@semantic-release/commit-analyzer", ["@semantic-release/npm", {"tarballDir": "dist"}], "@semantic-release/github"]}"#;
        assert_eq!(semantic_release_npm(Some(with_npm), false), Publishes);
        // octokit/request.js: `pkgRoot` names the built package.
        let root = r#"{"plugins": [["@semantic-release/npm", {"pkgRoot": "./pkg"}]]}"#;
        assert_eq!(semantic_release_npm(Some(root), true), Publishes);
        let no_npm = "plugins:\n  - '@semantic-release/commit-analyzer'\n  - '@semantic-release/release-notes-generator'\n  - '@semantic-release/github'\n";
        assert_eq!(semantic_release_npm(Some(no_npm), false), Skips);
        // sebbo2002/ical-generator: the npm plugin after one tplint does
        // not know still publishes.
        let after_unknown = r#"{"plugins": ["semantic-release-license", "@semantic-release/npm"]}"#;
        assert_eq!(semantic_release_npm(Some(after_unknown), false), Publishes);
        // The JSR plugin runs `jsr publish`, read as a command.
        let jsr = r#"{"plugins": ["@semantic-release/npm", "@sebbo2002/semantic-release-jsr"]}"#;
        assert_eq!(semantic_release_npm(Some(jsr), false), Publishes);
        assert_eq!(semantic_release_client_commands(jsr), ["jsr publish"]);
        let moved = r#"{"plugins": [["@sebbo2002/semantic-release-jsr", {"cwd": "pkg"}]]}"#;
        assert_eq!(semantic_release_npm(Some(moved), false), Unknown);
        assert!(semantic_release_client_commands(moved).is_empty());
        let off = r#"{"plugins": [["@semantic-release/npm", {"npmPublish": false}]]}"#;
        assert_eq!(semantic_release_npm(Some(off), false), Skips);
        let js = "module.exports = {\n  plugins: [\n    ['@semantic-release/npm', { npmPublish: false }],\n  ],\n};\n";
        assert_eq!(semantic_release_npm(Some(js), false), Skips);
        for unknown in [
            r#"{"extends": "@acme/semantic-release-config"}"#,
            "plugins: [['@semantic-release/exec', { publishCmd: command }]]",
            r#"{"plugins": [["@semantic-release/exec", {"publishCmd": "x", "execCwd": "a"}]]}"#,
            // The npm plugin off, and a plugin tplint does not know.
            r#"{"plugins": [["@semantic-release/npm", {"npmPublish": false}], "semantic-release-cargo"]}"#,
            r#"{"plugins": ["semantic-release-cargo"]}"#,
            r#"{"plugins": ["semantic-release-cargo", ["@semantic-release/npm", {"npmPublish": false}]]}"#,
        ] {
            assert_eq!(
                semantic_release_npm(Some(unknown), false),
                Unknown,
                "{unknown}"
            );
        }
    }

    #[test]
    fn npm_tools() {
        use ToolPublishes::*;
        assert_eq!(release_it_publishes(None), Publishes);
        assert_eq!(
            release_it_publishes(Some(r#"{"git": {"tagName": "v${version}"}}"#)),
            Publishes
        );
        assert_eq!(
            release_it_publishes(Some(r#"{"npm": {"publish": false}}"#)),
            Skips
        );
        assert_eq!(release_it_publishes(Some("npm: false\n")), Skips);
        assert_eq!(
            release_it_publishes(Some("[npm]\npublish = false\n")),
            Skips
        );
        assert_eq!(
            release_it_publishes(Some(r#"{"npm": {"publishPackageManager": "pnpm"}}"#)),
            Unknown
        );
        assert_eq!(
            release_it_publishes(Some(r#"{"npm": {"publishPackageManager": "npm"}}"#)),
            Publishes
        );
        assert_eq!(
            release_it_publishes(Some(r#"{"extends": "@acme/release-it"}"#)),
            Unknown
        );
        let pnpm = serde_json::json!({"packageManager": "pnpm@9.1.0"});
        assert_eq!(nx_client_of(None, Some(&pnpm)), Some(NpmClient::Pnpm));
        assert_eq!(
            nx_client_of(Some(Some(NpmClient::Yarn)), None),
            Some(NpmClient::Npm)
        );
        assert_eq!(nx_client_of(Some(None), None), None);
        assert_eq!(nx_client_of(None, None), Some(NpmClient::Npm));
    }

    #[test]
    fn cargo_release_switch() {
        assert!(cargo_release_unpublished(Some("publish = false\n"), None));
        assert!(cargo_release_unpublished(
            None,
            Some("[workspace.metadata.release]\npublish = false\n")
        ));
        assert!(!cargo_release_unpublished(
            Some("push = false\n"),
            Some("[package]\nname = \"a\"\n")
        ));
    }

    #[test]
    fn release_plz_package_switches() {
        assert!(!release_plz_selects(
            "[workspace]\nchangelog_update = true\n"
        ));
        assert!(release_plz_selects(
            "[[package]]\nname = \"xtask\"\nrelease = false\n"
        ));
        assert!(release_plz_selects("[workspace]\npublish = false\n"));
        assert!(release_plz_selects("not = [toml"));
    }

    #[test]
    fn release_plz_publish_switch() {
        assert!(release_plz_unpublished("[workspace]\npublish = false\n"));
        assert!(release_plz_unpublished("[workspace]\ngit_only = true\n"));
        assert!(!release_plz_unpublished(
            "[workspace]\nchangelog_update = false\n"
        ));
        assert!(!release_plz_unpublished(
            "[workspace]\npublish = false\n\n[[package]]\nname = \"a\"\npublish = true\n"
        ));
        assert!(!release_plz_unpublished(
            "[[package]]\nname = \"a\"\npublish = false\n"
        ));
        assert!(!release_plz_unpublished("not = [toml"));
    }
}
