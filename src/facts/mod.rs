//! Facts derived once from the workflow model and shared by the rules:
//! publish sites, effective permissions, which file PyPI attributes a job to,
//! and, for the rules written once for every CI system, the jobs that
//! publish by trusted publishing, the uploads with a token and the
//! untrusted triggers that reach an upload, in GitHub's words
//! ([`publish_job::PublishJob`], [`publish_job::PasswordUpload`],
//! [`publish_job::UntrustedStart`]), and the files, tokens and references
//! those rules check ([`ci_view`], GitHub's part in [`ci_view::github`]).

pub mod actions;
pub mod artifacts;
pub mod attestations;
pub mod build_steps;
pub mod cake;
pub mod call_reach;
pub mod calls;
pub mod ci_view;
pub mod conditions;
pub mod csharp;
pub mod expand;
pub mod grinder;
pub mod melos;
pub mod mise;
pub mod npm;
pub mod nuke;
pub mod oidc;
pub mod parse_cache;
pub mod permissions;
pub mod powershell;
pub mod publish;
pub mod publish_job;
pub mod publisher_files;
pub mod scripts;
pub mod shell;
pub mod step_outputs;
pub mod tag_filter;
pub mod tasks;
pub mod triggers;
pub mod untrusted;
pub mod words;

use crate::diagnostic::Location;
use crate::registry::publishing::Uploader;
use crate::registry::{MatchedWorkflow, Registry};
use crate::repository::{Repository, WorkflowFile};
use crate::tri::Tri;
use crate::workflow::{Job, Step, Workflow};

pub use expand::Opaque;
pub use publish::PublishSite;

/// Facts about one workflow file, parallel to `Repository::workflows`.
#[derive(Debug, Default)]
pub struct WorkflowFacts {
    /// Sorted by job.
    pub publish_sites: Vec<PublishSite>,
    /// Parallel to `Workflow::jobs`.
    pub jobs: Vec<JobFacts>,
    /// Jobs that publish, as written, but that no run of the workflow can
    /// reach (their publish sites are left out of `publish_sites`).
    pub unreachable_jobs: Vec<usize>,
}

/// What a job runs, through its local actions, scripts and recipes.
#[derive(Debug, Default)]
pub struct JobFacts {
    /// A known consumer of the OIDC token runs in the job.
    pub oidc_consumer: bool,
    /// Steps whose effect tplint cannot see, in step order.
    pub opaque: Vec<Opaque>,
    /// Steps that check out, set up or build, in step order.
    pub builds: Vec<BuildFact>,
    /// Code of the repository that runs: local actions, scripts, recipes.
    pub local_code: Vec<LocalCode>,
    /// Steps that exchanged the job's OIDC token for a registry token.
    pub mints: Vec<publish::Mint>,
}

/// A step that checks out, sets up or builds.
#[derive(Clone, Debug)]
pub struct BuildFact {
    pub kind: build_steps::BuildKind,
    /// The action or command, for messages.
    pub what: String,
    /// The job's own step that does it or leads to it.
    pub top: usize,
    pub location: Location,
    pub via: Vec<Location>,
}

impl BuildFact {
    /// The build `command` of `block` runs, if it is one.
    pub fn of(block: &expand::ShellBlock<'_, '_, '_>, command: &shell::Command) -> Option<Self> {
        let kind = build_steps::classify_commands(std::slice::from_ref(command))?;
        let mut what = command.words.join(" ");
        if what.chars().count() > 60 {
            what = what.chars().take(57).collect::<String>() + "...";
        }
        Some(BuildFact {
            kind,
            what,
            top: block.exec.top,
            location: block.command_location(command),
            via: block.via.clone(),
        })
    }
}

impl BuildFact {
    /// The builds that run inside the command substitutions of `block`
    /// (`VERSION=$(pip install . && ...)`), in a job that may mint an
    /// OIDC token (elsewhere no build is next to one).
    pub fn in_substitutions(
        block: &expand::ShellBlock<'_, '_, '_>,
        commands: &[shell::Command],
    ) -> Vec<Self> {
        if !(block.text.contains("$(") || block.text.contains('`'))
            || !expand::job_may_mint(block.exec.job)
        {
            return Vec::new();
        }
        shell::substituted(&block.text, commands)
            .iter()
            .filter_map(|command| Self::of(block, command))
            .collect()
    }
}

/// Repository code that runs in a job.
#[derive(Clone, Debug)]
pub struct LocalCode {
    pub top: usize,
    pub location: Location,
    pub via: Vec<Location>,
    pub what: String,
}

/// Collects every fact of one job in a single walk.
#[derive(Default)]
struct JobVisitor {
    sites: Vec<PublishSite>,
    facts: JobFacts,
    mint: publish::MintState,
}

/// Most publish sites kept for one job. A real job uploads once or twice;
/// a hostile recipe file could make every line an upload, and rules look
/// at sites in pairs.
const MAX_SITES_PER_JOB: usize = 32;

impl<'a> expand::Visit<'a> for JobVisitor {
    fn step(&mut self, exec: &expand::Executed<'a, '_>) {
        if let Some(site) = publish::step_site(exec, &self.mint)
            && self.sites.len() < MAX_SITES_PER_JOB
        {
            self.sites.push(site);
        }
        self.mint.observe(exec);
        self.facts.oidc_consumer |= oidc::step_consumes(exec);
        if let Some(kind) = build_steps::classify_action(exec.step) {
            let span = exec
                .step
                .uses
                .as_ref()
                .map_or(exec.step.span, |u| u.raw.span);
            self.facts.builds.push(BuildFact {
                kind,
                what: match build_steps::action_runs(exec.step) {
                    Some(runs) => runs.to_string(),
                    None => exec
                        .step
                        .uses
                        .as_ref()
                        .map(|u| u.raw.value.trim().to_string())
                        .unwrap_or_default(),
                },
                top: exec.top,
                location: exec.location(span),
                via: exec.via(),
            });
        }
    }

    fn shell(&mut self, block: &expand::ShellBlock<'a, '_, '_>, commands: &[shell::Command]) {
        let room = MAX_SITES_PER_JOB.saturating_sub(self.sites.len());
        self.sites.extend(
            publish::shell_sites(block, commands, &self.mint)
                .into_iter()
                .take(room),
        );
        self.mint.observe_shell(block);
        self.facts.oidc_consumer |= oidc::text_consumes(&block.text);
        for command in commands {
            self.facts.builds.extend(BuildFact::of(block, command));
        }
        self.facts
            .builds
            .extend(BuildFact::in_substitutions(block, commands));
    }

    fn opaque(&mut self, opaque: Opaque) {
        self.mint.opaque_seen = true;
        self.facts.opaque.push(opaque);
    }

