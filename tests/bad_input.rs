//! Hostile and broken input: every case ends with a located diagnostic or a
//! clear error, never a panic, a hang or unbounded memory.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{check_json, tplint};
use predicates::prelude::*;
use tempfile::TempDir;

fn repo_with(name: &str, bytes: &[u8]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join(name), bytes).unwrap();
    // A healthy neighbour proves the other files are still checked.
    std::fs::write(
        workflows.join("ok.yml"),
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    )
    .unwrap();
    dir
}

/// Check `bytes` as a workflow: exactly one TP001 on it, located at `line`,
/// plus the neighbour's TP501, within a generous time bound.
fn assert_tp001(bytes: &[u8], line: u64, message: &str) {
    let dir = repo_with("bad.yml", bytes);
    let started = Instant::now();
    let json = check_json(dir.path(), &[]);
    assert!(started.elapsed() < Duration::from_secs(20));
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let bad: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["location"]["path"] == ".github/workflows/bad.yml")
        .collect();
    assert_eq!(bad.len(), 1, "{diagnostics:?}");
    assert_eq!(bad[0]["code"], "TP001");
    assert_eq!(bad[0]["location"]["start"]["line"], line, "{:?}", bad[0]);
    assert!(
        bad[0]["message"].as_str().unwrap().contains(message),
        "{}",
        bad[0]["message"]
    );
    assert!(diagnostics.iter().any(|d| d["code"] == "TP501"));
}

#[test]
fn invalid_yaml() {
    assert_tp001(b"on: push\njobs:\n  a: [\n  b: 1\n", 3, "unclosed bracket");
}

#[test]
fn non_utf8_bytes() {
    assert_tp001(
        b"on: push\nname: \xc3\x28\njobs: {}\n",
        2,
        "not valid UTF-8",
    );
}

#[test]
fn billion_laughs() {
    let mut text =
        String::from("on: push\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*x{}", i - 1);
        text.push_str(&format!(
            "x{i}: &x{i} [{}]\n",
            [prev.as_str(); 9].join(", ")
        ));
    }
    text.push_str("jobs: {}\n");
    assert_tp001(text.as_bytes(), 7, "alias");
}

#[test]
fn ten_megabyte_file() {
    let mut text = String::from("on: push\n# ");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    assert_tp001(text.as_bytes(), 1, "limit");
}

#[test]
fn ten_thousand_levels_of_nesting() {
    let flow = format!(
        "on: push\njobs: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_tp001(flow.as_bytes(), 2, "");
    // Compact nested block sequences: `- - - ... x`.
    let block = format!("on: push\njobs:\n  {}x\n", "- ".repeat(10_000));
    assert_tp001(block.as_bytes(), 3, "nest");
}

#[test]
fn nul_bytes_and_empty_files() {
    let dir = repo_with("nul.yml", b"on: push\x00\njobs: {}\n");
    let json = check_json(dir.path(), &[]);
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "TP001" || d["code"] == "TP002")
    );
    let dir = repo_with("empty.yml", b"");
    let json = check_json(dir.path(), &[]);
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["location"]["path"] == ".github/workflows/empty.yml")
        .cloned()
        .unwrap();
    assert_eq!(d["code"], "TP002");
}

#[test]
fn bom_and_crlf_parse() {
    let dir = repo_with(
        "crlf.yml",
        b"\xef\xbb\xbfon: push\r\njobs:\r\n  t:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: actions/setup-python@v5\r\n",
    );
    let json = check_json(dir.path(), &[]);
    let d = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["location"]["path"] == ".github/workflows/crlf.yml")
        .cloned()
        .unwrap();
    assert_eq!(d["code"], "TP501");
    assert_eq!(d["location"]["start"]["line"], 6);
    assert_eq!(d["location"]["start"]["column"], 35);
}

#[test]
fn missing_path_and_broken_config() {
    tplint()
        .args(["check", "/no/such/repository"])
        .assert()
        .code(2);
    let dir = repo_with("ok2.yml", b"on: push\njobs: {}\n");
    std::fs::write(dir.path().join("tplint.toml"), "[[publisher]\nowner=").unwrap();
    tplint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tplint.toml"));
    std::fs::write(dir.path().join("tplint.toml"), b"\xff\xfe").unwrap();
    tplint().arg("check").arg(dir.path()).assert().code(2);
}

#[cfg(unix)]
#[test]
fn fifo_and_symlink_loop_do_not_block() {
    let dir = repo_with("ok3.yml", b"on: push\njobs: {}\n");
    let workflows = dir.path().join(".github/workflows");
    let status = std::process::Command::new("mkfifo")
        .arg(workflows.join("fifo.yml"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink(workflows.join("loop.yml"), workflows.join("loop.yml")).unwrap();
    let started = Instant::now();
    let json = check_json(dir.path(), &[]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(json["summary"]["files"].as_u64().unwrap() >= 1);
    assert!(Path::new(&workflows.join("fifo.yml")).exists());
}
