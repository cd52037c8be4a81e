//! Facts that only the GitHub API knows, gathered with `--online`: the
//! protection of the environments that publish jobs use, and whether pinned
//! SHAs and their version comments are what they claim. PyPI's record of
//! each release is read by `pypi` and `record`. Nothing here runs, and
//! nothing is sent, without `--online`.

pub mod client;
pub mod github;
pub mod pattern;
pub mod pypi;
pub mod record;
pub mod resolve;
pub mod version;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::facts::{Facts, OidcPublishJob, oidc_publish_jobs};
use crate::repository::{Repository, WorkflowFile};
use crate::workflow::uses::is_commit_sha;
use crate::workflow::{Spanned, Uses, UsesTarget};

pub use github::{Failure, GitHub, Reply};
use github::{ref_path, segment};
use version::CommentVersion;

/// The API base used unless `--github-api-url` says otherwise.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How many requests are in flight at once.
const CONCURRENT_REQUESTS: usize = 4;

/// The action whose pin must be a commit, not an annotated tag object: its
/// Docker image is looked up by the SHA, and a tag SHA fails with `manifest unknown`.
const PYPI_PUBLISH_ACTION: &str = "pypa/gh-action-pypi-publish";

/// `url` without surrounding space, or why it cannot be an API base given
/// with `flag`: only `http://` and `https://` URLs are.
pub fn api_base<'a>(flag: &str, url: &'a str) -> Result<&'a str, String> {
    let url = url.trim();
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(format!("`{flag} {url}` is not an http(s) URL"))
    }
}

/// A connection to the API at `base` (an `http(s)://` URL), with an optional token.
pub fn connect(base: &str, token: Option<client::Token>) -> GitHub {
    GitHub::new(Box::new(client::UreqTransport::new(base, token)))
}

/// Which groups of online checks the enabled rules need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    pub environments: bool,
    pub commits: bool,
    pub version_comments: bool,
    /// Resolve refs to commits and tags for the fixes of TP501 and TP502.
    pub pins: bool,
}

/// A literal environment of an OIDC publish job, as the online checks see it.
pub struct EnvironmentSite<'a> {
    pub job: OidcPublishJob<'a>,
    pub name: &'a Spanned<String>,
}

/// Each job with a literal `environment:` name that publishes by OIDC, once.
pub fn environment_sites<'a>(repo: &'a Repository, facts: &'a Facts) -> Vec<EnvironmentSite<'a>> {
    let mut sites: Vec<EnvironmentSite<'a>> = Vec::new();
    for job in oidc_publish_jobs(repo, facts) {
        let Some(environment) = &job.job.environment else {
            continue;
        };
        if environment.name.is_expression() || environment.name.value.trim().is_empty() {
            continue;
        }
        if sites.iter().any(|s| std::ptr::eq(s.job.job, job.job)) {
            continue;
        }
        sites.push(EnvironmentSite {
            job,
            name: &environment.name,
        });
    }
    sites
}

/// A remote `uses:` pinned to a full commit SHA.
pub struct PinSite<'a> {
    pub file: &'a WorkflowFile,
    pub uses: &'a Uses,
    pub owner: &'a str,
    pub repo: &'a str,
    pub sha: &'a str,
    /// The version its comment names, if any.
    pub version: Option<CommentVersion>,
}

impl PinSite<'_> {
    pub fn is_pypi_publish(&self) -> bool {
        self.uses.target.is_action(PYPI_PUBLISH_ACTION)
    }

    fn key(&self) -> PinKey {
        (
            self.owner.to_ascii_lowercase(),
            self.repo.to_ascii_lowercase(),
            self.sha.to_ascii_lowercase(),
        )
    }

    fn tag_key(&self) -> Option<TagKey> {
        let version = self.version.as_ref()?;
        Some((
            self.owner.to_ascii_lowercase(),
            self.repo.to_ascii_lowercase(),
            version.text.clone(),
        ))
    }
}

/// Every SHA-pinned remote `uses:` of the readable workflows (steps and
/// reusable-workflow calls).
pub fn pin_sites(repo: &Repository) -> Vec<PinSite<'_>> {
    let mut sites = Vec::new();
    for file in &repo.workflows {
        let Some(workflow) = &file.workflow else {
            continue;
        };
        for uses in workflow.all_uses() {
            if let UsesTarget::Remote {
                owner,
                repo,
                git_ref,
                ..
            } = &uses.target
                && is_commit_sha(git_ref)
            {
                sites.push(PinSite {
                    file,
                    uses,
                    owner,
                    repo,
                    sha: git_ref,
                    version: uses
                        .comment
                        .as_ref()
                        .and_then(|c| version::parse_comment(&c.value)),
                });
            }
        }
    }
    sites
}

