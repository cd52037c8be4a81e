//! Remote targets (`github:OWNER/REPO`, `github:OWNER`, `gitlab:GROUP/PROJECT`,
//! `gitlab:GROUP`) against stand-ins for the GitHub and GitLab APIs served
//! on 127.0.0.1 inside the test process. No test reaches the internet.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{Value, json};
use tempfile::TempDir;

const GH_TOKEN: &str = "ghp_REMOTE_MARKER_0123456789";
const GL_TOKEN: &str = "glpat-REMOTE_MARKER_0123456789";

#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn json_reply(body: Value) -> Canned {
    Canned {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn with_header(mut canned: Canned, name: &str, value: &str) -> Canned {
    canned.headers.push((name.into(), value.into()));
    canned
}

fn redirect(to: &str) -> Canned {
    Canned {
        status: 302,
        headers: vec![("Location".into(), to.into())],
        body: Vec::new(),
    }
}

fn bytes(body: Vec<u8>) -> Canned {
    Canned {
        status: 200,
        headers: vec![("Content-Type".into(), "application/x-gzip".into())],
        body,
    }
}

/// A request: its path with the query, and its headers (names lower case).
#[derive(Clone, Debug)]
struct Request {
    path: String,
    headers: HashMap<String, String>,
}

/// An HTTP stand-in answering each path (with its query) from `routes`,
/// 404 otherwise; a route with an `ETag` answers 304 to a request that
/// names it in `If-None-Match`. Every request is recorded.
struct Fake {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Request>>>,
    routes: Arc<Mutex<HashMap<String, Canned>>>,
}

impl Fake {
    fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<HashMap<String, Canned>>> = Arc::default();
        let (count, log, table) = (
            Arc::clone(&connections),
            Arc::clone(&requests),
            Arc::clone(&routes),
        );
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
                let mut headers = HashMap::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
                    }
                }
                let canned = table.lock().unwrap().get(&path).cloned();
                log.lock().unwrap().push(Request {
                    path: path.clone(),
                    headers: headers.clone(),
                });
                let mut canned = canned.unwrap_or(Canned {
                    status: 404,
                    headers: Vec::new(),
                    body: json!({"message": "Not Found"}).to_string().into_bytes(),
                });
                let etag = canned
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("etag"))
                    .map(|(_, v)| v.clone());
                if etag.is_some() && etag.as_ref() == headers.get("if-none-match") {
                    canned.status = 304;
                    canned.body.clear();
                }
                let mut head = format!(
                    "HTTP/1.1 {} Canned\r\nContent-Length: {}\r\nConnection: close\r\n",
                    canned.status,
                    canned.body.len()
                );
                for (name, value) in &canned.headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&canned.body);
            }
        });
        Fake {
            url,
            connections,
            requests,
            routes,
        }
    }

    fn route(&self, path: &str, canned: Canned) {
        self.routes.lock().unwrap().insert(path.to_string(), canned);
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }
}

/// `dir` as a `.tar.gz` whose entries are under `top/`, as forges make them.
fn tarball(dir: &Path, top: &str) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    builder.append_dir_all(top, dir).unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

/// As [`tarball`], with the pax global header that names the commit, as
/// GitHub's archives have.
fn tarball_of_commit(dir: &Path, top: &str, sha: &str) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(encoder);
    let record = format!("52 comment={sha}\n");
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::XGlobalHeader);
    header.set_path("pax_global_header").unwrap();
    header.set_size(record.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, record.as_bytes()).unwrap();
    builder.append_dir_all(top, dir).unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A small repository in a temporary folder: one release workflow and a
/// declared publisher (whose owner differs from `acme`, for TP106).
fn small_repo(owner: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("release.yml"),
        "on:\n  push:\n    tags: [\"v*\"]\npermissions: {}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tplint.toml"),
        format!(
            "[[publisher]]\nowner = \"{owner}\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n"
        ),
    )
    .unwrap();
    dir
}

