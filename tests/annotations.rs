//! `--format github`: one workflow command per diagnostic, with the same
//! positions as the JSON output and GitHub's escaping of data and properties.

mod common;

use common::{check_json, fixture, fixture_copy, tplint};
use tempfile::TempDir;

fn github(dir: &std::path::Path) -> (String, i32) {
    let output = tplint()
        .arg("check")
        .arg(dir)
        .args(["--format", "github"])
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn escapes_data_and_properties() {
    let dir = TempDir::new().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("a,b:c%.yml"),
        "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: actions/checkout@v4%25 # tplint: ignore[TP999]\n",
    )
    .unwrap();
    common::git(dir.path(), &["init", "-q"]);
    let (text, code) = github(dir.path());
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let file = "file=.github/workflows/a%2Cb%3Ac%25.yml";
    assert!(
        lines[0].starts_with(&format!(
            "::warning {file},line=7,col=31,endLine=7,endColumn=37,title=TP501 unpinned-action::"
        )),
        "{}",
        lines[0]
    );
    // `%` in the message is escaped, and the help follows after escaped newlines.
    assert!(lines[0].contains("`@v4%2525`"), "{}", lines[0]);
    assert!(lines[0].contains("%0A%0Ahelp: "), "{}", lines[0]);
    // Info diagnostics are notices.
    assert!(
        lines[1].starts_with(&format!(
            "::notice {file},line=7,col=55,endLine=7,endColumn=60,title=TP000 unused-suppression::"
        )),
        "{}",
        lines[1]
    );
    assert!(!text.contains('\r'));
}

#[test]
fn positions_match_the_json_output_for_every_fixture() {
    let root = fixture("");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let repo = fixture_copy(&case);
        let json = check_json(repo.path(), &[]);
        let (text, _) = github(repo.path());
        let expected: Vec<String> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let command = match d["severity"].as_str().unwrap() {
                    "error" => "error",
                    "warning" => "warning",
                    _ => "notice",
                };
                let l = &d["location"];
                format!(
                    "::{command} file={},line={},col={},endLine={},endColumn={},title={} {}::",
                    l["path"]
                        .as_str()
                        .unwrap()
                        .replace(':', "%3A")
                        .replace(',', "%2C"),
                    l["start"]["line"],
                    l["start"]["column"],
                    l["end"]["line"],
                    l["end"]["column"],
                    d["code"].as_str().unwrap(),
                    d["name"].as_str().unwrap(),
                )
            })
            .collect();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), expected.len(), "{}", case.display());
        for (line, prefix) in lines.iter().zip(&expected) {
            assert!(line.starts_with(prefix), "{line}\n{prefix}");
        }
        checked += 1;
    }
    assert!(checked > 10);
}
