//! TP5xx: references to third-party code that can change under the workflow.

use super::{Context, rule};
use crate::diagnostic::{Diagnostic, Location};
use crate::workflow::uses::is_commit_sha;
use crate::workflow::{Uses, UsesTarget};

rule!(
    UNPINNED_ACTION,
    "TP501",
    "unpinned-action",
    Warning,
    "a remote action, reusable workflow or Docker image is not pinned to an immutable commit SHA or digest",
    Some(unpinned_action)
);

/// Every `uses:` of a workflow: steps and reusable-workflow calls.
pub fn all_uses(workflow: &crate::workflow::Workflow) -> impl Iterator<Item = &Uses> {
    workflow.jobs.iter().flat_map(|job| {
        job.call
            .as_ref()
            .map(|c| &c.uses)
            .into_iter()
            .chain(job.steps.iter().filter_map(|s| s.uses.as_ref()))
    })
}

fn unpinned_action(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for uses in all_uses(view.workflow) {
            let file = view.file.file;
            match &uses.target {
                UsesTarget::Remote {
                    owner,
                    repo,
                    path,
                    git_ref,
                    ref_span,
                } if !is_commit_sha(git_ref) => {
                    let what = if path.as_deref().is_some_and(|p| p.starts_with(".github/workflows/")) {
                        "reusable workflow"
                    } else {
                        "action"
                    };
                    let short_sha = git_ref.len() >= 7
                        && git_ref.len() < 40
                        && git_ref.bytes().all(|b| b.is_ascii_hexdigit());
                    let message = if short_sha {
                        format!(
                            "{what} `{owner}/{repo}` is pinned to the short SHA `{git_ref}`, which is not an immutable reference"
                        )
                    } else {
                        format!(
                            "{what} `{owner}/{repo}` is referenced by `@{git_ref}`, a tag or branch that can be moved to other code"
                        )
                    };
                    out.push(
                        Diagnostic::new(&UNPINNED_ACTION, Location::new(file, *ref_span), message)
                            .with_help(format!(
                                "pin the full 40-character commit SHA and keep the version as a comment: `{owner}/{repo}{}@<sha> # {git_ref}`",
                                path.as_deref().map(|p| format!("/{p}")).unwrap_or_default()
                            )),
                    );
                }
                UsesTarget::Docker { image, digest: None } => out.push(
                    Diagnostic::new(
                        &UNPINNED_ACTION,
                        Location::new(file, uses.raw.span),
                        format!("Docker image `{image}` is not pinned by digest, so its tag can be moved"),
                    )
                    .with_help(format!("pin the image digest: `docker://{image}@sha256:<digest>`")),
                ),
                _ => {}
            }
        }
    }
}
