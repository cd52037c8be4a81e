//! Fixing every fixture: the fixes applied leave texts that still parse,
//! their findings are gone, nothing new appears, only the files the fixes
//! edit change, line endings are kept, and fixing again changes nothing.
//! The diffs of all fixtures are one snapshot, for review.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tplint::fix::Applicability;
use tplint::fix::run::{fix_repository, unified_diff, write_atomically};
use tplint::lint::{CheckOptions, RepoReport, check_repository};

/// Every fixture case, with a loopback server for the ones with answers.
fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn options(server: Option<&common::server::Server>) -> CheckOptions {
    let mut options = CheckOptions {
        resolve_pins: true,
        ..CheckOptions::default()
    };
    if let Some(server) = server {
        options.online = Some(Arc::new(tplint::online::connect(
            &format!("{}/github", server.url),
            None,
        )));
        options.indexes = Some(Arc::new(tplint::online::pypi::Indexes::connect(
            &format!("{}/pypi", server.url),
            &format!("{}/testpypi", server.url),
        )));
    }
    options
}

/// (code, path) of each diagnostic, counted. Messages are left out: they
/// quote the text a fix changes (TP501 on `@master`, then on `@release/v1`).
fn findings(report: &RepoReport) -> BTreeMap<(String, String), usize> {
    let mut all = BTreeMap::new();
    for item in report.resolved() {
        let key = (item.diagnostic.rule.code.to_string(), item.path.clone());
        *all.entry(key).or_insert(0) += 1;
    }
    all
}

fn bare_line_feeds(text: &str) -> usize {
    text.match_indices('\n')
        .filter(|(at, _)| *at == 0 || text.as_bytes()[at - 1] != b'\r')
        .count()
}

/// Check one fixture copy; returns its diffs.
fn fix_case(case: &Path, crlf: bool) -> String {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let repo = common::fixture_copy(case);
    let answers = case.join("online");
    let server = answers.is_dir().then(|| {
        std::fs::remove_dir_all(repo.path().join("online")).unwrap();
        common::server::Server::from_dir(&answers)
    });
    let options = options(server.as_ref());
    let root = repo.path();
    if crlf {
        for entry in walk(root) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            if entry.extension().is_some_and(|e| e == "yml" || e == "yaml") && !text.contains('\r')
            {
                std::fs::write(&entry, text.replace('\n', "\r\n")).unwrap();
            }
        }
    }
    let before = check_repository(root, String::new(), &options).unwrap();
    let fixable: BTreeMap<(String, String), usize> = {
        let mut all = BTreeMap::new();
        for item in before.resolved() {
            if item
                .diagnostic
                .fix
                .as_ref()
                .is_some_and(|f| f.applies(Applicability::Unsafe))
            {
                let key = (item.diagnostic.rule.code.to_string(), item.path.clone());
                *all.entry(key).or_insert(0) += 1;
            }
        }
        all
    };
    for diagnostic in &before.diagnostics {
        if let Some(fix) = &diagnostic.fix {
            assert!(
                !fix.message.contains("(not offered:"),
                "{name}: {} withdrew its fix: {}",
                diagnostic.rule.code,
                fix.message
            );
            assert_ne!(
                tplint::fix::availability(diagnostic.rule),
                tplint::fix::FixAvailability::None,
                "{name}: {} has a fix but its table entry says it never fixes",
                diagnostic.rule.code
            );
        }
    }
    let edited: Vec<String> = before
        .diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| &f.edits)
        .map(|e| before.repo.sources.get(e.location.file).path.clone())
        .collect();
    let snapshot_before: BTreeMap<PathBuf, Vec<u8>> = walk(root)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let found_before = findings(&before);
    let outcome = fix_repository(root, String::new(), &options, Applicability::Unsafe).unwrap();
    assert_eq!(outcome.left, 0, "{name}: fixes left unapplied");
    let found_after = findings(&outcome.report);
    for (key, count) in &found_after {
        // Online checks of a value the fix introduced (an environment) are
        // answered by what the fixture's server knows, not by the fix.
        if key.0 == "TP400" {
            continue;
        }
        let was = found_before.get(key).copied().unwrap_or(0);
        assert!(*count <= was, "{name}: new finding after fixing: {key:?}");
        let fixed = fixable.get(key).copied().unwrap_or(0);
        assert!(
            *count <= was - fixed,
            "{name}: a fixed finding is still there: {key:?}"
        );
    }
    let mut diffs = String::new();
    for file in &outcome.files {
        assert!(edited.contains(&file.path), "{name}: {} changed", file.path);
        let yaml = file.path.ends_with(".yml") || file.path.ends_with(".yaml");
        if yaml && tplint::yaml::parse(&file.original).is_ok() {
            tplint::yaml::parse(&file.fixed)
                .unwrap_or_else(|e| panic!("{name}: {} no longer parses: {e}", file.path));
        }
        assert_eq!(
            bare_line_feeds(&file.fixed) == 0,
            bare_line_feeds(&file.original) == 0,
            "{name}: line endings of {} changed",
            file.path
        );
        diffs.push_str(&unified_diff(&file.path, &file.original, &file.fixed));
        write_atomically(root, &file.path, &file.fixed).unwrap();
    }
    // Only the fixed files changed on disk.
    for (path, bytes) in &snapshot_before {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if outcome.files.iter().any(|f| f.path == relative) {
            continue;
        }
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "{name}: {relative} changed"
        );
    }
    // The written files read back as the report says, and a second run
    // changes nothing.
    let again = fix_repository(root, String::new(), &options, Applicability::Unsafe).unwrap();
    assert!(
        again.files.is_empty(),
        "{name}: a second --fix changes {:?}",
        again.files
    );
    assert_eq!(findings(&again.report), found_after, "{name}");
    diffs
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn fixing_every_fixture_is_clean_and_idempotent() {
    let mut all = String::new();
    for case in cases() {
        let diffs = fix_case(&case, false);
        if !diffs.is_empty() {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            all.push_str(&format!("### {name}\n{diffs}"));
        }
    }
    insta::assert_snapshot!(all);
}

