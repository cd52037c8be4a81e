//! What a registry sees of a publish job: the claims of the OIDC token the
//! job would present ([`Claims`]), whatever CI system minted it, and how
//! each registry matches a publisher's fields against them
//! ([`Registry::names_file`], [`Registry::accepts_environment`],
//! [`Registry::environment_mismatch`]), with the answer as data
//! ([`Mismatch`]) that the publisher rules turn into messages.
//!
//! The per-registry facts read here (case rules, which file is compared,
//! whether an environment is matched at all, the rejection a mismatch
//! earns) are the registry modules' tables, each with its source; this
//! module only applies them to claims.

use super::{GitlabPublishing, MatchedWorkflow, PublisherField, Registry};
use crate::catalogue::Severity;
use crate::tri::Tri;

/// The CI system whose OIDC token a registry reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ci {
    GithubActions,
    Gitlab,
}

impl Ci {
    /// How a finding names a publisher of this CI system.
    pub fn publisher(self) -> &'static str {
        match self {
            Ci::GithubActions => "the publisher",
            Ci::Gitlab => "the GitLab publisher",
        }
    }

    /// How a finding names the publisher of `index` for `file` (a
    /// workflow, a top-level pipeline file).
    pub fn publisher_for(self, index: Registry, file: &str) -> String {
        match self {
            Ci::GithubActions => format!("the {} publisher for `{file}`", index.display_name()),
            Ci::Gitlab => format!(
                "the {} publisher for the pipeline `{file}`",
                index.display_name()
            ),
        }
    }

    /// How a finding says that a value is known only when the job runs.
    pub fn dynamic(self) -> &'static str {
        match self {
            Ci::GithubActions => "is an expression",
            Ci::Gitlab => "is set from variables",
        }
    }

    /// What the token calls the repository path's two parts.
    pub fn path_words(self) -> (&'static str, &'static str) {
        match self {
            Ci::GithubActions => ("owner", "repository"),
            Ci::Gitlab => ("namespace", "project"),
        }
    }
}

/// The repository path a token carries: GitHub's `repository_owner` and
/// `repository`, GitLab's `namespace_path` and `project_path`, as the git
/// remote `origin` spells them.
#[derive(Clone, Copy, Debug)]
pub struct PathClaims<'a> {
    pub ci: Ci,
    /// The owner, or the namespace with its subgroups.
    pub owner: &'a str,
    pub name: &'a str,
    /// The remote's URL, for messages.
    pub url: &'a str,
}

/// The environment claim of a token, with three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimedEnvironment<'a> {
    /// The job runs in no environment: the claim is empty.
    None,
    /// The job runs in this literal environment.
    Named(&'a str),
    /// The name is only known when the job runs (an expression, a CI/CD
    /// variable): tplint does not judge it.
    Unknown,
}

/// An event (GitHub's `event_name`) or pipeline source (GitLab's
/// `pipeline_source`) that can start a run whose token the job presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimedEvent<'a> {
    pub name: &'a str,
    /// Runs of it execute code nobody with write access reviewed (pull and
    /// merge requests, `pull_request_target`, `workflow_run`).
    pub untrusted: bool,
    /// Whether such a run reaches the job: unknown where tplint does not
    /// evaluate the conditions on the way (they are evaluated where a rule
    /// needs them, as TP601 does).
    pub reaches: Tri,
}

/// What starts the runs whose tokens the job presents.
#[derive(Clone, Debug, Default)]
pub struct ClaimedEvents<'a> {
    pub events: Vec<ClaimedEvent<'a>>,
    /// The list names every event that can start such a run (GitHub's
    /// triggers of the workflows a run starts from); `false` where other
    /// sources may start one (GitLab pipelines start from pushes, the web,
    /// the API, schedules and more, which tplint does not list).
    pub complete: bool,
}

/// The refs (the token's `ref` and `ref_type`) a job can run on, as far as
/// its CI system's filters tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedRefs {
    /// Whether it can run for a tag.
    pub tags: Tri,
    /// Whether it can run for a branch.
    pub branches: Tri,
    /// When every branch it can run for is one of a few names its filters
    /// write out: those names, with whether it runs for each. `None`:
    /// other branches may run it too, or tplint cannot tell.
    pub branch_names: Option<Vec<(String, Tri)>>,
}

