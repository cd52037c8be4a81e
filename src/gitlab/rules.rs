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

/// The kind of pipeline rules are evaluated in, with what tplint knows of
/// its predefined variables (`doc/ci/variables/predefined_variables.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineKind<'a> {
    /// A merge request pipeline: `CI_PIPELINE_SOURCE` is
    /// `merge_request_event`, no tag or branch variable is set.
    MergeRequest,
    /// A pipeline for a tag: `CI_COMMIT_TAG` is set, `CI_COMMIT_BRANCH`
    /// is not, the source is not a merge request.
    Tag,
    /// A pipeline for a branch: `CI_COMMIT_BRANCH` (and
    /// `CI_COMMIT_REF_NAME`) is its name, no tag is set.
    Branch(BranchName<'a>),
}

/// The branch of a branch pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchName<'a> {
    /// Any branch: its name is not known.
    Any,
    /// This branch.
    Named(&'a str),
    /// A branch whose name is none of those the expressions write.
    Unwritten,
}

/// Whether `job` can run in a merge request pipeline of `pipeline`.
pub fn runs_in_merge_request(pipeline: &GitlabPipeline, job: &GitlabJob) -> Tri {
    runs_in(pipeline, job, PipelineKind::MergeRequest)
}

/// Whether `job` can run in a pipeline of `kind`: `workflow:rules`, its
/// own `rules:` (or `only:`/`except:`) and the `include:` entries that
/// bring it in.
pub fn runs_in(pipeline: &GitlabPipeline, job: &GitlabJob, kind: PipelineKind<'_>) -> Tri {
    let workflow = match &pipeline.workflow_rules {
        Some(rules) => decide(rules, kind),
        None => Tri::True,
    };
    let own = match &job.rules {
        Some(rules) => decide(rules, kind),
        None if kind == PipelineKind::MergeRequest => match (&job.only, &job.except) {
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
        None => ref_policy_admits(job, kind),
    };
    workflow
        .and(own)
        .and(included_in(pipeline, &job.name.value, kind))
}

/// `only:`/`except:` in a tag or branch pipeline (`_index.md`, `only:refs`
/// / `except:refs`): without `only:`, `[branches, tags]`; `tags`,
/// `branches` and `merge_requests` name kinds of pipeline, other keywords
/// name sources tplint does not know, anything else is a ref name or a
/// `/regex/` matched against it.
fn ref_policy_admits(job: &GitlabJob, kind: PipelineKind<'_>) -> Tri {
    const SOURCES: &[&str] = &[
        "api",
        "chat",
        "external",
        "external_pull_requests",
        "pipelines",
        "pushes",
        "schedules",
        "triggers",
        "web",
    ];
    let entry = |value: &str| -> Tri {
        let value = value.trim();
        match (value, kind) {
            ("tags", PipelineKind::Tag) | ("branches", PipelineKind::Branch(_)) => Tri::True,
            ("tags" | "branches" | "merge_requests", _) => Tri::False,
            _ if SOURCES.contains(&value) || value.contains('@') => Tri::Unknown,
            (_, PipelineKind::Branch(BranchName::Named(name))) => {
                match value.strip_prefix('/').and_then(|v| v.rsplit_once('/')) {
                    Some((body, flags)) => {
                        let pattern = if flags.contains('i') {
                            format!("(?i){body}")
                        } else {
                            body.to_string()
                        };
                        matches(&Val::Str(name.to_string()), &Val::Regex(pattern))
                    }
                    None => Tri::from_bool(value == name),
                }
            }
            (_, PipelineKind::Branch(BranchName::Unwritten)) if !value.starts_with('/') => {
                Tri::False
            }
            _ => Tri::Unknown,
        }
    };
    let only = match &job.only {
        Some(only) if only.complex => Tri::Unknown,
        // Without `refs:`, `only:` keeps the default refs, branches and tags.
        Some(only) if only.refs.is_empty() => Tri::True,
        Some(only) => only
            .refs
            .iter()
            .fold(Tri::False, |acc, r| acc.or(entry(&r.value))),
        None => Tri::True,
    };
    let excepted = match &job.except {
        Some(except) if except.complex => Tri::Unknown,
        Some(except) => except
            .refs
            .iter()
            .fold(Tri::False, |acc, r| acc.or(entry(&r.value))),
        None => Tri::False,
    };
    only.and(!excepted)
}

/// The names a job's rules compare a branch with: the string literals of
/// `rules:if` (of the job and `workflow:rules`) and the ref names of
/// `only:`/`except:`, once each, in order.
pub fn written_names<'a>(pipeline: &'a GitlabPipeline, job: &'a GitlabJob) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    };
    let rules = job
        .rules
        .iter()
        .chain(pipeline.workflow_rules.iter())
        .flatten();
    for rule in rules {
        let Some(condition) = &rule.condition else {
            continue;
        };
        for token in tokens(&condition.value).unwrap_or_default() {
            if let Token::Value(Val::Str(text)) = token {
                add(text);
            }
        }
    }
    for policy in job.only.iter().chain(job.except.iter()) {
        for value in &policy.refs {
            let value = value.value.trim();
            if !value.starts_with('/') {
                add(value.to_string());
            }
        }
    }
    names
}

