//! What a pin needs (`--online`): the commit a `uses:` ref points at, with
//! annotated tags peeled, and the most specific tag of that commit for the
//! version comment, as pinact and ratchet write it (`@v4` becomes
//! `@<sha> # v4.2.2`). The fixes of TP501 and TP502 are built from it.

use serde_json::Value;

use super::github::{GitHub, Reply, segment};
use super::{TagStatus, check_tag, repo_path};
use crate::workflow::uses::is_commit_sha;

/// How many pages of 100 tags are read to find the tags of a commit.
const TAG_PAGES: usize = 3;

/// A ref resolved to a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The full commit SHA.
    pub sha: String,
    /// The text of the version comment: the most specific tag of the
    /// commit, else the ref as written.
    pub comment: String,
    /// Whether the ref is a tag (pinning it keeps the code the same), not
    /// a branch that moves on.
    pub is_tag: bool,
}

/// Resolve `git_ref` of `owner/repo`; `None` when the API does not say.
pub fn resolve(github: &GitHub, owner: &str, repo: &str, git_ref: &str) -> Option<Resolution> {
    if is_commit_sha(git_ref) {
        let tag = most_specific(&tags_at(github, owner, repo, git_ref), None)?;
        return Some(Resolution {
            sha: git_ref.to_ascii_lowercase(),
            comment: tag,
            is_tag: true,
        });
    }
    let (sha, is_tag) = match check_tag(github, owner, repo, &[git_ref.to_string()]) {
        TagStatus::Found { objects, .. } => (objects.last()?.clone(), true),
        TagStatus::Missing { .. } => {
            // A branch or a short SHA: the commit it names today.
            let path = format!("{}/commits/{}", repo_path(owner, repo), segment(git_ref));
            match github.get(&path) {
                Reply::Found(body) => (body.get("sha")?.as_str()?.to_string(), false),
                _ => return None,
            }
        }
        TagStatus::Skipped(_) => return None,
    };
    if !is_commit_sha(&sha) {
        return None;
    }
    let comment = most_specific(&tags_at(github, owner, repo, &sha), Some(git_ref))
        .unwrap_or_else(|| git_ref.to_string());
    Some(Resolution {
        sha,
        comment,
        is_tag,
    })
}

/// The tags whose commit is `sha`, from the first pages of the tag list.
fn tags_at(github: &GitHub, owner: &str, repo: &str, sha: &str) -> Vec<String> {
    let mut names = Vec::new();
    for page in 1..=TAG_PAGES {
        let path = format!("{}/tags?per_page=100&page={page}", repo_path(owner, repo));
        let Reply::Found(Value::Array(tags)) = github.get(&path) else {
            break;
        };
        for tag in &tags {
            let commit = tag.pointer("/commit/sha").and_then(Value::as_str);
            if commit.is_some_and(|c| c.eq_ignore_ascii_case(sha))
                && let Some(name) = tag.get("name").and_then(Value::as_str)
            {
                names.push(name.to_string());
            }
        }
        if tags.len() < 100 {
            break;
        }
    }
    names
}

/// The most specific of `names`: the most numeric dot-separated parts
/// (`v4.2.2` over `v4.2` over `v4`), preferring names that extend
/// `wanted` (`v4` → `v4.2.2`, not `v5.0.0` on the same commit).
pub fn most_specific(names: &[String], wanted: Option<&str>) -> Option<String> {
    let numeric_parts = |name: &str| {
        name.trim_start_matches(['v', 'V'])
            .split('.')
            .take_while(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .count()
    };
    let extends =
        |name: &str| wanted.is_some_and(|w| name == w || name.starts_with(&format!("{w}.")));
    names
        .iter()
        .max_by_key(|name| {
            (
                extends(name),
                numeric_parts(name),
                std::cmp::Reverse(name.len()),
            )
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_most_specific_tag_extends_the_ref() {
        let tags = names(&["v4", "v4.2", "v4.2.2", "latest"]);
        assert_eq!(most_specific(&tags, Some("v4")).as_deref(), Some("v4.2.2"));
        let tags = names(&["v5.0.0", "v4", "v4.3"]);
        assert_eq!(most_specific(&tags, Some("v4")).as_deref(), Some("v4.3"));
        assert_eq!(most_specific(&tags, None).as_deref(), Some("v5.0.0"));
        assert_eq!(most_specific(&[], None), None);
    }
}
