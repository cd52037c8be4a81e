//! Job and step `if:` conditions, read with GitHub's expression grammar and
//! evaluated with three values (true, false, unknown) for the runs of one
//! trigger event. Rules ask two questions of them: does an event reach a
//! job or step ([`reaches`], [`JobsReached`]), and can two steps of a job
//! run in the same run ([`together`], [`mutually_exclusive`]). An unknown
//! answer names the term that made it unknown, for messages.
//!
//! What an event implies about the `github` context (its ref, ref type,
//! activity type, ...) lives in [`Event`]; everything else (`needs`,
//! `inputs`, `vars`, `secrets`, `env`, `steps`, `matrix`, most of
//! `github.event`) is unknown. Status functions follow GitHub: a condition
//! without one is `success() && (condition)`; `success()` holds when the
//! jobs in `needs` ran (runs are assumed to succeed), `always()` always,
//! `cancelled()` never (only people with write access can cancel a run),
//! and `failure()` is unknown (a pull request can make a build fail).
//!
//! Work is bounded: conditions longer than [`MAX_CONDITION_BYTES`] are not
//! read, evaluation stops at [`MAX_DEPTH`] levels, and the case split of
//! [`together`] has a fixed budget. A bound that is hit gives "unknown".

use std::collections::HashMap;

use github_actions_expressions::call::{Call, Function};
use github_actions_expressions::context::Context as ContextExpr;
use github_actions_expressions::literal::Literal;
use github_actions_expressions::op::{BinOp, UnOp};
use github_actions_expressions::{Evaluation, Expr, SpannedExpr};

pub use crate::tri::Tri;
use crate::workflow::{Job, Trigger, Workflow};
use crate::yaml::Node;

/// Longer conditions are not read (machine-made ones could make every
/// question about them slow); real ones are a few hundred bytes.
pub const MAX_CONDITION_BYTES: usize = 4096;
/// Deeper expressions are unknown. The parser limits nesting by recursion,
/// but a chain like `a || b || c ...` nests one level per operator.
pub const MAX_DEPTH: usize = 128;
/// Conditions longer than this are not case-split by [`together`].
const MAX_SPLIT_BYTES: usize = 1024;
/// Evaluations one [`together`] question may spend on case splits.
const SPLIT_BUDGET: usize = 1024;
/// Most combinations of context values one case split enumerates.
const MAX_WORLDS: usize = 64;
/// Most trigger events [`together`] considers.
const MAX_EVENTS: usize = 64;
/// Stands for "some other characters" inside an enumerated value; no
/// literal of a condition that is case-split contains it.
const SENTINEL: char = '\u{0}';

/// A three-valued answer; when unknown, the term that made it so (a
/// context such as `inputs.publish`, a function such as `failure()`, or a
/// description of what could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub value: Tri,
    pub term: Option<String>,
}

impl Verdict {
    pub const TRUE: Verdict = Verdict {
        value: Tri::True,
        term: None,
    };
    pub const FALSE: Verdict = Verdict {
        value: Tri::False,
        term: None,
    };

    pub fn unknown(term: impl Into<String>) -> Verdict {
        Verdict {
            value: Tri::Unknown,
            term: Some(term.into()),
        }
    }

    pub fn from_bool(value: bool) -> Verdict {
        if value { Verdict::TRUE } else { Verdict::FALSE }
    }

    pub fn is_true(&self) -> bool {
        self.value == Tri::True
    }

    pub fn is_false(&self) -> bool {
        self.value == Tri::False
    }

    /// Both hold.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self.value, other.value) {
            (Tri::False, _) | (_, Tri::False) => Verdict::FALSE,
            (Tri::True, Tri::True) => Verdict::TRUE,
            (Tri::Unknown, _) => self,
            (_, Tri::Unknown) => other,
        }
    }

    /// Either holds.
    pub fn or(self, other: Verdict) -> Verdict {
        match (self.value, other.value) {
            (Tri::True, _) | (_, Tri::True) => Verdict::TRUE,
            (Tri::False, Tri::False) => Verdict::FALSE,
            (Tri::Unknown, _) => self,
            (_, Tri::Unknown) => other,
        }
    }
}

impl std::ops::Not for Verdict {
    type Output = Verdict;

    fn not(self) -> Verdict {
        match self.value {
            Tri::True => Verdict::FALSE,
            Tri::False => Verdict::TRUE,
            Tri::Unknown => self,
        }
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// One possible form of a string: known exactly, or known to start and end
/// with some text. Texts are kept case-folded: GitHub compares strings
/// without regard to case.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Exact(String),
    Affix {
        prefix: String,
        suffix: String,
    },
    /// Some text, then one or more digits, then more text: a pull
    /// request's `refs/pull/N/merge`.
    Number {
        prefix: String,
        suffix: String,
    },
}

impl Shape {
    fn exact(text: &str) -> Shape {
        Shape::Exact(fold(text))
    }

    fn affix(prefix: &str, suffix: &str) -> Shape {
        Shape::Affix {
            prefix: fold(prefix),
            suffix: fold(suffix),
        }
    }

    fn any() -> Shape {
        Shape::affix("", "")
    }

    fn number(prefix: &str, suffix: &str) -> Shape {
        Shape::Number {
            prefix: fold(prefix),
            suffix: fold(suffix),
        }
    }

    /// Whether a string of this shape may equal `text` (folded).
    fn may_equal(&self, text: &str) -> Tri {
        match self {
            Shape::Exact(value) => Tri::from_bool(value == text),
            Shape::Affix { prefix, suffix } => {
                if text.len() >= prefix.len() + suffix.len()
                    && text.starts_with(prefix.as_str())
                    && text.ends_with(suffix.as_str())
                {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            }
            Shape::Number { prefix, suffix } => {
                let digits = text
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.strip_suffix(suffix.as_str()));
                match digits {
                    Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => {
                        Tri::Unknown
                    }
                    _ => Tri::False,
                }
            }
        }
    }

    fn starts_with(&self, text: &str) -> Tri {
        match self {
            Shape::Number { prefix, .. } if prefix.starts_with(text) => Tri::True,
            Shape::Number { prefix, suffix } => match text.strip_prefix(prefix.as_str()) {
                // Some digits, then perhaps the start of the suffix.
                Some(rest) => {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    let after = &rest[digits..];
                    if digits == rest.len() || (digits > 0 && suffix.starts_with(after)) {
                        Tri::Unknown
                    } else {
                        Tri::False
                    }
                }
                None => Tri::False,
            },
            Shape::Exact(value) => Tri::from_bool(value.starts_with(text)),
            Shape::Affix { prefix, .. } if prefix.starts_with(text) => Tri::True,
            Shape::Affix { prefix, .. } if text.starts_with(prefix.as_str()) => Tri::Unknown,
            Shape::Affix { .. } => Tri::False,
        }
    }

    fn ends_with(&self, text: &str) -> Tri {
        match self {
            Shape::Number { suffix, .. } if suffix.ends_with(text) => Tri::True,
            Shape::Number { prefix, suffix } => match text.strip_suffix(suffix.as_str()) {
                // Perhaps the end of the prefix, then some digits.
                Some(rest) => {
                    let digits = rest.bytes().rev().take_while(u8::is_ascii_digit).count();
                    let before = &rest[..rest.len() - digits];
                    if digits == rest.len() || (digits > 0 && prefix.ends_with(before)) {
                        Tri::Unknown
                    } else {
                        Tri::False
                    }
                }
                None => Tri::False,
            },
            Shape::Exact(value) => Tri::from_bool(value.ends_with(text)),
            Shape::Affix { suffix, .. } if suffix.ends_with(text) => Tri::True,
            Shape::Affix { suffix, .. } if text.ends_with(suffix.as_str()) => Tri::Unknown,
            Shape::Affix { .. } => Tri::False,
        }
    }

    fn contains(&self, text: &str) -> Tri {
        match self {
            Shape::Exact(value) => Tri::from_bool(value.contains(text)),
            Shape::Affix { prefix, suffix } if prefix.contains(text) || suffix.contains(text) => {
                Tri::True
            }
            Shape::Affix { .. } => Tri::Unknown,
            Shape::Number { prefix, suffix } => {
                if prefix.contains(text) || suffix.contains(text) {
                    Tri::True
                } else if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || prefix.contains(c) || suffix.contains(c))
                {
                    Tri::Unknown
                } else {
                    // A character the string cannot hold.
                    Tri::False
                }
            }
        }
    }

    fn truthy(&self) -> Tri {
        match self {
            Shape::Exact(value) => Tri::from_bool(!value.is_empty()),
            Shape::Number { .. } => Tri::True,
            Shape::Affix { prefix, suffix } if !prefix.is_empty() || !suffix.is_empty() => {
                Tri::True
            }
            Shape::Affix { .. } => Tri::Unknown,
        }
    }

    /// Whether two shapes can describe the same string.
    fn may_equal_shape(&self, other: &Shape) -> Tri {
        match (self, other) {
            (Shape::Exact(a), _) => other.may_equal(a),
            (_, Shape::Exact(b)) => self.may_equal(b),
            (
                Shape::Affix {
                    prefix: p1,
                    suffix: s1,
                }
                | Shape::Number {
                    prefix: p1,
                    suffix: s1,
                },
                Shape::Affix {
                    prefix: p2,
                    suffix: s2,
                }
                | Shape::Number {
                    prefix: p2,
                    suffix: s2,
                },
            ) => {
                let prefixes = p1.starts_with(p2.as_str()) || p2.starts_with(p1.as_str());
                let suffixes = s1.ends_with(s2.as_str()) || s2.ends_with(s1.as_str());
                if prefixes && suffixes {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            }
        }
    }
}

/// GitHub's case-insensitive comparisons fold to upper case.
fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_uppercase).collect()
}

/// Combine the per-shape answers of a string that may have several shapes.
fn over_shapes(shapes: &[Shape], term: &str, test: impl Fn(&Shape) -> Tri) -> Verdict {
    let mut all_true = true;
    let mut all_false = true;
    for shape in shapes {
        match test(shape) {
            Tri::True => all_false = false,
            Tri::False => all_true = false,
            Tri::Unknown => {
                all_true = false;
                all_false = false;
            }
        }
    }
    match (all_true, all_false) {
        (true, _) => Verdict::TRUE,
        (_, true) => Verdict::FALSE,
        _ => Verdict::unknown(term),
    }
}

#[derive(Clone, Debug)]
enum Value {
    /// A string of one of these shapes; `term` names where it came from.
    Str {
        shapes: Vec<Shape>,
        term: String,
    },
    Bool(bool),
    Num(f64),
    Null,
    Array(Vec<Value>),
    /// Nothing is known of the value, except perhaps its truthiness.
    Opaque {
        truth: Tri,
        term: String,
    },
}

impl Value {
    fn string(text: &str) -> Value {
        Value::Str {
            shapes: vec![Shape::exact(text)],
            term: text.to_string(),
        }
    }

    fn opaque(term: impl Into<String>) -> Value {
        Value::Opaque {
            truth: Tri::Unknown,
            term: term.into(),
        }
    }

    fn from_verdict(verdict: Verdict) -> Value {
        match verdict.value {
            Tri::True => Value::Bool(true),
            Tri::False => Value::Bool(false),
            Tri::Unknown => Value::opaque(verdict.term.unwrap_or_default()),
        }
    }

