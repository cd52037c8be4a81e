//! The `gitlab` fuzz target's driver, shared with `tests/robustness.rs`,
//! which replays the saved inputs of `tests/fuzz-regressions/gitlab/`.

use std::collections::BTreeMap;

use tplint::gitlab::{DEFAULT_PIPELINE_PATH, MemoryFiles};
use tplint::lint::{CheckOptions, check_loaded};
use tplint::repository::Repository;

/// The files of one input: `.gitlab-ci.yml`, then one per `#--- <name>` line.
pub fn files(text: &str) -> BTreeMap<String, String> {
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

/// Check the pipeline of one input; every diagnostic must point inside its
/// file, on character boundaries.
pub fn check(data: &[u8]) {
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
}
