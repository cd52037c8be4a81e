//! Which remote actions tplint knows the effect of. A step using any other
//! action is opaque: it could upload or request the OIDC token, so no rule
//! may conclude that it does neither.
//!
//! The actions that publish, request the OIDC token, build, or move
//! artifacts have their own tables (in `publish`, `oidc`, `build_steps` and
//! `artifacts`); this module adds the actions known to do none of that and
//! answers "is this action known?" over all of them.

use super::{artifacts, build_steps, oidc, publish};
use crate::workflow::UsesTarget;

/// Actions known neither to upload distributions nor to request the job's
/// OIDC token. An entry `owner/repo` covers the repository's root action;
/// `owner/repo/*` covers every action in it. Each was checked in the
/// action's own `action.yml` (inputs, `runs:`) and source.
pub const INERT_ACTIONS: &[&str] = &[
    // actions/setup-*: install a toolchain from the runner tool cache or
    // the vendor's downloads (action.yml: node24 `dist/setup/index.js`).
    "actions/setup-python",
    "actions/setup-node",
    "actions/setup-go",
    "actions/setup-java",
    "actions/setup-dotnet",
    // actions/cache: saves and restores folders through the cache service
    // (action.yml: node24, inputs `path`, `key`).
    "actions/cache",
    "actions/cache/*",
    // actions/github-script runs the given script; it requests the OIDC
    // token only when the script calls `core.getIDToken`, which `oidc`
    // checks before this list is consulted.
    "actions/github-script",
    // Pages: packaging the site is a plain artifact upload.
    "actions/upload-pages-artifact",
    "actions/configure-pages",
    // Repository housekeeping through the GITHUB_TOKEN.
    "actions/labeler",
    "actions/stale",
    "actions/create-github-app-token",
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "peter-evans/create-pull-request",
    "peter-evans/create-or-update-comment",
    "release-drafter/release-drafter",
    // Code scanning: uploads SARIF with the GITHUB_TOKEN.
    "github/codeql-action/*",
    // Toolchains and caches for Rust builds.
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "actions-rs/toolchain",
    // Docker image builds (the login step is what may use OIDC).
    "docker/setup-buildx-action",
    "docker/setup-qemu-action",
    "docker/metadata-action",
    "docker/build-push-action",
    // Change detection.
    "dorny/paths-filter",
    "tj-actions/changed-files",
    "re-actors/alls-green",
    // pre-commit's action runs the hooks (build code; see build_steps).
    "pre-commit/action",
    // Checked: no ID token request and no upload in action.yml or src/.
    "sigstore/cosign-installer", // action.yml installs cosign only [3094a48]
    "abatilo/actions-poetry",    // action.yml installs poetry [b8f6fe2]
    "python-semantic-release/publish-action", // GitHub release assets [5a5718c]
    "getsentry/action-release",  // [4e430b8]
    "coverallsapp/github-action", // [87358ce]
];

/// `owner/repo` or `owner/repo/path` of a remote action, lower-cased.
fn full_name(target: &UsesTarget) -> Option<String> {
    match target {
        UsesTarget::Remote { slug, path, .. } => Some(match path {
            Some(path) => format!("{slug}/{}", path.trim_end_matches('/').to_ascii_lowercase()),
            None => slug.clone(),
        }),
        _ => None,
    }
}

fn listed(list: &[&str], target: &UsesTarget) -> bool {
    let (Some(name), Some(slug)) = (full_name(target), target.remote_slug()) else {
        return false;
    };
    list.iter().any(|entry| match entry.strip_suffix("/*") {
        Some(repo) => repo == slug,
        None => *entry == name,
    })
}

/// Whether tplint knows what a remote action does (for publishing and the
/// OIDC token).
pub fn is_known(target: &UsesTarget) -> bool {
    let Some(slug) = target.remote_slug() else {
        return false;
    };
    let root = matches!(target, UsesTarget::Remote { path: None, .. });
    listed(INERT_ACTIONS, target)
        || publish::UPLOADER_ACTIONS.iter().any(|a| a.matches(target))
        || (root
            && (oidc::OIDC_CONSUMERS.iter().any(|c| c.action == slug)
                || build_steps::BUILD_ACTIONS.iter().any(|(a, _)| *a == slug)
                || slug == artifacts::UPLOAD_ACTION
                || slug == artifacts::DOWNLOAD_ACTION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn target(text: &str) -> UsesTarget {
        UsesTarget::parse(text, |r| Span::new(r.start, r.end))
    }

    #[test]
    fn known_and_unknown() {
        assert!(is_known(&target("actions/checkout@v4")));
        assert!(is_known(&target("Actions/Setup-Python@v5")));
        assert!(is_known(&target("github/codeql-action/upload-sarif@v3")));
        assert!(is_known(&target("pypa/gh-action-pypi-publish@release/v1")));
        assert!(is_known(&target("actions/attest-build-provenance@v2")));
        assert!(!is_known(&target("example/unknown-action@v1")));
        assert!(!is_known(&target("actions/checkout/sub@v4")));
        assert!(!is_known(&target("./local")));
    }
}