    fn local_code(&mut self, top: usize, location: Location, via: &[Location], what: &str) {
        self.facts.local_code.push(LocalCode {
            top,
            location,
            via: via.to_vec(),
            what: what.to_string(),
        });
    }
}

#[derive(Debug, Default)]
pub struct Facts {
    pub workflows: Vec<WorkflowFacts>,
    pub calls: calls::CallGraph,
    /// Per local action (parallel to `Repository::locals.actions`), the
    /// first `uses:` that runs it.
    pub action_uses: Vec<Option<Location>>,
    /// The GitLab pipeline's jobs, when the repository has one.
    pub gitlab: Option<crate::gitlab::facts::GitlabFacts>,
}

impl Facts {
    /// Derive the facts of a repository whose local files are read (or
    /// that has none): files a step names but that were not read are opaque.
    pub fn derive(repo: &Repository) -> Self {
        let mut walks = Walks::default();
        walks.round(repo);
        Self::assemble(repo, walks)
    }

    /// Derive the facts, reading the local files (actions, scripts,
    /// recipes) that the walk finds the jobs run, and walking again with
    /// them, as deep as nesting is followed. A repository that runs none
    /// is walked once.
    pub fn derive_reading(repo: &mut Repository) -> Self {
        // A round walks again only the jobs whose last walk named files
        // not read yet (or was short of budget): the others would walk
        // the same files to the same facts.
        let mut walks = Walks::default();
        for _ in 0..=expand::MAX_DEPTH + 1 {
            let needs = walks.round(repo);
            if needs.is_empty() || !repo.read_needs(needs) {
                return Self::assemble(repo, walks);
            }
        }
        walks.round(repo);
        Self::assemble(repo, walks)
    }

    /// The facts of the last round of walks.
    fn assemble(repo: &Repository, walks: Walks) -> Self {
        let workflows = repo
            .workflows
            .iter()
            .zip(walks.jobs)
            .map(|(file, walked)| match &file.workflow {
                Some(workflow) => {
                    let mut publish_sites = Vec::new();
                    let mut jobs = Vec::with_capacity(workflow.jobs.len());
                    for walk in walked.into_iter().flatten() {
                        let (mut sites, facts) = walk.result;
                        // Grouped by job, in step order, for `sites_of`.
                        publish_sites.append(&mut sites);
                        jobs.push(facts);
                    }
                    // A job or step no run can reach gets no finding.
                    let mut unreachable_jobs = Vec::new();
                    if !publish_sites.is_empty() {
                        let never = conditions::NeverRuns::new(workflow);
                        publish_sites.retain(|s| {
                            let runs = !never.step(workflow, s.job, s.step);
                            if !runs && never.job(s.job) {
                                unreachable_jobs.push(s.job);
                            }
                            runs
                        });
                        unreachable_jobs.dedup();
                    }
                    WorkflowFacts {
                        publish_sites,
                        jobs,
                        unreachable_jobs,
                    }
                }
                None => WorkflowFacts::default(),
            })
            .collect();
        Facts {
            workflows,
            calls: calls::CallGraph::build(repo),
            action_uses: action_uses(repo),
            gitlab: repo
                .gitlab
                .as_ref()
                .map(|_| crate::gitlab::facts::GitlabFacts {
                    jobs: walks
                        .gitlab
                        .into_iter()
                        .flatten()
                        .map(|walk| walk.result)
                        .collect(),
                    children: walks.gitlab_children,
                }),
        }
    }
}

/// One walk's result, kept from one round of [`Facts::derive_reading`] to
/// the next.
struct Walked<T> {
    result: T,
    /// The bytes of the budget the walk took, when it named no file to
    /// read and was refused no bytes: with as many bytes left, walking
    /// again would take the same bytes to the same result.
    replay: Option<usize>,
}

impl<T> Walked<T> {
    fn walk(
        budget: &expand::Budget,
        needs: &mut std::collections::BTreeSet<crate::repository::Need>,
        walk: impl FnOnce(&mut std::collections::BTreeSet<crate::repository::Need>) -> T,
    ) -> Self {
        budget.refused();
        let before = budget.left();
        let mut named = std::collections::BTreeSet::new();
        let result = walk(&mut named);
        let refused = budget.refused();
        let replay = (named.is_empty() && !refused).then(|| before - budget.left());
        needs.append(&mut named);
        Walked { result, replay }
    }

    /// Whether `kept` holds a result that walking again would give; if
    /// so, its bytes are taken from `budget` as the walk would take them.
    fn replays(kept: &Option<Self>, budget: &expand::Budget) -> bool {
        matches!(kept, Some(Walked { replay: Some(bytes), .. }) if budget.take(*bytes))
    }
}

/// What the walk of one workflow job finds: its publish sites and facts.
type JobWalk = (Vec<PublishSite>, JobFacts);

/// The walks of every job of a repository, as the rounds of
/// [`Facts::derive_reading`] leave them.
#[derive(Default)]
struct Walks {
    /// Per workflow file, per job: its publish sites and facts.
    jobs: Vec<Vec<Option<Walked<JobWalk>>>>,
    /// Per job of the GitLab pipeline.
    gitlab: Vec<Option<Walked<crate::gitlab::facts::GitlabJobFacts>>>,
    /// The GitLab pipeline's child pipelines, walked whole every round.
    gitlab_children: Vec<crate::gitlab::facts::GitlabFacts>,
    /// The files the walks parsed, kept for the next round.
    parsed: parse_cache::ParseCache,
}

impl Walks {
    /// Walk every job whose kept walk would not replay, with one budget
    /// in the same order as a first walk; returns the files named.
    fn round(&mut self, repo: &Repository) -> std::collections::BTreeSet<crate::repository::Need> {
        let budget = expand::Budget::with_cache(std::mem::take(&mut self.parsed));
        let mut needs = std::collections::BTreeSet::new();
        self.jobs.resize_with(repo.workflows.len(), Vec::new);
        for (file, kept) in repo.workflows.iter().zip(&mut self.jobs) {
            let Some(workflow) = &file.workflow else {
                continue;
            };
            kept.resize_with(workflow.jobs.len(), || None);
            for (job_index, (job, kept)) in workflow.jobs.iter().zip(kept.iter_mut()).enumerate() {
                if Walked::replays(kept, &budget) {
                    continue;
                }
                *kept = Some(Walked::walk(&budget, &mut needs, |named| {
                    walk_job(repo, file, workflow, job, job_index, &budget, named)
                }));
            }
        }
        if let Some(pipeline) = &repo.gitlab {
            self.gitlab.resize_with(pipeline.jobs.len(), || None);
            for (index, (job, kept)) in pipeline.jobs.iter().zip(&mut self.gitlab).enumerate() {
                if Walked::replays(kept, &budget) {
                    continue;
                }
                *kept = Some(Walked::walk(&budget, &mut needs, |named| {
                    crate::gitlab::facts::job_facts(repo, pipeline, index, job, &budget, named)
                }));
            }
            self.gitlab_children = pipeline
                .children
                .iter()
                .map(|(_, child)| crate::gitlab::facts::derive(repo, child, &budget, &mut needs))
                .collect();
        }
        self.parsed = budget.into_cache();
        needs
    }
}

