//! What GitHub's REST API and GitLab's API v4 are asked: a repository
//! (`/repos/{owner}/{repo}`, `/projects/{path}`), the repositories of an
//! organisation, user or group (page by page), the commit a ref names (to
//! reuse a cached archive), and the archive itself.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::Value;

use super::http::{Api, Failure, Json, next_link};
use super::unpack::{self, Counting};
use super::{Forge, Remotes, Target, Unreadable};

/// One repository to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoRef {
    pub forge: Forge,
    /// `owner/repo`, `group/sub/project`, as the forge spells it.
    pub full_name: String,
    /// GitLab's project ID (GitHub's API is addressed by name).
    pub id: Option<u64>,
    pub default_branch: Option<String>,
    /// The ref given on the command line.
    pub asked_ref: Option<String>,
}

impl RepoRef {
    pub fn display(&self) -> String {
        let at = self
            .asked_ref
            .as_deref()
            .map(|r| format!("@{r}"))
            .unwrap_or_default();
        format!("{}:{}{at}", self.forge.scheme(), self.full_name)
    }

    fn git_ref(&self) -> Option<&str> {
        self.asked_ref.as_deref().or(self.default_branch.as_deref())
    }
}

/// The repositories a target names.
#[derive(Debug, Default)]
pub struct Listing {
    pub repos: Vec<RepoRef>,
    pub skipped_archived: usize,
    pub skipped_forks: usize,
}

/// Pages of an organisation's listing read at most (100 repositories each).
const MAX_PAGES: usize = 200;
/// Archives kept in the cache up to this size.
const MAX_CACHED_ARCHIVE: u64 = 32 * 1024 * 1024;

/// Characters escaped in a path segment or query value.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// A ref in a path, where `/` stays (GitHub reads `tarball/feature/x`).
fn encode_ref(text: &str) -> String {
    text.split('/').map(encode).collect::<Vec<_>>().join("/")
}

fn unreadable(target: &str, failure: Failure) -> Unreadable {
    Unreadable {
        name: target.to_string(),
        reason: failure.to_string(),
    }
}

/// The repositories `target` names: one repository, or those of an
/// organisation, user or group, archived ones and forks left out unless
/// the settings include them.
pub fn expand(remotes: &Remotes, target: &Target) -> Result<Listing, Unreadable> {
    let name = target.text();
    let api = remotes.api(target.forge);
    let single = |value: &Value| {
        let mut repo = repo_of(target.forge, value).ok_or_else(|| Unreadable {
            name: name.clone(),
            reason: "the API's answer names no repository".into(),
        })?;
        repo.asked_ref = target.git_ref.clone();
        Ok(Listing {
            repos: vec![repo],
            ..Listing::default()
        })
    };
    match target.forge {
        Forge::GitHub if target.path.contains('/') => {
            let json = api
                .json(&format!("/repos/{}", encode_ref(&target.path)))
                .map_err(|f| unreadable(&name, f))?;
            single(&json.value)
        }
        Forge::GitHub => {
            let owner = encode(&target.path);
            let first = format!("/orgs/{owner}/repos?per_page=100&type=all");
            match list(remotes, target.forge, &first) {
                Err(Failure::NotFound) => list(
                    remotes,
                    target.forge,
                    &format!("/users/{owner}/repos?per_page=100&type=owner"),
                ),
                other => other,
            }
            .map_err(|f| unreadable(&name, f))
        }
        Forge::GitLab => {
            let path = encode(&target.path);
            if target.path.contains('/') {
                match api.json(&format!("/projects/{path}")) {
                    Ok(json) => return single(&json.value),
                    Err(Failure::NotFound) if target.git_ref.is_none() => {}
                    Err(failure) => return Err(unreadable(&name, failure)),
                }
            }
            let first = format!(
                "/groups/{path}/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc"
            );
            match list(remotes, target.forge, &first) {
                Err(Failure::NotFound) if !target.path.contains('/') => list(
                    remotes,
                    target.forge,
                    &format!("/users/{path}/projects?per_page=100&order_by=id&sort=asc"),
                ),
                other => other,
            }
            .map_err(|f| unreadable(&name, f))
        }
    }
}

/// Every page of a listing that starts at `first`.
fn list(remotes: &Remotes, forge: Forge, first: &str) -> Result<Listing, Failure> {
    let api = remotes.api(forge);
    let mut listing = Listing::default();
    let mut next = Some(first.to_string());
    for _ in 0..MAX_PAGES {
        let Some(page) = next.take() else { break };
        let Json {
            value,
            link,
            next_page,
        } = api.json(&page)?;
        let Some(entries) = value.as_array() else {
            return Err(Failure::Other(
                "the API's listing is not a list of repositories".into(),
            ));
        };
        for entry in entries {
            let Some(repo) = repo_of(forge, entry) else {
                continue;
            };
            let archived = entry.get("archived").and_then(Value::as_bool) == Some(true);
            let fork = match forge {
                Forge::GitHub => entry.get("fork").and_then(Value::as_bool) == Some(true),
                Forge::GitLab => entry
                    .get("forked_from_project")
                    .is_some_and(|v| !v.is_null()),
            };
            let empty = entry.get("empty_repo").and_then(Value::as_bool) == Some(true);
            if archived && !remotes.settings.include_archived {
                listing.skipped_archived += 1;
            } else if fork && !remotes.settings.include_forks {
                listing.skipped_forks += 1;
            } else if !empty {
                listing.repos.push(repo);
            }
        }
        next = match forge {
            Forge::GitHub => link.as_deref().and_then(next_link),
            Forge::GitLab => next_page
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .map(|p| with_page(first, &p)),
        };
    }
    Ok(listing)
}

