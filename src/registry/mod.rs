//! The registries that accept trusted publishing, and what tplint knows of
//! each: how its publisher form reads and validates, which workflow file of
//! a run it matches, how it compares names, and the URLs of its upload API
//! and settings page. One module per registry; [`Registry`] names them and
//! [`Registry::info`] returns the module's [`RegistryInfo`]. Adding a
//! registry is one module here, its docs and its fixtures.
//!
//! How each registry recognises a publish (actions, commands, tokens) is in
//! the module's tables too, read by `facts::publish`.

pub mod claims;
pub mod crates_io;
pub mod jsr;
pub mod npm;
pub mod nuget;
pub mod pub_dev;
pub mod publishing;
pub mod pypi;
pub mod rubygems;

use std::fmt;

use publishing::Uploader;

/// A registry with trusted publishing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Registry {
    Pypi,
    TestPypi,
    CratesIo,
    Npm,
    RubyGems,
    NuGet,
    PubDev,
    Jsr,
}

/// Which workflow file of a run the registry compares with the publisher's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedWorkflow {
    /// The file that holds the publishing job (`job_workflow_ref`), even
    /// when another workflow calls it.
    Callee,
    /// The file the run started from (`workflow_ref`): the caller of a
    /// reusable workflow.
    Caller,
    /// No workflow file: the registry trusts the repository (pub.dev adds
    /// a tag pattern), and its publisher has no workflow field.
    Repository,
}

/// Whether a reusable workflow of another repository can publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossRepository {
    /// Never: the callee must be in the publishing repository.
    Rejected,
    /// Only when the publisher registers the callee's repository
    /// (RubyGems' `workflow_repository_owner`/`_name`).
    Registered,
    /// The registry matches the caller, so the callee's repository does
    /// not matter.
    NotMatched,
}

/// Which publisher fields the registry compares case-sensitively.
#[derive(Clone, Copy, Debug)]
pub struct CaseRules {
    pub owner: bool,
    pub workflow: bool,
    pub environment: bool,
}

/// The labels of the registry's publisher form, as it prints them.
#[derive(Clone, Copy, Debug)]
pub struct FormLabels {
    pub package: &'static str,
    pub owner: &'static str,
    pub repository: &'static str,
    pub workflow: &'static str,
    pub environment: &'static str,
}

/// A publisher field that breaks the registry's form rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: PublisherField,
    pub message: String,
    pub help: Option<String>,
}

/// The fields of a GitHub publisher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublisherField {
    Owner,
    Repository,
    Workflow,
    Environment,
    WorkflowRepositoryOwner,
    WorkflowRepositoryName,
    User,
    /// NuGet.org's GitLab ref (a branch).
    Ref,
}

/// The values of a publisher, as a registry's form validation sees them.
pub struct FormValues<'a> {
    pub owner: &'a str,
    pub repository: &'a str,
    pub workflow: &'a str,
    pub environment: Option<&'a str>,
    pub workflow_repository: Option<(&'a str, &'a str)>,
    pub user: Option<&'a str>,
}

/// What tplint knows of one registry.
pub struct RegistryInfo {
    pub registry: Registry,
    /// The `registry =` value in `tplint.toml`.
    pub key: &'static str,
    /// Other spellings accepted for `registry =`.
    pub aliases: &'static [&'static str],
    pub name: &'static str,
    pub matched: MatchedWorkflow,
    pub cross_repository: CrossRepository,
    pub case: CaseRules,
    /// `github.event_name` values whose tokens the registry refuses (its
    /// answer, where tplint quotes it, from `rejected_event_message`).
    pub rejected_events: &'static [&'static str],
    pub labels: FormLabels,
    /// The page where a maintainer adds the publisher; `{package}` stands
    /// for the package name.
    pub settings_url: &'static str,
    /// Upload endpoints, lower case, without scheme or trailing `/`.
    pub upload_hosts: &'static [&'static str],
    /// Where a publish goes when no URL is given.
    pub default_upload_url: &'static str,
    /// How a job publishes there by trusted publishing, for help texts.
    pub publish_hint: &'static str,
    /// What the registry answers a token that matches no publisher.
    pub rejection: &'static str,
    /// The registry's form rules.
    pub validate: fn(&FormValues<'_>) -> Vec<FieldProblem>,
    /// The documentation this entry was checked against.
    pub source: &'static str,
}

