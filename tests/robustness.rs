//! Property tests of the whole pipeline, run in memory: fixtures mutated in
//! the ways editors and attackers break files, and random YAML-like text,
//! never make tplint panic or stall, every diagnostic points inside its
//! file on character boundaries, and no fix offered breaks its file. A file
//! that is not YAML gets one `TP001`.

use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use tplint::cli::Format;
use tplint::fix::apply::splice;
use tplint::fix::verify::{apply_vetted, same_values};
use tplint::fix::{Applicability, Reach};
use tplint::lint::{CheckOptions, RepoReport, check_source};
use tplint::render::Renderer;

/// A publisher for the checked file, so that the publisher rules run too.
const CONFIG: &str = r#"
[[publisher]]
owner = "octo-org"
repository = "octo-project"
workflow = "release.yml"
environment = "pypi"
"#;

/// Text that breaks YAML in interesting places.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "*b",
    "&a [x, *a]",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    ":",
    ": ",
    "#",
    "# tplint: ignore[TP501]",
    "\t",
    "\0",
    "\r",
    "\r\n",
    "\n",
    "é",
    "😀",
    "\u{feff}",
    "\u{2028}",
    "- ",
    "? ",
    "|\n",
    ">-\n",
    "'",
    "\"",
    "\\",
    "${{ ",
    "}}",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "!!str ",
    "!custom ",
    "uses: a/b@v1",
    "run: twine upload -p x",
    "permissions: write-all",
    "id-token: write",
    "environment: ",
];

/// Every workflow of every fixture.
static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut seeds = Vec::new();
    for case in std::fs::read_dir(fixtures).unwrap() {
        let workflows = case.unwrap().path().join(".github/workflows");
        let Ok(entries) = std::fs::read_dir(workflows) else {
            continue;
        };
        for entry in entries {
            seeds.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
    seeds.sort();
    assert!(seeds.len() > 20, "fixtures not found");
    seeds
});

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(Index, u8),
    Truncate(Index),
    DuplicateLine(Index),
    DeleteLine(Index),
    /// Add (positive) or remove spaces at the start of a line.
    Indent(Index, i8),
    Insert(Index, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, bit)| Mutation::FlipBit(i, bit)),
        any::<Index>().prop_map(Mutation::Truncate),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        any::<Index>().prop_map(Mutation::DeleteLine),
        (any::<Index>(), -4..=4i8).prop_map(|(i, d)| Mutation::Indent(i, d)),
        (any::<Index>(), proptest::sample::select(TOKENS))
            .prop_map(|(i, token)| Mutation::Insert(i, token)),
    ]
}

/// Byte ranges of the lines, line breaks included.
fn lines(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        ranges.push(start..bytes.len());
    }
    ranges
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let lines = lines(&bytes);
    let line = |index: &Index| (!lines.is_empty()).then(|| lines[index.index(lines.len())].clone());
    match mutation {
        Mutation::FlipBit(at, bit) if !bytes.is_empty() => {
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Mutation::Truncate(at) => bytes.truncate(at.index(bytes.len() + 1)),
        Mutation::DuplicateLine(at) => {
            if let Some(range) = line(at) {
                let copy = bytes[range.clone()].to_vec();
                bytes.splice(range.start..range.start, copy);
            }
        }
        Mutation::DeleteLine(at) => {
            if let Some(range) = line(at) {
                bytes.drain(range);
            }
        }
        Mutation::Indent(at, delta) => {
            if let Some(range) = line(at) {
                if *delta >= 0 {
                    let spaces = vec![b' '; *delta as usize];
                    bytes.splice(range.start..range.start, spaces);
                } else {
                    let removable = bytes[range.clone()]
                        .iter()
                        .take_while(|&&b| b == b' ')
                        .count()
                        .min(delta.unsigned_abs() as usize);
                    bytes.drain(range.start..range.start + removable);
                }
            }
        }
        Mutation::Insert(at, token) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, token.bytes());
        }
        Mutation::FlipBit(..) => {}
    }
    bytes
}

/// Check `bytes` as `.github/workflows/release.yml` and verify the report.
fn check(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let report = check_source("release.yml", bytes, Some(CONFIG), &CheckOptions::default())
        .map_err(|e| TestCaseError::fail(format!("the configuration must load: {e}")))?;
    prop_assert!(started.elapsed() < Duration::from_secs(10), "too slow");
    let workflow = &report.repo.workflows[0];
    for diagnostic in &report.diagnostics {
        let spans = std::iter::once(&diagnostic.location)
            .chain(diagnostic.related.iter().map(|r| &r.location));
        for location in spans {
            let text = &report.repo.sources.get(location.file).text;
            let span = location.span;
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "{} {span:?} outside {} bytes",
                diagnostic.rule.code,
                text.len()
            );
            prop_assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{} {span:?} splits a character",
                diagnostic.rule.code
            );
        }
    }
    let tp001 = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "TP001")
        .count();
    prop_assert_eq!(tp001, usize::from(workflow.error.is_some()));
    prop_assert_eq!(workflow.workflow.is_some(), workflow.error.is_none());
    check_fixes(&report)?;
    for format in [Format::Human, Format::Json, Format::Github] {
        Renderer::new(format, false, false).repo(&report);
    }
    Ok(())
}

