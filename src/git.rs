//! The repository's GitHub owner and name, from its `origin` remote.

use std::path::Path;
use std::process::{Command, Stdio};

/// `owner/name` of a GitHub repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub owner: String,
    pub repository: String,
    pub url: String,
}

/// Read `origin` with `git`; `None` without git, a repository or a remote.
/// Only a folder that is itself a git checkout has a remote: git would
/// otherwise answer for an enclosing repository (a fixture inside a project).
pub fn origin(root: &Path) -> Option<Remote> {
    if !root.join(".git").exists() {
        return None;
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["config", "--get", "remote.origin.url"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    parse_remote_url(String::from_utf8_lossy(&output.stdout).trim())
}

/// Owner and repository from a remote URL: `https://host/owner/repo(.git)`,
/// `ssh://git@host[:port]/owner/repo`, `git@host:owner/repo(.git)`, with or
/// without a trailing slash, on github.com or an Enterprise host.
pub fn parse_remote_url(url: &str) -> Option<Remote> {
    let url = url.trim();
    let path = if let Some((_, rest)) = url.split_once("://") {
        // scheme://[user@]host[:port]/path
        rest.split_once('/')?.1
    } else if let Some((host, path)) = url.split_once(':') {
        // scp-like: [user@]host:path
        if host.contains('/') {
            return None;
        }
        path
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut parts = path.rsplitn(2, '/');
    let repository = parts.next()?.to_string();
    let owner = parts.next()?.rsplit('/').next()?.to_string();
    (!owner.is_empty() && !repository.is_empty()).then(|| Remote {
        owner,
        repository,
        url: url.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        for url in [
            "https://github.com/MyOrg/my.project.git",
            "https://github.com/MyOrg/my.project",
            "https://github.com/MyOrg/my.project/",
            "git@github.com:MyOrg/my.project.git",
            "ssh://git@github.com/MyOrg/my.project.git",
            "ssh://git@ghe.example.com:2222/MyOrg/my.project",
            "https://user@ghe.example.com/MyOrg/my.project.git",
        ] {
            let remote = parse_remote_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(
                (remote.owner.as_str(), remote.repository.as_str()),
                ("MyOrg", "my.project"),
                "{url}"
            );
        }
        assert!(parse_remote_url("/local/path/repo").is_none());
        assert!(parse_remote_url("").is_none());
    }
}