/// `first` asking for page `page`.
fn with_page(first: &str, page: &str) -> String {
    let separator = if first.contains('?') { '&' } else { '?' };
    format!("{first}{separator}page={page}")
}

fn repo_of(forge: Forge, value: &Value) -> Option<RepoRef> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    let full_name = match forge {
        Forge::GitHub => text("full_name")?,
        Forge::GitLab => text("path_with_namespace")?,
    };
    Some(RepoRef {
        forge,
        full_name,
        id: value.get("id").and_then(Value::as_u64),
        default_branch: text("default_branch"),
        asked_ref: None,
    })
}

/// Fetch `repo`'s archive and unpack it into a new temporary folder.
pub fn fetch(remotes: &Remotes, repo: &RepoRef) -> Result<tempfile::TempDir, String> {
    let api = remotes.api(repo.forge);
    let new_dir = || {
        tempfile::Builder::new()
            .prefix("tplint-remote-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary folder: {e}"))
    };
    // With a cache: ask which commit the ref is at (an unchanged answer is
    // revalidated for free) and reuse that commit's archive if kept. A
    // GitHub repository never fetched before is not asked: its archive
    // names its commit (the `comment` of its pax header), which is enough
    // to keep it, so a first check costs one request.
    let cache = api.cache();
    let key = format!("{}/{}", api.base, repo.full_name);
    let ask = cache.is_some_and(|c| repo.forge == Forge::GitLab || c.has_archive(&key));
    let commit = if ask { commit_of(api, repo).ok() } else { None };
    if let (Some(cache), Some(sha)) = (cache, commit.as_deref())
        && let Some(path) = cache.archive_path(&key, sha)
        && let Ok(file) = std::fs::File::open(&path)
    {
        let dir = new_dir()?;
        if unpack::unpack(file, dir.path(), remotes.settings.limits).is_ok() {
            return Ok(dir);
        }
        // A damaged archive is fetched again, into a clean folder.
        let _ = std::fs::remove_file(&path);
    }
    let dir = new_dir()?;
    let wanted = commit.as_deref().or(repo.git_ref());
    let path = match (repo.forge, wanted, repo.id) {
        (Forge::GitHub, Some(r), _) => format!(
            "/repos/{}/tarball/{}",
            encode_ref(&repo.full_name),
            encode_ref(r)
        ),
        (Forge::GitHub, None, _) => format!("/repos/{}/tarball", encode_ref(&repo.full_name)),
        (Forge::GitLab, r, Some(id)) => {
            let sha = r.map(|r| format!("?sha={}", encode(r))).unwrap_or_default();
            format!("/projects/{id}/repository/archive.tar.gz{sha}")
        }
        (Forge::GitLab, r, None) => {
            let sha = r.map(|r| format!("?sha={}", encode(r))).unwrap_or_default();
            format!(
                "/projects/{}/repository/archive.tar.gz{sha}",
                encode(&repo.full_name)
            )
        }
    };
    let response = api
        .get(&path, api.kind.archive_accept(), None)
        .map_err(|f| match f {
            Failure::NotFound if repo.asked_ref.is_some() => {
                "not found: no such repository, or no such ref in it".to_string()
            }
            Failure::NotFound => "not found: no such repository, or it is empty".to_string(),
            other => other.to_string(),
        })?;
    if response.status != 200 {
        return Err(format!(
            "the archive request was answered with the status {}",
            response.status
        ));
    }
    let copy = cache.and_then(|cache| cache.archive_file(&key));
    let limits = remotes.settings.limits;
    let mut reader = Counting::new(
        response.body,
        limits.archive_bytes,
        copy,
        MAX_CACHED_ARCHIVE,
    );
    let unpacked = unpack::unpack(&mut reader, dir.path(), limits)?;
    // The gzip stream may end before the body: read the rest, so that the
    // copy is the whole archive.
    let _ = std::io::copy(&mut reader, &mut std::io::sink());
    let sha = commit.or(unpacked.commit);
    if let (Some(cache), Some(sha), Some(copy)) = (cache, sha, reader.copy) {
        cache.keep_archive(&key, &sha, copy);
    }
    Ok(dir)
}

/// The commit `repo`'s ref is at.
fn commit_of(api: &Api, repo: &RepoRef) -> Result<String, Failure> {
    let git_ref = repo
        .git_ref()
        .ok_or_else(|| Failure::Other("no ref".into()))?;
    let json = match (repo.forge, repo.id) {
        (Forge::GitHub, _) => api.json(&format!(
            "/repos/{}/commits?sha={}&per_page=1",
            encode_ref(&repo.full_name),
            encode(git_ref)
        ))?,
        (Forge::GitLab, Some(id)) => api.json(&format!(
            "/projects/{id}/repository/commits/{}",
            encode(git_ref)
        ))?,
        (Forge::GitLab, None) => api.json(&format!(
            "/projects/{}/repository/commits/{}",
            encode(&repo.full_name),
            encode(git_ref)
        ))?,
    };
    let value = match &json.value {
        Value::Array(list) => list.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    ["sha", "id"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .ok_or_else(|| Failure::Other("the API named no commit".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_encoding() {
        assert_eq!(with_page("/g/p?x=1", "3"), "/g/p?x=1&page=3");
        assert_eq!(encode("group/sub/proj"), "group%2Fsub%2Fproj");
        assert_eq!(encode_ref("feature/x y"), "feature/x%20y");
    }
}
