//! Repositories checked where they live: `github:OWNER/REPO[@REF]`,
//! `github:OWNER`, `gitlab:GROUP/SUBGROUP/PROJECT[@REF]`, `gitlab:GROUP`.
//! Each repository's archive is fetched through its forge's API (one
//! request, no clone), unpacked into a temporary folder and checked there
//! by `lint::check_repository`, exactly as a checkout would be, with the
//! owner and name the target gives standing in for the `origin` remote.
//! Organisations and groups are listed page by page, archived repositories
//! and forks left out unless asked for. Nothing here runs for local paths.

pub mod cache;
mod forge;
pub mod http;
pub mod summary;
pub mod unpack;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::LoadError;
use crate::git::Remote;
use crate::lint::{self, CheckOptions, RepoReport, Totals};
use crate::online::client::Token;

pub use forge::RepoRef;
use http::{Api, Kind};

/// The GitLab instance used unless `--gitlab-url` says otherwise.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

/// How many requests to the forges are in flight at once.
pub const CONCURRENT_REQUESTS: usize = 8;

/// Which forge a target lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Forge {
    GitHub,
    GitLab,
}

impl Forge {
    pub fn scheme(self) -> &'static str {
        match self {
            Forge::GitHub => "github",
            Forge::GitLab => "gitlab",
        }
    }
}

/// A remote target as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub forge: Forge,
    /// `OWNER`, `OWNER/REPO`, `GROUP/SUB/PROJECT`.
    pub path: String,
    pub git_ref: Option<String>,
}

impl Target {
    pub fn text(&self) -> String {
        let at = self
            .git_ref
            .as_deref()
            .map(|r| format!("@{r}"))
            .unwrap_or_default();
        format!("{}:{}{at}", self.forge.scheme(), self.path)
    }
}

/// The remote target `arg` names: `None` when it is a local path, an
/// error when it starts like a target but is not one.
pub fn parse_target(arg: &str) -> Option<Result<Target, String>> {
    let (forge, rest) = if let Some(rest) = arg.strip_prefix("github:") {
        (Forge::GitHub, rest)
    } else if let Some(rest) = arg.strip_prefix("gitlab:") {
        (Forge::GitLab, rest)
    } else {
        return None;
    };
    let (path, git_ref) = match rest.split_once('@') {
        Some((path, git_ref)) => (path, Some(git_ref)),
        None => (rest, None),
    };
    let path = path.trim_matches('/');
    // A name copied from a clone URL (`acme/widget.git`) names the repository.
    let path = path
        .strip_suffix(".git")
        .filter(|p| p.contains('/'))
        .unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let bad_part = |p: &&str| {
        p.is_empty()
            || *p == "."
            || *p == ".."
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let usage = match forge {
        Forge::GitHub => "github:OWNER or github:OWNER/REPO[@REF]",
        Forge::GitLab => "gitlab:GROUP or gitlab:GROUP/PROJECT[@REF]",
    };
    if parts.iter().any(bad_part) || (forge == Forge::GitHub && parts.len() > 2) {
        return Some(Err(format!("`{arg}` is not a remote target: {usage}")));
    }
    if let Some(git_ref) = git_ref
        && (git_ref.is_empty()
            || git_ref.chars().any(|c| c.is_whitespace() || c.is_control())
            || git_ref.contains(".."))
    {
        return Some(Err(format!("`{arg}` names no valid ref after `@`")));
    }
    if git_ref.is_some() && parts.len() < 2 {
        return Some(Err(format!(
            "`{arg}`: a ref names a commit of one repository, not of an organisation or group"
        )));
    }
    Some(Ok(Target {
        forge,
        path: path.to_string(),
        git_ref: git_ref.map(str::to_string),
    }))
}

/// Whether any of `args` is a remote target (so the network is needed).
pub fn any_remote(args: &[PathBuf]) -> bool {
    args.iter()
        .any(|a| a.to_str().is_some_and(|a| parse_target(a).is_some()))
}

/// How remote targets are fetched.
#[derive(Clone, Debug)]
pub struct Settings {
    pub github_api_url: String,
    pub gitlab_url: String,
    pub include_archived: bool,
    pub include_forks: bool,
    /// Keep answers in the user's cache directory.
    pub cache: bool,
    /// A progress line on stderr.
    pub progress: bool,
    /// Bounds on each repository's archive.
    pub limits: unpack::Limits,
}

/// Both forges' APIs.
pub struct Remotes {
    pub github: Api,
    pub gitlab: Api,
    pub settings: Settings,
}

impl Remotes {
    /// Real connections, with `GH_TOKEN`/`GITHUB_TOKEN` for GitHub and
    /// `GITLAB_TOKEN` for GitLab, each sent only to its own API.
    pub fn connect(settings: Settings) -> Self {
        let cache = settings.cache.then(cache::Cache::user).flatten();
        let github = Api::new(
            Kind::GitHub,
            &settings.github_api_url,
            Token::from_env(),
            Box::new(http::UreqTransport::new()),
            cache.clone(),
        );
        let gitlab = Api::new(
            Kind::GitLab,
            &format!("{}/api/v4", settings.gitlab_url.trim_end_matches('/')),
            Token::from_var("GITLAB_TOKEN"),
            Box::new(http::UreqTransport::new()),
            cache,
        );
        Self {
            github,
            gitlab,
            settings,
        }
    }

    fn api(&self, forge: Forge) -> &Api {
        match forge {
            Forge::GitHub => &self.github,
            Forge::GitLab => &self.gitlab,
        }
    }

    /// The web host of a forge (`github.com`, a GitHub Enterprise or
    /// GitLab self-managed host), for the `origin` a repository stands for.
    fn web_base(&self, forge: Forge) -> String {
        match forge {
            Forge::GitHub => {
                let base = self.settings.github_api_url.trim_end_matches('/');
                if let Some(host) = base.strip_prefix("https://api.") {
                    format!("https://{host}")
                } else {
                    base.trim_end_matches("/api/v3").to_string()
                }
            }
            Forge::GitLab => self.settings.gitlab_url.trim_end_matches('/').to_string(),
        }
    }

    /// The `origin` remote a checkout of `repo` would have.
    pub fn remote_of(&self, repo: &RepoRef) -> Option<Remote> {
        crate::git::parse_remote_url(&format!("{}/{}", self.web_base(repo.forge), repo.full_name))
    }
}

/// A repository that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub name: String,
    pub reason: String,
}

