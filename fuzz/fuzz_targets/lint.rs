//! Fuzzes a whole check of one workflow file, held in memory, against a
//! declared publisher, then renders the report in every format. Every
//! diagnostic must point inside the file, on character boundaries, and its
//! fixes must leave a file that still parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::cli::Format;
use tplint::fix::Applicability;
use tplint::lint::{CheckOptions, check_source};
use tplint::render::Renderer;

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
    // Every fix edits inside its file, and applying them all leaves a
    // file that parses (when it parsed before).
    let fixes = report.diagnostics.iter().filter_map(|d| d.fix.as_ref());
    let applied = tplint::fix::apply::apply(&report.repo.sources, fixes, Applicability::Unsafe);
    for (file, text) in &applied.files {
        let before = &report.repo.sources.get(*file).text;
        if tplint::yaml::parse(before).is_ok() {
            assert!(tplint::yaml::parse(text).is_ok(), "a fix broke the file:\n{text}");
        }
    }
    for format in [Format::Human, Format::Json, Format::Github] {
        let _ = Renderer::new(format, false, false).repo(&report);
    }
});
