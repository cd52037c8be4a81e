//! What the repository's files say about the release tools that publish
//! inside themselves: which npm client `changeset publish` runs, and
//! whether release-plz's configuration turns publishing off. Read at the
//! root, bounded like the manifests; a file that cannot be read says
//! nothing.

use std::path::Path;

use crate::overlay::Overlay;
use crate::registry::publishing::NpmClient;

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

#[derive(Clone, Debug, Default)]
pub struct ReleaseConfig {
    /// The client `changeset publish` runs from the repository root.
    pub changesets_client: Option<NpmClient>,
    /// release-plz's configuration turns publishing off for every package
    /// (`publish = false` or `git_only = true` under `[workspace]`, and no
    /// `[[package]]` turns it back on).
    pub release_plz_unpublished: bool,
}

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
        let release_plz_unpublished = RELEASE_PLZ_CONFIGS
            .iter()
            .find_map(|name| read(name))
            .is_some_and(|text| release_plz_unpublished(&text));
        Self {
            changesets_client: package_json.map(|text| changesets_client(lockfile, text)),
            release_plz_unpublished,
        }
    }
}

/// The client `changeset publish` runs: changesets/changesets
/// `packages/cli/src/commands/publish/npm-utils.ts` `getPublishTool`
/// (@changesets/cli 2.31.1: pnpm when package-manager-detector says pnpm,
/// else npm) and `getPublishTool.ts` (3.0.1: also `yarn npm publish` for
/// Yarn 2 and later). package-manager-detector reads lock files first,
/// then `packageManager` (`src/detect.ts` `strategies`).
fn changesets_client(lockfile: Option<Option<NpmClient>>, package_json: &str) -> NpmClient {
    let root: serde_json::Value = serde_json::from_str(package_json).unwrap_or_default();
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
        Some(NpmClient::Yarn) if changesets_cli_major(&root).is_some_and(|m| m >= 3) => {
            NpmClient::Yarn
        }
        _ => NpmClient::Npm,
    }
}

/// The major version of `@changesets/cli` the package depends on
/// (`^3.0.1`, `~2.29.0`, `3`).
fn changesets_cli_major(root: &serde_json::Value) -> Option<u64> {
    let spec = ["devDependencies", "dependencies"]
        .iter()
        .find_map(|key| root.get(key)?.get("@changesets/cli")?.as_str())?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn release_plz_publish_switch() {
        assert!(release_plz_unpublished("[workspace]\npublish = false\n"));
        assert!(release_plz_unpublished("[workspace]\ngit_only = true\n"));
        assert!(!release_plz_unpublished("[workspace]\nchangelog_update = false\n"));
        assert!(!release_plz_unpublished(
            "[workspace]\npublish = false\n\n[[package]]\nname = \"a\"\npublish = true\n"
        ));
        assert!(!release_plz_unpublished("[[package]]\nname = \"a\"\npublish = false\n"));
        assert!(!release_plz_unpublished("not = [toml"));
    }
}
