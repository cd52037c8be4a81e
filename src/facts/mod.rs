//! Facts derived once from the workflow model and shared by the rules:
//! publish sites, effective permissions, which file PyPI attributes a job to.

pub mod artifacts;
pub mod attestations;
pub mod build_steps;
pub mod call_reach;
pub mod calls;
pub mod conditions;
pub mod oidc;
pub mod permissions;
pub mod publish;
pub mod shell;
pub mod triggers;

use crate::repository::{Repository, WorkflowFile};
use crate::workflow::{Job, Workflow};

pub use publish::PublishSite;

/// Facts about one workflow file, parallel to `Repository::workflows`.
#[derive(Debug, Default)]
pub struct WorkflowFacts {
    /// Sorted by job.
    pub publish_sites: Vec<PublishSite>,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub workflows: Vec<WorkflowFacts>,
    pub calls: calls::CallGraph,
}

impl Facts {
    pub fn derive(repo: &Repository) -> Self {
        let workflows = repo
            .workflows
            .iter()
            .map(|file| match &file.workflow {
                Some(workflow) => {
                    let mut publish_sites =
                        publish::publish_sites(workflow, &repo.sources.get(file.file).text);
                    // Grouped by job (stable: step order is kept) for `sites_of`.
                    publish_sites.sort_by_key(|site| site.job);
                    WorkflowFacts { publish_sites }
                }
                None => WorkflowFacts::default(),
            })
            .collect();
        Facts {
            workflows,
            calls: calls::CallGraph::build(repo),
        }
    }
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

/// A job that publishes to one index by trusted publishing.
#[derive(Clone, Copy)]
pub struct OidcPublishJob<'a> {
    pub view: WorkflowView<'a>,
    pub job: &'a Job,
    pub index: crate::config::Index,
    /// The job's first OIDC upload to that index.
    pub site: &'a PublishSite,
}

/// Every (job, index) pair that publishes by OIDC to PyPI or TestPyPI.
pub fn oidc_publish_jobs<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<OidcPublishJob<'a>> {
    let mut jobs: Vec<OidcPublishJob<'a>> = Vec::new();
    for view in views(repo, facts) {
        for site in &view.facts.publish_sites {
            let Some(index) = site.index() else { continue };
            if !site.is_oidc() {
                continue;
            }
            let seen = jobs
                .iter()
                .any(|j| j.view.index == view.index && j.site.job == site.job && j.index == index);
            if !seen {
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
