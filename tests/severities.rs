//! Severities that `expected.txt` cannot show: a finding that depends on
//! something tplint cannot know is `info`, a certain one keeps its rule's
//! severity.

mod common;

use common::{check_json, fixture, fixture_copy};

/// `(code, path:line, severity)` of every diagnostic of a fixture.
fn severities(case: &str) -> Vec<(String, String, String)> {
    let repo = fixture_copy(&fixture(case));
    let json = check_json(repo.path(), &[]);
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    d["location"]["path"].as_str().unwrap(),
                    d["location"]["start"]["line"]
                ),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_severity(all: &[(String, String, String)], code: &str, at: &str, severity: &str) {
    let found = all
        .iter()
        .find(|(c, location, _)| c == code && location.ends_with(at))
        .unwrap_or_else(|| panic!("no {code} at {at} in {all:?}"));
    assert_eq!(found.2, severity, "{code} at {at}");
}

#[test]
fn untrusted_trigger_is_info_when_a_guard_is_unknown() {
    let all = severities("tp601-guards");
    assert_severity(&all, "TP601", "needs-output.yml:5", "info");
    assert_severity(&all, "TP601", "upstream-conclusion.yml:3", "info");
    assert_severity(&all, "TP601", "upstream-not-push.yml:2", "warning");
    assert_severity(&all, "TP601", "not-tag-prefix.yml:4", "warning");
    // A step output written with one literal value is known.
    let all = severities("step-outputs");
    assert_severity(&all, "TP601", "step-output-always.yml:6", "warning");
    assert_severity(&all, "TP601", "step-output-computed.yml:6", "info");
    let all = severities("tp601-untrusted-trigger");
    assert_severity(&all, "TP601", "prt.yml:2", "error");
    assert_severity(&all, "TP601", "pr.yml:4", "warning");
    assert_severity(&all, "TP601", "comment.yml:2", "info");
}

#[test]
fn publish_twice_is_info_when_the_folder_or_condition_is_unknown() {
    let all = severities("tp605-publish-twice-in-job");
    assert_severity(&all, "TP605", "release.yml:36", "error");
    assert_severity(&all, "TP605", "same-folder.yml:20", "error");
    assert_severity(&all, "TP605", "folder-expression.yml:20", "info");
    assert_severity(&all, "TP605", "unknown-inputs.yml:24", "info");
}

#[test]
fn reusable_workflow_publish_severities() {
    let all = severities("tp108-no-publisher");
    assert_severity(&all, "TP108", "publish.yml:10", "info");
    let all = severities("tp108-reusable-attestations");
    assert_severity(&all, "TP108", "publish-pypi.yml:10", "warning");
    assert_eq!(all.iter().filter(|(c, _, _)| c == "TP108").count(), 1);
    let all = severities("tp108-publisher-names-caller");
    assert_severity(&all, "TP108", "publish-pypi.yml:12", "error");
    let all = severities("tp108-remote-call");
    assert_severity(&all, "TP108", "release.yml:22", "error");
}

#[test]
fn workflow_level_id_token_is_info_while_latent() {
    let all = severities("tp202-id-token-workflow-level");
    assert_severity(&all, "TP202", "release.yml:7", "warning");
    assert_severity(&all, "TP202", "writeall.yml:4", "warning");
    assert_severity(&all, "TP202", "single.yml:5", "info");
    assert_severity(&all, "TP202", "own-blocks.yml:7", "info");
}

#[test]
fn staged_npm_publishing_without_an_environment_is_info() {
    let all = severities("npm-stage-publish");
    assert_severity(&all, "TP401", "release.yml:11", "info");
    assert_severity(&all, "TP401", "release.yml:20", "warning");
    // pnpm 11's `pnpm stage publish` stages the same way.
    assert_severity(&all, "TP401", "release.yml:29", "info");
    assert_severity(&all, "TP401", "release.yml:39", "info");
}

