//! TP001 and TP002: files that cannot be read as a workflow, a local action
//! or a pipeline, written once over the [CI-neutral
//! view](crate::facts::ci_view) each front end fills.

use super::Context;
use crate::catalogue::{INVALID_WORKFLOW, INVALID_YAML};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::ci_view::{invalid_files, unreadable_files};

pub(super) fn invalid_yaml(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for problem in unreadable_files(context.repo, context.facts) {
        out.push(problem.finding.diagnostic(&INVALID_YAML));
    }
}

pub(super) fn invalid_workflow(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for problem in invalid_files(context.repo, context.facts) {
        let diagnostic = problem.finding.diagnostic(&INVALID_WORKFLOW);
        out.push(if problem.unsure {
            // Configuration tplint does not read may define what is missing.
            diagnostic.with_severity(Severity::Info)
        } else {
            diagnostic
        });
    }
}
