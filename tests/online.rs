//! `--online`: the binary against a canned GitHub API served on 127.0.0.1
//! inside the test process. No test reaches the internet.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

const CHECKOUT_SHA: &str = "1111111111111111111111111111111111111111";
const PUBLISH_SHA: &str = "2222222222222222222222222222222222222222";
const OTHER_SHA: &str = "3333333333333333333333333333333333333333";
const TAG_OBJECT_SHA: &str = "4444444444444444444444444444444444444444";
const TOKEN: &str = "ghp_MARKER_do_not_print_0123456789";

/// One canned answer.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn ok(body: Value) -> Canned {
    Canned {
        status: 200,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

fn status(status: u16, headers: &[(&'static str, &str)]) -> Canned {
    Canned {
        status,
        headers: headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: json!({"message": "canned", "documentation_url": "https://docs.github.com/rest"})
            .to_string(),
    }
}

/// A request's path and its `Authorization` header.
type Request = (String, Option<String>);

/// A GitHub API stand-in: answers each path from `routes` (404 otherwise)
/// and records every request.
struct FakeApi {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeApi {
    fn start(routes: HashMap<String, Canned>) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, log) = (Arc::clone(&connections), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_string();
                let mut authorization = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("authorization")
                    {
                        authorization = Some(value.trim().to_string());
                    }
                }
                log.lock().unwrap().push((path.clone(), authorization));
                let canned = routes.get(&path).cloned().unwrap_or(Canned {
                    status: 404,
                    headers: Vec::new(),
                    body: json!({"message": "Not Found"}).to_string(),
                });
                let mut response = format!(
                    "HTTP/1.1 {} Canned\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    canned.status,
                    canned.body.len()
                );
                for (name, value) in &canned.headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&canned.body);
                let _ = stream.write_all(response.as_bytes());
            }
        });
        FakeApi {
            url,
            connections,
            requests,
        }
    }

    fn paths(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
}

const WORKFLOW: &str = r#"name: release
on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@1111111111111111111111111111111111111111 # v4.2.2
      - uses: actions/setup-python@v5
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@2222222222222222222222222222222222222222 # v1.12.4
"#;

/// A repository with `workflow` as `release.yml`, and `origin` when `remote`.
/// Its project `widget` has no release on PyPI yet (see `online`).
fn repository(workflow: &str, remote: bool) -> TempDir {
    let dir = TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("release.yml"), workflow).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"widget\"\n",
    )
    .unwrap();
    common::git(dir.path(), &["init", "-q"]);
    if remote {
        common::git(
            dir.path(),
            &[
                "remote",
                "add",
                "origin",
                "https://github.com/acme/widget.git",
            ],
        );
    }
    dir
}

/// Routes under which everything in `WORKFLOW` checks out.
fn healthy_routes() -> HashMap<String, Canned> {
    let mut routes = HashMap::new();
    routes.insert(
        "/repos/acme/widget".into(),
        ok(json!({"full_name": "acme/widget"})),
    );
    routes.insert(
        "/repos/acme/widget/environments/pypi".into(),
        ok(json!({
            "id": 1, "name": "pypi", "can_admins_bypass": false,
            "protection_rules": [
                {"id": 2, "node_id": "x", "type": "required_reviewers", "prevent_self_review": true,
                 "reviewers": [{"type": "User", "reviewer": {"login": "maintainer"}}]},
                {"id": 3, "node_id": "y", "type": "branch_policy"}
            ],
            "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}
        })),
    );
    routes.insert(
        "/repos/acme/widget/environments/pypi/deployment-branch-policies?per_page=100&page=1"
            .into(),
        ok(json!({"total_count": 1, "branch_policies": [
            {"id": 9, "node_id": "z", "name": "v*", "type": "tag"}
        ]})),
    );
    routes.insert(
        format!("/repos/actions/checkout/commits/{CHECKOUT_SHA}"),
        ok(json!({"sha": CHECKOUT_SHA})),
    );
    routes.insert(
        "/repos/actions/checkout/git/ref/tags/v4.2.2".into(),
        ok(json!({"ref": "refs/tags/v4.2.2", "object": {"type": "commit", "sha": CHECKOUT_SHA}})),
    );
    routes.insert(
        format!("/repos/pypa/gh-action-pypi-publish/commits/{PUBLISH_SHA}"),
        ok(json!({"sha": PUBLISH_SHA})),
    );
    // An annotated tag, peeled to the pinned commit: the close call of TP505.
    routes.insert(
        "/repos/pypa/gh-action-pypi-publish/git/ref/tags/v1.12.4".into(),
        ok(json!({"ref": "refs/tags/v1.12.4", "object": {"type": "tag", "sha": TAG_OBJECT_SHA}})),
    );
    routes.insert(
        format!("/repos/pypa/gh-action-pypi-publish/git/tags/{TAG_OBJECT_SHA}"),
        ok(json!({"sha": TAG_OBJECT_SHA, "tag": "v1.12.4", "object": {"type": "commit", "sha": PUBLISH_SHA}})),
    );
    routes
}

