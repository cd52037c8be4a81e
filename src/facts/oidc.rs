//! Actions and commands that legitimately request a GitHub OIDC token besides
//! uploaders. One table, so that "does this job need `id-token: write`?" has one answer.

use std::sync::LazyLock;

use super::words::AnyWord;
use crate::facts::expand::Executed;
use crate::workflow::Step;

/// An action that exchanges the job's OIDC token.
pub struct OidcConsumer {
    /// `owner/repo` in lower case.
    pub action: &'static str,
    /// When it requests the token.
    pub switch: Switch,
}

/// What makes an action request the token. An input whose value is an
/// expression is never guessed: the action then counts as a consumer, so
/// that no rule says the token is unused.
#[derive(Clone, Copy, Debug)]
pub enum Switch {
    Always,
    /// When the input is set to anything but `false`.
    InputOn(&'static str),
    /// Unless the input is given (a static token instead).
    InputAbsent(&'static str),
    /// When the input has this value (case-insensitive).
    InputIs(&'static str, &'static str),
    /// When this variable is set in the step's, job's or workflow's `env`.
    EnvSet(&'static str),
    /// Unless the input has this value (case-insensitive).
    InputAbsentOrNot(&'static str, &'static str),
}

const fn always(action: &'static str) -> OidcConsumer {
    OidcConsumer {
        action,
        switch: Switch::Always,
    }
}

const fn when(action: &'static str, switch: Switch) -> OidcConsumer {
    OidcConsumer { action, switch }
}

/// Each entry was checked in the action's own files (commit in brackets).
pub const OIDC_CONSUMERS: &[OidcConsumer] = &[
    // Attestations signed with Sigstore through the job's identity:
    // actions/attest src/main.ts [1e69f48], attest-build-provenance and
    // attest-sbom action.yml wrap it [10334b5, 5729fe4].
    always("actions/attest-build-provenance"),
    always("actions/attest"),
    always("actions/attest-sbom"),
    // action.py passes --identity-token when given, else detects the
    // ambient token [0f4cc42].
    when(
        "sigstore/gh-action-sigstore-python",
        Switch::InputAbsent("identity-token"),
    ),
    // src/index.js calls core.getIDToken() first [cd2ce8f].
    always("actions/deploy-pages"),
    // src/index.ts useGitHubOIDCProvider: role-to-assume without access keys [bcd4089].
    when(
        "aws-actions/configure-aws-credentials",
        Switch::InputOn("role-to-assume"),
    ),
    // src/main.ts: workload_identity_provider, not credentials_json [fc21748].
    when(
        "google-github-actions/auth",
        Switch::InputOn("workload_identity_provider"),
    ),
    // src/common/LoginConfig.ts: client-id without a client secret [833e823].
    when("azure/login", Switch::InputOn("client-id")),
    // src/auth.js: method jwt without jwtPrivateKey [4c06c5c].
    when("hashicorp/vault-action", Switch::InputIs("method", "jwt")),
    // pub.dev: lib/main.dart createPubOIDCToken requests a token for
    // `https://pub.dev` whenever the job may request one [0026abd].
    always("dart-lang/setup-dart"),
    // crates.io trusted publishing; src/main.ts requires the token [a1c979f].
    always("rust-lang/crates-io-auth-action"),
    // NuGet.org trusted publishing; src/index.ts requests the token for
    // its `audience` on every run [e12aa70].
    always("nuget/login"),
    // RubyGems.org: src/main.ts exchanges the token for a trusted
    // publisher, or for an OIDC API key role (`role-to-assume`); only a
    // static `api-token` needs none [abfabee].
    when(
        "rubygems/configure-rubygems-credentials",
        Switch::InputAbsent("api-token"),
    ),
    // action.yml runs configure-rubygems-credentials unless
    // `setup-trusted-publisher` is false [612653d, 289eef0].
    when(
        "rubygems/release-gem",
        Switch::InputAbsentOrNot("setup-trusted-publisher", "false"),
    ),
    // v4.5.0+ src/dockerhub.ts: Docker Hub OIDC when the connection id is
    // set in env [371161b]; earlier versions never request it.
    when(
        "docker/login-action",
        Switch::EnvSet("DOCKERHUB_OIDC_CONNECTIONID"),
    ),
    // Docker Hub's OIDC helper, documented beside login-action v4.5.
    always("docker/oidc-action"),
    // action.yml runs actions/attest-build-provenance when asked [f398e9d].
    when(
        "hynek/build-and-inspect-python-package",
        Switch::InputOn("attest-build-provenance-github"),
    ),
    // action.yml (v5) and src/buildExec.ts (v4): `use_oidc` [671740a, 210c7d9].
    when("codecov/codecov-action", Switch::InputOn("use_oidc")),
    when("codecov/test-results-action", Switch::InputOn("use_oidc")),
    // options/options.go, signing/signing.go: publish_results signs the
    // results with the job's identity [e8e61e8].
    when("ossf/scorecard-action", Switch::InputOn("publish_results")),
    // The codspeed runner requests the token unless a static `token` is
    // given (provider.rs check_oidc_configuration, runner >= 4.4.0) [60d8e48].
    when("codspeedhq/action", Switch::InputAbsent("token")),
    // index.js exchanges the token at octo-sts [7a6ea3b].
    always("octo-sts/action"),
    // DataDog's fork of it: index.js reads ACTIONS_ID_TOKEN_REQUEST_URL and
    // exchanges the token at its Octo STS instance [d557589].
    always("datadog/dd-octo-sts-action"),
    // action/main.js requests a token for its `audience` [a13519d].
    always("open-security-tools/ost-simple-sts"),
    // src/github/token.ts: without `github_token` it exchanges the OIDC
    // token for the Claude GitHub App token [24dcd50].
    when(
        "anthropics/claude-code-action",
        Switch::InputAbsent("github_token"),
    ),
    // action.yaml: `identity` logs chainctl in with the ambient token [75a312e].
    when("chainguard-dev/setup-chainctl", Switch::InputOn("identity")),
    // src/oidc-utils.ts: `oidc-provider-name` [deda456].
    when(
        "jfrog/setup-jfrog-cli",
        Switch::InputOn("oidc-provider-name"),
    ),
    // src/main.ts ensureAccessToken [1414159].
    always("pulumi/auth-actions"),
    // index.js [8c5343b].
    always("datadog/dd-sts-action"),
    // action.yml mints a PyPI token from the OIDC token [118ad17].
    always("tschm/token-mint-action"),
    // src/setup.ts: a `policy` from the policy store needs the token [b09bb98].
    when("step-security/harden-runner", Switch::InputOn("policy")),
    // action.yml: always exchanges the token at its `url` [f336b38].
    always("tiangolo/pr-push"),
    // Its callers grant id-token: write and use its `token` output, as
    // pr-push's README describes for both (its own repository was not read).
    always("tiangolo/pr-submit"),
    // Uses actions/deploy-pages unless `publish` is false [69fc0bd].
    when(
        "sphinx-notes/pages",
        Switch::InputAbsentOrNot("publish", "false"),
    ),
    // A dry run of the release that still mints a PyPI token when the job
    // can (lib.py, python.py) [03cf75d].
    always("jupyter-server/jupyter_releaser/.github/actions/check-release"),
    // src/index.ts: `oidc` without DEPOT_TOKEN [91bc849].
    when("depot/setup-action", Switch::InputOn("oidc")),
    // src/depot.ts: without a `token` it tries the OIDC token [9785b13].
    when("depot/build-push-action", Switch::InputAbsent("token")),
];

impl OidcConsumer {
    /// Whether the step (inputs resolved by `input`, env by `env_set`)
    /// requests the token.
    fn on(&self, input: impl Fn(&str) -> Option<String>, env_set: impl Fn(&str) -> bool) -> bool {
        let expression = |v: &str| crate::workflow::is_expression(v);
        match self.switch {
            Switch::Always => true,
            Switch::InputOn(name) => input(name).is_some_and(|v| {
                let v = v.trim();
                expression(v) || (!v.is_empty() && !v.eq_ignore_ascii_case("false"))
            }),
            // A secret or the job's token is given: set, as far as tplint
            // can know; any other expression may be empty.
            Switch::InputAbsent(name) => input(name).is_none_or(|v| {
                let given = v.contains("secrets.") || v.contains("github.token");
                v.trim().is_empty() || (expression(&v) && !given)
            }),
            Switch::InputIs(name, wanted) => {
                input(name).is_some_and(|v| expression(&v) || v.trim().eq_ignore_ascii_case(wanted))
            }
            Switch::EnvSet(name) => env_set(name),
            Switch::InputAbsentOrNot(name, off) => {
                input(name).is_none_or(|v| !v.trim().eq_ignore_ascii_case(off))
            }
        }
    }
}

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
    // semantic-release's npm plugin exchanges it (from 13.1), and any
    // release's npm may sign provenance with it.
    "semantic-release",
];

/// Whether a step uses the OIDC token through a known consumer action, or
/// its `env:` or `actions/github-script` script requests it.
pub fn step_consumes(exec: &Executed<'_, '_>) -> bool {
    let step = exec.step;
    if let Some(uses) = &step.uses
        && uses.target.remote_slug().is_some()
    {
        if let Some(consumer) = consumer_of(&uses.target) {
            return consumer.on(
                |name| exec.input(name).map(|(_, v)| v.into_owned()),
                |name| exec.env(name).is_some(),
            );
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
    exec.env_values().any(text_consumes) || names_oidc_setting(exec)
}

/// Every slug a remote target can have for an entry of
/// [`OIDC_CONSUMERS`] to match it ([`super::actions::matches`]): the entry
/// itself, each of its prefixes ending before a `/`, and the repository of
/// an `owner/repo/*` entry. A slug outside the set matches no entry, so
/// most steps (checkout, caches, linters) skip the table.
static CONSUMER_SLUGS: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    let mut slugs = std::collections::HashSet::new();
    for consumer in OIDC_CONSUMERS {
        let entry = consumer.action;
        slugs.insert(entry);
        slugs.extend(entry.match_indices('/').map(|(at, _)| &entry[..at]));
    }
    slugs
});

/// The first entry of [`OIDC_CONSUMERS`] that names `target`.
fn consumer_of(target: &crate::workflow::UsesTarget) -> Option<&'static OidcConsumer> {
    let slug = target.remote_slug()?;
    if !CONSUMER_SLUGS.contains(slug) {
        return None;
    }
    OIDC_CONSUMERS
        .iter()
        .find(|c| super::actions::matches(c.action, target))
}

/// Whether `name` contains `OIDC` or `ID_TOKEN`, letter case ignored, in
/// one pass: both have an `I` where a match is checked (`OIDC` one byte
/// before it).
fn names_oidc_part(name: &[u8]) -> bool {
    name.iter().enumerate().any(|(at, &byte)| {
        (byte | 0x20) == b'i'
            && (name[at..]
                .get(..8)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"ID_TOKEN"))
                || (at >= 1
                    && name[at - 1..]
                        .get(..4)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"OIDC"))))
    })
}