/// What a run over remote targets gives besides the reports.
#[derive(Debug, Default)]
pub struct Outcome {
    pub totals: Totals,
    /// Repositories checked.
    pub read: usize,
    pub unreadable: Vec<Unreadable>,
    /// Repositories of organisations left out (archived, forks).
    pub skipped_archived: usize,
    pub skipped_forks: usize,
}

/// One repository to check, in output order.
enum Item {
    Local { prefix: String, root: PathBuf },
    Remote { prefix: String, repo: RepoRef },
}

impl Item {
    fn prefix(&self) -> &str {
        match self {
            Item::Local { prefix, .. } | Item::Remote { prefix, .. } => prefix,
        }
    }
}

/// The output prefix of a remote repository: `github:acme/widget/`, with
/// `@REF` when one was asked for.
pub fn prefix_of(repo: &RepoRef) -> String {
    let at = repo
        .asked_ref
        .as_deref()
        .map(|r| format!("@{r}"))
        .unwrap_or_default();
    format!("{}:{}{at}/", repo.forge.scheme(), repo.full_name)
}

/// Check local paths and remote targets together, as `lint::check_each`
/// does for local paths: in output order, each report turned into a `T` by
/// `per_repo` on the worker that checked it; a repository that cannot be
/// read goes to `unreadable` and the others are still checked.
pub fn check_each<T: Send>(
    args: &[PathBuf],
    options: &CheckOptions,
    remotes: &Remotes,
    per_repo: impl Fn(RepoReport) -> T + Sync,
    mut each: impl FnMut(T),
    mut unreadable: impl FnMut(&Unreadable),
) -> Result<Outcome, LoadError> {
    use rayon::prelude::*;
    let mut outcome = Outcome::default();
    let mut items = Vec::new();
    let mut targets = Vec::new();
    for arg in args {
        match arg.to_str().and_then(parse_target) {
            Some(target) => targets.push(target.map_err(LoadError::Usage)?),
            None => items.push(Item::Local {
                prefix: local_prefix(arg),
                root: crate::discover::repository_root(arg)?,
            }),
        }
    }
    let progress = Progress::new(remotes.settings.progress, remotes);
    for listed in parallel(&targets, |target| forge::expand(remotes, target)) {
        match listed {
            Ok(listing) => {
                outcome.skipped_archived += listing.skipped_archived;
                outcome.skipped_forks += listing.skipped_forks;
                items.extend(listing.repos.into_iter().map(|repo| Item::Remote {
                    prefix: prefix_of(&repo),
                    repo,
                }));
            }
            Err(failure) => {
                unreadable(&failure);
                outcome.unreadable.push(failure);
            }
        }
    }
    // Every output path starts with its repository's prefix, so sorting
    // by prefix keeps the output sorted by path; a repository named twice
    // (alone and in its organisation) is checked once.
    items.sort_by(|a, b| a.prefix().cmp(b.prefix()));
    items.dedup_by(|a, b| a.prefix() == b.prefix());
    progress.start(items.len());
    let batch = (rayon::current_num_threads().max(1) * 2).max(CONCURRENT_REQUESTS);
    for group in items.chunks(batch) {
        let fetched = parallel(group, |item| match item {
            Item::Local { .. } => None,
            Item::Remote { repo, .. } => Some(forge::fetch(remotes, repo)),
        });
        let results: Vec<Result<(Totals, T), Failed>> = group
            .par_iter()
            .zip(fetched.into_par_iter())
            .map(|(item, fetched)| {
                let result = match (item, fetched) {
                    (Item::Local { prefix, root }, _) => {
                        lint::check_repository(root, prefix.clone(), options).map_err(Failed::Local)
                    }
                    (Item::Remote { prefix, repo }, Some(Ok(tree))) => {
                        check_tree(remotes, repo, prefix, tree.path(), options)
                            .map_err(Failed::Remote)
                    }
                    (Item::Remote { repo, .. }, Some(Err(reason))) => {
                        Err(Failed::Remote(Unreadable {
                            name: repo.display(),
                            reason,
                        }))
                    }
                    (Item::Remote { repo, .. }, None) => Err(Failed::Remote(Unreadable {
                        name: repo.display(),
                        reason: "not fetched".into(),
                    })),
                };
                progress.tick();
                result.map(|report| {
                    let mut part = Totals::default();
                    part.add(&report);
                    (part, per_repo(report))
                })
            })
            .collect();
        for result in results {
            // The progress line is cleared while a report is written, so
            // that the two never share a line of a terminal.
            progress.clear();
            match result {
                Ok((part, value)) => {
                    outcome.totals.merge(part);
                    outcome.read += 1;
                    each(value);
                }
                // A local path that cannot be checked (an invalid
                // configuration) stops the run, as it does without remote
                // targets.
                Err(Failed::Local(error)) => return Err(error),
                Err(Failed::Remote(failure)) => {
                    unreadable(&failure);
                    outcome.unreadable.push(failure);
                }
            }
            progress.draw();
        }
    }
    progress.clear();
    Ok(outcome)
}