#[test]
fn a_call_without_any_permissions_block_is_info() {
    let all = severities("tp201-call-repository-default");
    assert_severity(&all, "TP201", "block.yml:5", "error");
    assert_severity(&all, "TP201", "default.yml:7", "info");
}

#[test]
fn no_environment_is_info_for_jsr_which_matches_none() {
    let all = severities("jsr-publish-on-tag");
    assert_severity(&all, "TP401", ".github/workflows/release.yml:15", "info");
    // npm matches the environment: a warning.
    let npm = severities("npm-trusted-publishing");
    assert_severity(&npm, "TP401", ".github/workflows/publish.yml:15", "warning");
}

#[test]
fn a_push_under_a_build_condition_is_undecided() {
    // Cake's `WithCriteria` is not evaluated: a pull request's run may or
    // may not push.
    let all = severities("cake-nuget-push");
    assert_severity(&all, "TP601", ".github/workflows/ci.yml:9", "info");
}

#[test]
fn a_token_that_blocks_the_exchange_is_an_error_unless_the_grant_serves_other_steps() {
    let all = severities("tp307-token-fallback");
    // pnpm 11 and Yarn never try OIDC with a token configured.
    assert_severity(&all, "TP307", "release.yml:42", "error");
    assert_severity(&all, "TP307", "release.yml:55", "error");
    // The same with an attestation using the job's grant: this publish
    // alone is by token.
    assert_severity(&all, "TP307", "release.yml:140", "warning");
}

#[test]
fn npm_token_fallback_says_what_an_old_bundled_npm_does() {
    // ionic-team/capacitor's dev publish: Node.js 22 (npm 10) with a token
    // beside `id-token: write`, and `npx lerna version` before the publish.
    let repo = fixture_copy(&fixture("npm-token-old-node"));
    let json = check_json(repo.path(), &[]);
    let message = |code: &str, line: u64| {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code && d["location"]["start"]["line"] == line)
            .and_then(|d| d["message"].as_str())
            .unwrap_or_else(|| panic!("no {code} at line {line}"))
            .to_string()
    };
    let opaque = message("TP307", 23);
    assert!(
        opaque.contains("Node.js 22 bundles an npm older than 11.5.1")
            && opaque.contains("unless a step tplint cannot see installs npm 11.5.1"),
        "{opaque}"
    );
    assert!(message("TP303", 41).contains("with a token from `NODE_AUTH_TOKEN`"));
    let upgraded = message("TP307", 58);
    assert!(
        upgraded.contains("tries trusted publishing first"),
        "{upgraded}"
    );
}

#[test]
fn build_in_publish_job_exemptions_hold_only_for_their_uploads() {
    // npm publish packs the checkout; a tarball does not need it.
    let all = severities("tp602-npm-publish-needs-checkout");
    assert_severity(&all, "TP602", "release.yml:53", "info");
    assert_severity(&all, "TP602", "release.yml:67", "warning");
    assert_eq!(all.iter().filter(|(c, _, _)| c == "TP602").count(), 2);
    // A `deno publish` or semantic-release beside them excuses nothing.
    let all = severities("tp602-exemption-per-upload");
    assert_severity(&all, "TP602", "nats.yml:27", "warning");
    assert_severity(&all, "TP602", "deno.yml:23", "warning");
    assert_severity(&all, "TP602", "semrel.yml:24", "warning");
    let all = severities("tp602-npm-install-ci-test");
    assert_severity(&all, "TP602", "release-npm.yml:26", "warning");
}

#[test]
fn needs_outputs_under_a_status_function_are_their_value_or_empty() {
    let all = severities("tp601-needs-output-status-function");
    assert_severity(&all, "TP601", "undecided.yml:5", "info");
    assert_severity(&all, "TP601", "either.yml:4", "warning");
    assert!(
        !all.iter()
            .any(|(c, at, _)| c == "TP601" && at.contains("release.yml"))
    );
}
