//! `uses:` references: what they point at, and where the ref is spelled.

use super::Spanned;
use crate::source::Span;

/// A `uses:` value of a step or of a reusable-workflow call.
#[derive(Clone, Debug)]
pub struct Uses {
    pub raw: Spanned<String>,
    pub target: UsesTarget,
    /// The comment after the value on the same line (`# v4.2.2`), without `#`.
    pub comment: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsesTarget {
    /// `./path` in the same repository and commit.
    Local { path: String },
    /// `$/path`: the workflow's own repository at the same ref.
    SelfRepository { path: String },
    /// `owner/repo[/path]@ref`.
    Remote {
        owner: String,
        repo: String,
        path: Option<String>,
        git_ref: String,
        /// Span of `@ref` in the source.
        ref_span: Span,
        /// `owner/repo` in lower case, for comparisons (GitHub names are
        /// case-insensitive); computed once because every rule asks.
        slug: String,
    },
    /// `docker://image[:tag][@sha256:digest]`.
    Docker {
        image: String,
        digest: Option<String>,
    },
    /// Something GitHub would not accept; the reason says why.
    Invalid(String),
}

impl UsesTarget {
    /// Parse `text`; `ref_span` maps a byte range of the text to its source span.
    pub fn parse(text: &str, ref_span: impl Fn(std::ops::Range<usize>) -> Span) -> UsesTarget {
        let text_trimmed = text.trim();
        if let Some(path) = text_trimmed.strip_prefix("./") {
            return UsesTarget::Local {
                path: path.to_string(),
            };
        }
        if let Some(path) = text_trimmed.strip_prefix("$/") {
            return UsesTarget::SelfRepository {
                path: path.to_string(),
            };
        }
        if let Some(image) = text_trimmed.strip_prefix("docker://") {
            let (image, digest) = match image.split_once('@') {
                Some((image, digest)) => (image, Some(digest.to_string())),
                None => (image, None),
            };
            return UsesTarget::Docker {
                image: image.to_string(),
                digest,
            };
        }
        if super::is_expression(text_trimmed) {
            return UsesTarget::Invalid(
                "`uses:` cannot contain expressions; GitHub requires a literal reference".into(),
            );
        }
        let Some(at) = text_trimmed.rfind('@') else {
            return UsesTarget::Invalid(format!(
                "`{text_trimmed}` has no `@ref`; remote actions need `owner/repo@ref`"
            ));
        };
        let (target, git_ref) = (&text_trimmed[..at], &text_trimmed[at + 1..]);
        let mut parts = target.splitn(3, '/');
        let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
            return UsesTarget::Invalid(format!("`{text_trimmed}` is not `owner/repo[/path]@ref`"));
        };
        if owner.is_empty() || repo.is_empty() || git_ref.is_empty() {
            return UsesTarget::Invalid(format!("`{text_trimmed}` is not `owner/repo[/path]@ref`"));
        }
        let lead = text.len() - text.trim_start().len();
        UsesTarget::Remote {
            slug: format!("{owner}/{repo}").to_ascii_lowercase(),
            owner: owner.to_string(),
            repo: repo.to_string(),
            path: parts.next().map(str::to_string),
            git_ref: git_ref.to_string(),
            ref_span: ref_span(lead + at..lead + text_trimmed.len()),
        }
    }

    /// `owner/repo` of a remote reference, lower-cased for comparison
    /// (GitHub owner and repository names are case-insensitive).
    pub fn remote_slug(&self) -> Option<&str> {
        match self {
            UsesTarget::Remote { slug, .. } => Some(slug),
            _ => None,
        }
    }

    /// Whether this is `owner/repo` (case-insensitive), at any path and ref.
    pub fn is_action(&self, slug: &str) -> bool {
        matches!(self, UsesTarget::Remote { slug: own, path: None, .. } if own.eq_ignore_ascii_case(slug))
    }
}