struct Run {
    diagnostics: Vec<(String, String, u64, String)>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .diagnostics
            .iter()
            .map(|(code, severity, line, _)| format!("{code} {severity} {line}"))
            .collect();
        codes.sort();
        codes
    }

    fn messages(&self, code: &str) -> Vec<&str> {
        self.diagnostics
            .iter()
            .filter(|d| d.0 == code)
            .map(|d| d.3.as_str())
            .collect()
    }
}

fn run(dir: &Path, args: &[&str], token: Option<&str>) -> Run {
    let mut command = common::tplint();
    command
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    if let Some(token) = token {
        command.env("GH_TOKEN", token);
    }
    let start = Instant::now();
    let output = command.output().unwrap();
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        output.status.code()
    );
    let json: Value = serde_json::from_str(&stdout).expect("JSON output");
    let diagnostics = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["location"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Run {
        diagnostics,
        stdout,
        stderr,
        elapsed,
    }
}

/// With `--online` against `api`, and package indexes that do not know the
/// project (PyPI's record is tested in `online_pypi.rs`).
fn online(api: &FakeApi, dir: &Path) -> Run {
    let indexes = FakeApi::start(HashMap::new());
    run(
        dir,
        &[
            "--online",
            "--github-api-url",
            &api.url,
            "--pypi-url",
            &indexes.url,
            "--testpypi-url",
            &indexes.url,
        ],
        Some(TOKEN),
    )
}

/// The offline findings of `WORKFLOW`: TP501 (setup-python@v5) and TP100.
const OFFLINE: [&str; 2] = ["TP100 info 19", "TP501 warning 11"];

fn with_offline(extra: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = OFFLINE.iter().chain(extra).map(|s| s.to_string()).collect();
    all.sort();
    all
}

#[test]
fn a_well_configured_repository_passes_the_online_checks() {
    let api = FakeApi::start(healthy_routes());
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&[]), "{}", result.stdout);
    // The token is sent to the API base, and each request is made once.
    let requests = api.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some(&format!("Bearer {TOKEN}")))
    );
    let mut paths = api.paths();
    let total = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), total, "a request was repeated: {paths:?}");
}

#[test]
fn unprotected_environment_is_tp403() {
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi".into(),
        ok(
            json!({"id": 1, "name": "pypi", "can_admins_bypass": true, "protection_rules": [],
                  "deployment_branch_policy": null}),
        ),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP403 warning 15"]));
    assert!(result.messages("TP403")[0].contains("no required reviewers, no wait timer"));
}