/// The publish sites and facts of one workflow job, in one walk.
fn walk_job(
    repo: &Repository,
    file: &WorkflowFile,
    workflow: &Workflow,
    job: &Job,
    job_index: usize,
    budget: &expand::Budget,
    needs: &mut std::collections::BTreeSet<crate::repository::Need>,
) -> JobWalk {
    let mut visitor = JobVisitor {
        mint: publish::MintState::with_release_config(&repo.manifests.release),
        ..JobVisitor::default()
    };
    visitor
        .mint
        .npm
        .npmrc_vars
        .clone_from(&repo.manifests.npmrc_auth_vars);
    visitor.mint.npm.publish_config_registry = repo.manifests.npm_publish_target(false);
    visitor.mint.npm.project_registry = repo.manifests.npm_publish_target(true);
    let mut named = expand::walk_job(
        repo,
        expand::JobRef {
            file: file.file,
            index: job_index,
            span: job.span,
            steps: &job.steps,
            env: [&job.env, &workflow.env],
            run_working_directory: job
                .run_working_directory
                .as_ref()
                .or(workflow.run_working_directory.as_ref()),
            strategy: job.strategy.as_ref(),
            id_token: permissions::id_token(permissions::GrantSource::of(workflow, job)),
            container: job.container,
            env_complete: !workflow.triggers.is_empty(),
            windows: job
                .runs_on
                .as_ref()
                .map_or(crate::tri::Tri::Unknown, crate::workflow::RunsOn::windows),
        },
        &mut visitor,
        budget,
    );
    needs.append(&mut named);
    visitor.facts.mints = std::mem::take(&mut visitor.mint.mints);
    npm::package_registries(repo, &mut visitor.sites);
    (visitor.sites, visitor.facts)
}

/// The first `uses:` of each local action, in the workflows, else in
/// another local action.
fn action_uses(repo: &Repository) -> Vec<Option<Location>> {
    let mut first = vec![None; repo.locals.actions.len()];
    let workflow_steps = repo.workflows.iter().flat_map(|w| {
        w.workflow
            .iter()
            .flat_map(|wf| wf.jobs.iter().flat_map(|j| j.steps.iter()))
            .map(move |s| (w.file, s))
    });
    let action_steps = repo.locals.actions.iter().flat_map(|a| {
        a.file.into_iter().flat_map(move |file| {
            a.action
                .iter()
                .flat_map(|action| action.steps.iter())
                .map(move |s| (file, s))
        })
    });
    for (file, step) in workflow_steps.chain(action_steps) {
        let Some(uses) = &step.uses else { continue };
        let (crate::workflow::UsesTarget::Local { path }
        | crate::workflow::UsesTarget::SelfRepository { path }) = &uses.target
        else {
            continue;
        };
        let Some(index) = expand::join("", path).and_then(|d| repo.locals.action_position(&d))
        else {
            continue;
        };
        first[index].get_or_insert(Location::new(file, uses.raw.span));
    }
    first
}

/// A workflow with its file and facts, as the rules iterate them.
#[derive(Clone, Copy)]
pub struct WorkflowView<'a> {
    /// Index in `Repository::workflows`.
    pub index: usize,
    pub file: &'a WorkflowFile,
    pub workflow: &'a Workflow,
    pub facts: &'a WorkflowFacts,
}

impl<'a> WorkflowView<'a> {
    /// The publish sites of one job, found by binary search: rules ask for
    /// every job's sites, and a scan per job is quadratic in a large file.
    pub fn sites_of(&self, job: usize) -> impl Iterator<Item = &'a PublishSite> + 'a {
        let sites = &self.facts.publish_sites;
        let first = sites.partition_point(|s| s.job < job);
        sites[first..].iter().take_while(move |s| s.job == job)
    }

    pub fn job(&self, index: usize) -> &'a Job {
        &self.workflow.jobs[index]
    }

    /// What job `index` runs, through its local actions and scripts.
    pub fn job_facts(&self, index: usize) -> &'a JobFacts {
        static NONE: JobFacts = JobFacts {
            oidc_consumer: false,
            opaque: Vec::new(),
            builds: Vec::new(),
            local_code: Vec::new(),
            mints: Vec::new(),
        };
        self.facts.jobs.get(index).unwrap_or(&NONE)
    }

    /// The file name PyPI attributes a job of this workflow to: the file
    /// that contains the job, even when another workflow calls it.
    pub fn attributed_name(&self) -> &'a str {
        &self.file.name
    }

    /// Whether this is a reusable workflow (`on: workflow_call`).
    pub fn is_reusable(&self) -> bool {
        self.workflow.has_trigger("workflow_call")
    }

    /// Whether it also runs on its own (any trigger besides `workflow_call`).
    pub fn runs_standalone(&self) -> bool {
        self.workflow
            .triggers
            .iter()
            .any(|t| t.event.value != "workflow_call")
    }
}

/// Iterate the readable workflows with their facts.
pub fn views<'a>(repo: &'a Repository, facts: &'a Facts) -> impl Iterator<Item = WorkflowView<'a>> {
    repo.workflows
        .iter()
        .zip(&facts.workflows)
        .enumerate()
        .filter_map(|(index, (file, facts))| {
            Some(WorkflowView {
                index,
                file,
                workflow: file.workflow.as_ref()?,
                facts,
            })
        })
}

/// The step that publishes at `site`: the workflow's own step, or the
/// step of the local composite action that it uses.
pub fn site_step<'a>(
    repo: &'a Repository,
    view: &WorkflowView<'a>,
    site: &PublishSite,
) -> Option<&'a Step> {
    match site.inner {
        Some((action, step)) => repo
            .locals
            .actions
            .get(action)?
            .action
            .as_ref()?
            .steps
            .get(step),
        None => view.job(site.job).steps.get(site.step),
    }
}

/// A job that publishes to one index by trusted publishing.
#[derive(Clone, Copy)]
pub struct OidcPublishJob<'a> {
    pub view: WorkflowView<'a>,
    pub job: &'a Job,
    pub index: crate::registry::Registry,
    /// The job's first OIDC upload to that index.
    pub site: &'a PublishSite,
}

