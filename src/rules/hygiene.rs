//! TP6xx: the shape of the publish job — what starts it, what else runs in
//! it, where it runs, and how the distributions reach it. TP601 and TP602
//! are written once for every CI system, over the views of
//! [`publish_job`], and TP606 over [`crate::facts::ci_view`] (only
//! GitLab's front end fills it: a GitLab job has one token per entry);
//! the others read GitHub workflows.

use crate::catalogue::{
    ARTIFACT_HANDOFF, BUILD_IN_PUBLISH_JOB, OIDC_TOKEN_REUSED, PUBLISH_TWICE_IN_JOB,
    UNSUPPORTED_RUNNER, UNTRUSTED_TRIGGER,
};

use super::Context;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::facts::WorkflowView;
use crate::facts::artifacts::{self, ArtifactName, Download, UpstreamArtifacts};
use crate::facts::attestations::{self, Attests};
use crate::facts::build_steps::{self, BuildKind};
use crate::facts::conditions::{self, Verdict};
use crate::facts::oidc;
use crate::facts::publish::{PublishSite, Target, Uploader};
use crate::facts::publish_job::{self, Reach};
use crate::source::{FileId, Span};
use crate::workflow::{Job, RunsOn, Step};

/// Whether a site uploads to PyPI or TestPyPI (or to an index named by an
/// expression, which may be either): a private index is not a release to
/// PyPI, and its publishing is not this tool's business.
fn to_pypi(site: &PublishSite) -> bool {
    !matches!(site.target, Target::Custom(_))
}

/// The indexes of the jobs with a site that `keep` accepts, in order.
fn jobs_with(view: &WorkflowView<'_>, keep: impl Fn(&PublishSite) -> bool) -> Vec<usize> {
    let mut jobs: Vec<usize> = view
        .facts
        .publish_sites
        .iter()
        .filter(|s| keep(s))
        .map(|s| s.job)
        .collect();
    jobs.dedup();
    jobs
}

/// The jobs that publish to PyPI or TestPyPI.
fn publish_jobs(view: &WorkflowView<'_>) -> Vec<usize> {
    jobs_with(view, to_pypi)
}

/// The jobs that use gh-action-pypi-publish, whatever the index.
fn action_jobs(view: &WorkflowView<'_>) -> Vec<usize> {
    jobs_with(view, |s| s.uploader == Uploader::GhActionPypiPublish)
}

/// TP601, written once over [`publish_job::UntrustedStart`]s: a run on
/// untrusted code that reaches an upload is a warning, an error when the
/// registry refuses such runs' tokens, and advice when a condition tplint
/// cannot evaluate, or a file it cannot read, decides.
pub(super) fn untrusted_trigger(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for start in publish_job::untrusted_starts(context.repo, context.facts) {
        let severity = match start.reach {
            Reach::Undecided => Severity::Info,
            Reach::Certain if start.refused => Severity::Error,
            Reach::Certain if start.may_be_excluded => Severity::Info,
            Reach::Certain => Severity::Warning,
        };
        out.push(
            start.finish(
                Diagnostic::new(&UNTRUSTED_TRIGGER, start.location, start.message.as_str())
                    .with_severity(severity)
                    .with_help(start.help.as_str()),
            ),
        );
    }
}