#[test]
fn self_approved_reviewers_are_tp403_info_and_a_wait_timer_is_protection() {
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi".into(),
        ok(json!({"id": 1, "name": "pypi", "can_admins_bypass": true,
                  "protection_rules": [{"id": 2, "type": "required_reviewers", "prevent_self_review": false,
                                         "reviewers": [{"type": "User", "reviewer": {"login": "m"}}]}],
                  "deployment_branch_policy": null})),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP403 info 15"]));
    assert!(result.messages("TP403")[0].contains("can_admins_bypass"));

    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi".into(),
        ok(json!({"id": 1, "name": "pypi", "protection_rules": [{"id": 2, "type": "wait_timer", "wait_timer": 10}],
                  "deployment_branch_policy": null})),
    );
    let api = FakeApi::start(routes);
    assert_eq!(online(&api, repo.path()).codes(), with_offline(&[]));
}

#[test]
fn missing_environment_is_tp403_but_an_invisible_repository_is_skipped() {
    let mut routes = healthy_routes();
    routes.remove("/repos/acme/widget/environments/pypi");
    let api = FakeApi::start(routes.clone());
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP403 warning 15"]));
    assert!(result.messages("TP403")[0].contains("does not exist in acme/widget"));

    routes.remove("/repos/acme/widget");
    let api = FakeApi::start(routes);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP400 warning 15"]));
    assert!(result.messages("TP400")[0].contains("not visible"));
}

#[test]
fn protected_branches_only_blocks_a_tag_release_tp404() {
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi".into(),
        ok(json!({"id": 1, "name": "pypi", "can_admins_bypass": false,
                  "protection_rules": [{"id": 2, "type": "wait_timer", "wait_timer": 5},
                                       {"id": 3, "type": "branch_policy"}],
                  "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}})),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP404 error 15"]));
    assert!(result.messages("TP404")[0].contains("no tag can"));
}

#[test]
fn branch_only_custom_policy_blocks_tags_and_a_matching_tag_rule_passes() {
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi/deployment-branch-policies?per_page=100&page=1"
            .into(),
        ok(json!({"total_count": 2, "branch_policies": [
            {"id": 9, "name": "main", "type": "branch"},
            {"id": 10, "name": "release/*"}
        ]})),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    assert_eq!(
        online(&api, repo.path()).codes(),
        with_offline(&["TP404 error 15"])
    );

    // A tag rule that admits none of the workflow's tags (`v*` vs `release/*`).
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/acme/widget/environments/pypi/deployment-branch-policies?per_page=100&page=1".into(),
        ok(json!({"total_count": 1, "branch_policies": [{"id": 9, "name": "release/*", "type": "tag"}]})),
    );
    let api = FakeApi::start(routes);
    assert_eq!(
        online(&api, repo.path()).codes(),
        with_offline(&["TP404 error 15"])
    );
}

#[test]
fn unknown_pinned_commit_is_tp504() {
    let mut routes = healthy_routes();
    routes.insert(
        format!("/repos/actions/checkout/commits/{CHECKOUT_SHA}"),
        status(422, &[]),
    );
    routes.insert(
        "/repos/actions/checkout".into(),
        ok(json!({"full_name": "actions/checkout"})),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    // TP505 still holds: the tag points at the pinned SHA.
    assert_eq!(result.codes(), with_offline(&["TP504 error 10"]));
}

#[test]
fn publish_action_pinned_to_a_tag_object_is_tp504() {
    let workflow = WORKFLOW.replace(PUBLISH_SHA, TAG_OBJECT_SHA);
    let api = FakeApi::start(healthy_routes());
    let repo = repository(&workflow, true);
    let result = online(&api, repo.path());
    // The comment is right about the tag (its object is the pin): no TP505.
    assert_eq!(result.codes(), with_offline(&["TP504 error 19"]));
    assert!(result.messages("TP504")[0].contains("manifest unknown"));
    assert!(result.messages("TP504")[0].contains("v1.12.4"));
}

#[test]
fn version_comment_naming_another_commit_is_tp505() {
    let mut routes = healthy_routes();
    routes.insert(
        "/repos/actions/checkout/git/ref/tags/v4.2.2".into(),
        ok(json!({"ref": "refs/tags/v4.2.2", "object": {"type": "commit", "sha": OTHER_SHA}})),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP505 warning 10"]));
    assert!(result.messages("TP505")[0].contains("333333333333"));

    // A tag that does not exist under either spelling.
    let mut routes = healthy_routes();
    routes.remove("/repos/actions/checkout/git/ref/tags/v4.2.2");
    let api = FakeApi::start(routes);
    let result = online(&api, repo.path());
    assert_eq!(result.codes(), with_offline(&["TP505 warning 10"]));
    assert!(
        api.paths()
            .contains(&"/repos/actions/checkout/git/ref/tags/4.2.2".to_string())
    );
}

#[test]
fn bad_token_gives_warnings_and_keeps_offline_results() {
    let mut routes = HashMap::new();
    for path in healthy_routes().keys() {
        routes.insert(path.clone(), status(401, &[]));
    }
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(
        result.codes(),
        with_offline(&["TP400 warning 10", "TP400 warning 15", "TP400 warning 19"])
    );
    assert!(result.messages("TP400").iter().all(|m| m.contains("401")));
    // Requests already in flight may still arrive; none is repeated.
    let mut paths = api.paths();
    let total = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), total);
}

