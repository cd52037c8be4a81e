//! GitHub's side of TP601: which untrusted triggers of a workflow (runs on
//! a pull request's or a fork's code) reach an upload, here or through the
//! reusable workflows of this repository it calls (they run with the
//! caller's event), through each job's and step's `if:` and `needs`,
//! evaluated with three values. Each finding is an
//! [`UntrustedStart`](super::publish_job::UntrustedStart) in GitHub's words.

use std::collections::{HashMap, HashSet};

use super::calls::Callee;
use super::conditions::{self, Event, JobScope, JobsReached, Tri, Verdict};
use super::publish::{PublishSite, Target};
use super::publish_job::{Reach, UntrustedStart};
use super::{Facts, WorkflowView, call_reach, triggers, views};
use crate::diagnostic::Location;
use crate::registry::claims::Ci;
use crate::registry::{Registry, rejected_event_message};
use crate::repository::Repository;

/// Whether a site uploads to PyPI or TestPyPI (or to an index named by an
/// expression, which may be either): a private index is not a release to
/// PyPI, and its publishing is not this tool's business.
fn to_pypi(site: &PublishSite) -> bool {
    !matches!(site.target, Target::Custom(_))
}

/// The untrusted triggers of the workflows that reach an upload: per
/// workflow and trigger, the most certain reach.
pub fn starts<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<UntrustedStart<'a>> {
    let mut starts = Vec::new();
    let publishing = call_reach::files_reaching(
        &facts.calls,
        repo.workflows.len(),
        |file| {
            facts
                .workflows
                .get(file)
                .is_some_and(|f| f.publish_sites.iter().any(to_pypi))
        },
        false,
    );
    let graph = &facts.calls;
    // The calls each workflow makes, cycles left out (GitHub rejects them).
    let cycles: HashSet<usize> = graph.cycles.iter().copied().collect();
    let mut calls_from: Vec<Vec<usize>> = vec![Vec::new(); repo.workflows.len()];
    for (index, call) in graph.calls.iter().enumerate() {
        if !cycles.contains(&index)
            && let Some(list) = calls_from.get_mut(call.caller)
        {
            list.push(index);
        }
    }
    // Registries that refuse some events, with trusted publishing to them
    // somewhere in the repository.
    let rejecting: Vec<Registry> = Registry::ALL
        .into_iter()
        // (those whose answer tplint quotes)
        .filter(|r| rejected_event_message(*r, "").is_some())
        .filter(|r| {
            facts.workflows.iter().any(|f| {
                f.publish_sites
                    .iter()
                    .any(|s| s.index() == Some(*r) && s.is_oidc())
            })
        })
        .collect();
    for view in views(repo, facts) {
        if !publishing.get(view.index).copied().unwrap_or(false) {
            continue;
        }
        for trigger in &view.workflow.triggers {
            let event = trigger.event.value.as_str();
            let Some(kind) = triggers::untrusted(event) else {
                continue;
            };
            // Jobs that publish, here or through workflows of this
            // repository they call (which run with the caller's event).
            let reach_of = |keep: &dyn Fn(&PublishSite) -> bool| {
                let mut reach: Option<PublishReach> = None;
                for run in Event::from_untrusted_trigger(trigger) {
                    let mut walk = ReachWalk {
                        repo,
                        facts,
                        keep,
                        calls_from: &calls_from,
                        memo: HashMap::new(),
                    };
                    let found = walk.publish_reach(view.index, 0, &run);
                    PublishReach::keep_stronger(&mut reach, found);
                }
                reach
            };
            // A registry that refuses the event's OIDC tokens: a certain
            // reach of its trusted publishing is an error in its own words.
            if let Some(start) = rejected_event(view, trigger, event, &rejecting, &reach_of) {
                starts.push(start);
                continue;
            }
            let reach = reach_of(&to_pypi);
            let Some(reach) = reach.filter(|r| !r.verdict.is_false()) else {
                continue;
            };
            let job = view.job(reach.job);
            let what = if reach.calls {
                "calls a workflow that publishes"
            } else {
                "publishes"
            };
            let related = Location::new(view.file.file, job.id.span);
            let location = Location::new(view.file.file, trigger.event.span);
            let (reason, rejected) = event_reason(repo, facts, &view, &reach, event, kind);
            let reason = reason.as_str();
            let start = match (reach.verdict.value, &reach.verdict.term) {
                (Tri::True, _) | (_, None) => UntrustedStart {
                    location,
                    reach: Reach::Certain,
                    refused: rejected,
                    may_be_excluded: false,
                    message: format!(
                        "job `{}` {what}, but the workflow also runs on `{event}`, which {}",
                        job.id.value, reason
                    ),
                    help: format!(
                        "publish from a workflow that runs only on `release` or tag pushes, or guard the publish job with `if: github.event_name != '{event}'`"
                    ),
                    related: vec![(related, "this job publishes")],
                    pipeline: None,
                },
                (_, Some(term)) => UntrustedStart {
                    location,
                    reach: Reach::Undecided,
                    refused: false,
                    may_be_excluded: false,
                    message: format!(
                        "job `{}` {what}, and the workflow also runs on `{event}`, which {}; whether such a run reaches the publish step depends on {}, which tplint cannot know",
                        job.id.value,
                        reason,
                        conditions::quoted_term(term)
                    ),
                    help: format!(
                        "if a `{event}` run must never publish, say so in the condition (`github.event_name != '{event}'`), or publish from a workflow that runs only on `release` or tag pushes"
                    ),
                    related: vec![(related, "this job publishes")],
                    pipeline: None,
                },
            };
            starts.push(start);
        }
    }
    starts
}

