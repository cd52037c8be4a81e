//! The fixture harness: every `fixtures/<case>/` is a miniature repository
//! with an `expected.txt` listing each diagnostic as `CODE path:line:column`.
//! The case is copied to a temporary folder (with `git init` and the
//! `remote.txt` URL as `origin` when present) and checked; any missing or
//! extra diagnostic fails the test. A case with an `online/` folder is
//! checked with `--online` against a server on 127.0.0.1 that serves its
//! files as the answers of PyPI (`online/pypi/`), TestPyPI
//! (`online/testpypi/`) and the GitHub API (`online/github/`).

mod common;

use std::path::Path;

#[test]
fn every_fixture_reports_exactly_its_expected_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() > 10, "fixtures are missing");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected_file = case.join("expected.txt");
        let Ok(expected) = std::fs::read_to_string(&expected_file) else {
            failures.push(format!("{name}: no expected.txt"));
            continue;
        };
        let mut expected: Vec<String> = expected
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        expected.sort();
        let repo = common::fixture_copy(case);
        let answers = case.join("online");
        let json = if answers.is_dir() {
            std::fs::remove_dir_all(repo.path().join("online")).unwrap();
            let server = common::server::Server::from_dir(&answers);
            common::server::check_online_json(repo.path(), &server, &[])
        } else {
            common::check_json(repo.path(), &[])
        };
        let mut actual: Vec<String> = json["diagnostics"]
            .as_array()
            .expect("diagnostics array")
            .iter()
            .map(|d| {
                format!(
                    "{} {}:{}:{}",
                    d["code"].as_str().unwrap(),
                    d["location"]["path"].as_str().unwrap(),
                    d["location"]["start"]["line"],
                    d["location"]["start"]["column"]
                )
            })
            .collect();
        actual.sort();
        let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
        let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{name}:\n  missing: {missing:?}\n  extra:   {extra:?}\n  messages: {}",
                json["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| format!(
                        "\n    {} {}:{} {}",
                        d["code"].as_str().unwrap(),
                        d["location"]["start"]["line"],
                        d["location"]["start"]["column"],
                        d["message"].as_str().unwrap()
                    ))
                    .collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
