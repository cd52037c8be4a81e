//! `rules:`, `only:`/`except:` and `workflow: rules:`, and whether a job can
//! run in a merge request pipeline, with three values: yes, no, unknown.
//!
//! `rules:` are evaluated in order and the first that matches decides; a
//! job whose rules all fail is not added (`_index.md`, `rules`). Without
//! `rules:`, a job has `only: [branches, tags]` by default, which leaves
//! merge request pipelines out; only `merge_requests` in `only:` adds them
//! (`_index.md`, `only`/`except`). An `only:` with `variables:`, `changes:`
//! or `kubernetes:` and no `refs:` keeps those default refs
//! (`lib/gitlab/ci/config/entry/policy.rb`, `Policy#value` deep-merges the
//! default). With `workflow: rules`, a job without `rules:` or `only:` gets
//! no default `only:` and runs in every pipeline the workflow lets start
//! (`lib/gitlab/ci/config/entry/processable.rb`, `compose!`). In a merge request pipeline
//! `CI_PIPELINE_SOURCE` is `merge_request_event` and `CI_COMMIT_TAG` and
//! `CI_COMMIT_BRANCH` are not set (`doc/ci/variables/predefined_variables.md`).
//! Expressions (`doc/ci/jobs/job_rules.md`, "CI/CD variable expressions"):
//! `$VAR`, strings, `null`, `/regex/`, `==`, `!=`, `=~`, `!~`, `&&`, `||`,
//! parentheses.

use super::tree::{GNode, Located};
use super::{GitlabJob, GitlabPipeline};
use crate::diagnostic::Location;
pub use crate::tri::Tri;

/// One entry of `rules:`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub condition: Option<Located<String>>,
    pub when: Option<Located<String>>,
    /// `changes:` or `exists:`, which depend on the files of the commit.
    pub file_conditions: bool,
    pub location: Location,
}

impl Rule {
    fn runs(&self) -> bool {
        self.when.as_ref().is_none_or(|w| w.value.trim() != "never")
    }
}

/// Read a `rules:` list (nested lists from `!reference` are flattened).
pub fn read(node: &GNode) -> Vec<Rule> {
    node.flattened()
        .into_iter()
        .filter(|n| n.as_mapping().is_some())
        .map(|n| Rule {
            condition: n.get("if").and_then(GNode::located_str),
            when: n.get("when").and_then(GNode::located_str),
            file_conditions: n.get("changes").is_some() || n.get("exists").is_some(),
            location: n.location,
        })
        .collect()
}

/// Whether `job` can run in a merge request pipeline of `pipeline`.
pub fn runs_in_merge_request(pipeline: &GitlabPipeline, job: &GitlabJob) -> Tri {
    let workflow = match &pipeline.workflow_rules {
        Some(rules) => decide(rules),
        None => Tri::True,
    };
    let own = match &job.rules {
        Some(rules) => decide(rules),
        None => match (&job.only, &job.except) {
            (_, Some(except)) if has_merge_requests(&except.refs) && !except.complex => Tri::False,
            // `variables`, `changes` and `kubernetes` only narrow the refs,
            // which are `branches` and `tags` when `only:` leaves them out.
            (Some(only), _) if !has_merge_requests(&only.refs) => Tri::False,
            (Some(only), _) if only.complex => Tri::Unknown,
            (Some(_), _) => Tri::True,
            // With `workflow: rules`, a job without `rules:` or `only:` has no
            // default `only:` and runs in every pipeline the workflow starts.
            (None, None) if pipeline.workflow_rules.is_some() => Tri::True,
            (None, Some(_)) if pipeline.workflow_rules.is_some() => Tri::Unknown,
            (None, _) => Tri::False,
        },
    };
    workflow
        .and(own)
        .and(included_in_merge_request(pipeline, &job.name.value))
}

