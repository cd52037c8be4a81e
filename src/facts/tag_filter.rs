//! Whether a workflow's `push` trigger can start a run for a tag of a
//! pub.dev tag pattern (`v{{version}}`): GitHub's filter patterns read
//! against the tags the pattern gives for a version. Three-valued: a
//! filter tplint cannot prove unmatched is never called unmatched.
//!
//! Filter syntax from GitHub's "Workflow syntax for GitHub Actions",
//! "Filter pattern cheat sheet": `*` is any run of characters but `/`,
//! `**` any run of characters, `?` zero or one of the preceding character,
//! `+` one or more of it, `[...]` one character of a set or range, `\`
//! escapes, and in `tags:` a pattern starting with `!` excludes the refs a
//! pattern before it matched. Tag pushes are never filtered by `paths:`.

use crate::workflow::Trigger;
use crate::yaml::Node;

/// Three-valued answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Yes,
    No,
    Unknown,
}

/// Versions tried in place of `{{version}}`: pub's versions are semantic
/// versions (major.minor.patch, pre-release after `-`, build after `+`).
const SAMPLE_VERSIONS: &[&str] = &[
    "1.2.3",
    "0.1.0",
    "10.20.30",
    "2024.1.15",
    "1.2.3-dev.1",
    "1.0.0-beta",
    "2.0.0+1",
    "1.2.3-beta.1+build.5",
];

/// Whether `trigger` (a `push`) starts runs for tags of `pattern`, which
/// holds `{{version}}` once.
pub fn push_reaches(trigger: &Trigger, pattern: &str) -> Reach {
    let Some((prefix, suffix)) = pattern.split_once(crate::registry::pub_dev::VERSION_PLACEHOLDER)
    else {
        return Reach::Unknown;
    };
    let Some(config) = &trigger.config else {
        return Reach::Yes; // `on: push` without filters runs for every tag
    };
    if config.as_mapping().is_none() {
        return Reach::Yes; // `push:` with an empty value
    }
    let tags = config.get("tags");
    let tags_ignore = config.get("tags-ignore");
    let branches = config.get("branches").is_some() || config.get("branches-ignore").is_some();
    let samples: Vec<String> = SAMPLE_VERSIONS
        .iter()
        .map(|v| format!("{prefix}{v}{suffix}"))
        .collect();
    match (tags, tags_ignore) {
        // Only branch filters: tag pushes never run it.
        (None, None) if branches => Reach::No,
        (None, None) => Reach::Yes,
        (Some(tags), _) => {
            let Some(patterns) = patterns_of(tags) else {
                return Reach::Unknown;
            };
            if samples
                .iter()
                .any(|tag| included(&patterns, tag) == Some(true))
            {
                return Reach::Yes;
            }
            // Only plain positive patterns can be proved to match nothing.
            let provable = patterns
                .iter()
                .all(|p| !p.starts_with('!') && never_matches(p, prefix, suffix));
            if provable { Reach::No } else { Reach::Unknown }
        }
        (None, Some(ignore)) => {
            let Some(patterns) = patterns_of(ignore) else {
                return Reach::Unknown;
            };
            let kept = samples
                .iter()
                .any(|tag| patterns.iter().all(|p| glob_matches(p, tag) == Some(false)));
            if kept { Reach::Yes } else { Reach::Unknown }
        }
    }
}

/// The patterns of a filter: a string or a sequence of strings.
fn patterns_of(node: &Node) -> Option<Vec<String>> {
    if let Some(text) = node.as_str() {
        return Some(vec![text.to_string()]);
    }
    node.as_sequence()?
        .iter()
        .map(|item| item.as_str().map(str::to_string))
        .collect()
}

/// Whether the filter's patterns, read in order, include `tag`; `None`
/// when a pattern cannot be read.
fn included(patterns: &[String], tag: &str) -> Option<bool> {
    let mut included = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) => {
                if glob_matches(negated, tag)? {
                    included = false;
                }
            }
            None => {
                if glob_matches(pattern, tag)? {
                    included = true;
                }
            }
        }
    }
    Some(included)
}

