//! What PyPI and TestPyPI recorded for the latest release (`--online`):
//! TP109 (the recorded publisher is not declared), TP306 (the release has no
//! provenance, so there is no record), the TP400 warnings of record checks
//! that could not be made, and the one place where the findings of the
//! publisher rules about a *recorded* publisher are adjusted: one severity
//! lower, the record named in the message, and placed in the repository.

use super::Context;
use crate::catalogue::Rule;
use crate::catalogue::{PUBLISHER_RECORD_UNDECLARED, RELEASE_WITHOUT_PROVENANCE};
use crate::config::{Field, Origin, Platform, Publisher, RecordSource};
use crate::diagnostic::{Diagnostic, Location, Related, Severity};
use crate::facts::oidc_publish_jobs;
use crate::online::pypi::{Identity, RecordStatus, Recorded, Release};
use crate::online::record::{ProjectRecord, Wants};
use crate::registry::claims::Ci;
use crate::registry::{PublisherField, Registry};

/// The rules that check a recorded publisher as they check a declared one,
/// for an index with no declared publisher.
const CHECKED_AGAINST_RECORDS: &[&str] = &[
    "TP101", "TP103", "TP104", "TP105", "TP106", "TP107", "TP108",
];

/// Which record checks the rules that `enabled` accepts need.
pub(crate) fn wants(enabled: &dyn Fn(&Rule) -> bool) -> Wants {
    Wants {
        as_publisher: CHECKED_AGAINST_RECORDS
            .iter()
            .any(|code| super::lookup(code).is_some_and(enabled)),
        undeclared: enabled(&PUBLISHER_RECORD_UNDECLARED),
        provenance: enabled(&RELEASE_WITHOUT_PROVENANCE),
    }
}

/// Error → warning → info: the registration may have changed since the
/// release was uploaded.
fn one_lower(severity: Severity) -> Severity {
    match severity {
        Severity::Error => Severity::Warning,
        Severity::Warning | Severity::Info => Severity::Info,
    }
}

fn is_pseudo(context: &Context<'_>, location: Location) -> bool {
    context
        .repo
        .sources
        .get(location.file)
        .path
        .starts_with('<')
}

/// Where a finding about the publishing of `index` goes: the OIDC publish
/// job of `workflow` (when given), else the first OIDC publish job, else any
/// upload to the index.
fn publish_location(
    context: &Context<'_>,
    index: Registry,
    workflow: Option<&str>,
) -> Option<Location> {
    let jobs = oidc_publish_jobs(context.repo, context.facts);
    let on_index = || jobs.iter().filter(|j| j.index == index);
    if let Some(job) =
        workflow.and_then(|name| on_index().find(|j| j.view.attributed_name() == name))
    {
        return Some(Location::new(job.view.file.file, job.site.span));
    }
    // GitLab uploads: by trusted publishing first.
    let gitlab_sites = || {
        context
            .facts
            .gitlab
            .iter()
            .flat_map(|g| &g.jobs)
            .flat_map(|j| &j.publish_sites)
            .filter(|s| s.index() == Some(index))
    };
    let gitlab_oidc = || gitlab_sites().find(|s| s.is_oidc()).map(|s| s.location());
    let pipeline = context.repo.gitlab.as_ref().map(|g| g.path.as_str());
    if workflow.is_some()
        && workflow == pipeline
        && let Some(location) = gitlab_oidc()
    {
        return Some(location);
    }
    if let Some(job) = on_index().next() {
        return Some(Location::new(job.view.file.file, job.site.span));
    }
    gitlab_oidc()
        .or_else(|| {
            context.workflows().find_map(|view| {
                view.facts
                    .publish_sites
                    .iter()
                    .find(|s| s.index() == Some(index))
                    .map(|s| Location::new(view.file.file, s.span))
            })
        })
        .or_else(|| gitlab_sites().next().map(|s| s.location()))
}

