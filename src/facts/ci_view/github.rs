//! GitHub's part of the [CI-neutral view](super): workflows and
//! local actions that cannot be read or that GitHub would reject, publish
//! jobs whose permissions (or whose callers') do not grant `id-token:
//! write`, job-level grants nothing uses, and `uses:` references by tag or
//! branch, in GitHub's words.

use super::{
    FileProblem, Finding, MissingIdToken, NpmUpload, Pin, UnpinnedReference, UnusedIdToken,
    cannot_be_read,
};
use crate::diagnostic::Location;
use crate::facts::actions;
use crate::facts::call_reach;
use crate::facts::calls::Callee;
use crate::facts::oidc;
use crate::facts::permissions::{GrantSource, id_token};
use crate::facts::publish::Uploader;
use crate::facts::{Facts, GITHUB_WORDS, OidcPublishJob, WorkflowView, oidc_publish_jobs, views};
use crate::registry::{Registry, pub_dev};
use crate::repository::{LocalAction, Repository};
use crate::source::FileId;
use crate::workflow::uses::is_commit_sha;
use crate::workflow::{Access, PermissionsKind, Uses, UsesTarget};

/// What a finding inside a local action says of where it is used.
const ACTION_USED_HERE: &str = "the local action is used here";

/// A local action's metadata file that a workflow uses, with where.
fn used_actions<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> impl Iterator<Item = (&'a LocalAction, FileId, Option<Location>)> + 'a {
    repo.locals
        .actions
        .iter()
        .enumerate()
        .filter_map(|(index, local)| {
            let used_at = facts.action_uses.get(index).copied().flatten();
            Some((local, local.file?, used_at))
        })
}

fn used_here(used_at: Option<Location>) -> Vec<(Location, String)> {
    used_at
        .map(|location| (location, ACTION_USED_HERE.to_string()))
        .into_iter()
        .collect()
}

fn found<'a>(
    location: Location,
    message: String,
    help: Option<String>,
    related: Vec<(Location, String)>,
) -> Finding<'a> {
    Finding {
        location,
        message,
        help,
        related,
        pipeline: None,
    }
}

/// Local actions and workflows that cannot be read.
pub fn unreadable_files<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<FileProblem<'a>> {
    let mut problems = Vec::new();
    for (local, file, used_at) in used_actions(repo, facts) {
        if let Some(error) = &local.error {
            let path = &repo.sources.get(file).path;
            problems.push(FileProblem {
                finding: found(
                    Location::new(file, error.span),
                    cannot_be_read(path, &error.message),
                    Some("GitHub cannot run this action either; tplint treats the step that uses it as one it cannot see into".to_string()),
                    used_here(used_at),
                ),
                unsure: false,
            });
        }
    }
    for file in &repo.workflows {
        if let Some(error) = &file.error {
            problems.push(FileProblem {
                finding: found(
                    Location::new(file.file, error.span),
                    cannot_be_read(&file.name, &error.message),
                    Some(GITHUB_WORDS.unreadable.to_string()),
                    Vec::new(),
                ),
                unsure: false,
            });
        }
    }
    problems
}

/// Shapes GitHub rejects: in local actions, in workflows, and calls of
/// reusable workflows that are missing or form a cycle.
pub fn invalid_files<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<FileProblem<'a>> {
    let mut problems = Vec::new();
    let mut push = |location, message, help: Option<&str>, related| {
        problems.push(FileProblem {
            finding: found(location, message, help.map(str::to_string), related),
            unsure: false,
        });
    };
    for (local, file, used_at) in used_actions(repo, facts) {
        for problem in local.action.iter().flat_map(|a| &a.problems) {
            push(
                Location::new(file, problem.span),
                problem.message.clone(),
                None,
                used_here(used_at),
            );
        }
    }
    for view in views(repo, facts) {
        for problem in &view.workflow.problems {
            push(
                Location::new(view.file.file, problem.span),
                problem.message.clone(),
                None,
                Vec::new(),
            );
        }
    }
    let graph = &facts.calls;
    for (index, call) in graph.calls.iter().enumerate() {
        let file = repo.workflows[call.caller].file;
        let location = Location::new(file, call.span);
        match &call.callee {
            Callee::Missing(path) => push(
                location,
                format!("the called workflow `{path}` does not exist"),
                Some("reusable workflows of this repository live directly in .github/workflows/"),
                Vec::new(),
            ),
            Callee::Local(target) if graph.cycles.contains(&index) => push(
                location,
                format!(
                    "calling `{}` here forms a cycle of reusable workflows, which GitHub rejects",
                    repo.workflows[*target].name
                ),
                None,
                Vec::new(),
            ),
            _ => {}
        }
    }
    problems
}

