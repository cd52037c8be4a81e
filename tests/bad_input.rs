//! Hostile and broken input: every case ends with a located diagnostic or a
//! clear error, never a panic, a hang or unbounded memory.

mod common;

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
fn a_hundred_thousand_levels_of_nesting() {
    let flow = format!(
        "on: push\njobs: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_tp001(flow.as_bytes(), 2, "nest");
    let flow_mappings = format!("on: push\njobs: {}\n", "{a: ".repeat(100_000));
    assert_tp001(flow_mappings.as_bytes(), 2, "nest");
    // Compact nested block sequences: `- - - ... x`.
    let block = format!("on: push\njobs:\n  {}x\n", "- ".repeat(100_000));
    assert_tp001(block.as_bytes(), 3, "nest");
    // Block mappings nest by indentation, so a file under the size limit
    // holds at most a few thousand levels.
    let mut block_mappings = String::from("on: push\njobs:\n");
    for depth in 1..2_000 {
        block_mappings.push_str(&" ".repeat(depth));
        block_mappings.push_str("k:\n");
    }
    assert_tp001(block_mappings.as_bytes(), 130, "nest");
}

/// `(code, line, column)` of each diagnostic on `.github/workflows/bad.yml`
/// when `bytes` is that file, checked within a time bound.
fn outcome(bytes: &[u8]) -> Vec<(String, u64, u64)> {
    let dir = repo_with("bad.yml", bytes);
    let started = Instant::now();
    let json = check_json(dir.path(), &[]);
    assert!(started.elapsed() < Duration::from_secs(30), "too slow");
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["location"]["path"] == ".github/workflows/bad.yml")
        .map(|d| {
            let start = &d["location"]["start"];
            (
                d["code"].as_str().unwrap().to_string(),
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `(code, line, column)` of an expected diagnostic.
type Expected = (&'static str, u64, u64);

#[test]
fn hostile_contents_have_exact_outcomes() {
    let many_keys = {
        let mut text = String::from("on: push\nenv:\n");
        for i in 0..150_000 {
            text.push_str(&format!("  K{i}: v\n"));
        }
        text.push_str("  K1: again\njobs: {}\n");
        text
    };
    let nested_anchors = {
        let mut value = format!("[{}]", vec!["x"; 1_500_000].join(","));
        for i in 0..120 {
            value = format!("&a{i} [{value}]");
        }
        format!("on: push\nx: {value}\njobs: {{}}\n")
    };
    let cases: &[(&str, &[u8], &[Expected])] = &[
        ("NUL byte", b"on: push\x00\njobs: {}\n", &[("TP001", 1, 9)]),
        ("empty file", b"", &[("TP002", 1, 1)]),
        (
            "tab indentation",
            b"on: push\njobs:\n\tt:\n\t\truns-on: x\n",
            &[("TP001", 3, 2)],
        ),
        (
            "tab after a value is fine",
            b"on: push\t\njobs:\n  t:\n    runs-on: x\t\n    steps: [run: x]\n",
            &[],
        ),
        (
            "invalid UTF-8 in a multibyte sequence",
            b"on: push\nname: \xc3\xa9\xf0\x9f\njobs: {}\n",
            &[("TP001", 2, 8)],
        ),
        (
            "150k keys and one duplicate",
            many_keys.as_bytes(),
            &[("TP002", 150_003, 3), ("TP002", 150_004, 1)],
        ),
        (
            "120 nested anchors over 1.5M items",
            nested_anchors.as_bytes(),
            &[("TP002", 3, 1)],
        ),
    ];
    for (name, bytes, expected) in cases {
        let expected: Vec<(String, u64, u64)> = expected
            .iter()
            .map(|(code, line, column)| (code.to_string(), *line, *column))
            .collect();
        assert_eq!(outcome(bytes), expected, "{name}");
    }
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

/// A special entry made in `.github/workflows`.
#[cfg(unix)]
enum Special {
    Directory,
    Fifo,
    BrokenLink,
    LinkLoop,
    Unreadable,
}

#[cfg(unix)]
#[test]
fn special_entries_are_reported_without_blocking() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let cases = [
        ("x.yml", Special::Directory, None),
        ("fifo.yml", Special::Fifo, Some("not a regular file")),
        (
            "broken.yml",
            Special::BrokenLink,
            Some("broken symbolic link"),
        ),
        ("loop.yml", Special::LinkLoop, Some("symbolic links")),
        ("locked.yml", Special::Unreadable, Some("ermission denied")),
    ];
    for (name, kind, expected) in cases {
        let dir = repo_with("ok3.yml", b"on: push\njobs: {}\n");
        let workflows = dir.path().join(".github/workflows");
        let path = workflows.join(name);
        match kind {
            Special::Directory => std::fs::create_dir(&path).unwrap(),
            Special::Fifo => {
                let status = std::process::Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            Special::BrokenLink => symlink(workflows.join("nowhere.yml"), &path).unwrap(),
            Special::LinkLoop => symlink(&path, &path).unwrap(),
            Special::Unreadable => {
                std::fs::write(&path, "on: push\njobs: {}\n").unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
                // Permissions do not stop root (tests often run as root in
                // containers): the case cannot be built there.
                if std::fs::read(&path).is_ok() {
                    eprintln!("skipping {name}: permissions do not stop this user");
                    continue;
                }
            }
        }
        let started = Instant::now();
        let json = check_json(dir.path(), &[]);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name} blocked"
        );
        let on_entry: Vec<_> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["location"]["path"] == format!(".github/workflows/{name}"))
            .collect();
        match expected {
            // A folder is not a workflow, whatever its name (GitHub ignores it).
            None => {
                assert!(on_entry.is_empty(), "{name}: {on_entry:?}");
                assert_eq!(json["summary"]["files"], 2, "{name}");
            }
            Some(message) => {
                assert_eq!(on_entry.len(), 1, "{name}: {on_entry:?}");
                let d = on_entry[0];
                assert_eq!(d["code"], "TP001", "{name}");
                assert_eq!(d["location"]["start"]["line"], 1, "{name}");
                assert_eq!(d["location"]["start"]["column"], 1, "{name}");
                assert!(
                    d["message"].as_str().unwrap().contains(message),
                    "{name}: {}",
                    d["message"]
                );
                assert_eq!(json["summary"]["files"], 3, "{name}");
            }
        }
        assert!(
            path.symlink_metadata().is_ok(),
            "{name} must be left in place"
        );
    }
}

/// Local files a workflow runs are read with bounds: thousands of jobs
/// running a large Makefile with long prerequisite chains, scripts that
/// run each other in a cycle, composite actions that use each other, a
/// binary "script", a FIFO named as a script, and paths leaving the
/// repository all end quickly, without a panic.
#[test]
fn hostile_local_files_are_bounded() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let workflows = root.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    // A Makefile of about 1 MiB: 20,000 targets, each needing the next.
    let mut makefile = String::new();
    for i in 0..20_000 {
        makefile.push_str(&format!(
            "t{i}: t{}\n\techo {i} && twine upload d/*\n",
            i + 1
        ));
    }
    std::fs::write(root.join("Makefile"), &makefile).unwrap();
    std::fs::write(root.join("a.sh"), "bash ./b.sh\n").unwrap();
    std::fs::write(root.join("b.sh"), "bash ./a.sh\n").unwrap();
    std::fs::write(root.join("bin.sh"), [0xff_u8, 0xfe, 0x00, 0x01]).unwrap();
    for (name, other) in [("x", "y"), ("y", "x")] {
        let action = root.join(".github/actions").join(name);
        std::fs::create_dir_all(&action).unwrap();
        std::fs::write(
            action.join("action.yml"),
            format!("runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/{other}\n"),
        )
        .unwrap();
    }
    let mut workflow = String::from("on: push\njobs:\n");
    for i in 0..1_000 {
        workflow.push_str(&format!(
            "  j{i}:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - run: make t0 && bash ./a.sh && sh bin.sh && ../../etc/passwd\n      - uses: ./.github/actions/x\n"
        ));
    }
    std::fs::write(workflows.join("many.yml"), workflow).unwrap();
    let started = Instant::now();
    let json = check_json(root, &["--ignore", "TP100,TP202,TP401"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    // The uploads in the Makefile's recipes are found (until the budget
    // runs out), and nothing is concluded about the jobs past it.
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(diagnostics.iter().all(|d| d["code"] != "TP203"));
}