fn tplint(home: &Path) -> Command {
    let mut command = Command::cargo_bin("tplint").unwrap();
    command
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITLAB_TOKEN")
        .env("TPLINT_CACHE_DIR", home.join("cache"))
        .env("NO_COLOR", "1");
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn github_repo(full_name: &str, archived: bool, fork: bool) -> Value {
    json!({
        "full_name": full_name,
        "default_branch": "main",
        "archived": archived,
        "fork": fork,
        "private": false,
    })
}

/// Serve `dir` as GitHub's `owner/name` at `main`: the repository, and its
/// tarball behind a redirect to `archives` (another host, as GitHub's
/// archive host is).
fn serve_github_repo(api: &Fake, archives: &Fake, full_name: &str, dir: &Path) {
    api.route(
        &format!("/repos/{full_name}"),
        json_reply(github_repo(full_name, false, false)),
    );
    let top = format!("{}-0123abc", full_name.replace('/', "-"));
    api.route(
        &format!("/repos/{full_name}/tarball/main"),
        redirect(&format!("{}/{full_name}/legacy.tar.gz/main", archives.url)),
    );
    archives.route(
        &format!("/{full_name}/legacy.tar.gz/main"),
        bytes(tarball(dir, &top)),
    );
}

/// A JSON report's diagnostics with `prefix` taken off every path in them
/// (each must have it).
fn diagnostics(stdout: &str, prefix: &str) -> Vec<Value> {
    fn strip(value: &mut Value, prefix: &str) {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    match item {
                        Value::String(path) if key == "path" => {
                            let stripped = path
                                .strip_prefix(prefix)
                                .unwrap_or_else(|| panic!("{path} lacks {prefix}"));
                            *path = stripped.to_string();
                        }
                        other => strip(other, prefix),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| strip(i, prefix)),
            _ => {}
        }
    }
    let report: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut all = report["diagnostics"].clone();
    strip(&mut all, prefix);
    all.as_array().unwrap().clone()
}