/// Publish jobs without `id-token: write`: their own permissions, those of
/// the local jobs that call their workflow (a called workflow gets no more
/// than its caller grants), and calls of pub.dev's publishing workflow
/// that do not grant it.
pub fn missing_id_tokens<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<MissingIdToken<'a>> {
    let mut missing = Vec::new();
    for job in oidc_publish_jobs(repo, facts) {
        let view = job.view;
        let own = GrantSource::of(view.workflow, job.job);
        // A reusable-only workflow without a block of its own gets what its
        // callers grant: only the calls can be judged.
        let standalone = view.runs_standalone() || !view.is_reusable();
        if (standalone || own.block().is_some())
            && let Some(finding) = own_grant_problem(&job, own)
        {
            missing.push(MissingIdToken {
                finding,
                certain: true,
                grant: Some((view.file.file, view.workflow, job.job)),
            });
            continue;
        }
        for call in facts.calls.callers_of(view.index) {
            let caller_file = &repo.workflows[call.caller];
            let Some(caller) = caller_file.workflow.as_ref() else {
                continue;
            };
            let caller_job = &caller.jobs[call.job];
            let source = GrantSource::of(caller, caller_job);
            if id_token(source).is_none_or(|access| access == Access::Write) {
                continue;
            }
            let span = match source.block() {
                None => caller_job.id.span,
                Some(block) => block.id_token_span(),
            };
            // Without a block in the caller, what the called job may ask
            // for is the repository's default, which tplint cannot see:
            // cargo-bins/cargo-binstall's ci.yml and release.yml call
            // `release-cli.yml`, whose job asks for `id-token: write`, from
            // jobs without one on every push, and those runs start.
            let certain = source.block().is_some();
            let message = if certain {
                format!(
                    "job `{}` calls `{}` without granting `id-token: write`, so its job `{}` cannot use trusted publishing (a called workflow gets no more than its caller grants)",
                    caller_job.id.value, view.file.name, job.job.id.value
                )
            } else {
                format!(
                    "job `{}` calls `{}` without a `permissions:` block, so whether its job `{}` may ask for `id-token: write` depends on the repository's default token permissions, which tplint cannot see (a called workflow gets no more than its caller grants)",
                    caller_job.id.value, view.file.name, job.job.id.value
                )
            };
            missing.push(MissingIdToken {
                finding: found(
                    Location::new(caller_file.file, span),
                    message,
                    Some(format!(
                        "add to the calling job:\n  {}:\n    permissions:\n      contents: read\n      id-token: write",
                        caller_job.id.value
                    )),
                    vec![(job.site.entry(), GITHUB_WORDS.upload.to_string())],
                ),
                certain,
                grant: Some((caller_file.file, caller, caller_job)),
            });
        }
    }
    // pub.dev's publishing workflow asks for `id-token: write`, which a
    // called workflow gets only when the calling job grants it.
    for view in views(repo, facts) {
        for job in &view.workflow.jobs {
            let Some(call) = job.call.as_ref() else {
                continue;
            };
            // A call passing the workflow's credential publishes with it.
            if !crate::facts::pub_dev_call(view.workflow, job).is_some_and(|(_, oidc)| oidc) {
                continue;
            }
            let source = GrantSource::of(view.workflow, job);
            if id_token(source).is_none_or(|access| access == Access::Write) {
                continue;
            }
            let span = match source.block() {
                None => job.id.span,
                Some(block) => block.id_token_span(),
            };
            missing.push(MissingIdToken {
                finding: found(
                    Location::new(view.file.file, span),
                    format!(
                        "job `{}` calls pub.dev's publishing workflow without granting `id-token: write`, which its job needs (a called workflow gets no more than its caller grants)",
                        job.id.value
                    ),
                    Some(format!(
                        "add to the calling job:\n  {}:\n    permissions:\n      id-token: write",
                        job.id.value
                    )),
                    vec![(
                        Location::new(view.file.file, call.uses.raw.span),
                        "pub.dev's publishing workflow".to_string(),
                    )],
                ),
                certain: true,
                grant: Some((view.file.file, view.workflow, job)),
            });
        }
    }
    // pub has no OIDC exchange of its own: `dart-lang/setup-dart` mints
    // pub.dev's token from the job's (`registry::pub_dev::MINTERS`). A job
    // that grants `id-token: write` and publishes without it, with every
    // step seen and on a GitHub-hosted runner (which keeps no credentials),
    // has no token at all (simolus3/drift's `publish_drift` job).
    for view in views(repo, facts) {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let Some(site) = view.sites_of(index).find(|s| {
                s.index() == Some(Registry::PubDev)
                    && matches!(s.uploader, Uploader::DartPub | Uploader::Melos)
                    && matches!(s.auth, crate::facts::publish::Auth::Unknown)
            }) else {
                continue;
            };
            let granted = id_token(GrantSource::of(view.workflow, job)) == Some(Access::Write);
            let hosted = matches!(&job.runs_on, Some(crate::workflow::RunsOn::Labels(labels))
                if !labels.is_empty() && labels.iter().all(|l| github_hosted(&l.value)));
            if !granted || !hosted || !view.job_facts(index).opaque.is_empty() {
                continue;
            }
            missing.push(MissingIdToken {
                finding: found(
                    site.location(),
                    format!(
                        "job `{}` grants `id-token: write` and publishes to pub.dev, but no step mints pub.dev's token from it: pub has no exchange of its own, `dart-lang/setup-dart` does it, so pub finds no credential and the publish fails",
                        job.id.value
                    ),
                    Some(format!(
                        "run `{}` in the job before the publish (after any Flutter setup), which mints the token, or call pub.dev's reusable workflow `{}`",
                        pub_dev::SETUP_DART,
                        pub_dev::PUBLISH_WORKFLOWS[0].path
                    )),
                    Vec::new(),
                ),
                certain: true,
                grant: None,
            });
        }
    }
    missing
}

