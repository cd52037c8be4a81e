//! The version named by the comment after a SHA pin (`# v4.2.2`,
//! `# tag=v4.2.2`, `# 4.2.2`), and the tag names it may stand for.

/// A version read from a pin comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentVersion {
    /// The version as written (`v4.2.2`, `4.2.2`, `release-1.0`).
    pub text: String,
    /// Whether it names a full `X.Y.Z` release rather than a major or minor
    /// line (`v4`, `v4.2`), whose tag moves with every release.
    pub exact: bool,
}

impl CommentVersion {
    /// Tag names to look up, in order: as written, then with `v` added or removed.
    pub fn candidate_tags(&self) -> Vec<String> {
        let other = match self.text.strip_prefix('v') {
            Some(bare) => bare.to_string(),
            None => format!("v{}", self.text),
        };
        vec![self.text.clone(), other]
    }
}

/// Read the version from the text of a pin comment (without the `#`); `None`
/// when the comment is not about a version.
pub fn parse_comment(comment: &str) -> Option<CommentVersion> {
    let word = comment.split_whitespace().next()?;
    // `tag=v1`, `tag:v1`, `ratchet:owner/repo@v1`, `pin@v1`, `@v1`.
    let word = word.rsplit('@').next().unwrap_or(word);
    let word = word
        .strip_prefix("tag=")
        .or_else(|| word.strip_prefix("tag:"))
        .or_else(|| word.strip_prefix("version="))
        .unwrap_or(word);
    let word = word.trim_end_matches([',', ';', ')']);
    let digits = word
        .strip_prefix('v')
        .or_else(|| word.strip_prefix('V'))
        .unwrap_or(word);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
    {
        return None;
    }
    let numeric_parts = digits
        .split('.')
        .take_while(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        .count();
    let exact = numeric_parts >= 3 || digits.split('.').count() >= 3;
    Some(CommentVersion {
        text: word.to_string(),
        exact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(comment: &str) -> Option<String> {
        parse_comment(comment).map(|v| v.text)
    }

    #[test]
    fn comment_conventions() {
        assert_eq!(text("v4.2.2"), Some("v4.2.2".into()));
        assert_eq!(text(" tag=v4.2.2"), Some("v4.2.2".into()));
        assert_eq!(text("4.2.2"), Some("4.2.2".into()));
        assert_eq!(text("v1.12.4 (latest)"), Some("v1.12.4".into()));
        assert_eq!(
            text("ratchet:actions/checkout@v4.1.1"),
            Some("v4.1.1".into())
        );
        assert_eq!(text("v2.0.0-beta.1"), Some("v2.0.0-beta.1".into()));
        assert_eq!(text("pinned by hand"), None);
        assert_eq!(text("main"), None);
        assert_eq!(text(""), None);
        assert!(parse_comment("v4.2.2").unwrap().exact);
        assert!(!parse_comment("v4").unwrap().exact);
        assert!(!parse_comment("v4.2").unwrap().exact);
    }

    #[test]
    fn candidates_add_or_drop_the_v() {
        let version = parse_comment("v4.2.2").unwrap();
        assert_eq!(version.candidate_tags(), vec!["v4.2.2", "4.2.2"]);
        let version = parse_comment("4.2.2").unwrap();
        assert_eq!(version.candidate_tags(), vec!["4.2.2", "v4.2.2"]);
    }
}
