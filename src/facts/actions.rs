//! Which remote actions tplint knows the effect of. A step using any other
//! action is opaque: it could upload or request the OIDC token, so no rule
//! may conclude that it does neither.
//!
//! The actions that publish, request the OIDC token, build, or move
//! artifacts have their own tables (in `publish`, `oidc`, `build_steps` and
//! `artifacts`); this module adds the actions known to do none of that and
//! answers "is this action known?" over all of them.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{artifacts, build_steps, oidc};
use crate::workflow::UsesTarget;

/// Actions known neither to upload distributions nor to request the job's
/// OIDC token. An entry `owner/repo` covers the repository's root action;
/// `owner/repo/*` covers every action in it. Each was checked in the
/// action's own `action.yml` (inputs, `runs:`) and source.
pub const INERT_ACTIONS: &[&str] = &[
    // Each checked at the commit in brackets: action.yml, src/ (and the
    // bundle, where only @actions/core's own getIDToken definition appears).
    "actions/setup-python", // [5fda3b9]
    "actions/setup-go",     // [fba3fb4]
    "actions/setup-java",   // [1dbac3c]
    "actions/setup-dotnet", // [5e931af]
    "actions/setup-node",   // [ae0d4ed]
    // Downloads deno and puts it on the path; no npm [ff4860f].
    "denoland/setup-deno",
    // Installs Flutter, sets FLUTTER_ROOT, PUB_CACHE and the path; no pub
    // token (action.yaml, setup.sh) [4cab68c].
    "subosito/flutter-action",
    "actions/cache",   // [27d5ce7]
    "actions/cache/*", // restore, save [27d5ce7]
    // Requests the token only when its script calls `core.getIDToken`,
    // which `oidc` checks before this list is consulted [ed59741].
    "actions/github-script",
    "actions/upload-pages-artifact", // tar + upload-artifact [fc324d3]
    "actions/configure-pages",       // [d560657]
    "actions/labeler",               // [bf12e9b]
    "actions/stale",                 // [9461cb1]
    "actions/create-github-app-token", // signs a JWT with the app key [7989d20]
    "actions/add-to-project",        // [c02d162]
    "actions/dependency-review-action", // [f5b9717]
    "actions/upload-artifact/*",     // merge [bbbca2d]
    "github/issue-labeler",          // [411dd12]
    "ncipollo/release-action",       // [389305c]
    "softprops/action-gh-release",   // [2bc819c]
    "peter-evans/create-pull-request", // [653ba8b]
    "peter-evans/create-or-update-comment", // [a111a2c]
    "release-drafter/release-drafter", // [c03148e]
    "release-drafter/release-drafter/*", // autolabeler, drafter [c03148e]
    "mikepenz/release-changelog-builder-action", // [0cc2898]
    "dependabot/fetch-metadata",     // [7a4b92f]
    "endbug/add-and-commit",         // [c3f85e0]
    "stefanzweifel/git-auto-commit-action", // [53ee9ba]
    "jamesives/github-pages-deploy-action", // pushes a branch [42468f8]
    "peaceiris/actions-gh-pages",    // [09d8f31]
    "github/codeql-action/*",        // SARIF with the GITHUB_TOKEN [f3f1edb]
    "dtolnay/rust-toolchain",        // rustup [3c5f7ea]
    "swatinem/rust-cache",           // [6323deb]
    "actions-rs/toolchain",          // [88dc235]
    "docker/setup-buildx-action",    // [37fe631]
    "docker/setup-qemu-action",      // [96fe6ef]
    // Their bundles carry Sigstore code that nothing calls [dc80280, cb941d0].
    "docker/metadata-action",
    "docker/build-push-action",
    "dorny/paths-filter",                                     // [b41dfa9]
    "tj-actions/changed-files",                               // [778ca51]
    "re-actors/alls-green",                                   // [2765efe]
    "pre-commit/action",                                      // runs the hooks [576ff52]
    "crazy-max/ghaction-import-gpg",                          // [377dc5d]
    "jupyterlab/maintainer-tools/.github/actions/base-setup", // [94b14dd]
    "jupyter-server/jupyter_releaser/.github/actions/populate-release", // [03cf75d]
    "tiangolo/issue-manager",                                 // [48bacd8]
    "tiangolo/latest-changes",                                // [ca5d6bf]
    "pypa/gh-action-pip-audit",                               // [58bd59e]
    "ammaraskar/sphinx-action",                               // [c61ac11]
    "sigstore/cosign-installer",                              // installs cosign only [3094a48]
    "abatilo/actions-poetry",                                 // installs poetry [b8f6fe2]
    "python-semantic-release/publish-action",                 // GitHub release assets [5a5718c]
    "getsentry/action-release",                               // [4e430b8]
    "coverallsapp/github-action",                             // [87358ce]
];

pub use crate::workflow::uses::matches_table_entry as matches;

fn listed(list: &[&str], target: &UsesTarget) -> bool {
    list.iter().any(|entry| matches(entry, target))
}

/// The `owner/repo` of every entry of the action tables [`is_known`] reads.
static TABLED_REPOSITORIES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let entries = INERT_ACTIONS
        .iter()
        .copied()
        .chain(oidc::OIDC_CONSUMERS.iter().map(|c| c.action))
        .chain(crate::registry::publishing::uploader_actions().map(|a| a.action))
        .chain(crate::registry::publishing::release_tool_actions().map(|a| a.action))
        .chain(crate::registry::publishing::command_actions().map(|a| a.action));
    entries
        .map(|entry| match entry.match_indices('/').nth(1) {
            Some((end, _)) => &entry[..end],
            None => entry,
        })
        .collect()
});

/// Whether tplint knows what a remote action does (for publishing and the
/// OIDC token).
pub fn is_known(target: &UsesTarget) -> bool {
    let Some(slug) = target.remote_slug() else {
        return false;
    };
    let root = matches!(target, UsesTarget::Remote { path: None, .. });
    // An entry can match only a target of its own repository: most steps
    // (checkout, caches, linters of every kind) are ruled out here without
    // scanning the tables, which this runs against for every step.
    let tabled = TABLED_REPOSITORIES.contains(slug)
        && (listed(INERT_ACTIONS, target)
            || oidc::OIDC_CONSUMERS
                .iter()
                .any(|c| matches(c.action, target))
            || crate::registry::publishing::uploader_actions().any(|a| a.matches(target))
            || crate::registry::publishing::release_tool_actions().any(|a| a.matches(target))
            || crate::registry::publishing::command_actions().any(|a| a.matches(target)));
    tabled
        || (root
            && (build_steps::BUILD_ACTIONS.iter().any(|(a, _)| *a == slug)
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