impl<'a> OidcPublishJob<'a> {
    /// The workflow files whose name the registry compares with the
    /// publisher's: the file holding the job for registries that read
    /// `job_workflow_ref` (PyPI, RubyGems, NuGet), or the files a run can
    /// start from for those that read `workflow_ref` (crates.io, npm): the
    /// file itself when it runs on its own, and the local workflows that
    /// call it, through any depth of calls. Empty when only another
    /// repository can start it.
    pub fn matched_workflows(&self, repo: &'a Repository, facts: &'a Facts) -> Vec<&'a str> {
        match self.index.info().matched {
            MatchedWorkflow::Callee => vec![self.view.attributed_name()],
            MatchedWorkflow::Caller => {
                starting_workflows_of_job(repo, facts, self.view.index, self.job)
            }
            // pub.dev and JSR compare no workflow file.
            MatchedWorkflow::Repository => Vec::new(),
        }
    }
}

/// The local workflows a run that reaches workflow `index` can start
/// from: itself unless it runs only when called, and its callers'.
pub fn starting_workflows<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    index: usize,
) -> Vec<&'a str> {
    let mut seen = vec![index];
    let mut queue = vec![index];
    let mut names = Vec::new();
    while let Some(at) = queue.pop() {
        let file = &repo.workflows[at];
        let standalone = file
            .workflow
            .as_ref()
            .is_some_and(|w| w.triggers.iter().any(|t| t.event.value != "workflow_call"));
        if standalone && !names.contains(&file.name.as_str()) {
            names.push(file.name.as_str());
        }
        for call in facts.calls.callers_of(at) {
            if !seen.contains(&call.caller) {
                seen.push(call.caller);
                queue.push(call.caller);
            }
        }
    }
    names
}

/// [`starting_workflows`] for one job of workflow `index`: without the
/// files none of whose own triggers can satisfy the job's `if:`
/// (PRQL/prql's `publish-to-cargo`, `if: github.event_name == 'release'`,
/// never runs in a run `tests.yaml` starts on `push`: a called workflow
/// sees its caller's event). All of them when the condition leaves none.
pub fn starting_workflows_of_job<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    index: usize,
    job: &Job,
) -> Vec<&'a str> {
    let all = starting_workflows(repo, facts, index);
    let Some(condition) = &job.condition else {
        return all;
    };
    let can_run = |name: &str| {
        let Some(workflow) = repo
            .workflows
            .iter()
            .find(|w| w.name == name)
            .and_then(|w| w.workflow.as_ref())
        else {
            return true;
        };
        workflow
            .triggers
            .iter()
            .filter(|t| t.event.value != "workflow_call")
            .flat_map(conditions::Event::from_trigger)
            .any(|event| !conditions::evaluate(&condition.value, &event).is_false())
    };
    let kept: Vec<&str> = all.iter().copied().filter(|n| can_run(n)).collect();
    if kept.is_empty() { all } else { kept }
}

/// What starts the runs a job of workflow `index` is part of: the
/// triggers of the workflows a run starts from (the workflow itself, or
/// those of this repository that call it), each marked untrusted as
/// `triggers::untrusted` says, and the refs those triggers run on. The
/// list is incomplete when a workflow only another repository can call is
/// on the way, or a file does not parse.
pub fn starting_events<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
    index: usize,
) -> (
    crate::registry::claims::ClaimedEvents<'a>,
    crate::registry::claims::ClaimedRefs,
) {
    use crate::registry::claims::{ClaimedEvent, ClaimedEvents, ClaimedRefs};
    let mut events = ClaimedEvents {
        events: Vec::new(),
        complete: true,
    };
    let (mut tags, mut branches) = (Tri::False, Tri::False);
    let mut seen = vec![index];
    let mut queue = vec![index];
    while let Some(at) = queue.pop() {
        let callers: Vec<usize> = facts.calls.callers_of(at).map(|c| c.caller).collect();
        let Some(workflow) = repo.workflows.get(at).and_then(|f| f.workflow.as_ref()) else {
            events.complete = false;
            continue;
        };
        for trigger in &workflow.triggers {
            let name = trigger.event.value.as_str();
            if name == "workflow_call" {
                // Called from another repository: its events are not known.
                if callers.is_empty() {
                    events.complete = false;
                }
                continue;
            }
            if !events.events.iter().any(|e| e.name == name) {
                events.events.push(ClaimedEvent {
                    name,
                    untrusted: triggers::untrusted(name).is_some(),
                    reaches: Tri::Unknown,
                });
            }
            let (tag, branch) = trigger_refs(trigger);
            tags = tags.or(tag);
            branches = branches.or(branch);
        }
        for caller in callers {
            if !seen.contains(&caller) {
                seen.push(caller);
                queue.push(caller);
            }
        }
    }
    if !events.complete {
        tags = tags.or(Tri::Unknown);
        branches = branches.or(Tri::Unknown);
    }
    let refs = ClaimedRefs {
        tags,
        branches,
        branch_names: None,
    };
    (events, refs)
}

/// Whether runs of `trigger` can be for a tag and for a branch (GitHub's
/// "Events that trigger workflows": a `push` filtered by `tags:` alone runs
/// for tags, by `branches:` alone for branches; `release` runs for its
/// tag; `pull_request` for a merge ref, neither; the rest is not judged).
fn trigger_refs(trigger: &crate::workflow::Trigger) -> (Tri, Tri) {
    match trigger.event.value.as_str() {
        "push" => match trigger.config.as_ref().filter(|c| c.as_mapping().is_some()) {
            None => (Tri::True, Tri::True),
            Some(config) => {
                let has = |key: &str| config.get(key).is_some();
                let tag_filter = has("tags") || has("tags-ignore");
                let branch_filter = has("branches") || has("branches-ignore");
                match (tag_filter, branch_filter) {
                    (true, false) => (Tri::True, Tri::False),
                    (false, true) => (Tri::False, Tri::True),
                    _ => (Tri::Unknown, Tri::Unknown),
                }
            }
        },
        "release" => (Tri::True, Tri::False),
        "pull_request" => (Tri::False, Tri::False),
        _ => (Tri::Unknown, Tri::Unknown),
    }
}

/// Every (job, registry) pair that publishes by OIDC.
pub fn oidc_publish_jobs<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<OidcPublishJob<'a>> {
    let mut jobs: Vec<OidcPublishJob<'a>> = Vec::new();
    // A set, not a scan of the jobs found so far: quadratic on a file with
    // thousands of publish jobs.
    let mut seen = std::collections::HashSet::new();
    for view in views(repo, facts) {
        for site in &view.facts.publish_sites {
            let Some(index) = site.index() else { continue };
            if !site.is_oidc() {
                continue;
            }
            if seen.insert((view.index, site.job, index)) {
                jobs.push(OidcPublishJob {
                    view,
                    job: view.job(site.job),
                    index,
                    site,
                });
            }
        }
    }
    jobs
}

