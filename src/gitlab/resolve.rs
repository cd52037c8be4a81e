//! GitLab's resolution of a merged configuration, in GitLab's order
//! (`lib/gitlab/ci/config.rb`): `extends:` first, then `!reference` tags
//! over the result. `default:` is applied per job when the typed job is
//! read (see [`super::job`]).

use std::collections::HashMap;

use super::tree::{GEntry, GNode, GValue, deep_merge};
use crate::diagnostic::Location;

/// Most levels of `extends:` (GitLab: "you can use as many as eleven",
/// `yaml_optimization.md`, "Use `extends` to reuse configuration sections").
pub const MAX_EXTENDS_DEPTH: usize = 11;
/// Most levels of `!reference` inside referenced values (GitLab: "up to 10
/// levels deep", `yaml_optimization.md`).
pub const MAX_REFERENCE_DEPTH: usize = 10;
/// Most nodes that resolution may create for one pipeline: a bound on work
/// for a file whose thousands of jobs each extend a large template.
pub const NODE_BUDGET: usize = 2_000_000;

/// Resolution problems, located.
pub type Problems = Vec<(String, Location)>;

/// A name that `extends:` or `!reference` uses and the configuration does
/// not define: an error when tplint read the whole configuration, else a
/// name that an include it did not read may define.
#[derive(Clone, Debug)]
pub struct Missing {
    /// The job or template named (the first key of a `!reference`).
    pub name: String,
    /// The top-level key (job, hidden job) whose `extends:` names it, or
    /// whose value holds the `!reference` after `extends:` is applied.
    pub within: String,
    pub message: String,
    /// The problem told as what the files tplint read lack.
    pub unsure: String,
    pub location: Location,
    /// The name holds a `$[[ ... ]]` block left as written: not a problem,
    /// but what it names is unknown.
    pub opaque: bool,
}

/// Tracks the work done, so a hostile pipeline cannot make resolution
/// quadratic without bound.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    pub exhausted: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            left: NODE_BUDGET,
            exhausted: false,
        }
    }
}

impl Budget {
    pub fn take(&mut self, nodes: usize) -> bool {
        if nodes > self.left {
            self.exhausted = true;
            return false;
        }
        self.left -= nodes;
        true
    }
}

/// Apply `extends:` to every top-level mapping of `root` (jobs and hidden
/// jobs alike), then resolve `!reference` tags everywhere. Names that are
/// not defined go to `missing`; a name left with a `$[[ ... ]]` block that
/// was not interpolated is unknown, and neither.
pub fn resolve(
    root: &GNode,
    problems: &mut Problems,
    missing: &mut Vec<Missing>,
    budget: &mut Budget,
) -> GNode {
    let Some(entries) = root.as_mapping() else {
        return root.clone();
    };
    let index: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.key.as_str()?, i)))
        .collect();
    let mut done: HashMap<usize, (GNode, usize)> = HashMap::new();
    let mut extended = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let value = if entry.value.get("extends").is_some() {
            let mut chain = Vec::new();
            let mut context = Context {
                entries,
                index: &index,
                done: &mut done,
                problems,
                missing,
                budget,
            };
            extend(&mut context, i, &mut chain).0
        } else {
            entry.value.clone()
        };
        extended.push(GEntry {
            key: entry.key.clone(),
            value,
        });
    }
    let merged = GNode {
        value: GValue::Mapping(extended),
        location: root.location,
    };
    let mut out = merged.clone();
    let top = Top::new(&merged);
    if let GValue::Mapping(entries) = &mut out.value {
        for GEntry { key, value } in entries {
            let mut walk = Walk {
                top: &top,
                within: key.as_str().unwrap_or_default(),
                problems: &mut *problems,
                missing: &mut *missing,
                budget: &mut *budget,
            };
            resolve_references(value, &mut walk, 0);
        }
    }
    out
}

/// What resolving the `!reference` tags of one top-level entry works with.
struct Walk<'w, 'n> {
    top: &'w Top<'n>,
    /// The entry's key.
    within: &'w str,
    problems: &'w mut Problems,
    missing: &'w mut Vec<Missing>,
    budget: &'w mut Budget,
}

/// What `extend` works with.
struct Context<'a, 'e> {
    entries: &'e [GEntry],
    index: &'a HashMap<&'e str, usize>,
    done: &'a mut HashMap<usize, (GNode, usize)>,
    problems: &'a mut Problems,
    missing: &'a mut Vec<Missing>,
    budget: &'a mut Budget,
}

/// The merged configuration with an index of its top-level keys, which
/// every `!reference` starts from.
struct Top<'n> {
    root: &'n GNode,
    index: HashMap<&'n str, usize>,
}

impl<'n> Top<'n> {
    fn new(root: &'n GNode) -> Self {
        let mut index = HashMap::new();
        for (i, entry) in root.as_mapping().unwrap_or_default().iter().enumerate() {
            if let Some(key) = entry.key.as_str() {
                // The last of duplicate keys wins, as in `GNode::entry`.
                index.insert(key, i);
            }
        }
        Self { root, index }
    }

