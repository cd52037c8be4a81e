//! `spec:inputs` and `$[[ inputs.name ]]` interpolation, as GitLab applies
//! them to one file each time it is read (`doc/ci/inputs/_index.md`):
//!
//! - the header document before `---` declares `spec: inputs:`; an input
//!   with no `default` is mandatory ("Inputs are mandatory if `default` is
//!   not specified");
//! - `include: inputs:` sets values for one include entry, over the
//!   defaults ("For configuration added with `include`"), so a file included
//!   twice with different inputs gives two different configurations;
//! - interpolation happens when the file is fetched, "before the
//!   configuration is merged", so before `extends:` and `!reference`;
//! - a block that is the whole YAML value keeps the input's type (an
//!   `array` input becomes a list); inside a larger string it is text
//!   ("Input types");
//! - functions: at most 3 a block, run in order: `expand_vars` (CI/CD
//!   variables, which tplint does not know), `truncate(offset,length)`,
//!   `posix_escape` ("Predefined interpolation functions").
//!
//! What tplint cannot evaluate (an input with no value, a variable, a
//! function it does not know, a `component.` context) stays as written and
//! is recorded as unknown, never as an error. Matrix expressions
//! (`$[[ matrix.NAME ]]`) are GitLab's to resolve per matrix job: left as
//! written, and not unknown.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::tree::{GEntry, GNode, GValue};
use crate::diagnostic::Location;
use crate::yaml::ScalarKind;

/// Most functions GitLab runs in one interpolation block.
const MAX_FUNCTIONS: usize = 3;
/// Most characters (or nodes, for list inputs) interpolation may produce
/// for one pipeline: a bound on work for hostile defaults. Past it, values
/// are left unknown.
pub const BUDGET: usize = 1024 * 1024;

static BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\[\[(.*?)\]\]").expect("valid regex literal"));
static TRUNCATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^truncate\(\s*(\d{1,9})\s*,\s*(\d{1,9})\s*\)$").expect("valid regex literal")
});

/// A key or value whose interpolation tplint could not evaluate.
#[derive(Clone, Copy, Debug)]
pub struct Uninterpolated {
    pub location: Location,
    /// A key (which may name a job or template), not a value.
    pub key: bool,
}

/// The value of each input of one inclusion of a file; `None` for an input
/// whose value tplint does not know.
#[derive(Debug, Default)]
pub struct Inputs {
    values: HashMap<String, Option<GNode>>,
}

impl Inputs {
    /// The inputs of a file with header `spec`, given the `inputs:` of the
    /// include entry that pulls it in (`None` for the top-level file, whose
    /// inputs are set when a pipeline starts: tplint takes the defaults).
    pub fn new(spec: &GNode, given: Option<&GNode>) -> Self {
        let mut values = HashMap::new();
        for entry in spec
            .get("inputs")
            .and_then(GNode::as_mapping)
            .unwrap_or_default()
        {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            // `rules:` choose the default from other inputs: not evaluated.
            // `default: null` gives no value tplint knows either.
            let default = if entry.value.get("rules").is_some() {
                None
            } else {
                entry.value.get("default").filter(|d| !d.is_null()).cloned()
            };
            values.insert(name.to_string(), default);
        }
        for entry in given.and_then(GNode::as_mapping).unwrap_or_default() {
            if let Some(name) = entry.key.as_str() {
                // A value the including file could not interpolate.
                let known = !entry.value.as_str().is_some_and(|t| t.contains("$[["));
                values.insert(name.to_string(), known.then(|| entry.value.clone()));
            }
        }
        Self { values }
    }
}

