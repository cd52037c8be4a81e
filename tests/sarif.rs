//! SARIF output: the run describes every registered rule, results point at
//! their rule, locations are relative to `%SRCROOT%`, and fingerprints do not
//! move when unrelated lines do. Schema and GitHub ingestion rules are
//! checked by `tests/sarif-validate.sh` with Microsoft's SARIF Multitool.

mod common;

use std::path::Path;

use serde_json::Value;

fn sarif(dir: &Path, extra: &[&str]) -> Value {
    let output = common::tplint()
        .arg("check")
        .arg(dir)
        .args(["--format", "sarif"])
        .args(extra)
        .output()
        .unwrap();
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn the_run_describes_every_rule_of_the_registry() {
    let repo = common::fixture_copy(&common::fixture("seed-example"));
    let log = sarif(repo.path(), &[]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tplint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let listed = common::tplint().arg("rules").output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    let codes: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|word| word.starts_with("TP"))
        .collect();
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, codes);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(
            rule["helpUri"].as_str().unwrap().starts_with(&format!(
                "https://github.com/tplint/tplint/blob/main/rules/{id}-"
            )),
            "{rule}"
        );
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(
            ["error", "warning", "note"]
                .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    assert!(!results(&log).is_empty());
    for result in results(&log) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn levels_follow_severity_overrides_and_related_locations_are_linked() {
    let repo = common::fixture_copy(&common::fixture("tp104-environment-mismatch"));
    let log = sarif(repo.path(), &[]);
    let mismatch = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "TP104" && r["relatedLocations"].is_array())
        .expect("a TP104 with a related location");
    assert_eq!(mismatch["level"], "error");
    let related = &mismatch["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "tplint.toml"
    );
    assert!(
        mismatch["message"]["text"]
            .as_str()
            .unwrap()
            .contains("](1)")
    );

    let config = repo.path().join("tplint.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[lint.severity]\nTP104 = \"warning\"\n"),
    )
    .unwrap();
    let log = sarif(repo.path(), &[]);
    let levels: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "TP104")
        .map(|r| &r["level"])
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == "warning"),
        "{levels:?}"
    );
}

#[test]
fn fingerprints_survive_unrelated_edits_and_tell_occurrences_apart() {
    let repo = common::fixture_copy(&common::fixture("tp501-unpinned-action"));
    let fingerprints = |log: &Value| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = results(log)
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["tplintFingerprint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        all.sort();
        all
    };
    let before = sarif(repo.path(), &[]);
    let workflow = repo.path().join(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    std::fs::write(&workflow, format!("# a comment\nname: ci\n\n{text}")).unwrap();
    let after = sarif(repo.path(), &[]);
    assert_ne!(
        results(&before)[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        results(&after)[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
    assert_eq!(fingerprints(&before), fingerprints(&after));
    let mut unique = fingerprints(&after);
    unique.dedup_by(|a, b| a.1 == b.1);
    assert_eq!(
        unique.len(),
        results(&after).len(),
        "every result has its own fingerprint"
    );
}

#[test]
fn command_line_publishers_are_placed_on_a_real_file() {
    let repo = common::fixture_copy(&common::fixture("tp104-environment-mismatch"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    let log = sarif(
        repo.path(),
        &[
            "--owner",
            "bad owner",
            "--repository",
            "x",
            "--workflow",
            "nope.yml",
        ],
    );
    let on_flags: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "TP101" || r["ruleId"] == "TP102")
        .collect();
    assert_eq!(on_flags.len(), 2, "{log}");
    for result in on_flags {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with(".github/workflows/"), "{uri}");
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains("command line")
        );
    }
}