    /// The node a reference path names.
    fn lookup(&self, path: &[String]) -> Option<&'n GNode> {
        let (first, rest) = path.split_first()?;
        let at = *self.index.get(first.as_str())?;
        let mut node = &self.root.as_mapping()?.get(at)?.value;
        for key in rest {
            node = node.get(key)?;
        }
        Some(node)
    }
}

/// The value of entry `i` with its `extends:` applied, and how many levels
/// of `extends` it went through; memoised in `done`.
fn extend(context: &mut Context<'_, '_>, i: usize, chain: &mut Vec<usize>) -> (GNode, usize) {
    if let Some(value) = context.done.get(&i) {
        return value.clone();
    }
    let entries = context.entries;
    let own = &entries[i].value;
    let Some(extends) = own.get("extends") else {
        return (own.clone(), 0);
    };
    let name = entries[i].key.as_str().unwrap_or_default();
    if chain.contains(&i) {
        context.problems.push((
            format!("`{name}`: circular dependency detected in `extends`"),
            extends.location,
        ));
        return (own.clone(), 0);
    }
    let parents: Vec<&GNode> = match &extends.value {
        GValue::Sequence(items) => items.iter().collect(),
        _ => vec![extends],
    };
    chain.push(i);
    let mut base: Option<GNode> = None;
    let mut levels = 1;
    for parent in parents {
        let Some(parent_name) = parent.as_str() else {
            context.problems.push((
                "`extends` needs the name of a job or template".into(),
                parent.location,
            ));
            continue;
        };
        let Some(&at) = context.index.get(parent_name) else {
            context.missing.push(Missing {
                name: parent_name.to_string(),
                within: name.to_string(),
                message: format!("`{name}`: unknown key `{parent_name}` in `extends`"),
                unsure: format!(
                    "`{name}`: `extends` names `{parent_name}`, which no file tplint reads defines"
                ),
                location: parent.location,
                opaque: parent_name.contains("$[["),
            });
            continue;
        };
        let (resolved, parent_levels) = extend(context, at, chain);
        if parent_levels >= MAX_EXTENDS_DEPTH {
            // Reported once, where the chain first gets too deep.
            if parent_levels == MAX_EXTENDS_DEPTH {
                context.problems.push((
                    format!("`{name}`: `extends` nested more than {MAX_EXTENDS_DEPTH} levels"),
                    extends.location,
                ));
            }
            levels = levels.max(parent_levels + 1);
            continue;
        }
        levels = levels.max(parent_levels + 1);
        if !context.budget.take(resolved.size()) {
            context.problems.push((
                "`extends` expands to more configuration than tplint reads".into(),
                parent.location,
            ));
            continue;
        }
        base = Some(match base {
            Some(base) => deep_merge(&base, &resolved),
            None => resolved,
        });
    }
    chain.pop();
    let value = match base {
        Some(base) if base.as_mapping().is_some() => deep_merge(&base, own),
        _ => own.clone(),
    };
    context.done.insert(i, (value.clone(), levels));
    (value, levels)
}

