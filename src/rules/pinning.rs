//! TP5xx: references to third-party code that can change under the
//! workflow or pipeline. TP501 is written once over the view of
//! [`crate::facts::ci_view`]; TP502 and TP503 read GitHub's `uses:`.

use super::Context;
use crate::catalogue::{PIN_WITHOUT_VERSION_COMMENT, PUBLISH_ACTION_MASTER, UNPINNED_ACTION};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::ci_view::github::every_uses;
use crate::facts::ci_view::unpinned_references;
use crate::facts::publish::PYPI_PUBLISH_ACTION;
use crate::workflow::UsesTarget;
use crate::workflow::uses::{is_commit_sha, mentions_version};

/// Note where a local action is used, for a finding inside it.
fn used_here(diagnostic: Diagnostic, used_at: Option<Location>) -> Diagnostic {
    match used_at {
        Some(location) => diagnostic.with_related(location, "the local action is used here"),
        None => diagnostic,
    }
}

pub(super) fn pin_without_version_comment(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, uses, used_at) in every_uses(context.repo, context.facts) {
        {
            let UsesTarget::Remote {
                owner,
                repo,
                path,
                git_ref,
                ref_span,
                ..
            } = &uses.target
            else {
                continue;
            };
            if !is_commit_sha(git_ref) {
                continue;
            }
            if uses
                .comment
                .as_ref()
                .is_some_and(|c| mentions_version(&c.value))
            {
                continue;
            }
            let full = format!(
                "{owner}/{repo}{}",
                path.as_deref().map(|p| format!("/{p}")).unwrap_or_default()
            );
            let message = match &uses.comment {
                None => format!(
                    "`{full}` is pinned to a commit SHA without a comment naming its version"
                ),
                Some(c) => format!(
                    "`{full}` is pinned to a commit SHA, but its comment `# {}` names no version",
                    c.value
                ),
            };
            let resolved = context
                .online
                .and_then(|online| online.resolution(owner, repo, git_ref));
            let fix = match resolved {
                Some(resolution) => crate::fix::workflow::add_version_comment(
                    file,
                    &context.repo.sources.get(file).text,
                    uses,
                    &resolution.comment,
                ),
                None => None,
            }
            .unwrap_or_else(|| {
                crate::fix::Fix::display_only(
                    "add the release tag of this commit as a comment (`--online` looks it up)",
                )
            });
            out.push(used_here(
                Diagnostic::new(&PIN_WITHOUT_VERSION_COMMENT, Location::new(file, *ref_span), message)
                    .with_help(
                        "add the release tag this commit is as a comment after it, e.g. `# v1.2.3`, so readers and Dependabot/Renovate can tell which release it is",
                    )
                    .with_fix(fix),
                used_at,
            ));
        }
    }
}

pub(super) fn publish_action_master(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        let steps = view.workflow.jobs.iter().flat_map(|j| &j.steps);
        for uses in steps.filter_map(|s| s.uses.as_ref()) {
            let UsesTarget::Remote {
                git_ref, ref_span, ..
            } = &uses.target
            else {
                continue;
            };
            if !uses.target.is_action(PYPI_PUBLISH_ACTION) || git_ref != "master" {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &PUBLISH_ACTION_MASTER,
                    Location::new(view.file.file, *ref_span),
                    "`pypa/gh-action-pypi-publish@master` is sunset: it gets no fixes and cannot do trusted publishing",
                )
                .with_help(
                    "use a release instead, pinned by SHA: `pypa/gh-action-pypi-publish@<sha> # v1.x.y` (or `@release/v1`)",
                )
                .with_fix(crate::fix::workflow::publish_action_release_branch(
                    view.file.file,
                    &context.repo.sources.get(view.file.file).text,
                    *ref_span,
                )),
            );
        }
    }
}

/// TP501, written once over [`UnpinnedReference`](crate::facts::ci_view::UnpinnedReference)s:
/// code or configuration run with a publish that can be moved to other
/// code. A GitHub `uses:` gets a fix that pins its commit (looked up with
/// `--online`).
pub(super) fn unpinned_action(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for unpinned in unpinned_references(context.repo, context.facts) {
        let mut diagnostic = unpinned.finding.diagnostic(&UNPINNED_ACTION);
        if let Some(severity) = unpinned.severity {
            diagnostic = diagnostic.with_severity(severity);
        }
        if let Some(pin) = &unpinned.pin {
            let resolved = context
                .online
                .and_then(|online| online.resolution(pin.owner, pin.repo, pin.git_ref));
            let fix = resolved
                .and_then(|resolution| {
                    crate::fix::workflow::pin_to_commit(
                        pin.file,
                        &context.repo.sources.get(pin.file).text,
                        pin.uses,
                        pin.ref_span,
                        resolution,
                    )
                })
                .unwrap_or_else(|| {
                    crate::fix::Fix::display_only(format!(
                        "pin `@{}` to its commit SHA with `# {}` as a comment (`--online` looks it up)",
                        pin.git_ref, pin.git_ref
                    ))
                });
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use crate::workflow::uses::mentions_version;

    #[test]
    fn version_comments() {
        for comment in [
            "v4.2.2",
            "v4",
            "4.2.2",
            "tag=v4.1.0",
            "release/v1",
            "pin @v4.2.2",
            "ratchet:actions/checkout@v4",
            "v1.12.4 (2025-01-01)",
            "main",
            "V2",
            "v4.0.0-rc.1",
        ] {
            assert!(mentions_version(comment), "{comment}");
        }
        for comment in [
            "",
            "pinned",
            "tplint: ignore[TP501]",
            "latest release",
            "TODO",
        ] {
            assert!(!mentions_version(comment), "{comment}");
        }
    }
}
