//! The command line: exit codes, formats, configuration lookup and errors.

mod common;

use std::path::Path;

use common::{check_json, fixture, fixture_copy, tplint};
use predicates::prelude::*;
use tempfile::TempDir;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn seed_example_reports_and_exits_one() {
    tplint()
        .args(["check", "--color", "never"])
        .arg(fixture("seed-example"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("TP104 environment-mismatch"))
        .stdout(predicate::str::contains("TP501 unpinned-action"))
        .stdout(predicate::str::contains("help:"))
        .stdout(predicate::str::contains("Found 1 error, 4 warnings"));
}

#[test]
fn check_is_the_default_command() {
    tplint()
        .arg(fixture("seed-example"))
        .args(["--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"version\": 1"));
}

#[test]
fn json_points_at_the_exact_values() {
    let repo = fixture_copy(&fixture("seed-example"));
    let json = check_json(repo.path(), &[]);
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "tplint");
    assert_eq!(json["summary"]["files"], 1);
    let source =
        std::fs::read_to_string(repo.path().join(".github/workflows/release.yml")).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    for d in diagnostics {
        let start = d["location"]["start"]["offset"].as_u64().unwrap() as usize;
        let end = d["location"]["end"]["offset"].as_u64().unwrap() as usize;
        let text = &source[start..end];
        match d["code"].as_str().unwrap() {
            "TP501" => assert!(text.starts_with('@'), "{text}"),
            "TP104" => {
                assert_eq!(text, "pypi-publish");
                assert_eq!(d["location"]["start"]["line"], 34);
                assert_eq!(d["location"]["start"]["column"], 3);
                assert_eq!(d["location"]["end"]["column"], 15);
                let related = &d["related"][0]["location"];
                assert_eq!(related["path"], "tplint.toml");
                assert_eq!(related["start"]["line"], 6);
                assert_eq!(d["severity"], "error");
                assert!(d["help"].as_str().unwrap().contains("environment: release"));
            }
            "TP502" => {
                assert!(text.starts_with('@'), "{text}");
                assert_eq!(d["location"]["start"]["line"], 50);
                assert_eq!(d["severity"], "info");
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn columns_count_code_points() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "name: \"Ünïcödé ✓\"\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - {name: \"é\", uses: actions/checkout@v4}\n",
    );
    let json = check_json(dir.path(), &[]);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "TP501");
    let line = "      - {name: \"é\", uses: actions/checkout@v4}";
    let byte_col = line.find("@v4").unwrap();
    let char_col = line[..byte_col].chars().count() + 1;
    assert_eq!(d["location"]["start"]["column"], char_col as u64);
    assert_ne!(char_col, byte_col + 1);
}

#[test]
fn fail_on_sets_the_threshold() {
    let seed = fixture("seed-example");
    tplint()
        .arg("check")
        .arg(&seed)
        .args(["--fail-on", "never"])
        .assert()
        .code(0);
    tplint()
        .arg("check")
        .arg(&seed)
        .args(["--fail-on", "error"])
        .assert()
        .code(1);
    tplint()
        .arg("check")
        .arg(&seed)
        .args(["--fail-on", "error", "--ignore", "TP104"])
        .assert()
        .code(0);
    let clean = fixture_copy(&fixture("clean-release"));
    tplint()
        .arg("check")
        .arg(clean.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "No problems found in 1 workflow file.",
        ));
}

#[test]
fn quiet_drops_the_summary() {
    let clean = fixture_copy(&fixture("clean-release"));
    tplint()
        .arg("check")
        .arg(clean.path())
        .arg("-q")
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
}

#[test]
fn select_and_ignore_accept_codes_and_names() {
    let seed = fixture("seed-example");
    let json = check_json(&seed, &["--select", "environment-mismatch"]);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
    let json = check_json(
        &seed,
        &["--ignore", "TP501,tp104,pin-without-version-comment"],
    );
    assert!(json["diagnostics"].as_array().unwrap().is_empty());
    tplint()
        .arg("check")
        .arg(&seed)
        .args(["--select", "TP999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `TP999`"));
}

