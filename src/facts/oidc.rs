//! Actions and commands that legitimately request a GitHub OIDC token besides
//! uploaders. One table, so that "does this job need `id-token: write`?" has one answer.

use crate::facts::expand::Executed;
use crate::workflow::Step;

/// An action that exchanges the job's OIDC token.
pub struct OidcConsumer {
    /// `owner/repo` in lower case.
    pub action: &'static str,
    /// An input that turns OIDC on; the action only consumes the token when
    /// it is set to something other than `false` (an expression counts as on,
    /// since it is not guessed).
    pub switch: Option<&'static str>,
}

const fn always(action: &'static str) -> OidcConsumer {
    OidcConsumer {
        action,
        switch: None,
    }
}

/// Each entry was checked against the action's own documentation.
pub const OIDC_CONSUMERS: &[OidcConsumer] = &[
    // Build provenance, SBOM and generic attestations, signed with Sigstore
    // through the job's OIDC identity.
    always("actions/attest-build-provenance"),
    always("actions/attest"),
    always("actions/attest-sbom"),
    // Sigstore keyless signing.
    always("sigstore/gh-action-sigstore-python"),
    always("sigstore/cosign-installer"),
    // GitHub Pages deployment authenticates with an OIDC token.
    always("actions/deploy-pages"),
    // Cloud logins by workload identity federation.
    always("aws-actions/configure-aws-credentials"),
    always("google-github-actions/auth"),
    always("azure/login"),
    always("hashicorp/vault-action"),
    // Registry logins: crates.io trusted publishing, Docker Hub OIDC
    // connections (login-action v4 exchanges the token itself).
    always("rust-lang/crates-io-auth-action"),
    always("docker/login-action"),
    always("docker/oidc-action"),
    // build-and-inspect-python-package runs actions/attest-build-provenance
    // when asked to.
    OidcConsumer {
        action: "hynek/build-and-inspect-python-package",
        switch: Some("attest-build-provenance-github"),
    },
    // Codecov uploads by OIDC only with `use_oidc`.
    OidcConsumer {
        action: "codecov/codecov-action",
        switch: Some("use_oidc"),
    },
    OidcConsumer {
        action: "codecov/test-results-action",
        switch: Some("use_oidc"),
    },
];

/// Text in a `run:` script or in `env` that shows the step requests the
/// token itself: the runner's token endpoint variables, or a CLI that signs
/// or publishes with the job's identity.
pub const OIDC_RUN_MARKERS: &[&str] = &[
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "cosign sign",
    "cosign attest",
    "sigstore sign",
    // PEP 740 attestations signed with the job's identity.
    "pypi-attestations sign",
    "pypi_attestations sign",
    // npm trusted publishing and provenance statements.
    "npm publish",
    "pnpm publish",
    "yarn npm publish",
];

/// Whether a step uses the OIDC token through a known consumer action, or
/// its `env:` or `actions/github-script` script requests it.
pub fn step_consumes(exec: &Executed<'_, '_>) -> bool {
    let step = exec.step;
    if let Some(uses) = &step.uses
        && let Some(slug) = uses.target.remote_slug()
    {
        if let Some(consumer) = OIDC_CONSUMERS
            .iter()
            .find(|c| c.action == slug && uses.target.is_action(c.action))
        {
            return match consumer.switch {
                None => true,
                Some(input) => exec
                    .input(input)
                    .is_some_and(|(_, value)| !value.trim().eq_ignore_ascii_case("false")),
            };
        }
        // actions/github-script requests the token when its script asks.
        if uses.target.is_action("actions/github-script")
            && exec
                .input("script")
                .is_some_and(|(_, script)| script.contains("getIDToken"))
        {
            return true;
        }
    }
    exec.env_values()
        .any(|text| OIDC_RUN_MARKERS.iter().any(|marker| text.contains(marker)))
}

/// Whether shell text requests the token itself.
pub fn text_consumes(text: &str) -> bool {
    OIDC_RUN_MARKERS.iter().any(|marker| text.contains(marker))
}

/// Whether a workflow step uses the OIDC token through a known consumer
/// (the step alone, without what it runs).
pub fn is_consumer(step: &Step) -> bool {
    if let Some(uses) = &step.uses
        && let Some(slug) = uses.target.remote_slug()
        && let Some(consumer) = OIDC_CONSUMERS.iter().find(|c| c.action == slug)
    {
        return match consumer.switch {
            None => true,
            Some(input) => step
                .input(input)
                .is_some_and(|kv| !kv.value.value.trim().eq_ignore_ascii_case("false")),
        };
    }
    if let Some(uses) = &step.uses
        && uses.target.is_action("actions/github-script")
        && step
            .input("script")
            .is_some_and(|kv| kv.value.value.contains("getIDToken"))
    {
        return true;
    }
    let run = step
        .run
        .as_ref()
        .map(|r| r.value.as_str())
        .unwrap_or_default();
    let env_values = step.env.iter().map(|kv| kv.value.value.as_str());
    std::iter::once(run).chain(env_values).any(text_consumes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_step(steps: &str) -> Step {
        let src = format!("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}");
        let doc = crate::yaml::parse(&src).unwrap();
        let workflow = crate::workflow::build(&src, &doc);
        workflow.jobs[0].steps[0].clone()
    }

    #[test]
    fn consumers() {
        assert!(is_consumer(&first_step(
            "      - uses: actions/attest-build-provenance@v2\n"
        )));
        assert!(is_consumer(&first_step("      - uses: Azure/login@v2\n")));
        assert!(!is_consumer(&first_step(
            "      - uses: actions/checkout@v4\n"
        )));
        assert!(is_consumer(&first_step(
            "      - run: |\n          curl -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \"$ACTIONS_ID_TOKEN_REQUEST_URL\"\n"
        )));
    }

    #[test]
    fn switched_consumers() {
        assert!(!is_consumer(&first_step(
            "      - uses: codecov/codecov-action@v5\n"
        )));
        assert!(is_consumer(&first_step(
            "      - uses: codecov/codecov-action@v5\n        with:\n          use_oidc: true\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: codecov/codecov-action@v5\n        with:\n          use_oidc: false\n"
        )));
    }
}
