//! Name patterns of environment deployment policies (Ruby `File.fnmatch`
//! with path semantics, as GitHub documents them), and example ref names
//! built from a workflow's own `branches:`/`tags:` filters to test them with.

/// Whether `name` matches the deployment policy `pattern`: `*` and `?` do not
/// match `/`, `**` does (and `**/` also matches no folder at all), `[...]`
/// is a character class (`[!...]` or `[^...]` negated), `\` escapes. A
/// pattern that is not a valid glob (an unclosed `[`) matches only itself.
pub fn policy_matches(pattern: &str, name: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_or(pattern == name, |glob| {
            glob.compile_matcher().is_match(name)
        })
}

/// Index of the `]` closing the class that starts at `pattern[0] == '['`.
fn class_end(pattern: &[char]) -> Option<usize> {
    let mut i = 1;
    if matches!(pattern.get(i), Some('!' | '^')) {
        i += 1;
    }
    // A `]` right after the opening is a member.
    if pattern.get(i) == Some(&']') {
        i += 1;
    }
    while i < pattern.len() {
        match pattern[i] {
            '\\' => i += 2,
            ']' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Texts that stand for "any tag" or "any branch" when the workflow does not filter.
const ANY_NAME: &[&str] = &["v1.2.3", "1.2.3", "v0.1.0rc1", "main", "release/1.2"];

/// Fillers tried for each wildcard of a workflow filter.
const FILLERS: &[&str] = &["1", "1.2.3", "0", "a", "rc1"];

/// Example names that a workflow `branches:`/`tags:` filter accepts (GitHub's
/// filter syntax: `*`, `**`, `?` and `+` quantifiers, `[...]` classes), used
/// to probe a deployment policy. A negated pattern (`!...`) or one that
/// cannot be expanded yields nothing.
pub fn examples_of_filter(filter: &str) -> Vec<String> {
    if filter.starts_with('!') {
        return Vec::new();
    }
    FILLERS
        .iter()
        .filter_map(|filler| expand(filter, filler))
        .collect()
}

/// Example names for an unfiltered trigger.
pub fn examples_of_any() -> Vec<String> {
    ANY_NAME.iter().map(|s| s.to_string()).collect()
}

fn expand(filter: &str, filler: &str) -> Option<String> {
    let chars: Vec<char> = filter.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                out.push_str(filler);
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                continue;
            }
            // `?` (zero or one of the previous) and `+` (one or more) keep
            // the previous character once.
            '?' | '+' => {}
            '[' => {
                let end = class_end(&chars[i..])? + i;
                let first = chars[i + 1..end]
                    .iter()
                    .find(|c| !matches!(c, '!' | '^' | '\\'))?;
                out.push(*first);
                i = end;
            }
            '\\' => {
                i += 1;
                out.push(*chars.get(i)?);
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_with_path_semantics() {
        assert!(policy_matches("main", "main"));
        assert!(!policy_matches("main", "mains"));
        assert!(policy_matches("v*", "v1.2.3"));
        assert!(!policy_matches("releases/*", "releases/a/b"));
        assert!(policy_matches("releases/*/*", "releases/a/b"));
        assert!(policy_matches("releases/**", "releases/a/b"));
        assert!(policy_matches("**/v1", "v1"));
        assert!(policy_matches("**", "a/b/c"));
        assert!(!policy_matches("*", "a/b"));
        assert!(policy_matches("v[0-9]*", "v1.0"));
        assert!(!policy_matches("v[0-9]*", "va"));
        assert!(policy_matches("v[!a-z]*", "v1"));
        assert!(policy_matches("v?.0", "v1.0"));
        assert!(!policy_matches("v?.0", "v.0"));
        assert!(policy_matches(r"v\*", "v*"));
        assert!(!policy_matches(r"v\*", "v1"));
        assert!(policy_matches("v*.*.*", "v1.2.3"));
    }

    #[test]
    fn filter_examples() {
        assert!(examples_of_filter("v*").contains(&"v1.2.3".to_string()));
        assert_eq!(examples_of_filter("v1.0.0"), vec!["v1.0.0"; FILLERS.len()]);
        assert!(examples_of_filter("v[0-9]+.[0-9]+.[0-9]+").contains(&"v0.0.0".to_string()));
        assert!(examples_of_filter("!v*").is_empty());
        assert!(examples_of_filter("v[0-9").is_empty());
    }
}