    fn truthy(&self) -> Verdict {
        match self {
            Value::Str { shapes, term } => over_shapes(shapes, term, Shape::truthy),
            Value::Bool(b) => Verdict::from_bool(*b),
            Value::Num(n) => Verdict::from_bool(*n != 0.0 && !n.is_nan()),
            Value::Null => Verdict::FALSE,
            Value::Array(_) => Verdict::TRUE,
            Value::Opaque { truth, term } => Verdict {
                value: *truth,
                term: (*truth == Tri::Unknown).then(|| term.clone()),
            },
        }
    }

    /// The value as GitHub's own evaluation type, when it is fully known
    /// and a scalar.
    fn concrete(&self) -> Option<Evaluation> {
        match self {
            Value::Str { shapes, .. } => match shapes.as_slice() {
                [Shape::Exact(text)] => Some(Evaluation::String(text.clone())),
                _ => None,
            },
            Value::Bool(b) => Some(Evaluation::Boolean(*b)),
            Value::Num(n) => Some(Evaluation::Number(*n)),
            Value::Null => Some(Evaluation::Null),
            Value::Array(_) | Value::Opaque { .. } => None,
        }
    }

    /// The term that leaves this value unknown.
    fn term(&self) -> String {
        match self {
            Value::Str { term, .. } | Value::Opaque { term, .. } => term.clone(),
            _ => String::new(),
        }
    }

    /// The value converted to a string as the string functions do: known
    /// shapes for strings, and the text of booleans and null.
    fn as_text(&self) -> Option<(Vec<Shape>, String)> {
        match self {
            Value::Str { shapes, term } => Some((shapes.clone(), term.clone())),
            Value::Bool(b) => Some((vec![Shape::exact(&b.to_string())], String::new())),
            Value::Null => Some((vec![Shape::exact("")], String::new())),
            Value::Num(_) | Value::Array(_) | Value::Opaque { .. } => None,
        }
    }

    /// A fully known string (folded), for the second argument of the
    /// string functions.
    fn exact_text(&self) -> Option<String> {
        match self.as_text()?.0.as_slice() {
            [Shape::Exact(text)] => Some(text.clone()),
            _ => None,
        }
    }
}

fn equals(left: &Value, right: &Value) -> Verdict {
    if let (Some(a), Some(b)) = (left.concrete(), right.concrete()) {
        return Verdict::from_bool(a.sema() == b.sema());
    }
    match (left, right) {
        (
            Value::Str {
                shapes: a,
                term: ta,
            },
            Value::Str {
                shapes: b,
                term: tb,
            },
        ) => {
            // Named by the side that is not one literal text.
            let term = if matches!(a.as_slice(), [Shape::Exact(_)]) {
                tb
            } else {
                ta
            };
            let mut all_true = true;
            let mut all_false = true;
            for x in a {
                for y in b {
                    match x.may_equal_shape(y) {
                        Tri::True => all_false = false,
                        Tri::False => all_true = false,
                        Tri::Unknown => {
                            all_true = false;
                            all_false = false;
                        }
                    }
                }
            }
            match (all_true, all_false) {
                (true, _) => Verdict::TRUE,
                (_, true) => Verdict::FALSE,
                _ => Verdict::unknown(term.clone()),
            }
        }
        (Value::Opaque { term, .. }, _) | (_, Value::Opaque { term, .. }) => {
            Verdict::unknown(term.clone())
        }
        _ => {
            let term = if left.concrete().is_none() {
                left.term()
            } else {
                right.term()
            };
            Verdict::unknown(term)
        }
    }
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// What GitHub sets in the `github` context for the runs of one trigger
/// event. Facts from GitHub's "Events that trigger workflows" (the
/// `GITHUB_REF` of each event, default activity types) and "Workflow
/// syntax" (`branches`/`tags` filters) documentation.
#[derive(Clone, Debug)]
pub struct Event {
    name: Option<String>,
    /// Known values, by lower-case dotted path.
    values: Vec<(&'static str, Value)>,
    /// In a called workflow, the `inputs` its caller's `with:` and the
    /// inputs' defaults give (lower-case names); others stay unknown.
    inputs: Vec<(String, Value)>,
}

/// The refs a run can have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Branch,
    Tag,
}

impl Event {
    /// A run of unknown origin: a reusable workflow seen without its caller.
    /// Only the types of the `github` strings are known.
    pub fn any() -> Event {
        let any = |term: &str| Value::Str {
            shapes: vec![Shape::any()],
            term: term.to_string(),
        };
        Event {
            name: None,
            values: vec![
                ("github.event_name", any("github.event_name")),
                ("github.ref", any("github.ref")),
                ("github.ref_type", any("github.ref_type")),
                ("github.head_ref", any("github.head_ref")),
                ("github.base_ref", any("github.base_ref")),
            ],
            inputs: Vec::new(),
        }
    }

    /// The event name, when known.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The runs one trigger of `on:` can start. A push without filters is
    /// two events, one for branches and one for tags, so that `github.ref`
    /// and `github.ref_type` stay consistent with each other.
    pub fn from_trigger(trigger: &Trigger) -> Vec<Event> {
        Self::build(trigger, false)
    }

    /// Like [`Event::from_trigger`], for the runs that make the event
    /// untrusted: a `workflow_run` is assumed to follow a run started from a
    /// pull request or comment (`github.event.workflow_run.event`).
    pub fn from_untrusted_trigger(trigger: &Trigger) -> Vec<Event> {
        Self::build(trigger, true)
    }

    fn build(trigger: &Trigger, untrusted: bool) -> Vec<Event> {
        let name = trigger.event.value.as_str();
        let config = trigger.config.as_ref();
        let types = activity_types(config);
        // (ref kinds, ref shapes for each kind)
        let heads = || vec![Shape::affix("refs/heads/", "")];
        let tags = || vec![Shape::affix("refs/tags/", "")];
        let action: Option<Value>;
        let mut upstream: Option<Value> = Some(Value::Null);
        let mut pull_request = false;
        // `github.event.pull_request.merged`, where known.
        let mut merged: Option<Value> = None;
        // `github.event.workflow`: the dispatched file's path, or the
        // workflow object of a `workflow_run`; absent from other events.
        let mut workflow_field = Value::Null;
        // `github.event.comment.author_association`, where known.
        let mut commenter: Option<Value> = None;
        let runs: Vec<(RefKind, Vec<Shape>)> = match name {
            "push" => {
                let has = |key: &str| config.and_then(|c| c.get(key)).is_some();
                let branches = has("branches") || has("branches-ignore");
                let tag_filters = has("tags") || has("tags-ignore");
                action = Some(Value::Null);
                let branch_refs =
                    || ref_filter(config, "branches", "refs/heads/").unwrap_or_else(heads);
                let tag_refs = || ref_filter(config, "tags", "refs/tags/").unwrap_or_else(tags);
                match (branches, tag_filters) {
                    // Only one kind of filter: the other kind of ref never runs it.
                    (true, false) => vec![(RefKind::Branch, branch_refs())],
                    (false, true) => vec![(RefKind::Tag, tag_refs())],
                    _ => vec![(RefKind::Branch, branch_refs()), (RefKind::Tag, tag_refs())],
                }
            }
            "pull_request" | "pull_request_target" => {
                pull_request = true;
                let types = types.unwrap_or_else(|| {
                    ["opened", "synchronize", "reopened"]
                        .map(String::from)
                        .to_vec()
                });
                let closes = types.iter().any(|t| t == "closed");
                // A merged pull request's code was merged by a maintainer:
                // the runs on untrusted code are those of unmerged ones.
                if untrusted || !closes {
                    merged = Some(Value::Bool(false));
                }
                action = Some(one_of("github.event.action", &types));
                let shapes = if name == "pull_request_target" {
                    // The base branch.
                    heads()
                } else if closes {
                    // The merge branch, or for a merged pull request its branch.
                    vec![Shape::number("refs/pull/", "/merge"), heads()[0].clone()]
                } else {
                    vec![Shape::number("refs/pull/", "/merge")]
                };
                vec![(RefKind::Branch, shapes)]
            }
            "release" => {
                action = Some(activity(types));
                vec![(RefKind::Tag, tags())]
            }
            "workflow_run" => {
                action = Some(activity(types));
                workflow_field = Value::Opaque {
                    truth: Tri::True,
                    term: "github.event.workflow".to_string(),
                };
                upstream = untrusted.then(|| {
                    one_of(
                        "github.event.workflow_run.event",
                        &crate::facts::triggers::UNTRUSTED_TRIGGERS
                            .iter()
                            .map(|t| t.event.to_string())
                            .filter(|e| e != "workflow_run")
                            .collect::<Vec<_>>(),
                    )
                });
                vec![(RefKind::Branch, heads())]
            }
            "issue_comment" => {
                action = Some(activity(types));
                // The untrusted runs are those of comments by people with
                // no standing in the repository.
                if untrusted {
                    commenter = Some(one_of(
                        "github.event.comment.author_association",
                        &OUTSIDE_ASSOCIATIONS.map(String::from),
                    ));
                }
                vec![(RefKind::Branch, heads())]
            }
            "schedule" => {
                action = Some(Value::Null);
                vec![(RefKind::Branch, heads())]
            }
            "workflow_dispatch" => {
                action = Some(Value::Null);
                workflow_field = Value::Opaque {
                    truth: Tri::True,
                    term: "github.event.workflow".to_string(),
                };
                vec![(RefKind::Branch, heads()), (RefKind::Tag, tags())]
            }
            _ => return vec![Event::any_named(name)],
        };
        runs.into_iter()
            .map(|(kind, refs)| {
                let ref_names: Vec<Shape> = refs.iter().map(ref_name).collect();
                let mut values = vec![
                    ("github.event_name", Value::string(name)),
                    (
                        "github.ref",
                        Value::Str {
                            shapes: refs,
                            term: "github.ref".to_string(),
                        },
                    ),
                    (
                        "github.ref_name",
                        Value::Str {
                            shapes: ref_names,
                            term: "github.ref_name".to_string(),
                        },
                    ),
                    (
                        "github.ref_type",
                        Value::string(match kind {
                            RefKind::Branch => "branch",
                            RefKind::Tag => "tag",
                        }),
                    ),
                    ("github.event.workflow", workflow_field.clone()),
                ];
                if let Some(action) = &action {
                    values.push(("github.event.action", action.clone()));
                }
                if let Some(upstream) = &upstream {
                    values.push(("github.event.workflow_run.event", upstream.clone()));
                }
                if let Some(commenter) = &commenter {
                    values.push(("github.event.comment.author_association", commenter.clone()));
                    // On a locked conversation only people with write
                    // access, owners and collaborators can comment
                    // (docs.github.com, "Locking conversations"), so an
                    // untrusted comment is on an unlocked one.
                    values.push(("github.event.issue.locked", Value::Bool(false)));
                }
                if pull_request {
                    for key in ["github.head_ref", "github.base_ref"] {
                        values.push((
                            key,
                            Value::Opaque {
                                truth: Tri::True,
                                term: key.to_string(),
                            },
                        ));
                    }
                    values.push((
                        "github.event.pull_request",
                        Value::Opaque {
                            truth: Tri::True,
                            term: "github.event.pull_request".to_string(),
                        },
                    ));
                    if let Some(merged) = &merged {
                        values.push(("github.event.pull_request.merged", merged.clone()));
                    }
                } else {
                    // Only pull request events carry one.
                    values.push(("github.event.pull_request", Value::Null));
                }
                Event {
                    name: Some(name.to_string()),
                    values,
                    inputs: Vec::new(),
                }
            })
            .collect()
    }

    /// An event whose name is all that is known.
    fn any_named(name: &str) -> Event {
        let mut event = Event::any();
        event.name = Some(name.to_string());
        event.values.retain(|(key, _)| *key != "github.event_name");
        event
            .values
            .push(("github.event_name", Value::string(name)));
        event
    }

    /// Tells runs apart by the inputs bound in them (empty when none are).
    pub fn inputs_key(&self) -> String {
        if self.inputs.is_empty() {
            String::new()
        } else {
            format!("{:?}", self.inputs)
        }
    }

    /// Leave every input unknown.
    pub fn forget_inputs(&mut self) {
        self.inputs.clear();
    }

    fn lookup(&self, key: &str) -> Option<&Value> {
        if let Some(name) = key.strip_prefix("inputs.") {
            return self.inputs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        }
        if let Some((_, value)) = self.values.iter().find(|(k, _)| *k == key) {
            return Some(value);
        }
        // A property of something the event does not carry is null.
        key.match_indices('.')
            .map(|(at, _)| &key[..at])
            .find_map(|prefix| {
                self.values
                    .iter()
                    .find(|(k, v)| *k == prefix && matches!(v, Value::Null))
            })
            .map(|(_, v)| v)
    }
}

/// `types:` of a trigger, when it is a literal list.
fn activity_types(config: Option<&Node>) -> Option<Vec<String>> {
    let node = config?.get("types")?;
    let items: Vec<&Node> = match node.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    let types: Option<Vec<String>> = items
        .iter()
        .map(|n| {
            n.as_str()
                .filter(|t| !t.is_empty() && !crate::workflow::is_expression(t))
                .map(str::to_string)
        })
        .collect();
    types.filter(|t| !t.is_empty())
}

/// `github.event.action` of an event with activity types: one of those
/// listed, or (all types by default) some string.
fn activity(types: Option<Vec<String>>) -> Value {
    match types {
        Some(types) => one_of("github.event.action", &types),
        None => Value::Str {
            shapes: vec![Shape::any()],
            term: "github.event.action".to_string(),
        },
    }
}

/// The refs a `push` filter (`branches:` or `tags:`) lets through, when it
/// is a list of names and patterns: a name is that ref, a pattern the
/// text before its first and after its last wildcard (GitHub's filter
/// pattern characters `* ? + [ ]`). Negated patterns only exclude refs, so
/// they are passed over. `None` when nothing is known.
fn ref_filter(config: Option<&Node>, key: &str, base: &str) -> Option<Vec<Shape>> {
    let node = config?.get(key)?;
    let items: Vec<&Node> = match node.as_sequence() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    let mut shapes = Vec::new();
    for item in items {
        let pattern = item.as_str()?;
        if pattern.starts_with('!') {
            continue;
        }
        if crate::workflow::is_expression(pattern) || pattern.contains('\\') {
            return None;
        }
        let wild = |c: char| matches!(c, '*' | '?' | '+' | '[' | ']');
        match (pattern.find(wild), pattern.rfind(wild)) {
            (Some(first), Some(last)) => shapes.push(Shape::affix(
                &format!("{base}{}", &pattern[..first]),
                &pattern[last + 1..],
            )),
            _ => shapes.push(Shape::exact(&format!("{base}{pattern}"))),
        }
    }
    (!shapes.is_empty()).then_some(shapes)
}

/// `github.ref_name` for a ref of this shape: the ref without
/// `refs/heads/` or `refs/tags/`; for a pull request, `N/merge`.
fn ref_name(shape: &Shape) -> Shape {
    const BASES: [&str; 3] = ["REFS/HEADS/", "REFS/TAGS/", "REFS/PULL/"];
    let strip = |text: &str| {
        BASES
            .iter()
            .find_map(|b| text.strip_prefix(b))
            .map(str::to_string)
    };
    match shape {
        Shape::Exact(text) => strip(text).map_or_else(Shape::any, Shape::Exact),
        Shape::Affix { prefix, suffix } => match strip(prefix) {
            Some(prefix) => Shape::Affix {
                prefix,
                suffix: suffix.clone(),
            },
            None => Shape::any(),
        },
        Shape::Number { prefix, suffix } => match strip(prefix) {
            Some(prefix) => Shape::Number {
                prefix,
                suffix: suffix.clone(),
            },
            None => Shape::any(),
        },
    }
}

/// The `author_association` values of a comment's author with no standing
/// in the repository: not its owner, a member of its organisation or a
/// collaborator (docs.github.com REST API, "author_association": COLLABORATOR,
/// CONTRIBUTOR, FIRST_TIMER, FIRST_TIME_CONTRIBUTOR, MANNEQUIN, MEMBER,
/// NONE, OWNER).
const OUTSIDE_ASSOCIATIONS: [&str; 5] = [
    "CONTRIBUTOR",
    "FIRST_TIMER",
    "FIRST_TIME_CONTRIBUTOR",
    "MANNEQUIN",
    "NONE",
];

fn one_of(term: &str, texts: &[String]) -> Value {
    Value::Str {
        shapes: texts.iter().map(|t| Shape::exact(t)).collect(),
        term: term.to_string(),
    }
}

/// The runs each trigger of a workflow can start; a workflow without
/// triggers (or only called by others) gets one run of unknown origin.
pub fn events(workflow: &Workflow) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for trigger in &workflow.triggers {
        if trigger.event.value == "workflow_call" {
            events.push(Event::any());
        } else {
            events.extend(Event::from_trigger(trigger));
        }
    }
    if events.is_empty() {
        events.push(Event::any());
    }
    events
}

