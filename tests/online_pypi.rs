//! `--online` and PyPI's record of the latest release: the binary against
//! canned PyPI answers (in the shapes warehouse serves) on 127.0.0.1 inside
//! the test process. No test reaches the internet.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

use common::server::{Answer, Server, check_online_json, json as ok, redirect, status_body};

/// The GitHub checks are tested in `online.rs`; here they would only add
/// environment requests to the canned server.
const NOT_HERE: &str = "TP403,TP404,TP501";

const PUBLISH: &str = r#"name: release
on:
  push:
    tags: ["v*"]
jobs:
  pypi-publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"#;

/// A repository with these files, `git init`ed, with `origin` when given.
fn repository(files: &[(&str, &str)], remote: Option<&str>) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    common::git(dir.path(), &["init", "-q"]);
    if let Some(url) = remote {
        common::git(dir.path(), &["remote", "add", "origin", url]);
    }
    dir
}

const PYPROJECT: (&str, &str) = ("pyproject.toml", "[project]\nname = \"widget\"\n");
const ACME: Option<&str> = Some("https://github.com/acme/widget.git");

fn github(repository: &str, workflow: &str, environment: Value) -> Value {
    json!({"kind": "GitHub", "repository": repository, "workflow": workflow, "environment": environment})
}

fn provenance(publisher: &Value) -> Value {
    json!({"version": 1, "attestation_bundles": [{
        "publisher": publisher,
        "attestations": [{
            "version": 1,
            "verification_material": {"certificate": "MIIC1jCCAlygAwIBAgIU", "transparency_entries": []},
            "envelope": {"statement": "eyJfdHlwZSI6ImEifQ==", "signature": "MEUCIQ=="}
        }]
    }]})
}

/// One file of the latest release: its name, `packagetype`, and the
/// publisher in its provenance (`None`: the file has none).
struct File {
    name: String,
    kind: &'static str,
    publisher: Option<Value>,
}

fn sdist(project: &str, version: &str, publisher: Option<Value>) -> File {
    File {
        name: format!("{}-{version}.tar.gz", project.replace('-', "_")),
        kind: "sdist",
        publisher,
    }
}

fn wheel(project: &str, version: &str, tag: &str, publisher: Option<Value>) -> File {
    File {
        name: format!("{}-{version}-{tag}.whl", project.replace('-', "_")),
        kind: "bdist_wheel",
        publisher,
    }
}

fn json_file(file: &File, uploaded: &str) -> Value {
    json!({
        "comment_text": null, "digests": {"blake2b_256": "ab", "md5": "cd", "sha256": "ef"},
        "downloads": -1, "filename": file.name, "has_sig": false, "md5_digest": "cd",
        "packagetype": file.kind, "python_version": if file.kind == "sdist" { "source" } else { "py3" },
        "requires_python": ">=3.9", "size": 12345, "upload_time": &uploaded[..19],
        "upload_time_iso_8601": format!("{uploaded}Z"),
        "url": format!("https://files.pythonhosted.org/packages/ab/cd/ef/{}", file.name),
        "yanked": false, "yanked_reason": null
    })
}

/// Serve `project`'s latest release `version` under `/pypi` of `server`:
/// the JSON API, the simple API (with an older release before it) and the
/// provenance of each file that has one. Returns the simple API's page.
fn serve_release(
    server: &Server,
    project: &str,
    version: &str,
    files: &[File],
    uploaded: &str,
) -> Value {
    serve_release_at(server, "/pypi", project, version, files, uploaded)
}

