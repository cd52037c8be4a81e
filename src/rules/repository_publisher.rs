//! The parts of TP102 and TP111 for the registries that trust a repository
//! rather than a workflow file: pub.dev (the repository, a tag pattern and
//! optionally an environment) and JSR (the repository linked to the
//! package): the fields their publishers do not have, and pub.dev's tag
//! pattern against the workflows' triggers. (Their TP103 is
//! [`super::publisher`]'s, over `facts::publisher_files`.)

use super::Context;
use crate::catalogue::{PUBLISHER_INVALID, TAG_PATTERN_MISMATCH};
use crate::config::{Field, Publisher};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::WorkflowView;
use crate::facts::tag_filter::{Reach, push_reaches};
use crate::registry::Registry;
use crate::registry::pub_dev;

/// A job that publishes to pub.dev or JSR.
struct Publish<'a> {
    view: WorkflowView<'a>,
    job: usize,
    registry: Registry,
    /// The step or the reusable-workflow call that publishes.
    location: Location,
    /// Whether it authenticates by the job's OIDC token.
    oidc: bool,
}

/// Every job of the repository that publishes to pub.dev or JSR, one
/// entry per job and registry.
fn publishes<'a>(context: &Context<'a>) -> Vec<Publish<'a>> {
    let mut found: Vec<Publish<'a>> = Vec::new();
    for view in context.workflows() {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            if let Some(call) = &job.call
                && let Some((_, oidc)) = crate::facts::pub_dev_call(view.workflow, job)
            {
                found.push(Publish {
                    view,
                    job: index,
                    registry: Registry::PubDev,
                    location: Location::new(view.file.file, call.uses.raw.span),
                    oidc,
                });
                continue;
            }
            for site in view.sites_of(index) {
                let Some(registry) = site.index().filter(|r| !r.matches_workflow()) else {
                    continue;
                };
                if let Some(known) = found.iter_mut().find(|p| {
                    p.view.index == view.index && p.job == index && p.registry == registry
                }) {
                    known.oidc |= site.is_oidc();
                    continue;
                }
                found.push(Publish {
                    view,
                    job: index,
                    registry,
                    location: site.entry(),
                    oidc: site.is_oidc(),
                });
            }
        }
    }
    found
}

/// The publishers of pub.dev and JSR, which trust a repository (and for
/// pub.dev a tag pattern) rather than a workflow file.
fn repository_publishers<'a>(context: &Context<'a>) -> Vec<&'a Publisher> {
    context
        .publishers()
        .into_iter()
        .filter(|p| p.platform == crate::config::Platform::Github && !p.index().matches_workflow())
        .collect()
}

fn at(publisher: &Publisher, field: &Field) -> Location {
    Location::new(publisher.file, field.span)
}

/// TP102: the fields pub.dev and JSR do not have, and pub.dev's tag pattern.
pub(super) fn publisher_fields(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for publisher in repository_publishers(context) {
        let registry = publisher.index();
        let name = registry.display_name();
        if !publisher.workflow.value.is_empty() {
            out.push(
                Diagnostic::new(
                    &PUBLISHER_INVALID,
                    at(publisher, &publisher.workflow),
                    format!(
                        "{name} matches no workflow file: its publisher is the repository{}",
                        if registry == Registry::PubDev {
                            " and a tag pattern"
                        } else {
                            " linked to the package"
                        }
                    ),
                )
                .with_help(format!(
                    "remove `workflow`; any workflow of the repository can publish to {name}{}",
                    if registry == Registry::PubDev {
                        " when a matching tag push starts it"
                    } else {
                        ""
                    }
                )),
            );
        }
        if registry == Registry::Jsr
            && let Some(environment) = &publisher.environment
        {
            out.push(
                Diagnostic::new(
                    &PUBLISHER_INVALID,
                    at(publisher, environment),
                    "JSR does not match an environment: a package linked to the repository accepts the OIDC token of any of its jobs",
                )
                .with_help("remove `environment`; restrict who can publish with GitHub's branch and tag protections instead"),
            );
        }
        if registry != Registry::PubDev {
            continue;
        }
        match &publisher.tag_pattern {
            None => out.push(
                Diagnostic::new(
                    &PUBLISHER_INVALID,
                    Location::new(publisher.file, publisher.span),
                    "pub.dev publisher without `tag-pattern`",
                )
                .with_help(format!(
                    "add the tag pattern registered on pub.dev, e.g. `tag-pattern = \"v{}\"`",
                    pub_dev::VERSION_PLACEHOLDER
                )),
            ),
            Some(pattern) => {
                if let Some(problem) = pub_dev::tag_pattern_problem(&pattern.value) {
                    out.push(
                        Diagnostic::new(&PUBLISHER_INVALID, at(publisher, pattern), problem)
                            .with_help(format!(
                                "pub.dev's form takes a pattern with one `{0}`, such as `v{0}` or `my_package-v{0}`",
                                pub_dev::VERSION_PLACEHOLDER
                            )),
                    );
                }
            }
        }
    }
}

