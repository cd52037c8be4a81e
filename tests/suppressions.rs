//! Turning diagnostics off and deciding what fails the run: inline
//! `# tplint: ignore[...]` comments (and `TP000` for stale ones), `[lint]`
//! settings in the config, `--select`/`--ignore` and `--fail-on`.

mod common;

use std::path::Path;

use common::{check_json, tplint};
use serde_json::Value;
use tempfile::TempDir;

/// A repository with one workflow (and a config when given), `git init`ed.
fn repo(workflow: &str, config: Option<&str>) -> TempDir {
    let dir = TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("ci.yml"), workflow).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("tplint.toml"), config).unwrap();
    }
    common::git(dir.path(), &["init", "-q"]);
    dir
}

/// `CODE line:column severity` of every diagnostic, in output order.
fn found(dir: &Path, extra: &[&str]) -> Vec<String> {
    let json = check_json(dir, extra);
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d: &Value| {
            format!(
                "{} {}:{} {}",
                d["code"].as_str().unwrap(),
                d["location"]["start"]["line"],
                d["location"]["start"]["column"],
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn messages(dir: &Path, extra: &[&str]) -> Vec<String> {
    let json = check_json(dir, extra);
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

/// Two unpinned actions: TP501 on lines 7 and 8.
const UNPINNED: &str = "\
on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
";

fn exit_code(dir: &Path, extra: &[&str]) -> i32 {
    tplint()
        .arg("check")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn baseline_without_suppressions() {
    let dir = repo(UNPINNED, None);
    assert_eq!(
        found(dir.path(), &[]),
        ["TP501 8:31 warning", "TP501 9:35 warning"]
    );
}

#[test]
fn a_suppression_on_the_line_of_the_diagnostic() {
    let workflow = UNPINNED.replace(
        "actions/checkout@v4",
        "actions/checkout@v4 # tplint: ignore[TP501] internal mirror, pinned by policy",
    );
    let dir = repo(&workflow, None);
    assert_eq!(found(dir.path(), &[]), ["TP501 9:35 warning"]);
}

#[test]
fn a_suppression_alone_on_the_line_above() {
    let workflow = UNPINNED.replace(
        "      - uses: actions/setup-python@v5",
        "      # tplint: ignore[unpinned-action] the tag is fine here\n      - uses: actions/setup-python@v5",
    );
    let dir = repo(&workflow, None);
    assert_eq!(found(dir.path(), &[]), ["TP501 8:31 warning"]);
}

#[test]
fn a_suppression_above_covers_only_the_next_line() {
    let workflow = UNPINNED.replace("    steps:\n", "    # tplint: ignore[TP501]\n    steps:\n");
    let dir = repo(&workflow, None);
    assert_eq!(
        found(dir.path(), &[]),
        [
            "TP000 7:22 info",
            "TP501 9:31 warning",
            "TP501 10:35 warning"
        ]
    );
}

/// Everything on one line: a flow-style workflow where four diagnostics of
/// three rules share line 4.
const ONE_LINE: &str = "\
on: push
permissions: {}
jobs:
  publish: {runs-on: ubuntu-latest, permissions: {id-token: write}, steps: [{uses: actions/checkout@v4}, {uses: pypa/gh-action-pypi-publish@release/v1}]}
";
const ONE_LINE_RULES: &[&str] = &["--select", "TP000,TP100,TP401,TP501"];

#[test]
fn several_codes_in_one_suppression() {
    let dir = repo(ONE_LINE, None);
    let before = found(dir.path(), ONE_LINE_RULES);
    let codes: Vec<&str> = before.iter().map(|d| &d[..5]).collect();
    assert_eq!(codes, ["TP401", "TP501", "TP100", "TP501"], "{before:?}");
    assert!(before.iter().all(|d| d.contains(" 4:")), "{before:?}");

    let suppressed = ONE_LINE.replace(
        "jobs:\n",
        "jobs:\n  # tplint: ignore[TP501, TP401,publisher-undeclared] -- reason: a demo\n",
    );
    let dir = repo(&suppressed, None);
    assert_eq!(found(dir.path(), ONE_LINE_RULES), Vec::<String>::new());
}

#[test]
fn stale_and_unknown_codes_are_tp000() {
    let workflow = UNPINNED
        .replace(
            "actions/checkout@v4",
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2 # tplint: ignore[TP501]",
        )
        .replace(
            "actions/setup-python@v5",
            "actions/setup-python@v5 # tplint: ignore[TP501, TP999]",
        );
    let dir = repo(&workflow, None);
    assert_eq!(
        found(dir.path(), &[]),
        ["TP000 8:99 info", "TP000 9:63 info"]
    );
    let messages = messages(dir.path(), &[]);
    assert!(messages[0].contains("silences nothing"), "{messages:?}");
    assert!(messages[1].contains("`TP999`"), "{messages:?}");
    // TP000 is info: it does not fail the default threshold, but `--fail-on info` does.
    assert_eq!(exit_code(dir.path(), &[]), 0);
    assert_eq!(exit_code(dir.path(), &["--fail-on", "info"]), 1);
}

#[test]
fn a_suppression_of_a_rule_that_did_not_run_is_not_stale() {
    let workflow = UNPINNED.replace(
        "actions/checkout@v4",
        "actions/checkout@v4 # tplint: ignore[TP501]",
    );
    let dir = repo(&workflow, None);
    assert_eq!(
        found(dir.path(), &["--ignore", "TP501"]),
        Vec::<String>::new()
    );
    assert_eq!(
        found(dir.path(), &["--select", "TP000,TP401"]),
        Vec::<String>::new()
    );
    // A stale suppression is reported, unless TP000 itself is not run.
    let stale = UNPINNED.replace(
        "actions/checkout@v4",
        "actions/checkout@v4 # tplint: ignore[TP401]",
    );
    let dir = repo(&stale, None);
    assert_eq!(
        found(dir.path(), &[]),
        [
            "TP501 8:31 warning",
            "TP000 8:52 info",
            "TP501 9:35 warning"
        ]
    );
    assert_eq!(
        found(dir.path(), &["--ignore", "unused-suppression"]),
        ["TP501 8:31 warning", "TP501 9:35 warning"]
    );
}

#[test]
fn an_empty_suppression_is_tp000() {
    let workflow = UNPINNED.replace(
        "actions/checkout@v4",
        "actions/checkout@v4 # tplint: ignore[]",
    );
    let dir = repo(&workflow, None);
    assert_eq!(
        found(dir.path(), &[]),
        [
            "TP501 8:31 warning",
            "TP000 8:37 info",
            "TP501 9:35 warning"
        ]
    );
}

#[test]
fn lint_ignore_in_the_config_skips_rules_by_code_or_name() {
    let dir = repo(UNPINNED, Some("[lint]\nignore = [\"unpinned-action\"]\n"));
    assert_eq!(found(dir.path(), &[]), Vec::<String>::new());
    assert_eq!(exit_code(dir.path(), &[]), 0);
    let dir = repo(UNPINNED, Some("[lint]\nignore = [\"TP501\"]\n"));
    assert_eq!(found(dir.path(), &[]), Vec::<String>::new());
    // `--select` cannot bring back a rule the config ignores.
    assert_eq!(
        found(dir.path(), &["--select", "TP501"]),
        Vec::<String>::new()
    );
}

#[test]
fn lint_severity_overrides_the_default_severity() {
    let dir = repo(UNPINNED, Some("[lint.severity]\nTP501 = \"error\"\n"));
    assert_eq!(
        found(dir.path(), &[]),
        ["TP501 8:31 error", "TP501 9:35 error"]
    );
    assert_eq!(exit_code(dir.path(), &["--fail-on", "error"]), 1);
    let dir = repo(
        UNPINNED,
        Some("[lint.severity]\nunpinned-action = \"info\"\n"),
    );
    assert_eq!(
        found(dir.path(), &[]),
        ["TP501 8:31 info", "TP501 9:35 info"]
    );
    assert_eq!(exit_code(dir.path(), &[]), 0);
    let dir = repo(UNPINNED, Some("[lint.severity]\nTP501 = \"fatal\"\n"));
    assert_eq!(exit_code(dir.path(), &[]), 2);
}

#[test]
fn fail_on_in_the_config_and_on_the_command_line() {
    // Warnings only: the default threshold (warning) fails.
    let dir = repo(UNPINNED, None);
    assert_eq!(exit_code(dir.path(), &[]), 1);
    let dir = repo(UNPINNED, Some("[lint]\nfail-on = \"error\"\n"));
    assert_eq!(exit_code(dir.path(), &[]), 0);
    // The command line wins over the config.
    assert_eq!(exit_code(dir.path(), &["--fail-on", "warning"]), 1);
    let dir = repo(UNPINNED, Some("[lint]\nfail-on = \"never\"\n"));
    assert_eq!(exit_code(dir.path(), &[]), 0);
    let dir = repo(UNPINNED, Some("[lint]\nfail-on = \"sometimes\"\n"));
    assert_eq!(exit_code(dir.path(), &[]), 2);
}

#[test]
fn fail_on_levels_against_each_severity() {
    let with = |severity: &str| {
        repo(
            UNPINNED,
            Some(&format!("[lint.severity]\nTP501 = \"{severity}\"\n")),
        )
    };
    let cases = [
        // (severity found, --fail-on, exit code)
        ("error", "error", 1),
        ("error", "warning", 1),
        ("error", "info", 1),
        ("error", "never", 0),
        ("warning", "error", 0),
        ("warning", "warning", 1),
        ("warning", "info", 1),
        ("warning", "never", 0),
        ("info", "error", 0),
        ("info", "warning", 0),
        ("info", "info", 1),
        ("info", "never", 0),
    ];
    for (severity, fail_on, code) in cases {
        let dir = with(severity);
        assert_eq!(
            exit_code(dir.path(), &["--fail-on", fail_on]),
            code,
            "{severity} with --fail-on {fail_on}"
        );
    }
    let clean = repo(
        "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n",
        None,
    );
    assert_eq!(exit_code(clean.path(), &["--fail-on", "info"]), 0);
    assert_eq!(exit_code(clean.path(), &["--fail-on", "everything"]), 2);
}

#[test]
fn select_and_ignore_take_codes_and_names_in_any_case() {
    let dir = repo(ONE_LINE, None);
    let codes = |extra: &[&str]| -> Vec<String> {
        let mut codes: Vec<String> = found(dir.path(), extra)
            .into_iter()
            .map(|d| d[..5].to_string())
            .collect();
        codes.dedup();
        codes
    };
    assert_eq!(codes(&["--select", "TP501"]), ["TP501"]);
    assert_eq!(codes(&["--select", "unpinned-action"]), ["TP501"]);
    assert_eq!(
        codes(&["--select", "tp401,Unpinned-Action"]),
        ["TP401", "TP501"]
    );
    assert_eq!(
        codes(&["--select", "TP401", "--select", "TP100"]),
        ["TP401", "TP100"]
    );
    let all = codes(&[]);
    assert!(all.contains(&"TP501".to_string()));
    let ignored = codes(&["--ignore", "TP501,publish-job-no-environment"]);
    assert!(!ignored.contains(&"TP501".to_string()) && !ignored.contains(&"TP401".to_string()));
    assert!(ignored.contains(&"TP100".to_string()));
    // --ignore wins over --select.
    assert_eq!(
        codes(&["--select", "TP501", "--ignore", "TP501"]),
        Vec::<String>::new()
    );
    assert_eq!(exit_code(dir.path(), &["--ignore", "no-such-rule"]), 2);
}
