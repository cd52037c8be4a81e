//! The `server` fuzz target's driver, shared with `tests/robustness.rs`,
//! which replays the saved inputs of `tests/fuzz-regressions/server/`.

use std::path::PathBuf;
use std::sync::LazyLock;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

/// A repository on disk for the session: one workflow and a publisher.
static ROOT: LazyLock<PathBuf> = LazyLock::new(|| {
    let root = std::env::temp_dir().join(format!("tplint-fuzz-server-{}", std::process::id()));
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(
        root.join(".github/workflows/release.yml"),
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    )
    .unwrap();
    std::fs::write(
        root.join("tplint.toml"),
        "[[publisher]]\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"release.yml\"\n",
    )
    .unwrap();
    root
});

/// The documents a session may name.
const PATHS: &[&str] = &[
    ".github/workflows/release.yml",
    ".github/workflows/new.yml",
    ".gitlab-ci.yml",
    "tplint.toml",
    "action.yml",
    "elsewhere.txt",
];

/// Reads the input a byte or a chunk at a time.
struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.data.split_first()?;
        self.data = rest;
        Some(first)
    }

    fn number(&mut self) -> u32 {
        let high = u32::from(self.byte().unwrap_or(0));
        let low = u32::from(self.byte().unwrap_or(0));
        (high << 8) | low
    }

    /// Text up to the next `\0` (or the end).
    fn text(&mut self) -> String {
        let end = self
            .data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.data.len());
        let text = String::from_utf8_lossy(&self.data[..end]).into_owned();
        self.data = self.data.get(end + 1..).unwrap_or_default();
        text
    }
}

fn uri(input: &mut Input<'_>) -> String {
    let path = PATHS[usize::from(input.byte().unwrap_or(0)) % PATHS.len()];
    format!("file://{}/{path}", ROOT.display())
}

fn position(input: &mut Input<'_>) -> Value {
    json!({"line": input.number() % 64, "character": input.number() % 256})
}

/// One session built from `data`.
pub fn session(data: &[u8]) {
    let mut input = Input { data };
    let (client, server) = Connection::memory();
    let handle = std::thread::spawn(move || tplint::server::run(server));
    let mut next_id = 0;
    let mut request = |client: &Connection, method: &str, params: Value| {
        next_id += 1;
        let request = Request {
            id: RequestId::from(next_id),
            method: method.to_string(),
            params,
        };
        client.sender.send(Message::Request(request)).unwrap();
        next_id
    };
    let notify = |client: &Connection, method: &str, params: Value| {
        let notification = Notification {
            method: method.to_string(),
            params,
        };
        client
            .sender
            .send(Message::Notification(notification))
            .unwrap();
    };
    let utf8 = input.byte().unwrap_or(0) % 2 == 0;
    let encodings = if utf8 {
        json!(["utf-8"])
    } else {
        json!(["utf-16"])
    };
    request(
        &client,
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", ROOT.display()),
            "capabilities": {"general": {"positionEncodings": encodings}},
            "initializationOptions": {},
        }),
    );
    notify(&client, "initialized", json!({}));
    let mut requests = 1;
    let mut version = 0;
    for _ in 0..32 {
        let Some(op) = input.byte() else { break };
        version += 1;
        match op % 8 {
            0 => {
                let uri = uri(&mut input);
                let text = input.text();
                notify(
                    &client,
                    "textDocument/didOpen",
                    json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
                );
            }
            1 => {
                let uri = uri(&mut input);
                let text = input.text();
                notify(
                    &client,
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
                );
            }
            2 => {
                let uri = uri(&mut input);
                let (start, end) = (position(&mut input), position(&mut input));
                let only = if input.byte().unwrap_or(0) % 2 == 0 {
                    json!(null)
                } else {
                    json!(["source.fixAll.tplint"])
                };
                request(
                    &client,
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": {"start": start, "end": end}, "context": {"diagnostics": [], "only": only}}),
                );
                requests += 1;
            }
            3 => {
                let uri = uri(&mut input);
                let at = position(&mut input);
                request(
                    &client,
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": at}),
                );
                requests += 1;
            }
            4 => {
                let uri = uri(&mut input);
                notify(
                    &client,
                    "textDocument/didClose",
                    json!({"textDocument": {"uri": uri}}),
                );
            }
            5 => {
                // Never `online`: a fuzz run sends nothing over the network.
                let unsafe_fixes = input.byte().unwrap_or(0) % 2 == 1;
                notify(
                    &client,
                    "workspace/didChangeConfiguration",
                    json!({"settings": {"tplint": {"unsafeFixes": unsafe_fixes, "other": input.text()}}}),
                );
            }
            6 => {
                // Anything, as a request or a notification.
                let method = input.text();
                let params: Value = serde_json::from_str(&input.text()).unwrap_or(Value::Null);
                // The session's own steps, and settings (which could turn
                // `online` on), are sent only as above.
                let reserved = ["initialize", "shutdown", "exit"].contains(&method.as_str())
                    || method.contains("Configuration");
                if reserved {
                    continue;
                }
                if input.byte().unwrap_or(0) % 2 == 0 {
                    request(&client, &method, params);
                    requests += 1;
                } else {
                    notify(&client, &method, params);
                }
            }
            _ => {
                // A known method with whatever parameters.
                let method = ["textDocument/codeAction", "textDocument/hover"]
                    [usize::from(input.byte().unwrap_or(0)) % 2];
                let params: Value = serde_json::from_str(&input.text()).unwrap_or(Value::Null);
                request(&client, method, params);
                requests += 1;
            }
        }
    }
    let shutdown = request(&client, "shutdown", Value::Null);
    // Every request is answered, the shutdown last.
    let mut answered = 0;
    for message in &client.receiver {
        if let Message::Response(response) = message {
            answered += 1;
            if response.id == RequestId::from(shutdown) {
                break;
            }
        }
    }
    assert_eq!(answered, requests + 1, "every request gets one answer");
    notify(&client, "exit", Value::Null);
    drop(client);
    handle
        .join()
        .expect("the server does not panic")
        .expect("the server stops cleanly");
}