/// Whether `git_ref` is a full 40-hex commit SHA (or a 64-hex SHA-256 one).
pub fn is_commit_sha(git_ref: &str) -> bool {
    matches!(git_ref.len(), 40 | 64) && git_ref.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Branch names that tools write after a SHA pin of a branch (`# main`).
const BRANCH_COMMENTS: &[&str] = &["main", "master", "stable", "trunk", "develop", "nightly"];

/// Whether a comment after a SHA pin says which version or ref it is:
/// `v4.2.2`, `v4`, `4.2.2`, `tag=v4.1.0`, `release/v1`, `pin @v4.2.2`,
/// `ratchet:actions/checkout@v4`, `main`, and a monorepo's tag of one of
/// its packages, `covector-v0.12.4` (jbolda/covector's tags)...
pub fn mentions_version(comment: &str) -> bool {
    let version_like = |word: &str| {
        let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
        bare.starts_with(|c: char| c.is_ascii_digit())
            && bare
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c))
    };
    comment
        .split(|c: char| c.is_whitespace() || ",;()[]@=:/#\"'`".contains(c))
        .any(|word| {
            version_like(word)
                || word
                    .split_once("-v")
                    .is_some_and(|(name, version)| !name.is_empty() && version_like(version))
                || BRANCH_COMMENTS.contains(&word.to_ascii_lowercase().as_str())
        })
}

/// Whether a table entry (`owner/repo`, `owner/repo/path`, or
/// `owner/repo/*` for every action of the repository) names `target`.
/// Compared in place: this runs for every step against every table entry.
pub fn matches_table_entry(entry: &str, target: &UsesTarget) -> bool {
    let UsesTarget::Remote { slug, path, .. } = target else {
        return false;
    };
    if let Some(repo) = entry.strip_suffix("/*") {
        return repo == slug;
    }
    let Some(rest) = entry.strip_prefix(slug.as_str()) else {
        return false;
    };
    match path {
        None => rest.is_empty(),
        Some(path) => rest
            .strip_prefix('/')
            .is_some_and(|r| r.eq_ignore_ascii_case(path.trim_end_matches('/'))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> UsesTarget {
        UsesTarget::parse(text, |r| Span::new(r.start, r.end))
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse("./.github/actions/x"),
            UsesTarget::Local {
                path: ".github/actions/x".into()
            }
        );
        assert_eq!(
            parse("$/.github/workflows/p.yml"),
            UsesTarget::SelfRepository {
                path: ".github/workflows/p.yml".into()
            }
        );
        assert_eq!(
            parse("docker://alpine:3.20@sha256:abc"),
            UsesTarget::Docker {
                image: "alpine:3.20".into(),
                digest: Some("sha256:abc".into())
            }
        );
        match parse("octo/repo/.github/workflows/r.yml@v1") {
            UsesTarget::Remote {
                owner,
                repo,
                path,
                git_ref,
                ref_span,
                slug,
            } => {
                assert_eq!((owner.as_str(), repo.as_str()), ("octo", "repo"));
                assert_eq!(slug, "octo/repo");
                assert_eq!(path.as_deref(), Some(".github/workflows/r.yml"));
                assert_eq!(git_ref, "v1");
                assert_eq!(ref_span, Span::new(33, 36));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("actions/checkout"), UsesTarget::Invalid(_)));
        assert!(matches!(parse("checkout@v4"), UsesTarget::Invalid(_)));
    }

    #[test]
    fn action_identity_is_case_insensitive_and_pathless() {
        assert!(
            parse("PyPA/gh-action-pypi-publish@release/v1")
                .is_action("pypa/gh-action-pypi-publish")
        );
        assert!(
            !parse("pypa/gh-action-pypi-publish/sub@v1").is_action("pypa/gh-action-pypi-publish")
        );
    }

    #[test]
    fn commit_sha() {
        assert!(is_commit_sha("76f52bc884231f62b9a034ebfe128415bbaabdfc"));
        assert!(!is_commit_sha("76f52bc"));
        assert!(!is_commit_sha("release/v1"));
    }

    #[test]
    fn version_comments() {
        for yes in [
            "v4.2.2",
            "4",
            "tag=v4.1.0",
            "release/v1",
            "pin @v4.2.2",
            "main",
            "covector-v0.12.4",
        ] {
            assert!(mentions_version(yes), "{yes}");
        }
        for no in ["latest", "checkout", "-v1", "pre-vX", "my-very-own"] {
            assert!(!mentions_version(no), "{no}");
        }
    }
}