/// TP602, written once over [`publish_job::PublishJob`]s: what else runs next to the
/// job's first upload by trusted publishing.
pub(super) fn build_in_publish_job(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for job in context.publish_jobs() {
        let Some(&site) = job.sites.first() else {
            continue;
        };
        let words = job.words;
        // Other uploaders need their own tool installed to run at all.
        let tool_setup_allowed = site.uploader != Uploader::GhActionPypiPublish;
        // `cargo publish` and `rake release` build from the checkout
        // themselves: it and the builds they run anyway are no finding.
        // Only when every upload of the job does: a `deno publish` does
        // not excuse the `npm install` before an `npm publish` beside it.
        let builds_of = |s: &&PublishSite| s.uploader.builds_from_source();
        let from_source = job
            .sites
            .iter()
            .all(|s| builds_of(s).is_some())
            .then_some(site);
        let subsumed = |what: &str| {
            job.sites.iter().all(|s| {
                builds_of(s).is_some_and(|builds| builds.iter().any(|b| what.starts_with(b)))
            })
        };
        // An upload that packs or builds a folder of the checkout
        // (`npm publish`, `changeset publish`, `cargo publish`) needs it.
        let needs_checkout = job.sites.iter().any(|s| s.publishes_checkout());
        let build = job
            .builds
            .iter()
            .find(|b| b.kind == BuildKind::Build && !subsumed(&b.what));
        // A script of the repository that the upload itself runs in (a
        // package script that is `pnpm publish`) is the upload, not code
        // next to it: what it builds is among the builds.
        let local = job
            .local_code
            .iter()
            .find(|local| !job.sites.iter().any(|s| s.via.contains(&local.location)));
        let (location, via, what, severity) = if let Some(build) = build {
            (
                build.location,
                &build.via,
                format!("builds or installs code (`{}`)", build.what),
                Severity::Warning,
            )
        } else if let Some(local) = local {
            // Next to a tool that builds from the checkout anyway, the
            // repository's own code may be setup that build needs.
            (
                local.location,
                &local.via,
                format!("runs {}", local.what),
                if from_source.is_some() {
                    Severity::Info
                } else {
                    Severity::Warning
                },
            )
        } else if let Some(checkout) = job.builds.iter().find(|b| {
            // A repository script that is the upload needs the checkout.
            b.kind == BuildKind::Checkout
                && !needs_checkout
                && !words.starts_checked_out
                && job.local_code.is_empty()
        }) {
            (
                checkout.location,
                &checkout.via,
                "checks out the repository".to_string(),
                Severity::Info,
            )
        } else if let Some(setup) = job
            .builds
            .iter()
            .find(|b| b.kind == BuildKind::ToolSetup && !tool_setup_allowed)
        {
            (
                setup.location,
                &setup.via,
                format!(
                    "installs tools that gh-action-pypi-publish does not need (`{}`)",
                    setup.what
                ),
                Severity::Info,
            )
        } else {
            continue;
        };
        let tokenless = words.tokenless_job;
        let help = if from_source.is_some() && severity == Severity::Info {
            format!(
                "keep it only if it installs what the build needs; anything else belongs in {tokenless}"
            )
        } else if from_source.is_some() {
            format!(
                "run tests and other builds in {tokenless}; the publish job needs only the checkout, the toolchain and the publish itself"
            )
        } else if severity == Severity::Warning {
            (words.separate_build)(site.index())
        } else {
            "if the job needs nothing from the checkout, drop the step; the fewer steps run next to the token, the less can misuse it".to_string()
        };
        let message = if severity == Severity::Warning {
            format!(
                "job `{}` publishes by trusted publishing and also {what}, so that code runs {}",
                job.name, words.token_reach,
            )
        } else if let Some(builder) = from_source {
            format!(
                "job `{}` publishes by trusted publishing and also {what}, which runs {}; `{}` builds from the checkout here anyway, so it may be setup that build needs",
                job.name,
                words.token_reach,
                builder.name(),
            )
        } else {
            // Tool setup runs code from outside the repository next to the
            // token: never "nothing runs" when it does.
            let setup = job.builds.iter().find(|b| b.kind == BuildKind::ToolSetup);
            match setup {
                Some(_) if !tool_setup_allowed => format!(
                    "job `{}` publishes by trusted publishing and also {what}, which runs {}; nothing from the checkout runs that tplint can see",
                    job.name, words.token_reach,
                ),
                Some(setup) => format!(
                    "job `{}` publishes by trusted publishing and also {what}; it runs tool setup (`{}`) next to the token, but nothing from the checkout that tplint can see runs",
                    job.name, setup.what,
                ),
                None => format!(
                    "job `{}` publishes by trusted publishing and also {what}; nothing from it runs that tplint can see",
                    job.name,
                ),
            }
        };
        let diagnostic = Diagnostic::new(&BUILD_IN_PUBLISH_JOB, location, message)
            .with_severity(severity)
            .with_help(help);
        out.push(job.finish(job.with_upload_and_via(diagnostic, site, via)));
    }
}

/// Whether a runner label names a non-Linux GitHub-hosted image or OS label.
fn non_linux_label(label: &str) -> bool {
    matches!(
        crate::workflow::label_os(label),
        Some(crate::workflow::RunnerOs::Windows | crate::workflow::RunnerOs::MacOs)
    )
}

/// gh-action-pypi-publish fails inside composite actions from this
/// `major.minor` on: it locates its own container image through
/// `github.action_repository`/`github.action_ref`, which the runner does not
/// set for nested actions (pypa/gh-action-pypi-publish#299; its README lists
/// composite actions among the non-goals).
const COMPOSITE_BROKEN_SINCE: (u64, u64) = (1, 12);