/// Whether a `runs-on` label names a GitHub-hosted runner image
/// (https://docs.github.com/en/actions/using-github-hosted-runners, the
/// `ubuntu-`, `windows-` and `macos-` images), which keeps no credentials
/// between jobs.
fn github_hosted(label: &str) -> bool {
    let label = label.trim().to_ascii_lowercase();
    ["ubuntu-", "windows-", "macos-"]
        .iter()
        .any(|image| label.starts_with(image))
}

/// The finding for a publish job whose own permissions lack the grant.
fn own_grant_problem<'a>(job: &OidcPublishJob<'a>, source: GrantSource<'_>) -> Option<Finding<'a>> {
    let access = id_token(source)?;
    if access == Access::Write {
        return None;
    }
    let file = job.view.file.file;
    let id = &job.job.id.value;
    let (span, message) = match source {
        GrantSource::RepositoryDefault => (
            job.job.id.span,
            format!(
                "job `{id}` publishes by trusted publishing but has no `id-token: write` permission (it defaults to `none`)"
            ),
        ),
        GrantSource::Job(block) if block.names("id-token") => (
            block.id_token_span(),
            format!(
                "job `{id}` sets `id-token: {}`, but trusted publishing needs `id-token: write`",
                access.as_str()
            ),
        ),
        GrantSource::Job(block) => (
            block.id_token_span(),
            format!(
                "the `permissions` of job `{id}` do not grant `id-token: write`, which trusted publishing needs"
            ),
        ),
        GrantSource::Workflow(block) => (
            block.id_token_span(),
            format!(
                "job `{id}` inherits workflow permissions that do not grant `id-token: write`, which trusted publishing needs"
            ),
        ),
    };
    Some(found(
        Location::new(file, span),
        message,
        Some(format!(
            "give the job its own block:\n  {id}:\n    permissions:\n      id-token: write\n(a job-level block replaces the workflow's, so add any other scope the job needs, e.g. `contents: read`)"
        )),
        vec![(job.site.entry(), GITHUB_WORDS.upload.to_string())],
    ))
}

