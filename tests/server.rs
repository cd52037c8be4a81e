//! `tplint server`: whole sessions scripted over an in-memory connection
//! (initialize, open, change, code actions, hover, shutdown), and one over
//! the binary's standard input and output with real framing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use tempfile::TempDir;

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

const TIMEOUT: Duration = Duration::from_secs(30);

/// A client talking to a server on a thread.
struct Client {
    connection: Connection,
    server: Option<JoinHandle<()>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pending: Vec<Notification>,
    root: String,
}

impl Client {
    fn start(root: &Path, initialization: Value, capabilities: Value) -> (Client, Value) {
        let (client, server) = Connection::memory();
        let handle = std::thread::spawn(move || {
            tplint::server::run(server).expect("the server stops cleanly");
        });
        let root_uri = format!("file://{}", root.display());
        let mut client = Client {
            connection: client,
            server: Some(handle),
            next_id: 0,
            pending: Vec::new(),
            root: root_uri.clone(),
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": capabilities,
                "initializationOptions": initialization,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn uri(&self, relative: &str) -> String {
        format!("{}/{relative}", self.root)
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Response(response) if response.id == id => {
                    return response
                        .response_result
                        .unwrap_or_else(|e| panic!("{method}: {e:?}"));
                }
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The next diagnostics published for `relative`.
    fn diagnostics(&mut self, relative: &str) -> Value {
        let uri = self.uri(relative);
        let matches = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri.as_str()
        };
        if let Some(at) = self.pending.iter().position(matches) {
            return self.pending.remove(at).params;
        }
        loop {
            match self.connection.receiver.recv_timeout(TIMEOUT).unwrap() {
                Message::Notification(n) if matches(&n) => return n.params,
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn open(&self, relative: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": self.uri(relative), "languageId": "yaml", "version": 1, "text": text
            }}),
        );
    }

    fn change(&self, relative: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": self.uri(relative), "version": version},
                "contentChanges": [{"text": text}]
            }),
        );
    }

    /// Replace the root's path in a response, for snapshots.
    fn redact(&self, value: &Value) -> Value {
        let text = serde_json::to_string(value).unwrap();
        serde_json::from_str(&text.replace(&self.root, "file:///ROOT")).unwrap()
    }

    fn shutdown(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap();
    }
}

const CONFIG: &str = "[[publisher]]\nowner = \"acme\"\nrepository = \"widget\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n";

/// On disk: a clean release workflow. In the buffer: `@master` on a line
/// with non-ASCII text before it.
const ON_DISK: &str = "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n";
const BUFFER: &str = "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - { name: \"Publish 📦 à PyPI\", uses: pypa/gh-action-pypi-publish@master }\n";

fn repository() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/release.yml"), ON_DISK).unwrap();
    std::fs::write(dir.path().join("tplint.toml"), CONFIG).unwrap();
    dir
}

fn codes(published: &Value) -> Vec<String> {
    let mut codes: Vec<String> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    codes.sort();
    codes
}