/// The same under the index base `prefix` (`/pypi` or `/testpypi`).
fn serve_release_at(
    server: &Server,
    prefix: &str,
    project: &str,
    version: &str,
    files: &[File],
    uploaded: &str,
) -> Value {
    let urls: Vec<Value> = files.iter().map(|f| json_file(f, uploaded)).collect();
    server.route(
        &format!("{prefix}/pypi/{project}/json"),
        ok(&json!({
            "info": {"name": project, "version": version, "summary": "A widget", "yanked": false,
                     "requires_python": ">=3.9", "project_urls": {"Source": "https://github.com/acme/widget"}},
            "last_serial": 27140032,
            "releases": {"0.9.0": [], version: urls.clone()},
            "urls": urls,
            "vulnerabilities": []
        })),
    );
    let mut simple_files = vec![json!({
        "filename": format!("{project}-0.9.0.tar.gz"), "hashes": {"sha256": "00"},
        "provenance": null, "requires-python": null, "size": 1, "upload-time": "2021-01-01T00:00:00.000000Z",
        "url": "https://files.pythonhosted.org/packages/00/00/00/old.tar.gz", "yanked": false,
        "core-metadata": false, "data-dist-info-metadata": false
    })];
    for file in files {
        let provenance_url = file.publisher.as_ref().map(|_| {
            format!(
                "{}{prefix}/integrity/{project}/{version}/{}/provenance",
                server.url, file.name
            )
        });
        simple_files.push(json!({
            "filename": file.name, "hashes": {"sha256": "ef"}, "provenance": provenance_url,
            "requires-python": ">=3.9", "size": 12345, "upload-time": format!("{uploaded}Z"),
            "url": format!("https://files.pythonhosted.org/packages/ab/cd/ef/{}", file.name),
            "yanked": false, "core-metadata": {"sha256": "12"}, "data-dist-info-metadata": {"sha256": "12"}
        }));
        if let Some(publisher) = &file.publisher {
            server.route(
                &format!(
                    "{prefix}/integrity/{project}/{version}/{}/provenance",
                    file.name
                ),
                ok(&provenance(publisher)),
            );
        }
    }
    let page = json!({
        "meta": {"api-version": "1.4", "_last-serial": 27140032},
        "name": project, "project-status": {"status": "active"},
        "versions": ["0.9.0", version], "alternate-locations": [], "files": simple_files
    });
    server.route(&format!("{prefix}/simple/{project}/"), ok(&page));
    page
}

/// widget 1.4.2, uploaded by `publisher` (sdist and wheel), under `prefix`.
fn serve_widget_at(server: &Server, prefix: &str, publisher: &Value) {
    serve_release_at(
        server,
        prefix,
        "widget",
        "1.4.2",
        &[
            sdist("widget", "1.4.2", Some(publisher.clone())),
            wheel("widget", "1.4.2", "py3-none-any", Some(publisher.clone())),
        ],
        "2025-06-14T08:30:05.654321",
    );
}

fn serve_widget(server: &Server, publisher: &Value) {
    serve_widget_at(server, "/pypi", publisher);
}

struct Finding {
    code: String,
    severity: String,
    path: String,
    line: u64,
    message: String,
    help: String,
}

fn findings(output: &Value) -> Vec<Finding> {
    output["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Finding {
            code: d["code"].as_str().unwrap().to_string(),
            severity: d["severity"].as_str().unwrap().to_string(),
            path: d["location"]["path"].as_str().unwrap().to_string(),
            line: d["location"]["start"]["line"].as_u64().unwrap(),
            message: d["message"].as_str().unwrap().to_string(),
            help: d["help"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

fn check(dir: &Path, server: &Server) -> Vec<Finding> {
    findings(&check_online_json(dir, server, &["--ignore", NOT_HERE]))
}

/// `CODE severity path:line` of each finding, sorted.
fn summary(findings: &[Finding]) -> Vec<String> {
    let mut all: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {} {}:{}", f.code, f.severity, f.path, f.line))
        .collect();
    all.sort();
    all
}

fn only<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    let matching: Vec<&Finding> = findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(matching.len(), 1, "{:?}", summary(findings));
    matching[0]
}

fn release_requests(server: &Server) -> Vec<String> {
    server
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("/pypi/"))
        .collect()
}

#[test]
fn a_renamed_workflow_is_reported_against_the_record_with_no_config() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let repo = repository(
        &[(".github/workflows/publish.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/publish.yml:12",
            "TP101 warning .github/workflows/publish.yml:12"
        ]
    );
    let tp101 = only(&found, "TP101");
    assert!(
        tp101.message.contains(
            "PyPI recorded this publisher for widget 1.4.2 (widget-1.4.2.tar.gz); unless a publisher for `publish.yml` has been registered since, the next release will fail — declare it in tplint.toml to confirm"
        ),
        "{}",
        tp101.message
    );
    assert!(tp101.message.contains("`release.yml` does not exist"));
    // The JSON API, the simple API, and one sdist and one wheel.
    assert_eq!(
        release_requests(&server),
        [
            "/pypi/pypi/widget/json",
            "/pypi/simple/widget/",
            "/pypi/integrity/widget/1.4.2/widget-1.4.2.tar.gz/provenance",
            "/pypi/integrity/widget/1.4.2/widget-1.4.2-py3-none-any.whl/provenance",
        ]
    );
}

#[test]
fn a_changed_environment_is_reported_against_the_record() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let workflow = PUBLISH.replace("environment: pypi", "environment: release");
    let repo = repository(
        &[(".github/workflows/release.yml", &workflow), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP104 warning .github/workflows/release.yml:8"
        ]
    );
    assert!(
        only(&found, "TP104")
            .message
            .contains("runs in environment `release`, but the PyPI publisher expects `pypi`. PyPI recorded this publisher for widget 1.4.2")
    );
}

