//! The README's copy-paste CI jobs are the `readme-ci-snippets` fixture, so
//! the fixture harness proves they pass tplint; this test keeps the two
//! identical. It also checks that the project's own workflows pass tplint
//! and that `tplint suggest` finds the publisher its release needs.

mod common;

use std::path::Path;

const MARKER: &str = "<!-- snippet: ";

/// `(path, code block)` for every `<!-- snippet: PATH -->` marker followed
/// by a fenced block.
fn snippets(readme: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(MARKER) else {
            continue;
        };
        let path = rest.trim_end_matches("-->").trim().to_string();
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "no code block after the marker for {path}"
        );
        let mut block = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            block.push_str(line);
            block.push('\n');
        }
        found.push((path, block));
    }
    found
}

#[test]
fn readme_ci_snippets_are_the_fixture_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let snippets = snippets(&readme);
    let dir = root.join("fixtures/readme-ci-snippets/.github/workflows");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            format!(
                "fixtures/readme-ci-snippets/.github/workflows/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.push("fixtures/readme-ci-snippets/.gitlab-ci.yml".to_string());
    files.sort();
    let mut named: Vec<String> = snippets.iter().map(|(p, _)| p.clone()).collect();
    named.sort();
    assert_eq!(
        named, files,
        "every fixture file appears in the README once, and nothing else"
    );
    for (path, block) in &snippets {
        let file = std::fs::read_to_string(root.join(path)).unwrap();
        assert_eq!(block, &file, "README snippet differs from {path}");
    }
    let expected =
        std::fs::read_to_string(root.join("fixtures/readme-ci-snippets/expected.txt")).unwrap();
    assert!(
        expected.trim().is_empty(),
        "the README's own jobs must be clean"
    );
}

#[test]
fn the_project_passes_its_own_linter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join(".github/workflows/ci.yml").is_file());
    common::tplint()
        .args(["check", "--fail-on", "info", "--color", "never"])
        .arg(root)
        .assert()
        .code(0);
}

#[test]
fn the_project_suggests_its_own_pypi_publisher() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = common::tplint()
        .args(["suggest", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    // The release workflow publishes to PyPI and to crates.io.
    assert_eq!(publishers.len(), 2, "{json:#}");
    let publisher = &publishers[0];
    assert_eq!(publisher["index"], "pypi");
    assert_eq!(publisher["project"], "tplint");
    assert_eq!(publisher["workflow"], "release.yml");
    assert_eq!(publisher["environment"], "pypi");
    assert_eq!(publisher["jobs"][0], ".github/workflows/release.yml: pypi");
    let crates = &publishers[1];
    assert_eq!(crates["index"], "crates.io");
    assert_eq!(crates["project"], "tplint");
    assert_eq!(crates["workflow"], "release.yml");
    assert_eq!(crates["environment"], "crates-io");
    assert_eq!(
        crates["jobs"][0],
        ".github/workflows/release.yml: crates-io"
    );
}