/// The mints of job `index` that stand for its publish to a registry
/// tplint does not see: an action that only mints, from the registry's
/// own service ([`publish::Mint::needs_publisher`]: the exchange fails
/// unless a publisher is registered), in a job with no visible upload to
/// that registry by trusted publishing (its token goes to a script, a
/// program or an action tplint cannot read). The first per registry.
pub fn unseen_mint_publishes<'a>(view: &WorkflowView<'a>, index: usize) -> Vec<&'a publish::Mint> {
    let mut out: Vec<&'a publish::Mint> = Vec::new();
    for mint in &view.job_facts(index).mints {
        if !mint.needs_publisher
            || out.iter().any(|m| m.registry == mint.registry)
            || view
                .sites_of(index)
                .any(|s| s.is_oidc() && s.index() == Some(mint.registry))
        {
            continue;
        }
        out.push(mint);
    }
    out
}

/// A registry's long-lived token handed to a step that may publish with
/// it unseen (a step tplint cannot see into, or shell text running
/// programs it does not know), in a job with no visible upload to that
/// registry and no mint of its token.
#[derive(Debug)]
pub struct TokenToOpaque {
    pub registry: Registry,
    /// How it is given: "`GEM_HOST_API_KEY`", "`~/.gem/credentials`".
    pub given_as: String,
    /// A secret passed to a reusable workflow under a name that says it
    /// is the registry's token, rather than the client's own variable.
    pub named_secret: bool,
    /// Given to a call of another repository's reusable workflow.
    pub call: bool,
    /// Where: the variable's key, the credentials file's name in the script.
    pub given: Location,
    /// The step given it, for messages: "`bundle exec toys release`",
    /// "`Raku/setup-raku@v1`, an action tplint does not know".
    pub what: String,
    pub step: Location,
}

/// The tokens job `index` hands to steps that may publish unseen
/// ([`TokenToOpaque`]): a secret set as a variable in which only the
/// registry's client reads a token ([`Registry::token_variables`]), on a
/// step or the job, or RubyGems.org's entry of gem's credentials file
/// written from a variable or secret. A step given one is a step tplint
/// cannot see into, or a `run:` (whose programs may be ones tplint does
/// not know); nothing is reported where the job has a visible upload to
/// the registry (TP303's finding) or mints its token.
pub fn tokens_to_opaque(
    repo: &Repository,
    view: &WorkflowView<'_>,
    index: usize,
) -> Vec<TokenToOpaque> {
    let job = view.job(index);
    let job_facts = view.job_facts(index);
    let file = view.file.file;
    let text = &repo.sources.get(file).text;
    let mut out: Vec<TokenToOpaque> = Vec::new();
    let visible = |registry: Registry| {
        view.sites_of(index).any(|s| s.index() == Some(registry))
            || job_facts.mints.iter().any(|m| m.registry == registry)
    };
    // A secret, not a step's output (NuGet/login's key is minted by
    // trusted publishing) nor the workflow's own `GITHUB_TOKEN` (GitHub
    // Packages' key for gem and NuGet).
    let secret = |value: &str| {
        value.contains("secrets.")
            && !value.contains(".outputs.")
            && !value.contains("secrets.GITHUB_TOKEN")
    };
    // A reusable workflow of another repository given a secret whose name
    // says it is a registry's token (tracel-ai/burn's
    // `CRATES_IO_API_TOKEN`): what it does with it is out of sight.
    if let Some(uses) = unread_remote_call(job)
        && let Some(crate::workflow::WorkflowCall {
            secrets: crate::workflow::Secrets::Named(secrets),
            ..
        }) = &job.call
    {
        for kv in secrets {
            let Some(registry) = Registry::ALL
                .into_iter()
                .find(|r| r.names_its_token_secret(&kv.key.value))
            else {
                continue;
            };
            if secret(&kv.value.value) {
                out.push(TokenToOpaque {
                    registry,
                    given_as: format!("`{}`", kv.key.value),
                    named_secret: true,
                    call: true,
                    given: Location::new(file, kv.key.span),
                    what: format!(
                        "`{}`, a reusable workflow of another repository that tplint cannot read,",
                        uses.raw.value.trim()
                    ),
                    step: Location::new(file, uses.raw.span),
                });
            }
        }
    }
    for (top, step) in job.steps.iter().enumerate() {
        // A visible upload of the step (to any registry or host) is what
        // the token is for.
        if view.sites_of(index).any(|s| s.step == top) {
            continue;
        }
        // Only a step given a registry's token is looked at further.
        let job_env = if job_facts.opaque.iter().any(|o| o.top == top) {
            job.env.as_slice()
        } else {
            &[]
        };
        // npm's token variables count only where the step's text names an
        // upload (`npx rollingversions publish`, `deno run
        // .../publish/npm.ts`): npm's token also installs private packages.
        let npm_variable = |name: &str| crate::registry::npm::NPM_TOKEN_ENV.contains(&name);
        // The text is searched only for a step given one of them.
        let names_upload = step
            .env
            .iter()
            .chain(job_env)
            .any(|kv| npm_variable(&kv.key.value))
            && step
                .run
                .as_ref()
                .is_some_and(|run| publish::mentions_upload_word(&run.value));
        let given_variable = step.env.iter().chain(job_env).any(|kv| {
            Registry::ALL
                .iter()
                .any(|r| r.token_variables().contains(&kv.key.value.as_str()))
                || (names_upload && npm_variable(&kv.key.value))
        });
        let written = step.run.as_ref().is_some_and(|run| {
            run.value.contains("secrets.")
                || run
                    .value
                    .contains(crate::registry::rubygems::CREDENTIALS_FILE.0)
        });
        if !given_variable && !written {
            continue;
        }
        let opaque = job_facts.opaque.iter().find(|o| o.top == top);
        let unknown = step
            .run
            .as_ref()
            .filter(|_| opaque.is_none())
            .and_then(|run| Some((run, expand::unknown_program(&run.value)?)));
        let unknown_seen = unknown.is_some();
        let (what, at) = match (opaque, unknown) {
            (Some(opaque), _) => (
                format!("a step tplint cannot see into ({})", opaque.what),
                opaque.location,
            ),
            (None, Some((run, (shown, program)))) => {
                let start = text
                    .get(run.span.range())
                    .and_then(|raw| raw.find(program.as_str()))
                    .map_or(run.span.start, |offset| run.span.start + offset);
                (
                    format!("`{shown}`, a program tplint does not know,"),
                    Location::new(file, crate::source::Span::new(start, start + program.len())),
                )
            }
            // Every program of the step is one tplint reads.
            (None, None) => continue,
        };
        // Whether the step's uploads to `registry` may be out of sight: not
        // where its only opaque part is a build whose pushes there tplint
        // reads (a Cake build's NuGet pushes).
        let unseen = |registry: Registry| {
            unknown_seen
                || job_facts
                    .opaque
                    .iter()
                    .any(|o| o.top == top && o.uploads_read != Some(registry))
        };
        // The step's own variables; the job's only for a step tplint
        // cannot see into.
        let job_env = opaque.map_or(&[][..], |_| job.env.as_slice());
        for kv in step.env.iter().chain(job_env) {
            if !secret(&kv.value.value) {
                continue;
            }
            for registry in Registry::ALL {
                let given = Location::new(file, kv.key.span);
                let token_variable = registry.token_variables().contains(&kv.key.value.as_str())
                    || (registry == Registry::Npm && names_upload && npm_variable(&kv.key.value));
                if token_variable
                    && !visible(registry)
                    && unseen(registry)
                    && !out.iter().any(|t| t.given == given)
                {
                    out.push(TokenToOpaque {
                        registry,
                        given_as: format!("`{}`", kv.key.value),
                        named_secret: false,
                        call: false,
                        given,
                        what: what.clone(),
                        step: at,
                    });
                }
            }
        }
        // A secret named as a registry's token written into the command
        // line (rerun-io/rerun: `crates.py publish --token ${{
        // secrets.CRATES_IO_TOKEN }}`).
        if let Some(run) = &step.run {
            for (offset, _) in run.value.match_indices("secrets.") {
                let name: &str = run.value[offset + "secrets.".len()..]
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default();
                let Some(registry) = Registry::ALL
                    .into_iter()
                    .find(|r| r.names_its_token_secret(name))
                else {
                    continue;
                };
                let written = format!("secrets.{name}");
                let start = text
                    .get(run.span.range())
                    .and_then(|raw| raw.find(&written))
                    .map_or(run.span.start, |o| run.span.start + o);
                let given =
                    Location::new(file, crate::source::Span::new(start, start + written.len()));
                if !visible(registry) && unseen(registry) && !out.iter().any(|t| t.given == given) {
                    out.push(TokenToOpaque {
                        registry,
                        given_as: format!("`{name}`"),
                        named_secret: true,
                        call: false,
                        given,
                        what: what.clone(),
                        step: at,
                    });
                }
            }
        }
        // gem's credentials file, written with a key by this step.
        let (credentials, entry) = crate::registry::rubygems::CREDENTIALS_FILE;
        if let Some(run) = &step.run
            && run.value.contains(credentials)
            && run
                .value
                .lines()
                .any(|l| l.contains(entry) && (l.contains('$') || secret(l)))
            && !visible(Registry::RubyGems)
            && unseen(Registry::RubyGems)
        {
            let start = text
                .get(run.span.range())
                .and_then(|raw| raw.find(credentials))
                .map_or(run.span.start, |offset| run.span.start + offset);
            // What runs after it: this step's text, or a later step.
            out.push(TokenToOpaque {
                registry: Registry::RubyGems,
                given_as: format!("`~/{credentials}`"),
                named_secret: false,
                call: false,
                given: Location::new(
                    file,
                    crate::source::Span::new(start, start + credentials.len()),
                ),
                what,
                step: at,
            });
        }
    }
    out
}