fn publish_action_in_composite(
    context: &Context<'_>,
    view: &WorkflowView<'_>,
    site: &PublishSite,
) -> Option<Diagnostic> {
    site.inner?;
    let step = crate::facts::site_step(context.repo, view, site)?;
    let version = step
        .uses
        .as_ref()
        .and_then(crate::facts::attestations::declared_version);
    let broken = version.is_none_or(|v| v >= COMPOSITE_BROKEN_SINCE);
    let (severity, message) = if broken {
        (
            Severity::Error,
            "pypa/gh-action-pypi-publish runs inside a local composite action, where it fails since v1.12.0: the runner does not tell a nested action where it comes from, so it cannot find its own container image",
        )
    } else {
        (
            Severity::Warning,
            "pypa/gh-action-pypi-publish runs inside a local composite action, which it does not support: this version works, but from v1.12.0 on it fails there",
        )
    };
    Some(
        Diagnostic::new(&UNSUPPORTED_RUNNER, site.location(), message)
            .with_severity(severity)
            .with_help("use pypa/gh-action-pypi-publish directly as a step of the publish job; keep the composite action for what comes before it")
            .with_via(&site.via),
    )
}

pub(super) fn unsupported_runner(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    self_hosted_npm(context, out);
    for view in context.workflows() {
        for index in action_jobs(&view) {
            for site in view
                .sites_of(index)
                .filter(|s| s.uploader == Uploader::GhActionPypiPublish)
            {
                out.extend(publish_action_in_composite(context, &view, site));
            }
            let Some(site) = view
                .sites_of(index)
                .find(|s| s.uploader == Uploader::GhActionPypiPublish)
            else {
                continue;
            };
            let job = view.job(index);
            let file = view.file.file;
            if let Some(RunsOn::Labels(labels)) = &job.runs_on
                && let Some(label) = labels
                    .iter()
                    .find(|l| !l.is_expression() && non_linux_label(&l.value))
            {
                out.push(
                    Diagnostic::new(
                        &UNSUPPORTED_RUNNER,
                        Location::new(file, label.span),
                        format!(
                            "job `{}` runs gh-action-pypi-publish on `{}`, but the action is a container action that runs only on Linux runners",
                            job.id.value, label.value
                        ),
                    )
                    .with_help(
                        "build on any OS, upload the distributions as artifacts, and publish from a job with `runs-on: ubuntu-latest`",
                    )
                    .with_related(site.entry(), "the action is used here"),
                );
            }
            if let Some(container) = job.container {
                out.push(
                    Diagnostic::new(
                        &UNSUPPORTED_RUNNER,
                        Location::new(file, container),
                        format!(
                            "job `{}` runs in a `container:`, where gh-action-pypi-publish is not supported",
                            job.id.value
                        ),
                    )
                    .with_help("publish from a separate job without `container:`, handing the distributions over as artifacts")
                    .with_related(site.entry(), "the action is used here"),
                );
            }
        }
    }
}

/// npm trusted publishing from a job whose `runs-on` names the
/// `self-hosted` label: "Self-hosted runners are not currently supported"
/// (docs.npmjs.com/trusted-publishers, npm/documentation
/// `trusted-publishers.mdx`).
fn self_hosted_npm(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let Some(site) = view
                .sites_of(index)
                .find(|s| s.is_oidc() && s.index() == Some(crate::registry::Registry::Npm))
            else {
                continue;
            };
            let Some(RunsOn::Labels(labels)) = &job.runs_on else {
                continue;
            };
            let Some(label) = labels
                .iter()
                .find(|l| !l.is_expression() && l.value.eq_ignore_ascii_case("self-hosted"))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &UNSUPPORTED_RUNNER,
                    Location::new(view.file.file, label.span),
                    format!(
                        "job `{}` publishes to npm by trusted publishing on a self-hosted runner, which npm does not support: the token exchange fails",
                        job.id.value
                    ),
                )
                .with_help("publish from a job on a GitHub-hosted runner (`runs-on: ubuntu-latest`), handing the package over as an artifact")
                .with_related(site.entry(), "npm publishes here"),
            );
        }
    }
}