#[test]
fn a_session_lints_buffers_fixes_and_suppresses() {
    let repo = repository();
    let (mut client, init) = Client::start(repo.path(), json!({}), json!({}));
    insta::assert_snapshot!("initialize", pretty(&init));

    // The buffer, not the disk, is checked; positions count UTF-16 units.
    client.open(".github/workflows/release.yml", BUFFER);
    let published = client.diagnostics(".github/workflows/release.yml");
    assert_eq!(published["version"], 1);
    let tp503 = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP503")
        .expect("TP503 on the buffer's `@master`")
        .clone();
    // `@master` starts at byte 73, code point 69, UTF-16 unit 70 of line 11.
    assert_eq!(
        tp503["range"],
        json!({"start": {"line": 10, "character": 70}, "end": {"line": 10, "character": 77}})
    );
    insta::assert_snapshot!("tp503", pretty(&client.redact(&tp503)));

    // Quick fixes for the diagnostic under the cursor.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/release.yml")},
            "range": tp503["range"],
            "context": {"diagnostics": [tp503], "only": ["quickfix"]}
        }),
    );
    let actions = client.redact(&actions);
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Use `@release/v1` instead of `@master` (TP503)"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Suppress TP503 on this line"),
        "{titles:?}"
    );
    insta::assert_snapshot!("tp503-actions", pretty(&actions));

    // The client applies the fix; the finding goes.
    let fixed = BUFFER.replace("@master", "@release/v1");
    client.change(".github/workflows/release.yml", 2, &fixed);
    let published = client.diagnostics(".github/workflows/release.yml");
    assert_eq!(published["version"], 2);
    assert!(!codes(&published).contains(&"TP503".to_string()));

    // A change to the configuration's buffer re-checks the workflow.
    client.open("tplint.toml", &CONFIG.replace("\"pypi\"", "\"release\""));
    let published = client.diagnostics(".github/workflows/release.yml");
    assert!(
        codes(&published).contains(&"TP104".to_string()),
        "{published}"
    );

    // "Fix all" applies the safe fixes only: TP104's replacement is unsafe.
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/release.yml")},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll.tplint"]}
        }),
    );
    assert_eq!(fix_all, json!([]), "no safe fix is left");

    // Hover on a rule code in a suppression.
    let suppressed = fixed.replace("# v1", "# tplint: ignore[TP501]");
    client.change(
        ".github/workflows/release.yml",
        3,
        &format!("{suppressed}# tplint: ignore[TP502]\n"),
    );
    client.diagnostics(".github/workflows/release.yml");
    let hover = client.request(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/release.yml")},
            "position": {"line": 11, "character": 20}
        }),
    );
    insta::assert_snapshot!("hover", pretty(&hover));
    client.shutdown();
}

#[test]
fn fix_all_applies_the_safe_fixes_and_unsafe_ones_when_asked() {
    let repo = repository();
    let workflow = "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@master\n";
    let (mut client, _) = Client::start(repo.path(), json!({"unsafeFixes": true}), json!({}));
    client.open(".github/workflows/release.yml", workflow);
    let published = client.diagnostics(".github/workflows/release.yml");
    assert!(codes(&published).contains(&"TP201".to_string()));
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/release.yml")},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]}
        }),
    );
    insta::assert_snapshot!("fix-all", pretty(&client.redact(&fix_all)));
    let edit = &fix_all[0]["edit"]["changes"][client.uri(".github/workflows/release.yml")][0];
    let fixed = edit["newText"].as_str().unwrap();
    client.change(".github/workflows/release.yml", 2, fixed);
    let published = client.diagnostics(".github/workflows/release.yml");
    for code in ["TP104", "TP201", "TP503"] {
        assert!(
            !codes(&published).contains(&code.to_string()),
            "{published}"
        );
    }
    client.shutdown();
}

#[test]
fn a_fix_that_would_break_the_buffer_is_offered_neither_alone_nor_in_fix_all() {
    // Removing the comment line would join `l` and `t:` into one scalar
    // holding `: `, which does not parse.
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), json!({"unsafeFixes": true}), json!({}));
    client.open(".github/workflows/release.yml", "l\n#tplint:ignore[]\nt:");
    let published = client.diagnostics(".github/workflows/release.yml");
    assert!(
        codes(&published).contains(&"TP000".to_string()),
        "{published}"
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/release.yml")},
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 5}},
            "context": {"diagnostics": [], "only": ["quickfix", "source.fixAll.tplint"]}
        }),
    );
    assert_eq!(actions, json!([]), "{actions}");
    client.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let repo = repository();
    let (mut client, init) = Client::start(
        repo.path(),
        json!({}),
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    client.open(".github/workflows/release.yml", BUFFER);
    let published = client.diagnostics(".github/workflows/release.yml");
    let tp503 = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP503")
        .unwrap();
    assert_eq!(
        tp503["range"]["start"],
        json!({"line": 10, "character": 73})
    );
    client.shutdown();
}

