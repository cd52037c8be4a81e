//! Paths inside a repository as workflows, pipelines and scripts name them:
//! joined to the folder they are relative to and normalised to a path from
//! the root, or refused when they cannot be followed without running
//! anything. Reading the repository, the GitLab front end and the script
//! walker in `facts::expand` all resolve paths here.

/// A path relative to the repository root from `base` (a folder relative
/// to the root) and `path`; `None` when it is absolute, an expression, or
/// leaves the repository.
pub fn join(base: &str, path: &str) -> Option<String> {
    let path = path.trim();
    if path.is_empty()
        || path.starts_with('/')
        || path.starts_with('~')
        || path.contains('$')
        || path.contains('`')
        || path.contains('*')
    {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_inside_the_repository_only() {
        assert_eq!(
            join("", "./scripts/release.sh").as_deref(),
            Some("scripts/release.sh")
        );
        assert_eq!(
            join("ci/jobs", "../build.yml").as_deref(),
            Some("ci/build.yml")
        );
        assert_eq!(join("a", "b/./c/").as_deref(), Some("a/b/c"));
        assert_eq!(join("", "../outside"), None);
        assert_eq!(join("", "/etc/passwd"), None);
        assert_eq!(join("", "~/x"), None);
        assert_eq!(join("", "${{ inputs.dir }}/x"), None);
        assert_eq!(join("", "$DIR/x"), None);
        assert_eq!(join("", "dist/*"), None);
        assert_eq!(join("", "  "), None);
    }
}