/// Contexts that are always strings (perhaps empty) although their value
/// is unknown; comparing them with literals can be case-split.
fn string_typed(key: &str) -> bool {
    const GITHUB: &[&str] = &[
        "github.event_name",
        "github.ref",
        "github.ref_name",
        "github.ref_type",
        "github.head_ref",
        "github.base_ref",
        "github.repository",
        "github.repository_owner",
        "github.actor",
        "github.triggering_actor",
        "github.workflow",
        "github.job",
        "github.sha",
    ];
    let parts: Vec<&str> = key.split('.').collect();
    GITHUB.contains(&key)
        || matches!(parts.as_slice(), ["vars" | "secrets" | "env", _])
        || matches!(parts.as_slice(), ["needs" | "steps", _, "outputs", _])
        || matches!(parts.as_slice(), ["needs", _, "result"])
        || matches!(parts.as_slice(), ["steps", _, "outcome" | "conclusion"])
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// A term a verdict depends on, quoted for a message: in backticks, unless
/// it is the description of a text tplint could not read, which quotes the
/// text itself (`` `x` (not an expression tplint can read) ``).
pub fn quoted_term(term: &str) -> String {
    if term.starts_with('`') {
        term.to_string()
    } else {
        format!("`{term}`")
    }
}

/// A parsed `if:` condition.
pub struct Condition<'a> {
    text: &'a str,
    expr: Result<SpannedExpr<'a>, String>,
}

impl<'a> Condition<'a> {
    /// Read an `if:` value, with or without `${{ }}` around it.
    pub fn parse(text: &'a str) -> Condition<'a> {
        let expr = if text.len() > MAX_CONDITION_BYTES {
            Err("a condition too long to read".to_string())
        } else {
            match expression_text(text) {
                Some(inner) => Expr::parse(inner)
                    .map_err(|_| format!("`{}` (not an expression tplint can read)", text.trim())),
                None => Err(format!("`{}` (text mixed with `${{{{ }}}}`)", text.trim())),
            }
        };
        Condition { text, expr }
    }

    /// Whether it calls `success()`, `always()`, `failure()` or
    /// `cancelled()`; without one, GitHub adds `success() &&`.
    fn has_status_function(&self) -> bool {
        match &self.expr {
            Ok(expr) => mentions_status(expr, 0),
            // Unreadable: look for the names, so that a job is never
            // wrongly taken as skipped with its dependencies.
            Err(_) => {
                let lower = self.text.to_ascii_lowercase();
                ["always(", "failure(", "cancelled(", "success("]
                    .iter()
                    .any(|f| lower.contains(f))
            }
        }
    }
}

/// The expression inside an `if:`: the whole text, or what one `${{ }}`
/// around all of it holds. `None` for text mixed with `${{ }}`.
fn expression_text(text: &str) -> Option<&str> {
    let text = text.trim();
    match text
        .strip_prefix("${{")
        .and_then(|rest| rest.strip_suffix("}}"))
    {
        Some(inner) if !inner.contains("${{") && !inner.contains("}}") => Some(inner),
        Some(_) => None,
        None if text.contains("${{") => None,
        None => Some(text),
    }
}

fn mentions_status(expr: &SpannedExpr<'_>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    match &expr.inner {
        Expr::Call(call) => {
            matches!(
                call.func,
                Function::Success | Function::Always | Function::Failure | Function::Cancelled
            ) || call.args.iter().any(|a| mentions_status(a, depth + 1))
        }
        Expr::BinExpr(bin) => {
            mentions_status(&bin.lhs, depth + 1) || mentions_status(&bin.rhs, depth + 1)
        }
        Expr::UnExpr { expr, .. } => mentions_status(expr, depth + 1),
        Expr::Index(inner) => mentions_status(inner, depth + 1),
        Expr::Context(ctx) => ctx.parts.iter().any(|p| mentions_status(p, depth + 1)),
        _ => false,
    }
}