#[test]
fn a_record_the_workflows_match_adds_nothing() {
    let server = Server::start(Default::default());
    // PyPI stores the environment lower-cased; GitHub compares names case-insensitively.
    serve_widget(
        &server,
        &github("Acme/Widget", "release.yml", json!("pypi")),
    );
    let workflow = PUBLISH.replace("environment: pypi", "environment: PyPI");
    let repo = repository(
        &[(".github/workflows/release.yml", &workflow), PYPROJECT],
        Some("https://github.com/Acme/Widget.git"),
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        ["TP100 info .github/workflows/release.yml:12"]
    );
    // The record shows the publisher is registered: the help says to
    // declare it, not to register one.
    let tp100 = only(&found, "TP100");
    assert!(
        tp100
            .help
            .contains("shows that a trusted publisher for `release.yml` is registered already"),
        "{}",
        tp100.help
    );
    assert!(
        !tp100.help.contains("register a trusted publisher"),
        "{}",
        tp100.help
    );
    assert!(
        tp100.help.contains("workflow = \"release.yml\""),
        "{}",
        tp100.help
    );
}

#[test]
fn an_old_record_with_an_empty_environment_names_none() {
    let server = Server::start(Default::default());
    // Records made before late November 2024 say `""`, and carry `claims`.
    let mut publisher = github("acme/widget", "release.yml", json!(""));
    publisher["claims"] = Value::Null;
    serve_widget(&server, &publisher);
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    // Not TP104 (a publisher without an environment accepts the job), but
    // TP105 one severity lower than for a declared publisher.
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP105 info .github/workflows/release.yml:8"
        ]
    );
    let tp105 = only(&found, "TP105");
    assert!(tp105.message.contains("names no environment"));
    assert!(
        tp105
            .message
            .contains("the publishers registered on PyPI may have changed since")
    );
}

const CALLER: &str = r#"name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    permissions:
      id-token: write
    uses: ./.github/workflows/pypi.yml
"#;

const CALLED: &str = r#"name: pypi
on:
  workflow_call:
jobs:
  upload:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"#;

#[test]
fn a_record_of_a_reusable_workflow_names_the_called_file() {
    let server = Server::start(Default::default());
    serve_widget(&server, &github("acme/widget", "pypi.yml", json!("pypi")));
    let repo = repository(
        &[
            (".github/workflows/release.yml", CALLER),
            (".github/workflows/pypi.yml", CALLED),
            PYPROJECT,
        ],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/pypi.yml:11",
            "TP108 warning .github/workflows/pypi.yml:11"
        ]
    );
    // That warning is TP108's own, about the reusable workflow: not about the
    // record, which names the file PyPI sees.
    assert!(!only(&found, "TP108").message.contains("recorded"));

    // A record naming the caller cannot be PyPI's (it sees the called
    // file), but if it were, the release would fail: TP108's error, lowered.
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/pypi.yml:11",
            "TP108 warning .github/workflows/pypi.yml:11"
        ]
    );
    let tp108 = only(&found, "TP108");
    assert!(
        tp108
            .message
            .contains("PyPI recorded this publisher for widget 1.4.2"),
        "{}",
        tp108.message
    );
    assert!(
        tp108.help.contains("not the caller `release.yml`"),
        "{}",
        tp108.help
    );
}

#[test]
fn a_name_that_is_not_normalised_is_normalised_before_asking() {
    let server = Server::start(Default::default());
    // PyPI would answer the spelling of pyproject.toml with a 301.
    server.route(
        "/pypi/pypi/Widget_Core/json",
        redirect(301, "/pypi/pypi/widget-core/json"),
    );
    let page = serve_release(
        &server,
        "widget-core",
        "2.0.0",
        &[sdist(
            "widget-core",
            "2.0.0",
            Some(github("acme/widget", "release.yml", json!("pypi"))),
        )],
        "2025-06-14T08:30:05.654321",
    );
    // A mirror that moves the simple page is followed within the API base.
    server.route(
        "/pypi/simple/widget-core/",
        redirect(
            301,
            &format!("{}/pypi/simple/widget-core/index.json", server.url),
        ),
    );
    server.route("/pypi/simple/widget-core/index.json", ok(&page));
    let repo = repository(
        &[
            (".github/workflows/release.yml", PUBLISH),
            ("pyproject.toml", "[project]\nname = \"Widget_Core\"\n"),
        ],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        ["TP100 info .github/workflows/release.yml:12"]
    );
    assert_eq!(
        release_requests(&server),
        [
            "/pypi/pypi/widget-core/json",
            "/pypi/simple/widget-core/",
            "/pypi/simple/widget-core/index.json",
            "/pypi/integrity/widget-core/2.0.0/widget_core-2.0.0.tar.gz/provenance",
        ]
    );
}

