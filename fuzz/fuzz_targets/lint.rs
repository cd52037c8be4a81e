//! Fuzzes a whole check of one workflow file, held in memory, against a
//! declared publisher, then renders the report in every format. Every
//! diagnostic must point inside the file, on character boundaries; each fix
//! offered must leave a file that still parses (with the same values when
//! it edits only comments), and so must all of them made together.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::cli::Format;
use tplint::fix::apply::splice;
use tplint::fix::verify::{apply_vetted, same_values};
use tplint::fix::{Applicability, Reach};
use tplint::lint::{CheckOptions, check_source};
use tplint::render::Renderer;
use tplint::source::FileId;

const CONFIG: &str = r#"
[[publisher]]
owner = "octo-org"
repository = "octo-project"
workflow = "fuzz.yml"
environment = "pypi"

[[publisher]]
index = "testpypi"
owner = "octo-org"
repository = "octo-project"
workflow = "fuzz.yml"
"#;

fuzz_target!(|data: &[u8]| {
    let options = CheckOptions::default();
    let report = match check_source("fuzz.yml", data.to_vec(), Some(CONFIG), &options) {
        Ok(report) => report,
        Err(error) => panic!("the fixed configuration must load: {error}"),
    };
    for diagnostic in &report.diagnostics {
        let file = report.file(diagnostic);
        let span = diagnostic.location.span;
        assert!(
            span.start <= span.end && file.text.get(span.range()).is_some(),
            "{} at {span:?} in {} bytes",
            diagnostic.rule.code,
            file.text.len()
        );
    }
    // Every fix offered, made alone, leaves a file that parses (when it
    // parsed before), with the same values when it edits only comments;
    // all of them made by the engine, as `--fix --unsafe-fixes` makes
    // them, leave a file that parses.
    let parsed_before = |file: FileId| {
        tplint::yaml::parse(&report.repo.sources.get(file).text)
            .ok()
            .map(|document| document.root)
    };
    for fix in report.diagnostics.iter().filter_map(|d| d.fix.as_ref()) {
        if !fix.applies(Applicability::Unsafe) {
            continue;
        }
        let file = fix.edits[0].location.file;
        let Some(before) = parsed_before(file) else {
            continue;
        };
        let edits: Vec<_> = fix.edits.iter().collect();
        let text = splice(&report.repo.sources.get(file).text, &edits);
        let after = match tplint::yaml::parse(&text) {
            Ok(document) => document.root,
            Err(error) => panic!("a fix broke the file ({error}):\n{text}"),
        };
        if fix.reach == Reach::Comments {
            let same = match (&before, &after) {
                (Some(a), Some(b)) => same_values(a, b),
                (a, b) => a.is_none() && b.is_none(),
            };
            assert!(same, "a comment fix changed the values:\n{text}");
        }
    }
    let fixes = report.diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let applied = apply_vetted(&report.repo, fixes, Applicability::Unsafe);
    for (file, text) in &applied.files {
        if parsed_before(*file).is_some() {
            assert!(
                tplint::yaml::parse(text).is_ok(),
                "the fixes broke the file:\n{text}"
            );
        }
    }
    for format in [Format::Human, Format::Json, Format::Github] {
        let _ = Renderer::new(format, false, false).repo(&report);
    }
});