/// Why `event` is risky for the registries the reached job publishes to,
/// and whether every one of them rejects its OIDC tokens. The registries
/// are those of the job's own sites, or of every site when it calls a
/// workflow (the rejection is then claimed only when all reject it).
fn event_reason(
    repo: &Repository,
    facts: &Facts,
    view: &WorkflowView<'_>,
    reach: &PublishReach,
    event: &str,
    kind: &triggers::UntrustedTrigger,
) -> (String, bool) {
    let sites: Vec<&PublishSite> = if reach.calls {
        views(repo, facts)
            .flat_map(|v| v.facts.publish_sites.iter())
            .collect()
    } else {
        view.sites_of(reach.job).collect()
    };
    let mut registries: Vec<Registry> = sites.iter().filter_map(|s| s.index()).collect();
    registries.sort_by_key(|r| r.display_name());
    registries.dedup();
    // The rejection protects only uploads by trusted publishing: a token
    // upload (rust-lang/rust-bindgen's `cargo publish --token`) is not
    // stopped by it.
    let all_oidc = sites.iter().all(|s| s.is_oidc());
    let rejects = |r: &Registry| all_oidc && r.refuses_event(Ci::GithubActions, event);
    let base = kind.reason;
    let all_pypi = !registries.is_empty() && registries.iter().all(|r| r.is_pypi());
    if all_pypi {
        // PyPI and TestPyPI are named as one.
        return if registries.iter().all(rejects) {
            (format!("{base}, and PyPI rejects its OIDC tokens"), true)
        } else {
            (base.to_string(), false)
        };
    }
    if !registries.is_empty() && registries.iter().all(rejects) {
        let names: Vec<&str> = registries.iter().map(|r| r.display_name()).collect();
        return (
            format!(
                "{base}, and {} rejects its OIDC tokens",
                names.join(" and ")
            ),
            true,
        );
    }
    (base.to_string(), false)
}

/// Which publish sites a reach walk counts.
type SiteFilter<'f> = &'f dyn Fn(&PublishSite) -> bool;

/// TP601 as an error when `event` certainly reaches trusted publishing to
/// a registry that refuses the tokens of runs of that event.
fn rejected_event<'a>(
    view: WorkflowView<'a>,
    trigger: &crate::workflow::Trigger,
    event: &str,
    rejecting: &[Registry],
    reach_of: &dyn Fn(SiteFilter<'_>) -> Option<PublishReach>,
) -> Option<UntrustedStart<'a>> {
    let registry = rejecting
        .iter()
        .copied()
        .find(|r| r.refuses_event(Ci::GithubActions, event))?;
    let reach = reach_of(&|s: &PublishSite| s.index() == Some(registry) && s.is_oidc())?;
    if reach.verdict.value != Tri::True {
        return None;
    }
    let job = view.job(reach.job);
    let what = if reach.calls {
        "calls a workflow that publishes"
    } else {
        "publishes"
    };
    let quoted = rejected_event_message(registry, event)?;
    Some(UntrustedStart {
        location: Location::new(view.file.file, trigger.event.span),
        reach: Reach::Certain,
        refused: true,
        may_be_excluded: false,
        message: format!(
            "job `{}` {what} to {registry} by trusted publishing, but the workflow also runs on `{event}`, whose OIDC tokens {registry} refuses: \"{quoted}\"",
            job.id.value
        ),
        help: format!(
            "publish from a workflow that runs on `push` of tags, `release` or `workflow_dispatch`, or guard the publish job with `if: github.event_name != '{event}'`"
        ),
        related: vec![(
            Location::new(view.file.file, job.id.span),
            "this job publishes",
        )],
        pipeline: None,
    })
}