/// Workflows with more jobs than this are not followed by TP604: each
/// publish job walks its whole `needs` closure, so a file with thousands of
/// chained publish jobs would cost quadratic time. Real workflows have tens.
const MAX_JOBS_FOR_ARTIFACT_FLOW: usize = 500;

pub(super) fn artifact_handoff(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        if view.workflow.jobs.len() > MAX_JOBS_FOR_ARTIFACT_FLOW {
            continue;
        }
        for index in publish_jobs(&view) {
            let job = view.job(index);
            let Some(first_site) = view.sites_of(index).find(|s| to_pypi(s)) else {
                continue;
            };
            let downloads: Vec<Download<'_>> = artifacts::downloads(job)
                .into_iter()
                .filter(|d| d.step.index < first_site.step && !d.external)
                .collect();
            if downloads.is_empty() {
                continue;
            }
            let upstream = artifacts::upstream(view.workflow, job);
            let file = view.file.file;
            if !upstream.incomplete {
                for download in &downloads {
                    if let Some(diagnostic) = missing_artifact(download, &upstream, job, file) {
                        out.push(diagnostic.with_related(first_site.entry(), "the publish step"));
                    }
                }
            }
            // A publish step inside a local action may be preceded there by
            // steps that move the files: only the workflow's own are judged.
            for site in view.sites_of(index).filter(|s| {
                s.uploader == Uploader::GhActionPypiPublish && to_pypi(s) && !s.is_indirect()
            }) {
                if let Some(diagnostic) = wrong_folder(job, site, &downloads, &upstream, file) {
                    out.push(diagnostic);
                }
            }
        }
    }
}

