//! TP001 and TP002: files that cannot be read as a workflow.

use super::{Context, rule};
use crate::diagnostic::{Diagnostic, Location};

rule!(
    INVALID_YAML,
    "TP001",
    "invalid-yaml",
    Error,
    "a workflow file is not valid YAML, not UTF-8, or exceeds a size, nesting or alias limit",
    Some(invalid_yaml)
);

rule!(
    INVALID_WORKFLOW,
    "TP002",
    "invalid-workflow",
    Error,
    "valid YAML that is not a usable workflow shape",
    Some(invalid_workflow)
);

fn invalid_yaml(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for file in &context.repo.workflows {
        if let Some(error) = &file.error {
            out.push(
                Diagnostic::new(
                    &INVALID_YAML,
                    Location::new(file.file, error.span),
                    format!("`{}` cannot be read: {}", file.name, error.message),
                )
                .with_help(
                    "GitHub will refuse this workflow too; the other workflows are still checked",
                ),
            );
        }
    }
}

fn invalid_workflow(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for problem in &view.workflow.problems {
            out.push(Diagnostic::new(
                &INVALID_WORKFLOW,
                Location::new(view.file.file, problem.span),
                problem.message.clone(),
            ));
        }
    }
}
