//! PyPI and TestPyPI: GitHub publishers as warehouse defines them.
//!
//! Sources: pypi/warehouse `warehouse/oidc/models/github.py` (matching:
//! `job_workflow_ref` of the file holding the job, same repository only;
//! environment compared case-insensitively), `warehouse/oidc/forms/github.py`
//! (form rules), https://docs.pypi.org/trusted-publishers/.

use super::publishing::{ActionAuth, CommandUploader, TokenMinter, Uploader, UploaderAction, When};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, GitlabPublishing,
    MatchedWorkflow, Registry, RegistryInfo,
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

/// warehouse refuses the tokens of runs started by `pull_request_target`
/// (`models/github.py`, `_check_event_name`, a required claim checked on
/// every GitHub publisher [pypi/warehouse a34cdedc2]).
const REJECTED_EVENTS: &[&str] = &["pull_request_target"];

const SOURCE: &str = "https://docs.pypi.org/trusted-publishers/; pypi/warehouse warehouse/oidc/models/github.py, warehouse/oidc/forms/github.py";

pub static PYPI: RegistryInfo = RegistryInfo {
    registry: Registry::Pypi,
    key: "pypi",
    aliases: &[],
    name: "PyPI",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Rejected,
    case: CASE,
    rejected_events: REJECTED_EVENTS,
    labels: LABELS,
    settings_url: "https://pypi.org/manage/project/{package}/settings/publishing/",
    upload_hosts: &["upload.pypi.org/legacy", "pypi.org/legacy"],
    default_upload_url: "https://upload.pypi.org/legacy/",
    publish_hint: "`pypa/gh-action-pypi-publish`, `uv publish` or `twine upload` in a job with `id-token: write`",
    rejection: "`invalid-publisher`",
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
    rejected_events: REJECTED_EVENTS,
    labels: LABELS,
    settings_url: "https://test.pypi.org/manage/project/{package}/settings/publishing/",
    upload_hosts: &["test.pypi.org/legacy", "upload.test.pypi.org/legacy"],
    default_upload_url: "https://test.pypi.org/legacy/",
    publish_hint: "`pypa/gh-action-pypi-publish`, `uv publish` or `twine upload` in a job with `id-token: write`",
    rejection: "`invalid-publisher`",
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

/// The GitHub Action that publishes to PyPI.
pub const PYPI_PUBLISH_ACTION: &str = "pypa/gh-action-pypi-publish";
/// maturin's action; `command: upload|publish` uploads.
pub const MATURIN_ACTION: &str = "pyo3/maturin-action";
/// Its name before it moved to the PyO3 organisation (PyO3/maturin-action
/// 074813a, "Update links after moving to PyO3 org", 2022-11-03); GitHub
/// redirects the `uses:` of a moved repository, and workflows still use it
/// (delta-io/delta-rs).
pub const MATURIN_ACTION_FORMER: &str = "messense/maturin-action";

/// Whether `uses:` names maturin's action, under either name.
pub fn is_maturin_action(target: &crate::workflow::UsesTarget) -> bool {
    target.is_action(MATURIN_ACTION) || target.is_action(MATURIN_ACTION_FORMER)
}

/// The inputs `pypa/gh-action-pypi-publish` accepts, from its `action.yml`.
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

/// Deprecated snake_case aliases it still reads: (alias, replacement).
pub const PYPI_PUBLISH_DEPRECATED_INPUTS: &[(&str, &str)] = &[
    ("repository_url", "repository-url"),
    ("packages_dir", "packages-dir"),
    ("verify_metadata", "verify-metadata"),
    ("skip_existing", "skip-existing"),
    ("print_hash", "print-hash"),
];

/// Every action that uploads to PyPI, each checked in its own files
/// (commit in brackets). The first two have their own readers (their
/// inputs decide the index and the secret in more ways).
pub const UPLOADER_ACTIONS: &[UploaderAction] = &[
    // action.yml, twine-upload.sh: `password` empty means trusted
    // publishing; `repository-url` [52d1526].
    UploaderAction {
        action: PYPI_PUBLISH_ACTION,
        registry: Registry::Pypi,
        when: None,
        token_inputs: &["password"],
        token_env: &[],
        auth: ActionAuth::TrustedPublishing,
        url_input: Some("repository-url"),
    },
    // action.yml `command` upload|publish; maturin's upload.rs takes
    // MATURIN_PYPI_TOKEN, else the OIDC token [6df80d7, 9ad2a8c].
    UploaderAction {
        action: MATURIN_ACTION,
        registry: Registry::Pypi,
        when: Some(("command", When::OneOf(&["upload", "publish"]))),
        token_inputs: &[],
        token_env: &["MATURIN_PYPI_TOKEN"],
        auth: ActionAuth::TrustedPublishing,
        url_input: None,
    },
    // action.yml: uploads when `upload` is `true` (the default); trusted
    // publishing (audience `pypi`) when `password` is empty; `url` [10cf4cd].
    UploaderAction {
        action: "casperdcl/deploy-pypi",
        registry: Registry::Pypi,
        when: Some(("upload", When::OneOf(&["true", ""]))),
        token_inputs: &["password"],
        token_env: &[],
        auth: ActionAuth::TrustedPublishing,
        url_input: Some("url"),
    },
    // action.yml: `command: publish` runs the uv/pdm/poetry plugin's
    // upload; `pypi-token` becomes UV_PUBLISH_TOKEN, else trusted
    // publishing by uv or pdm [5fdc82e].
    UploaderAction {
        action: "autopub/autopub-action",
        registry: Registry::Pypi,
        when: Some(("command", When::OneOf(&["publish"]))),
        token_inputs: &["pypi-token"],
        token_env: &[],
        auth: ActionAuth::TrustedPublishing,
        url_input: None,
    },
    // action.yml: uploads unless `pypi-token` is `skip` (its default),
    // with twine and that token [d0603b1].
    UploaderAction {
        action: "etils-actions/pypi-auto-publish",
        registry: Registry::Pypi,
        when: Some(("pypi-token", When::NoneOf(&["skip", ""]))),
        token_inputs: &["pypi-token"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: None,
    },
    // action.yml: builds and runs twine with `pypi-token` [f76186a].
    UploaderAction {
        action: "etils-actions/pypi-build-publish",
        registry: Registry::Pypi,
        when: None,
        token_inputs: &["pypi-token"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: None,
    },
    // entrypoint.sh: `poetry publish` with `pypi_token` or a password;
    // poetry has no trusted publishing [4b33063].
    UploaderAction {
        action: "jrubics/poetry-publish",
        registry: Registry::Pypi,
        when: None,
        token_inputs: &["pypi_token", "repository_password"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: Some("repository_url"),
    },
    // action.yaml: `poetry publish --build` with the registry password [ec93221].
    UploaderAction {
        action: "code-specialist/pypi-poetry-publish",
        registry: Registry::Pypi,
        when: None,
        token_inputs: &["publish_registry_password"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: Some("publish_registry"),
    },
    // jupyter_releaser lib.py/python.py: trusted publishing whenever the
    // job has the OIDC request variables (PYPI_TOKEN is then ignored),
    // else PYPI_TOKEN or PYPI_TOKEN_MAP [03cf75d].
    UploaderAction {
        action: "jupyter-server/jupyter_releaser/.github/actions/finalize-release",
        registry: Registry::Pypi,
        when: None,
        token_inputs: &[],
        token_env: &["PYPI_TOKEN", "PYPI_TOKEN_MAP"],
        auth: ActionAuth::TrustedPublishingWhenPermitted,
        url_input: None,
    },
];

/// Every command-line uploader (SPEC section 2).
pub const COMMAND_UPLOADERS: &[CommandUploader] = &[
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Uv,
        program: "uv",
        subcommands: &["publish"],
        secret_flags: &["--token", "-t", "--password", "-p"],
        secret_env: &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"],
        url_flags: &["--publish-url"],
        url_env: &["UV_PUBLISH_URL"],
        repository_flags: &["--index"],
        repository_env: &["UV_PUBLISH_INDEX"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Twine,
        program: "twine",
        subcommands: &["upload"],
        secret_flags: &["--password", "-p"],
        secret_env: &["TWINE_PASSWORD"],
        url_flags: &["--repository-url"],
        url_env: &["TWINE_REPOSITORY_URL"],
        repository_flags: &["--repository", "-r"],
        repository_env: &["TWINE_REPOSITORY"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Pdm,
        program: "pdm",
        subcommands: &["publish"],
        secret_flags: &["--password", "-P"],
        secret_env: &["PDM_PUBLISH_PASSWORD"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repository", "-r"],
        repository_env: &["PDM_PUBLISH_REPO"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Maturin,
        program: "maturin",
        subcommands: &["upload", "publish"],
        secret_flags: &["--password", "-p"],
        secret_env: &["MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"],
        url_flags: &["--repository-url"],
        url_env: &["MATURIN_REPOSITORY_URL"],
        repository_flags: &["--repository", "-r"],
        repository_env: &["MATURIN_REPOSITORY"],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: true,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Poetry,
        program: "poetry",
        subcommands: &["publish"],
        secret_flags: &["--password", "-p"],
        secret_env: &["POETRY_PYPI_TOKEN_*", "POETRY_HTTP_BASIC_*"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repository", "-r"],
        repository_env: &[],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: false,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Hatch,
        program: "hatch",
        subcommands: &["publish"],
        secret_flags: &["--auth", "-a"],
        secret_env: &["HATCH_INDEX_AUTH"],
        url_flags: &[],
        url_env: &[],
        repository_flags: &["--repo", "-r"],
        repository_env: &["HATCH_INDEX_REPO"],
        testpypi_names: &["test"],
        pypi_names: &["main"],
        trusted_publishing: false,
    },
    CommandUploader {
        registry: Registry::Pypi,
        uploader: Uploader::Flit,
        program: "flit",
        subcommands: &["publish"],
        secret_flags: &[],
        secret_env: &["FLIT_PASSWORD"],
        url_flags: &[],
        url_env: &["FLIT_INDEX_URL"],
        repository_flags: &["--repository"],
        repository_env: &[],
        testpypi_names: &["testpypi"],
        pypi_names: &["pypi"],
        trusted_publishing: false,
    },
];

/// Actions that mint a PyPI API token from the OIDC token; a password
/// taken from their outputs is still trusted publishing.
pub static MINTERS: &[TokenMinter] = &[
    // action.yml: POST to https://pypi.org/_/oidc/github/mint-token, the
    // token in an output [118ad17].
    TokenMinter {
        action: "tschm/token-mint-action",
        registry: Registry::Pypi,
        outputs: &[],
        exports: &[],
        other_modes: &[],
        token_inputs: &[],
        only_mints: true,
    },
];

/// The labels of PyPI's GitLab publisher form (pypi/warehouse
/// `warehouse/oidc/forms/gitlab.py`, `templates/manage/project/publishing.html`).
pub const GITLAB_LABELS: FormLabels = FormLabels {
    package: "PyPI Project Name",
    owner: "Namespace",
    repository: "Project name",
    workflow: "Top-level pipeline file path",
    environment: "Environment name",
};

/// How warehouse matches a GitLab token with a publisher
/// (`warehouse/oidc/models/gitlab.py`, `lookup_by_claims` and
/// `verify_claims`): namespace and project are looked up ignoring case
/// (`func.lower`), the top-level pipeline file path taken from
/// `ci_config_ref_uri` is compared exactly, and the environment exactly
/// (pypi/warehouse#18338: "GitLab's environments are case-sensitive").
pub const GITLAB_CASE: CaseRules = CaseRules {
    owner: false,
    workflow: true,
    environment: true,
};

/// The issuer of gitlab.com's ID tokens, the publisher's default
/// (`GITLAB_OIDC_ISSUER_URL`, `warehouse/oidc/models/gitlab.py`); another
/// issuer is a self-managed instance, registered on a PyPI organisation
/// (beta, `docs/blog/posts/2025-11-10-trusted-publishers-coming-to-orgs.md`).
pub const GITLAB_ISSUER: &str = "https://gitlab.com";

/// Where the GitLab facts of PyPI and TestPyPI were checked.
const GITLAB_SOURCE: &str = "https://docs.pypi.org/trusted-publishers/using-a-publisher/ (GitLab CI/CD); pypi/warehouse warehouse/oidc/models/gitlab.py, warehouse/oidc/forms/gitlab.py, warehouse/oidc/services.py; di/id id/_internal/oidc/ambient.py; astral-sh/ambient-id src/gitlab.rs";

/// PyPI's GitLab publishers. twine (6.1.0 and later, through `id`) and uv
/// (0.8.18 and later, through `ambient-id`) read the token from
/// `<AUDIENCE>_ID_TOKEN`, the audience being what the index's
/// `/_/oidc/audience` says (`pypi`); warehouse decodes it with a strict
/// audience (one string, its own: `services.py`) and accepts each token
/// once (`jti`, `models/_core.py`).
pub static PYPI_GITLAB: GitlabPublishing = GitlabPublishing {
    labels: GITLAB_LABELS,
    case: GITLAB_CASE,
    id_token: "PYPI_ID_TOKEN",
    audience: "pypi",
    audience_list: Some(false),
    uploaders: &[Uploader::Twine, Uploader::Uv, Uploader::Pdm],
    single_use: true,
    publish_hint: "`twine upload` (twine 6.1.0 or later), `uv publish` (uv 0.8.18 or later) or `pdm publish` (pdm 2.23.1 or later) in a job with `id_tokens: PYPI_ID_TOKEN: {aud: pypi}`",
    rejection: "`invalid-publisher`",
    validate: validate_gitlab,
    source: GITLAB_SOURCE,
};

/// TestPyPI's, the same with the audience `testpypi`.
pub static TESTPYPI_GITLAB: GitlabPublishing = GitlabPublishing {
    labels: GITLAB_LABELS,
    case: GITLAB_CASE,
    id_token: "TESTPYPI_ID_TOKEN",
    audience: "testpypi",
    audience_list: Some(false),
    uploaders: &[Uploader::Twine, Uploader::Uv, Uploader::Pdm],
    single_use: true,
    publish_hint: "`twine upload` (twine 6.1.0 or later), `uv publish` (uv 0.8.18 or later) or `pdm publish` (pdm 2.23.1 or later) in a job with `id_tokens: TESTPYPI_ID_TOKEN: {aud: testpypi}`",
    rejection: "`invalid-publisher`",
    validate: validate_gitlab,
    source: GITLAB_SOURCE,
};

/// The GitLab publisher form of PyPI and TestPyPI (pypi/warehouse
/// `warehouse/oidc/forms/gitlab.py`): namespace (subgroups allowed) and
/// project name patterns, no two of `._-` in a row, no `.git`/`.atom`
/// suffix; the top-level pipeline file path ends in `.yml`/`.yaml` and
/// neither starts nor ends with `/`; environments of letters, digits,
/// `-_/${}` and spaces.
pub fn validate_gitlab(values: &FormValues<'_>) -> Vec<FieldProblem> {
    use super::PublisherField;
    let mut problems = Vec::new();
    let name_problem = |value: &str, extra: &str| -> Option<String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c) || extra.contains(c);
        let ends_ok = value.len() >= 2
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric());
        let lower = value.to_ascii_lowercase();
        if !ends_ok || !value.chars().all(allowed) {
            Some(format!(
                "letters, digits and `-_.{extra}`, at least two characters, starting and ending with a letter or digit"
            ))
        } else if value
            .as_bytes()
            .windows(2)
            .any(|w| b"._-".contains(&w[0]) && b"._-".contains(&w[1]))
        {
            Some("no two of `.`, `_`, `-` in a row".into())
        } else if lower.ends_with(".git") || lower.ends_with(".atom") {
            Some("no `.git` or `.atom` ending".into())
        } else {
            None
        }
    };
    if let Some(rule) = name_problem(values.owner, "/+") {
        problems.push(FieldProblem {
            field: PublisherField::Owner,
            message: format!(
                "namespace `{}` is not a valid GitLab namespace",
                values.owner
            ),
            help: Some(format!(
                "PyPI accepts {rule} (e.g. `mygroup/subgroup`, not a URL)"
            )),
        });
    }
    if let Some(rule) = name_problem(values.repository, "") {
        problems.push(FieldProblem {
            field: PublisherField::Repository,
            message: format!(
                "project `{}` is not a valid GitLab project name",
                values.repository
            ),
            help: Some(format!(
                "PyPI accepts {rule}; give the project's path name alone, without its namespace"
            )),
        });
    }
    let path = values.workflow;
    let path_problem = if path.trim() != path {
        Some(format!(
            "top-level pipeline file path `{path}` has leading or trailing whitespace"
        ))
    } else if path.starts_with('/') || path.ends_with('/') {
        Some(format!(
            "top-level pipeline file path `{path}` must not start or end with `/`"
        ))
    } else if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
        Some(format!(
            "top-level pipeline file path `{path}` must end with .yml or .yaml"
        ))
    } else {
        None
    };
    if let Some(message) = path_problem {
        problems.push(FieldProblem {
            field: PublisherField::Workflow,
            message,
            help: Some("give the path relative to the project's root, as in the project's CI/CD settings (`.gitlab-ci.yml` by default)".into()),
        });
    }
    if let Some(environment) = values.environment
        && !environment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/${} ".contains(c))
    {
        problems.push(FieldProblem {
            field: PublisherField::Environment,
            message: format!(
                "environment `{environment}` has characters PyPI's GitLab form refuses"
            ),
            help: Some(
                "PyPI accepts letters, digits, `-`, `_`, `/`, `$`, `{`, `}` and spaces".into(),
            ),
        });
    }
    problems
}

/// PEP 503 normalisation: runs of `-`, `_` and `.` become one `-`, lower case.
pub fn normalize_project_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_form() {
        let ok = FormValues {
            owner: "group/sub-group",
            repository: "my.project",
            workflow: "ci/release.yml",
            environment: Some("release/${CI_COMMIT_TAG}"),
            workflow_repository: None,
            user: None,
        };
        assert!(validate_gitlab(&ok).is_empty());
        for (owner, repository, workflow, environment) in [
            ("https://gitlab.com/g", "p1", ".gitlab-ci.yml", None),
            ("g1", "a/b", ".gitlab-ci.yml", None),
            ("g1", "p1", "/.gitlab-ci.yml", None),
            ("g1", "p1", ".gitlab-ci", None),
            ("g1", "proj.git", ".gitlab-ci.yml", None),
            ("g__1", "p1", ".gitlab-ci.yml", None),
            ("g1", "p1", ".gitlab-ci.yml", Some("prod.eu")),
        ] {
            let values = FormValues {
                owner,
                repository,
                workflow,
                environment,
                workflow_repository: None,
                user: None,
            };
            assert_eq!(
                validate_gitlab(&values).len(),
                1,
                "{owner} {repository} {workflow}"
            );
        }
    }
}
