//! Fuzzes a whole check of one workflow file, held in memory, against a
//! declared publisher, then renders the report in every format. Every
//! diagnostic must point inside the file, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::cli::Format;
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
    for format in [Format::Human, Format::Json, Format::Github] {
        let _ = Renderer::new(format, false, false).repo(&report);
    }
});