/// Replace every `!reference` in `node` by the value it names in `root`.
fn resolve_references(node: &mut GNode, walk: &mut Walk<'_, '_>, depth: usize) {
    match &mut node.value {
        GValue::Reference(path) => {
            let path = path.clone();
            let location = node.location;
            if depth >= MAX_REFERENCE_DEPTH {
                walk.problems.push((
                    format!("`!reference` nested more than {MAX_REFERENCE_DEPTH} levels"),
                    location,
                ));
                *node = GNode::null(location);
                return;
            }
            match walk.top.lookup(&path) {
                Some(found) if walk.budget.take(found.size()) => {
                    let mut value = found.clone();
                    resolve_references(&mut value, walk, depth + 1);
                    *node = value;
                }
                Some(_) => {
                    walk.problems.push((
                        "`!reference` expands to more configuration than tplint reads".into(),
                        location,
                    ));
                    *node = GNode::null(location);
                }
                None => {
                    walk.missing.push(Missing {
                        name: path.first().cloned().unwrap_or_default(),
                        within: walk.within.to_string(),
                        message: format!("`!reference [{}]` names nothing", path.join(", ")),
                        unsure: format!(
                            "`!reference [{}]` names nothing in the files tplint reads",
                            path.join(", ")
                        ),
                        location,
                        opaque: path.iter().any(|p| p.contains("$[[")),
                    });
                    *node = GNode::null(location);
                }
            }
        }
        GValue::Sequence(items) => {
            for item in items {
                resolve_references(item, walk, depth);
            }
        }
        GValue::Mapping(entries) => {
            for entry in entries {
                resolve_references(&mut entry.value, walk, depth);
            }
        }
        GValue::Scalar { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::tree::from_yaml;
    use crate::source::FileId;
    use crate::yaml;

    fn resolved(src: &str) -> (GNode, Problems) {
        let doc = yaml::parse(src).unwrap().root.unwrap();
        let mut problems = Vec::new();
        let tree = from_yaml(&doc, FileId(0), &mut problems);
        let mut missing = Vec::new();
        let out = resolve(&tree, &mut problems, &mut missing, &mut Budget::default());
        problems.extend(
            missing
                .into_iter()
                .filter(|m| !m.opaque)
                .map(|m| (m.message, m.location)),
        );
        (out, problems)
    }

    fn script(node: &GNode, job: &str, key: &str) -> Vec<String> {
        node.get(job)
            .and_then(|j| j.get(key))
            .map(|s| {
                s.flattened()
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn extends_is_multi_level_and_closest_scope_wins() {
        let src = "\
.base:
  image: python:3
  variables: {A: base, B: base}
  script: [base]
.mid:
  extends: .base
  variables: {B: mid}
  before_script: [mid]
job:
  extends: .mid
  variables: {C: job}
";
        let (root, problems) = resolved(src);
        assert!(problems.is_empty(), "{problems:?}");
        let job = root.get("job").unwrap();
        assert_eq!(job.get("image").unwrap().as_str(), Some("python:3"));
        let vars = job.get("variables").unwrap();
        assert_eq!(vars.get("A").unwrap().as_str(), Some("base"));
        assert_eq!(vars.get("B").unwrap().as_str(), Some("mid"));
        assert_eq!(vars.get("C").unwrap().as_str(), Some("job"));
        assert_eq!(script(&root, "job", "script"), ["base"]);
        assert_eq!(script(&root, "job", "before_script"), ["mid"]);
        // the inherited value points at the template's text
        let image = job.get("image").unwrap();
        assert_eq!(&src[image.location.span.range()], "python:3");
    }

    #[test]
    fn extends_replaces_arrays_and_the_last_parent_wins() {
        let src = "\
.a: {script: [a], tags: [x]}
.b: {script: [b1, b2]}
job:
  extends: [.a, .b]
  tags: [y]
";
        let (root, _) = resolved(src);
        assert_eq!(script(&root, "job", "script"), ["b1", "b2"]);
        assert_eq!(script(&root, "job", "tags"), ["y"]);
    }

    #[test]
    fn extends_null_removes_a_key() {
        let (root, _) = resolved(".b: {variables: {A: 1}}\nj: {extends: .b, variables: null}\n");
        assert!(root.get("j").unwrap().get("variables").unwrap().is_null());
    }

    #[test]
    fn extends_cycles_unknown_parents_and_depth_are_problems() {
        let (_, problems) = resolved(".a: {extends: .b}\n.b: {extends: .a}\n");
        assert!(problems.iter().any(|(m, _)| m.contains("circular")));
        let (_, problems) = resolved("j: {extends: .nope}\n");
        assert!(problems.iter().any(|(m, _)| m.contains("unknown key")));
        let mut src = String::from(".t0: {script: [x]}\n");
        for i in 1..=12 {
            src.push_str(&format!(".t{i}: {{extends: .t{}}}\n", i - 1));
        }
        src.push_str("j: {extends: .t12}\n");
        let (_, problems) = resolved(&src);
        assert!(problems.iter().any(|(m, _)| m.contains("nested more than")));
        let (_, problems) =
            resolved(".t1: {extends: .t0}\n.t0: {script: [x]}\nj: {extends: .t1}\n");
        assert!(problems.is_empty());
    }

    #[test]
    fn references_resolve_after_extends_and_nest() {
        let src = "\
.snippets:
  one: [echo one]
  two:
    - !reference [.snippets, one]
    - echo two
.base: {script: [from-base]}
other: {extends: .base}
job:
  script:
    - !reference [.snippets, two]
    - !reference [other, script]
  variables:
    V: !reference [.vars, variables, X]
.vars: {variables: {X: x}}
";
        let (root, problems) = resolved(src);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            script(&root, "job", "script"),
            ["echo one", "echo two", "from-base"]
        );
        let v = root.get("job").unwrap().get("variables").unwrap().get("V");
        assert_eq!(v.unwrap().as_str(), Some("x"));
        // the referenced line keeps its own place
        let line = root.get("job").unwrap().get("script").unwrap().flattened()[0];
        assert_eq!(&src[line.location.span.range()], "echo one");
    }

    #[test]
    fn unknown_and_self_references_are_problems_not_hangs() {
        let (_, problems) = resolved("j: {script: [!reference [nope, script]]}\n");
        assert!(problems[0].0.contains("names nothing"));
        let (_, problems) = resolved("j: {script: [!reference [j, script]]}\n");
        assert!(problems.iter().any(|(m, _)| m.contains("nested more than")));
    }
}