/// The `[[publisher]]` block and form values for a job that publishes to
/// pub.dev or JSR with no publisher declared.
pub(crate) fn registration_help(
    context: &Context<'_>,
    registry: Registry,
    environment: Option<&str>,
    tag_pattern: Option<&str>,
    folder: Option<&str>,
) -> String {
    let fallback = format!("v{}", pub_dev::VERSION_PLACEHOLDER);
    let tag_pattern = tag_pattern.unwrap_or(&fallback);
    let (owner, repository) = match &context.repo.remote {
        Some(remote) => (remote.owner.clone(), remote.repository.clone()),
        None => ("<owner>".to_string(), "<repository>".to_string()),
    };
    let package = context.repo.package_of(registry, folder, None);
    let mut help = match registry {
        Registry::PubDev => format!(
            "enable publishing from GitHub Actions on pub.dev ({}) with repository `{owner}/{repository}` and the tag pattern of the tags you push, such as `{tag_pattern}`{}, then declare it in tplint.toml:\n\n[[publisher]]\nregistry = \"pub.dev\"\n",
            registry
                .info()
                .settings_url
                .replace("{package}", package.as_deref().unwrap_or("<package>")),
            environment.map_or(String::new(), |e| format!(", requiring environment `{e}`")),
        ),
        _ => format!(
            "link the package to the GitHub repository `{owner}/{repository}` in its JSR settings ({}), then declare it in tplint.toml:\n\n[[publisher]]\nregistry = \"jsr\"\n",
            registry
                .info()
                .settings_url
                .replace("{package}", package.as_deref().unwrap_or("@<scope>/<name>")),
        ),
    };
    if let Some(package) = &package {
        help.push_str(&format!("package = \"{package}\"\n"));
    }
    help.push_str(&format!(
        "owner = \"{owner}\"\nrepository = \"{repository}\"\n"
    ));
    if registry == Registry::PubDev {
        help.push_str(&format!("tag-pattern = \"{tag_pattern}\"\n"));
        if let Some(environment) = environment {
            help.push_str(&format!("environment = \"{environment}\"\n"));
        }
    }
    if context.repo.remote.is_none() {
        help.push_str(
            "\n(owner and repository are unknown: this repository has no `origin` remote)",
        );
    }
    help.trim_end().to_string()
}

/// The pub.dev publishers with a usable tag pattern.
fn tag_patterns<'a>(context: &Context<'a>) -> Vec<(&'a Publisher, &'a Field)> {
    repository_publishers(context)
        .into_iter()
        .filter(|p| p.index() == Registry::PubDev)
        .filter_map(|p| Some((p, p.tag_pattern.as_ref()?)))
        .filter(|(_, pattern)| pub_dev::tag_pattern_problem(&pattern.value).is_none())
        .collect()
}

/// How one workflow's triggers start runs whose token pub.dev accepts for
/// a tag of `pattern`: a `push` of such a tag; a `workflow_dispatch` run,
/// which pub.dev accepts on a tag ref when the package allows it, is
/// never ruled out.
fn workflow_reach(view: &WorkflowView<'_>, pattern: &str) -> Reach {
    let mut reach = Reach::No;
    for trigger in &view.workflow.triggers {
        let this = match trigger.event.value.as_str() {
            "push" => push_reaches(trigger, pattern),
            "workflow_dispatch" => Reach::Unknown,
            _ => Reach::No,
        };
        reach = match (reach, this) {
            (Reach::Yes, _) | (_, Reach::Yes) => Reach::Yes,
            (Reach::Unknown, _) | (_, Reach::Unknown) => Reach::Unknown,
            _ => Reach::No,
        };
    }
    reach
}