/// The lower-case dotted path of a context (`github.event.action`); `None`
/// for computed parts (`matrix[inputs.x]`, `*`) and call heads.
fn context_key(ctx: &ContextExpr<'_>) -> Option<String> {
    let mut parts = Vec::with_capacity(ctx.parts.len());
    for (i, part) in ctx.parts.iter().enumerate() {
        match &part.inner {
            Expr::Identifier(id) => parts.push(id.as_str().to_ascii_lowercase()),
            Expr::Index(inner) if i > 0 => match &inner.inner {
                Expr::Literal(Literal::String(s)) => parts.push(s.to_ascii_lowercase()),
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(parts.join("."))
}

/// A key for an unknown sub-condition, the same for the same text up to
/// whitespace and letter case.
fn atom_key(raw: &str) -> String {
    let mut key = String::with_capacity(raw.len());
    let mut in_string = false;
    for c in raw.chars() {
        if c == '\'' {
            in_string = !in_string;
        }
        if !in_string && c.is_whitespace() {
            continue;
        }
        key.extend(c.to_lowercase());
    }
    key
}

/// The unknown sub-condition `expr` stands for, and whether it is its
/// negation: `a != b` is the negation of `a == b`, and `b == a` the same
/// as `a == b`.
fn atom_of(expr: &SpannedExpr<'_>) -> (String, bool) {
    match &expr.inner {
        Expr::BinExpr(bin) if matches!(bin.op, BinOp::Eq | BinOp::Neq) => {
            let mut sides = [atom_key(bin.lhs.origin.raw), atom_key(bin.rhs.origin.raw)];
            sides.sort();
            (format!("{}=={}", sides[0], sides[1]), bin.op == BinOp::Neq)
        }
        _ => (atom_key(expr.origin.raw), false),
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

struct Evaluator<'e> {
    event: &'e Event,
    /// What `success()` means here.
    success: Verdict,
    /// Values chosen for some contexts by a case split.
    chosen: &'e HashMap<String, Value>,
    /// Truth chosen for unknown sub-conditions by a case split.
    atoms: &'e HashMap<String, bool>,
    /// The first unknown sub-condition met that has no chosen truth.
    open_atom: Option<String>,
    /// The job whose condition this is, for `needs.<id>.outputs.<name>`.
    scope: Option<JobScope<'e>>,
    /// The steps whose outputs the expression may read
    /// (`steps.<id>.outputs.<name>`): the job, and how many of its steps
    /// ran before.
    steps: Option<(&'e Job, usize)>,
}

/// A job of a workflow, whose `needs` outputs a condition may read.
#[derive(Clone, Copy)]
pub struct JobScope<'w> {
    pub workflow: &'w Workflow,
    pub job: usize,
}

impl JobScope<'_> {
    /// `needs.<id>.outputs.<name>` (lower case) of this job, when the needed
    /// job defines it by a literal or by one expression over what the
    /// event tells: job outputs are strings. Outputs that read steps,
    /// other jobs or anything else stay unknown. When this job's condition
    /// has a status function (`always()`), it may run after the needed job
    /// was skipped, or failed before a step wrote the output: the output
    /// is then its value or empty.
    fn output(&self, key: &str, event: &Event) -> Option<Value> {
        let rest = key.strip_prefix("needs.")?;
        let (id, name) = rest.split_once(".outputs.")?;
        let job = self.workflow.jobs.get(self.job)?;
        let may_be_empty = job
            .condition
            .as_ref()
            .is_some_and(|c| Condition::parse(&c.value).has_status_function());
        job.needs
            .iter()
            .find(|n| n.value.eq_ignore_ascii_case(id))?;
        let needed = self
            .workflow
            .jobs
            .iter()
            .find(|j| j.id.value.eq_ignore_ascii_case(id))?;
        let output = needed
            .outputs
            .iter()
            .find(|o| o.key.value.eq_ignore_ascii_case(name))?;
        // Evaluated without the needed job's own `needs`, after all of its
        // steps, whose outputs it may read.
        let outer = JobScope {
            workflow: self.workflow,
            job: usize::MAX,
        };
        let value = outer.expression(
            &output.value.value,
            event,
            Some((needed, needed.steps.len())),
        )?;
        let term = format!("needs.{id}.outputs.{name}");
        let value = as_string(value, term.clone());
        Some(match value {
            // Named by the output: what it is depends on how that job ended.
            Value::Str { mut shapes, .. } if may_be_empty => {
                let empty = Shape::exact("");
                if !shapes.contains(&empty) {
                    shapes.push(empty);
                }
                Value::Str { shapes, term }
            }
            value => value,
        })
    }

    /// One expression of this job (`${{ ... }}` around all of the text),
    /// or a literal; `None` for text mixed with expressions.
    fn expression(&self, text: &str, event: &Event, steps: Option<(&Job, usize)>) -> Option<Value> {
        if text.len() > MAX_CONDITION_BYTES {
            return None;
        }
        if !text.contains("${{") {
            return Some(Value::string(text));
        }
        let inner = expression_text(text).filter(|_| text.trim().starts_with("${{"))?;
        let expr = Expr::parse(inner).ok()?;
        let chosen = HashMap::new();
        let atoms = HashMap::new();
        let mut evaluator = Evaluator {
            event,
            success: Verdict::TRUE,
            chosen: &chosen,
            atoms: &atoms,
            open_atom: None,
            scope: Some(*self),
            steps,
        };
        Some(evaluator.eval(&expr, 0))
    }
}

/// A value as the string GitHub makes of it (job outputs, string inputs).
fn as_string(value: Value, term: String) -> Value {
    match value {
        Value::Bool(b) => Value::string(if b { "true" } else { "false" }),
        Value::Null => Value::string(""),
        Value::Num(n) => Value::string(&n.to_string()),
        Value::Str { shapes, .. } => Value::Str { shapes, term },
        Value::Array(_) | Value::Opaque { .. } => Value::Str {
            shapes: vec![Shape::any()],
            term,
        },
    }
}

/// The run of a reusable workflow called by job `caller`: the caller's
/// event (a called workflow runs with it), with the callee's
/// `on.workflow_call.inputs` bound from the calling job's `with:`, or
/// else the input's `default:`. A value tplint cannot read, and an input
/// neither given nor defaulted, stays unknown.
pub fn called_event(event: &Event, caller: JobScope<'_>, callee: &Workflow) -> Event {
    let mut called = event.clone();
    called.inputs.clear();
    let Some(call) = caller
        .workflow
        .jobs
        .get(caller.job)
        .and_then(|j| j.call.as_ref())
    else {
        return called;
    };
    let Some(declared) = callee
        .triggers
        .iter()
        .find(|t| t.event.value == "workflow_call")
        .and_then(|t| t.config.as_ref())
        .and_then(|c| c.get("inputs"))
        .and_then(Node::as_mapping)
    else {
        return called;
    };
    for entry in declared {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        let kind = entry
            .value
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or("string");
        let given = call
            .with
            .iter()
            .find(|w| w.key.value.eq_ignore_ascii_case(name))
            .map(|w| w.value.value.as_str());
        let text = match given {
            Some(text) => text,
            None => match entry.value.get("default").and_then(Node::as_str) {
                Some(text) => text,
                None => continue,
            },
        };
        let term = format!("inputs.{name}");
        let value = match (kind, caller.expression(text, event, None)) {
            (_, None) => continue,
            ("boolean", Some(value)) => match value {
                Value::Bool(_) => value,
                ref v => match v.exact_text().as_deref() {
                    Some("TRUE") => Value::Bool(true),
                    Some("FALSE") => Value::Bool(false),
                    _ => continue,
                },
            },
            ("number", Some(value)) => match value {
                Value::Num(_) => value,
                ref v => match v.exact_text().and_then(|t| t.trim().parse::<f64>().ok()) {
                    Some(n) => Value::Num(n),
                    None => continue,
                },
            },
            (_, Some(value)) => as_string(value, term),
        };
        called.inputs.push((name.to_ascii_lowercase(), value));
    }
    called
}

impl Evaluator<'_> {
    /// The truth of a condition as `if:` reads it.
    fn condition(&mut self, expr: &SpannedExpr<'_>) -> Verdict {
        self.operand(expr, 0).1
    }

    /// A value used for its truth (an operand of `&&`, `||`, `!`, or a
    /// whole condition). An unknown one is a sub-condition a case split may
    /// choose the truth of.
    fn operand(&mut self, expr: &SpannedExpr<'_>, depth: usize) -> (Value, Verdict) {
        let value = self.eval(expr, depth);
        let truth = value.truthy();
        let composite = matches!(
            &expr.inner,
            Expr::BinExpr(b) if matches!(b.op, BinOp::And | BinOp::Or)
        ) || matches!(&expr.inner, Expr::UnExpr { .. });
        if truth.value != Tri::Unknown || composite || depth > MAX_DEPTH {
            return (value, truth);
        }
        let (key, negated) = atom_of(expr);
        match self.atoms.get(&key) {
            Some(&chosen) => (
                Value::Bool(chosen != negated),
                Verdict::from_bool(chosen != negated),
            ),
            None => {
                if self.open_atom.is_none() {
                    self.open_atom = Some(key);
                }
                (value, truth)
            }
        }
    }

    fn eval(&mut self, expr: &SpannedExpr<'_>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::opaque("a condition nested too deeply to read");
        }
        let raw = expr.origin.raw;
        match &expr.inner {
            Expr::Literal(literal) => match literal {
                Literal::String(s) => Value::string(s),
                Literal::Number(n) => Value::Num(*n),
                Literal::Boolean(b) => Value::Bool(*b),
                Literal::Null => Value::Null,
            },
            Expr::Context(ctx) => self.context(ctx, raw),
            Expr::Call(call) => self.call(call, raw, depth),
            Expr::UnExpr {
                op: UnOp::Not,
                expr: inner,
            } => {
                let (_, truth) = self.operand(inner, depth + 1);
                Value::from_verdict(!truth)
            }
            Expr::BinExpr(bin) => match bin.op {
                BinOp::And => {
                    let (left, lt) = self.operand(&bin.lhs, depth + 1);
                    match lt.value {
                        Tri::False => left,
                        Tri::True => self.operand(&bin.rhs, depth + 1).0,
                        Tri::Unknown => {
                            let (_, rt) = self.operand(&bin.rhs, depth + 1);
                            let truth = lt.and(rt);
                            Value::Opaque {
                                truth: truth.value,
                                term: truth.term.unwrap_or_default(),
                            }
                        }
                    }
                }
                BinOp::Or => {
                    let (left, lt) = self.operand(&bin.lhs, depth + 1);
                    match lt.value {
                        Tri::True => left,
                        Tri::False => self.operand(&bin.rhs, depth + 1).0,
                        Tri::Unknown => {
                            let (_, rt) = self.operand(&bin.rhs, depth + 1);
                            let truth = lt.or(rt);
                            Value::Opaque {
                                truth: truth.value,
                                term: truth.term.unwrap_or_default(),
                            }
                        }
                    }
                }
                BinOp::Eq | BinOp::Neq => {
                    let left = self.eval(&bin.lhs, depth + 1);
                    let right = self.eval(&bin.rhs, depth + 1);
                    let equal = equals(&left, &right);
                    Value::from_verdict(if bin.op == BinOp::Eq { equal } else { !equal })
                }
                BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le => {
                    let left = self.eval(&bin.lhs, depth + 1);
                    let right = self.eval(&bin.rhs, depth + 1);
                    let (Some(a), Some(b)) = (left.concrete(), right.concrete()) else {
                        let term = if left.concrete().is_none() {
                            left.term()
                        } else {
                            right.term()
                        };
                        return Value::opaque(term);
                    };
                    let order = a.sema().partial_cmp(&b.sema());
                    let holds = order.is_some_and(|o| match bin.op {
                        BinOp::Gt => o.is_gt(),
                        BinOp::Ge => o.is_ge(),
                        BinOp::Lt => o.is_lt(),
                        _ => o.is_le(),
                    });
                    Value::Bool(holds)
                }
            },
            Expr::Identifier(_) | Expr::Index(_) | Expr::Star => Value::opaque(raw),
        }
    }

    fn context(&self, ctx: &ContextExpr<'_>, raw: &str) -> Value {
        let Some(key) = context_key(ctx) else {
            return Value::opaque(raw);
        };
        if let Some(value) = self.chosen.get(&key).or_else(|| self.event.lookup(&key)) {
            return value.clone();
        }
        if let Some(value) = self.scope.and_then(|s| s.output(&key, self.event)) {
            return value;
        }
        if let Some(value) = self.step_output(&key) {
            return value;
        }
        if string_typed(&key) {
            return Value::Str {
                shapes: vec![Shape::any()],
                term: raw.to_string(),
            };
        }
        Value::opaque(raw)
    }

    /// `steps.<id>.outputs.<name>` of a step before this one that writes
    /// the output's value to `$GITHUB_OUTPUT` ([`super::step_outputs`]):
    /// one of the values it writes (the empty string when the write may
    /// not run).
    fn step_output(&self, key: &str) -> Option<Value> {
        let (job, before) = self.steps?;
        let (id, name) = key.strip_prefix("steps.")?.split_once(".outputs.")?;
        if name.contains('.') {
            return None;
        }
        let values = super::step_outputs::values(&job.steps, before, id, name)?;
        Some(Value::Str {
            shapes: values.iter().map(|v| Shape::exact(v)).collect(),
            term: key.to_string(),
        })
    }

    fn call(&mut self, call: &Call<'_>, raw: &str, depth: usize) -> Value {
        let arg = |this: &mut Self, i: usize| {
            call.args
                .get(i)
                .map_or(Value::Null, |a| this.eval(a, depth + 1))
        };
        match call.func {
            Function::Success => Value::from_verdict(self.success.clone()),
            Function::Always => Value::Bool(true),
            Function::Failure => Value::opaque("failure()"),
            // Only people with write access can cancel a run.
            Function::Cancelled => Value::Bool(false),
            Function::StartsWith | Function::EndsWith => {
                let subject = arg(self, 0);
                let affix = arg(self, 1);
                let Some(affix) = affix.exact_text() else {
                    return Value::opaque(affix.term());
                };
                let Some((shapes, term)) = subject.as_text() else {
                    return Value::opaque(subject.term());
                };
                let starts = call.func == Function::StartsWith;
                Value::from_verdict(over_shapes(&shapes, &term, |shape| {
                    if starts {
                        shape.starts_with(&affix)
                    } else {
                        shape.ends_with(&affix)
                    }
                }))
            }
            Function::Contains => {
                let haystack = arg(self, 0);
                let needle = arg(self, 1);
                if let Value::Array(items) = &haystack {
                    let found = items
                        .iter()
                        .fold(Verdict::FALSE, |acc, item| acc.or(equals(item, &needle)));
                    return Value::from_verdict(found);
                }
                let Some(needle_text) = needle.exact_text() else {
                    return Value::opaque(if haystack.exact_text().is_none() {
                        haystack.term()
                    } else {
                        needle.term()
                    });
                };
                let Some((shapes, term)) = haystack.as_text() else {
                    return Value::opaque(haystack.term());
                };
                Value::from_verdict(over_shapes(&shapes, &term, |shape| {
                    shape.contains(&needle_text)
                }))
            }
            Function::FromJSON => match call.args.first().map(|a| &a.inner) {
                Some(Expr::Literal(Literal::String(json))) => from_json(json, raw),
                _ => Value::opaque(raw),
            },
            Function::Format
            | Function::Join
            | Function::ToJSON
            | Function::HashFiles
            | Function::Case => Value::opaque(raw),
        }
    }
}

/// A `fromJSON` of a literal: scalars and arrays of them.
fn from_json(text: &str, raw: &str) -> Value {
    fn convert(value: &serde_json::Value, raw: &str) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                n.as_f64().map_or_else(|| Value::opaque(raw), Value::Num)
            }
            serde_json::Value::String(s) => Value::string(s),
            serde_json::Value::Array(items) => {
                Value::Array(items.iter().map(|i| convert(i, raw)).collect())
            }
            serde_json::Value::Object(_) => Value::Opaque {
                truth: Tri::True,
                term: raw.to_string(),
            },
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => convert(&value, raw),
        Err(_) => Value::opaque(raw),
    }
}