fn uploaded_names(upstream: &UpstreamArtifacts) -> String {
    let names: Vec<String> = upstream
        .uploads
        .iter()
        .map(|u| match &u.name {
            ArtifactName::Literal(name) => format!("`{name}`"),
            ArtifactName::Template { prefix, suffix } => format!("`{prefix}…{suffix}`"),
        })
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// A download whose `name` or `pattern` no job of the `needs` closure uploads.
fn missing_artifact(
    download: &Download<'_>,
    upstream: &UpstreamArtifacts,
    job: &Job,
    file: FileId,
) -> Option<Diagnostic> {
    let id = &job.id.value;
    let uploads = &upstream.uploads;
    let (span, message) = match (download.name, download.pattern) {
        (Some(name), _) => {
            if name.is_expression() || uploads.iter().any(|u| u.name.may_equal(&name.value)) {
                return None;
            }
            let message = format!(
                "job `{id}` downloads artifact `{}`, but no job in its `needs:` uploads an artifact of that name",
                name.value
            );
            (name.span, message)
        }
        (None, Some(pattern)) => {
            if pattern.is_expression() || uploads.iter().any(|u| u.name.may_match(&pattern.value)) {
                return None;
            }
            let message = format!(
                "job `{id}` downloads artifacts matching `{}`, but no job in its `needs:` uploads a matching artifact",
                pattern.value
            );
            (pattern.span, message)
        }
        (None, None) => {
            if !uploads.is_empty() {
                return None;
            }
            let message = format!(
                "job `{id}` downloads all artifacts, but no job in its `needs:` uploads any"
            );
            (download.span, message)
        }
    };
    let help = if job.needs.is_empty() {
        "add the job that uploads the artifact to this job's `needs:`; without it the artifact may not exist yet".to_string()
    } else {
        format!(
            "the jobs this job needs upload: {}; fix the name, or add the uploading job to `needs:`",
            uploaded_names(upstream)
        )
    };
    Some(Diagnostic::new(&ARTIFACT_HANDOFF, Location::new(file, span), message).with_help(help))
}

/// Where gh-action-pypi-publish looks for distributions: `packages-dir`,
/// `dist` by default. `None` when it is an expression.
fn packages_dir(step: &Step) -> Option<(String, Option<Span>)> {
    let input = step
        .input("packages-dir")
        .or_else(|| step.input("packages_dir"))
        .filter(|kv| !kv.value.value.trim().is_empty());
    match input {
        None => Some(("dist".to_string(), None)),
        Some(kv) if kv.value.is_expression() => None,
        Some(kv) => Some((
            artifacts::normalize_dir(&kv.value.value)?,
            Some(kv.value.span),
        )),
    }
}

/// Whether a download certainly puts files directly in `folder`:
/// `Some(true)` yes, `Some(false)` certainly not, `None` cannot tell.
fn fills_folder(
    download: &Download<'_>,
    folder: &str,
    upstream: &UpstreamArtifacts,
) -> Option<bool> {
    // The uploads this download can fetch.
    let fetched = |u: &&artifacts::Upload| match (download.name, download.pattern) {
        (Some(name), _) => name.is_expression() || u.name.may_equal(&name.value),
        (None, Some(p)) => p.is_expression() || u.name.may_match(&p.value),
        (None, None) => true,
    };
    // Where the artifact's files start depends on how it was uploaded.
    let all_flat = !upstream.incomplete && upstream.uploads.iter().filter(fetched).all(|u| u.flat);
    if let Some(direct) = download.files_folder() {
        return match direct == folder {
            true => Some(true),
            false if all_flat => Some(false),
            false => None,
        };
    }
    if !download.lands_in_subfolders() {
        return None; // an expression in `path` or `merge-multiple`
    }
    // Each artifact lands in `base/<artifact-name>/`.
    let base = match download.path {
        Some(p) => artifacts::normalize_dir(&p.value)?,
        None => ".".to_string(),
    };
    let name = if base == "." {
        folder
    } else {
        match folder.strip_prefix(&format!("{base}/")) {
            Some(rest) => rest,
            None if all_flat => return Some(false),
            None => return None,
        }
    };
    if !all_flat {
        return None;
    }
    Some(
        !name.contains('/')
            && upstream
                .uploads
                .iter()
                .filter(fetched)
                .any(|u| u.name.may_equal(name)),
    )
}

/// The downloads before a gh-action-pypi-publish step put nothing directly
/// in its `packages-dir`.
fn wrong_folder(
    job: &Job,
    site: &PublishSite,
    downloads: &[Download<'_>],
    upstream: &UpstreamArtifacts,
    file: FileId,
) -> Option<Diagnostic> {
    let step = job.steps.get(site.step)?;
    let (folder, folder_span) = packages_dir(step)?;
    let before: Vec<&Download<'_>> = downloads
        .iter()
        .filter(|d| d.step.index < site.step)
        .collect();
    let first = before.first()?;
    // Any other step between download and publish may move or add files.
    let rearranged = job.steps[..site.step].iter().any(|s| {
        if before.iter().any(|d| std::ptr::eq(d.step, s)) {
            return false;
        }
        if let Some(run) = &s.run {
            return !artifacts::run_only_inspects(&run.value);
        }
        let harmless =
            oidc::is_consumer(s) || build_steps::classify(s).is_some_and(|k| k != BuildKind::Build);
        !harmless
    });
    if rearranged {
        return None;
    }
    let mut verdicts = before.iter().map(|d| fills_folder(d, &folder, upstream));
    if !verdicts.all(|v| v == Some(false)) {
        return None;
    }
    let shown = |folder: &str| {
        if folder == "." {
            "the workspace root".to_string()
        } else {
            format!("`{folder}/`")
        }
    };
    let (span, message, help) = if first.lands_in_subfolders() {
        (
            first.path.map_or(first.span, |p| p.span),
            format!(
                "the download without `name` puts each artifact in its own `<path>/<artifact-name>/` folder, so gh-action-pypi-publish finds no distributions directly in {}",
                shown(&folder)
            ),
            "add `merge-multiple: true` to the download (or download one artifact by `name`), so the files land directly in the folder".to_string(),
        )
    } else {
        let landed = first.files_folder().unwrap_or_default();
        (
            first.path.map_or(first.span, |p| p.span),
            format!(
                "the artifacts are downloaded to {}, but gh-action-pypi-publish publishes from {}",
                shown(&landed),
                shown(&folder)
            ),
            format!(
                "download to `{folder}/`, or set `packages-dir: {landed}/` on the publish step"
            ),
        )
    };
    let mut diagnostic = Diagnostic::new(&ARTIFACT_HANDOFF, Location::new(file, span), message)
        .with_help(help)
        .with_related(site.entry(), "the publish step");
    if let Some(folder_span) = folder_span {
        diagnostic = diagnostic.with_related(
            Location::new(file, folder_span),
            "`packages-dir` is set here",
        );
    }
    Some(diagnostic)
}

/// Most uses of gh-action-pypi-publish in one job compared pairwise (real
/// jobs have two or three; a machine-made one is not read further).
const MAX_USES_COMPARED: usize = 16;

/// One use of gh-action-pypi-publish that may write attestations.
struct AttestingUse<'a> {
    site: &'a PublishSite,
    condition: Option<&'a str>,
    /// Whether it makes attestations (unknown: `attestations:` is an expression).
    attests: Verdict,
    /// Its `packages-dir`, normalised; the expression when it is one.
    folder: Result<String, String>,
}

pub(super) fn publish_twice_in_job(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for view in context.workflows() {
        for index in action_jobs(&view) {
            let job = view.job(index);
            let uses: Vec<AttestingUse<'_>> = view
                .sites_of(index)
                .filter(|s| s.uploader == Uploader::GhActionPypiPublish)
                .filter_map(|site| {
                    let step = crate::facts::site_step(context.repo, &view, site)?;
                    let attests = match attestations::attests(site, step) {
                        Attests::No => return None,
                        Attests::Yes => Verdict::TRUE,
                        Attests::Unknown(expression) => Verdict::unknown(expression),
                    };
                    let folder = packages_dir(step).map(|(dir, _)| dir).ok_or_else(|| {
                        step.input("packages-dir")
                            .or_else(|| step.input("packages_dir"))
                            .map(|kv| kv.value.value.clone())
                            .unwrap_or_default()
                    });
                    Some(AttestingUse {
                        site,
                        condition: step.condition.as_ref().map(|c| c.value.as_str()),
                        attests,
                        folder,
                    })
                })
                .take(MAX_USES_COMPARED)
                .collect();
            // The pair most certain to collide: both make attestations, in
            // the same folder, in the same run.
            let mut found: Option<(Verdict, &AttestingUse<'_>, &AttestingUse<'_>)> = None;
            'pairs: for (i, first) in uses.iter().enumerate() {
                for second in &uses[i + 1..] {
                    let same_folder = match (&first.folder, &second.folder) {
                        (Ok(a), Ok(b)) => Verdict::from_bool(a == b),
                        (Err(expression), _) | (_, Err(expression)) => {
                            Verdict::unknown(expression.clone())
                        }
                    };
                    let verdict = first
                        .attests
                        .clone()
                        .and(second.attests.clone())
                        .and(same_folder);
                    if verdict.is_false() {
                        continue;
                    }
                    let verdict = verdict.and(conditions::together(
                        view.workflow,
                        first.condition,
                        second.condition,
                    ));
                    if verdict.is_false() {
                        continue;
                    }
                    let certain = verdict.is_true();
                    if found.is_none() || certain {
                        found = Some((verdict, first, second));
                    }
                    if certain {
                        break 'pairs;
                    }
                }
            }
            let Some((verdict, first, second)) = found else {
                continue;
            };
            let folder = match &first.folder {
                Ok(dir) if dir == "." => "the workspace root".to_string(),
                Ok(dir) => format!("`{dir}/`"),
                Err(expression) => format!("`{expression}`"),
            };
            let diagnostic = match &verdict.term {
                Some(term) if !verdict.is_true() => Diagnostic::new(
                    &PUBLISH_TWICE_IN_JOB,
                    second.site.location(),
                    format!(
                        "job `{}` runs gh-action-pypi-publish twice with attestations on; if both run in one run on the same folder, the second finds the first run's attestation files and fails, and that depends on {}, which tplint cannot know",
                        job.id.value,
                        crate::facts::conditions::quoted_term(term)
                    ),
                )
                .with_severity(Severity::Info),
                _ => Diagnostic::new(
                    &PUBLISH_TWICE_IN_JOB,
                    second.site.location(),
                    format!(
                        "job `{}` runs gh-action-pypi-publish twice on {folder} with attestations on (the default since v1.11.0); the second run finds the first run's attestation files and fails",
                        job.id.value
                    ),
                ),
            };
            out.push(
                diagnostic
                    .with_help(
                        "publish to each index from its own job (each downloading the distributions), publish from different folders, or set `attestations: false` on all uses but one",
                    )
                    .with_related(
                        first.site.location(),
                        "first use, which writes the attestations",
                    ),
            );
        }
    }
}

/// TP606, over [`SpentToken`](crate::facts::ci_view::SpentToken)s: a
/// single-use token spent by a second upload of its job.
pub(super) fn oidc_token_reused(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for spent in crate::facts::ci_view::spent_tokens(context.repo, context.facts) {
        out.push(
            spent
                .finding
                .diagnostic(&OIDC_TOKEN_REUSED)
                .with_severity(spent.severity),
        );
    }
}