/// Whether the `include:` entries that define `job` can include it in a
/// merge request pipeline: some file defining the job's key is there, its
/// entry's `rules:` and those of the entries above it admitting it. Only
/// local files are read, so a job defined elsewhere too is not held back.
pub fn included_in_merge_request(pipeline: &GitlabPipeline, job: &str) -> Tri {
    included_in(pipeline, job, PipelineKind::MergeRequest)
}

/// Whether the `include:` entries that define `job` can include it in a
/// pipeline of `kind` (as [`included_in_merge_request`] does for merge
/// request pipelines).
fn included_in(pipeline: &GitlabPipeline, job: &str, kind: PipelineKind<'_>) -> Tri {
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
            Some(entry) => entry_admits(pipeline, *entry, kind, &mut memo, 0),
        });
        if result == Tri::True {
            break;
        }
    }
    if defined { result } else { Tri::True }
}

/// An include entry's own `rules:` in a pipeline of `kind`, and those of
/// the entries that included its file.
fn entry_admits(
    pipeline: &GitlabPipeline,
    entry: usize,
    kind: PipelineKind<'_>,
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
        decide(&include.rules, kind)
    } else {
        Tri::True
    };
    let above = match include.parent {
        Some(parent) if own != Tri::False => entry_admits(pipeline, parent, kind, memo, depth + 1),
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

/// The outcome of a rule list in a pipeline of `kind`: the first rule
/// that matches decides; rules whose match is unknown make both outcomes
/// possible.
fn decide(rules: &[Rule], kind: PipelineKind<'_>) -> Tri {
    let (mut can_run, mut can_skip) = (false, false);
    for rule in rules {
        let mut matched = rule
            .condition
            .as_ref()
            .map_or(Tri::True, |c| evaluate_in(&c.value, kind));
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

/// A value in an expression, as known in the pipeline evaluated.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Null,
    Str(String),
    /// Set to some non-empty value that is not known.
    Set,
    /// Set to a non-empty value that is not this string.
    Except(&'static str),
    /// Set to a non-empty value that is none of the strings written.
    Unwritten,
    Unknown,
    Regex(String),
}

const MERGE_REQUEST_VARIABLES: &[&str] = &[
    "CI_MERGE_REQUEST_ID",
    "CI_MERGE_REQUEST_IID",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_PROJECT_PATH",
];

fn variable(name: &str, kind: PipelineKind<'_>) -> Val {
    let always = matches!(
        name,
        "CI_DEFAULT_BRANCH" | "CI_PROJECT_PATH" | "CI_COMMIT_SHA"
    );
    match kind {
        PipelineKind::MergeRequest => match name {
            "CI_PIPELINE_SOURCE" => Val::Str("merge_request_event".into()),
            "CI_COMMIT_TAG" | "CI_COMMIT_BRANCH" | "CI_COMMIT_TAG_MESSAGE" => Val::Null,
            "CI_COMMIT_REF_NAME" => Val::Set,
            _ if always || MERGE_REQUEST_VARIABLES.contains(&name) => Val::Set,
            _ => Val::Unknown,
        },
        PipelineKind::Tag => match name {
            "CI_PIPELINE_SOURCE" => Val::Except("merge_request_event"),
            "CI_COMMIT_TAG" | "CI_COMMIT_REF_NAME" => Val::Set,
            "CI_COMMIT_BRANCH" => Val::Null,
            _ if MERGE_REQUEST_VARIABLES.contains(&name) => Val::Null,
            _ if always => Val::Set,
            _ => Val::Unknown,
        },
        PipelineKind::Branch(branch) => match name {
            "CI_PIPELINE_SOURCE" => Val::Except("merge_request_event"),
            "CI_COMMIT_BRANCH" | "CI_COMMIT_REF_NAME" => match branch {
                BranchName::Any => Val::Set,
                BranchName::Named(name) => Val::Str(name.to_string()),
                BranchName::Unwritten => Val::Unwritten,
            },
            "CI_COMMIT_TAG" | "CI_COMMIT_TAG_MESSAGE" => Val::Null,
            _ if MERGE_REQUEST_VARIABLES.contains(&name) => Val::Null,
            _ if always => Val::Set,
            _ => Val::Unknown,
        },
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
    tokens_in(text, PipelineKind::MergeRequest)
}

fn tokens_in(text: &str, kind: PipelineKind<'_>) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if out.len() > MAX_TOKENS {
            return None;
        }
        let c = chars[i];
        let two = (c, chars.get(i + 1).copied().unwrap_or_default());
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
                out.push(Token::Value(variable(&name, kind)));
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
            _ if matches!(two, ('=' | '!', '=' | '~') | ('&', '&') | ('|', '|')) => {
                out.push(Token::Op(match two {
                    ('=', '=') => "==",
                    ('!', '=') => "!=",
                    ('=', '~') => "=~",
                    ('!', '~') => "!~",
                    ('&', _) => "&&",
                    _ => "||",
                }));
                i += 2;
            }
            _ => {
                if chars[i..].starts_with(&['n', 'u', 'l', 'l']) {
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
    evaluate_in(text, PipelineKind::MergeRequest)
}

/// Evaluate a `rules:if` expression in a pipeline of `kind`.
pub fn evaluate_in(text: &str, kind: PipelineKind<'_>) -> Tri {
    let Some(tokens) = tokens_in(text, kind) else {
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
        Val::Set | Val::Except(_) | Val::Unwritten => Tri::True,
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
        (Val::Except(not), Val::Str(s)) | (Val::Str(s), Val::Except(not)) if s == not => Tri::False,
        // Empty strings are unset in GitLab's expressions; a written
        // string is not the unwritten value.
        (Val::Unwritten, Val::Str(_)) | (Val::Str(_), Val::Unwritten) => Tri::False,
        (Val::Str(a), Val::Str(b)) => Tri::from_bool(a == b),
        _ => Tri::Unknown,
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
        assert_eq!(
            decide(std::slice::from_ref(&tag), PipelineKind::MergeRequest),
            Tri::False
        );
        assert_eq!(
            decide(std::slice::from_ref(&mr), PipelineKind::MergeRequest),
            Tri::True
        );
        assert_eq!(
            decide(&[never, always.clone()], PipelineKind::MergeRequest),
            Tri::False
        );
        assert_eq!(
            decide(&[tag, always], PipelineKind::MergeRequest),
            Tri::True
        );
        assert_eq!(
            decide(std::slice::from_ref(&unknown), PipelineKind::MergeRequest),
            Tri::Unknown
        );
        assert_eq!(
            decide(&[unknown, mr], PipelineKind::MergeRequest),
            Tri::True
        );
        assert_eq!(decide(&[], PipelineKind::MergeRequest), Tri::False);
    }

    #[test]
    fn tag_and_branch_pipelines_are_evaluated_apart() {
        let tag = PipelineKind::Tag;
        let main = PipelineKind::Branch(BranchName::Named("main"));
        let other = PipelineKind::Branch(BranchName::Unwritten);
        let any = PipelineKind::Branch(BranchName::Any);
        assert_eq!(evaluate_in("$CI_COMMIT_TAG", tag), Tri::True);
        assert_eq!(evaluate_in("$CI_COMMIT_TAG", main), Tri::False);
        assert_eq!(
            evaluate_in("$CI_COMMIT_BRANCH == \"main\"", main),
            Tri::True
        );
        assert_eq!(
            evaluate_in("$CI_COMMIT_BRANCH == \"main\"", other),
            Tri::False
        );
        assert_eq!(
            evaluate_in("$CI_COMMIT_BRANCH == \"main\"", any),
            Tri::Unknown
        );
        assert_eq!(evaluate_in("$CI_COMMIT_REF_NAME =~ /^ma/", main), Tri::True);
        assert_eq!(
            evaluate_in("$CI_COMMIT_REF_NAME =~ /^ma/", other),
            Tri::Unknown
        );
        assert_eq!(
            evaluate_in("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", other),
            Tri::Unknown
        );
        // Not a merge request, but which other source is not known.
        let mr = "$CI_PIPELINE_SOURCE == \"merge_request_event\"";
        assert_eq!(evaluate_in(mr, tag), Tri::False);
        assert_eq!(
            evaluate_in("$CI_PIPELINE_SOURCE == \"push\"", main),
            Tri::Unknown
        );
        assert_eq!(evaluate_in("$CI_MERGE_REQUEST_IID", main), Tri::False);
    }
}
