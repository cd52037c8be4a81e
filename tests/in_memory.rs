//! The in-memory entry point runs the same pipeline as a check on disk.

use tplint::lint::{CheckOptions, check_source};

#[test]
fn check_source_reports_like_a_repository_on_disk() {
    let workflow = b"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
    let report = check_source(
        "release.yml",
        workflow.to_vec(),
        None,
        &CheckOptions::default(),
    )
    .unwrap();
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["TP501"]);
    let resolved = report.resolved();
    assert_eq!(resolved[0].path, ".github/workflows/release.yml");
    assert_eq!((resolved[0].start.line, resolved[0].start.column), (6, 31));
}

#[test]
fn check_source_reads_the_configuration_text() {
    let config = "[[publisher]]\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"other.yml\"\n";
    let report = check_source(
        "release.yml",
        b"on: push\njobs: {}\n".to_vec(),
        Some(config),
        &CheckOptions::default(),
    )
    .unwrap();
    assert!(report.diagnostics.iter().any(|d| d.rule.code == "TP101"));
    let error = check_source(
        "release.yml",
        Vec::new(),
        Some("[[publisher]]\nownr = 1\n"),
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("unknown field"), "{error}");
}