impl ClaimedRefs {
    /// Refs tplint does not know.
    pub const UNKNOWN: ClaimedRefs = ClaimedRefs {
        tags: Tri::Unknown,
        branches: Tri::Unknown,
        branch_names: None,
    };
}

/// The audience (`aud`) of the token the job offers the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimedAudience<'a> {
    /// The uploader or exchange asks the CI system for a token with the
    /// audience the registry expects (GitHub's token request names it).
    Requested,
    /// The pipeline writes it: the `aud` of the ID token the upload reads
    /// (several values when it is a list).
    Written(Vec<&'a str>),
    /// No token the upload reads, or one tplint cannot see.
    Unknown,
}

/// How an audience written for a token compares with the one a registry
/// expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudienceMatch {
    /// Exactly the registry's.
    Exact,
    /// The registry's, but for letter case, which it compares.
    CaseOnly,
    /// The audience of another of the registry's own hosts (npm names its
    /// audience after the host the package goes to).
    AnotherHost,
    /// Something else.
    Other,
}

/// The claims of the OIDC token a job would present to one registry.
#[derive(Clone, Debug)]
pub struct Claims<'a> {
    pub ci: Ci,
    /// The files the registry compares with the publisher's: on GitHub
    /// the file holding the job (`job_workflow_ref`) or the files a run
    /// can start from (`workflow_ref`), as the registry reads; on GitLab
    /// the top-level pipeline file (`ci_config_ref_uri`). Empty when only
    /// another repository can start the run, or the registry compares no
    /// file (pub.dev, JSR).
    pub files: Vec<&'a str>,
    pub environment: ClaimedEnvironment<'a>,
    /// The environment is an input of a reusable workflow the job calls
    /// (pub.dev's publishing workflow), not the job's own key.
    pub environment_is_input: bool,
    /// What starts the runs the token comes from.
    pub events: ClaimedEvents<'a>,
    /// The refs the job can run on.
    pub refs: ClaimedRefs,
    /// The audience of the token.
    pub audience: ClaimedAudience<'a>,
}

/// A publisher field whose value the registry does not find in the
/// token's claims: which field, the publisher's values, the claim, and
/// how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub field: PublisherField,
    /// The values the publishers of the job expect (any one would do).
    pub expected: Vec<String>,
    /// The claim (`None`: the token has none).
    pub found: Option<String>,
    /// The values differ in letter case only.
    pub case_only: bool,
    /// What the registry says about the difference beyond "not equal"
    /// (e.g. that it compares letter case), to append to a message.
    pub note: Option<String>,
    /// How to fix it.
    pub fix: String,
    /// Another severity than the rule's (a difference the registry may
    /// still accept, such as letter case).
    pub severity: Option<Severity>,
}

impl Registry {
    /// Whether the registry refuses the tokens of runs started by `event`
    /// on `ci` (its `rejected_events`, each with its source; GitLab
    /// publishers are refused no pipeline source).
    pub fn refuses_event(self, ci: Ci, event: &str) -> bool {
        match ci {
            Ci::GithubActions => self.info().rejected_events.contains(&event),
            Ci::Gitlab => false,
        }
    }

