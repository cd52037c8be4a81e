//! Rules that need the GitHub API (`--online`): environment protection
//! (TP403, TP404), pinned commits and their version comments (TP504, TP505),
//! and the warning that says which of these checks, or of the checks
//! against PyPI's record (`record`), could not be made (TP400).

use super::Context;
use crate::catalogue::{
    ENVIRONMENT_BLOCKS_TRIGGER, ENVIRONMENT_UNPROTECTED, ONLINE_CHECK_SKIPPED,
    PINNED_COMMIT_UNKNOWN, VERSION_COMMENT_MISMATCH,
};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::online::pattern::{examples_of_any, examples_of_filter, policy_matches};
use crate::online::{
    DeploymentPolicy, EnvironmentSettings, EnvironmentSite, EnvironmentStatus, PinStatus, RefKind,
    TagStatus, environment_sites, pin_sites,
};
use crate::workflow::{Job, Spanned, UsesTarget, Workflow};

fn environment_location(site: &EnvironmentSite<'_>) -> Location {
    Location::new(site.job.view.file.file, site.name.span)
}

fn repo_name(context: &Context<'_>) -> String {
    context
        .repo
        .remote
        .as_ref()
        .map(|r| format!("{}/{}", r.owner, r.repository))
        .unwrap_or_else(|| "the repository".into())
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

pub(super) fn online_check_skipped(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::record::record_checks_skipped(context, out);
    let Some(online) = context.online else { return };
    for site in environment_sites(context.repo, context.facts) {
        let reason = match online.environment(&site.name.value) {
            Some(EnvironmentStatus::Skipped(reason)) => {
                format!("{reason}; TP403 and TP404 were not checked")
            }
            Some(EnvironmentStatus::Found(EnvironmentSettings {
                policy: DeploymentPolicy::Unreadable(reason),
                ..
            })) => format!(
                "its deployment branch and tag policies could not be read: {reason}; TP404 was not checked"
            ),
            _ => continue,
        };
        out.push(
            Diagnostic::new(
                &ONLINE_CHECK_SKIPPED,
                environment_location(&site),
                format!(
                    "environment `{}` of job `{}` was not checked on GitHub: {reason}",
                    site.name.value, site.job.job.id.value
                ),
            )
            .with_help("fix the cause and run `tplint --online` again; until then its protection is unknown, not passed"),
        );
    }
    for site in pin_sites(context.repo) {
        let mut reasons: Vec<(String, &str)> = Vec::new();
        if let Some(PinStatus::Skipped(reason)) = online.pin(&site) {
            reasons.push((reason.clone(), "TP504 was"));
        }
        if let Some(TagStatus::Skipped(reason)) = online.tag(&site) {
            match reasons.iter_mut().find(|(r, _)| r == reason) {
                Some(entry) => entry.1 = "TP504 and TP505 were",
                None => reasons.push((reason.clone(), "TP505 was")),
            }
        }
        for (reason, codes) in reasons {
            out.push(
                Diagnostic::new(
                    &ONLINE_CHECK_SKIPPED,
                    Location::new(site.file.file, site.uses.raw.span),
                    format!(
                        "the pin `{}/{}@{}` was not checked on GitHub: {reason}; {codes} not checked",
                        site.owner,
                        site.repo,
                        short(site.sha)
                    ),
                )
                .with_help("fix the cause and run `tplint --online` again; until then the pin is unverified, not passed"),
            );
        }
    }
}

pub(super) fn environment_unprotected(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(online) = context.online else { return };
    for site in environment_sites(context.repo, context.facts) {
        let name = &site.name.value;
        let location = environment_location(&site);
        match online.environment(name) {
            Some(EnvironmentStatus::Missing) => out.push(
                Diagnostic::new(
                    &ENVIRONMENT_UNPROTECTED,
                    location,
                    format!(
                        "environment `{name}` does not exist in {}; GitHub creates it without any protection rule when job `{}` first runs",
                        repo_name(context),
                        site.job.job.id.value
                    ),
                )
                .with_help(format!(
                    "create `{name}` under Settings → Environments with required reviewers (and `prevent self-review`), and limit it to your release tags"
                )),
            ),
            Some(EnvironmentStatus::Found(settings)) => {
                if let Some(diagnostic) = protection_finding(name, settings, location) {
                    out.push(diagnostic);
                }
            }
            _ => {}
        }
    }
}

fn protection_finding(
    name: &str,
    settings: &EnvironmentSettings,
    location: Location,
) -> Option<Diagnostic> {
    let reviewers = settings.reviewers.filter(|count| *count > 0);
    if reviewers.is_none() && !settings.has_wait_timer() && settings.custom_rules.is_empty() {
        let policy_note = match &settings.policy {
            DeploymentPolicy::AnyRef => "",
            _ => {
                " (its deployment branch/tag rule only limits which refs deploy: anyone who can push such a ref can publish)"
            }
        };
        return Some(
            Diagnostic::new(
                &ENVIRONMENT_UNPROTECTED,
                location,
                format!(
                    "environment `{name}` has no required reviewers, no wait timer and no custom protection rule{policy_note}"
                ),
            )
            .with_help(format!(
                "add required reviewers to `{name}` under Settings → Environments, turn on `prevent self-review`, and turn off `allow administrators to bypass`"
            )),
        );
    }
    if reviewers.is_some() && !settings.prevent_self_review {
        let admins = if settings.can_admins_bypass {
            ", and administrators may bypass the rule (`can_admins_bypass`)"
        } else {
            ""
        };
        return Some(
            Diagnostic::new(
                &ENVIRONMENT_UNPROTECTED,
                location,
                format!(
                    "environment `{name}` requires a reviewer, but whoever starts the release may approve it (`prevent_self_review` is off){admins}"
                ),
            )
            .with_severity(Severity::Info)
            .with_help(format!(
                "turn on `prevent self-review` for `{name}` so that a second person approves each release"
            )),
        );
    }
    None
}

/// The refs a trigger makes the workflow run on, when it names them.
struct TriggerRefs<'a> {
    event: &'a Spanned<String>,
    kind: RefKind,
    /// Example ref names (branch or tag names) the trigger accepts.
    examples: Vec<String>,
    /// What the trigger is, for messages.
    description: String,
}