#[test]
fn explain_and_rules() {
    tplint()
        .args(["explain", "TP104"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# TP104 environment-mismatch"))
        .stdout(predicate::str::contains("## Fix"));
    tplint()
        .args(["explain", "unpinned-action"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# TP501"));
    tplint().args(["explain", "TP9"]).assert().code(2);
    let output = tplint().arg("rules").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    for rule in tplint::catalogue::RULES {
        assert!(text.contains(rule.code) && text.contains(rule.name));
    }
}

#[test]
fn missing_path_exits_two() {
    tplint()
        .args(["check", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/definitely/not/here"));
}

#[test]
fn unknown_config_key_is_located() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "tplint.toml",
        "[[publisher]]\nowner = \"myorg\"\nrepository = \"p\"\nworkflow = \"release.yml\"\nenviroment = \"pypi\"\n",
    );
    tplint()
        .arg("check")
        .arg(dir.path())
        .args(["--color", "never"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `enviroment`"))
        .stderr(predicate::str::contains("tplint.toml:5:1"));
}

#[test]
fn bad_config_values_exit_two() {
    for (text, expected) in [
        ("[lint]\nfail-on = \"sometimes\"\n", "fail-on"),
        ("[lint]\nignore = [\"TP999\"]\n", "unknown rule `TP999`"),
        (
            "[lint.severity]\nTP501 = \"fatal\"\n",
            "invalid severity for TP501",
        ),
        (
            "[lint.severity]\nTP777 = \"error\"\n",
            "unknown rule `TP777`",
        ),
        ("[[publisher]]\nowner = \"o\"\n", "missing field"),
        ("[[publisher]\n", "invalid configuration"),
    ] {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "tplint.toml", text);
        tplint()
            .arg("check")
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
}

#[test]
fn config_lookup_order_and_pyproject() {
    let workflow =
        std::fs::read_to_string(fixture("seed-example/.github/workflows/release.yml")).unwrap();
    let publisher = "owner = \"myorg\"\nrepository = \"myproject\"\nworkflow = \"release.yml\"\n";
    // pyproject.toml [tool.tplint]
    let dir = TempDir::new().unwrap();
    write(dir.path(), ".github/workflows/release.yml", &workflow);
    write(
        dir.path(),
        "pyproject.toml",
        &format!(
            "[project]\nname = \"myproject\"\n\n[tool.ruff]\nline-length = 100\n\n[[tool.tplint.publisher]]\n{publisher}environment = \"pypi\"\n\n[tool.tplint.lint]\nignore = [\"TP501\", \"TP502\"]\n"
        ),
    );
    let json = check_json(dir.path(), &[]);
    let d = &json["diagnostics"][0];
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(d["code"], "TP104");
    assert_eq!(d["related"][0]["location"]["path"], "pyproject.toml");
    // .github/tplint.toml wins over pyproject.toml
    write(
        dir.path(),
        ".github/tplint.toml",
        &format!(
            "[[publisher]]\n{publisher}\n[lint]\nignore = [\"TP501\", \"TP502\", \"TP401\"]\n"
        ),
    );
    let json = check_json(dir.path(), &[]);
    assert!(json["diagnostics"].as_array().unwrap().is_empty(), "{json}");
    // --config FILE wins over everything
    write(
        dir.path(),
        "other.toml",
        &format!("[[publisher]]\n{publisher}environment = \"x\"\n"),
    );
    let json = check_json(
        dir.path(),
        &[
            "--config",
            dir.path().join("other.toml").to_str().unwrap(),
            "--select",
            "TP104",
        ],
    );
    assert_eq!(json["diagnostics"][0]["code"], "TP104");
    tplint()
        .arg("check")
        .arg(dir.path())
        .args(["--config", "/nope/tplint.toml"])
        .assert()
        .code(2);
}

#[test]
fn publisher_flags_replace_the_config() {
    let json = check_json(
        &fixture("seed-example"),
        &[
            "--owner",
            "myorg",
            "--repository",
            "myproject",
            "--workflow",
            "publish.yml",
            "--select",
            "TP101",
        ],
    );
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "TP101");
    assert_eq!(d["location"]["path"], "<command line>");
    assert!(d["help"].as_str().unwrap().contains("release.yml"));
    tplint()
        .arg("check")
        .arg(fixture("seed-example"))
        .args(["--workflow", "release.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--owner, --repository"));
}

#[test]
fn github_format_is_one_command_per_diagnostic() {
    let output = tplint()
        .arg("check")
        .arg(fixture("seed-example"))
        .args(["--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().any(|l| {
        l.starts_with("::notice file=.github/workflows/release.yml,line=50,")
            && l.contains("title=TP502 pin-without-version-comment::")
    }));
    assert!(lines.iter().any(|l| l.starts_with(
        "::error file=.github/workflows/release.yml,line=34,col=3,endLine=34,endColumn=15,title=TP104 environment-mismatch::"
    )));
    assert!(lines.iter().all(|l| !l.contains('\r')));
}

#[test]
fn several_repositories_prefix_their_paths() {
    let a = fixture("seed-example");
    let b = fixture("tp501-unpinned-action");
    let output = tplint()
        .arg("check")
        .arg(&a)
        .arg(&b)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let paths: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"]["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("{}/", a.display())))
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("{}/", b.display())))
    );
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn never_modifies_the_files_it_reads() {
    let repo = fixture_copy(&fixture("seed-example"));
    let before = std::fs::read(repo.path().join(".github/workflows/release.yml")).unwrap();
    let config_before = std::fs::read(repo.path().join("tplint.toml")).unwrap();
    tplint().arg("check").arg(repo.path()).assert().code(1);
    assert_eq!(
        before,
        std::fs::read(repo.path().join(".github/workflows/release.yml")).unwrap()
    );
    assert_eq!(
        config_before,
        std::fs::read(repo.path().join("tplint.toml")).unwrap()
    );
}

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = tplint().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for word in ["suggest", "explain", "fail-on", "github-api-url"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    tplint()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn bash_completion_is_valid_bash() {
    let dir = TempDir::new().unwrap();
    let output = tplint().args(["completions", "bash"]).output().unwrap();
    let script = dir.path().join("tplint.bash");
    std::fs::write(&script, &output.stdout).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn manpage_documents_the_commands_and_options() {
    let output = tplint().arg("manpage").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    let title = format!(".TH tplint 1  \"tplint {}\"", env!("CARGO_PKG_VERSION"));
    assert!(page.contains(&title), "{page}");
    for word in [
        "SUBCOMMANDS",
        "suggest",
        "completions",
        "fail\\-on",
        "online",
    ] {
        assert!(page.contains(word), "the manual page lacks {word}");
    }
}

/// A pub.dev publisher on the command line: `--tag-pattern` instead of
/// `--workflow`, checked like a declared one.
#[test]
fn pub_dev_publisher_flags() {
    let repo = common::fixture_copy(&common::fixture("pub-dev-clean"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    let flags = [
        "--registry",
        "pub.dev",
        "--owner",
        "myorg",
        "--repository",
        "my_package",
        "--environment",
        "pub.dev",
    ];
    common::tplint()
        .args(["check", "--fail-on", "info"])
        .args(flags)
        .args(["--tag-pattern", "v{{version}}"])
        .arg(repo.path())
        .assert()
        .success();
    // A pattern the workflow's tag filter cannot match: TP111.
    common::tplint()
        .args(["check", "--format", "json"])
        .args(flags)
        .args(["--tag-pattern", "release-{{version}}"])
        .arg(repo.path())
        .assert()
        .code(1)
        .stdout(predicates::str::contains("\"TP111\""));
    // pub.dev needs a tag pattern.
    common::tplint()
        .arg("check")
        .args(flags)
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--tag-pattern"));
}

#[test]
fn messages_name_the_command_as_written() {
    // `pn publish` (pnpm 11's short name) is named so, not `pnpm publish`.
    let repo = fixture_copy(&fixture("pnpm-pn-short-name"));
    let json = check_json(repo.path(), &[]);
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| matches!(d["code"].as_str(), Some("TP303" | "TP307")))
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().all(|m| m.starts_with("`pn publish` ")),
        "{messages:?}"
    );
    // `dotnet nuget push` is named so, nuget.exe's `nuget push` too.
    let repo = fixture_copy(&fixture("nuget-push-named-as-written"));
    let json = check_json(repo.path(), &[]);
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TP303")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("`dotnet nuget push` "),
        "{messages:?}"
    );
    assert!(messages[1].starts_with("`nuget push` "), "{messages:?}");
}
