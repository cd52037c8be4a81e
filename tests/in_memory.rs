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

/// Texts laid over a repository on disk are read instead of its files, and
/// a workflow that exists only in the overlay is checked too.
#[test]
fn an_overlay_stands_in_for_files_on_disk() {
    use tplint::lint::check_repository;
    use tplint::overlay::Overlay;
    use tplint::repository::LoadOptions;

    let dir = tempfile::TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("ci.yml"), "on: push\njobs: {}\n").unwrap();
    let mut overlay = Overlay::default();
    overlay.insert(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    );
    overlay.insert(
        "tplint.toml",
        "[[publisher]]\nowner = \"o\"\nrepository = \"r\"\nworkflow = \"new.yml\"\n",
    );
    overlay.insert(".github/workflows/new.yml", "on: push\njobs: {}\n");
    let options = CheckOptions {
        load: LoadOptions {
            overlay,
            ..LoadOptions::default()
        },
        ..CheckOptions::default()
    };
    let report = check_repository(dir.path(), String::new(), &options).unwrap();
    let paths: Vec<&str> = report
        .repo
        .workflows
        .iter()
        .map(|w| w.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [".github/workflows/ci.yml", ".github/workflows/new.yml"]
    );
    let found: Vec<(&str, usize)> = report
        .resolved()
        .iter()
        .map(|r| (r.diagnostic.rule.code, r.start.line))
        .collect();
    // The buffer's unpinned checkout, and the publisher's workflow that
    // publishes nothing: both exist only in the overlay.
    assert!(found.contains(&("TP501", 6)), "{found:?}");
    assert!(found.iter().any(|(code, _)| *code == "TP103"), "{found:?}");
    // The disk is untouched.
    assert_eq!(
        std::fs::read_to_string(workflows.join("ci.yml")).unwrap(),
        "on: push\njobs: {}\n"
    );
}