/// The mint of the job that a publish site's given token should have come
/// from, when the site certainly uses something else: a registry token
/// minted earlier in the job (an output to read, or variables it
/// exported), and a token given to the upload that tplint can read and
/// that is not it (a secret, another step's output, a literal). A shell
/// variable tplint cannot follow, or `${{ env.X }}`, may hold the minted
/// token: no finding.
pub fn unwired_mint<'a>(view: &WorkflowView<'a>, site: &PublishSite) -> Option<&'a publish::Mint> {
    let publish::Auth::Password { .. } = site.auth else {
        return None;
    };
    let registry = site.index()?;
    let given = site.secret.as_deref()?.trim();
    // `${{ env.X }}` may be the minted token, written to `$GITHUB_ENV`.
    let readable = if crate::workflow::is_expression(given) {
        !given.contains("env.")
    } else {
        !given.starts_with('$')
    };
    if !readable {
        return None;
    }
    // setup-dart sets up the Dart SDK in every Dart job and mints only
    // when the job may request an OIDC token: a credential the job stores
    // itself is TP303's finding, not an unused exchange.
    if registry == crate::registry::Registry::PubDev {
        return None;
    }
    view.job_facts(site.job).mints.iter().find(|m| {
        m.registry == registry
            && m.action.is_some()
            && (!m.outputs.is_empty() || !m.exports.is_empty())
            && m.top <= site.step
    })
}

/// What GitHub Actions calls the things a publish job's findings talk about.
pub static GITHUB_WORDS: publish_job::CiWords = publish_job::CiWords {
    via_first: "run by this step of the workflow",
    upload: "trusted publishing happens here",
    upload_first: false,
    token_reach: "where the OIDC token can be minted",
    tokenless_job: "a job without `id-token: write`",
    starts_checked_out: false,
    password_failure: "a credentials prompt or error",
    set_variable: "set",
    unreadable: "GitHub will refuse this workflow too; the other workflows are still checked",
    token_upload_help: github_token_upload_help,
    separate_build: |_| {
        "build in a separate job without `id-token: write`, upload the distributions with actions/upload-artifact, and let the publish job only download and publish them".to_string()
    },
    no_environment: |job, index| publish_job::NoEnvironment {
        message: if index == Registry::Jsr {
            // jsr-io/jsr `frontend/docs/publishing-packages.md`
            // (`registry::jsr`): a package is linked to a repository, and no
            // workflow or environment is registered.
            format!(
                "job `{job}` publishes to JSR without an `environment:`; JSR accepts the OIDC token of any workflow run of the linked repository, so an environment would only let a reviewer hold this job's runs"
            )
        } else {
            format!(
                "job `{job}` publishes to {} without an `environment:`, so no reviewer or branch rule can stop a bad release",
                index.display_name()
            )
        },
        help: if index == Registry::Jsr {
            // JSR matches no environment: its settings do not change.
            format!(
                "add `environment: {}` to the job and protect it under Settings → Environments (required reviewers, tag rules); {} does not match environments, so its settings do not change",
                index.key(),
                index.display_name()
            )
        } else {
            format!(
                "add `environment: {}` to the job, protect it under Settings → Environments (required reviewers, tag rules), and add the environment to the publisher on {}",
                index.key(),
                index.display_name()
            )
        },
        severity: (index == Registry::Jsr).then_some(crate::diagnostic::Severity::Info),
        points_to_upload: false,
    },
};