/// Interpolate every key and value of `node`; the places tplint could not
/// evaluate go to `unknown`. `budget` bounds what may be produced.
pub fn interpolate(
    node: &mut GNode,
    inputs: &Inputs,
    unknown: &mut Vec<Uninterpolated>,
    budget: &mut usize,
) {
    let value = |location| Uninterpolated {
        location,
        key: false,
    };
    match &mut node.value {
        GValue::Scalar { text, .. } => {
            if !text.contains("$[[") || only_matrix(text) {
                return;
            }
            match evaluate(text, inputs, budget) {
                Some(Evaluated::Node(value)) => {
                    let location = node.location;
                    *node = value;
                    // A scalar keeps the place of the block that made it.
                    if matches!(node.value, GValue::Scalar { .. }) {
                        node.location = location;
                    }
                }
                Some(Evaluated::Text(out)) => {
                    node.value = GValue::Scalar {
                        text: out,
                        kind: ScalarKind::Quoted,
                    };
                }
                None => unknown.push(value(node.location)),
            }
        }
        GValue::Sequence(items) => {
            for item in items {
                interpolate(item, inputs, unknown, budget);
            }
        }
        GValue::Mapping(entries) => {
            for GEntry { key, value: item } in entries {
                // A key is text: a list input there is not evaluated.
                if let Some(text) = key.as_str()
                    && text.contains("$[[")
                {
                    match evaluate(text, inputs, budget) {
                        Some(Evaluated::Text(out)) => {
                            key.value = GValue::Scalar {
                                text: out,
                                kind: ScalarKind::Quoted,
                            };
                        }
                        Some(Evaluated::Node(GNode {
                            value: GValue::Scalar { text, .. },
                            ..
                        })) => {
                            key.value = GValue::Scalar {
                                text,
                                kind: ScalarKind::Quoted,
                            };
                        }
                        _ => unknown.push(Uninterpolated {
                            location: key.location,
                            key: true,
                        }),
                    }
                }
                interpolate(item, inputs, unknown, budget);
            }
        }
        GValue::Reference(path) => {
            for part in path.iter_mut().filter(|p| p.contains("$[[")) {
                match evaluate(part, inputs, budget) {
                    Some(Evaluated::Text(out)) => *part = out,
                    Some(Evaluated::Node(GNode {
                        value: GValue::Scalar { text, .. },
                        ..
                    })) => *part = text,
                    _ => unknown.push(value(node.location)),
                }
            }
        }
    }
}

enum Evaluated {
    /// The whole value was one block: the input's own value.
    Node(GNode),
    Text(String),
}

fn evaluate(text: &str, inputs: &Inputs, budget: &mut usize) -> Option<Evaluated> {
    if *budget == 0 {
        return None;
    }
    let whole = BLOCK
        .find(text)
        .is_some_and(|m| m.start() == 0 && m.end() == text.len());
    if whole && !only_matrix(text) {
        let inner = BLOCK.captures(text)?.get(1)?.as_str();
        let (value, functions) = block(inner, inputs)?;
        if functions.is_empty() && !matches!(value.value, GValue::Scalar { .. }) {
            // Counted before it is copied.
            let size = value.size();
            if size > *budget {
                *budget = 0;
                return None;
            }
            *budget -= size;
            return Some(Evaluated::Node(value.clone()));
        }
        let out = apply(value.as_str()?, &functions)?;
        let size = out.len();
        if size > *budget {
            *budget = 0;
            return None;
        }
        *budget -= size;
        let kind = match &value.value {
            GValue::Scalar { kind, .. } if functions.is_empty() => *kind,
            _ => ScalarKind::Quoted,
        };
        return Some(Evaluated::Node(GNode {
            value: GValue::Scalar { text: out, kind },
            location: value.location,
        }));
    }
    let mut out = String::new();
    let mut last = 0;
    for found in BLOCK.captures_iter(text) {
        let whole = found.get(0)?;
        let inner = found.get(1)?.as_str();
        out.push_str(&text[last..whole.start()]);
        if is_matrix(inner) {
            out.push_str(whole.as_str());
        } else {
            let (value, functions) = block(inner, inputs)?;
            // A list inside a string is GitLab's text of it: not evaluated.
            out.push_str(&apply(value.as_str()?, &functions)?);
        }
        last = whole.end();
        if out.len() > *budget {
            *budget = 0;
            return None;
        }
    }
    out.push_str(&text[last..]);
    *budget = budget.saturating_sub(out.len());
    Some(Evaluated::Text(out))
}