    /// The untrusted events of the claims whose tokens the registry
    /// refuses.
    pub fn refused_events<'c>(self, claims: &'c Claims<'_>) -> Vec<&'c ClaimedEvent<'c>> {
        claims
            .events
            .events
            .iter()
            .filter(|e| e.untrusted && self.refuses_event(claims.ci, e.name))
            .collect()
    }

    /// The audience the registry expects of a GitLab ID token (PyPI's for
    /// a registry without GitLab publishers, as a fallback).
    pub fn gitlab_audience(self) -> &'static str {
        self.gitlab_or_pypi().audience
    }

    /// Whether the registry takes a token whose audience is a list:
    /// `Some(false)` where it says it takes exactly one (PyPI, crates.io),
    /// `None` where it does not say.
    pub fn accepts_audience_list(self) -> Option<bool> {
        self.gitlab().and_then(|g| g.audience_list)
    }

    /// How `value`, an audience written for a GitLab ID token, compares
    /// with the one the registry expects.
    pub fn audience_match(self, value: &str) -> AudienceMatch {
        let value = value.trim();
        let expected = self.gitlab_audience();
        if value == expected {
            AudienceMatch::Exact
        } else if value.eq_ignore_ascii_case(expected) {
            AudienceMatch::CaseOnly
        } else if self == Registry::Npm
            && value
                .strip_prefix("npm:")
                .is_some_and(|host| self.info().upload_hosts.contains(&host))
        {
            // npm names the audience after the registry's host (`npm:<host>`,
            // npm/cli `lib/utils/oidc.js`): another of npm's own hosts may be
            // the one the job publishes to.
            AudienceMatch::AnotherHost
        } else {
            AudienceMatch::Other
        }
    }

    /// The registry with GitLab publishers whose audience `value` names, in
    /// any letter case.
    pub fn of_gitlab_audience(value: &str) -> Option<Registry> {
        let value = value.trim();
        Registry::ALL.into_iter().find(|r| {
            r.gitlab()
                .is_some_and(|g| g.audience.eq_ignore_ascii_case(value))
        })
    }

    /// Whether the audience of the claims is one the registry accepts:
    /// unknown when the pipeline does not write it out or tplint cannot
    /// see the token.
    pub fn accepts_audience(self, claims: &Claims<'_>) -> Tri {
        match &claims.audience {
            ClaimedAudience::Requested => Tri::True,
            ClaimedAudience::Unknown => Tri::Unknown,
            ClaimedAudience::Written(values) => match values.as_slice() {
                [one] if one.contains('$') => Tri::Unknown,
                [one] => Tri::from_bool(self.audience_match(one) == AudienceMatch::Exact),
                _ if self.accepts_audience_list() == Some(false) => Tri::False,
                many => {
                    if many.iter().any(|v| v.contains('$')) {
                        Tri::Unknown
                    } else if many
                        .iter()
                        .any(|v| self.audience_match(v) == AudienceMatch::Exact)
                    {
                        // The registry does not say whether it takes lists.
                        Tri::Unknown
                    } else {
                        Tri::False
                    }
                }
            },
        }
    }

    /// What the registry knows of GitLab publishers; PyPI's for a
    /// registry without (the configuration refuses those, so only a
    /// fallback).
    pub fn gitlab_or_pypi(self) -> &'static GitlabPublishing {
        self.gitlab().unwrap_or(&super::pypi::PYPI_GITLAB)
    }

    /// Whether the registry compares this field's values exactly, letter
    /// case included, on tokens of `ci`.
    fn case_sensitive(self, ci: Ci, field: PublisherField) -> bool {
        let case = match ci {
            Ci::GithubActions => self.info().case,
            Ci::Gitlab => self.gitlab_or_pypi().case,
        };
        match field {
            PublisherField::Owner
            | PublisherField::Repository
            | PublisherField::WorkflowRepositoryOwner
            | PublisherField::WorkflowRepositoryName => case.owner,
            PublisherField::Workflow => case.workflow,
            PublisherField::Environment => case.environment,
            PublisherField::User => false,
            PublisherField::Ref => true,
        }
    }

    /// Whether two values of a publisher field are the same to the
    /// registry on tokens of `ci` (a declared value and a claim, or a
    /// declared publisher's value and the one a registry recorded).
    pub fn same_on(self, ci: Ci, field: PublisherField, a: &str, b: &str) -> bool {
        if self.case_sensitive(ci, field) {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }

    /// Whether the publisher's workflow (or top-level pipeline file)
    /// `declared` names `file` of the claims, as the registry compares
    /// them: NuGet reduces a path to its file name and ignores case;
    /// GitLab publishers store the path stripped of whitespace and compare
    /// it exactly.
    pub fn names_file(self, ci: Ci, declared: &str, file: &str) -> bool {
        match ci {
            // NuGet.org's GitLab policies trust every pipeline of the project.
            Ci::Gitlab if !self.gitlab_names_pipeline() => true,
            Ci::Gitlab => declared.trim() == file,
            Ci::GithubActions => {
                let declared = match self {
                    Registry::NuGet => declared.rsplit('/').next().unwrap_or(declared).trim(),
                    _ => declared,
                };
                self.same(PublisherField::Workflow, declared, file)
            }
        }
    }

    /// Whether a publisher of the registry on `ci` names a job with these
    /// claims: a registry that matches a repository (pub.dev, JSR) names
    /// every job; the others when the publisher's file is one of the
    /// claimed files.
    pub fn names_claims(self, declared_file: &str, claims: &Claims<'_>) -> bool {
        self.info().matched == MatchedWorkflow::Repository
            || claims
                .files
                .iter()
                .any(|file| self.names_file(claims.ci, declared_file, file))
    }

    /// Whether the registry matches an environment at all: its form has
    /// an environment field (JSR's has none).
    pub fn matches_environment(self) -> bool {
        !self.info().labels.environment.is_empty()
    }

    /// Whether a publisher that expects `expected` accepts the claimed
    /// environment (names known only at run time are not judged).
    pub fn accepts_environment(
        self,
        ci: Ci,
        expected: Option<&str>,
        claimed: ClaimedEnvironment<'_>,
    ) -> bool {
        match (expected, claimed) {
            (None, _) => true,
            _ if !self.matches_environment() => true,
            (Some(_), ClaimedEnvironment::Unknown) => true,
            (Some(_), ClaimedEnvironment::None) => false,
            (Some(expected), ClaimedEnvironment::Named(name)) => {
                self.same_on(ci, PublisherField::Environment, expected, name)
            }
        }
    }

    /// The environment claim against the environments the job's
    /// publishers expect (every one of them expects one): `None` when one
    /// accepts it or it is not judged.
    pub fn environment_mismatch(self, claims: &Claims<'_>, expected: &[&str]) -> Option<Mismatch> {
        let first = *expected.first()?;
        if expected
            .iter()
            .any(|e| self.accepts_environment(claims.ci, Some(e), claims.environment))
        {
            return None;
        }
        let name = self.display_name();
        let found = match claims.environment {
            ClaimedEnvironment::Named(found) => Some(found),
            _ => None,
        };
        let case_only = found.is_some_and(|f| expected.iter().any(|e| e.eq_ignore_ascii_case(f)));
        let repository = self.info().matched == MatchedWorkflow::Repository;
        let note = case_only.then(|| match claims.ci {
            Ci::GithubActions => {
                format!("{name} compares environment names exactly, letter case included")
            }
            Ci::Gitlab => format!(
                "{name} compares GitLab environment names exactly, letter case included{}",
                if self.info().case.environment {
                    ""
                } else {
                    " (unlike GitHub's)"
                }
            ),
        });
        let fix = match claims.ci {
            Ci::GithubActions if claims.environment_is_input => format!(
                "run the reusable workflow's job in environment `{first}` (setup-dart's and dart-lang/ecosystem's take it as `with: {{ environment: {first} }}`; a workflow that sets its own or none needs the publisher changed); {name} rejects the token of a run in any other environment"
            ),
            Ci::GithubActions if repository => format!(
                "set `environment: {first}` on the job, or change the publisher on {name}; {name} rejects the token of a run in any other environment"
            ),
            Ci::GithubActions => format!(
                "set `environment: {first}` on the job, or change the publisher on {name}; {name} rejects the token of a job in any other environment ({})",
                self.info().rejection
            ),
            Ci::Gitlab => format!(
                "set `environment: {first}` on the job, or change the publisher on {name}; the ID token of a job in any other environment is rejected ({})",
                self.gitlab_or_pypi().rejection
            ),
        };
        Some(Mismatch {
            field: PublisherField::Environment,
            expected: expected.iter().map(|e| e.to_string()).collect(),
            found: found.map(str::to_string),
            case_only,
            note,
            fix,
            severity: None,
        })
    }

    /// A publisher's ref (NuGet.org's GitLab policies: a branch, compared
    /// exactly, the token's `ref_type` required to be `branch`) against
    /// the refs the job can run on: `None` when it may run on that branch,
    /// or tplint cannot tell.
    pub fn ref_mismatch(self, claims: &Claims<'_>, expected: &str) -> Option<Mismatch> {
        if claims.ci != Ci::Gitlab || self != Registry::NuGet {
            return None;
        }
        let refs = &claims.refs;
        let name = self.display_name();
        let (found, case_only) = if refs.branches == Tri::False {
            // A job that runs for no ref at all is not this field's business.
            if refs.tags == Tri::False {
                return None;
            }
            ("tags only".to_string(), false)
        } else {
            let names = refs.branch_names.as_ref()?;
            if names.is_empty() || names.iter().any(|(n, _)| n == expected) {
                return None;
            }
            let case_only = names.iter().any(|(n, _)| n.eq_ignore_ascii_case(expected));
            let list = names
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let what = if names.len() == 1 {
                "branch"
            } else {
                "branches"
            };
            (format!("{what} {list} only"), case_only)
        };
        Some(Mismatch {
            field: PublisherField::Ref,
            expected: vec![expected.to_string()],
            found: Some(found),
            case_only,
            note: case_only
                .then(|| format!("{name} compares the ref exactly, letter case included")),
            fix: format!(
                "run the publish job on branch `{expected}` (a `rules:` entry such as `- if: $CI_COMMIT_BRANCH == \"{expected}\"`), or change the policy's ref on {name} (a blank ref accepts any branch or tag); {name} refuses the token of a job on any other ref, or on a tag (\"Ref mismatch\", \"must be a branch\")"
            ),
            severity: None,
        })
    }

    /// The publisher's owner (`field` `Owner`) or repository name
    /// (`Repository`) against the repository path of the token: `None`
    /// when the registry finds them equal.
    pub fn path_mismatch(
        self,
        field: PublisherField,
        declared: &str,
        claims: &PathClaims<'_>,
    ) -> Option<Mismatch> {
        let found = match field {
            PublisherField::Owner => claims.owner,
            _ => claims.name,
        };
        // NuGet.org saves a GitLab project path given with its group (or
        // as a URL) as its last segment (`nuget::GITLAB`).
        let declared = match (claims.ci, field, self) {
            (Ci::Gitlab, PublisherField::Repository, Registry::NuGet) => {
                let trimmed = declared.trim().trim_end_matches('/');
                trimmed.rsplit('/').next().unwrap_or(trimmed)
            }
            _ => declared,
        };
        if declared == found {
            return None;
        }
        let name = self.display_name();
        let case_only = declared.eq_ignore_ascii_case(found);
        let what = match field {
            PublisherField::Owner => claims.ci.path_words().0,
            _ => claims.ci.path_words().1,
        };
        let (fix, severity) = match claims.ci {
            Ci::GithubActions => {
                // crates.io, npm's owner, RubyGems and NuGet compare these
                // names ignoring case.
                if case_only && !self.is_pypi() && self.same(field, declared, found) {
                    return None;
                }
                // A remote URL may be spelled in any case: the registries
                // that compare exactly get a warning to check the canonical
                // spelling.
                if case_only && (self.is_pypi() || self == Registry::PubDev) {
                    (
                        format!(
                            "{name} compares the exact spelling GitHub uses; check the owner's and repository's canonical spelling on GitHub and use it in both places"
                        ),
                        Some(Severity::Warning),
                    )
                } else if case_only {
                    (
                        format!(
                            "{name} compares the {what} exactly, letter case included, with the spelling GitHub puts in the token; check the canonical spelling on GitHub and use it in both places"
                        ),
                        None,
                    )
                } else {
                    (
                        format!(
                            "tokens from this repository carry `{}/{}`; fix the publisher on {name} and here, or check that `origin` is the repository that publishes",
                            claims.owner, claims.name
                        ),
                        None,
                    )
                }
            }
            Ci::Gitlab => {
                // crates.io and NuGet.org compare both ignoring case
                // (`crates_io::GITLAB`, `nuget::GITLAB`).
                if case_only && matches!(self, Registry::CratesIo | Registry::NuGet) {
                    return None;
                }
                if case_only {
                    let fix = if self.gitlab_or_pypi().case.owner {
                        format!(
                            "{name} compares the namespace and project exactly, letter case included; register the project's path exactly as GitLab spells it (its URL) and use it in both places"
                        )
                    } else {
                        "PyPI finds the publisher ignoring case, but checks the token's `ci_config_ref_uri` against a path built from the registered spelling; register the project's path exactly as GitLab spells it (its URL) and use it in both places".to_string()
                    };
                    (fix, Some(Severity::Warning))
                } else {
                    (
                        format!(
                            "ID tokens of this project carry `project_path` `{}/{}` (namespace with its subgroups, then the project); fix the publisher on {name} and here, or check that `origin` is the project that publishes",
                            claims.owner, claims.name
                        ),
                        None,
                    )
                }
            }
        };
        Some(Mismatch {
            field,
            expected: vec![declared.to_string()],
            found: Some(found.to_string()),
            case_only,
            note: None,
            fix,
            severity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(ci: Ci, environment: ClaimedEnvironment<'static>) -> Claims<'static> {
        Claims {
            ci,
            files: vec!["release.yml"],
            environment,
            environment_is_input: false,
            events: ClaimedEvents::default(),
            refs: ClaimedRefs::UNKNOWN,
            audience: ClaimedAudience::Requested,
        }
    }

    #[test]
    fn registries_refuse_the_events_their_sources_name() {
        let mut github = claims(Ci::GithubActions, ClaimedEnvironment::None);
        for name in ["push", "pull_request_target", "workflow_run"] {
            github.events.events.push(ClaimedEvent {
                name,
                untrusted: name != "push",
                reaches: Tri::Unknown,
            });
        }
        let names = |r: Registry| -> Vec<&str> {
            r.refused_events(&github).iter().map(|e| e.name).collect()
        };
        assert_eq!(names(Registry::Pypi), vec!["pull_request_target"]);
        assert_eq!(names(Registry::TestPypi), vec!["pull_request_target"]);
        assert_eq!(
            names(Registry::CratesIo),
            vec!["pull_request_target", "workflow_run"]
        );
        assert!(names(Registry::Npm).is_empty());
        // GitLab publishers are refused no pipeline source.
        assert!(!Registry::Pypi.refuses_event(Ci::Gitlab, "pull_request_target"));
    }

    #[test]
    fn audiences_are_judged_by_the_registry() {
        let with = |values: Vec<&'static str>| Claims {
            audience: ClaimedAudience::Written(values),
            ..claims(Ci::Gitlab, ClaimedEnvironment::None)
        };
        assert_eq!(
            Registry::Pypi.accepts_audience(&with(vec!["pypi"])),
            Tri::True
        );
        assert_eq!(
            Registry::Pypi.accepts_audience(&with(vec!["PyPI"])),
            Tri::False
        );
        assert_eq!(
            Registry::Pypi.accepts_audience(&with(vec!["$AUD"])),
            Tri::Unknown
        );
        // PyPI takes exactly one audience; npm does not say.
        assert_eq!(
            Registry::Pypi.accepts_audience(&with(vec!["pypi", "sigstore"])),
            Tri::False
        );
        assert_eq!(
            Registry::Npm.accepts_audience(&with(vec!["npm:registry.npmjs.org", "x"])),
            Tri::Unknown
        );
        let github = claims(Ci::GithubActions, ClaimedEnvironment::None);
        assert_eq!(Registry::Npm.accepts_audience(&github), Tri::True);
        assert_eq!(
            Registry::of_gitlab_audience("TestPyPI"),
            Some(Registry::TestPypi)
        );
    }

    #[test]
    fn environments_are_compared_with_each_registrys_case_rules() {
        let named = claims(Ci::GithubActions, ClaimedEnvironment::Named("Release"));
        // PyPI ignores case on GitHub; npm does not.
        assert!(
            Registry::Pypi
                .environment_mismatch(&named, &["release"])
                .is_none()
        );
        let mismatch = Registry::Npm
            .environment_mismatch(&named, &["release"])
            .expect("npm compares case");
        assert_eq!(mismatch.field, PublisherField::Environment);
        assert_eq!(mismatch.found.as_deref(), Some("Release"));
        assert!(mismatch.note.is_some());
        // PyPI compares GitLab environments exactly.
        let gitlab = claims(Ci::Gitlab, ClaimedEnvironment::Named("Release"));
        let mismatch = Registry::Pypi
            .environment_mismatch(&gitlab, &["release"])
            .expect("exact on GitLab");
        assert!(mismatch.note.unwrap().ends_with("(unlike GitHub's)"));
    }

    #[test]
    fn unknown_environments_and_registries_without_one_are_not_judged() {
        let unknown = claims(Ci::GithubActions, ClaimedEnvironment::Unknown);
        assert!(
            Registry::Pypi
                .environment_mismatch(&unknown, &["pypi"])
                .is_none()
        );
        let none = claims(Ci::GithubActions, ClaimedEnvironment::None);
        assert!(
            Registry::Pypi
                .environment_mismatch(&none, &["pypi"])
                .is_some()
        );
        assert!(
            Registry::Jsr
                .environment_mismatch(&none, &["pypi"])
                .is_none()
        );
    }

    #[test]
    fn files_are_named_as_each_ci_and_registry_compares_them() {
        let github = claims(Ci::GithubActions, ClaimedEnvironment::None);
        assert!(Registry::NuGet.names_claims(".github/workflows/Release.yml", &github));
        assert!(!Registry::Npm.names_claims("Release.yml", &github));
        assert!(Registry::PubDev.names_claims("", &github));
        let gitlab = Claims {
            files: vec![".gitlab-ci.yml"],
            ..claims(Ci::Gitlab, ClaimedEnvironment::None)
        };
        assert!(Registry::Pypi.names_claims(" .gitlab-ci.yml ", &gitlab));
        assert!(!Registry::Pypi.names_claims(".GITLAB-CI.yml", &gitlab));
    }

    #[test]
    fn nuget_compares_a_gitlab_ref_with_the_branches_a_job_runs_on() {
        let with = |refs: ClaimedRefs| Claims {
            refs,
            ..claims(Ci::Gitlab, ClaimedEnvironment::None)
        };
        let tags_only = with(ClaimedRefs {
            tags: Tri::True,
            branches: Tri::False,
            branch_names: None,
        });
        let mismatch = Registry::NuGet
            .ref_mismatch(&tags_only, "main")
            .expect("a tag is not a branch");
        assert_eq!(mismatch.field, PublisherField::Ref);
        assert_eq!(mismatch.found.as_deref(), Some("tags only"));
        let named = |names: &[&str]| {
            with(ClaimedRefs {
                tags: Tri::False,
                branches: Tri::True,
                branch_names: Some(names.iter().map(|n| (n.to_string(), Tri::True)).collect()),
            })
        };
        assert!(
            Registry::NuGet
                .ref_mismatch(&named(&["main"]), "main")
                .is_none()
        );
        let case = Registry::NuGet
            .ref_mismatch(&named(&["Main"]), "main")
            .expect("compared exactly");
        assert!(case.case_only && case.note.is_some());
        // Branches tplint cannot list, another registry, another CI: silent.
        assert!(
            Registry::NuGet
                .ref_mismatch(&with(ClaimedRefs::UNKNOWN), "main")
                .is_none()
        );
        assert!(Registry::Pypi.ref_mismatch(&tags_only, "main").is_none());
        let github = Claims {
            ci: Ci::GithubActions,
            ..tags_only.clone()
        };
        assert!(Registry::NuGet.ref_mismatch(&github, "main").is_none());
        // A job that runs for no ref at all is not judged here.
        let never = with(ClaimedRefs {
            tags: Tri::False,
            branches: Tri::False,
            branch_names: None,
        });
        assert!(Registry::NuGet.ref_mismatch(&never, "main").is_none());
    }
}
