//! Fuzzes the workflow model: any document the YAML layer accepts must
//! build into a model without panicking, and every problem it reports must
//! point inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::{workflow, yaml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = yaml::parse(text) else {
        return;
    };
    let model = workflow::build(text, &document);
    for problem in &model.problems {
        assert!(
            text.get(problem.span.range()).is_some(),
            "{problem:?} in {} bytes",
            text.len()
        );
    }
});