#[test]
fn a_release_without_provenance_is_tp306() {
    let server = Server::start(Default::default());
    serve_release(
        &server,
        "widget",
        "1.4.2",
        &[
            sdist("widget", "1.4.2", None),
            wheel("widget", "1.4.2", "py3-none-any", None),
        ],
        "2024-06-14T08:30:05.654321",
    );
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP306 info .github/workflows/release.yml:12"
        ]
    );
    let tp306 = only(&found, "TP306");
    assert!(tp306.message.contains(
        "no file of widget 1.4.2 on PyPI (uploaded 2024-06-14, before PyPI stored provenance) has provenance"
    ));
    assert!(tp306.help.contains("job `pypi-publish` of `release.yml`"));
    assert!(!server.paths().iter().any(|p| p.contains("/integrity/")));

    // Some files with provenance: not TP306.
    let server = Server::start(Default::default());
    serve_release(
        &server,
        "widget",
        "1.4.2",
        &[
            sdist("widget", "1.4.2", None),
            wheel(
                "widget",
                "1.4.2",
                "py3-none-any",
                Some(github("acme/widget", "release.yml", json!("pypi"))),
            ),
        ],
        "2025-06-14T08:30:05.654321",
    );
    assert_eq!(
        summary(&check(repo.path(), &server)),
        ["TP100 info .github/workflows/release.yml:12"]
    );
}

#[test]
fn a_simple_api_without_provenance_is_not_taken_for_a_release_without_it() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    // An index from before PEP 740: no `provenance` key at all.
    server.route(
        "/pypi/simple/widget/",
        ok(&json!({"meta": {"api-version": "1.1"}, "name": "widget", "versions": ["1.4.2"],
                   "files": [{"filename": "widget-1.4.2.tar.gz", "url": "x", "hashes": {}},
                             {"filename": "widget-1.4.2-py3-none-any.whl", "url": "y", "hashes": {}}]})),
    );
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP400 warning .github/workflows/release.yml:12"
        ]
    );
    assert!(
        only(&found, "TP400")
            .message
            .contains("does not say whether `widget-1.4.2.tar.gz` has provenance")
    );
}

/// The TP400 of a run whose PyPI answers are broken at `path`, with its
/// message, after checking that nothing else was concluded.
fn skipped_with(path_answer: (&str, Answer)) -> String {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/elsewhere", "other.yml", json!("prod")),
    );
    server.route(path_answer.0, path_answer.1);
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP400 warning .github/workflows/release.yml:12"
        ],
        "{path_answer_path}",
        path_answer_path = path_answer.0
    );
    let message = only(&found, "TP400").message.clone();
    assert!(
        message.starts_with("PyPI's record of `widget` was not read: "),
        "{message}"
    );
    assert!(message.contains("the workflows were not checked against the publisher it recorded"));
    message
}

const SDIST_PROVENANCE: &str = "/pypi/integrity/widget/1.4.2/widget-1.4.2.tar.gz/provenance";