/// Whether a run reaches a publish step, and through which job of the
/// workflow it starts in.
#[derive(Clone)]
struct PublishReach {
    verdict: Verdict,
    job: usize,
    /// The job calls a reusable workflow that publishes.
    calls: bool,
}

impl PublishReach {
    /// Keep the more certain reach: true over unknown over false, the
    /// first among equals.
    fn keep_stronger(best: &mut Option<PublishReach>, found: Option<PublishReach>) {
        let rank = |r: &PublishReach| match r.verdict.value {
            Tri::True => 2,
            Tri::Unknown => 1,
            Tri::False => 0,
        };
        if let Some(found) = found
            && best.as_ref().is_none_or(|b| rank(&found) > rank(b))
        {
            *best = Some(found);
        }
    }
}

/// GitHub runs at most this many levels of reusable workflows.
const MAX_CALL_DEPTH: usize = 10;

/// A walk from one workflow through the workflows it calls, for one event.
struct ReachWalk<'a> {
    repo: &'a Repository,
    facts: &'a Facts,
    /// The publish sites that count.
    keep: &'a dyn Fn(&PublishSite) -> bool,
    /// Indexes into the call graph, per calling workflow.
    calls_from: &'a [Vec<usize>],
    /// Per workflow, depth and the inputs it is called with, so
    /// diamond-shaped call graphs cost linear time.
    memo: HashMap<(usize, usize, String), Option<PublishReach>>,
}

/// Calls walked with their `with:` values before inputs are left unknown,
/// so that many calls with different inputs cannot multiply the work.
const MAX_BOUND_WALKS: usize = 256;

impl ReachWalk<'_> {
    /// How the event reaches the publish steps of workflow `file` (to PyPI
    /// or TestPyPI): each job's `if:` and `needs`, each step's `if:`, and
    /// for a job that calls a workflow of this repository, that workflow's
    /// own jobs and steps (they run with the caller's event).
    fn publish_reach(&mut self, file: usize, depth: usize, event: &Event) -> Option<PublishReach> {
        let key = (file, depth, event.inputs_key());
        if let Some(known) = self.memo.get(&key) {
            return known.clone();
        }
        let workflow = self.repo.workflows.get(file)?.workflow.as_ref()?;
        let facts = self.facts.workflows.get(file)?;
        let reached = JobsReached::new(workflow, event);
        let mut best: Option<PublishReach> = None;
        for site in facts.publish_sites.iter().filter(|s| (self.keep)(s)) {
            if workflow.jobs.get(site.job).is_none() {
                continue;
            }
            let mut verdict = reached.step(workflow, site.job, Some(site.step), event);
            // An uploading action's own switch (`upload: ${{ ... }}`).
            if let Some(gate) = &site.gate {
                verdict = verdict.and(conditions::evaluate(gate, event));
            }
            PublishReach::keep_stronger(
                &mut best,
                Some(PublishReach {
                    verdict,
                    job: site.job,
                    calls: false,
                }),
            );
        }
        let calls = self.calls_from.get(file).map_or(&[][..], Vec::as_slice);
        for &index in calls {
            let call = &self.facts.calls.calls[index];
            let Callee::Local(target) = call.callee else {
                continue;
            };
            if depth >= MAX_CALL_DEPTH {
                break;
            }
            let Some(callee) = self
                .repo
                .workflows
                .get(target)
                .and_then(|f| f.workflow.as_ref())
            else {
                continue;
            };
            let mut called = conditions::called_event(
                event,
                JobScope {
                    workflow,
                    job: call.job,
                },
                callee,
            );
            if self.memo.len() >= MAX_BOUND_WALKS {
                called.forget_inputs();
            }
            let Some(inner) = self.publish_reach(target, depth + 1, &called) else {
                continue;
            };
            let Some(caller) = reached.jobs.get(call.job) else {
                continue;
            };
            PublishReach::keep_stronger(
                &mut best,
                Some(PublishReach {
                    verdict: caller.clone().and(inner.verdict),
                    job: call.job,
                    calls: true,
                }),
            );
        }
        self.memo.insert(key, best.clone());
        best
    }
}