/// Whether a variable the step runs with is named for an OIDC setting
/// (`MBX_REMOTE_OIDC_AUDIENCE`, `VAULT_OIDC_ROLE`, npm's
/// `NPM_CONFIG_PROVENANCE`): a tool the step runs then reads it to request
/// the job's token, which tplint cannot see.
fn names_oidc_setting(exec: &Executed<'_, '_>) -> bool {
    let job = &exec.job;
    exec.step
        .env
        .iter()
        .chain(job.env[0])
        .chain(job.env[1])
        .any(|kv| {
            let name = kv.key.value.as_bytes();
            // Letter case ignored, without a copy: this runs for every
            // variable of the step, its job and its workflow, per step.
            // npm signs provenance with the job's OIDC token when
            // `provenance` is set (docs.npmjs.com "Generating provenance
            // statements": the job needs `id-token: write`), and reads
            // any `npm_config_*` variable as configuration.
            names_oidc_part(name) || name.eq_ignore_ascii_case(b"NPM_CONFIG_PROVENANCE")
        })
}

/// Whether shell text requests the token itself.
pub fn text_consumes(text: &str) -> bool {
    // This runs on each script and `env:` value of every job.
    static MARKERS: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(OIDC_RUN_MARKERS));
    MARKERS.in_text(text)
}