#[test]
fn closing_a_buffer_returns_to_the_disk_and_clears_its_findings() {
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), json!({}), json!({}));
    client.open(".github/workflows/release.yml", BUFFER);
    let published = client.diagnostics(".github/workflows/release.yml");
    assert!(codes(&published).contains(&"TP503".to_string()));
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": client.uri(".github/workflows/release.yml")}}),
    );
    let published = client.diagnostics(".github/workflows/release.yml");
    assert_eq!(codes(&published), Vec::<String>::new(), "{published}");
    client.shutdown();
}

#[test]
fn a_broken_configuration_is_a_diagnostic_on_its_buffer() {
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), json!({}), json!({}));
    client.open("tplint.toml", "[[publisher]]\nownr = \"acme\"\n");
    let published = client.diagnostics("tplint.toml");
    let diagnostic = &published["diagnostics"][0];
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("unknown field"),
        "{published}"
    );
    assert_eq!(diagnostic["range"]["start"]["line"], 1);
    client.shutdown();
}

/// Write one framed message.
fn send(stdin: &mut impl Write, message: &Value) {
    let body = serde_json::to_string(message).unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

/// Read one framed message.
fn receive(stdout: &mut BufReader<impl Read>) -> Value {
    let mut length = 0;
    loop {
        let mut header = String::new();
        assert!(
            stdout.read_line(&mut header).unwrap() > 0,
            "the server closed its output"
        );
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn the_binary_speaks_the_protocol_over_stdio() {
    let repo = repository();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tplint"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let root = format!("file://{}", repo.path().display());
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": root, "capabilities": {}}}),
    );
    let init = receive(&mut stdout);
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "tplint");
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let uri = format!("{root}/.github/workflows/release.yml");
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 7, "text": BUFFER}}}),
    );
    let published = loop {
        let message = receive(&mut stdout);
        if message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == uri.as_str()
        {
            break message;
        }
    };
    assert_eq!(published["params"]["version"], 7);
    assert!(codes(&published["params"]).contains(&"TP503".to_string()));
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let reply = receive(&mut stdout);
    assert_eq!(reply["id"], 2);
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// The code block after `<!-- editor: NAME -->` in the README.
fn editor_snippet(name: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let marker = format!("<!-- editor: {name} -->");
    let after = readme
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {marker}"));
    let mut lines = after.lines().skip_while(|l| l.trim().is_empty());
    assert!(lines.next().unwrap().starts_with("```"));
    lines
        .take_while(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The settings the server reads.
const SETTINGS: &[&str] = &[
    "online",
    "unsafeFixes",
    "githubApiUrl",
    "pypiUrl",
    "testpypiUrl",
];

#[test]
fn the_readme_editor_set_ups_start_the_server_with_settings_it_reads() {
    let helix: toml::Table = toml::from_str(&editor_snippet("helix")).unwrap();
    let server = &helix["language-server"]["tplint"];
    assert_eq!(server["command"].as_str(), Some("tplint"));
    assert_eq!(
        server["args"].as_array().unwrap()[0].as_str(),
        Some("server")
    );
    for key in server["config"].as_table().unwrap().keys() {
        assert!(SETTINGS.contains(&key.as_str()), "{key}");
    }
    for language in helix["language"].as_array().unwrap() {
        let servers = language["language-servers"].as_array().unwrap();
        assert!(servers.iter().any(|s| s.as_str() == Some("tplint")));
    }

    let vscode: Value = serde_json::from_str(&editor_snippet("vscode")).unwrap();
    assert_eq!(vscode["glspc.serverCommand"], "tplint");
    assert_eq!(vscode["glspc.serverCommandArguments"], json!(["server"]));
    for key in vscode["glspc.initializationOptions"]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(SETTINGS.contains(&key.as_str()), "{key}");
    }

    let neovim = editor_snippet("neovim");
    assert!(neovim.contains(r#"cmd = { "tplint", "server" }"#));
    assert!(neovim.contains("\"source.fixAll.tplint\""));
    assert!(neovim.contains("init_options = { online = false, unsafeFixes = false }"));

    // The Helix settings as initialization options: the server starts with them.
    let options = serde_json::to_value(server["config"].clone()).unwrap();
    let repo = repository();
    let (client, init) = Client::start(repo.path(), options, json!({}));
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["codeActionKinds"][1],
        "source.fixAll.tplint"
    );
    client.shutdown();
}

const CHECKOUT_COMMIT: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";

/// A GitHub API that knows `actions/checkout@v4` (a lightweight tag).
fn api() -> common::server::Server {
    use common::server::json;
    let routes = std::collections::HashMap::from([
        (
            "/github/repos/actions/checkout/git/ref/tags/v4".to_string(),
            json(
                &json!({"ref": "refs/tags/v4", "object": {"type": "commit", "sha": CHECKOUT_COMMIT}}),
            ),
        ),
        (
            "/github/repos/actions/checkout/tags?per_page=100&page=1".to_string(),
            json(&json!([
                {"name": "v4", "commit": {"sha": CHECKOUT_COMMIT}},
                {"name": "v4.2.2", "commit": {"sha": CHECKOUT_COMMIT}}
            ])),
        ),
    ]);
    common::server::Server::start(routes)
}

const UNPINNED: &str = "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

fn settings(api: &common::server::Server, online: bool) -> Value {
    json!({
        "online": online,
        "githubApiUrl": format!("{}/github", api.url),
        "pypiUrl": format!("{}/pypi", api.url),
        "testpypiUrl": format!("{}/testpypi", api.url),
    })
}

#[test]
fn online_settings_offer_the_pin_as_a_quick_fix() {
    let api = api();
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), settings(&api, true), json!({}));
    client.open(".github/workflows/ci.yml", UNPINNED);
    let published = client.diagnostics(".github/workflows/ci.yml");
    let tp501 = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP501")
        .unwrap()
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/workflows/ci.yml")},
            "range": tp501["range"],
            "context": {"diagnostics": [tp501], "only": ["quickfix"]}
        }),
    );
    let pin = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Pin to commit"))
        .unwrap_or_else(|| panic!("{actions}"));
    assert_eq!(pin["isPreferred"], true);
    let edits = &pin["edit"]["changes"][client.uri(".github/workflows/ci.yml")];
    let texts: Vec<&str> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(
        texts.contains(&format!("@{CHECKOUT_COMMIT}").as_str()),
        "{texts:?}"
    );
    assert!(texts.contains(&" # v4.2.2"), "{texts:?}");
    client.shutdown();
}