/// Where a finding about a project's record goes: where the repository
/// publishes to that index, else its declared publisher, else the project
/// name in `pyproject.toml`.
fn project_location(context: &Context<'_>, index: Registry, project: &str) -> Option<Location> {
    let declared = || {
        context.repo.config.publishers.iter().find(|p| {
            p.index_kind == Some(index)
                && p.project
                    .as_ref()
                    .is_none_or(|f| same_project(&f.value, project))
        })
    };
    publish_location(context, index, None)
        .or_else(|| {
            declared().map(|p| match &p.project {
                Some(field) => Location::new(p.file, field.span),
                None => Location::new(p.file, p.span),
            })
        })
        .or_else(|| context.records.and_then(|r| r.project_location))
}

fn same_project(a: &str, b: &str) -> bool {
    crate::online::pypi::normalize(a) == crate::online::pypi::normalize(b)
}

fn describe_release(index: Registry, release: &Release) -> String {
    format!(
        "{} {} on {}",
        release.project,
        release.version,
        index.display_name()
    )
}

/// Adjust the findings of the publisher rules that are about a recorded
/// publisher: they point into its record, a pseudo file.
pub(crate) fn attribute_to_records(context: &Context<'_>, diagnostics: &mut [Diagnostic]) {
    let recorded: Vec<(&Publisher, &RecordSource)> = context
        .publishers()
        .into_iter()
        .filter_map(|p| match &p.origin {
            Origin::Recorded(source) => Some((p, source)),
            Origin::Declared => None,
        })
        .collect();
    if recorded.is_empty() {
        return;
    }
    for diagnostic in diagnostics {
        if !CHECKED_AGAINST_RECORDS.contains(&diagnostic.rule.code) {
            continue;
        }
        let in_record = |location: Location, publisher: &Publisher| location.file == publisher.file;
        let Some(&(publisher, source)) = recorded.iter().find(|(p, _)| {
            in_record(diagnostic.location, p)
                || diagnostic.related.iter().any(|r| in_record(r.location, p))
        }) else {
            continue;
        };
        let index = publisher.index();
        let record_label = format!(
            "recorded by {} for {} {} ({})",
            index.display_name(),
            source.project,
            source.version,
            source.filename
        );
        for related in &mut diagnostic.related {
            if in_record(related.location, publisher) {
                related.message = record_label.clone();
            }
        }
        if in_record(diagnostic.location, publisher) {
            let record = diagnostic.location;
            let real = diagnostic
                .related
                .iter()
                .position(|r| !is_pseudo(context, r.location));
            if let Some(position) = real {
                let related = diagnostic.related.remove(position);
                diagnostic.location = related.location;
                diagnostic.label = Some(related.message);
            } else if let Some(location) =
                publish_location(context, index, Some(&publisher.workflow.value))
                    .or_else(|| context.records.and_then(|r| r.project_location))
            {
                diagnostic.location = location;
            }
            diagnostic.related.push(Related {
                message: record_label.clone(),
                location: record,
            });
        }
        let workflow = context
            .repo
            .workflows
            .iter()
            .find(|w| w.file == diagnostic.location.file)
            .map_or(publisher.workflow.value.as_str(), |w| w.name.as_str());
        let consequence = if diagnostic.severity == Severity::Error {
            format!(
                "unless a publisher for `{workflow}` has been registered since, the next release will fail"
            )
        } else {
            format!(
                "the publishers registered on {} may have changed since",
                index.display_name()
            )
        };
        diagnostic.severity = one_lower(diagnostic.severity);
        diagnostic.message = format!(
            "{}. {} recorded this publisher for {} {} ({}); {consequence} — declare it in tplint.toml to confirm",
            diagnostic.message,
            index.display_name(),
            source.project,
            source.version,
            source.filename
        );
    }
}

/// One way a declared publisher differs from a recorded one: the declared
/// field it concerns (`None`: the field is absent), and how.
type Difference<'a> = (Option<&'a Field>, String);

