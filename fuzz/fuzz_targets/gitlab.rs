//! Fuzzes the GitLab CI/CD model: a pipeline and the local files it
//! includes, held in memory, through `spec: inputs` interpolation,
//! includes with `inputs:`, `extends:`, `!reference` and `default:`, then
//! the facts and every rule. The input is split into files at lines
//! `#--- <name>`; the first part is `.gitlab-ci.yml`. Every diagnostic
//! must point inside its file, on character boundaries.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use tplint::gitlab::{DEFAULT_PIPELINE_PATH, MemoryFiles};
use tplint::lint::{CheckOptions, check_loaded};
use tplint::repository::Repository;

/// The files of one input: `.gitlab-ci.yml`, then one per `#--- <name>` line.
fn files(text: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut name = DEFAULT_PIPELINE_PATH.to_string();
    let mut body = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(next) = line.strip_prefix("#--- ") {
            files.insert(std::mem::take(&mut name), std::mem::take(&mut body));
            name = next.trim().trim_start_matches('/').to_string();
            continue;
        }
        body.push_str(line);
    }
    files.insert(name, body);
    files
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let repo = Repository::in_memory_gitlab(MemoryFiles(files(&text)), DEFAULT_PIPELINE_PATH);
    let report = check_loaded(repo, String::new(), &CheckOptions::default());
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
});