/// The branch and tag refs the workflow's triggers explicitly run on:
/// `push` with `tags:`/`branches:` filters, and `release` (its tag).
fn trigger_refs(workflow: &Workflow) -> Vec<TriggerRefs<'_>> {
    let mut refs = Vec::new();
    for trigger in &workflow.triggers {
        match trigger.event.value.as_str() {
            "release" => refs.push(TriggerRefs {
                event: &trigger.event,
                kind: RefKind::Tag,
                examples: examples_of_any(),
                description: "`release` events, which run on the release's tag".into(),
            }),
            "push" => {
                let Some(config) = &trigger.config else {
                    continue;
                };
                for (key, kind) in [
                    ("tags", RefKind::Tag),
                    ("tags-ignore", RefKind::Tag),
                    ("branches", RefKind::Branch),
                    ("branches-ignore", RefKind::Branch),
                ] {
                    let Some(filter) = config.get(key) else {
                        continue;
                    };
                    let patterns: Vec<&str> = match (filter.as_sequence(), filter.as_str()) {
                        (Some(items), _) => items.iter().filter_map(|n| n.as_str()).collect(),
                        (None, Some(one)) => vec![one],
                        _ => continue,
                    };
                    let (examples, description) = if key.ends_with("-ignore") {
                        (examples_of_any(), format!("pushes of {}s", kind.as_str()))
                    } else {
                        (
                            patterns
                                .iter()
                                .flat_map(|p| examples_of_filter(p))
                                .collect(),
                            format!(
                                "pushes of {}s matching {}",
                                kind.as_str(),
                                patterns
                                    .iter()
                                    .map(|p| format!("`{p}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    };
                    if !examples.is_empty() {
                        refs.push(TriggerRefs {
                            event: &trigger.event,
                            kind,
                            examples,
                            description,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    refs
}

/// Whether the job's `if:` shows it never runs on refs of `kind`.
fn job_excludes(job: &Job, kind: RefKind) -> bool {
    let Some(condition) = &job.condition else {
        return false;
    };
    let text = &condition.value;
    match kind {
        RefKind::Tag => text.contains("refs/heads/") && !text.contains("refs/tags"),
        RefKind::Branch => text.contains("refs/tags") && !text.contains("refs/heads/"),
    }
}

/// Why `policy` cannot admit any ref of `refs`, or `None` when it may.
fn rejection(policy: &DeploymentPolicy, refs: &TriggerRefs<'_>) -> Option<String> {
    match (policy, refs.kind) {
        (DeploymentPolicy::ProtectedBranches, RefKind::Tag) => {
            Some("only protected branches may deploy to it, and no tag can".into())
        }
        (DeploymentPolicy::Custom(patterns), kind) => {
            let same_kind: Vec<&str> = patterns
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.pattern.as_str())
                .collect();
            if same_kind.is_empty() {
                return Some(format!(
                    "its deployment rules name no {} pattern, so no {} can deploy to it",
                    kind.as_str(),
                    kind.as_str()
                ));
            }
            let admitted = refs.examples.iter().any(|name| {
                same_kind
                    .iter()
                    .any(|pattern| policy_matches(pattern, name))
            });
            (!admitted).then(|| {
                format!(
                    "its {} rules {} admit none of them (e.g. `{}`)",
                    kind.as_str(),
                    same_kind
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    refs.examples
                        .first()
                        .map(String::as_str)
                        .unwrap_or_default()
                )
            })
        }
        _ => None,
    }
}

pub(super) fn environment_blocks_trigger(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(online) = context.online else { return };
    for site in environment_sites(context.repo, context.facts) {
        let Some(EnvironmentStatus::Found(settings)) = online.environment(&site.name.value) else {
            continue;
        };
        for refs in trigger_refs(site.job.view.workflow) {
            if job_excludes(site.job.job, refs.kind) {
                continue;
            }
            let Some(why) = rejection(&settings.policy, &refs) else {
                continue;
            };
            let file = site.job.view.file.file;
            out.push(
                Diagnostic::new(
                    &ENVIRONMENT_BLOCKS_TRIGGER,
                    environment_location(&site),
                    format!(
                        "job `{}` runs on {}, but environment `{}` rejects them: {why}",
                        site.job.job.id.value, refs.description, site.name.value
                    ),
                )
                .with_label("the deployment will be rejected")
                .with_related(Location::new(file, refs.event.span), "the workflow runs on these refs")
                .with_help(format!(
                    "under Settings → Environments → {} → Deployment branches and tags, choose \"Selected branches and tags\" and add a {} rule matching these refs (e.g. `v*`), or run the job on refs the environment admits",
                    site.name.value,
                    refs.kind.as_str()
                )),
            );
        }
    }
}

pub(super) fn pinned_commit_unknown(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(online) = context.online else { return };
    for site in pin_sites(context.repo) {
        let UsesTarget::Remote { ref_span, .. } = &site.uses.target else {
            continue;
        };
        let location = Location::new(site.file.file, *ref_span);
        let slug = format!("{}/{}", site.owner, site.repo);
        match online.pin(&site) {
            Some(PinStatus::NotACommit(status)) => out.push(
                Diagnostic::new(
                    &PINNED_COMMIT_UNKNOWN,
                    location,
                    format!(
                        "`{slug}` is pinned to `{}`, which is no commit of `{slug}` (the GitHub API answered {status}); the job will fail to download it",
                        site.sha
                    ),
                )
                .with_help(format!(
                    "pin the commit of a release: `git ls-remote https://github.com/{slug} 'refs/tags/*'` lists them (use the `^{{}}` lines for annotated tags)"
                )),
            ),
            Some(PinStatus::TagObject { tag, commit }) => {
                let tag = tag.as_deref().map(|t| format!(" of `{t}`")).unwrap_or_default();
                let help = match commit {
                    Some(commit) => format!("pin the commit the tag points at: `{slug}@{commit}`"),
                    None => "pin the commit the tag points at (the `^{}` line of `git ls-remote`)".into(),
                };
                out.push(
                    Diagnostic::new(
                        &PINNED_COMMIT_UNKNOWN,
                        location,
                        format!(
                            "`{slug}` is pinned to the annotated tag object{tag}, not to a commit; the action then fails with `manifest unknown`"
                        ),
                    )
                    .with_help(help),
                );
            }
            _ => {}
        }
    }
}

pub(super) fn version_comment_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(online) = context.online else { return };
    for site in pin_sites(context.repo) {
        let (Some(version), Some(comment)) = (&site.version, &site.uses.comment) else {
            continue;
        };
        let location = Location::new(site.file.file, comment.span);
        let slug = format!("{}/{}", site.owner, site.repo);
        match online.tag(&site) {
            Some(status @ TagStatus::Found { tag, .. }) if !status.points_at(site.sha) => {
                let commit = status.commit().unwrap_or_default();
                let mut diagnostic = Diagnostic::new(
                    &VERSION_COMMENT_MISMATCH,
                    location,
                    format!(
                        "the comment says `{}`, but tag `{tag}` of `{slug}` points at `{}`, not at the pinned `{}`",
                        version.text,
                        short(commit),
                        short(site.sha)
                    ),
                )
                .with_help(format!(
                    "pin `{slug}@{commit} # {tag}`, or correct the comment to the version of the pinned commit"
                ));
                if !version.exact {
                    diagnostic = diagnostic.with_severity(Severity::Info).with_help(format!(
                        "`{tag}` is a moving tag that follows each release; name the exact version in the comment (e.g. `# v1.2.3`)"
                    ));
                }
                out.push(diagnostic);
            }
            Some(TagStatus::Missing { tried }) => out.push(
                Diagnostic::new(
                    &VERSION_COMMENT_MISMATCH,
                    location,
                    format!(
                        "the comment says `{}`, but `{slug}` has no tag {}",
                        version.text,
                        tried
                            .iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                )
                .with_help("correct the comment to the tag of the pinned commit"),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::RefPattern;
    use crate::source::{FileId, Span};

    fn refs(kind: RefKind, examples: &[&str]) -> TriggerRefs<'static> {
        static EVENT: std::sync::OnceLock<Spanned<String>> = std::sync::OnceLock::new();
        TriggerRefs {
            event: EVENT.get_or_init(|| Spanned::new("push".into(), Span::new(0, 4))),
            kind,
            examples: examples.iter().map(|s| s.to_string()).collect(),
            description: String::new(),
        }
    }

    fn custom(patterns: &[(RefKind, &str)]) -> DeploymentPolicy {
        DeploymentPolicy::Custom(
            patterns
                .iter()
                .map(|(kind, p)| RefPattern {
                    kind: *kind,
                    pattern: p.to_string(),
                })
                .collect(),
        )
    }

    #[test]
    fn policies_against_tag_triggers() {
        let tags = refs(RefKind::Tag, &["v1.2.3", "1.2.3"]);
        assert!(rejection(&DeploymentPolicy::AnyRef, &tags).is_none());
        assert!(rejection(&DeploymentPolicy::ProtectedBranches, &tags).is_some());
        assert!(rejection(&custom(&[(RefKind::Branch, "main")]), &tags).is_some());
        assert!(rejection(&custom(&[(RefKind::Tag, "v*")]), &tags).is_none());
        assert!(rejection(&custom(&[(RefKind::Tag, "release/*")]), &tags).is_some());
        let branches = refs(RefKind::Branch, &["main"]);
        assert!(rejection(&DeploymentPolicy::ProtectedBranches, &branches).is_none());
        assert!(rejection(&custom(&[(RefKind::Branch, "main")]), &branches).is_none());
        assert!(rejection(&custom(&[(RefKind::Branch, "release/*")]), &branches).is_some());
    }

    #[test]
    fn protection_levels() {
        let location = Location::new(FileId(0), Span::new(0, 1));
        let bare = EnvironmentSettings::default();
        assert_eq!(
            protection_finding("pypi", &bare, location).map(|d| d.severity),
            Some(Severity::Warning)
        );
        let timer = EnvironmentSettings {
            wait_timer: Some(5),
            ..EnvironmentSettings::default()
        };
        assert!(protection_finding("pypi", &timer, location).is_none());
        let self_review = EnvironmentSettings {
            reviewers: Some(1),
            can_admins_bypass: true,
            ..EnvironmentSettings::default()
        };
        let finding = protection_finding("pypi", &self_review, location).unwrap();
        assert_eq!(finding.severity, Severity::Info);
        assert!(finding.message.contains("can_admins_bypass"));
        let strict = EnvironmentSettings {
            reviewers: Some(1),
            prevent_self_review: true,
            ..EnvironmentSettings::default()
        };
        assert!(protection_finding("pypi", &strict, location).is_none());
    }
}