/// What a registry knows of GitLab CI/CD publishers: the fields of its
/// form, how it compares them, and the ID token a job must carry for it.
/// Owned by the registry's module, read by the GitLab rules and `suggest`.
pub struct GitlabPublishing {
    pub labels: FormLabels,
    pub case: CaseRules,
    /// The `id_tokens:` entry the registry's uploader reads.
    pub id_token: &'static str,
    /// The audience that token must carry, exactly.
    pub audience: &'static str,
    /// Whether the token's audience may be a list (`aud: [a, b]`); `None`
    /// where the registry does not say.
    pub audience_list: Option<bool>,
    /// The uploaders that read `id_token` themselves on GitLab, or (crates.io)
    /// are given the token a script of the job exchanged it for.
    pub uploaders: &'static [Uploader],
    /// Whether the registry accepts each ID token once, so a second upload
    /// with the job's one token fails.
    pub single_use: bool,
    /// How a GitLab job publishes there by trusted publishing, for help texts.
    pub publish_hint: &'static str,
    /// What the registry answers a token that matches no publisher.
    pub rejection: &'static str,
    /// The registry's GitLab form rules.
    pub validate: fn(&FormValues<'_>) -> Vec<FieldProblem>,
    /// The documentation this entry was checked against.
    pub source: &'static str,
}

impl Registry {
    /// Every registry, in the order `tplint suggest` prints them.
    pub const ALL: [Registry; 8] = [
        Registry::Pypi,
        Registry::TestPypi,
        Registry::CratesIo,
        Registry::Npm,
        Registry::RubyGems,
        Registry::NuGet,
        Registry::PubDev,
        Registry::Jsr,
    ];

    pub fn info(self) -> &'static RegistryInfo {
        match self {
            Registry::Pypi => &pypi::PYPI,
            Registry::TestPypi => &pypi::TESTPYPI,
            Registry::CratesIo => &crates_io::INFO,
            Registry::Npm => &npm::INFO,
            Registry::RubyGems => &rubygems::INFO,
            Registry::NuGet => &nuget::INFO,
            Registry::PubDev => &pub_dev::INFO,
            Registry::Jsr => &jsr::INFO,
        }
    }