/// Whether the `include:` entries that define `job` can include it in a
/// merge request pipeline: some file defining the job's key is there, its
/// entry's `rules:` and those of the entries above it admitting it. Only
/// local files are read, so a job defined elsewhere too is not held back.
pub fn included_in_merge_request(pipeline: &GitlabPipeline, job: &str) -> Tri {
    if pipeline.includes.iter().all(|i| !i.conditional) {
        return Tri::True;
    }
    let mut memo: Vec<Option<Tri>> = vec![None; pipeline.includes.len()];
    let mut result = Tri::False;
    let mut defined = false;
    for (entry, keys) in &pipeline.defined_by {
        if !keys.iter().any(|k| k.as_str() == job) {
            continue;
        }
        defined = true;
        result = result.or(match entry {
            None => Tri::True,
            Some(entry) => entry_admits(pipeline, *entry, &mut memo, 0),
        });
        if result == Tri::True {
            break;
        }
    }
    if defined { result } else { Tri::True }
}

/// An include entry's own `rules:` in a merge request pipeline, and those
/// of the entries that included its file.
fn entry_admits(
    pipeline: &GitlabPipeline,
    entry: usize,
    memo: &mut Vec<Option<Tri>>,
    depth: usize,
) -> Tri {
    if let Some(known) = memo.get(entry).copied().flatten() {
        return known;
    }
    let Some(include) = pipeline.includes.get(entry) else {
        return Tri::Unknown;
    };
    if depth > super::MAX_INCLUDES {
        return Tri::Unknown;
    }
    let own = if include.conditional {
        decide(&include.rules)
    } else {
        Tri::True
    };
    let above = match include.parent {
        Some(parent) if own != Tri::False => entry_admits(pipeline, parent, memo, depth + 1),
        _ => Tri::True,
    };
    let admits = own.and(above);
    if let Some(slot) = memo.get_mut(entry) {
        *slot = Some(admits);
    }
    admits
}

fn has_merge_requests(refs: &[Located<String>]) -> bool {
    refs.iter().any(|r| r.value.trim() == "merge_requests")
}

/// The outcome of a rule list in a merge request pipeline: the first rule
/// that matches decides; rules whose match is unknown make both outcomes
/// possible.
fn decide(rules: &[Rule]) -> Tri {
    let (mut can_run, mut can_skip) = (false, false);
    for rule in rules {
        let mut matched = rule
            .condition
            .as_ref()
            .map_or(Tri::True, |c| evaluate(&c.value));
        if rule.file_conditions {
            matched = matched.and(Tri::Unknown);
        }
        match matched {
            Tri::False => continue,
            Tri::True | Tri::Unknown => {
                if rule.runs() {
                    can_run = true;
                } else {
                    can_skip = true;
                }
                if matched == Tri::True {
                    return outcome(can_run, can_skip);
                }
            }
        }
    }
    // No rule matched: not added.
    outcome(can_run, true)
}

fn outcome(can_run: bool, can_skip: bool) -> Tri {
    match (can_run, can_skip) {
        (true, false) => Tri::True,
        (false, _) => Tri::False,
        (true, true) => Tri::Unknown,
    }
}

/// A value in an expression, as known in a merge request pipeline.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Null,
    Str(String),
    /// Set to some non-empty value that is not known.
    Set,
    Unknown,
    Regex(String),
}

