//! `--format gitlab`: the GitLab Code Quality report, checked against the
//! format GitLab documents (`doc/ci/testing/code_quality.md`, "Implement a
//! custom tool"): a JSON array of objects with `description`, `check_name`,
//! `fingerprint`, `severity` (`info`, `minor`, `major`, `critical` or
//! `blocker`), `location.path` (relative to the repository) and
//! `location.lines.begin`, and no byte order mark.

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{fixture, fixture_copy, tplint};
use serde_json::Value;

const SEVERITIES: &[&str] = &["info", "minor", "major", "critical", "blocker"];

/// Every issue of a report, after checking the report against the format.
fn validated(stdout: &[u8], root: &Path) -> Vec<Value> {
    assert!(
        !stdout.starts_with(&[0xef, 0xbb, 0xbf]),
        "no byte order mark"
    );
    let report: Value = serde_json::from_slice(stdout).expect("the report is JSON");
    let issues = report.as_array().expect("the report is an array").clone();
    let mut fingerprints = HashSet::new();
    for issue in &issues {
        let object = issue.as_object().expect("each issue is an object");
        let text = |key: &str| {
            object[key]
                .as_str()
                .unwrap_or_else(|| panic!("`{key}` is a string: {issue}"))
                .to_string()
        };
        assert!(!text("description").is_empty());
        assert!(!text("check_name").is_empty());
        let fingerprint = text("fingerprint");
        assert!(!fingerprint.is_empty());
        assert!(fingerprints.insert(fingerprint), "fingerprints are unique");
        assert!(SEVERITIES.contains(&text("severity").as_str()), "{issue}");
        let path = issue["location"]["path"].as_str().expect("location.path");
        assert!(!path.starts_with('/') && !path.contains('\\'), "{path}");
        assert!(
            root.join(path).is_file(),
            "{path} is a file of the repository"
        );
        let begin = issue["location"]["lines"]["begin"]
            .as_u64()
            .expect("location.lines.begin is a number");
        assert!(begin >= 1);
        for key in object.keys() {
            // GitLab ignores the rest of the Code Climate format; tplint adds
            // only `content` (its help), which that format defines.
            assert!(
                [
                    "description",
                    "check_name",
                    "fingerprint",
                    "severity",
                    "location",
                    "content"
                ]
                .contains(&key.as_str()),
                "unexpected key {key}"
            );
        }
    }
    issues
}

#[test]
fn findings_become_code_quality_issues() {
    let repo = fixture_copy(&fixture("seed-example"));
    let output = tplint()
        .args(["check", "--format", "gitlab"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let issues = validated(&output.stdout, repo.path());
    assert_eq!(issues.len(), 6);
    let environment = issues.iter().find(|i| i["check_name"] == "TP104").unwrap();
    assert_eq!(environment["severity"], "critical");
    assert_eq!(
        environment["location"]["path"],
        ".github/workflows/release.yml"
    );
    assert_eq!(environment["location"]["lines"]["begin"], 34);
    let pin = issues.iter().find(|i| i["check_name"] == "TP501").unwrap();
    assert_eq!(pin["severity"], "major");
    let comment = issues.iter().find(|i| i["check_name"] == "TP502").unwrap();
    assert_eq!(comment["severity"], "info");
}

#[test]
fn fingerprints_survive_edits_elsewhere_in_the_file() {
    let repo = fixture_copy(&fixture("seed-example"));
    let run = |root: &Path| {
        let output = tplint()
            .args(["check", "--format", "gitlab"])
            .arg(root)
            .output()
            .unwrap();
        let mut prints: Vec<String> = validated(&output.stdout, root)
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect();
        prints.sort();
        prints
    };
    let before = run(repo.path());
    let workflow = repo.path().join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    std::fs::write(&workflow, format!("# a comment\n\n{text}")).unwrap();
    assert_eq!(run(repo.path()), before);
}

#[test]
fn a_clean_repository_is_an_empty_array() {
    let dir = tempfile::TempDir::new().unwrap();
    let output = tplint()
        .args(["check", "--format", "gitlab"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(validated(&output.stdout, dir.path()).is_empty());
}