/// The differences between a declared publisher and a recorded GitHub one.
fn differences<'a>(
    publisher: &'a Publisher,
    repository: &str,
    workflow: &str,
    environment: Option<&str>,
    platform: Platform,
) -> Vec<Difference<'a>> {
    let mut out = Vec::new();
    // GitLab's namespace is everything before the last `/` (subgroups).
    let (owner, name) = repository.rsplit_once('/').unwrap_or(("", repository));
    let ci = match platform {
        Platform::Github => Ci::GithubActions,
        Platform::Gitlab => Ci::Gitlab,
    };
    // The record is compared as the registry compares a token's claims.
    let index = publisher.index();
    let (owner_label, name_label) = ci.path_words();
    if !index.same_on(ci, PublisherField::Owner, &publisher.owner.value, owner) {
        out.push((
            Some(&publisher.owner),
            format!(
                "{owner_label} (`{}`, recorded `{owner}`)",
                publisher.owner.value
            ),
        ));
    }
    if !index.same_on(
        ci,
        PublisherField::Repository,
        &publisher.repository.value,
        name,
    ) {
        out.push((
            Some(&publisher.repository),
            format!(
                "{name_label} (`{}`, recorded `{name}`)",
                publisher.repository.value
            ),
        ));
    }
    let workflow_label = match platform {
        Platform::Github => "workflow",
        Platform::Gitlab => "top-level pipeline file",
    };
    if !index.names_file(ci, publisher.workflow.value.trim(), workflow) {
        out.push((
            Some(&publisher.workflow),
            format!(
                "{workflow_label} (`{}`, recorded `{workflow}`)",
                publisher.workflow.value
            ),
        ));
    }
    let declared = publisher.environment.as_ref();
    let same_environment = match (declared, environment) {
        (None, None) => true,
        (Some(d), Some(r)) => index.same_on(ci, PublisherField::Environment, &d.value, r),
        _ => false,
    };
    if !same_environment {
        out.push((
            declared,
            format!(
                "environment ({}, recorded {})",
                declared.map_or("none".to_string(), |d| format!("`{}`", d.value)),
                environment.map_or("none".to_string(), |e| format!("`{e}`"))
            ),
        ));
    }
    out
}

/// The record as a `[[publisher]]` block.
pub(super) fn as_declaration(
    index: Registry,
    project: &str,
    identity: &Identity,
) -> Option<String> {
    let (gitlab, repository, workflow, environment) = match identity {
        Identity::GitHub {
            repository,
            workflow,
            environment,
        } => (false, repository, workflow, environment),
        Identity::GitLab {
            repository,
            workflow_filepath: Some(path),
            environment,
        } => (true, repository, path, environment),
        _ => return None,
    };
    let (owner, name) = repository.rsplit_once('/')?;
    let mut text = String::from("[[publisher]]\n");
    if gitlab {
        text.push_str("platform = \"gitlab\"\n");
    }
    if index != Registry::Pypi {
        text.push_str(&format!("index = \"{}\"\n", index.key()));
    }
    let owner_key = if gitlab { "namespace" } else { "owner" };
    text.push_str(&format!(
        "project = \"{project}\"\n{owner_key} = \"{owner}\"\nrepository = \"{name}\"\nworkflow = \"{workflow}\"\n"
    ));
    if let Some(environment) = environment {
        text.push_str(&format!("environment = \"{environment}\"\n"));
    }
    Some(text)
}

pub(super) fn publisher_record_undeclared(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(records) = context.records else {
        return;
    };
    for record in &records.records {
        let RecordStatus::Recorded {
            release,
            publishers,
        } = &record.status
        else {
            continue;
        };
        for recorded in publishers {
            if let Some(diagnostic) = undeclared(context, record, release, recorded) {
                out.push(diagnostic);
            }
        }
    }
}

