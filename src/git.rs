//! The repository's owner and name, from its `origin` remote: a GitHub
//! owner, or a GitLab namespace with its subgroups.

use std::path::Path;
use std::process::{Command, Stdio};

/// `owner/name` of a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    /// The path component before the name (GitHub's owner).
    pub owner: String,
    /// Every path component before the name: GitLab's namespace, with its
    /// subgroups (`group/sub`); the owner on GitHub.
    pub namespace: String,
    pub repository: String,
    /// The host, lower case (`github.com`, `gitlab.com`, an Enterprise or
    /// self-managed host).
    pub host: String,
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
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        // scheme://[user@]host[:port]/path
        rest.split_once('/')?
    } else if let Some((host, path)) = url.split_once(':') {
        // scp-like: [user@]host:path
        if host.contains('/') {
            return None;
        }
        (host, path)
    } else {
        return None;
    };
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut parts = path.rsplitn(2, '/');
    let repository = parts.next()?.to_string();
    let namespace = parts.next()?.to_string();
    let owner = namespace.rsplit('/').next()?.to_string();
    (!owner.is_empty() && !repository.is_empty()).then(|| Remote {
        owner,
        namespace,
        repository,
        host,
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
        assert_eq!(
            parse_remote_url("ssh://git@ghe.example.com:2222/MyOrg/my.project")
                .unwrap()
                .host,
            "ghe.example.com"
        );
    }

    #[test]
    fn gitlab_subgroups() {
        for url in [
            "https://gitlab.com/group/sub/proj.git",
            "git@gitlab.com:group/sub/proj.git",
            "ssh://git@gitlab.com/group/sub/proj",
        ] {
            let remote = parse_remote_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(remote.namespace, "group/sub", "{url}");
            assert_eq!(remote.repository, "proj", "{url}");
            assert_eq!(remote.host, "gitlab.com", "{url}");
        }
        assert!(parse_remote_url("").is_none());
    }
}