/// The advice for an upload with a token on GitHub Actions.
fn github_token_upload_help(uploader: Uploader, index: Registry, source: &str) -> String {
    if let Some(how) = release_tool_how(uploader) {
        format!(
            "remove {source} and the secret behind it, register a trusted publisher on {}, and {how}",
            index.display_name()
        )
    } else if let Some(how) = crate::registry::trusted_publishing_how(index) {
        format!(
            "remove {source} and the secret behind it, register a trusted publisher on {}, and {how}",
            index.display_name()
        )
    } else if uploader.supports_trusted_publishing() {
        format!(
            "remove {source} and the secret behind it, register a trusted publisher on {}, and give the job `id-token: write`",
            index.display_name()
        )
    } else {
        format!(
            "`{}` cannot use trusted publishing: build with it, then upload with `pypa/gh-action-pypi-publish` or `uv publish` in a job with `id-token: write`",
            uploader.name()
        )
    }
}

/// The advice for an upload on GitHub Actions whose credential tplint
/// cannot see and which cannot be by trusted publishing.
fn github_unseen_credential_help(uploader: Uploader, index: Registry) -> String {
    match crate::registry::trusted_publishing_how(index) {
        Some(how) => format!(
            "register a trusted publisher on {} and {how}; then delete the long-lived credential",
            index.display_name()
        ),
        None => github_token_upload_help(uploader, index, "the credential"),
    }
}

/// How a release tool that exchanges the OIDC token itself is given
/// trusted publishing (its own exchange, not the registry's usual recipe).
fn release_tool_how(uploader: Uploader) -> Option<&'static str> {
    match uploader {
        // release-plz 0.3.146 and later exchange it when given no token.
        Uploader::ReleasePlz => Some(
            "give the job `id-token: write`: release-plz 0.3.146 or later exchanges the OIDC token itself when it finds no token",
        ),
        _ => None,
    }
}

/// The workflows' untrusted triggers that reach an upload, as rules written
/// for every CI system see them (the analysis is [`untrusted`]'s).
pub fn github_untrusted_starts<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> Vec<publish_job::UntrustedStart<'a>> {
    untrusted::starts(repo, facts)
}

/// The workflows' uploads to a registry with a password or token, as rules
/// written for every CI system see them.
pub fn github_password_uploads<'a>(
    repo: &'a Repository,
    facts: &'a Facts,
) -> Vec<publish_job::PasswordUpload<'a>> {
    let mut uploads = Vec::new();
    for view in views(repo, facts) {
        for site in &view.facts.publish_sites {
            let Some(index) = site.index() else { continue };
            let job = view.job(site.job);
            let grant = permissions::GrantSource::of(view.workflow, job);
            let (given, source, unseen) = match &site.auth {
                publish::Auth::Password { location, source } => (*location, source.as_str(), None),
                publish::Auth::Unknown if cannot_exchange(&view, grant, site) => {
                    let step = view
                        .job_facts(site.job)
                        .opaque
                        .iter()
                        .rfind(|opaque| opaque.top < site.step)
                        .map(|opaque| (opaque.location, opaque.what.as_str()));
                    let unseen = publish_job::UnseenCredential {
                        reason: "it has no OIDC exchange of its own, and the job cannot mint a token for it without `id-token: write`",
                        step,
                        help: github_unseen_credential_help(site.uploader, index),
                    };
                    (
                        site.location(),
                        "credentials tplint cannot see",
                        Some(unseen),
                    )
                }
                _ => continue,
            };
            let has_id_token = permissions::id_token(grant) == Some(crate::workflow::Access::Write);
            uploads.push(publish_job::PasswordUpload {
                site,
                index,
                given,
                source,
                overrides: has_id_token
                    .then(|| "a given token wins over the job's `id-token: write`".to_string()),
                minted_in_job: unwired_mint(&view, site).is_some(),
                id_token_as_password: None,
                unseen,
                words: &GITHUB_WORDS,
                pipeline: None,
            });
        }
    }
    uploads
}

/// A job's call of a reusable workflow of another repository that tplint
/// cannot read offline (not one of pub.dev's publishing workflows it
/// knows): its `uses:`. What runs there, publishes included, is out of
/// sight.
pub fn unread_remote_call(job: &Job) -> Option<&crate::workflow::Uses> {
    let call = job.call.as_ref()?;
    (matches!(call.uses.target, crate::workflow::UsesTarget::Remote { .. })
        && crate::registry::pub_dev::publish_workflow(&call.uses.target).is_none())
    .then_some(&call.uses)
}

/// Whether an upload whose credential tplint does not see certainly does
/// not use trusted publishing: its tool never exchanges the OIDC token
/// itself (`gem push`, `cargo publish`, `dotnet nuget push`: a registry's
/// mint must give it a token, and every mint needs the job's token), and
/// the job cannot request one: its `id-token` is not `write` by its own or
/// its workflow's `permissions:`, or it has no block and its workflow is
/// not called by others (a called workflow without one gets what its
/// caller grants; the repository's default never grants `id-token`).
/// npm's client is left out: npm 11.5.1 and later exchange themselves.
fn cannot_exchange(
    view: &WorkflowView<'_>,
    grant: permissions::GrantSource<'_>,
    site: &PublishSite,
) -> bool {
    site.index() != Some(Registry::Npm)
        && !site.uploader.supports_trusted_publishing()
        && permissions::id_token(grant)
            .is_some_and(|access| access != crate::workflow::Access::Write)
        && (grant.block().is_some() || !view.is_reusable())
}

/// A job's call of one of pub.dev's reusable publishing workflows
/// (`registry::pub_dev::PUBLISH_WORKFLOWS`), and whether it publishes by
/// trusted publishing: not when the caller withholds `id-token: write`
/// and passes the workflow's credential secret instead.
pub fn pub_dev_call(
    workflow: &Workflow,
    job: &Job,
) -> Option<(&'static crate::registry::pub_dev::PublishWorkflow, bool)> {
    let call = job.call.as_ref()?;
    let called = crate::registry::pub_dev::publish_workflow(&call.uses.target)?;
    let withheld = permissions::id_token(permissions::GrantSource::of(workflow, job))
        .is_some_and(|access| access != crate::workflow::Access::Write);
    Some((
        called,
        !(withheld && called.given_credential(&call.secrets)),
    ))
}