#[test]
fn provenance_answers_that_cannot_be_used_are_tp400() {
    for (answer, expected) in [
        (
            status_body(403, r#"{"message": "Attestations temporarily disabled"}"#),
            "answered 403: the index has attestations turned off",
        ),
        (
            status_body(406, r#"{"message": "Request not acceptable"}"#),
            "answered 406",
        ),
        (
            status_body(404, "<html>Not Found</html>"),
            "answered 404 for a provenance that the simple API lists",
        ),
        (status_body(502, "Bad Gateway"), "answered with status 502"),
        (status_body(200, "{\"version\": 1,"), "invalid JSON"),
        (
            ok(&json!({"version": 1, "attestation_bundles": []})),
            "has no `attestation_bundles`",
        ),
        (
            ok(
                &json!({"version": 1, "attestation_bundles": [{"publisher": {"kind": "GitHub", "workflow": "r.yml"}}]}),
            ),
            "has a publisher without `repository`",
        ),
        (
            ok(&json!({"version": 1, "attestation_bundles": (0..1000)
                .map(|i| json!({"publisher": github("acme/widget", &format!("w{i}.yml"), Value::Null)}))
                .collect::<Vec<_>>()})),
            "names more than 8 publishers for one release",
        ),
    ] {
        let message = skipped_with((SDIST_PROVENANCE, answer));
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("/integrity/widget/1.4.2/widget-1.4.2.tar.gz/provenance"));
    }
}

#[test]
fn json_api_answers_that_cannot_be_used_are_tp400() {
    let json_path = "/pypi/pypi/widget/json";
    for (answer, expected) in [
        (status_body(503, "unavailable"), "answered with status 503"),
        (status_body(200, "<!DOCTYPE html>"), "invalid JSON"),
        (
            ok(&json!({"info": {}, "urls": []})),
            "has no `info.version`",
        ),
        (Answer::Large(33 * 1024 * 1024), "cannot read the answer"),
        (redirect(301, json_path), "too many redirects"),
        (
            redirect(302, "http://127.0.0.1:9/pypi/widget/json"),
            "redirected (302) outside the API base",
        ),
    ] {
        let message = skipped_with((json_path, answer));
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn an_unreachable_index_is_tp400_and_never_exit_2() {
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .args(["--format", "json", "--online", "--ignore", NOT_HERE])
        .args(["--github-api-url", "http://127.0.0.1:9"])
        .args(["--pypi-url", "http://127.0.0.1:9"])
        .args(["--testpypi-url", "http://127.0.0.1:9"])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let found = findings(&serde_json::from_slice(&output.stdout).unwrap());
    let tp400 = only(&found, "TP400");
    assert!(
        tp400
            .message
            .contains("`GET http://127.0.0.1:9/pypi/widget/json` failed")
    );
    assert_eq!(tp400.line, 12);
}

#[test]
fn a_timeout_is_a_skipped_check() {
    use tplint::lint::{CheckOptions, check_repository};
    use tplint::online::client::{Settings, UreqTransport};
    use tplint::online::pypi::{IndexClient, Indexes, RecordStatus};
    use tplint::registry::Registry;

    let server = Server::start(Default::default());
    server.route("/pypi/widget/json", Answer::Silent);
    let client = |index| {
        let settings = Settings {
            timeout: Duration::from_secs(1),
            ..Settings::default()
        };
        IndexClient::new(
            index,
            &server.url,
            Box::new(UreqTransport::with_settings(&server.url, settings)),
        )
    };
    let started = Instant::now();
    let status = client(Registry::Pypi).latest_record("widget");
    assert!(started.elapsed() < Duration::from_secs(10));
    let RecordStatus::Skipped(reason) = status else {
        panic!("{status:?}");
    };
    assert!(reason.contains("/pypi/widget/json` failed"), "{reason}");

    // The same through the whole check: a located TP400.
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let options = CheckOptions {
        indexes: Some(Arc::new(Indexes {
            pypi: client(Registry::Pypi),
            testpypi: client(Registry::TestPypi),
        })),
        ..CheckOptions::default()
    };
    let report = check_repository(repo.path(), String::new(), &options).unwrap();
    let skipped: Vec<_> = report
        .resolved()
        .into_iter()
        .filter(|d| d.diagnostic.rule.code == "TP400")
        .map(|d| (d.path, d.start.line, d.diagnostic.message.clone()))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        (skipped[0].0.as_str(), skipped[0].1),
        (".github/workflows/release.yml", 12)
    );
    assert!(skipped[0].2.contains("was not read"));
}

#[test]
fn a_project_not_on_the_index_is_not_a_finding() {
    let server = Server::start(Default::default());
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        ["TP100 info .github/workflows/release.yml:12"]
    );
    assert_eq!(release_requests(&server), ["/pypi/pypi/widget/json"]);
}

#[test]
fn without_a_project_name_nothing_is_asked_and_tp400_says_why() {
    let server = Server::start(Default::default());
    let repo = repository(&[(".github/workflows/release.yml", PUBLISH)], ACME);
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP400 warning .github/workflows/release.yml:12"
        ]
    );
    assert!(
        only(&found, "TP400")
            .message
            .contains("the project name is unknown")
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);

    // Nothing publishes and nothing is declared: nothing to ask, nothing to say.
    let repo = repository(
        &[
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
            ),
            PYPROJECT,
        ],
        ACME,
    );
    assert!(check(repo.path(), &server).is_empty());
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

const DECLARED_PUBLISH_YML: &str = r#"[[publisher]]
owner = "acme"
repository = "widget"
workflow = "publish.yml"
environment = "pypi"
"#;

