//! TP001 and TP002: files that cannot be read as a workflow.

use super::Context;
use crate::catalogue::{INVALID_WORKFLOW, INVALID_YAML};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::calls::Callee;

/// A local action's metadata file that a workflow uses, with where.
fn used_actions<'a>(
    context: &'a Context<'_>,
) -> impl Iterator<
    Item = (
        &'a crate::repository::LocalAction,
        crate::source::FileId,
        Option<Location>,
    ),
> + 'a {
    context
        .repo
        .locals
        .actions
        .iter()
        .enumerate()
        .filter_map(|(index, local)| {
            let used_at = context.facts.action_uses.get(index).copied().flatten();
            Some((local, local.file?, used_at))
        })
}

fn with_use(diagnostic: Diagnostic, used_at: Option<Location>) -> Diagnostic {
    match used_at {
        Some(location) => diagnostic.with_related(location, "the local action is used here"),
        None => diagnostic,
    }
}

pub(super) fn invalid_yaml(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (local, file, used_at) in used_actions(context) {
        if let Some(error) = &local.error {
            let path = &context.repo.sources.get(file).path;
            out.push(with_use(
                Diagnostic::new(
                    &INVALID_YAML,
                    Location::new(file, error.span),
                    format!("`{path}` cannot be read: {}", error.message),
                )
                .with_help("GitHub cannot run this action either; tplint treats the step that uses it as one it cannot see into"),
                used_at,
            ));
        }
    }
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

pub(super) fn invalid_workflow(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (local, file, used_at) in used_actions(context) {
        for problem in local.action.iter().flat_map(|a| &a.problems) {
            out.push(with_use(
                Diagnostic::new(
                    &INVALID_WORKFLOW,
                    Location::new(file, problem.span),
                    problem.message.clone(),
                ),
                used_at,
            ));
        }
    }
    for view in context.workflows() {
        for problem in &view.workflow.problems {
            out.push(Diagnostic::new(
                &INVALID_WORKFLOW,
                Location::new(view.file.file, problem.span),
                problem.message.clone(),
            ));
        }
    }
    let graph = &context.facts.calls;
    for (index, call) in graph.calls.iter().enumerate() {
        let file = context.repo.workflows[call.caller].file;
        let location = Location::new(file, call.span);
        match &call.callee {
            Callee::Missing(path) => out.push(
                Diagnostic::new(
                    &INVALID_WORKFLOW,
                    location,
                    format!("the called workflow `{path}` does not exist"),
                )
                .with_help(
                    "reusable workflows of this repository live directly in .github/workflows/",
                ),
            ),
            Callee::Local(target) if graph.cycles.contains(&index) => out.push(Diagnostic::new(
                &INVALID_WORKFLOW,
                location,
                format!(
                    "calling `{}` here forms a cycle of reusable workflows, which GitHub rejects",
                    context.repo.workflows[*target].name
                ),
            )),
            _ => {}
        }
    }
}