fn variable(name: &str) -> Val {
    match name {
        "CI_PIPELINE_SOURCE" => Val::Str("merge_request_event".into()),
        "CI_COMMIT_TAG" | "CI_COMMIT_BRANCH" | "CI_COMMIT_TAG_MESSAGE" => Val::Null,
        "CI_MERGE_REQUEST_ID"
        | "CI_MERGE_REQUEST_IID"
        | "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"
        | "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
        | "CI_MERGE_REQUEST_PROJECT_PATH"
        | "CI_DEFAULT_BRANCH"
        | "CI_PROJECT_PATH"
        | "CI_COMMIT_REF_NAME"
        | "CI_COMMIT_SHA" => Val::Set,
        _ => Val::Unknown,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Value(Val),
    Op(&'static str),
    Open,
    Close,
}

/// Most tokens read from one expression.
const MAX_TOKENS: usize = 512;

fn tokens(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if out.len() > MAX_TOKENS {
            return None;
        }
        let c = chars[i];
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '$' => {
                let braced = chars.get(i + 1) == Some(&'{');
                let start = i + 1 + usize::from(braced);
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                i = end + usize::from(braced && chars.get(end) == Some(&'}'));
                if name.is_empty() {
                    return None;
                }
                out.push(Token::Value(variable(&name)));
            }
            '"' | '\'' => {
                let end = chars[i + 1..].iter().position(|&x| x == c)? + i + 1;
                out.push(Token::Value(Val::Str(chars[i + 1..end].iter().collect())));
                i = end + 1;
            }
            '/' => {
                let mut end = i + 1;
                while end < chars.len() && chars[end] != '/' {
                    end += 1 + usize::from(chars[end] == '\\');
                }
                if end >= chars.len() {
                    return None;
                }
                let body: String = chars[i + 1..end].iter().collect();
                let mut flags_end = end + 1;
                while flags_end < chars.len() && chars[flags_end].is_ascii_alphabetic() {
                    flags_end += 1;
                }
                let flags: String = chars[end + 1..flags_end].iter().collect();
                let pattern = if flags.contains('i') {
                    format!("(?i){body}")
                } else {
                    body
                };
                out.push(Token::Value(Val::Regex(pattern)));
                i = flags_end;
            }
            _ if two == "==" || two == "!=" || two == "=~" || two == "!~" => {
                out.push(Token::Op(match two.as_str() {
                    "==" => "==",
                    "!=" => "!=",
                    "=~" => "=~",
                    _ => "!~",
                }));
                i += 2;
            }
            _ if two == "&&" || two == "||" => {
                out.push(Token::Op(if two == "&&" { "&&" } else { "||" }));
                i += 2;
            }
            _ => {
                let rest: String = chars[i..].iter().collect();
                if rest.starts_with("null") {
                    out.push(Token::Value(Val::Null));
                    i += 4;
                } else {
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// Evaluate a `rules:if` expression in a merge request pipeline.
pub fn evaluate(text: &str) -> Tri {
    let Some(tokens) = tokens(text) else {
        return Tri::Unknown;
    };
    let mut parser = ExprParser { tokens, at: 0 };
    match parser.or(0) {
        Some(value) if parser.at == parser.tokens.len() => value,
        _ => Tri::Unknown,
    }
}

struct ExprParser {
    tokens: Vec<Token>,
    at: usize,
}

/// Deepest parenthesis nesting read.
const MAX_PARENS: usize = 64;

impl ExprParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self, depth: usize) -> Option<Tri> {
        let mut value = self.and(depth)?;
        while self.peek() == Some(&Token::Op("||")) {
            self.at += 1;
            value = value.or(self.and(depth)?);
        }
        Some(value)
    }

    fn and(&mut self, depth: usize) -> Option<Tri> {
        let mut value = self.comparison(depth)?;
        while self.peek() == Some(&Token::Op("&&")) {
            self.at += 1;
            value = value.and(self.comparison(depth)?);
        }
        Some(value)
    }

    fn comparison(&mut self, depth: usize) -> Option<Tri> {
        if self.peek() == Some(&Token::Open) {
            if depth >= MAX_PARENS {
                return None;
            }
            self.at += 1;
            let value = self.or(depth + 1)?;
            if self.peek() != Some(&Token::Close) {
                return None;
            }
            self.at += 1;
            return Some(value);
        }
        let Some(Token::Value(left)) = self.peek().cloned() else {
            return None;
        };
        self.at += 1;
        let op = match self.peek() {
            Some(Token::Op(op)) if matches!(*op, "==" | "!=" | "=~" | "!~") => *op,
            _ => return Some(truthy(&left)),
        };
        self.at += 1;
        let Some(Token::Value(right)) = self.peek().cloned() else {
            return None;
        };
        self.at += 1;
        let result = match op {
            "==" => equals(&left, &right),
            "!=" => !equals(&left, &right),
            "=~" => matches(&left, &right),
            _ => !matches(&left, &right),
        };
        Some(result)
    }
}

fn truthy(value: &Val) -> Tri {
    match value {
        Val::Null => Tri::False,
        Val::Str(s) => Tri::from_bool(!s.is_empty()),
        Val::Set => Tri::True,
        Val::Unknown | Val::Regex(_) => Tri::Unknown,
    }
}

fn equals(left: &Val, right: &Val) -> Tri {
    match (left, right) {
        (Val::Unknown, _) | (_, Val::Unknown) | (Val::Regex(_), _) | (_, Val::Regex(_)) => {
            Tri::Unknown
        }
        (Val::Null, Val::Null) => Tri::True,
        (Val::Null, _) | (_, Val::Null) => Tri::False,
        (Val::Set, _) | (_, Val::Set) => Tri::Unknown,
        (Val::Str(a), Val::Str(b)) => Tri::from_bool(a == b),
    }
}

fn matches(left: &Val, right: &Val) -> Tri {
    let Val::Regex(pattern) = right else {
        return Tri::Unknown;
    };
    match left {
        Val::Null => Tri::False,
        Val::Str(text) => match regex::Regex::new(pattern) {
            Ok(re) => Tri::from_bool(re.is_match(text)),
            // Ruby syntax the regex crate does not read.
            Err(_) => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_know_the_merge_request_pipeline() {
        assert_eq!(
            evaluate(r#"$CI_PIPELINE_SOURCE == "merge_request_event""#),
            Tri::True
        );
        assert_eq!(evaluate(r#"$CI_PIPELINE_SOURCE == "push""#), Tri::False);
        assert_eq!(evaluate("$CI_COMMIT_TAG"), Tri::False);
        assert_eq!(evaluate("$CI_COMMIT_TAG =~ /^v\\d+/"), Tri::False);
        assert_eq!(evaluate("$CI_COMMIT_TAG != null"), Tri::False);
        assert_eq!(
            evaluate("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Tri::False
        );
        assert_eq!(evaluate("$CI_MERGE_REQUEST_IID"), Tri::True);
        assert_eq!(evaluate("$RELEASE == 'yes'"), Tri::Unknown);
        assert_eq!(
            evaluate(r#"$CI_PIPELINE_SOURCE =~ /^merge/ && ($X || $CI_COMMIT_TAG)"#),
            Tri::Unknown
        );
        assert_eq!(
            evaluate(r#"$CI_COMMIT_TAG || $CI_PIPELINE_SOURCE == "web""#),
            Tri::False
        );
        assert_eq!(evaluate(r#"$CI_PIPELINE_SOURCE =~ /MERGE/i"#), Tri::True);
        assert_eq!(evaluate("(((("), Tri::Unknown);
        assert_eq!(evaluate(&"(".repeat(10_000)), Tri::Unknown);
        assert_eq!(evaluate("$A == "), Tri::Unknown);
    }

    fn rule(condition: Option<&str>, when: Option<&str>) -> Rule {
        let location = Location::new(crate::source::FileId(0), crate::source::Span::empty(0));
        Rule {
            condition: condition.map(|c| Located::new(c.to_string(), location)),
            when: when.map(|w| Located::new(w.to_string(), location)),
            file_conditions: false,
            location,
        }
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let tag = rule(Some("$CI_COMMIT_TAG"), None);
        let mr = rule(
            Some(r#"$CI_PIPELINE_SOURCE == "merge_request_event""#),
            None,
        );
        let never = rule(
            Some(r#"$CI_PIPELINE_SOURCE == "merge_request_event""#),
            Some("never"),
        );
        let always = rule(None, Some("always"));
        let unknown = rule(Some("$DEPLOY"), None);
        assert_eq!(decide(std::slice::from_ref(&tag)), Tri::False);
        assert_eq!(decide(std::slice::from_ref(&mr)), Tri::True);
        assert_eq!(decide(&[never, always.clone()]), Tri::False);
        assert_eq!(decide(&[tag, always]), Tri::True);
        assert_eq!(decide(std::slice::from_ref(&unknown)), Tri::Unknown);
        assert_eq!(decide(&[unknown, mr]), Tri::True);
        assert_eq!(decide(&[]), Tri::False);
    }
}