/// A local check of `dir` with `origin` set to `url`, as JSON.
fn local_check(home: &Path, dir: &Path, url: &str) -> Vec<Value> {
    let copy = home.join("checkout");
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(dir, &copy);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(&copy)
            .args(args)
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    git(&["remote", "add", "origin", url]);
    let local = run(tplint(home)
        .arg("check")
        .arg(&copy)
        .args(["--format", "json"]));
    assert!(local.code <= 1, "{}", local.stderr);
    diagnostics(&local.stdout, "")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_remote_github_repository_is_checked_as_its_checkout_would_be() {
    for (name, full_name) in [
        ("composite-actions", "myorg/myproject"),
        ("tp106-repository-mismatch", "acme/widget"),
        ("npm-letter-case", "Acme/Widget"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let (api, archives) = (Fake::start(), Fake::start());
        serve_github_repo(&api, &archives, full_name, &fixture(name));
        let remote = run(tplint(home.path())
            .args(["check", &format!("github:{full_name}"), "--no-cache"])
            .args(["--format", "json", "--github-api-url", &api.url]));
        assert!(remote.code <= 1, "{name}: {}", remote.stderr);
        let prefix = format!("github:{full_name}/");
        let remote = diagnostics(&remote.stdout, &prefix);
        let local = local_check(
            home.path(),
            &fixture(name),
            &format!("{}/{full_name}", api.url),
        );
        assert!(!local.is_empty(), "{name}: the fixture has findings");
        assert_eq!(remote, local, "{name}");
        // One request for the repository, one for its archive.
        assert_eq!(
            api.paths(),
            [
                format!("/repos/{full_name}"),
                format!("/repos/{full_name}/tarball/main")
            ],
            "{name}"
        );
    }
}

#[test]
fn a_remote_gitlab_project_is_checked_as_its_checkout_would_be() {
    let name = "gitlab-tp106-subgroups";
    let home = tempfile::tempdir().unwrap();
    let gitlab = Fake::start();
    let project = json!({
        "id": 42,
        "path_with_namespace": "group/sub/proj",
        "default_branch": "main",
        "archived": false,
    });
    gitlab.route("/api/v4/projects/group%2Fsub%2Fproj", json_reply(project));
    gitlab.route(
        "/api/v4/projects/42/repository/archive.tar.gz?sha=main",
        bytes(tarball(&fixture(name), "proj-main-0123abc")),
    );
    let remote = run(tplint(home.path())
        .args([
            "check",
            "gitlab:group/sub/proj",
            "--no-cache",
            "--format",
            "json",
        ])
        .args(["--gitlab-url", &gitlab.url]));
    assert!(remote.code <= 1, "{}", remote.stderr);
    let remote = diagnostics(&remote.stdout, "gitlab:group/sub/proj/");
    let local = local_check(
        home.path(),
        &fixture(name),
        &format!("{}/group/sub/proj", gitlab.url),
    );
    assert_eq!(remote, local);
}

#[test]
fn an_organisation_is_listed_page_by_page_without_archives_and_forks() {
    let home = tempfile::tempdir().unwrap();
    let (api, archives) = (Fake::start(), Fake::start());
    let repo = small_repo("someone-else");
    for full in ["acme/one", "acme/two", "acme/old", "acme/fork"] {
        serve_github_repo(&api, &archives, full, repo.path());
    }
    let page2 = format!(
        "{}/organizations/7/repos?per_page=100&type=all&page=2",
        api.url
    );
    api.route(
        "/orgs/acme/repos?per_page=100&type=all",
        with_header(
            json_reply(json!([
                github_repo("acme/one", false, false),
                github_repo("acme/old", true, false),
            ])),
            "Link",
            &format!("<{page2}>; rel=\"next\", <{page2}>; rel=\"last\""),
        ),
    );
    api.route(
        "/organizations/7/repos?per_page=100&type=all&page=2",
        json_reply(json!([
            github_repo("acme/two", false, false),
            github_repo("acme/fork", false, true),
        ])),
    );
    let out = run(tplint(home.path())
        .args([
            "check",
            "github:acme",
            "--no-cache",
            "--github-api-url",
            &api.url,
        ])
        .env("GH_TOKEN", GH_TOKEN));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("github:acme/one/tplint.toml"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("github:acme/two/tplint.toml"));
    assert!(!out.stdout.contains("acme/old/") && !out.stdout.contains("acme/fork/"));
    assert!(
        out.stderr
            .contains("left out 1 archived repositories and 1 forks"),
        "{}",
        out.stderr
    );
    // The table at the end: repository, registries, publishers, findings.
    let table: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("repository "))
        .collect();
    assert_eq!(table.len(), 3, "{}", out.stdout);
    assert!(
        table[1].starts_with("github:acme/one  PyPI"),
        "{}",
        table[1]
    );
    assert!(table[1].contains("someone-else/widget release.yml [pypi]"));
    let tarballs = |paths: Vec<String>| paths.iter().filter(|p| p.contains("/tarball/")).count();
    assert_eq!(tarballs(api.paths()), 2);
    // Two pages of the listing and one archive per repository checked.
    assert_eq!(api.paths().len(), 4, "{:?}", api.paths());
    // The token went to the API, never to the archive host.
    assert!(
        api.requests()
            .iter()
            .all(|r| r.headers.get("authorization").map(String::as_str)
                == Some(&format!("Bearer {GH_TOKEN}")))
    );
    assert!(!archives.requests().is_empty());
    assert!(
        archives
            .requests()
            .iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
    assert!(!out.stdout.contains(GH_TOKEN) && !out.stderr.contains(GH_TOKEN));

    let all = run(tplint(home.path())
        .args([
            "check",
            "github:acme",
            "--no-cache",
            "--github-api-url",
            &api.url,
        ])
        .args(["--include-archived", "--include-forks", "--format", "sarif"]));
    assert_eq!(all.code, 1, "{}", all.stderr);
    let sarif: Value = serde_json::from_str(&all.stdout).unwrap();
    let uris: std::collections::BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .filter(|uri| uri.ends_with("/tplint.toml"))
        .collect();
    assert_eq!(
        uris.into_iter().collect::<Vec<_>>(),
        [
            "github%3Aacme/fork/tplint.toml",
            "github%3Aacme/old/tplint.toml",
            "github%3Aacme/one/tplint.toml",
            "github%3Aacme/two/tplint.toml",
        ]
    );
}

#[test]
fn a_gitlab_group_follows_x_next_page() {
    let home = tempfile::tempdir().unwrap();
    let gitlab = Fake::start();
    let repo = small_repo("someone-else");
    let archive = tarball(repo.path(), "p-main-0123abc");
    let project = |id: u64, path: &str, archived: bool, fork: bool| {
        let mut value = json!({
            "id": id,
            "path_with_namespace": path,
            "default_branch": "main",
            "archived": archived,
        });
        if fork {
            value["forked_from_project"] = json!({"id": 1});
        }
        value
    };
    let first =
        "/api/v4/groups/grp/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc";
    gitlab.route(
        first,
        with_header(
            json_reply(json!([
                project(1, "grp/a", false, false),
                project(2, "grp/old", true, false)
            ])),
            "X-Next-Page",
            "2",
        ),
    );
    gitlab.route(
        &format!("{first}&page=2"),
        with_header(
            json_reply(json!([
                project(3, "grp/sub/b", false, false),
                project(4, "grp/f", false, true)
            ])),
            "X-Next-Page",
            "",
        ),
    );
    for id in [1, 2, 3, 4] {
        gitlab.route(
            &format!("/api/v4/projects/{id}/repository/archive.tar.gz?sha=main"),
            bytes(archive.clone()),
        );
    }
    let out = run(tplint(home.path())
        .args([
            "check",
            "gitlab:grp",
            "--no-cache",
            "--gitlab-url",
            &gitlab.url,
        ])
        .args(["--format", "json"])
        .env("GITLAB_TOKEN", GL_TOKEN)
        .env("GH_TOKEN", GH_TOKEN));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"]["path"].as_str().unwrap())
        .collect();
    paths.dedup();
    assert_eq!(
        paths,
        [
            "gitlab:grp/a/.github/workflows/release.yml",
            "gitlab:grp/a/tplint.toml",
            "gitlab:grp/sub/b/.github/workflows/release.yml",
            "gitlab:grp/sub/b/tplint.toml"
        ]
    );
    for request in gitlab.requests() {
        assert_eq!(
            request.headers.get("private-token").map(String::as_str),
            Some(GL_TOKEN)
        );
        assert!(
            !request.headers.contains_key("authorization"),
            "{request:?}"
        );
    }
}

#[test]
fn an_unreadable_repository_is_named_and_the_others_are_checked() {
    let home = tempfile::tempdir().unwrap();
    let (api, archives) = (Fake::start(), Fake::start());
    let repo = small_repo("acme");
    serve_github_repo(&api, &archives, "acme/widget", repo.path());
    let both = run(tplint(home.path())
        .args([
            "check",
            "github:acme/gone",
            "github:acme/widget",
            "--no-cache",
        ])
        .args(["--fail-on", "error"])
        .args(["--github-api-url", &api.url]));
    assert_eq!(both.code, 0, "{}{}", both.stdout, both.stderr);
    assert!(
        both.stderr
            .contains("cannot check github:acme/gone: not found"),
        "{}",
        both.stderr
    );
    assert!(
        both.stdout
            .lines()
            .any(|l| l.starts_with("github:acme/gone ")
                && l.ends_with("not checked: not found (or not visible with the token given)")),
        "{}",
        both.stdout
    );
    // JSON and SARIF name it too, and stay valid.
    let json_out = run(tplint(home.path())
        .args([
            "check",
            "github:acme/gone",
            "github:acme/widget",
            "--no-cache",
        ])
        .args(["--github-api-url", &api.url, "--format", "json"]));
    let report: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(report["unreadable"][0]["repository"], "github:acme/gone");
    let sarif_out = run(tplint(home.path())
        .args([
            "check",
            "github:acme/gone",
            "github:acme/widget",
            "--no-cache",
        ])
        .args(["--github-api-url", &api.url, "--format", "sarif"]));
    let sarif: Value = serde_json::from_str(&sarif_out.stdout).unwrap();
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(
        notification["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("github:acme/gone could not be checked"),
        "{notification}"
    );
    // A single target that cannot be read is exit 2.
    let gone = run(tplint(home.path())
        .args(["check", "github:acme/gone", "--no-cache"])
        .args(["--github-api-url", &api.url]));
    assert_eq!(gone.code, 2, "{}", gone.stderr);
    assert!(gone.stderr.contains("github:acme/gone"));
    // Nothing was checked, so nothing says "no problems".
    assert!(
        !gone.stdout.contains("No problems found"),
        "{}",
        gone.stdout
    );
    assert!(gone.stdout.contains("not checked"), "{}", gone.stdout);
    // A local path and a remote target on one command line.
    let local = small_repo("acme");
    let mixed = run(tplint(home.path())
        .arg("check")
        .arg(local.path())
        .args(["github:acme/widget", "--no-cache", "--format", "json"])
        .args(["--fail-on", "error"])
        .args(["--github-api-url", &api.url]));
    assert_eq!(mixed.code, 0, "{}", mixed.stderr);
}

#[test]
fn an_exhausted_rate_limit_says_how_to_raise_it() {
    let home = tempfile::tempdir().unwrap();
    let api = Fake::start();
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3000;
    let limited = Canned {
        status: 403,
        headers: vec![
            ("x-ratelimit-remaining".into(), "0".into()),
            ("x-ratelimit-reset".into(), reset.to_string()),
        ],
        body: json!({"message": "API rate limit exceeded"})
            .to_string()
            .into_bytes(),
    };
    for path in ["/repos/acme/one", "/repos/acme/two"] {
        api.route(path, limited.clone());
    }
    let out = run(tplint(home.path())
        .args(["check", "github:acme/one", "github:acme/two", "--no-cache"])
        .args(["--github-api-url", &api.url]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("rate limit is exhausted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("set GH_TOKEN"), "{}", out.stderr);
    // Once spent, the limit is not asked again for the other repository.
    assert!(api.paths().len() <= 2, "{:?}", api.paths());
}

#[test]
fn an_archive_over_the_bound_is_refused_by_name() {
    use tplint::remote::{Remotes, Settings, unpack};
    let (api, archives) = (Fake::start(), Fake::start());
    let big = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(big.path().join(".github/workflows")).unwrap();
    for i in 0..20 {
        std::fs::write(big.path().join(format!("f{i}.txt")), vec![b'x'; 1000]).unwrap();
    }
    serve_github_repo(&api, &archives, "acme/big", big.path());
    let small = small_repo("acme");
    serve_github_repo(&api, &archives, "acme/small", small.path());
    let settings = Settings {
        github_api_url: api.url.clone(),
        gitlab_url: "http://127.0.0.1:9".into(),
        include_archived: false,
        include_forks: false,
        cache: false,
        progress: false,
        limits: unpack::Limits {
            archive_bytes: 1024 * 1024,
            unpacked_bytes: 1024 * 1024,
            files: 10,
        },
    };
    let remotes = Remotes::connect(settings);
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    let outcome = tplint::remote::check_each(
        &["github:acme/big".into(), "github:acme/small".into()],
        &Default::default(),
        &remotes,
        |report| report.prefix.clone(),
        |prefix| seen.push(prefix),
        |failure| failures.push(failure.clone()),
    )
    .unwrap();
    assert_eq!(seen, ["github:acme/small/"]);
    assert_eq!(outcome.read, 1);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].name, "github:acme/big");
    assert!(
        failures[0].reason.contains("more than 10 files"),
        "{}",
        failures[0].reason
    );
}

#[test]
fn later_runs_revalidate_and_reuse_the_archive() {
    let home = tempfile::tempdir().unwrap();
    let (api, archives) = (Fake::start(), Fake::start());
    let repo = small_repo("acme");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    api.route(
        "/repos/acme/widget",
        with_header(
            json_reply(github_repo("acme/widget", false, false)),
            "ETag",
            "\"r1\"",
        ),
    );
    api.route(
        "/repos/acme/widget/commits?sha=main&per_page=1",
        with_header(json_reply(json!([{"sha": sha}])), "ETag", "\"c1\""),
    );
    api.route(
        "/repos/acme/widget/tarball/main",
        redirect(&format!("{}/acme/widget/legacy.tar.gz/main", archives.url)),
    );
    archives.route(
        "/acme/widget/legacy.tar.gz/main",
        bytes(tarball_of_commit(repo.path(), "acme-widget-0123456", sha)),
    );
    let check = || {
        run(tplint(home.path())
            .args(["check", "github:acme/widget", "--format", "json"])
            .args(["--fail-on", "error", "--github-api-url", &api.url]))
    };
    let first = check();
    assert_eq!(first.code, 0, "{}", first.stderr);
    // A first check: the repository and its archive, nothing more.
    assert_eq!(
        api.paths(),
        ["/repos/acme/widget", "/repos/acme/widget/tarball/main"]
    );
    for _ in 0..2 {
        let again = check();
        assert_eq!(again.stdout, first.stdout);
    }
    let requests = api.requests();
    let tarballs = requests
        .iter()
        .filter(|r| r.path.contains("/tarball/"))
        .count();
    assert_eq!(tarballs, 1, "{:?}", api.paths());
    // The second run asks which commit `main` is at, the third revalidates
    // both answers.
    let revalidated = requests
        .iter()
        .filter(|r| r.headers.contains_key("if-none-match"))
        .count();
    assert_eq!(revalidated, 3, "{:?}", api.paths());
    assert_eq!(archives.requests().len(), 1);
    // Without the cache every run fetches the archive again.
    let uncached = run(tplint(home.path())
        .args([
            "check",
            "github:acme/widget",
            "--format",
            "json",
            "--no-cache",
        ])
        .args(["--fail-on", "error", "--github-api-url", &api.url]));
    assert_eq!(uncached.stdout, first.stdout);
    assert_eq!(archives.requests().len(), 2);
}

#[test]
fn nothing_is_sent_for_a_local_path() {
    let home = tempfile::tempdir().unwrap();
    let api = Fake::start();
    let repo = small_repo("acme");
    let out = run(tplint(home.path())
        .arg("check")
        .arg(repo.path())
        .args(["--github-api-url", &api.url, "--gitlab-url", &api.url])
        .env("GH_TOKEN", GH_TOKEN)
        .env("GITLAB_TOKEN", GL_TOKEN));
    assert!(out.code <= 1, "{}", out.stderr);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(api.connections.load(Ordering::SeqCst), 0);
    assert!(!home.path().join("cache").exists());
}

#[test]
fn bad_targets_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    for target in ["github:a/b/c", "github:acme@main", "gitlab:a//b"] {
        let out = run(tplint(home.path()).args(["check", target]));
        assert_eq!(out.code, 2, "{target}");
        assert!(
            out.stderr.contains(target.split('@').next().unwrap()),
            "{}",
            out.stderr
        );
    }
    let out = run(tplint(home.path()).args(["check", "github:acme/widget", "--fix"]));
    assert_eq!(out.code, 2);
}

#[test]
fn online_checks_ask_about_the_remote_repository() {
    let home = tempfile::tempdir().unwrap();
    let (api, archives) = (Fake::start(), Fake::start());
    let repo = small_repo("acme");
    serve_github_repo(&api, &archives, "acme/widget", repo.path());
    let out = run(tplint(home.path())
        .args(["check", "github:acme/widget", "--no-cache", "--online"])
        .args(["--github-api-url", &api.url, "--select", "TP403"])
        .args(["--pypi-url", &api.url, "--testpypi-url", &api.url]));
    assert!(out.code <= 1, "{}", out.stderr);
    // The environment is asked about under the target's owner and name,
    // with no `origin` remote anywhere.
    assert!(
        api.paths()
            .contains(&"/repos/acme/widget/environments/pypi".to_string()),
        "{:?}",
        api.paths()
    );
    assert!(
        out.stdout
            .contains("github:acme/widget/.github/workflows/release.yml"),
        "{}",
        out.stdout
    );
}
