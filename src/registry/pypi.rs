//! PyPI and TestPyPI: GitHub publishers as warehouse defines them.
//!
//! Sources: pypi/warehouse `warehouse/oidc/models/github.py` (matching:
//! `job_workflow_ref` of the file holding the job, same repository only;
//! environment compared case-insensitively), `warehouse/oidc/forms/github.py`
//! (form rules), https://docs.pypi.org/trusted-publishers/.

use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow, Registry,
    RegistryInfo,
};

const LABELS: FormLabels = FormLabels {
    package: "PyPI Project Name",
    owner: "Owner",
    repository: "Repository name",
    workflow: "Workflow name",
    environment: "Environment name",
};

// warehouse compares the workflow file exactly and the environment
// case-insensitively (`models/github.py`, `_check_environment`); owner and
// repository are looked up case-insensitively.
const CASE: CaseRules = CaseRules {
    owner: false,
    workflow: true,
    environment: false,
};

const SOURCE: &str = "https://docs.pypi.org/trusted-publishers/; pypi/warehouse warehouse/oidc/models/github.py, warehouse/oidc/forms/github.py";

pub static PYPI: RegistryInfo = RegistryInfo {
    registry: Registry::Pypi,
    key: "pypi",
    aliases: &[],
    name: "PyPI",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Rejected,
    case: CASE,
    rejected_events: &[],
    labels: LABELS,
    settings_url: "https://pypi.org/manage/project/{package}/settings/publishing/",
    upload_hosts: &["upload.pypi.org/legacy", "pypi.org/legacy"],
    default_upload_url: "https://upload.pypi.org/legacy/",
    validate,
    source: SOURCE,
};

pub static TESTPYPI: RegistryInfo = RegistryInfo {
    registry: Registry::TestPypi,
    key: "testpypi",
    aliases: &["test.pypi.org"],
    name: "TestPyPI",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Rejected,
    case: CASE,
    rejected_events: &[],
    labels: LABELS,
    settings_url: "https://test.pypi.org/manage/project/{package}/settings/publishing/",
    upload_hosts: &["test.pypi.org/legacy", "upload.test.pypi.org/legacy"],
    default_upload_url: "https://test.pypi.org/legacy/",
    validate,
    source: SOURCE,
};

/// warehouse's GitHub publisher form (`forms/github.py`).
fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    [
        super::github_owner_problem(values.owner, "PyPI"),
        super::github_repository_problem(values.repository, "PyPI"),
        super::workflow_file_problem(values.workflow),
        values
            .environment
            .and_then(|e| super::environment_problem(e, "PyPI")),
    ]
    .into_iter()
    .flatten()
    .collect()
}