/// One value an expression of `&&` and `||` may give (see [`alternatives`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// A string literal (`'testpypi'`), as written.
    Literal(String),
    /// A context (`secrets.PYPI_API_TOKEN`), its key lowercased.
    Context(String),
    /// Anything else: a comparison, a call, a number.
    Other,
}

/// One possible result of a sub-expression, and whether it is truthy
/// (`None`: it may be either).
type Outcome = (Alternative, Option<bool>);

/// The values `text`, one `${{ ... }}` expression, may give when it is
/// made of `&&` and `||` (`cond && 'testpypi' || 'pypi'`, git-cliff's
/// `MATURIN_REPOSITORY`): GitHub's `a && b` gives `a` when it is falsy,
/// else `b`, and `a || b` gives `a` when it is truthy, else `b`
/// ("Expressions", operators). A literal's truth is known; any other
/// operand may be either. `None` for text that is not one expression.
pub fn alternatives(text: &str) -> Option<Vec<Alternative>> {
    if text.len() > MAX_CONDITION_BYTES || !text.trim().starts_with("${{") {
        return None;
    }
    let expr = Expr::parse(expression_text(text)?).ok()?;
    let mut out: Vec<Alternative> = Vec::new();
    for (alternative, _) in outcomes(&expr, 0)? {
        if !out.contains(&alternative) {
            out.push(alternative);
        }
    }
    Some(out)
}

fn outcomes(expr: &SpannedExpr<'_>, depth: usize) -> Option<Vec<Outcome>> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match &expr.inner {
        Expr::BinExpr(bin) if matches!(bin.op, BinOp::And | BinOp::Or) => {
            // `&&` goes on when the left is truthy, `||` when it is falsy.
            let goes_on = bin.op == BinOp::And;
            let left = outcomes(&bin.lhs, depth + 1)?;
            let mut out: Vec<Outcome> = Vec::new();
            let mut continues = false;
            for (alternative, truth) in left {
                if truth != Some(goes_on) {
                    out.push((alternative, Some(!goes_on)));
                }
                continues |= truth != Some(!goes_on);
            }
            if continues {
                out.extend(outcomes(&bin.rhs, depth + 1)?);
            }
            out
        }
        Expr::Literal(Literal::String(s)) => {
            vec![(Alternative::Literal(s.to_string()), Some(!s.is_empty()))]
        }
        Expr::Literal(Literal::Boolean(b)) => vec![(Alternative::Other, Some(*b))],
        Expr::Literal(Literal::Null) => vec![(Alternative::Other, Some(false))],
        Expr::Context(ctx) => match context_key(ctx) {
            Some(key) => vec![(Alternative::Context(key), None)],
            None => vec![(Alternative::Other, None)],
        },
        _ => vec![(Alternative::Other, None)],
    })
}

/// Evaluate a condition as a step's `if:` is read: `success()` holds (the
/// steps before it are assumed to succeed).
pub fn evaluate(condition: &str, event: &Event) -> Verdict {
    evaluate_with(
        &Condition::parse(condition),
        event,
        Verdict::TRUE,
        None,
        None,
    )
}

/// [`evaluate`], for a condition in a job whose `needs` outputs it may read.
pub fn evaluate_in(condition: &str, event: &Event, scope: JobScope<'_>) -> Verdict {
    evaluate_with(
        &Condition::parse(condition),
        event,
        Verdict::TRUE,
        Some(scope),
        None,
    )
}

/// Evaluate with `success()` meaning `success`, adding it when the
/// condition has no status function.
fn evaluate_with(
    condition: &Condition<'_>,
    event: &Event,
    success: Verdict,
    scope: Option<JobScope<'_>>,
    steps: Option<(&Job, usize)>,
) -> Verdict {
    let expr = match &condition.expr {
        Ok(expr) => expr,
        Err(term) => {
            let unknown = Verdict::unknown(term.clone());
            return if condition.has_status_function() {
                unknown
            } else {
                success.and(unknown)
            };
        }
    };
    let chosen = HashMap::new();
    let atoms = HashMap::new();
    let mut evaluator = Evaluator {
        event,
        success: success.clone(),
        chosen: &chosen,
        atoms: &atoms,
        open_atom: None,
        scope,
        steps,
    };
    let truth = evaluator.condition(expr);
    if condition.has_status_function() {
        truth
    } else {
        success.and(truth)
    }
}

// ---------------------------------------------------------------------------
// Reach
// ---------------------------------------------------------------------------

/// For one event, whether each job of a workflow runs: its own `if:`, and
/// the jobs in its `needs` (a job whose needed job is skipped is skipped,
/// unless its condition has a status function that lets it run anyway).
pub struct JobsReached {
    pub jobs: Vec<Verdict>,
}

impl JobsReached {
    /// Settles the jobs in `needs` order (Kahn's algorithm), without
    /// recursion, so a long chain of jobs cannot exhaust the stack. Jobs in
    /// a `needs` cycle, which GitHub rejects, are unknown.
    pub fn new(workflow: &Workflow, event: &Event) -> JobsReached {
        let jobs = &workflow.jobs;
        let index_of: HashMap<&str, usize> = jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.id.value.as_str(), i))
            .collect();
        let needs: Vec<Vec<usize>> = jobs
            .iter()
            .map(|j| {
                j.needs
                    .iter()
                    .filter_map(|n| index_of.get(n.value.as_str()).copied())
                    .collect()
            })
            .collect();
        let mut waiters: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
        for (i, needed) in needs.iter().enumerate() {
            for &n in needed {
                waiters[n].push(i);
            }
        }
        let mut pending: Vec<usize> = needs.iter().map(Vec::len).collect();
        let mut ready: Vec<usize> = (0..jobs.len()).filter(|&i| pending[i] == 0).collect();
        let mut reached = vec![Verdict::unknown("a `needs` cycle"); jobs.len()];
        while let Some(i) = ready.pop() {
            let needs_ran = needs[i]
                .iter()
                .fold(Verdict::TRUE, |acc, &n| acc.and(reached[n].clone()));
            reached[i] = match &jobs[i].condition {
                None => needs_ran,
                Some(condition) => {
                    let parsed = Condition::parse(&condition.value);
                    // With a status function the job may run after a
                    // skipped one, whose outputs are empty: read as their
                    // value or empty ([`JobScope::output`]).
                    let scope = Some(JobScope { workflow, job: i });
                    evaluate_with(&parsed, event, needs_ran, scope, None)
                }
            };
            for &waiter in &waiters[i] {
                pending[waiter] -= 1;
                if pending[waiter] == 0 {
                    ready.push(waiter);
                }
            }
        }
        JobsReached { jobs: reached }
    }

    /// Whether step `step` of job `job_index` runs (`None`: the job
    /// itself). A step's condition reads the outputs of the jobs in
    /// `needs` as the job's does (possibly empty when the job's own
    /// condition lets it run after a skipped one), and those of the steps
    /// before it.
    pub fn step(
        &self,
        workflow: &Workflow,
        job_index: usize,
        step: Option<usize>,
        event: &Event,
    ) -> Verdict {
        let reached = self.jobs.get(job_index).cloned().unwrap_or(Verdict::FALSE);
        let Some(job) = workflow.jobs.get(job_index) else {
            return reached;
        };
        let Some((index, condition)) = step.and_then(|s| {
            let condition = job.steps.get(s)?.condition.as_ref()?;
            Some((s, condition))
        }) else {
            return reached;
        };
        // Under a job condition with a status function, the outputs of
        // the jobs in `needs` may be empty ([`JobScope::output`]).
        let scope = Some(JobScope {
            workflow,
            job: job_index,
        });
        reached.and(evaluate_with(
            &Condition::parse(&condition.value),
            event,
            Verdict::TRUE,
            scope,
            Some((job, index)),
        ))
    }
}

/// The jobs of a workflow that no run of any of its triggers can reach,
/// from what the file says: a `push: branches: [main]` workflow whose job
/// requires `refs/tags/`, a job that needs one of those. A workflow that
/// can be called (`workflow_call`) runs with its callers' events, which
/// may be any.
pub struct NeverRuns {
    /// Per trigger run, whether each job runs; empty when every job may.
    runs: Vec<(Event, JobsReached)>,
}

impl NeverRuns {
    pub fn new(workflow: &Workflow) -> NeverRuns {
        let conditional = workflow
            .jobs
            .iter()
            .any(|j| j.condition.is_some() || j.steps.iter().any(|s| s.condition.is_some()));
        if !conditional {
            return NeverRuns { runs: Vec::new() };
        }
        let events = events(workflow);
        if events.len() > MAX_EVENTS {
            return NeverRuns { runs: Vec::new() };
        }
        let runs = events
            .into_iter()
            .map(|event| {
                let reached = JobsReached::new(workflow, &event);
                (event, reached)
            })
            .collect();
        NeverRuns { runs }
    }

