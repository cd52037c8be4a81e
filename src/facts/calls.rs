//! The reusable-workflow call graph: which job calls which workflow file.
//! PyPI attributes a job inside a called workflow to the called file, and
//! the called jobs cannot get more token permissions than the calling job.

use crate::repository::Repository;
use crate::source::Span;
use crate::workflow::UsesTarget;

/// What a `jobs.<id>.uses` points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callee {
    /// A workflow of this repository (index into `Repository::workflows`).
    Local(usize),
    /// `./` or `$/` to a file that is not in `.github/workflows`.
    Missing(String),
    /// `owner/repo/.github/workflows/x.yml@ref`: not readable offline.
    Remote(String),
}

#[derive(Clone, Debug)]
pub struct Call {
    /// The calling workflow (index into `Repository::workflows`) and job.
    pub caller: usize,
    pub job: usize,
    pub callee: Callee,
    /// The `uses:` value.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct CallGraph {
    pub calls: Vec<Call>,
    /// Calls that close a cycle (reported, never followed).
    pub cycles: Vec<usize>,
}

impl CallGraph {
    pub fn build(repo: &Repository) -> Self {
        let mut calls = Vec::new();
        for (caller, file) in repo.workflows.iter().enumerate() {
            let Some(workflow) = &file.workflow else {
                continue;
            };
            for (job_index, job) in workflow.jobs.iter().enumerate() {
                let Some(call) = &job.call else { continue };
                let callee = match &call.uses.target {
                    UsesTarget::Local { path } | UsesTarget::SelfRepository { path } => {
                        let path = path.trim_start_matches("./");
                        match repo.workflows.iter().position(|w| w.path == path) {
                            Some(index) => Callee::Local(index),
                            None => Callee::Missing(path.to_string()),
                        }
                    }
                    UsesTarget::Remote { .. } => Callee::Remote(call.uses.raw.value.clone()),
                    _ => continue,
                };
                calls.push(Call {
                    caller,
                    job: job_index,
                    callee,
                    span: call.uses.raw.span,
                });
            }
        }
        let mut graph = CallGraph {
            calls,
            cycles: Vec::new(),
        };
        graph.cycles = (0..graph.calls.len())
            .filter(|&i| graph.closes_cycle(i))
            .collect();
        graph
    }

    /// Whether following call `index` leads back to its caller.
    fn closes_cycle(&self, index: usize) -> bool {
        let call = &self.calls[index];
        let Callee::Local(start) = call.callee else {
            return false;
        };
        let mut seen = vec![start];
        let mut stack = vec![start];
        while let Some(file) = stack.pop() {
            if file == call.caller {
                return true;
            }
            for next in self.calls.iter().filter(|c| c.caller == file) {
                if let Callee::Local(target) = next.callee
                    && !seen.contains(&target)
                {
                    seen.push(target);
                    stack.push(target);
                }
            }
        }
        false
    }

    /// The calls into workflow `file`, cycles excluded.
    pub fn callers_of(&self, file: usize) -> impl Iterator<Item = &Call> {
        self.calls
            .iter()
            .enumerate()
            .filter(move |(i, c)| c.callee == Callee::Local(file) && !self.cycles.contains(i))
            .map(|(_, c)| c)
    }

    /// The calls made by workflow `file`.
    pub fn calls_from(&self, file: usize) -> impl Iterator<Item = &Call> {
        self.calls.iter().filter(move |c| c.caller == file)
    }
}