/// Whether `pattern` can match no tag `prefix` + version + `suffix`: its
/// fixed start contradicts the prefix, or asks for something else than a
/// digit where every version starts with one, or its fixed end
/// contradicts the suffix. Conservative: `false` unless proved.
fn never_matches(pattern: &str, prefix: &str, suffix: &str) -> bool {
    let Some(tokens) = tokens(pattern) else {
        return false;
    };
    let first_wild = tokens.iter().position(|t| t.is_none());
    let last_wild = tokens.iter().rposition(|t| t.is_none());
    let head: Vec<(Atom, Quantifier)> = tokens[..first_wild.unwrap_or(tokens.len())]
        .iter()
        .flatten()
        .cloned()
        .collect();
    let tail: Vec<(Atom, Quantifier)> = tokens[last_wild.map_or(0, |at| at + 1)..]
        .iter()
        .flatten()
        .rev()
        .cloned()
        .collect();
    let prefix: Vec<char> = prefix.chars().collect();
    let suffix: Vec<char> = suffix.chars().rev().collect();
    contradicts(&head, &prefix, true) || contradicts(&tail, &suffix, false)
}

/// One character position of a pattern.
#[derive(Clone, Debug)]
enum Atom {
    Char(char),
    /// `[...]`: ranges (a single character is a range of one).
    Set(Vec<(char, char)>),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Char(own) => *own == c,
            Atom::Set(ranges) => ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quantifier {
    One,
    /// `?`: zero or one.
    Optional,
    /// `+`: one or more.
    Many,
}

/// A pattern as atoms, `None` standing for what matches a run of
/// characters (`*`, `**`) or starts a negation; `None` overall when it
/// cannot be read.
fn tokens(pattern: &str) -> Option<Vec<Option<(Atom, Quantifier)>>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out: Vec<Option<(Atom, Quantifier)>> = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let atom = match chars[at] {
            '*' | '!' => {
                out.push(None);
                at += 1;
                continue;
            }
            '?' | '+' => {
                let quantifier = if chars[at] == '?' {
                    Quantifier::Optional
                } else {
                    Quantifier::Many
                };
                match out.last_mut() {
                    Some(Some((_, q))) if *q == Quantifier::One => *q = quantifier,
                    _ => return None,
                }
                at += 1;
                continue;
            }
            '[' => {
                let close = chars[at + 1..].iter().position(|&x| x == ']')? + at + 1;
                let inner = &chars[at + 1..close];
                let mut ranges = Vec::new();
                let mut i = 0;
                while i < inner.len() {
                    if inner.get(i + 1) == Some(&'-') && i + 2 < inner.len() {
                        ranges.push((inner[i], inner[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((inner[i], inner[i]));
                        i += 1;
                    }
                }
                at = close;
                Atom::Set(ranges)
            }
            '\\' => {
                at += 1;
                Atom::Char(*chars.get(at)?)
            }
            c => Atom::Char(c),
        };
        out.push(Some((atom, Quantifier::One)));
        at += 1;
    }
    Some(out)
}

/// Whether fixed atoms, read from one end, cannot spell `expected` (the
/// prefix, or the reversed suffix) followed, when `digit_next`, by a digit.
fn contradicts(atoms: &[(Atom, Quantifier)], expected: &[char], digit_next: bool) -> bool {
    let mut pos = 0;
    for (atom, quantifier) in atoms {
        if *quantifier == Quantifier::Optional {
            return false;
        }
        match expected.get(pos) {
            Some(c) => {
                if !atom.matches(*c) {
                    return true;
                }
                pos += 1;
            }
            None => return digit_next && !('0'..='9').any(|d| atom.matches(d)),
        }
        if *quantifier == Quantifier::Many {
            return false; // how many it takes is not followed
        }
    }
    false
}

/// Whether a GitHub filter pattern matches `text`; `None` when it cannot
/// be read (an unclosed `[`).
pub fn glob_matches(pattern: &str, text: &str) -> Option<bool> {
    let regex = to_regex(pattern)?;
    Some(regex.is_match(text))
}

fn to_regex(pattern: &str) -> Option<regex::Regex> {
    let mut out = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        match c {
            '*' if chars.get(at + 1) == Some(&'*') => {
                out.push_str(".*");
                at += 1;
            }
            '*' => out.push_str("[^/]*"),
            '?' | '+' => out.push(c),
            '[' => {
                let close = chars[at + 1..].iter().position(|&x| x == ']')? + at + 1;
                out.push('[');
                for &inner in &chars[at + 1..close] {
                    if inner == '\\' || inner == '[' || inner == '^' {
                        out.push('\\');
                    }
                    out.push(inner);
                }
                out.push(']');
                at = close;
            }
            '\\' => {
                at += 1;
                let escaped = chars.get(at)?;
                out.push_str(&regex::escape(&escaped.to_string()));
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
        at += 1;
    }
    out.push('$');
    regex::Regex::new(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(config: &str) -> Trigger {
        let text = format!("on:\n  push:\n{config}\njobs: {{}}\n");
        let document = crate::yaml::parse(&text).expect("yaml");
        let workflow = crate::workflow::build(&text, &document);
        workflow.triggers.into_iter().next().expect("a trigger")
    }

    #[test]
    fn globs() {
        assert_eq!(glob_matches("v[0-9]+.[0-9]+.[0-9]+", "v1.2.3"), Some(true));
        assert_eq!(
            glob_matches("v[0-9]+.[0-9]+.[0-9]+", "v1.2.3-dev"),
            Some(false)
        );
        assert_eq!(glob_matches("v*", "v1.2.3"), Some(true));
        assert_eq!(glob_matches("*", "pkg/v1.2.3"), Some(false));
        assert_eq!(glob_matches("**", "pkg/v1.2.3"), Some(true));
        assert_eq!(glob_matches("v?1.2.3", "1.2.3"), Some(true));
        assert_eq!(glob_matches("v[0-9", "v1"), None);
    }

    #[test]
    fn push_filters_against_patterns() {
        use Reach::*;
        let tags = |list: &str| push(&format!("    tags: {list}"));
        assert_eq!(
            push_reaches(&tags("['v[0-9]+.[0-9]+.[0-9]+']"), "v{{version}}"),
            Yes
        );
        assert_eq!(push_reaches(&tags("['v*']"), "v{{version}}"), Yes);
        assert_eq!(push_reaches(&tags("['*']"), "{{version}}"), Yes);
        assert_eq!(push_reaches(&tags("['release-*']"), "v{{version}}"), No);
        assert_eq!(push_reaches(&tags("['v*']"), "{{version}}"), No);
        assert_eq!(
            push_reaches(&tags("['[0-9]+.[0-9]+.[0-9]+']"), "v{{version}}"),
            No
        );
        assert_eq!(push_reaches(&tags("['pkg-v*']"), "pkg-v{{version}}"), Yes);
        assert_eq!(push_reaches(&tags("['other-v*']"), "pkg-v{{version}}"), No);
        // Calendar versions and unusual globs: not provably unmatched.
        assert_eq!(
            push_reaches(&tags("['v20[0-9][0-9].*']"), "v{{version}}"),
            Yes
        );
        assert_eq!(push_reaches(&tags("['*-rc']"), "v{{version}}"), Unknown);
        assert_eq!(
            push_reaches(&tags("['v*', '!v*']"), "v{{version}}"),
            Unknown
        );
        assert_eq!(
            push_reaches(&push("    branches: [main]"), "v{{version}}"),
            No
        );
        assert_eq!(
            push_reaches(&push("    paths: ['lib/**']"), "v{{version}}"),
            Yes
        );
        assert_eq!(
            push_reaches(&push("    tags-ignore: ['*-dev*']"), "v{{version}}"),
            Yes
        );
        assert_eq!(
            push_reaches(&push("    tags-ignore: ['**']"), "v{{version}}"),
            Unknown
        );
    }
}