#[test]
fn fixing_keeps_crlf_line_endings() {
    for case in [
        "tp000-unused-suppression",
        "tp104-environment-mismatch",
        "tp201-id-token-missing",
        "tp202-id-token-workflow-level",
    ] {
        let diffs = fix_case(&common::fixture(case), true);
        assert!(!diffs.is_empty(), "{case}");
    }
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let repo = common::fixture_copy(&common::fixture("tp503-publish-action-master"));
    let path = repo.path().join(".github/workflows/release.yml");
    let before = std::fs::read_to_string(&path).unwrap();
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .arg("--diff")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "a diff is exit 1");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "--- a/.github/workflows/release.yml\n+++ b/.github/workflows/release.yml\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("-      - uses: pypa/gh-action-pypi-publish@master\n+      - uses: pypa/gh-action-pypi-publish@release/v1\n"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("would fix 1 finding(s) in 1 file"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn fix_writes_the_files_and_reports_what_remains() {
    let repo = common::fixture_copy(&common::fixture("tp201-id-token-missing"));
    let run = |extra: &[&str]| {
        common::tplint()
            .arg("check")
            .arg(repo.path())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap()
    };
    // Safe fixes only: the two jobs with their own block are fixed, the
    // job without one needs `--unsafe-fixes`.
    let output = run(&["--fix"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("fixed 2 finding(s) in 2 files"), "{stderr}");
    assert!(
        stderr.contains("1 unsafe fix(es) available with `--unsafe-fixes`"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let remaining: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TP201")
        .map(|d| d["fix"]["applicability"].as_str().unwrap_or("no fix"))
        .collect();
    // `permissions: read-all` has no fix: which scopes to keep is a choice.
    assert_eq!(remaining, ["unsafe", "no fix"]);
    assert_eq!(output.status.code(), Some(1), "a TP201 error remains");
    let output = run(&["--fix", "--unsafe-fixes"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("fixed 1 finding(s) in 1 file"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let left: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TP201")
        .map(|d| d["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(left, [".github/workflows/readall.yml"]);
    let output = run(&["--fix", "--unsafe-fixes"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("fixed 0 finding(s) in 0 files"), "{stderr}");
}

#[test]
fn unsafe_fixes_alone_is_a_usage_error() {
    let repo = common::fixture_copy(&common::fixture("tp503-publish-action-master"));
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .arg("--unsafe-fixes")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`--unsafe-fixes` goes with"));
}

#[test]
fn json_and_sarif_carry_the_fix() {
    let repo = common::fixture_copy(&common::fixture("tp503-publish-action-master"));
    let report = common::check_json(repo.path(), &[]);
    let tp503 = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP503")
        .unwrap();
    let fix = &tp503["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], "@release/v1");
    assert_eq!(fix["edits"][0]["start"], tp503["location"]["start"]);
    assert_eq!(fix["edits"][0]["end"], tp503["location"]["end"]);
    let tp501 = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TP501")
        .unwrap();
    assert_eq!(tp501["fix"]["applicability"], "display-only");
    assert_eq!(tp501["fix"]["edits"], serde_json::json!([]));

    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "TP503").unwrap();
    let fix = &result["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "safe");
    let change = &fix["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        ".github/workflows/release.yml"
    );
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "@release/v1");
    assert_eq!(
        replacement["deletedRegion"]["startColumn"],
        result["locations"][0]["physicalLocation"]["region"]["startColumn"]
    );
    // Display-only fixes have no edits, so SARIF has no `fixes` for them.
    let tp501 = results.iter().find(|r| r["ruleId"] == "TP501").unwrap();
    assert!(tp501.get("fixes").is_none());
}

const CHECKOUT_COMMIT: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";
const SETUP_PYTHON_COMMIT: &str = "a26af69be951a213d495a4c3e4e4022e16d87065";
const SETUP_UV_COMMIT: &str = "e92bafb6253dcd438e0484186d7669ea7a8ca1cc";

/// A GitHub API that knows the tags of three actions: `v4` of checkout is
/// an annotated tag on the commit of `v4.2.2`.
fn pin_server() -> common::server::Server {
    use common::server::json;
    use serde_json::json as value;
    let tag_object = "9f2a5e8c0d0f6c1a2b3c4d5e6f708192a3b4c5d6";
    let routes = std::collections::HashMap::from([
        (
            "/github/repos/actions/checkout/git/ref/tags/v4".to_string(),
            json(&value!({"ref": "refs/tags/v4", "object": {"type": "tag", "sha": tag_object}})),
        ),
        (
            format!("/github/repos/actions/checkout/git/tags/{tag_object}"),
            json(&value!({"tag": "v4", "object": {"type": "commit", "sha": CHECKOUT_COMMIT}})),
        ),
        (
            "/github/repos/actions/checkout/tags?per_page=100&page=1".to_string(),
            json(&value!([
                {"name": "v4.2.1", "commit": {"sha": "0000000000000000000000000000000000000001"}},
                {"name": "v4", "commit": {"sha": CHECKOUT_COMMIT}},
                {"name": "v4.2.2", "commit": {"sha": CHECKOUT_COMMIT}},
                {"name": "v4.2", "commit": {"sha": CHECKOUT_COMMIT}}
            ])),
        ),
        (
            "/github/repos/actions/setup-python/tags?per_page=100&page=1".to_string(),
            json(&value!([{"name": "v5.6.0", "commit": {"sha": SETUP_PYTHON_COMMIT}}])),
        ),
        (
            "/github/repos/astral-sh/setup-uv/commits/main".to_string(),
            json(&value!({"sha": SETUP_UV_COMMIT})),
        ),
        (
            "/github/repos/astral-sh/setup-uv/tags?per_page=100&page=1".to_string(),
            json(&value!([])),
        ),
    ]);
    common::server::Server::start(routes)
}

#[test]
fn online_fixes_pin_tags_to_their_commits_with_the_most_specific_tag() {
    let server = pin_server();
    let dir = tempfile::TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let path = workflows.join("ci.yml");
    std::fs::write(
        &path,
        format!(
            "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: \"actions/setup-python@{SETUP_PYTHON_COMMIT}\" # pinned\n      - uses: astral-sh/setup-uv@main\n"
        ),
    )
    .unwrap();
    let fix = |extra: &[&str]| {
        common::tplint()
            .arg("check")
            .arg(dir.path())
            .args([
                "--online",
                "--github-api-url",
                &format!("{}/github", server.url),
            ])
            .args(["--pypi-url", &format!("{}/pypi", server.url)])
            .args(["--testpypi-url", &format!("{}/testpypi", server.url)])
            .args(["--format", "json"])
            .args(extra)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .output()
            .unwrap()
    };
    // Safe fixes: the tags are pinned, the branch waits for --unsafe-fixes.
    let output = fix(&["--fix"]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!(
            "- uses: actions/checkout@{CHECKOUT_COMMIT} # v4.2.2\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "- uses: \"actions/setup-python@{SETUP_PYTHON_COMMIT}\" # v5.6.0 # pinned\n"
        )),
        "{text}"
    );
    assert!(text.contains("- uses: astral-sh/setup-uv@main\n"), "{text}");
    let output = fix(&["--fix", "--unsafe-fixes"]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!(
            "- uses: astral-sh/setup-uv@{SETUP_UV_COMMIT} # main\n"
        )),
        "{text}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for d in report["diagnostics"].as_array().unwrap() {
        assert!(d["code"] != "TP501" && d["code"] != "TP502", "{d}");
    }
}

#[test]
fn offline_pin_fixes_are_display_only() {
    let repo = common::fixture_copy(&common::fixture("tp502-pin-without-version-comment"));
    let report = common::check_json(repo.path(), &[]);
    let pins: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TP502" || d["code"] == "TP501")
        .collect();
    assert!(!pins.is_empty());
    for d in pins {
        assert_eq!(d["fix"]["applicability"], "display-only", "{d}");
    }
}

/// A repository with one workflow, `text`, in a temporary folder.
fn one_workflow(text: &str) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let workflows = repo.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("fuzz.yml"), text).unwrap();
    repo
}

/// The input the `lint` fuzz target reduced (kept in
/// `tests/fuzz-regressions/lint/`): a comment line ends the plain scalar
/// `l`, so removing the stale suppression would join `l` and `t:` into
/// one scalar holding `: `, which does not parse.
const COMMENT_KEEPS_SCALARS_APART: &str = "l\n#tplint:ignore[]\nt:";

#[test]
fn a_suppression_whose_removal_breaks_the_file_is_not_fixed() {
    let repo = one_workflow(COMMENT_KEEPS_SCALARS_APART);
    let path = repo.path().join(".github/workflows/fuzz.yml");
    for extra in [&["--fix"][..], &["--fix", "--unsafe-fixes"]] {
        let output = common::tplint()
            .arg("check")
            .arg(repo.path())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(stderr.contains("fixed 0 finding(s) in 0 files"), "{stderr}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, COMMENT_KEEPS_SCALARS_APART);
        assert!(tplint::yaml::parse(&text).is_ok());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let fixes: Vec<(&str, &str)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "TP000")
            .map(|d| {
                (
                    d["fix"]["applicability"].as_str().unwrap(),
                    d["fix"]["message"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            fixes,
            [(
                "display-only",
                "remove the stale suppression (not offered: the file would no longer parse)"
            )]
        );
    }
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .arg("--diff")
        .output()
        .unwrap();
    assert!(output.stdout.is_empty(), "{:?}", output.stdout);
}

#[test]
fn stale_suppressions_that_each_keep_lines_apart_are_removed_one_at_a_time() {
    // Either comment alone keeps `l` and `t:` apart, so each fix alone is
    // offered; made together they would join them. One is removed, and
    // then the other is not.
    let text = "l\n#tplint:ignore[]\n# tplint: ignore[]\nt:";
    let repo = one_workflow(text);
    let output = common::tplint()
        .arg("check")
        .arg(repo.path())
        .arg("--fix")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("fixed 1 finding(s) in 1 file"), "{stderr}");
    let fixed = std::fs::read_to_string(repo.path().join(".github/workflows/fuzz.yml")).unwrap();
    assert_eq!(fixed, "l\n# tplint: ignore[]\nt:");
    assert!(tplint::yaml::parse(&fixed).is_ok());
}