/// What the API says about an environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvironmentStatus {
    /// The check could not be made; the text says why.
    Skipped(String),
    /// The repository is visible but has no such environment.
    Missing,
    Found(EnvironmentSettings),
}

/// The protection settings of an existing environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvironmentSettings {
    /// The number of required reviewers (users and teams), when the rule is on.
    pub reviewers: Option<usize>,
    pub prevent_self_review: bool,
    /// Minutes; `None` or `0` means no wait.
    pub wait_timer: Option<u64>,
    /// Protection rules of types GitHub does not build in (custom deployment
    /// protection rules of GitHub Apps).
    pub custom_rules: Vec<String>,
    pub can_admins_bypass: bool,
    pub policy: DeploymentPolicy,
}

impl EnvironmentSettings {
    pub fn has_wait_timer(&self) -> bool {
        self.wait_timer.is_some_and(|minutes| minutes > 0)
    }
}

/// Which refs may deploy to an environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DeploymentPolicy {
    /// No restriction.
    #[default]
    AnyRef,
    /// Only branches with protection rules; no tag can deploy.
    ProtectedBranches,
    /// Name patterns of branches and tags.
    Custom(Vec<RefPattern>),
    /// Custom patterns exist but could not be read; the text says why.
    Unreadable(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Branch,
    Tag,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }
}

/// One custom deployment branch or tag policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefPattern {
    pub kind: RefKind,
    pub pattern: String,
}

/// What the API says about a pinned SHA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinStatus {
    Skipped(String),
    /// A commit of the repository.
    Commit,
    /// No commit of the repository (the API answered with this status).
    NotACommit(u16),
    /// An annotated tag object of the repository, pointing at `commit`.
    TagObject {
        tag: Option<String>,
        commit: Option<String>,
    },
}

/// What the API says about the tag a version comment names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagStatus {
    Skipped(String),
    /// None of the candidate tag names exists.
    Missing {
        tried: Vec<String>,
    },
    /// `tag` exists; `objects` is the chain from the ref to the commit (tag
    /// objects first, the commit last).
    Found {
        tag: String,
        objects: Vec<String>,
    },
}

impl TagStatus {
    /// Whether the tag (or one of its tag objects) is `sha`.
    pub fn points_at(&self, sha: &str) -> bool {
        matches!(self, TagStatus::Found { objects, .. } if objects.iter().any(|o| o.eq_ignore_ascii_case(sha)))
    }

    pub fn commit(&self) -> Option<&str> {
        match self {
            TagStatus::Found { objects, .. } => objects.last().map(String::as_str),
            _ => None,
        }
    }
}

type PinKey = (String, String, String);
type TagKey = (String, String, String);

/// Everything the API said for one repository, keyed for the rules.
#[derive(Debug, Default)]
pub struct OnlineFacts {
    environments: HashMap<String, EnvironmentStatus>,
    pins: HashMap<PinKey, PinStatus>,
    tags: HashMap<TagKey, TagStatus>,
    resolutions: HashMap<TagKey, Option<resolve::Resolution>>,
}

impl OnlineFacts {
    /// The status of environment `name` (GitHub compares names case-insensitively).
    pub fn environment(&self, name: &str) -> Option<&EnvironmentStatus> {
        self.environments.get(&name.to_lowercase())
    }

    pub fn pin(&self, site: &PinSite<'_>) -> Option<&PinStatus> {
        self.pins.get(&site.key())
    }

    pub fn tag(&self, site: &PinSite<'_>) -> Option<&TagStatus> {
        self.tags.get(&site.tag_key()?)
    }

    /// What `git_ref` of `owner/repo` resolved to, for a pin's fix.
    pub fn resolution(
        &self,
        owner: &str,
        repo: &str,
        git_ref: &str,
    ) -> Option<&resolve::Resolution> {
        let key = (
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase(),
            git_ref.to_string(),
        );
        self.resolutions.get(&key)?.as_ref()
    }
}

enum Task {
    Environment {
        owner: String,
        repo: String,
        name: String,
    },
    Pin {
        key: PinKey,
        pypi_publish: bool,
    },
    Tag {
        key: TagKey,
        candidates: Vec<String>,
    },
    Resolve {
        key: TagKey,
    },
}