#[test]
fn rate_limits_give_warnings_naming_the_skipped_checks() {
    for limited in [
        status(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000000"),
            ],
        ),
        status(429, &[("retry-after", "60")]),
    ] {
        let mut routes = HashMap::new();
        for path in healthy_routes().keys() {
            routes.insert(path.clone(), limited.clone());
        }
        let api = FakeApi::start(routes);
        let repo = repository(WORKFLOW, true);
        let result = online(&api, repo.path());
        assert_eq!(
            result.codes(),
            with_offline(&["TP400 warning 10", "TP400 warning 15", "TP400 warning 19"])
        );
        let messages = result.messages("TP400");
        assert!(
            messages.iter().all(|m| m.contains("rate limit")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("TP403 and TP404")));
        assert!(messages.iter().any(|m| m.contains("TP504 and TP505")));
    }
}

#[test]
fn without_a_remote_the_environment_checks_are_skipped() {
    let api = FakeApi::start(healthy_routes());
    let repo = repository(WORKFLOW, false);
    let result = online(&api, repo.path());
    // TP100 needs the remote for its help only; it still fires.
    assert_eq!(result.codes(), with_offline(&["TP400 warning 15"]));
    assert!(result.messages("TP400")[0].contains("no `origin` remote"));
    assert!(!api.paths().iter().any(|p| p.contains("environments")));
}

#[test]
fn the_token_never_appears_in_any_output() {
    let mut routes = HashMap::new();
    for (i, path) in healthy_routes().keys().enumerate() {
        // Failing answers, one of which echoes the token back.
        let canned = match i % 3 {
            0 => status(403, &[]),
            1 => Canned {
                status: 500,
                headers: vec![("x-echo", TOKEN.to_string())],
                body: format!("{{\"message\": \"{TOKEN}\"}}"),
            },
            _ => Canned {
                status: 403,
                headers: Vec::new(),
                body: format!("{{\"message\": \"token {TOKEN} lacks a scope\"}}"),
            },
        };
        routes.insert(path.clone(), canned);
    }
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    for format in ["json", "human", "github"] {
        let output = common::tplint()
            .arg("check")
            .arg(repo.path())
            .args(["--online", "--github-api-url", &api.url, "--format", format])
            .args(["--pypi-url", &api.url, "--testpypi-url", &api.url])
            .env("GH_TOKEN", TOKEN)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains("TP400") || all.contains("online-check-skipped"),
            "{all}"
        );
        assert!(
            !all.contains(TOKEN),
            "the token leaked in {format} output:\n{all}"
        );
        assert!(
            !all.contains("MARKER"),
            "part of the token leaked in {format} output"
        );
    }
    // And an unreachable API.
    let result = run(
        repo.path(),
        &[
            "--online",
            "--github-api-url",
            "http://127.0.0.1:9",
            "--pypi-url",
            "http://127.0.0.1:9",
            "--testpypi-url",
            "http://127.0.0.1:9",
        ],
        Some(TOKEN),
    );
    assert!(!result.stdout.contains("MARKER") && !result.stderr.contains("MARKER"));
}