#[test]
fn nothing_is_sent_unless_the_settings_turn_online_on() {
    let api = api();
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), settings(&api, false), json!({}));
    client.open(".github/workflows/ci.yml", UNPINNED);
    let published = client.diagnostics(".github/workflows/ci.yml");
    assert!(codes(&published).contains(&"TP501".to_string()));
    client.shutdown();
    assert_eq!(
        api.connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the server sent a request while offline"
    );
}

#[test]
fn changes_in_quick_succession_are_checked_once() {
    let repo = repository();
    let (mut client, _) = Client::start(repo.path(), json!({}), json!({}));
    client.open(".github/workflows/release.yml", ON_DISK);
    client.diagnostics(".github/workflows/release.yml");
    client.change(".github/workflows/release.yml", 2, BUFFER);
    client.change(".github/workflows/release.yml", 3, ON_DISK);
    let published = client.diagnostics(".github/workflows/release.yml");
    assert_eq!(published["version"], 3, "{published}");
    assert!(!codes(&published).contains(&"TP503".to_string()));
    client.shutdown();
}

#[test]
fn a_local_action_buffer_is_checked_and_fixed_in_place() {
    let repo = repository();
    let workflow = ON_DISK.replace(
        "      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n",
        "      - uses: ./.github/actions/publish\n",
    );
    std::fs::write(repo.path().join(".github/workflows/release.yml"), workflow).unwrap();
    std::fs::create_dir_all(repo.path().join(".github/actions/publish")).unwrap();
    let action = "runs:\n  using: composite\n  steps:\n    - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n";
    std::fs::write(
        repo.path().join(".github/actions/publish/action.yml"),
        action,
    )
    .unwrap();
    let (mut client, _) = Client::start(repo.path(), json!({}), json!({}));
    let buffer = format!("{action}      with:\n        packages_dir: dist/\n");
    client.open(".github/actions/publish/action.yml", &buffer);
    let published = client.diagnostics(".github/actions/publish/action.yml");
    // gh-action-pypi-publish inside a composite action is also TP603.
    let mut found = codes(&published);
    found.sort();
    assert_eq!(found, ["TP302", "TP603"], "{published}");
    let tp302 = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP302")
        .unwrap()
        .clone();
    assert_eq!(
        tp302["relatedInformation"][0]["location"]["uri"],
        client.uri(".github/workflows/release.yml")
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": client.uri(".github/actions/publish/action.yml")},
            "range": tp302["range"],
            "context": {"diagnostics": [tp302]}
        }),
    );
    let rename = &actions[0];
    assert_eq!(
        rename["title"],
        "Rename `packages_dir` to `packages-dir` (TP302)"
    );
    assert_eq!(
        rename["edit"]["changes"][client.uri(".github/actions/publish/action.yml")][0]["newText"],
        "packages-dir"
    );
    client.shutdown();
}