/// Whether a job itself uses or may use its OIDC token: it publishes (by
/// OIDC, or with a password that trusted publishing should replace), uses a
/// known consumer (in its steps, local actions or scripts), or runs a step
/// tplint cannot see into, which may use it.
fn job_uses_token_itself(view: &WorkflowView<'_>, index: usize) -> bool {
    // An upload with a password still counts: TP301/TP303 report it, and
    // their fix (trusted publishing) needs the grant, so removing it would
    // be contradictory advice for one root cause.
    let facts = view.job_facts(index);
    view.sites_of(index).next().is_some() || facts.oidc_consumer || !facts.opaque.is_empty()
}

/// Whether a job uses or may use its OIDC token, itself or through the
/// reusable workflow it calls. `files_using` says, per workflow file,
/// whether some job in it (or in what it calls) does; a call that cannot be
/// followed offline, or that closes a cycle, counts as a use.
fn job_needs_oidc(
    facts: &Facts,
    view: &WorkflowView<'_>,
    index: usize,
    files_using: &[bool],
) -> bool {
    if job_uses_token_itself(view, index) {
        return true;
    }
    if view.job(index).call.is_none() {
        return false;
    }
    let graph = &facts.calls;
    let call = graph
        .calls
        .iter()
        .enumerate()
        .find(|(_, c)| c.caller == view.index && c.job == index);
    match call {
        Some((call_index, call)) if !graph.cycles.contains(&call_index) => match call.callee {
            Callee::Local(file) => files_using.get(file).copied().unwrap_or(true),
            Callee::Missing(_) | Callee::Remote(_) => true,
        },
        _ => true,
    }
}

/// Job-level `id-token: write` grants that neither the job nor the
/// workflow it calls uses. A workflow-level grant is TP202's finding, and
/// `write-all` TP204's.
pub fn unused_id_tokens<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<UnusedIdToken<'a>> {
    let files_using = call_reach::files_reaching(
        &facts.calls,
        repo.workflows.len(),
        |file| {
            views(repo, facts)
                .find(|v| v.index == file)
                .is_none_or(|v| (0..v.workflow.jobs.len()).any(|i| job_uses_token_itself(&v, i)))
        },
        true,
    );
    let mut unused = Vec::new();
    for view in views(repo, facts) {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let Some(block) = &job.permissions else {
                continue;
            };
            let PermissionsKind::Scopes(scopes) = &block.kind else {
                continue;
            };
            let Some(scope) = scopes.iter().find(|s| s.name.value == "id-token") else {
                continue;
            };
            if scope.access.value != Access::Write
                || job_needs_oidc(facts, &view, index, &files_using)
                // A publish job no run reaches gets no finding.
                || view.facts.unreachable_jobs.contains(&index)
            {
                continue;
            }
            let id = &job.id.value;
            let (message, help) = if job.call.is_some() {
                (
                    format!(
                        "job `{id}` grants `id-token: write` to a reusable workflow that neither publishes by OIDC nor uses a known OIDC consumer"
                    ),
                    "remove `id-token: write` from the calling job",
                )
            } else {
                (
                    format!(
                        "job `{id}` has `id-token: write`, but no step publishes by trusted publishing or uses a known OIDC consumer"
                    ),
                    "remove `id-token: write`, so that code running in this job cannot mint OIDC tokens (e.g. to publish to PyPI)",
                )
            };
            unused.push(UnusedIdToken {
                finding: found(
                    Location::new(view.file.file, scope.access.span),
                    message,
                    Some(help.to_string()),
                    Vec::new(),
                ),
            });
        }
    }
    unused
}

