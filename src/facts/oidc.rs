//! Actions that legitimately request a GitHub OIDC token besides uploaders.
//! One table, so that "does this job need `id-token: write`?" has one answer.

use crate::workflow::Step;

/// `owner/repo` (lower case) of actions that exchange the job's OIDC token.
pub const OIDC_CONSUMERS: &[&str] = &[
    // Build provenance and attestations (Sigstore-backed).
    "actions/attest-build-provenance",
    "actions/attest",
    "actions/attest-sbom",
    // Sigstore signing.
    "sigstore/gh-action-sigstore-python",
    "sigstore/cosign-installer",
    // GitHub Pages deployment.
    "actions/deploy-pages",
    // Cloud logins.
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
    // Registry logins.
    "rust-lang/crates-io-auth-action",
    // Coverage upload with `use_oidc`.
    "codecov/codecov-action",
];

/// Whether a step uses the OIDC token through a known consumer action.
pub fn is_consumer(step: &Step) -> bool {
    step.uses.as_ref().is_some_and(|uses| {
        uses.target
            .remote_slug()
            .is_some_and(|slug| OIDC_CONSUMERS.contains(&slug.as_str()))
    })
}