    /// What the registry knows of GitLab CI/CD publishers; `None` where
    /// tplint does not check GitLab publishers for it.
    pub fn gitlab(self) -> Option<&'static GitlabPublishing> {
        match self {
            Registry::Pypi => Some(&pypi::PYPI_GITLAB),
            Registry::TestPypi => Some(&pypi::TESTPYPI_GITLAB),
            Registry::Npm => Some(&npm::GITLAB),
            Registry::CratesIo => Some(&crates_io::GITLAB),
            Registry::NuGet => Some(&nuget::GITLAB),
            _ => None,
        }
    }

    /// Whether the registry's uploader reads no ID token on GitLab: a
    /// script of the job exchanges it (crates.io, NuGet.org) and the
    /// uploader is given the answer.
    pub fn exchanges_on_gitlab(self) -> bool {
        matches!(self, Registry::CratesIo | Registry::NuGet)
    }

    /// Whether the registry's GitLab publishers name a top-level pipeline
    /// file (NuGet.org's name none: its form has no such field).
    pub fn gitlab_names_pipeline(self) -> bool {
        self.gitlab().is_none_or(|g| !g.labels.workflow.is_empty())
    }

    /// The registry a `registry =` (or `index =`) value names, any case.
    pub fn parse(text: &str) -> Option<Registry> {
        let wanted = text.trim();
        Registry::ALL.into_iter().find(|r| {
            let info = r.info();
            info.key.eq_ignore_ascii_case(wanted)
                || info.aliases.iter().any(|a| a.eq_ignore_ascii_case(wanted))
        })
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    pub fn display_name(self) -> &'static str {
        self.info().name
    }

    pub fn upload_url(self) -> &'static str {
        self.info().default_upload_url
    }

    /// Whether its publishers name a workflow file (all but pub.dev and JSR,
    /// which trust a repository).
    pub fn matches_workflow(self) -> bool {
        self.info().matched != MatchedWorkflow::Repository
    }

    /// Whether two names of its packages name the same package, as the
    /// registry compares them: PyPI's PEP 503 normalisation
    /// ([`pypi::normalize_project_name`]); crates.io's canonical name,
    /// lower case with `-` and `_` alike (rust-lang/crates.io, SQL function
    /// `canon_crate_name`); exactly elsewhere.
    pub fn same_package_name(self, a: &str, b: &str) -> bool {
        if self.is_pypi() {
            return pypi::normalize_project_name(a) == pypi::normalize_project_name(b);
        }
        if self == Registry::CratesIo {
            let canon = |n: &str| n.trim().to_ascii_lowercase().replace('-', "_");
            return canon(a) == canon(b);
        }
        a.trim() == b.trim()
    }

    /// PyPI or TestPyPI.
    pub fn is_pypi(self) -> bool {
        matches!(self, Registry::Pypi | Registry::TestPypi)
    }

    /// The registry an upload URL points to.
    /// The variables in which only this registry's own client reads a
    /// long-lived token (`GEM_HOST_API_KEY`, `CARGO_REGISTRY_TOKEN`,
    /// `NUGET_API_KEY`): a step tplint cannot see into given one may
    /// publish with it. Empty where the names are shared with other
    /// registries' tools (PyPI's and npm's). gem and NuGet read theirs for
    /// any feed they push to, so `facts::tokens_to_opaque` leaves out the
    /// workflow's `GITHUB_TOKEN`, GitHub Packages' key.
    pub fn token_variables(self) -> &'static [&'static str] {
        match self {
            Registry::RubyGems => rubygems::TOKEN_VARIABLES,
            Registry::CratesIo => crates_io::TOKEN_VARIABLES,
            Registry::NuGet => nuget::TOKEN_VARIABLES,
            _ => &[],
        }
    }

    /// Whether a secret's name says it holds this registry's API token
    /// (`CRATES_IO_API_TOKEN`, `RUBYGEMS_API_KEY`, `NUGET_KEY`,
    /// `PYPI_TOKEN`): the registry's word and `TOKEN` or `KEY`. npm has
    /// none: an npm token is also used to install private packages.
    pub fn names_its_token_secret(self, name: &str) -> bool {
        let words: &[&str] = match self {
            Registry::CratesIo => &["CRATES_IO", "CRATESIO", "CARGO_REGISTRY"],
            Registry::RubyGems => &["RUBYGEMS", "GEM_HOST"],
            Registry::NuGet => &["NUGET"],
            Registry::Pypi => &["PYPI"],
            Registry::TestPypi => &["TEST_PYPI", "TESTPYPI"],
            _ => return false,
        };
        let name = name.to_ascii_uppercase();
        let test = name.contains("TEST_PYPI") || name.contains("TESTPYPI");
        (name.contains("TOKEN") || name.contains("KEY"))
            && words.iter().any(|w| name.contains(w))
            && !(self == Registry::Pypi && test)
    }

    pub fn of_url(url: &str) -> Option<Registry> {
        let normalized = url.trim().trim_end_matches('/').to_ascii_lowercase();
        let bare = normalized
            .strip_prefix("https://")
            .or_else(|| normalized.strip_prefix("http://"))
            .unwrap_or(&normalized);
        Registry::ALL
            .into_iter()
            .find(|r| r.info().upload_hosts.contains(&bare))
    }

    /// Whether two values of a field are the same to the registry.
    pub fn same(self, field: PublisherField, a: &str, b: &str) -> bool {
        let case = self.info().case;
        let sensitive = match field {
            PublisherField::Owner
            | PublisherField::Repository
            | PublisherField::WorkflowRepositoryOwner
            | PublisherField::WorkflowRepositoryName => case.owner,
            PublisherField::Workflow => case.workflow,
            PublisherField::Environment => case.environment,
            PublisherField::User => false,
            PublisherField::Ref => true,
        };
        if sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// What `registry` answers a token minted for a run of `event` that it
/// refuses (one of its `rejected_events`).
pub fn rejected_event_message(registry: Registry, event: &str) -> Option<String> {
    match registry {
        Registry::CratesIo => Some(crates_io::REJECTED_EVENT_MESSAGE.replace("{event}", event)),
        _ => None,
    }
}

/// How a job publishes to `registry` by trusted publishing, for the help
/// of findings about tokens, where it takes more than `id-token: write`.
pub fn trusted_publishing_how(registry: Registry) -> Option<&'static str> {
    match registry {
        Registry::CratesIo => Some(crates_io::TRUSTED_PUBLISHING_HOW),
        Registry::RubyGems => Some(rubygems::TRUSTED_PUBLISHING_HOW),
        Registry::NuGet => Some(nuget::TRUSTED_PUBLISHING_HOW),
        Registry::PubDev => Some(pub_dev::TRUSTED_PUBLISHING_HOW),
        Registry::Jsr => Some(jsr::TRUSTED_PUBLISHING_HOW),
        _ => None,
    }
}