    /// Whether job `job` never runs.
    pub fn job(&self, job: usize) -> bool {
        !self.runs.is_empty()
            && self
                .runs
                .iter()
                .all(|(_, reached)| reached.jobs.get(job).is_some_and(Verdict::is_false))
    }

    /// Whether step `step` of job `job` never runs.
    pub fn step(&self, workflow: &Workflow, job: usize, step: usize) -> bool {
        if workflow.jobs.get(job).is_none() {
            return false;
        }
        !self.runs.is_empty()
            && self
                .runs
                .iter()
                .all(|(event, reached)| reached.step(workflow, job, Some(step), event).is_false())
    }
}

/// Whether `event` reaches job `job` of `workflow` (and its step `step`).
pub fn reaches(workflow: &Workflow, job: usize, step: Option<usize>, event: &Event) -> Verdict {
    if workflow.jobs.get(job).is_none() {
        return Verdict::FALSE;
    }
    JobsReached::new(workflow, event).step(workflow, job, step, event)
}

// ---------------------------------------------------------------------------
// Two conditions in one run
// ---------------------------------------------------------------------------

/// Whether two step conditions of one job (`None`: no `if:`) can both hold
/// in one run of `workflow`: true when some trigger certainly runs both,
/// false when no run can (they exclude each other for every trigger, as
/// `github.event_name == 'push'` and `== 'release'` do, or a condition and
/// its negation), unknown otherwise, naming the term it depends on.
pub fn together(workflow: &Workflow, a: Option<&str>, b: Option<&str>) -> Verdict {
    let a = a.map(Condition::parse);
    let b = b.map(Condition::parse);
    let events = events(workflow);
    if events.len() > MAX_EVENTS {
        return Verdict::unknown("the workflow's many triggers");
    }
    let mut result = Verdict::FALSE;
    let mut budget = SPLIT_BUDGET;
    for event in &events {
        let truth = |c: &Option<Condition<'_>>| {
            c.as_ref().map_or(Verdict::TRUE, |c| {
                evaluate_with(c, event, Verdict::TRUE, None, None)
            })
        };
        let both = truth(&a).and(truth(&b));
        match both.value {
            Tri::True => return Verdict::TRUE,
            Tri::False => continue,
            Tri::Unknown => {}
        }
        if result.value == Tri::Unknown {
            // Already possible in another run; nothing more to learn.
            continue;
        }
        if may_both_hold(a.as_ref(), b.as_ref(), event, &mut budget) {
            result = both;
        }
    }
    result
}

/// Whether two conditions can never both hold in one run of `workflow`.
pub fn mutually_exclusive(workflow: &Workflow, a: Option<&str>, b: Option<&str>) -> bool {
    together(workflow, a, b).is_false()
}