/// As the `lint` fuzz target: each fix offered, made alone, leaves a file
/// that parses (when it parsed before), with the same values when it edits
/// only comments; all of them made by the engine leave a file that parses.
fn check_fixes(report: &RepoReport) -> Result<(), TestCaseError> {
    let root = |text: &str| tplint::yaml::parse(text).ok().map(|d| d.root);
    for fix in report.diagnostics.iter().filter_map(|d| d.fix.as_ref()) {
        if !fix.applies(Applicability::Unsafe) {
            continue;
        }
        let file = fix.edits[0].location.file;
        let text = &report.repo.sources.get(file).text;
        let Some(before) = root(text) else {
            continue;
        };
        let fixed = splice(text, &fix.edits.iter().collect::<Vec<_>>());
        let after = root(&fixed);
        prop_assert!(
            after.is_some(),
            "{:?} broke the file:\n{fixed}",
            fix.message
        );
        if fix.reach == Reach::Comments {
            let same = match (&before, after.as_ref().and_then(Option::as_ref)) {
                (Some(a), Some(b)) => same_values(a, b),
                (a, b) => a.is_none() && b.is_none(),
            };
            prop_assert!(same, "{:?} changed the values:\n{fixed}", fix.message);
        }
    }
    let fixes = report.diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let applied = apply_vetted(&report.repo, fixes, Applicability::Unsafe);
    for (file, fixed) in &applied.files {
        if root(&report.repo.sources.get(*file).text).is_some() {
            prop_assert!(root(fixed).is_some(), "the fixes broke the file:\n{fixed}");
        }
    }
    Ok(())
}

/// One line of YAML-like text.
fn yaml_like_line() -> impl Strategy<Value = String> {
    let words = proptest::sample::select(vec![
        "on",
        "jobs",
        "steps",
        "uses",
        "run",
        "with",
        "env",
        "permissions",
        "id-token",
        "write",
        "environment",
        "runs-on",
        "needs",
        "password",
        "pypa/gh-action-pypi-publish@release/v1",
        "actions/checkout@v4",
        "uv publish",
        "${{ secrets.X }}",
        "x",
        "é",
        "",
    ]);
    let punctuation = proptest::sample::select(vec![
        ": ", ":", "- ", "[", "]", "{", "}", ", ", "&a ", "*a", " # c", "|", ">", "'", "\"", "\t",
        "? ", "",
    ]);
    (
        0..10usize,
        proptest::collection::vec((words, punctuation), 0..6),
    )
        .prop_map(|(indent, parts)| {
            let mut line = " ".repeat(indent);
            for (word, punctuation) in parts {
                line.push_str(word);
                line.push_str(punctuation);
            }
            line.push('\n');
            line
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures(seed in any::<Index>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = SEEDS[seed.index(SEEDS.len())].clone();
        for m in &mutations {
            bytes = apply(bytes, m);
        }
        check(bytes)?;
    }

    #[test]
    fn yaml_like_text(lines in proptest::collection::vec(yaml_like_line(), 0..40)) {
        check(lines.concat().into_bytes())?;
    }

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(bytes)?;
    }

    #[test]
    fn task_readers_keep_lines_in_their_file(
        selector in any::<u8>(),
        text in "(task|namespace|do|end|sh|:|release|publish|\\[|\\]|=>|%w|\"|'|`|\\(|\\)|\\{|\\}|#|<#|#>|\n|\t| |é|😀|a-z|execSync|spawn|system|subprocess.run|cwd|,|\\$|/|\\*){0,60}",
    ) {
        let mut bytes = vec![selector];
        bytes.extend_from_slice(text.as_bytes());
        tasks_session::check(&bytes);
    }

    #[test]
    fn shell_commands_start_on_character_boundaries(script in "[a-z =&|;'\"#$\\\\{}\n\té😀]{0,80}") {
        for command in tplint::facts::shell::commands(&script) {
            prop_assert!(script.is_char_boundary(command.offset));
            prop_assert!(!command.words.is_empty());
        }
    }
}

/// The `gitlab`, `server` and `tasks` fuzz targets' drivers, the same
/// code the targets run.
#[path = "../fuzz/fuzz_targets/gitlab_session.rs"]
mod gitlab_session;
#[path = "../fuzz/fuzz_targets/server_session.rs"]
mod server_session;
#[path = "../fuzz/fuzz_targets/tasks_session.rs"]
mod tasks_session;

/// Inputs that once broke a fuzz target (see `fuzz/README.md`), and inputs
/// kept from the corpora of the targets, replayed through the same entry
/// points: `tests/fuzz-regressions/<target>/*`.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut replayed = 0;
    for target in [
        "yaml", "workflow", "config", "lint", "shell", "tasks", "gitlab", "server",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            match target {
                // The whole check runs the YAML layer and the model too.
                "yaml" | "workflow" | "lint" => {
                    if let Err(error) = check(bytes) {
                        panic!("{}: {error}", path.display());
                    }
                }
                "config" => {
                    let Some((selector, text)) = bytes.split_first() else {
                        continue;
                    };
                    let name = if selector % 2 == 1 {
                        "pyproject.toml"
                    } else {
                        "tplint.toml"
                    };
                    let text = String::from_utf8_lossy(text).into_owned();
                    let mut sources = tplint::source::SourceMap::default();
                    let _ = tplint::config::parse_text(name, text, &mut sources);
                }
                "tasks" => tasks_session::check(&bytes),
                "gitlab" => gitlab_session::check(&bytes),
                "server" => server_session::session(&bytes),
                _ => {
                    let script = String::from_utf8_lossy(&bytes);
                    for command in tplint::facts::shell::commands(&script) {
                        assert!(
                            script.is_char_boundary(command.offset),
                            "{}",
                            path.display()
                        );
                    }
                }
            }
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no regression inputs found in {}",
        root.display()
    );
}