/// Publishes to PyPI from a file the pipeline includes; the top-level file
/// holds only the include.
const PIPELINE: &str = "include:\n  - local: ci/publish.yml\n";
const PUBLISH_JOB: &str = "publish:\n  environment: pypi\n  rules:\n    - if: $CI_COMMIT_TAG\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n  script:\n    - uv publish --trusted-publishing always\n";

#[test]
fn unsaved_edits_to_a_pipeline_and_its_local_include_are_checked() {
    let repo = TempDir::new().unwrap();
    std::fs::create_dir_all(repo.path().join("ci")).unwrap();
    std::fs::write(repo.path().join(".gitlab-ci.yml"), PIPELINE).unwrap();
    std::fs::write(repo.path().join("ci/publish.yml"), PUBLISH_JOB).unwrap();
    let (mut client, _) = Client::start(repo.path(), json!({}), json!({}));
    // The included file, opened first: the disk has the right audience, the
    // buffer a wrong one.
    client.open(
        "ci/publish.yml",
        &PUBLISH_JOB.replace("aud: pypi", "aud: pypy"),
    );
    let published = client.diagnostics("ci/publish.yml");
    assert!(
        codes(&published).contains(&"TP205".to_string()),
        "{published}"
    );
    // The top-level file: a job given PyPI's ID token that it does not use.
    let buffer = format!(
        "{PIPELINE}test:\n  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n  script:\n    - pytest\n"
    );
    client.open(".gitlab-ci.yml", &buffer);
    let published = client.diagnostics(".gitlab-ci.yml");
    assert_eq!(codes(&published), ["TP203"], "{published}");
    // Typing in the included buffer is checked too (after the findings the
    // check of the top-level buffer published for it).
    let published = client.diagnostics("ci/publish.yml");
    assert!(
        codes(&published).contains(&"TP205".to_string()),
        "{published}"
    );
    client.change("ci/publish.yml", 2, PUBLISH_JOB);
    let published = client.diagnostics("ci/publish.yml");
    assert!(
        !codes(&published).contains(&"TP205".to_string()),
        "{published}"
    );
    let published = client.diagnostics(".gitlab-ci.yml");
    assert_eq!(codes(&published), ["TP203"], "{published}");
    // Closed, the top-level file is the disk's again: no finding.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": client.uri(".gitlab-ci.yml")}}),
    );
    let published = client.diagnostics(".gitlab-ci.yml");
    assert_eq!(codes(&published), Vec::<String>::new(), "{published}");
    client.shutdown();
}