/// Case split: whether some choice of the unknowns makes both conditions
/// hold (or leaves them unknown). Values of string contexts are
/// enumerated from the literals they are compared with; other unknown
/// sub-conditions get a truth each, the same for the same text. Every
/// choice is a possible run, or stands for one, so `false` is a proof.
fn may_both_hold(
    a: Option<&Condition<'_>>,
    b: Option<&Condition<'_>>,
    event: &Event,
    budget: &mut usize,
) -> bool {
    let exprs: Vec<&SpannedExpr<'_>> = [a, b]
        .into_iter()
        .flatten()
        .map(|c| c.expr.as_ref().map_err(|_| ()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    let readable = [a, b].into_iter().flatten().count() == exprs.len();
    let small = [a, b]
        .into_iter()
        .flatten()
        .all(|c| c.text.len() <= MAX_SPLIT_BYTES);
    if !readable || !small {
        return true;
    }
    let worlds = worlds(&exprs, event);
    for chosen in &worlds {
        let mut atoms = HashMap::new();
        if split_atoms(a, b, event, chosen, &mut atoms, budget) {
            return true;
        }
    }
    false
}

fn split_atoms(
    a: Option<&Condition<'_>>,
    b: Option<&Condition<'_>>,
    event: &Event,
    chosen: &HashMap<String, Value>,
    atoms: &mut HashMap<String, bool>,
    budget: &mut usize,
) -> bool {
    if *budget == 0 {
        return true;
    }
    *budget -= 1;
    let mut open = None;
    let mut both = Verdict::TRUE;
    for condition in [a, b].into_iter().flatten() {
        let Ok(expr) = &condition.expr else {
            return true;
        };
        let mut evaluator = Evaluator {
            event,
            success: Verdict::TRUE,
            chosen,
            atoms,
            open_atom: None,
            scope: None,
            steps: None,
        };
        let truth = evaluator.condition(expr);
        if truth.is_false() {
            return false;
        }
        if open.is_none() {
            open = evaluator.open_atom;
        }
        both = both.and(truth);
    }
    if both.is_true() {
        return true;
    }
    let Some(atom) = open else {
        // Unknown, and nothing left to choose.
        return true;
    };
    for choice in [true, false] {
        atoms.insert(atom.clone(), choice);
        if split_atoms(a, b, event, chosen, atoms, budget) {
            atoms.remove(&atom);
            return true;
        }
    }
    atoms.remove(&atom);
    false
}

/// How a string context is used in the conditions.
#[derive(Default)]
struct Uses {
    equals: Vec<String>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// Used in a way enumeration does not cover (`contains`, `format`, ...).
    other: bool,
}

/// The choices of values for the string contexts of two conditions: each
/// a map from context to one value. Only contexts compared with literals
/// by `==`/`!=` and by only `startsWith` or only `endsWith` are
/// enumerated; for those, the candidates below realise every combination
/// of answers the comparisons can give.
fn worlds(exprs: &[&SpannedExpr<'_>], event: &Event) -> Vec<HashMap<String, Value>> {
    let mut uses: HashMap<String, Uses> = HashMap::new();
    for expr in exprs {
        collect_uses(expr, &mut uses, 0);
    }
    let mut keys: Vec<&String> = uses.keys().collect();
    keys.sort();
    let mut worlds: Vec<HashMap<String, Value>> = vec![HashMap::new()];
    for key in keys {
        let Some(candidates) = candidates(key, &uses[key], event) else {
            continue;
        };
        if worlds.len() * candidates.len() > MAX_WORLDS {
            continue;
        }
        worlds = worlds
            .into_iter()
            .flat_map(|world| {
                candidates.iter().map(move |c| {
                    let mut world = world.clone();
                    world.insert(
                        key.clone(),
                        Value::Str {
                            shapes: vec![Shape::Exact(c.clone())],
                            term: key.clone(),
                        },
                    );
                    world
                })
            })
            .collect();
    }
    worlds
}

fn candidates(key: &str, uses: &Uses, event: &Event) -> Option<Vec<String>> {
    if uses.other || (!uses.prefixes.is_empty() && !uses.suffixes.is_empty()) {
        return None;
    }
    let literals = uses
        .equals
        .iter()
        .chain(&uses.prefixes)
        .chain(&uses.suffixes);
    if literals.clone().any(|l| l.contains(SENTINEL)) {
        return None;
    }
    let shapes = match event.lookup(key) {
        Some(Value::Str { shapes, .. }) => shapes.clone(),
        Some(_) => return None,
        None if string_typed(key) => vec![Shape::any()],
        None => return None,
    };
    if shapes.iter().all(|s| matches!(s, Shape::Exact(_))) && shapes.len() < 2 {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |text: String| {
        if !out.contains(&text) {
            out.push(text);
        }
    };
    for shape in &shapes {
        match shape {
            Shape::Exact(text) => push(text.clone()),
            Shape::Number { .. } if !uses.prefixes.is_empty() || !uses.suffixes.is_empty() => {
                return None;
            }
            Shape::Number { prefix, suffix } => {
                for literal in &uses.equals {
                    if shape.may_equal(literal) != Tri::False {
                        push(literal.clone());
                    }
                }
                // Any other number.
                push(format!("{prefix}{SENTINEL}{suffix}"));
            }
            Shape::Affix { prefix, suffix } => {
                for literal in &uses.equals {
                    if shape.may_equal(literal) != Tri::False {
                        push(literal.clone());
                    }
                }
                if prefix.is_empty() && suffix.is_empty() {
                    push(String::new());
                }
                if uses.suffixes.is_empty() {
                    for p in uses.prefixes.iter().chain(std::iter::once(&String::new())) {
                        if p.starts_with(prefix.as_str()) || prefix.starts_with(p.as_str()) {
                            let longer = if p.len() > prefix.len() { p } else { prefix };
                            push(format!("{longer}{SENTINEL}{suffix}"));
                        }
                    }
                } else {
                    for s in uses.suffixes.iter().chain(std::iter::once(&String::new())) {
                        if s.ends_with(suffix.as_str()) || suffix.ends_with(s.as_str()) {
                            let longer = if s.len() > suffix.len() { s } else { suffix };
                            push(format!("{prefix}{SENTINEL}{longer}"));
                        }
                    }
                }
            }
        }
    }
    Some(out)
}

/// Record how each context is used; `depth` bounds the walk.
fn collect_uses(expr: &SpannedExpr<'_>, uses: &mut HashMap<String, Uses>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let literal = |e: &SpannedExpr<'_>| match &e.inner {
        Expr::Literal(Literal::String(s)) => Some(fold(s)),
        _ => None,
    };
    let key_of = |e: &SpannedExpr<'_>| match &e.inner {
        Expr::Context(ctx) => context_key(ctx),
        _ => None,
    };
    match &expr.inner {
        Expr::Context(ctx) => {
            // Reached only through `&&`, `||`, `!` or as the whole
            // condition: used for its truth, which enumeration covers.
            if let Some(key) = context_key(ctx) {
                uses.entry(key).or_default();
            }
            for part in &ctx.parts {
                mark_other(part, uses, depth + 1);
            }
        }
        Expr::BinExpr(bin) if matches!(bin.op, BinOp::Eq | BinOp::Neq) => {
            let pairs = [(&bin.lhs, &bin.rhs), (&bin.rhs, &bin.lhs)];
            for (side, other) in pairs {
                if let (Some(key), Some(text)) = (key_of(side), literal(other)) {
                    uses.entry(key).or_default().equals.push(text);
                    return;
                }
            }
            mark_other(&bin.lhs, uses, depth + 1);
            mark_other(&bin.rhs, uses, depth + 1);
        }
        Expr::BinExpr(bin) if matches!(bin.op, BinOp::And | BinOp::Or) => {
            collect_uses(&bin.lhs, uses, depth + 1);
            collect_uses(&bin.rhs, uses, depth + 1);
        }
        Expr::BinExpr(bin) => {
            mark_other(&bin.lhs, uses, depth + 1);
            mark_other(&bin.rhs, uses, depth + 1);
        }
        Expr::UnExpr { expr: inner, .. } => collect_uses(inner, uses, depth + 1),
        Expr::Call(call)
            if matches!(call.func, Function::StartsWith | Function::EndsWith)
                && call.args.len() == 2 =>
        {
            if let (Some(key), Some(text)) = (key_of(&call.args[0]), literal(&call.args[1])) {
                let entry = uses.entry(key).or_default();
                if call.func == Function::StartsWith {
                    entry.prefixes.push(text);
                } else {
                    entry.suffixes.push(text);
                }
                return;
            }
            for arg in &call.args {
                mark_other(arg, uses, depth + 1);
            }
        }
        Expr::Call(call) => {
            for arg in &call.args {
                mark_other(arg, uses, depth + 1);
            }
        }
        Expr::Index(inner) => mark_other(inner, uses, depth + 1),
        Expr::Literal(_) | Expr::Identifier(_) | Expr::Star => {}
    }
}

/// Every context inside `expr` is used in a way enumeration does not cover.
fn mark_other(expr: &SpannedExpr<'_>, uses: &mut HashMap<String, Uses>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &expr.inner {
        Expr::Context(ctx) => {
            if let Some(key) = context_key(ctx) {
                uses.entry(key).or_default().other = true;
            }
            for part in &ctx.parts {
                mark_other(part, uses, depth + 1);
            }
        }
        Expr::BinExpr(bin) => {
            mark_other(&bin.lhs, uses, depth + 1);
            mark_other(&bin.rhs, uses, depth + 1);
        }
        Expr::UnExpr { expr: inner, .. } | Expr::Index(inner) => mark_other(inner, uses, depth + 1),
        Expr::Call(call) => {
            for arg in &call.args {
                mark_other(arg, uses, depth + 1);
            }
        }
        Expr::Literal(_) | Expr::Identifier(_) | Expr::Star => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_of_and_or_expressions() {
        use super::Alternative::{Context, Literal, Other};
        let lit = |s: &str| Literal(s.to_string());
        assert_eq!(
            alternatives("${{ vars.T == 'true' && 'testpypi' || 'pypi' }}"),
            Some(vec![lit("testpypi"), lit("pypi")])
        );
        assert_eq!(
            alternatives("${{ inputs.a && secrets.A || secrets.B }}"),
            Some(vec![
                Context("secrets.a".into()),
                Context("secrets.b".into())
            ])
        );
        // A falsy literal goes on to the right of `||`, and `''` is a value.
        assert_eq!(alternatives("${{ '' || 'pypi' }}"), Some(vec![lit("pypi")]));
        assert_eq!(
            alternatives("${{ x == 'y' && '' || 'pypi' }}"),
            Some(vec![lit("pypi")])
        );
        assert_eq!(
            alternatives("${{ x == 'y' && 'a' }}"),
            Some(vec![Other, lit("a")])
        );
        assert_eq!(alternatives("${{ x == 'y' }}"), Some(vec![Other]));
        assert_eq!(alternatives("pypi"), None);
        assert_eq!(alternatives("a-${{ x }}"), None);
    }

    fn workflow(src: &str) -> Workflow {
        let doc = crate::yaml::parse(src).unwrap();
        crate::workflow::build(src, &doc)
    }

    /// The events of the first trigger of `on`.
    fn event(on: &str) -> Vec<Event> {
        let w = workflow(&format!("on:\n{on}\njobs: {{}}\n"));
        Event::from_untrusted_trigger(&w.triggers[0])
    }

    fn eval(condition: &str, events: &[Event]) -> Vec<Tri> {
        events
            .iter()
            .map(|e| evaluate(condition, e).value)
            .collect()
    }

    use Tri::{False as F, True as T, Unknown as U};

    #[test]
    fn event_name_comparisons() {
        let pr = event("  pull_request:");
        assert_eq!(eval("github.event_name == 'release'", &pr), [F]);
        assert_eq!(eval("${{ github.event_name == 'push' }}", &pr), [F]);
        assert_eq!(eval("github.event_name == 'pull_request'", &pr), [T]);
        assert_eq!(eval("github.event_name != 'pull_request'", &pr), [F]);
        assert_eq!(eval("'release' == github.event_name", &pr), [F]);
        assert_eq!(eval("GitHub.Event_Name == 'Pull_Request'", &pr), [T]);
        assert_eq!(
            eval(
                "(github.event_name == 'push' || github.event_name == 'release') && github.repository == 'a/b'",
                &pr
            ),
            [F]
        );
        assert_eq!(
            eval(
                "github.event_name == 'push' || github.event_name == 'pull_request'",
                &pr
            ),
            [T]
        );
        assert_eq!(eval("!(github.event_name == 'pull_request')", &pr), [F]);
        assert_eq!(
            eval(
                "contains(fromJSON('[\"push\", \"release\"]'), github.event_name)",
                &pr
            ),
            [F]
        );
        assert_eq!(
            eval("contains('push release', github.event_name)", &pr),
            [F]
        );
    }

    #[test]
    fn what_a_pull_request_implies() {
        let pr = event("  pull_request:\n    branches: [main]");
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &pr), [F]);
        assert_eq!(eval("startsWith(github.ref, 'REFS/PULL/')", &pr), [T]);
        assert_eq!(eval("endsWith(github.ref, '/merge')", &pr), [T]);
        assert_eq!(eval("github.ref == 'refs/heads/main'", &pr), [F]);
        assert_eq!(eval("github.ref_type == 'tag'", &pr), [F]);
        assert_eq!(eval("github.event.action == 'published'", &pr), [F]);
        assert_eq!(eval("github.event.action == 'opened'", &pr), [U]);
        assert_eq!(eval("github.head_ref", &pr), [T]);
        // A merged pull request runs on its branch, never on a tag.
        let closed = event("  pull_request:\n    types: [closed]");
        assert_eq!(eval("github.ref == 'refs/heads/main'", &closed), [U]);
        assert_eq!(eval("contains(github.ref, 'refs/tags/')", &closed), [U]);
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &closed), [F]);
        // The runs on untrusted code are those of unmerged pull requests;
        // a merged one's code was merged by a maintainer.
        assert_eq!(
            eval("github.event.pull_request.merged == true", &closed),
            [F]
        );
        assert_eq!(eval("github.event.pull_request.merged", &closed), [F]);
        let target = event("  pull_request_target:");
        assert_eq!(eval("startsWith(github.ref, 'refs/heads/')", &target), [T]);
    }

    /// Any run of a workflow, not only the untrusted ones.
    fn runs(on: &str) -> Vec<Event> {
        let w = workflow(&format!("on:\n{on}\njobs: {{}}\n"));
        Event::from_trigger(&w.triggers[0])
    }

    #[test]
    fn merged_is_known_only_when_nothing_closes() {
        let closed = runs("  pull_request:\n    types: [closed]");
        let merged = evaluate("github.event.pull_request.merged == true", &closed[0]);
        assert_eq!(merged.value, U);
        assert_eq!(
            merged.term.as_deref(),
            Some("github.event.pull_request.merged")
        );
        let opened = runs("  pull_request:\n    types: [opened]");
        assert_eq!(eval("github.event.pull_request.merged", &opened), [F]);
    }

    #[test]
    fn ref_names_of_each_event() {
        let pr = event("  pull_request:");
        // `N/merge`: never a branch name like `main`, never a version tag.
        assert_eq!(eval("github.ref_name == 'main'", &pr), [F]);
        assert_eq!(eval("startsWith(github.ref_name, 'v')", &pr), [F]);
        assert_eq!(eval("endsWith(github.ref_name, '/merge')", &pr), [T]);
        assert_eq!(eval("github.ref_name == '12/merge'", &pr), [U]);
        assert_eq!(eval("startsWith(github.ref_name, '12/')", &pr), [U]);
        assert_eq!(eval("contains(github.ref, 'tags')", &pr), [F]);
        assert_eq!(eval("contains(github.ref, '/')", &pr), [T]);
        assert_eq!(eval("contains(github.ref, '7')", &pr), [U]);
        assert_eq!(eval("github.ref == 'refs/pull/7/merge'", &pr), [U]);
        assert_eq!(eval("github.ref == 'refs/pull//merge'", &pr), [F]);
        let push = runs("  push:\n    branches: [main, 'release/**']");
        assert_eq!(eval("github.ref_name == 'main'", &push), [U]);
        assert_eq!(eval("github.ref == 'refs/heads/main'", &push), [U]);
        assert_eq!(eval("github.ref == 'refs/heads/dev'", &push), [F]);
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &push), [F]);
        assert_eq!(eval("contains(github.ref, 'tags')", &push), [U]);
        let main = runs("  push:\n    branches: [main]");
        assert_eq!(eval("github.ref == 'refs/heads/main'", &main), [T]);
        assert_eq!(eval("github.ref_name == 'main'", &main), [T]);
        assert_eq!(eval("contains(github.ref, 'tags')", &main), [F]);
        let tags = runs("  push:\n    tags: ['v*']");
        assert_eq!(eval("startsWith(github.ref_name, 'v')", &tags), [T]);
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/v')", &tags), [T]);
        // A negated pattern only excludes refs.
        let negated = runs("  push:\n    branches: ['**', '!main']");
        assert_eq!(eval("startsWith(github.ref, 'refs/heads/')", &negated), [T]);
    }

    #[test]
    fn fields_an_event_does_not_carry_are_null() {
        let pr = event("  pull_request:");
        assert_eq!(eval("!github.event.pull_request", &pr), [F]);
        assert_eq!(eval("github.event.workflow", &pr), [F]);
        let push = runs("  push:");
        assert_eq!(eval("!github.event.pull_request", &push), [T, T]);
        assert_eq!(eval("github.event.pull_request.merged", &push), [F, F]);
        let dispatch = runs("  workflow_dispatch:");
        assert_eq!(eval("github.event.workflow", &dispatch), [T, T]);
        let run = runs("  workflow_run:\n    workflows: [CI]");
        assert_eq!(eval("github.event.workflow && true", &run), [T]);
    }

    #[test]
    fn job_outputs_defined_by_expressions() {
        let w = workflow(
            "on: [push, pull_request]\njobs:\n  check:\n    runs-on: x\n    outputs:\n      should_publish: ${{ !github.event.pull_request }}\n      version: ${{ steps.v.outputs.version }}\n      fixed: yes\n    steps: [{run: x}]\n  publish:\n    needs: check\n    if: needs.check.outputs.should_publish == 'true'\n    runs-on: x\n    steps: [{run: x}]\n  versioned:\n    needs: [check]\n    if: needs.check.outputs.version != ''\n    runs-on: x\n    steps: [{run: x}]\n  literal:\n    needs: [check]\n    if: needs.check.outputs.fixed == 'yes'\n    runs-on: x\n    steps: [{run: x}]\n  later:\n    needs: [check]\n    if: always() && needs.check.outputs.should_publish == 'true'\n    runs-on: x\n    steps: [{run: x}]\n  stranger:\n    if: needs.check.outputs.should_publish == 'true'\n    runs-on: x\n    steps: [{run: x}]\n",
        );
        let push = &Event::from_untrusted_trigger(&w.triggers[0])[0];
        let pr = &Event::from_untrusted_trigger(&w.triggers[1])[0];
        assert_eq!(reaches(&w, 1, None, push).value, T);
        assert_eq!(reaches(&w, 1, None, pr).value, F);
        let versioned = reaches(&w, 2, None, pr);
        assert_eq!(versioned.value, U);
        assert_eq!(
            versioned.term.as_deref(),
            Some("needs.check.outputs.version")
        );
        assert_eq!(reaches(&w, 3, None, pr).value, T);
        // With a status function the needed job may have been skipped,
        // leaving the output empty: `'false'` or `''` is not `'true'`
        // (unknown && false is false, in any order), but `'true'` or `''`
        // may be.
        assert_eq!(reaches(&w, 4, None, pr).value, F);
        let later = reaches(&w, 4, None, push);
        assert_eq!(later.value, U);
        assert_eq!(
            later.term.as_deref(),
            Some("needs.check.outputs.should_publish")
        );
        // Not in `needs`: GitHub gives nothing.
        assert_eq!(reaches(&w, 5, None, pr).value, U);
    }

    #[test]
    fn inputs_of_a_called_workflow() {
        let caller = workflow(
            "on: [push, pull_request]\njobs:\n  a:\n    uses: ./.github/workflows/r.yml\n    with:\n      publish: ${{ github.event_name == 'push' }}\n  b:\n    uses: ./.github/workflows/r.yml\n    with:\n      publish: true\n      channel: nightly\n  c:\n    uses: ./.github/workflows/r.yml\n    with:\n      publish: ${{ vars.PUBLISH }}\n",
        );
        let callee = workflow(
            "on:\n  workflow_call:\n    inputs:\n      publish:\n        type: boolean\n        default: false\n      channel:\n        type: string\n        default: stable\njobs:\n  up:\n    if: inputs.publish && inputs.channel == 'stable'\n    runs-on: x\n    steps: [{run: x}]\n",
        );
        let pr = &Event::from_untrusted_trigger(&caller.triggers[1])[0];
        let push = &Event::from_untrusted_trigger(&caller.triggers[0])[0];
        let called = |job: usize, event: &Event| {
            let run = called_event(
                event,
                JobScope {
                    workflow: &caller,
                    job,
                },
                &callee,
            );
            reaches(&callee, 0, None, &run).value
        };
        assert_eq!(called(0, pr), F);
        assert_eq!(called(0, push), T);
        assert_eq!(called(1, pr), F);
        assert_eq!(called(2, pr), U);
        // Seen without a caller, the inputs are unknown.
        assert_eq!(reaches(&callee, 0, None, &Event::any()).value, U);
    }

    #[test]
    fn what_other_events_imply() {
        let tags = event("  push:\n    tags: ['v*']");
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &tags), [T]);
        assert_eq!(eval("github.ref_type == 'tag'", &tags), [T]);
        let branches = event("  push:\n    branches: [main]");
        assert_eq!(eval("github.ref_type == 'tag'", &branches), [F]);
        // Without filters: one run per kind of ref.
        let push = event("  push:");
        assert_eq!(eval("github.ref_type == 'tag'", &push), [F, T]);
        assert_eq!(eval("github.event.action == 'published'", &push), [F, F]);
        let release = event("  release:\n    types: [published]");
        assert_eq!(eval("github.event.action == 'published'", &release), [T]);
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &release), [T]);
        let any_release = event("  release:");
        assert_eq!(
            eval("github.event.action == 'published'", &any_release),
            [U]
        );
        // A workflow_run that follows a pull request's run.
        let run = event("  workflow_run:\n    workflows: [CI]");
        assert_eq!(eval("github.event.workflow_run.event == 'push'", &run), [F]);
        assert_eq!(
            eval("github.event.workflow_run.event != 'pull_request'", &run),
            [U]
        );
        assert_eq!(
            eval("github.event.workflow_run.conclusion == 'success'", &run),
            [U]
        );
        let comment = event("  issue_comment:\n    types: [created]");
        assert_eq!(eval("github.event.action == 'created'", &comment), [T]);
        let other = event("  deployment:");
        assert_eq!(eval("github.event_name == 'deployment'", &other), [T]);
        assert_eq!(eval("startsWith(github.ref, 'refs/tags/')", &other), [U]);
    }

    #[test]
    fn status_functions_and_unknowns() {
        let pr = event("  pull_request:");
        assert_eq!(eval("always()", &pr), [T]);
        assert_eq!(eval("failure()", &pr), [U]);
        assert_eq!(
            eval("!cancelled() && github.event_name == 'push'", &pr),
            [F]
        );
        assert_eq!(eval("${{ !cancelled() }}", &pr), [T]);
        let unknown = evaluate("inputs.publish && github.event_name != 'push'", &pr[0]);
        assert_eq!(unknown.value, U);
        assert_eq!(unknown.term.as_deref(), Some("inputs.publish"));
        let term = |c: &str| evaluate(c, &pr[0]).term;
        assert_eq!(
            term("needs.check.outputs.release == 'true'").as_deref(),
            Some("needs.check.outputs.release")
        );
        assert_eq!(term("vars.PUBLISH").as_deref(), Some("vars.PUBLISH"));
        assert_eq!(term("matrix.os == 'linux'").as_deref(), Some("matrix.os"));
        // Unreadable or mixed text is unknown, never a guess.
        assert_eq!(eval("github.event_name == ", &pr), [U]);
        assert_eq!(eval("${{ github.event_name }} == 'push'", &pr), [U]);
        assert_eq!(eval("nosuchfunction(github.ref)", &pr), [U]);
        assert_eq!(eval("true", &pr), [T]);
        assert_eq!(eval("false", &pr), [F]);
    }

    #[test]
    fn needs_propagate_skips() {
        let src = "on: [push, pull_request]\njobs:\n  build:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  report:\n    needs: build\n    if: always()\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n  later:\n    needs: [publish]\n    if: success() && inputs.x\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n";
        let w = workflow(src);
        let pr = &Event::from_trigger(&w.triggers[1])[0];
        let push = &Event::from_trigger(&w.triggers[0])[0];
        let on_pr: Vec<Tri> = JobsReached::new(&w, pr)
            .jobs
            .iter()
            .map(|v| v.value)
            .collect();
        let on_push: Vec<Tri> = JobsReached::new(&w, push)
            .jobs
            .iter()
            .map(|v| v.value)
            .collect();
        assert_eq!(on_pr, [F, F, T, F]);
        assert_eq!(on_push, [T, T, T, U]);
    }

    #[test]
    fn step_conditions() {
        let src = "on: [pull_request, release]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: x\n        if: github.event_name == 'release'\n      - run: y\n";
        let w = workflow(src);
        let pr = &Event::from_trigger(&w.triggers[0])[0];
        assert_eq!(reaches(&w, 0, Some(0), pr).value, F);
        assert_eq!(reaches(&w, 0, Some(1), pr).value, T);
        assert_eq!(reaches(&w, 0, None, pr).value, T);
    }

    fn two(on: &str, a: Option<&str>, b: Option<&str>) -> Tri {
        let w = workflow(&format!("on: {on}\njobs: {{}}\n"));
        together(&w, a, b).value
    }

    #[test]
    fn conditions_in_one_run() {
        let push_release = "[push, release]";
        assert_eq!(two(push_release, None, None), T);
        assert_eq!(
            two(
                push_release,
                Some("github.event_name == 'push'"),
                Some("github.event_name == 'release'")
            ),
            F
        );
        assert_eq!(
            two(push_release, Some("github.event_name == 'push'"), None),
            T
        );
        assert_eq!(
            two(
                "push",
                Some("startsWith(github.ref, 'refs/tags/')"),
                Some("${{ !startsWith(github.ref, 'refs/tags/') }}")
            ),
            F
        );
        assert_eq!(
            two(
                "push",
                Some("github.ref == 'refs/heads/main'"),
                Some("startsWith(github.ref, 'refs/tags/v')")
            ),
            F
        );
        assert_eq!(
            two(
                "push",
                Some("github.ref == 'refs/heads/main'"),
                Some("github.ref == 'refs/heads/dev'")
            ),
            F
        );
        assert_eq!(
            two(
                "workflow_dispatch",
                Some("inputs.testpypi"),
                Some("!inputs.testpypi")
            ),
            F
        );
        assert_eq!(
            two(
                "workflow_dispatch",
                Some("inputs.target == 'testpypi'"),
                Some("inputs.target != 'testpypi' && github.ref == 'refs/heads/main'")
            ),
            F
        );
        // Independent unknowns may hold together.
        assert_eq!(
            two("workflow_dispatch", Some("inputs.a"), Some("inputs.b")),
            U
        );
        assert_eq!(
            two(
                "push",
                Some("startsWith(github.ref, 'refs/tags/')"),
                Some("contains(github.ref, 'v1')")
            ),
            U
        );
        // A reusable workflow: the caller's event is unknown, but it is one.
        assert_eq!(
            two(
                "workflow_call",
                Some("github.event_name == 'push'"),
                Some("github.event_name == 'release'")
            ),
            F
        );
        assert_eq!(
            two(
                "workflow_call",
                Some("vars.INDEX == 'pypi'"),
                Some("vars.INDEX == 'testpypi'")
            ),
            F
        );
    }

    #[test]
    fn hostile_conditions_are_bounded() {
        let pr = event("  pull_request:");
        let chain = vec!["github.event_name == 'push'"; 150].join(" || ");
        assert_eq!(eval(&chain, &pr), [U]);
        let long = vec!["inputs.a"; 2000].join(" || ");
        assert_eq!(eval(&long, &pr), [U]);
        // Just under the size limit: a chain nests one level per operator.
        let deep = vec!["inputs.x"; 400].join("||");
        assert!(deep.len() < MAX_CONDITION_BYTES);
        assert_eq!(eval(&deep, &pr), [U]);
        let w = workflow("on: push\njobs: {}\n");
        assert_eq!(together(&w, Some(&deep), Some(&deep)).value, U);
        let nested = format!("{}true{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(eval(&nested, &pr), [U]);
        let nots = format!("{}true", "!".repeat(10_000));
        assert_eq!(eval(&nots, &pr), [U]);
        // Many independent unknowns: the case split stops at its budget.
        let many: Vec<String> = (0..60).map(|i| format!("inputs.a{i}")).collect();
        let start = std::time::Instant::now();
        let verdict = two(
            "workflow_dispatch",
            Some(&many.join(" && ")),
            Some(&format!("!({})", many.join(" || "))),
        );
        assert_ne!(verdict, T);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    const TOKENS: &[&str] = &[
        "github.ref",
        "github.event_name",
        "github.ref_type",
        "github.event.action",
        "github.event.workflow_run.event",
        "inputs.x",
        "vars.X",
        "needs.a.outputs.b",
        "matrix['os']",
        "github.event.commits[0].message",
        "'refs/tags/'",
        "'push'",
        "''",
        "'it''s'",
        "'\u{e9}\u{1f600}'",
        "==",
        "!=",
        "&&",
        "||",
        "!",
        "(",
        ")",
        "startsWith(",
        "endsWith(",
        "contains(",
        "fromJSON(",
        "'[\"push\", 1, null, {}]'",
        ",",
        "success()",
        "always()",
        "failure()",
        "cancelled()",
        "${{",
        "}}",
        "1",
        "0x10",
        "-2.5e3",
        "true",
        "null",
        "[0]",
        ".x",
        "*",
        "<",
        ">=",
        "format('{0}', 1)",
        "hashFiles('x')",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]
        #[test]
        fn any_condition_is_answered_without_panic(
            a in proptest::collection::vec(proptest::sample::select(TOKENS), 0..30),
            b in proptest::collection::vec(proptest::sample::select(TOKENS), 0..30),
        ) {
            let (a, b) = (a.join(" "), b.join(""));
            let w = workflow("on: [push, pull_request, workflow_run, release, workflow_call]\njobs: {}\n");
            for event in events(&w) {
                let _ = evaluate(&a, &event);
                let _ = evaluate(&b, &event);
            }
            let _ = together(&w, Some(&a), Some(&b));
            let _ = together(&w, Some(&a), Some(&a));
        }
    }
}
