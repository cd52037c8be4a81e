//! TP5xx: references to third-party code that can change under the workflow.

use super::Context;
use crate::catalogue::{PIN_WITHOUT_VERSION_COMMENT, PUBLISH_ACTION_MASTER, UNPINNED_ACTION};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::publish::PYPI_PUBLISH_ACTION;
use crate::workflow::uses::{is_commit_sha, mentions_version};
use crate::workflow::{Uses, UsesTarget};

/// Every `uses:` tplint reads, with its file and, for a local action, the
/// `uses:` of the workflow that runs it: the workflows' own, then those of
/// the local actions they use.
pub fn every_uses<'a>(
    context: &'a Context<'_>,
) -> impl Iterator<Item = (crate::source::FileId, &'a Uses, Option<Location>)> + 'a {
    let workflows = context.workflows().flat_map(|view| {
        view.workflow
            .all_uses()
            .map(move |uses| (view.file.file, uses, None))
    });
    let actions = context
        .repo
        .locals
        .actions
        .iter()
        .enumerate()
        .filter_map(|(index, local)| Some((index, local.file?, local.action.as_ref()?)))
        .flat_map(move |(index, file, action)| {
            let used_at = context.facts.action_uses.get(index).copied().flatten();
            action
                .steps
                .iter()
                .filter_map(|s| s.uses.as_ref())
                .map(move |uses| (file, uses, used_at))
        });
    workflows.chain(actions)
}

/// Note where a local action is used, for a finding inside it.
fn used_here(diagnostic: Diagnostic, used_at: Option<Location>) -> Diagnostic {
    match used_at {
        Some(location) => diagnostic.with_related(location, "the local action is used here"),
        None => diagnostic,
    }
}

pub(super) fn pin_without_version_comment(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, uses, used_at) in every_uses(context) {
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

/// Reusable workflows that verify their own ref and refuse to run unless
/// called by a full `vX.Y.Z` release tag, so a SHA pin would break them.
const TAG_PINNED_BY_DESIGN: &[&str] = &["slsa-framework/slsa-github-generator"];

fn pinned_by_tag_by_design(owner: &str, repo: &str, git_ref: &str) -> bool {
    let slug = format!("{owner}/{repo}").to_ascii_lowercase();
    let full_tag = git_ref.strip_prefix('v').is_some_and(|v| {
        let parts: Vec<&str> = v.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    full_tag && TAG_PINNED_BY_DESIGN.contains(&slug.as_str())
}

pub(super) fn unpinned_action(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (file, uses, used_at) in every_uses(context) {
        {
            let mut push = |d: Diagnostic| out.push(used_here(d, used_at));
            match &uses.target {
                UsesTarget::Remote {
                    owner,
                    repo,
                    path,
                    git_ref,
                    ref_span,
                    ..
                } if !is_commit_sha(git_ref) && !pinned_by_tag_by_design(owner, repo, git_ref) => {
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
                    let resolved = context
                        .online
                        .and_then(|online| online.resolution(owner, repo, git_ref));
                    let fix = resolved
                        .and_then(|resolution| {
                            crate::fix::workflow::pin_to_commit(
                                file,
                                &context.repo.sources.get(file).text,
                                uses,
                                *ref_span,
                                resolution,
                            )
                        })
                        .unwrap_or_else(|| {
                            crate::fix::Fix::display_only(format!(
                                "pin `@{git_ref}` to its commit SHA with `# {git_ref}` as a comment (`--online` looks it up)"
                            ))
                        });
                    push(
                        Diagnostic::new(&UNPINNED_ACTION, Location::new(file, *ref_span), message)
                            .with_help(format!(
                                "pin the full 40-character commit SHA and keep the version as a comment: `{owner}/{repo}{}@<sha> # {git_ref}`",
                                path.as_deref().map(|p| format!("/{p}")).unwrap_or_default()
                            ))
                            .with_fix(fix),
                    );
                }
                UsesTarget::Docker { image, digest: None } => push(
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