#[test]
fn without_online_nothing_is_sent() {
    let api = FakeApi::start(healthy_routes());
    let repo = repository(WORKFLOW, true);
    let result = run(repo.path(), &["--github-api-url", &api.url], Some(TOKEN));
    assert_eq!(result.codes(), with_offline(&[]));
    // An unroutable address would hang a connection attempt; none is made.
    let result = run(
        repo.path(),
        &["--github-api-url", "http://10.255.255.1"],
        Some(TOKEN),
    );
    assert_eq!(result.codes(), with_offline(&[]));
    assert!(
        result.elapsed < Duration::from_secs(5),
        "took {:?}",
        result.elapsed
    );
    let result = run(repo.path(), &[], Some(TOKEN));
    assert_eq!(result.codes(), with_offline(&[]));
    assert_eq!(api.connections.load(Ordering::SeqCst), 0);
}

#[test]
fn online_rules_can_be_ignored_and_then_ask_nothing() {
    let api = FakeApi::start(healthy_routes());
    let repo = repository(WORKFLOW, true);
    let result = run(
        repo.path(),
        &[
            "--online",
            "--github-api-url",
            &api.url,
            "--pypi-url",
            &api.url,
            "--testpypi-url",
            &api.url,
            "--ignore",
            "TP403,TP404,TP504,TP505,TP101,TP103,TP104,TP105,TP106,TP107,TP108,TP109,TP306",
        ],
        None,
    );
    assert_eq!(result.codes(), with_offline(&[]));
    assert_eq!(api.connections.load(Ordering::SeqCst), 0);
}

#[test]
fn a_non_http_api_url_is_a_usage_error() {
    let repo = repository(WORKFLOW, true);
    common::tplint()
        .arg("check")
        .arg(repo.path())
        .args(["--online", "--github-api-url", "ftp://example.invalid"])
        .assert()
        .code(2);
}

#[test]
fn redirects_are_followed_within_the_api_only() {
    // The fake API's own URL is only known once it runs, so the redirecting
    // answers point at a second listener (another origin) or use a relative
    // `Location` (the same origin).
    let elsewhere = FakeApi::start(healthy_routes());
    let mut routes = healthy_routes();
    routes.insert(
        format!("/repos/actions/checkout/commits/{CHECKOUT_SHA}"),
        status(
            301,
            &[(
                "location",
                &format!("/repositories/42/commits/{CHECKOUT_SHA}"),
            )],
        ),
    );
    routes.insert(
        format!("/repositories/42/commits/{CHECKOUT_SHA}"),
        ok(json!({"sha": CHECKOUT_SHA})),
    );
    routes.insert(
        format!("/repos/pypa/gh-action-pypi-publish/commits/{PUBLISH_SHA}"),
        status(
            302,
            &[(
                "location",
                &format!(
                    "{}/repos/pypa/gh-action-pypi-publish/commits/{PUBLISH_SHA}",
                    elsewhere.url
                ),
            )],
        ),
    );
    let api = FakeApi::start(routes);
    let repo = repository(WORKFLOW, true);
    let result = online(&api, repo.path());
    assert_eq!(
        result.codes(),
        with_offline(&["TP400 warning 19"]),
        "{}",
        result.stdout
    );
    assert!(
        api.paths()
            .contains(&format!("/repositories/42/commits/{CHECKOUT_SHA}"))
    );
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
}

#[test]
fn online_rules_are_documented() {
    for code in ["TP400", "TP403", "TP404", "TP504", "TP505"] {
        let output = common::tplint().args(["explain", code]).output().unwrap();
        let doc = String::from_utf8_lossy(&output.stdout);
        assert!(doc.starts_with(&format!("# {code} ")), "{doc}");
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(doc.contains(section), "{code} lacks {section}");
        }
    }
}