#[test]
fn a_declared_publisher_takes_precedence_and_a_record_it_does_not_match_is_tp109() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let repo = repository(
        &[
            (".github/workflows/publish.yml", PUBLISH),
            ("tplint.toml", DECLARED_PUBLISH_YML),
            PYPROJECT,
        ],
        ACME,
    );
    let found = check(repo.path(), &server);
    // No TP101 for the recorded `release.yml`: the declaration wins.
    assert_eq!(summary(&found), ["TP109 info tplint.toml:4"]);
    let tp109 = only(&found, "TP109");
    assert!(tp109.message.contains(
        "PyPI recorded GitHub `acme/widget`, workflow `release.yml`, environment `pypi` for widget 1.4.2 (widget-1.4.2.tar.gz)"
    ));
    assert!(
        tp109
            .message
            .contains("differs in workflow (`publish.yml`, recorded `release.yml`)")
    );
    assert!(tp109.help.contains("workflow = \"release.yml\""));

    // The close call: the record is the declared publisher.
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "publish.yml", json!("pypi")),
    );
    assert!(check(repo.path(), &server).is_empty());
}

#[test]
fn provenance_requests_are_bounded_and_disagreeing_files_are_all_read() {
    let publisher = github("acme/widget", "release.yml", json!("pypi"));
    let mut files = vec![sdist("widget", "1.4.2", Some(publisher.clone()))];
    for tag in [
        "cp310-cp310-manylinux_2_17_x86_64",
        "cp311-cp311-manylinux_2_17_x86_64",
        "cp312-cp312-manylinux_2_17_x86_64",
        "cp312-cp312-macosx_11_0_arm64",
        "cp312-cp312-win_amd64",
        "cp313-cp313-manylinux_2_17_x86_64",
        "cp313-cp313-macosx_11_0_arm64",
        "cp313-cp313-win_amd64",
    ] {
        files.push(wheel("widget", "1.4.2", tag, Some(publisher.clone())));
    }
    let server = Server::start(Default::default());
    serve_release(
        &server,
        "widget",
        "1.4.2",
        &files,
        "2025-06-14T08:30:05.654321",
    );
    let repo = repository(
        &[
            (".github/workflows/release.yml", PUBLISH),
            (
                "tplint.toml",
                &DECLARED_PUBLISH_YML.replace("publish.yml", "release.yml"),
            ),
            PYPROJECT,
        ],
        ACME,
    );
    assert!(check(repo.path(), &server).is_empty());
    let integrity = server
        .paths()
        .iter()
        .filter(|p| p.contains("/integrity/"))
        .count();
    assert_eq!(integrity, 2, "{:?}", server.paths());

    // The wheels came from another workflow: both publishers are found, the
    // undeclared one is TP109, and at most six provenances are read.
    let other = github("acme/widget", "wheels.yml", json!("pypi"));
    for file in files.iter_mut().skip(1) {
        file.publisher = Some(other.clone());
    }
    let server = Server::start(Default::default());
    serve_release(
        &server,
        "widget",
        "1.4.2",
        &files,
        "2025-06-14T08:30:05.654321",
    );
    let found = check(repo.path(), &server);
    assert_eq!(summary(&found), ["TP109 info tplint.toml:4"]);
    assert!(
        only(&found, "TP109")
            .message
            .contains("workflow `wheels.yml`")
    );
    let integrity = server
        .paths()
        .iter()
        .filter(|p| p.contains("/integrity/"))
        .count();
    assert_eq!(integrity, 6, "{:?}", server.paths());
}

#[test]
fn a_gitlab_record_is_reported_as_what_it_is() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &json!({"kind": "GitLab", "repository": "acme/sub/widget",
                "workflow_filepath": ".gitlab-ci.yml", "environment": null}),
    );
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:12",
            "TP109 info .github/workflows/release.yml:12"
        ]
    );
    assert!(only(&found, "TP109").message.contains(
        "PyPI recorded GitLab `acme/sub/widget`, top-level pipeline file `.gitlab-ci.yml`, no environment for widget 1.4.2"
    ));
    assert!(
        only(&found, "TP109")
            .message
            .contains("this repository has no GitLab pipeline")
    );
}

const GITLAB_PIPELINE: &str = r#"include:
  - local: ci/publish.yml

build:
  stage: build
  script:
    - python -m build
  artifacts:
    paths: [dist/]
"#;