/// The workflows' jobs lowered to the one job model rules written for every
/// CI system read: each job that publishes by trusted publishing (to a
/// registry or an index named by an expression) or calls a registry's
/// reusable publishing workflow, with the claims of the token each registry
/// it publishes to would read ([`publish_job::PublishClaims`]): the file it
/// compares (the job's own or the files its runs start from, per registry),
/// and the environment, the job's own or the input of pub.dev's reusable
/// publishing workflow the job calls.
pub fn github_jobs<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<publish_job::PublishJob<'a>> {
    use crate::registry::claims::{Ci, ClaimedAudience, ClaimedEnvironment, Claims};
    use crate::workflow::Spanned;
    let environment_of = |name: Option<&'a Spanned<String>>| match name {
        None => ClaimedEnvironment::None,
        Some(name) if name.is_expression() => ClaimedEnvironment::Unknown,
        Some(name) => ClaimedEnvironment::Named(&name.value),
    };
    let mut jobs = Vec::new();
    for view in views(repo, facts) {
        let file = view.file.file;
        // Worked out once per workflow, for its first publishing job.
        let mut starts = None;
        for (index, job) in view.workflow.jobs.iter().enumerate() {
            let sites: Vec<&PublishSite> = view
                .sites_of(index)
                .filter(|s| s.is_oidc() && !matches!(s.target, publish::Target::Custom(_)))
                .collect();
            let pub_dev_call = job.call.as_ref().zip(
                pub_dev_call(view.workflow, job)
                    .filter(|(_, oidc)| *oidc)
                    .map(|(called, _)| called),
            );
            let unseen = unseen_mint_publishes(&view, index);
            if sites.is_empty() && pub_dev_call.is_none() && unseen.is_empty() {
                continue;
            }
            let (events, refs) = starts
                .get_or_insert_with(|| starting_events(repo, facts, view.index))
                .clone();
            let key = Location::new(file, job.id.span);
            // What `registry` reads of the job's own token, and where the
            // job names its environment.
            let own_claims = |registry: Registry| {
                let files = match registry.info().matched {
                    MatchedWorkflow::Callee => vec![view.attributed_name()],
                    MatchedWorkflow::Caller => {
                        starting_workflows_of_job(repo, facts, view.index, job)
                    }
                    MatchedWorkflow::Repository => Vec::new(),
                };
                let environment = job.environment.as_ref().map(|e| &e.name);
                let claims = Claims {
                    ci: Ci::GithubActions,
                    files,
                    environment: environment_of(environment),
                    environment_is_input: false,
                    events: events.clone(),
                    refs: refs.clone(),
                    audience: ClaimedAudience::Requested,
                };
                (claims, environment.map(|e| Location::new(file, e.span)))
            };
            let mut claims = Vec::new();
            if let Some((call, called)) = pub_dev_call {
                use crate::registry::pub_dev::WorkflowEnvironment;
                let given = |input: &str| {
                    call.with
                        .iter()
                        .find(|kv| kv.key.value == input)
                        .map(|kv| &kv.value)
                };
                let (environment, environment_at) = match called.environment {
                    WorkflowEnvironment::Input(input) => {
                        let value = given(input).filter(|v| !v.value.trim().is_empty());
                        (
                            environment_of(value),
                            value.map(|e| Location::new(file, e.span)),
                        )
                    }
                    WorkflowEnvironment::Fixed(name) => (ClaimedEnvironment::Named(name), None),
                    WorkflowEnvironment::Absent => (ClaimedEnvironment::None, None),
                };
                // The workflow's input naming the package's folder.
                let folder = called
                    .folder_input
                    .and_then(given)
                    .map(|v| v.value.trim().trim_start_matches("./"))
                    .filter(|dir| !dir.contains("${{"));
                claims.push(publish_job::PublishClaims {
                    index: Registry::PubDev,
                    claims: Claims {
                        ci: Ci::GithubActions,
                        files: Vec::new(),
                        environment,
                        environment_is_input: true,
                        events: events.clone(),
                        refs: refs.clone(),
                        audience: ClaimedAudience::Requested,
                    },
                    job: &job.id.value,
                    key,
                    upload: Location::new(file, call.uses.raw.span),
                    environment_at,
                    publish_workflow: Some(called),
                    minted_by: None,
                    folder,
                    package: None,
                    published: repo.published_package(Registry::PubDev, folder, None),
                    workspace: false,
                    editable: None,
                });
            }
            for site in &sites {
                let Some(registry) = site.index() else {
                    continue;
                };
                let published = repo.published_package(
                    registry,
                    site.folder.as_deref(),
                    site.package.as_deref(),
                );
                // One entry per registry and package the job certainly
                // publishes: each package has publishers of its own.
                if publish_job::claimed(&claims, registry, published.as_deref()) {
                    continue;
                }
                let (own, environment_at) = own_claims(registry);
                claims.push(publish_job::PublishClaims {
                    index: registry,
                    claims: own,
                    job: &job.id.value,
                    key,
                    upload: site.entry(),
                    environment_at,
                    publish_workflow: None,
                    minted_by: None,
                    folder: site.folder.as_deref(),
                    package: site.package.as_deref(),
                    published,
                    workspace: site.workspace,
                    // tplint offers edits for the registries that match a
                    // workflow file.
                    editable: registry.matches_workflow().then_some((file, job)),
                });
            }
            // A registry token minted for an upload tplint does not see:
            // the registry grants it by the same claims.
            for mint in unseen {
                let registry = mint.registry;
                if publish_job::claimed(&claims, registry, None) {
                    continue;
                }
                let (own, environment_at) = own_claims(registry);
                claims.push(publish_job::PublishClaims {
                    index: registry,
                    claims: own,
                    job: &job.id.value,
                    key,
                    upload: mint.location,
                    environment_at,
                    publish_workflow: None,
                    minted_by: mint.action,
                    folder: None,
                    package: None,
                    published: None,
                    workspace: false,
                    editable: registry.matches_workflow().then_some((file, job)),
                });
            }
            let job_facts = view.job_facts(index);
            jobs.push(publish_job::PublishJob {
                name: &job.id.value,
                key,
                environment: if job.environment.is_some() {
                    publish_job::JobEnvironment::Declared
                } else {
                    publish_job::JobEnvironment::Absent
                },
                needed_environment: needed_environment(view.workflow, job),
                sites,
                claims,
                builds: &job_facts.builds,
                local_code: &job_facts.local_code,
                workflow: Some(view.attributed_name()),
                editable: Some((file, job)),
                words: &GITHUB_WORDS,
                pipeline: None,
            });
        }
    }
    jobs
}

/// A job in the `needs` closure of `job` with a literal environment.
fn needed_environment<'a>(workflow: &'a Workflow, job: &'a Job) -> Option<(&'a str, &'a str)> {
    let mut seen = std::collections::HashSet::new();
    let mut queue: Vec<&str> = job.needs.iter().map(|n| n.value.as_str()).collect();
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(needed) = workflow.job(id) else {
            continue;
        };
        if let Some(environment) = &needed.environment
            && !environment.name.is_expression()
        {
            return Some((&needed.id.value, &environment.name.value));
        }
        queue.extend(needed.needs.iter().map(|n| n.value.as_str()));
    }
    None
}