/// What a workflow's triggers do instead, for TP111's message.
fn why_not(view: &WorkflowView<'_>) -> (Location, String) {
    let file = view.file.file;
    let on = view.workflow.on_key.unwrap_or_default();
    let push = view
        .workflow
        .triggers
        .iter()
        .find(|t| t.event.value == "push");
    match push {
        Some(push) => {
            let config = push.config.as_ref();
            match config.and_then(|c| c.entry("tags")) {
                Some(tags) => (
                    Location::new(file, tags.value.span),
                    "its `push` trigger's `tags` filters match no tag of".to_string(),
                ),
                None => (
                    Location::new(file, push.event.span),
                    "its `push` trigger runs for branches only, never for a tag of".to_string(),
                ),
            }
        }
        None => {
            let events: Vec<String> = view
                .workflow
                .triggers
                .iter()
                .map(|t| format!("`{}`", t.event.value))
                .collect();
            (
                Location::new(file, on),
                format!(
                    "it runs on {} and never on the push of a tag of",
                    events.join(", ")
                ),
            )
        }
    }
}

/// TP111: the workflow a pub.dev publish runs in can never be started by
/// pushing a tag of the publisher's tag pattern, the only runs (besides
/// `workflow_dispatch` runs on such a tag, when enabled) whose tokens
/// pub.dev accepts.
pub(super) fn tag_pattern_mismatch(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let patterns = tag_patterns(context);
    if patterns.is_empty() {
        return;
    }
    // Each publish with the workflows its runs start from, and whether none
    // of those can be started by a tag of a declared pattern; `None` when a
    // start is outside the repository or unreadable.
    let mut judged: Vec<(Publish<'_>, Vec<WorkflowView<'_>>, Option<bool>)> = Vec::new();
    for publish in publishes(context) {
        if publish.registry != Registry::PubDev || !publish.oidc {
            continue;
        }
        let names =
            crate::facts::starting_workflows(context.repo, context.facts, publish.view.index);
        let starts: Vec<WorkflowView<'_>> = context
            .workflows()
            .filter(|v| names.contains(&v.file.name.as_str()))
            .collect();
        let never = (!starts.is_empty() && starts.len() == names.len()).then(|| {
            starts.iter().all(|view| {
                patterns
                    .iter()
                    .all(|(_, pattern)| workflow_reach(view, &pattern.value) == Reach::No)
            })
        });
        judged.push((publish, starts, never));
    }
    // tplint cannot tell which package a job publishes: when another
    // publish may match a declared pattern, one that cannot may be of a
    // package whose publisher is not declared, and is left alone.
    if judged.iter().any(|(_, _, never)| *never != Some(true)) {
        return;
    }
    let mut reported: Vec<usize> = Vec::new();
    for (publish, starts, _) in judged {
        for view in starts {
            if reported.contains(&view.index) {
                continue;
            }
            reported.push(view.index);
            let (location, why) = why_not(&view);
            let pattern_list = patterns
                .iter()
                .map(|(_, p)| format!("`{}`", p.value))
                .collect::<Vec<_>>()
                .join(" or ");
            let example = patterns[0]
                .1
                .value
                .replacen(pub_dev::VERSION_PLACEHOLDER, "1.2.3", 1);
            let filter = patterns[0].1.value.replacen(
                pub_dev::VERSION_PLACEHOLDER,
                "[0-9]+.[0-9]+.[0-9]+*",
                1,
            );
            let mut diagnostic = Diagnostic::new(
                &TAG_PATTERN_MISMATCH,
                location,
                format!(
                    "`{}` publishes to pub.dev, but {why} the publisher's tag pattern {pattern_list} (e.g. `{example}`): pub.dev accepts only tokens of runs started by pushing such a tag",
                    view.file.name
                ),
            )
            .with_help(format!(
                "start the workflow on the tag push pub.dev expects:\n  on:\n    push:\n      tags:\n        - '{filter}'\nor change the tag pattern on pub.dev and here to the tags you push"
            ))
            .with_related(publish.location, "publishes to pub.dev here");
            for (publisher, pattern) in &patterns {
                diagnostic =
                    diagnostic.with_related(at(publisher, pattern), "tag pattern declared here");
            }
            out.push(diagnostic);
        }
    }
}
