//! Every rule has its documentation, in the layout `tplint explain` prints,
//! and every documentation file belongs to a rule.

use std::path::Path;

use tplint::catalogue::RULES;

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why it matters",
    "## Example",
    "## Fix",
    "## References",
];

#[test]
fn every_rule_has_a_complete_doc() {
    for rule in RULES {
        let title = format!("# {} {}", rule.code, rule.name);
        assert!(
            rule.doc.starts_with(&title),
            "{} does not start with `{title}`",
            rule.doc_file()
        );
        let mut last = 0;
        for section in SECTIONS {
            let at = rule
                .doc
                .find(section)
                .unwrap_or_else(|| panic!("{} lacks `{section}`", rule.doc_file()));
            assert!(at > last, "{}: `{section}` out of order", rule.doc_file());
            last = at;
        }
        assert!(
            rule.doc
                .contains(&format!("**Severity:** {}", rule.severity)),
            "{} does not state its default severity",
            rule.doc_file()
        );
        assert!(rule.doc.contains("```yaml") || rule.doc.contains("```toml"));
    }
}

#[test]
fn every_doc_file_names_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            RULES.iter().any(|r| r.doc_file() == name),
            "rules/{name} documents no registered rule"
        );
    }
}

#[test]
fn codes_and_names_are_unique_and_sorted() {
    for pair in RULES.windows(2) {
        assert!(
            pair[0].code < pair[1].code,
            "{} then {}",
            pair[0].code,
            pair[1].code
        );
    }
    let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), RULES.len());
}

/// The "Fix" section says whether `tplint check --fix` fixes, in the same
/// words as the fix table: `none` exactly for the rules without fixes.
#[test]
fn every_doc_says_whether_and_how_the_rule_fixes() {
    use tplint::fix::{FixAvailability, availability};
    for rule in RULES {
        let fix = rule
            .doc
            .split("## Fix")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or_else(|| panic!("{} has no Fix section", rule.doc_file()));
        let statement = fix
            .split("**Automatic fix:** ")
            .nth(1)
            .unwrap_or_else(|| panic!("{} does not say whether it fixes", rule.doc_file()));
        let says_none = statement.starts_with("none");
        match availability(rule) {
            FixAvailability::None => assert!(says_none, "{} fixes nothing", rule.code),
            _ => {
                assert!(!says_none, "{} has fixes", rule.code);
                assert!(
                    ["safe", "unsafe", "display-only"]
                        .iter()
                        .any(|word| statement.starts_with(word)),
                    "{}: name the applicability first",
                    rule.code
                );
            }
        }
    }
}
