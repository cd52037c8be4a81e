//! Publish sites: steps that upload Python distributions, with the tool,
//! the index they target and how they authenticate. Every uploader is one
//! row of [`UPLOADERS`] and one detector; rules only see [`PublishSite`].

use crate::config::Index;
use crate::source::Span;
use crate::workflow::{Job, Spanned, Step, Workflow};

/// A tool that uploads distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Uploader {
    GhActionPypiPublish,
}

impl Uploader {
    pub fn name(self) -> &'static str {
        match self {
            Uploader::GhActionPypiPublish => "pypa/gh-action-pypi-publish",
        }
    }
}

/// The GitHub Action that publishes to PyPI.
pub const PYPI_PUBLISH_ACTION: &str = "pypa/gh-action-pypi-publish";

/// The inputs `pypa/gh-action-pypi-publish` accepts, from its `action.yml`,
/// with the deprecated snake_case aliases it still reads.
pub const PYPI_PUBLISH_INPUTS: &[&str] = &[
    "user",
    "password",
    "repository-url",
    "packages-dir",
    "verify-metadata",
    "skip-existing",
    "verbose",
    "print-hash",
    "attestations",
];

/// Deprecated aliases: (alias, replacement).
pub const PYPI_PUBLISH_DEPRECATED_INPUTS: &[(&str, &str)] = &[
    ("repository_url", "repository-url"),
    ("packages_dir", "packages-dir"),
    ("verify_metadata", "verify-metadata"),
    ("skip_existing", "skip-existing"),
    ("print_hash", "print-hash"),
];

/// Where an upload goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Index(Index),
    /// Another index (a private registry, devpi, ...): not judged against publishers.
    Custom(String),
    /// An expression: unknown until the workflow runs.
    Expression(String),
}

/// How an upload authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Trusted publishing (OIDC).
    Oidc,
    /// An API token or password; the span points at where it is given.
    Password { span: Span },
}

#[derive(Clone, Debug)]
pub struct PublishSite {
    /// Index of the job in `Workflow::jobs`.
    pub job: usize,
    /// Index of the step in the job.
    pub step: usize,
    pub uploader: Uploader,
    pub target: Target,
    /// Where the target is set, when it is set explicitly.
    pub target_span: Option<Span>,
    pub auth: Auth,
    /// The step's `uses:` value or `run:` command.
    pub span: Span,
}

impl PublishSite {
    pub fn is_oidc(&self) -> bool {
        self.auth == Auth::Oidc
    }

    /// The index when it is PyPI or TestPyPI.
    pub fn index(&self) -> Option<Index> {
        match self.target {
            Target::Index(index) => Some(index),
            _ => None,
        }
    }
}

/// Classify an upload URL.
pub fn target_of_url(url: &Spanned<String>) -> Target {
    if url.is_expression() {
        return Target::Expression(url.value.clone());
    }
    let normalized = url.value.trim().trim_end_matches('/').to_ascii_lowercase();
    let normalized = normalized
        .strip_prefix("https://")
        .or_else(|| normalized.strip_prefix("http://"))
        .unwrap_or(&normalized);
    match normalized {
        "upload.pypi.org/legacy" | "pypi.org/legacy" => Target::Index(Index::Pypi),
        "test.pypi.org/legacy" | "upload.test.pypi.org/legacy" => Target::Index(Index::TestPypi),
        _ => Target::Custom(url.value.clone()),
    }
}

/// All publish sites of a workflow, in job and step order.
pub fn publish_sites(workflow: &Workflow) -> Vec<PublishSite> {
    let mut sites = Vec::new();
    for (job_index, job) in workflow.jobs.iter().enumerate() {
        for step in &job.steps {
            if let Some(site) = gh_action_pypi_publish(job_index, job, step) {
                sites.push(site);
            }
        }
    }
    sites
}

fn gh_action_pypi_publish(job_index: usize, _job: &Job, step: &Step) -> Option<PublishSite> {
    let uses = step.uses.as_ref()?;
    if !uses.target.is_action(PYPI_PUBLISH_ACTION) {
        return None;
    }
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"));
    let (target, target_span) = match url {
        Some(kv) if !kv.value.value.trim().is_empty() => {
            (target_of_url(&kv.value), Some(kv.value.span))
        }
        _ => (Target::Index(Index::Pypi), None),
    };
    let auth = match step.input("password") {
        Some(kv) if !kv.value.value.trim().is_empty() => Auth::Password { span: kv.key.span },
        _ => Auth::Oidc,
    };
    Some(PublishSite {
        job: job_index,
        step: step.index,
        uploader: Uploader::GhActionPypiPublish,
        target,
        target_span,
        auth,
        span: uses.raw.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(steps: &str) -> Vec<PublishSite> {
        let src = format!("on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n{steps}");
        let doc = crate::yaml::parse(&src).unwrap();
        publish_sites(&crate::workflow::build(&src, &doc))
    }

    #[test]
    fn trusted_publishing_to_pypi_by_default() {
        let s = sites("      - uses: pypa/gh-action-pypi-publish@release/v1\n");
        assert_eq!(s.len(), 1);
        assert!(s[0].is_oidc());
        assert_eq!(s[0].index(), Some(Index::Pypi));
    }

    #[test]
    fn password_and_testpypi() {
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n          repository-url: https://test.pypi.org/legacy/\n",
        );
        assert!(!s[0].is_oidc());
        assert_eq!(s[0].index(), Some(Index::TestPypi));
    }

    #[test]
    fn empty_password_is_still_trusted_publishing() {
        let s = sites(
            "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ''\n",
        );
        assert!(s[0].is_oidc());
    }

    #[test]
    fn url_forms() {
        let url = |u: &str| target_of_url(&Spanned::new(u.to_string(), Span::default()));
        assert_eq!(
            url("https://upload.pypi.org/legacy"),
            Target::Index(Index::Pypi)
        );
        assert_eq!(
            url("https://test.pypi.org/legacy/"),
            Target::Index(Index::TestPypi)
        );
        assert!(matches!(url("${{ vars.URL }}"), Target::Expression(_)));
        assert!(matches!(
            url("https://pkgs.example.com/simple/"),
            Target::Custom(_)
        ));
    }
}