fn undeclared(
    context: &Context<'_>,
    record: &ProjectRecord,
    release: &Release,
    recorded: &Recorded,
) -> Option<Diagnostic> {
    let index = record.index;
    let name = index.display_name();
    let what = format!(
        "{name} recorded {} for {} {} ({})",
        recorded.identity, release.project, release.version, recorded.filename
    );
    let has_pipeline = context.repo.gitlab.is_some();
    let (platform, repository, workflow, environment) = match &recorded.identity {
        Identity::GitHub {
            repository,
            workflow,
            environment,
        } => (Platform::Github, repository, workflow, environment),
        Identity::GitLab {
            repository,
            workflow_filepath: Some(path),
            environment,
        } if has_pipeline => (Platform::Gitlab, repository, path, environment),
        identity => {
            let location = project_location(context, index, &record.project)?;
            let why = match identity {
                Identity::GitLab {
                    workflow_filepath: None,
                    ..
                } => "the record names no top-level pipeline file, so the GitLab pipeline here was not compared with it".to_string(),
                Identity::GitLab { .. } => "this repository has no GitLab pipeline, so nothing here was compared with this GitLab publisher".to_string(),
                _ => format!(
                    "tplint checks GitHub workflows and GitLab pipelines only, so nothing here was compared with this {} publisher",
                    identity.kind()
                ),
            };
            return Some(
                Diagnostic::new(&PUBLISHER_RECORD_UNDECLARED, location, format!("{what}; {why}"))
                    .with_help("if the releases should now come from this repository, register its publisher on PyPI (`tplint suggest` prints it) and declare it in tplint.toml"),
            );
        }
    };
    if !record.declared {
        return None; // the record stands in for the publisher: the publisher rules check it
    }
    let candidates: Vec<&Publisher> = context
        .repo
        .config
        .publishers
        .iter()
        .filter(|p| {
            p.platform == platform
                && p.index_kind == Some(index)
                && p.project
                    .as_ref()
                    .map(|f| f.value.as_str())
                    .or(context.repo.config.project_name.as_deref())
                    .is_some_and(|p| same_project(p, &record.project))
        })
        .collect();
    let scored: Vec<(&Publisher, Vec<Difference<'_>>)> = candidates
        .iter()
        .map(|p| {
            (
                *p,
                differences(p, repository, workflow, environment.as_deref(), platform),
            )
        })
        .collect();
    if scored.iter().any(|(_, d)| d.is_empty()) {
        return None;
    }
    if scored.is_empty() && platform == Platform::Gitlab {
        let location = project_location(context, index, &record.project)?;
        let mut help = "if the releases still come from this GitLab pipeline, declare its publisher so tplint checks the pipeline against it".to_string();
        if let Some(block) = as_declaration(index, &record.project, &recorded.identity) {
            help.push_str(&format!(":\n\n{}", block.trim_end()));
        }
        return Some(
            Diagnostic::new(
                &PUBLISHER_RECORD_UNDECLARED,
                location,
                format!("{what}, but no GitLab publisher for {name} is declared"),
            )
            .with_help(help),
        );
    }
    let (closest, diffs) = scored.iter().min_by_key(|(_, d)| d.len())?;
    let location = diffs
        .iter()
        .find_map(|(field, _)| *field)
        .map_or(Location::new(closest.file, closest.span), |f| {
            Location::new(closest.file, f.span)
        });
    let listed = diffs
        .iter()
        .map(|(_, d)| d.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut help = "if the latest release came from a publisher nobody declared, declare it too if it is still registered (or remove it on PyPI if it should no longer publish); if this declaration was copied wrong, correct it".to_string();
    if let Some(block) = as_declaration(index, &record.project, &recorded.identity) {
        help.push_str(&format!(
            ". The record as a declaration:\n\n{}",
            block.trim_end()
        ));
    }
    Some(
        Diagnostic::new(
            &PUBLISHER_RECORD_UNDECLARED,
            location,
            format!(
                "{what}, but no declared {name} publisher matches it; the closest one differs in {listed}"
            ),
        )
        .with_help(help),
    )
}

/// The help of TP100 for a publish job of `workflow` on `index` that no
/// declared publisher covers, when the index's record of the latest release
/// names a publisher of that same workflow (and environment, if any): the
/// publisher is registered already, so it only needs declaring.
pub(super) fn recorded_registration_help(
    context: &Context<'_>,
    index: Registry,
    workflow: &str,
    environment: Option<&str>,
) -> Option<String> {
    let records = context.records?;
    records.records.iter().find_map(|record| {
        if record.index != index || record.declared {
            return None;
        }
        let RecordStatus::Recorded {
            release,
            publishers,
        } = &record.status
        else {
            return None;
        };
        publishers.iter().find_map(|recorded| {
            let Identity::GitHub {
                workflow: recorded_workflow,
                environment: recorded_environment,
                ..
            } = &recorded.identity
            else {
                return None;
            };
            let same_environment = match (recorded_environment, environment) {
                (None, _) => true,
                (Some(a), Some(b)) => {
                    index.same_on(Ci::GithubActions, PublisherField::Environment, a, b)
                }
                (Some(_), None) => false,
            };
            if !index.names_file(Ci::GithubActions, recorded_workflow, workflow)
                || !same_environment
            {
                return None;
            }
            let block = as_declaration(index, &record.project, &recorded.identity)?;
            Some(format!(
                "{}'s record of {} {} shows that a trusted publisher for `{workflow}` is registered already ({}); declare it in tplint.toml so that tplint checks the workflow against it:\n\n{}",
                index.display_name(),
                release.project,
                release.version,
                recorded.identity,
                block.trim_end()
            ))
        })
    })
}

/// PyPI began to store provenance in October 2024 (warehouse `e04b7bb16`,
/// the simple API's `provenance` key, 2024-10-21; the integrity route 2024-10-03).
const PROVENANCE_SINCE: &str = "2024-10-01";

pub(super) fn release_without_provenance(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(records) = context.records else {
        return;
    };
    for record in &records.records {
        let RecordStatus::NoProvenance(release) = &record.status else {
            continue;
        };
        let index = record.index;
        let Some(location) = project_location(context, index, &record.project) else {
            continue;
        };
        let uploaded = release
            .uploaded
            .as_deref()
            .and_then(|t| t.get(..10))
            .map(|day| {
                if day < PROVENANCE_SINCE {
                    format!(
                        " (uploaded {day}, before {} stored provenance)",
                        index.display_name()
                    )
                } else {
                    format!(" (uploaded {day})")
                }
            })
            .unwrap_or_default();
        let mut help = "a file has provenance only when it is uploaded by trusted publishing with attestations: not with an API token or password, not with `attestations: false` or gh-action-pypi-publish older than v1.11.0, not by twine or uv without attestation files made beforehand, not from an ActiveState publisher, and not before October 2024".to_string();
        if let Some(job) = oidc_publish_jobs(context.repo, context.facts)
            .iter()
            .find(|j| j.index == index)
        {
            help.push_str(&format!(
                ". The next release through job `{}` of `{}` will create a record if it uploads with attestations, as gh-action-pypi-publish does by default; then `tplint --online` can check the workflows against it",
                job.job.id.value,
                job.view.attributed_name()
            ));
        }
        out.push(
            Diagnostic::new(
                &RELEASE_WITHOUT_PROVENANCE,
                location,
                format!(
                    "no file of {}{uploaded} has provenance, so {} keeps no record of the publisher that uploaded it",
                    describe_release(index, release),
                    index.display_name()
                ),
            )
            .with_help(help),
        );
    }
}

/// TP400 for each record that could not be read, and for each index whose
/// project name is unknown.
pub(crate) fn record_checks_skipped(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(records) = context.records else {
        return;
    };
    let unchecked = |declared: bool| {
        if declared {
            "TP109 and TP306 were not checked"
        } else {
            "the workflows were not checked against the publisher it recorded, and TP306 was not checked"
        }
    };
    for index in &records.unnamed {
        let declared = context
            .repo
            .config
            .publishers
            .iter()
            .any(|p| p.index_kind == Some(*index));
        let Some(location) = project_location(context, *index, "") else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &crate::catalogue::ONLINE_CHECK_SKIPPED,
                location,
                format!(
                    "{}'s record of the latest release was not read: the project name is unknown; {}",
                    index.display_name(),
                    unchecked(declared)
                ),
            )
            .with_help("set `[project].name` in pyproject.toml, or `project` in the publisher in tplint.toml"),
        );
    }
    for record in &records.records {
        let RecordStatus::Skipped(reason) = &record.status else {
            continue;
        };
        let Some(location) = project_location(context, record.index, &record.project) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &crate::catalogue::ONLINE_CHECK_SKIPPED,
                location,
                format!(
                    "{}'s record of `{}` was not read: {reason}; {}",
                    record.index.display_name(),
                    record.project,
                    unchecked(record.declared)
                ),
            )
            .with_help("fix the cause and run `tplint --online` again; until then the record is unknown, not passed"),
        );
    }
}