/// Every `uses:` tplint reads, with its file and, for a local action, the
/// `uses:` of the workflow that runs it: the workflows' own, then those of
/// the local actions they use.
pub fn every_uses<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> impl Iterator<Item = (FileId, &'a Uses, Option<Location>)> + 'a {
    let workflows = views(repo, facts).flat_map(|view| {
        view.workflow
            .all_uses()
            .map(move |uses| (view.file.file, uses, None))
    });
    let actions = repo
        .locals
        .actions
        .iter()
        .enumerate()
        .filter_map(|(index, local)| Some((index, local.file?, local.action.as_ref()?)))
        .flat_map(move |(index, file, action)| {
            let used_at = facts.action_uses.get(index).copied().flatten();
            action
                .steps
                .iter()
                .filter_map(|s| s.uses.as_ref())
                .map(move |uses| (file, uses, used_at))
        });
    workflows.chain(actions)
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

/// Actions and reusable workflows by tag, branch or short SHA, and Docker
/// images by tag, in the workflows and the local actions they use.
pub fn unpinned_references<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> Vec<UnpinnedReference<'a>> {
    let mut unpinned = Vec::new();
    for (file, uses, used_at) in every_uses(repo, facts) {
        match &uses.target {
            UsesTarget::Remote {
                owner,
                repo: name,
                path,
                git_ref,
                ref_span,
                ..
            } if !is_commit_sha(git_ref) && !pinned_by_tag_by_design(owner, name, git_ref) => {
                let what = if path
                    .as_deref()
                    .is_some_and(|p| p.starts_with(".github/workflows/"))
                {
                    "reusable workflow"
                } else {
                    "action"
                };
                let short_sha = git_ref.len() >= 7
                    && git_ref.len() < 40
                    && git_ref.bytes().all(|b| b.is_ascii_hexdigit());
                let message = if short_sha {
                    format!(
                        "{what} `{owner}/{name}` is pinned to the short SHA `{git_ref}`, which is not an immutable reference"
                    )
                } else {
                    format!(
                        "{what} `{owner}/{name}` is referenced by `@{git_ref}`, a tag or branch that can be moved to other code"
                    )
                };
                unpinned.push(UnpinnedReference {
                    finding: found(
                        Location::new(file, *ref_span),
                        message,
                        Some(format!(
                            "pin the full 40-character commit SHA and keep the version as a comment: `{owner}/{name}{}@<sha> # {git_ref}`",
                            path.as_deref().map(|p| format!("/{p}")).unwrap_or_default()
                        )),
                        used_here(used_at),
                    ),
                    severity: None,
                    pin: Some(Pin {
                        file,
                        uses,
                        owner,
                        repo: name,
                        git_ref,
                        ref_span: *ref_span,
                    }),
                });
            }
            UsesTarget::Docker {
                image,
                digest: None,
            } => unpinned.push(UnpinnedReference {
                finding: found(
                    Location::new(file, uses.raw.span),
                    format!(
                        "Docker image `{image}` is not pinned by digest, so its tag can be moved"
                    ),
                    Some(format!(
                        "pin the image digest: `docker://{image}@sha256:<digest>`"
                    )),
                    used_here(used_at),
                ),
                severity: None,
                pin: None,
            }),
            _ => {}
        }
    }
    unpinned
}

/// Each upload to npm of the workflows, with whether an action tplint does
/// not know runs before it in its job.
pub fn npm_uploads<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<NpmUpload<'a>> {
    let mut uploads = Vec::new();
    for view in views(repo, facts) {
        for site in &view.facts.publish_sites {
            let Some(npm) = site.npm.as_ref() else {
                continue;
            };
            if site.index() != Some(Registry::Npm) {
                continue;
            }
            // semantic-release runs the npm it bundles, not the job's.
            let runs_job_npm = site.uploader != Uploader::SemanticRelease
                && site.uploader.npm_client() == Some(Uploader::Npm);
            let job = view.job(site.job);
            // An unknown action, or a command tplint cannot see into (as
            // GitLab's front end counts, and as the site's own reading of
            // whether a token wins did: `npx lerna version` before `lerna
            // exec -- npm publish` on ionic-team/capacitor).
            let unseen_before = job.steps.iter().take(site.step + 1).any(|step| {
                step.uses.as_ref().is_some_and(|u| {
                    matches!(u.target, UsesTarget::Remote { .. }) && !actions::is_known(&u.target)
                })
            }) || view
                .job_facts(site.job)
                .opaque
                .iter()
                .any(|o| o.top <= site.step);
            // (`JobFacts::oidc_consumer` counts the publish itself.)
            let grant_used_elsewhere = !view.job_facts(site.job).opaque.is_empty()
                || job
                    .steps
                    .iter()
                    .enumerate()
                    .any(|(index, step)| index != site.step && oidc::is_consumer(step))
                || view
                    .sites_of(site.job)
                    .any(|other| !std::ptr::eq(other, site) && other.is_oidc());
            uploads.push(NpmUpload {
                site,
                npm,
                runs_job_npm,
                unseen_before,
                grant: "`id-token: write`".to_string(),
                newer_node: "`node-version: 24`",
                grant_used_elsewhere,
            });
        }
    }
    uploads
}
