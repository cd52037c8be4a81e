//! Effective token permissions of a job, as GitHub computes them:
//! a job-level block replaces the workflow-level one; naming any scope sets
//! the unnamed ones to `none`; `write-all` grants everything, `read-all` and
//! `{}` never grant `id-token: write`; and `id-token` defaults to `none`
//! under both repository defaults.

use crate::workflow::{Access, Job, Permissions, Workflow};

/// Where a job's permissions come from.
#[derive(Clone, Copy, Debug)]
pub enum GrantSource<'a> {
    /// No block anywhere: the repository default applies.
    RepositoryDefault,
    Workflow(&'a Permissions),
    Job(&'a Permissions),
}

impl<'a> GrantSource<'a> {
    pub fn of(workflow: &'a Workflow, job: &'a Job) -> Self {
        match (&job.permissions, &workflow.permissions) {
            (Some(p), _) => GrantSource::Job(p),
            (None, Some(p)) => GrantSource::Workflow(p),
            (None, None) => GrantSource::RepositoryDefault,
        }
    }

    pub fn block(self) -> Option<&'a Permissions> {
        match self {
            GrantSource::RepositoryDefault => None,
            GrantSource::Workflow(p) | GrantSource::Job(p) => Some(p),
        }
    }
}

/// The access a job gets for `id-token`; `None` when an expression hides it.
pub fn id_token(source: GrantSource<'_>) -> Option<Access> {
    match source.block() {
        None => Some(Access::None),
        Some(block) => block.grant("id-token"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(src: &str, job: &str) -> Option<Access> {
        let doc = crate::yaml::parse(src).unwrap();
        let workflow = crate::workflow::build(src, &doc);
        let job = workflow.job(job).unwrap();
        id_token(GrantSource::of(&workflow, job))
    }

    const STEPS: &str = "    runs-on: ubuntu-latest\n    steps: [{run: x}]\n";

    #[test]
    fn defaults_to_none() {
        assert_eq!(
            grant(&format!("on: push\njobs:\n  a:\n{STEPS}"), "a"),
            Some(Access::None)
        );
    }

    #[test]
    fn job_block_replaces_workflow_block() {
        let src = format!(
            "on: push\npermissions:\n  id-token: write\njobs:\n  a:\n    permissions:\n      contents: read\n{STEPS}  b:\n{STEPS}"
        );
        assert_eq!(grant(&src, "a"), Some(Access::None));
        assert_eq!(grant(&src, "b"), Some(Access::Write));
    }

    #[test]
    fn all_forms() {
        for (perms, expected) in [
            ("write-all", Some(Access::Write)),
            ("read-all", Some(Access::Read)),
            ("{}", Some(Access::None)),
            ("{\"id-token\": \"write\"}", Some(Access::Write)),
            ("\n      'id-token': write", Some(Access::Write)),
            ("${{ fromJSON(inputs.p) }}", None),
        ] {
            let src = format!("on: push\njobs:\n  a:\n    permissions: {perms}\n{STEPS}");
            assert_eq!(grant(&src, "a"), expected, "{perms}");
        }
    }
}