/// Why one repository was not checked.
enum Failed {
    Local(LoadError),
    Remote(Unreadable),
}

/// Check an unpacked tree as the checkout of `repo`.
fn check_tree(
    remotes: &Remotes,
    repo: &RepoRef,
    prefix: &str,
    root: &Path,
    options: &CheckOptions,
) -> Result<RepoReport, Unreadable> {
    let mut options = options.clone();
    options.load.remote = remotes.remote_of(repo);
    lint::check_repository(root, prefix.to_string(), &options).map_err(|e| Unreadable {
        name: repo.display(),
        reason: e.to_string(),
    })
}

fn local_prefix(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    format!("{}/", text.trim_end_matches('/'))
}

/// `f` over `items` on at most `CONCURRENT_REQUESTS` threads, results in
/// the order of `items`.
fn parallel<I: Sync, R: Send>(items: &[I], f: impl Fn(&I) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_REQUESTS.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    if let Ok(mut results) = results.lock() {
                        results[i] = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|r| r.expect("every item is done once the threads end"))
        .collect()
}

/// A progress line on stderr (repositories done of all, the rate-limit
/// budget left), drawn only when stderr is a terminal.
struct Progress<'a> {
    on: bool,
    remotes: &'a Remotes,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl<'a> Progress<'a> {
    fn new(on: bool, remotes: &'a Remotes) -> Self {
        Self {
            on,
            remotes,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
        }
    }

    fn start(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
        self.draw();
    }

    fn tick(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
        self.draw();
    }

    fn draw(&self) {
        if !self.on {
            return;
        }
        let (done, total) = (
            self.done.load(Ordering::SeqCst),
            self.total.load(Ordering::SeqCst),
        );
        let width = 24;
        let filled = (done * width).checked_div(total).unwrap_or(0);
        let mut line = format!(
            "\r\x1b[2K[{}{}] {done}/{total} repositories",
            "#".repeat(filled),
            "-".repeat(width - filled)
        );
        for (name, api) in [
            ("GitHub", &self.remotes.github),
            ("GitLab", &self.remotes.gitlab),
        ] {
            if let Some(remaining) = api.remaining() {
                line.push_str(&format!(", {name} API: {remaining} requests left"));
            }
        }
        eprint!("{line}");
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = parse_target("github:acme/widget@v1.2").unwrap().unwrap();
        assert_eq!(
            (t.forge, t.path.as_str(), t.git_ref.as_deref()),
            (Forge::GitHub, "acme/widget", Some("v1.2"))
        );
        assert_eq!(parse_target("github:acme").unwrap().unwrap().path, "acme");
        let t = parse_target("gitlab:group/sub/proj@main").unwrap().unwrap();
        assert_eq!(t.path, "group/sub/proj");
        let t = parse_target("github:acme/widget.git").unwrap().unwrap();
        assert_eq!(t.path, "acme/widget");
        assert!(parse_target("./github:x").is_none());
        assert!(parse_target("src").is_none());
        for bad in [
            "github:",
            "github:a/b/c",
            "github:a/../b",
            "github:a@main",
            "github:a/b@",
            "gitlab:a//b",
            "github:a b/c",
        ] {
            assert!(parse_target(bad).unwrap().is_err(), "{bad}");
        }
    }
}