const GITLAB_PUBLISH: &str = r#"publish:
  stage: deploy
  environment: PyPI
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  script:
    - python -m pip install -U twine
    - twine upload dist/*
"#;

const GITLAB_REMOTE: Option<&str> = Some("https://gitlab.com/acme/sub/widget.git");

fn gitlab(repository: &str, workflow_filepath: &str, environment: Value) -> Value {
    json!({"kind": "GitLab", "repository": repository, "workflow_filepath": workflow_filepath,
           "environment": environment, "claims": null})
}

fn gitlab_repository(config: Option<&str>) -> TempDir {
    let mut files = vec![
        (".gitlab-ci.yml", GITLAB_PIPELINE),
        ("ci/publish.yml", GITLAB_PUBLISH),
        PYPROJECT,
    ];
    if let Some(config) = config {
        files.push(("tplint.toml", config));
    }
    repository(&files, GITLAB_REMOTE)
}

#[test]
fn a_gitlab_record_is_checked_against_the_pipeline_one_severity_lower() {
    let server = Server::start(Default::default());
    // Recorded in environment `pypi`; the job runs in `PyPI`, which PyPI's
    // case-sensitive comparison of GitLab environments rejects.
    serve_widget(
        &server,
        &gitlab("acme/sub/widget", ".gitlab-ci.yml", json!("pypi")),
    );
    let repo = gitlab_repository(None);
    let found = check(repo.path(), &server);
    assert_eq!(summary(&found), ["TP104 warning ci/publish.yml:3"]);
    let finding = only(&found, "TP104");
    assert!(
        finding
            .message
            .contains("PyPI recorded this publisher for widget 1.4.2"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("letter case included"));
}

#[test]
fn a_gitlab_record_the_pipeline_matches_adds_nothing() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &gitlab("acme/sub/widget", ".gitlab-ci.yml", json!("PyPI")),
    );
    let repo = gitlab_repository(None);
    assert!(check(repo.path(), &server).is_empty());
}

#[test]
fn a_gitlab_record_of_the_included_file_is_tp108_one_severity_lower() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &gitlab("acme/sub/widget", "ci/publish.yml", json!("PyPI")),
    );
    let repo = gitlab_repository(None);
    let found = check(repo.path(), &server);
    assert_eq!(summary(&found), ["TP108 warning ci/publish.yml:9"]);
    assert!(
        only(&found, "TP108")
            .message
            .contains("matches the top-level pipeline file `.gitlab-ci.yml`")
    );
}

#[test]
fn a_declared_gitlab_publisher_takes_precedence_and_a_differing_record_is_tp109() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &gitlab("acme/sub/widget", ".gitlab-ci.yml", json!("pypi")),
    );
    let config = "[[publisher]]\nplatform = \"gitlab\"\nnamespace = \"acme/sub\"\nrepository = \"widget\"\nworkflow = \".gitlab-ci.yml\"\nenvironment = \"PyPI\"\n";
    let repo = gitlab_repository(Some(config));
    let found = check(repo.path(), &server);
    assert_eq!(summary(&found), ["TP109 info tplint.toml:6"]);
    let finding = only(&found, "TP109");
    assert!(
        finding
            .message
            .contains("differs in environment (`PyPI`, recorded `pypi`)"),
        "{}",
        finding.message
    );
    assert!(finding.help.contains("platform = \"gitlab\""));
    assert!(finding.help.contains("namespace = \"acme/sub\""));
}

const TESTPYPI_PUBLISH: &str = r#"name: release
on:
  push:
    tags: ["v*"]
jobs:
  testpypi:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
"#;

#[test]
fn testpypi_is_asked_for_a_testpypi_upload() {
    let server = Server::start(Default::default());
    serve_widget_at(
        &server,
        "/testpypi",
        &github("acme/widget", "testpypi.yml", Value::Null),
    );
    let repo = repository(
        &[
            (".github/workflows/release.yml", TESTPYPI_PUBLISH),
            PYPROJECT,
        ],
        ACME,
    );
    let found = check(repo.path(), &server);
    assert_eq!(
        summary(&found),
        [
            "TP100 info .github/workflows/release.yml:11",
            "TP101 warning .github/workflows/release.yml:11",
            "TP401 warning .github/workflows/release.yml:6"
        ]
    );
    assert!(
        only(&found, "TP101")
            .message
            .contains("TestPyPI recorded this publisher for widget 1.4.2")
    );
    let asked = server.paths();
    assert!(
        !asked.is_empty() && asked.iter().all(|p| p.starts_with("/testpypi/")),
        "{asked:?}"
    );
}

#[test]
fn nothing_is_sent_without_online() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let repo = repository(
        &[(".github/workflows/publish.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let base = format!("{}/pypi", server.url);
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .args([
            "--format",
            "json",
            "--pypi-url",
            &base,
            "--testpypi-url",
            &base,
        ])
        .output()
        .unwrap();
    let found = findings(&serde_json::from_slice(&output.stdout).unwrap());
    assert!(!found.iter().any(|f| f.code == "TP101" || f.code == "TP400"));
    common::tplint()
        .arg("suggest")
        .arg(repo.path())
        .args(["--pypi-url", &base, "--testpypi-url", &base])
        .assert()
        .success();
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

#[test]
fn the_index_gets_no_token_and_the_documented_headers() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let base = format!("{}/pypi", server.url);
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .args(["--format", "json", "--online", "--ignore", NOT_HERE])
        .args(["--pypi-url", &base, "--testpypi-url", &base])
        .args(["--github-api-url", &format!("{}/github", server.url)])
        .env("GH_TOKEN", "ghp_not_for_pypi")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(request.header("authorization"), None, "{}", request.path);
        assert!(request.header("user-agent").unwrap().starts_with("tplint/"));
        let accept = request.header("accept").unwrap();
        let expected = if request.path.contains("/integrity/") {
            "application/vnd.pypi.integrity.v1+json"
        } else if request.path.contains("/simple/") {
            "application/vnd.pypi.simple.v1+json"
        } else {
            "application/json"
        };
        assert_eq!(accept, expected, "{}", request.path);
    }
}

#[test]
fn each_project_is_asked_once_per_run() {
    let server = Server::start(Default::default());
    serve_widget(
        &server,
        &github("acme/widget", "release.yml", json!("pypi")),
    );
    let first = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let second = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    let base = format!("{}/pypi", server.url);
    common::tplint()
        .arg("check")
        .arg(first.path())
        .arg(second.path())
        .args([
            "--online",
            "--ignore",
            NOT_HERE,
            "--pypi-url",
            &base,
            "--testpypi-url",
            &base,
        ])
        .args(["--github-api-url", &format!("{}/github", server.url)])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .assert()
        .code(0);
    assert_eq!(release_requests(&server).len(), 4, "{:?}", server.paths());
}

#[test]
fn an_index_url_that_is_not_http_is_a_usage_error() {
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        ACME,
    );
    for flag in ["--pypi-url", "--testpypi-url"] {
        common::tplint()
            .arg("check")
            .arg(repo.path())
            .args(["--online", flag, "file:///srv/pypi"])
            .assert()
            .code(2);
    }
}

#[test]
fn suggest_online_fills_the_form_from_the_record() {
    let server = Server::start(Default::default());
    // Recorded in the owner's canonical spelling; one job matches it, and a
    // second recorded publisher matches no job any more.
    serve_release(
        &server,
        "widget",
        "1.4.2",
        &[
            sdist(
                "widget",
                "1.4.2",
                Some(github("Acme/widget", "release.yml", json!("pypi"))),
            ),
            wheel(
                "widget",
                "1.4.2",
                "py3-none-any",
                Some(github("Acme/widget", "wheels.yml", Value::Null)),
            ),
        ],
        "2025-06-14T08:30:05.654321",
    );
    let repo = repository(
        &[(".github/workflows/release.yml", PUBLISH), PYPROJECT],
        None,
    );
    let base = format!("{}/pypi", server.url);
    let output = common::tplint()
        .arg("suggest")
        .arg(repo.path())
        .args(["--online", "--pypi-url", &base, "--testpypi-url", &base])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "  Owner:              Acme\n  Repository name:    widget\n  Workflow name:      release.yml\n  Environment name:   pypi\n    for job .github/workflows/release.yml: pypi-publish\n    as PyPI recorded it for widget 1.4.2 (widget-1.4.2.tar.gz)\n",
        "  Workflow name:      wheels.yml\n  Environment name:   (any)\n    as PyPI recorded it for widget 1.4.2 (widget-1.4.2-py3-none-any.whl)\n    but no job here publishes as this publisher any more, so it is left out below\n",
        "owner = \"Acme\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains("workflow = \"wheels.yml\""), "{text}");

    let output = common::tplint()
        .args([
            "suggest",
            "--format",
            "json",
            "--online",
            "--pypi-url",
            &base,
        ])
        .arg(repo.path())
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["publishers"][0]["recorded"],
        json!({"project": "widget", "version": "1.4.2", "filename": "widget-1.4.2.tar.gz"})
    );
}

#[test]
fn the_record_rules_are_documented() {
    for code in ["TP109", "TP306"] {
        let output = common::tplint().args(["explain", code]).output().unwrap();
        let doc = String::from_utf8_lossy(&output.stdout);
        assert!(doc.starts_with(&format!("# {code} ")), "{doc}");
        assert!(doc.contains("**Severity:** info"));
    }
}