/// A matrix expression (`$[[ matrix.OS ]]` in `needs:parallel:matrix`),
/// which GitLab resolves for each job of a `parallel:matrix` when it creates
/// the pipeline (`doc/ci/yaml/matrix_expressions.md`): no input, left as
/// written and not unknown.
fn is_matrix(inner: &str) -> bool {
    inner.trim().starts_with("matrix.")
}

/// Whether every `$[[ ... ]]` block of `text` is a matrix expression.
fn only_matrix(text: &str) -> bool {
    BLOCK
        .captures_iter(text)
        .all(|c| c.get(1).is_some_and(|m| is_matrix(m.as_str())))
}

/// The input a block names and the functions to apply, if known.
fn block<'t, 'i>(inner: &'t str, inputs: &'i Inputs) -> Option<(&'i GNode, Vec<&'t str>)> {
    let mut parts = inner.split('|').map(str::trim);
    let name = parts.next()?.strip_prefix("inputs.")?;
    let functions: Vec<&str> = parts.collect();
    if functions.len() > MAX_FUNCTIONS {
        return None;
    }
    let value = inputs.values.get(name)?.as_ref()?;
    Some((value, functions))
}

/// Apply interpolation functions to `value`; `None` when one cannot be
/// evaluated here.
fn apply(value: &str, functions: &[&str]) -> Option<String> {
    let mut value = value.to_string();
    for function in functions {
        if *function == "expand_vars" {
            // CI/CD variables are not known to tplint.
            if value.contains('$') {
                return None;
            }
        } else if *function == "posix_escape" {
            // Escaping changes nothing for text with no shell
            // metacharacter or blank; anything else is not evaluated.
            let plain = value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./,:=@%+".contains(c));
            if !plain {
                return None;
            }
        } else if let Some(captures) = TRUNCATE.captures(function) {
            let offset: usize = captures.get(1)?.as_str().parse().ok()?;
            let length: usize = captures.get(2)?.as_str().parse().ok()?;
            value = value.chars().skip(offset).take(length).collect();
        } else {
            return None;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::tree::from_yaml;
    use crate::source::FileId;
    use crate::yaml;

    fn node(src: &str) -> GNode {
        let doc = yaml::parse(src).unwrap().root.unwrap();
        from_yaml(&doc, FileId(0), &mut Vec::new())
    }

    fn run(spec: &str, given: Option<&str>, body: &str) -> (GNode, usize) {
        let spec = node(spec);
        let given = given.map(node);
        let inputs = Inputs::new(&spec, given.as_ref());
        let mut out = node(body);
        let mut unknown = Vec::new();
        interpolate(&mut out, &inputs, &mut unknown, &mut BUDGET.clone());
        (out, unknown.len())
    }

    #[test]
    fn defaults_and_given_values_fill_keys_and_values() {
        let spec =
            "inputs:\n  job_name:\n    default: base\n  stage:\n    default: test\n  image:\n";
        let body = "\".$[[ inputs.job_name ]]\":\n  stage: $[[ inputs.stage ]]\n  image: \"x:$[[ inputs.image ]]\"\n";
        let (out, unknown) = run(spec, None, body);
        let job = out.get(".base").unwrap();
        assert_eq!(job.get("stage").unwrap().as_str(), Some("test"));
        // no value for `image`: left as written, and unknown
        let image = job.get("image").unwrap().as_str();
        assert_eq!(image, Some("x:$[[ inputs.image ]]"));
        assert_eq!(unknown, 1);
        let (out, unknown) = run(spec, Some("job_name: other\nimage: py\n"), body);
        let job = out.get(".other").unwrap();
        assert_eq!(job.get("image").unwrap().as_str(), Some("x:py"));
        assert_eq!(unknown, 0);
    }

    #[test]
    fn whole_values_keep_their_type() {
        let spec = "inputs:\n  needs:\n    type: array\n    default: [a, b]\n  n:\n    type: number\n    default: 2\n";
        let body = "j:\n  needs: $[[ inputs.needs ]]\n  parallel: $[[ inputs.n ]]\n";
        let (out, unknown) = run(spec, None, body);
        assert_eq!(unknown, 0);
        let j = out.get("j").unwrap();
        assert_eq!(j.get("needs").unwrap().as_sequence().unwrap().len(), 2);
        assert_eq!(j.get("parallel").unwrap().as_str(), Some("2"));
        // a list inside a string is not evaluated
        let (_, unknown) = run(spec, None, "j:\n  script: echo $[[ inputs.needs ]]\n");
        assert_eq!(unknown, 1);
    }

    #[test]
    fn functions_are_evaluated_when_simple() {
        let spec = "inputs:\n  v:\n    default: '0123456789'\n  s:\n    default: 'a b'\n  e:\n    default: 'x $Y'\n";
        let body = "j:\n  a: $[[ inputs.v | truncate(3,5) ]]\n  b: -$[[ inputs.v | expand_vars | posix_escape ]]\n";
        let (out, unknown) = run(spec, None, body);
        assert_eq!(unknown, 0);
        let j = out.get("j").unwrap();
        assert_eq!(j.get("a").unwrap().as_str(), Some("34567"));
        assert_eq!(j.get("b").unwrap().as_str(), Some("-0123456789"));
        for value in [
            "$[[ inputs.s | posix_escape ]]",
            "$[[ inputs.e | expand_vars ]]",
            "$[[ inputs.v | upcase ]]",
            "$[[ inputs.v | truncate(1,1) | truncate(0,1) | truncate(0,1) | truncate(0,1) ]]",
            "$[[ component.sha ]]",
            "$[[ inputs.nope ]]",
        ] {
            let (_, unknown) = run(spec, None, &format!("j:\n  a: {value}\n"));
            assert_eq!(unknown, 1, "{value}");
        }
    }

    #[test]
    fn matrix_expressions_are_left_to_gitlab() {
        let spec = "inputs:\n  v:\n    default: py\n";
        let body = "j:\n  a: $[[ matrix.OS ]]\n  b: '$[[ inputs.v ]]-$[[ matrix.ARCH ]]'\n";
        let (out, unknown) = run(spec, None, body);
        assert_eq!(unknown, 0);
        let j = out.get("j").unwrap();
        assert_eq!(j.get("a").unwrap().as_str(), Some("$[[ matrix.OS ]]"));
        assert_eq!(j.get("b").unwrap().as_str(), Some("py-$[[ matrix.ARCH ]]"));
    }

    #[test]
    fn reference_paths_are_interpolated() {
        let spec = "inputs:\n  name:\n    default: base\n";
        let (out, unknown) = run(
            spec,
            None,
            "j:\n  script: !reference [\".$[[ inputs.name ]]\", script]\n",
        );
        assert_eq!(unknown, 0);
        let script = out.get("j").unwrap().get("script").unwrap();
        assert!(matches!(&script.value, GValue::Reference(p) if p[0] == ".base"));
    }

    #[test]
    fn the_budget_bounds_list_inputs() {
        let spec = "inputs:\n  l:\n    type: array\n    default: [a, b, c]\n";
        let spec = node(spec);
        let inputs = Inputs::new(&spec, None);
        let mut out = node("a: $[[ inputs.l ]]\nb: $[[ inputs.l ]]\n");
        let mut unknown = Vec::new();
        let mut budget = 5;
        interpolate(&mut out, &inputs, &mut unknown, &mut budget);
        assert_eq!(unknown.len(), 1);
    }
}