/// The accepted `registry =` values, for error messages.
pub fn keys() -> String {
    Registry::ALL
        .iter()
        .map(|r| format!("\"{}\"", r.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

// Form rules several registries share.

/// GitHub's user and organisation names.
pub(crate) fn github_owner_problem(owner: &str, registry: &str) -> Option<FieldProblem> {
    let valid = owner
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (!valid).then(|| FieldProblem {
        field: PublisherField::Owner,
        message: format!("owner `{owner}` is not a valid GitHub user or organization name"),
        help: Some(format!(
            "{registry} accepts letters, digits and `-`, starting with a letter or digit (e.g. `myorg`, not `https://github.com/myorg`)"
        )),
    })
}

/// GitHub's repository names.
pub(crate) fn github_repository_problem(repository: &str, registry: &str) -> Option<FieldProblem> {
    let valid = !repository.is_empty()
        && repository
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (!valid).then(|| FieldProblem {
        field: PublisherField::Repository,
        message: format!("repository `{repository}` is not a valid GitHub repository name"),
        help: Some(format!(
            "give only the name (e.g. `myproject`, not `myorg/myproject`); {registry} accepts letters, digits, `-`, `_` and `.`"
        )),
    })
}

/// A workflow given as a bare `.yml`/`.yaml` file name.
pub(crate) fn workflow_file_problem(name: &str) -> Option<FieldProblem> {
    let problem = |message: String, help: Option<String>| {
        Some(FieldProblem {
            field: PublisherField::Workflow,
            message,
            help,
        })
    };
    if name.trim() != name {
        return problem(
            format!("workflow `{name}` has leading or trailing whitespace"),
            Some(format!("use `{}`", name.trim())),
        );
    }
    if let Some((_, file)) = name.rsplit_once('/') {
        return problem(
            format!("workflow `{name}` must be a bare file name, not a path"),
            Some(format!("use `{file}`")),
        );
    }
    if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
        return problem(
            format!("workflow `{name}` must end in `.yml` or `.yaml`"),
            None,
        );
    }
    None
}

/// An environment name: at most 255 characters, no surrounding space, no
/// control characters or ``' " ` , ; \``.
pub(crate) fn environment_problem(name: &str, registry: &str) -> Option<FieldProblem> {
    let message = if name.chars().count() > 255 {
        "environment names are at most 255 characters".to_string()
    } else if name.trim() != name {
        format!("environment `{name}` has leading or trailing whitespace")
    } else if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || "'\"`,;\\".contains(*c))
    {
        format!(
            "environment `{}` contains {}, which {registry} does not accept",
            name.escape_debug(),
            if c.is_control() {
                "a control character".to_string()
            } else {
                format!("`{c}`")
            }
        )
    } else {
        return None;
    };
    Some(FieldProblem {
        field: PublisherField::Environment,
        message,
        help: None,
    })
}

/// Fields longer than `max` characters.
pub(crate) fn length_problems(
    values: &FormValues<'_>,
    max: usize,
    registry: &str,
) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let fields = [
        (PublisherField::Owner, Some(values.owner)),
        (PublisherField::Repository, Some(values.repository)),
        (PublisherField::Workflow, Some(values.workflow)),
    ];
    for (field, value) in fields {
        if let Some(value) = value
            && value.chars().count() > max
        {
            problems.push(FieldProblem {
                field,
                message: format!("{registry} accepts at most {max} characters here"),
                help: None,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_aliases_parse() {
        for registry in Registry::ALL {
            assert_eq!(Registry::parse(registry.key()), Some(registry));
            for alias in registry.info().aliases {
                assert_eq!(Registry::parse(alias), Some(registry), "{alias}");
            }
            assert_eq!(registry.info().registry, registry);
        }
        assert_eq!(Registry::parse("PyPI"), Some(Registry::Pypi));
        assert_eq!(Registry::parse("maven"), None);
    }

    #[test]
    fn upload_urls_name_their_registry() {
        for registry in Registry::ALL {
            assert_eq!(Registry::of_url(registry.upload_url()), Some(registry));
        }
        assert_eq!(Registry::of_url("https://pypi.example.org/legacy/"), None);
        assert_eq!(
            Registry::of_url("https://www.nuget.org/"),
            Some(Registry::NuGet)
        );
        assert_eq!(Registry::of_url("https://nuget.example.org"), None);
    }

    fn values<'a>(owner: &'a str, repository: &'a str, workflow: &'a str) -> FormValues<'a> {
        FormValues {
            owner,
            repository,
            workflow,
            environment: None,
            workflow_repository: None,
            user: None,
        }
    }

    #[test]
    fn shared_form_rules() {
        assert!(workflow_file_problem("release.yml").is_none());
        assert!(workflow_file_problem(".github/workflows/release.yml").is_some());
        assert!(workflow_file_problem("release.yml ").is_some());
        assert!(workflow_file_problem("release").is_some());
        assert!(environment_problem("pypi", "PyPI").is_none());
        assert!(environment_problem("py,pi", "PyPI").is_some());
        assert!(environment_problem(&"x".repeat(256), "PyPI").is_some());
        assert!(github_owner_problem("my-org", "PyPI").is_none());
        assert!(github_owner_problem("-org", "PyPI").is_some());
        assert!(github_owner_problem("my_org", "PyPI").is_some());
        assert!(github_repository_problem("my.project_1", "PyPI").is_none());
        assert!(github_repository_problem("org/proj", "PyPI").is_some());
    }

    #[test]
    fn each_registry_applies_its_own_form() {
        let path = values("org", "proj", ".github/workflows/release.yml");
        for registry in [
            Registry::Pypi,
            Registry::CratesIo,
            Registry::Npm,
            Registry::RubyGems,
        ] {
            let problems = (registry.info().validate)(&path);
            assert_eq!(problems.len(), 1, "{registry}");
            assert_eq!(problems[0].field, PublisherField::Workflow);
        }
        // NuGet reduces a path to its file name.
        assert!((Registry::NuGet.info().validate)(&path).is_empty());
        let long = "o".repeat(256);
        assert!(!(Registry::CratesIo.info().validate)(&values(&long, "p", "r.yml")).is_empty());
        let mut same = values("org", "proj", "release.yml");
        same.workflow_repository = Some(("org", "proj"));
        assert_eq!((Registry::RubyGems.info().validate)(&same).len(), 1);
        let mut email = values("org", "proj", "release.yml");
        email.user = Some("me@example.com");
        assert_eq!(
            (Registry::NuGet.info().validate)(&email)[0].field,
            PublisherField::User
        );
    }

    #[test]
    fn case_rules_follow_the_registry() {
        let w = PublisherField::Workflow;
        assert!(Registry::NuGet.same(w, "Release.yml", "release.yml"));
        assert!(Registry::CratesIo.same(PublisherField::Owner, "MyOrg", "myorg"));
        assert!(!Registry::CratesIo.same(w, "Release.yml", "release.yml"));
        assert!(!Registry::Npm.same(PublisherField::Environment, "Release", "release"));
        assert!(Registry::Pypi.same(PublisherField::Environment, "Release", "release"));
    }
}
