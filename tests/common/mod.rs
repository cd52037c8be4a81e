//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod server;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Run git quietly in `dir`.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?} failed");
}

/// A temporary copy of a fixture case, made a git repository with the
/// `remote.txt` URL as `origin` when the case has one.
pub fn fixture_copy(case: &Path) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_tree(case, dir.path());
    std::fs::remove_file(dir.path().join("expected.txt")).ok();
    git(dir.path(), &["init", "-q"]);
    if let Ok(url) = std::fs::read_to_string(case.join("remote.txt")) {
        std::fs::remove_file(dir.path().join("remote.txt")).unwrap();
        git(dir.path(), &["remote", "add", "origin", url.trim()]);
    }
    dir
}

/// A fixture case by name.
pub fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The tplint binary.
pub fn tplint() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("tplint");
    cmd.env_remove("NO_COLOR")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN");
    cmd
}

/// `tplint check --format json` on `dir`, parsed.
pub fn check_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let output = tplint()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}
