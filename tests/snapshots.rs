//! Snapshots of the human output: snippets, labels, related locations,
//! help lines and the summary.

mod common;

use common::{fixture, fixture_copy, tplint};

fn human(case: &str) -> String {
    let repo = fixture_copy(&fixture(case));
    let output = tplint()
        .arg("check")
        .arg(repo.path())
        .args(["--color", "never"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn seed_example() {
    insta::assert_snapshot!(human("seed-example"));
}

#[test]
fn publisher_invalid() {
    insta::assert_snapshot!(human("tp102-publisher-invalid"));
}

#[test]
fn invalid_yaml() {
    insta::assert_snapshot!(human("tp001-invalid-yaml"));
}