/// Whether a workflow step uses the OIDC token through a known consumer
/// (the step alone, without what it runs).
pub fn is_consumer(step: &Step) -> bool {
    if let Some(uses) = &step.uses
        && let Some(consumer) = consumer_of(&uses.target)
    {
        return consumer.on(
            |name| step.input(name).map(|kv| kv.value.value.clone()),
            |name| step.env.iter().any(|kv| kv.key.value == name),
        );
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

    #[test]
    fn oidc_parts_of_variable_names() {
        for name in [
            "OIDC",
            "VAULT_OIDC_ROLE",
            "mbx_remote_oidc",
            "ID_TOKEN",
            "my_id_token_x",
        ] {
            assert!(names_oidc_part(name.as_bytes()), "{name}");
        }
        for name in [
            "",
            "I",
            "OID",
            "OIDX",
            "ID_TOKE",
            "IDTOKEN",
            "GITHUB_TOKEN",
            "O_IDC",
        ] {
            assert!(!names_oidc_part(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn consumers_are_found_through_their_slugs() {
        let target = |text: &str| {
            crate::workflow::UsesTarget::parse(text, |r| crate::source::Span::new(r.start, r.end))
        };
        for consumer in OIDC_CONSUMERS {
            let found = consumer_of(&target(&format!("{}@v1", consumer.action)));
            assert!(found.is_some(), "{}", consumer.action);
        }
        assert!(consumer_of(&target("actions/checkout@v4")).is_none());
        assert!(consumer_of(&target("./local")).is_none());
    }

    fn first_step(steps: &str) -> Step {
        let src = format!("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}");
        let doc = crate::yaml::parse(&src).unwrap();
        let workflow = crate::workflow::build(&src, &doc);
        workflow.jobs[0].steps[0].clone()
    }

    /// Every entry of the table, with its switch on and (where it has one)
    /// off: the switch kinds are read as documented for each action.
    #[test]
    fn every_table_entry_with_its_switch() {
        for consumer in OIDC_CONSUMERS {
            let uses = format!("      - uses: {}@v1\n", consumer.action);
            let (on, off) = match consumer.switch {
                Switch::Always => (uses.clone(), None),
                Switch::InputOn(input) => (
                    format!("{uses}        with:\n          {input}: true\n"),
                    Some(format!("{uses}        with:\n          {input}: false\n")),
                ),
                Switch::InputAbsent(input) => (
                    uses.clone(),
                    Some(format!(
                        "{uses}        with:\n          {input}: ${{{{ secrets.TOKEN }}}}\n"
                    )),
                ),
                Switch::InputIs(input, value) => (
                    format!("{uses}        with:\n          {input}: {value}\n"),
                    Some(format!("{uses}        with:\n          {input}: other\n")),
                ),
                Switch::EnvSet(name) => (
                    format!("{uses}        env:\n          {name}: x\n"),
                    Some(uses.clone()),
                ),
                Switch::InputAbsentOrNot(input, value) => (
                    uses.clone(),
                    Some(format!("{uses}        with:\n          {input}: {value}\n")),
                ),
            };
            assert!(is_consumer(&first_step(&on)), "{on}");
            if let Some(off) = off {
                assert!(!is_consumer(&first_step(&off)), "{off}");
            }
            // Every consumer is a known action: steps using it are not opaque.
            let step = first_step(&on);
            let target = &step.uses.as_ref().unwrap().target;
            assert!(
                super::super::actions::is_known(target),
                "{}",
                consumer.action
            );
        }
    }

    #[test]
    fn consumers() {
        assert!(is_consumer(&first_step(
            "      - uses: actions/attest-build-provenance@v2\n"
        )));
        assert!(is_consumer(&first_step(
            "      - uses: Azure/login@v2\n        with:\n          client-id: ${{ vars.ID }}\n"
        )));
        // A service principal secret in `creds`: no OIDC.
        assert!(!is_consumer(&first_step(
            "      - uses: Azure/login@v2\n        with:\n          creds: ${{ secrets.AZ }}\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: actions/checkout@v4\n"
        )));
        assert!(is_consumer(&first_step(
            "      - run: |\n          curl -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \"$ACTIONS_ID_TOKEN_REQUEST_URL\"\n"
        )));
    }

    #[test]
    fn every_switch_kind() {
        let scorecard =
            "      - uses: ossf/scorecard-action@v2\n        with:\n          publish_results: ";
        assert!(is_consumer(&first_step(&format!("{scorecard}true\n"))));
        assert!(!is_consumer(&first_step(&format!("{scorecard}false\n"))));
        assert!(is_consumer(&first_step(&format!(
            "{scorecard}${{{{ github.event_name != 'pull_request' }}}}\n"
        ))));
        assert!(is_consumer(&first_step(
            "      - uses: anthropics/claude-code-action@v1\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: anthropics/claude-code-action@v1\n        with:\n          github_token: ${{ secrets.GITHUB_TOKEN }}\n"
        )));
        assert!(is_consumer(&first_step(
            "      - uses: hashicorp/vault-action@v3\n        with:\n          method: JWT\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: hashicorp/vault-action@v3\n        with:\n          method: token\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: docker/login-action@v4\n"
        )));
        assert!(is_consumer(&first_step(
            "      - uses: docker/login-action@v4\n        env:\n          DOCKERHUB_OIDC_CONNECTIONID: abc\n"
        )));
        assert!(is_consumer(&first_step(
            "      - uses: actions/github-script@v7\n        with:\n          script: const t = await core.getIDToken('x')\n"
        )));
        assert!(!is_consumer(&first_step(
            "      - uses: actions/github-script@v7\n        with:\n          script: console.log(1)\n"
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