/// Ask the API what `wants` needs for `repo`, with a few requests in flight.
pub fn gather(github: &GitHub, repo: &Repository, facts: &Facts, wants: Wants) -> OnlineFacts {
    let mut online = OnlineFacts::default();
    let mut tasks = Vec::new();
    if wants.environments {
        for site in environment_sites(repo, facts) {
            let key = site.name.value.to_lowercase();
            if online.environments.contains_key(&key) {
                continue;
            }
            match &repo.remote {
                Some(remote) => {
                    online
                        .environments
                        .insert(key, EnvironmentStatus::Skipped("not checked".into()));
                    tasks.push(Task::Environment {
                        owner: remote.owner.clone(),
                        repo: remote.repository.clone(),
                        name: site.name.value.clone(),
                    });
                }
                None => {
                    online.environments.insert(
                        key,
                        EnvironmentStatus::Skipped(
                            "the repository has no `origin` remote, so its GitHub owner and name are unknown".into(),
                        ),
                    );
                }
            }
        }
    }
    for site in pin_sites(repo) {
        if wants.commits && !online.pins.contains_key(&site.key()) {
            online
                .pins
                .insert(site.key(), PinStatus::Skipped("not checked".into()));
            tasks.push(Task::Pin {
                key: site.key(),
                pypi_publish: site.is_pypi_publish(),
            });
        }
        if wants.version_comments
            && let (Some(key), Some(version)) = (site.tag_key(), &site.version)
            && !online.tags.contains_key(&key)
        {
            online
                .tags
                .insert(key.clone(), TagStatus::Skipped("not checked".into()));
            tasks.push(Task::Tag {
                key,
                candidates: version.candidate_tags(),
            });
        }
    }
    if wants.pins {
        for (owner, name, git_ref) in refs_to_pin(repo) {
            let key = (
                owner.to_ascii_lowercase(),
                name.to_ascii_lowercase(),
                git_ref,
            );
            if online.resolutions.insert(key.clone(), None).is_none() {
                tasks.push(Task::Resolve { key });
            }
        }
    }
    let results = Mutex::new(online);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_REQUESTS.min(tasks.len()) {
            scope.spawn(|| {
                while let Some(task) = tasks.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let outcome = run(github, task);
                    let mut online = results.lock().unwrap_or_else(|e| e.into_inner());
                    match (task, outcome) {
                        (Task::Environment { name, .. }, Outcome::Environment(status)) => {
                            online.environments.insert(name.to_lowercase(), status);
                        }
                        (Task::Pin { key, .. }, Outcome::Pin(status)) => {
                            online.pins.insert(key.clone(), status);
                        }
                        (Task::Tag { key, .. }, Outcome::Tag(status)) => {
                            online.tags.insert(key.clone(), status);
                        }
                        (Task::Resolve { key }, Outcome::Resolve(resolution)) => {
                            online.resolutions.insert(key.clone(), resolution);
                        }
                        _ => {}
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

enum Outcome {
    Environment(EnvironmentStatus),
    Pin(PinStatus),
    Tag(TagStatus),
    Resolve(Option<resolve::Resolution>),
}

fn run(github: &GitHub, task: &Task) -> Outcome {
    match task {
        Task::Environment { owner, repo, name } => {
            Outcome::Environment(check_environment(github, owner, repo, name))
        }
        Task::Pin {
            key: (owner, repo, sha),
            pypi_publish,
        } => Outcome::Pin(check_pin(github, owner, repo, sha, *pypi_publish)),
        Task::Tag {
            key: (owner, repo, _),
            candidates,
        } => Outcome::Tag(check_tag(github, owner, repo, candidates)),
        Task::Resolve {
            key: (owner, repo, git_ref),
        } => Outcome::Resolve(resolve::resolve(github, owner, repo, git_ref)),
    }
}

/// The refs a pin's fix needs resolved, in the workflows and the local
/// actions they use: refs that are not commit SHAs (TP501), and SHAs
/// without a version comment (TP502).
fn refs_to_pin(repo: &Repository) -> Vec<(String, String, String)> {
    let workflow_uses = repo
        .workflows
        .iter()
        .filter_map(|file| file.workflow.as_ref())
        .flat_map(crate::workflow::Workflow::all_uses);
    let action_uses = repo
        .locals
        .actions
        .iter()
        .filter_map(|local| local.action.as_ref())
        .flat_map(|action| action.steps.iter().filter_map(|s| s.uses.as_ref()));
    let mut refs = Vec::new();
    for uses in workflow_uses.chain(action_uses) {
        let UsesTarget::Remote {
            owner,
            repo,
            git_ref,
            ..
        } = &uses.target
        else {
            continue;
        };
        let commented = uses
            .comment
            .as_ref()
            .is_some_and(|c| crate::workflow::uses::mentions_version(&c.value));
        if !is_commit_sha(git_ref) || !commented {
            refs.push((owner.clone(), repo.clone(), git_ref.clone()));
        }
    }
    refs.sort();
    refs.dedup();
    refs
}

pub(crate) fn repo_path(owner: &str, repo: &str) -> String {
    format!("/repos/{}/{}", segment(owner), segment(repo))
}

/// Why a `404` on something inside `owner/repo` cannot be trusted: the
/// repository itself is invisible (private without a token, or gone).
fn repository_invisible(github: &GitHub, owner: &str, repo: &str) -> Option<String> {
    match github.get(&repo_path(owner, repo)) {
        Reply::Found(_) => None,
        Reply::NotFound | Reply::Unprocessable => Some(format!(
            "the repository `{owner}/{repo}` is not visible to the GitHub API (a private repository needs a token in GH_TOKEN or GITHUB_TOKEN)"
        )),
        Reply::Failed(failure) => Some(failure.to_string()),
    }
}

fn check_environment(github: &GitHub, owner: &str, repo: &str, name: &str) -> EnvironmentStatus {
    let path = format!("{}/environments/{}", repo_path(owner, repo), segment(name));
    match github.get(&path) {
        Reply::Found(body) => {
            let mut settings = environment_settings(&body);
            if settings.policy == DeploymentPolicy::Custom(Vec::new()) {
                settings.policy = branch_policies(github, &path);
            }
            EnvironmentStatus::Found(settings)
        }
        Reply::NotFound => match repository_invisible(github, owner, repo) {
            None => EnvironmentStatus::Missing,
            Some(reason) => EnvironmentStatus::Skipped(reason),
        },
        Reply::Unprocessable => EnvironmentStatus::Skipped(Failure::Unexpected(422).to_string()),
        Reply::Failed(failure) => EnvironmentStatus::Skipped(failure.to_string()),
    }
}

/// Decode `GET /repos/{owner}/{repo}/environments/{name}`. Custom branch
/// policies come back as an empty `Custom` list, to be listed separately.
fn environment_settings(body: &Value) -> EnvironmentSettings {
    let mut settings = EnvironmentSettings {
        can_admins_bypass: body
            .get("can_admins_bypass")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        ..EnvironmentSettings::default()
    };
    for rule in body
        .get("protection_rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match rule.get("type").and_then(Value::as_str).unwrap_or_default() {
            "required_reviewers" => {
                let count = rule
                    .get("reviewers")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                settings.reviewers = Some(count);
                settings.prevent_self_review = rule
                    .get("prevent_self_review")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
            }
            "wait_timer" => settings.wait_timer = rule.get("wait_timer").and_then(Value::as_u64),
            "branch_policy" => {}
            other => settings.custom_rules.push(other.to_string()),
        }
    }
    settings.policy = match body.get("deployment_branch_policy") {
        Some(policy) if policy.is_object() => {
            let flag = |key: &str| policy.get(key).and_then(Value::as_bool).unwrap_or(false);
            if flag("protected_branches") {
                DeploymentPolicy::ProtectedBranches
            } else if flag("custom_branch_policies") {
                DeploymentPolicy::Custom(Vec::new())
            } else {
                DeploymentPolicy::AnyRef
            }
        }
        _ => DeploymentPolicy::AnyRef,
    };
    settings
}

/// List the custom deployment branch and tag policies (a page holds 100).
fn branch_policies(github: &GitHub, environment_path: &str) -> DeploymentPolicy {
    let mut patterns = Vec::new();
    for page in 1..=10 {
        let path =
            format!("{environment_path}/deployment-branch-policies?per_page=100&page={page}");
        let body = match github.get(&path) {
            Reply::Found(body) => body,
            Reply::NotFound | Reply::Unprocessable => {
                return DeploymentPolicy::Unreadable(
                    "the deployment branch policies were not found".into(),
                );
            }
            Reply::Failed(failure) => return DeploymentPolicy::Unreadable(failure.to_string()),
        };
        let Some(items) = body.get("branch_policies").and_then(Value::as_array) else {
            return DeploymentPolicy::Unreadable("the answer has no `branch_policies` list".into());
        };
        for item in items {
            let Some(pattern) = item.get("name").and_then(Value::as_str) else {
                continue;
            };
            // Policies made before tag policies existed have no `type`: branches.
            let kind = match item.get("type").and_then(Value::as_str) {
                Some("tag") => RefKind::Tag,
                _ => RefKind::Branch,
            };
            patterns.push(RefPattern {
                kind,
                pattern: pattern.to_string(),
            });
        }
        let total = body.get("total_count").and_then(Value::as_u64).unwrap_or(0);
        if items.is_empty() || patterns.len() as u64 >= total {
            break;
        }
    }
    DeploymentPolicy::Custom(patterns)
}

fn check_pin(github: &GitHub, owner: &str, repo: &str, sha: &str, pypi_publish: bool) -> PinStatus {
    let base = repo_path(owner, repo);
    if pypi_publish {
        match github.get(&format!("{base}/git/tags/{}", segment(sha))) {
            Reply::Found(body) => {
                return PinStatus::TagObject {
                    tag: body.get("tag").and_then(Value::as_str).map(str::to_string),
                    commit: body
                        .pointer("/object/sha")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                };
            }
            Reply::NotFound | Reply::Unprocessable => {}
            Reply::Failed(failure) => return PinStatus::Skipped(failure.to_string()),
        }
    }
    match github.get(&format!("{base}/commits/{}", segment(sha))) {
        Reply::Found(_) => PinStatus::Commit,
        Reply::NotFound => not_a_commit(github, owner, repo, 404),
        Reply::Unprocessable => not_a_commit(github, owner, repo, 422),
        Reply::Failed(failure) => PinStatus::Skipped(failure.to_string()),
    }
}

fn not_a_commit(github: &GitHub, owner: &str, repo: &str, status: u16) -> PinStatus {
    match repository_invisible(github, owner, repo) {
        None => PinStatus::NotACommit(status),
        Some(reason) => PinStatus::Skipped(reason),
    }
}

/// How many annotated tags pointing at tags are peeled before giving up.
const MAX_TAG_DEPTH: usize = 5;

pub(crate) fn check_tag(
    github: &GitHub,
    owner: &str,
    repo: &str,
    candidates: &[String],
) -> TagStatus {
    let base = repo_path(owner, repo);
    for tag in candidates {
        let body = match github.get(&format!("{base}/git/ref/tags/{}", ref_path(tag))) {
            Reply::Found(body) => body,
            Reply::NotFound | Reply::Unprocessable => continue,
            Reply::Failed(failure) => return TagStatus::Skipped(failure.to_string()),
        };
        let mut objects = Vec::new();
        let mut object = body.get("object").cloned().unwrap_or(Value::Null);
        for _ in 0..=MAX_TAG_DEPTH {
            let (Some(kind), Some(sha)) = (
                object.get("type").and_then(Value::as_str),
                object.get("sha").and_then(Value::as_str),
            ) else {
                return TagStatus::Skipped(
                    Failure::InvalidAnswer(format!("tag `{tag}` has no object type and SHA"))
                        .to_string(),
                );
            };
            objects.push(sha.to_string());
            if kind != "tag" {
                return TagStatus::Found {
                    tag: tag.clone(),
                    objects,
                };
            }
            object = match github.get(&format!("{base}/git/tags/{}", segment(sha))) {
                Reply::Found(body) => body.get("object").cloned().unwrap_or(Value::Null),
                Reply::NotFound | Reply::Unprocessable => {
                    return TagStatus::Skipped(format!(
                        "the tag object {sha} of `{tag}` was not found"
                    ));
                }
                Reply::Failed(failure) => return TagStatus::Skipped(failure.to_string()),
            };
        }
        return TagStatus::Skipped(format!(
            "tag `{tag}` nests more than {MAX_TAG_DEPTH} tag objects"
        ));
    }
    TagStatus::Missing {
        tried: candidates.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn environment_shape_is_decoded() {
        let body = json!({
            "name": "pypi",
            "can_admins_bypass": false,
            "protection_rules": [
                {"id": 1, "type": "required_reviewers", "prevent_self_review": true,
                 "reviewers": [{"type": "User", "reviewer": {"login": "a"}}]},
                {"id": 2, "type": "wait_timer", "wait_timer": 30},
                {"id": 3, "type": "branch_policy"},
                {"id": 4, "type": "custom_app_gate"}
            ],
            "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}
        });
        let settings = environment_settings(&body);
        assert_eq!(settings.reviewers, Some(1));
        assert!(settings.prevent_self_review);
        assert!(settings.has_wait_timer());
        assert_eq!(settings.custom_rules, vec!["custom_app_gate"]);
        assert!(!settings.can_admins_bypass);
        assert_eq!(settings.policy, DeploymentPolicy::Custom(Vec::new()));

        let bare = environment_settings(
            &json!({"name": "pypi", "protection_rules": [], "deployment_branch_policy": null}),
        );
        assert_eq!(bare.reviewers, None);
        assert_eq!(bare.policy, DeploymentPolicy::AnyRef);
        assert!(bare.can_admins_bypass);
    }
}
