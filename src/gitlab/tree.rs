//! The value tree of a GitLab pipeline: YAML nodes that remember the file
//! they came from, so that a configuration merged from several files still
//! points every key and value at its exact place. `<<:` merge keys are
//! applied while converting (anchors are local to a file), `!reference`
//! tags stay as [`GValue::Reference`] until the whole configuration is
//! merged, and [`deep_merge`] is GitLab's merge of `include:` and `extends:`.

use crate::diagnostic::Location;
use crate::source::{FileId, Span};
use crate::yaml::{Node, ScalarKind, Value};

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub location: Location,
}

impl<T> Located<T> {
    pub fn new(value: T, location: Location) -> Self {
        Self { value, location }
    }
}

#[derive(Clone, Debug)]
pub struct GNode {
    pub value: GValue,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub enum GValue {
    Scalar {
        text: String,
        kind: ScalarKind,
    },
    Sequence(Vec<GNode>),
    Mapping(Vec<GEntry>),
    /// `!reference [key, key, ...]`, not yet resolved.
    Reference(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct GEntry {
    pub key: GNode,
    pub value: GNode,
}

impl GNode {
    pub fn null(location: Location) -> Self {
        Self {
            value: GValue::Scalar {
                text: String::new(),
                kind: ScalarKind::Plain,
            },
            location,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            GValue::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[GEntry]> {
        match &self.value {
            GValue::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[GNode]> {
        match &self.value {
            GValue::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, GValue::Scalar { text, kind: ScalarKind::Plain }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The entry of `key` (the last one, as YAML loaders keep the last of
    /// duplicate keys).
    pub fn entry(&self, key: &str) -> Option<&GEntry> {
        self.as_mapping()?
            .iter()
            .rev()
            .find(|e| e.key.as_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&GNode> {
        self.entry(key).map(|e| &e.value)
    }

    /// A scalar's text with its location.
    pub fn located_str(&self) -> Option<Located<String>> {
        self.as_str()
            .map(|text| Located::new(text.to_string(), self.location))
    }

    /// The node's scalars, with nested sequences flattened (GitLab flattens
    /// `script:` and `rules:` arrays nested up to [`MAX_FLATTEN`] deep).
    pub fn flattened(&self) -> Vec<&GNode> {
        let mut out = Vec::new();
        flatten_into(self, 0, &mut out);
        out
    }

    /// Number of nodes in the tree.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            GValue::Scalar { .. } | GValue::Reference(_) => 0,
            GValue::Sequence(items) => items.iter().map(GNode::size).sum(),
            GValue::Mapping(entries) => entries.iter().map(|e| e.key.size() + e.value.size()).sum(),
        }
    }
}

/// Deepest nesting of arrays flattened in `script:`-like keys (GitLab
/// accepts nested arrays of strings up to 10 levels: `yaml_optimization.md`,
/// "Nest `!reference` tags in `script`").
pub const MAX_FLATTEN: usize = 10;

fn flatten_into<'n>(node: &'n GNode, depth: usize, out: &mut Vec<&'n GNode>) {
    match &node.value {
        GValue::Sequence(items) if depth <= MAX_FLATTEN => {
            for item in items {
                flatten_into(item, depth + 1, out);
            }
        }
        GValue::Sequence(_) => {}
        _ if depth == 0 && node.is_null() => {}
        _ => out.push(node),
    }
}

/// Convert a YAML node of `file`, applying `<<:` merge keys. `problems`
/// receives what cannot be read (a `!reference` whose value is not a list
/// of names, a merge key whose value is not a mapping).
pub fn from_yaml(node: &Node, file: FileId, problems: &mut Vec<(String, Location)>) -> GNode {
    let location = Location::new(file, node.span);
    if node.tag.as_deref() == Some("!reference") {
        let path: Option<Vec<String>> = node.as_sequence().and_then(|items| {
            items
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect()
        });
        return match path {
            Some(path) if !path.is_empty() => GNode {
                value: GValue::Reference(path),
                location,
            },
            _ => {
                problems.push((
                    "`!reference` needs a list of names, such as `[.setup, script]`".into(),
                    location,
                ));
                GNode::null(location)
            }
        };
    }
    let value = match &node.value {
        Value::Scalar { text, kind } => GValue::Scalar {
            text: text.clone(),
            kind: *kind,
        },
        Value::Sequence(items) => GValue::Sequence(
            items
                .iter()
                .map(|item| from_yaml(item, file, problems))
                .collect(),
        ),
        Value::Mapping(entries) => {
            let mut merged: Vec<GEntry> = Vec::new();
            let mut own: Vec<GEntry> = Vec::new();
            for entry in entries.iter() {
                let is_merge = entry.key.as_str() == Some("<<")
                    && matches!(
                        &entry.key.value,
                        Value::Scalar {
                            kind: ScalarKind::Plain,
                            ..
                        }
                    );
                if !is_merge {
                    own.push(GEntry {
                        key: from_yaml(&entry.key, file, problems),
                        value: from_yaml(&entry.value, file, problems),
                    });
                    continue;
                }
                // YAML merge keys: a mapping or a list of mappings; keys of
                // the mapping itself win, then earlier merged mappings.
                let sources: Vec<&Node> = match &entry.value.value {
                    Value::Sequence(items) => items.iter().collect(),
                    _ => vec![&entry.value],
                };
                for source in sources {
                    let Some(source_entries) = source.as_mapping() else {
                        problems.push((
                            "a `<<` merge key needs a mapping (or a list of mappings)".into(),
                            Location::new(file, source.span),
                        ));
                        continue;
                    };
                    for e in source_entries.iter() {
                        let key = e.key.as_str();
                        if key.is_some() && merged.iter().any(|m| m.key.as_str() == key) {
                            continue;
                        }
                        merged.push(GEntry {
                            key: from_yaml(&e.key, file, problems),
                            value: from_yaml(&e.value, file, problems),
                        });
                    }
                }
            }
            merged.retain(|m| {
                let key = m.key.as_str();
                key.is_none() || !own.iter().any(|o| o.key.as_str() == key)
            });
            merged.extend(own);
            GValue::Mapping(merged)
        }
    };
    GNode { value, location }
}

/// GitLab's deep merge of `b` over `a`: mappings merge key by key at any
/// depth; anything else (arrays included) is replaced by `b`'s value
/// (`includes.md`, "Merge method for `include`"; `yaml_optimization.md`,
/// "Merge details"). Keys keep the place where they first appeared.
pub fn deep_merge(a: &GNode, b: &GNode) -> GNode {
    match (&a.value, &b.value) {
        (GValue::Mapping(left), GValue::Mapping(right)) => {
            let mut entries = left.clone();
            // Position of each key (the last of duplicates), so merging two
            // large mappings (thousands of jobs) stays linear.
            let mut positions: std::collections::HashMap<String, usize> = left
                .iter()
                .enumerate()
                .filter_map(|(i, e)| Some((e.key.as_str()?.to_string(), i)))
                .collect();
            for entry in right {
                match entry.key.as_str().and_then(|k| positions.get(k)) {
                    Some(&at) => entries[at].value = deep_merge(&entries[at].value, &entry.value),
                    None => {
                        if let Some(key) = entry.key.as_str() {
                            positions.insert(key.to_string(), entries.len());
                        }
                        entries.push(entry.clone());
                    }
                }
            }
            GNode {
                value: GValue::Mapping(entries),
                location: a.location,
            }
        }
        _ => b.clone(),
    }
}

/// A node covering nothing, at the start of `file`.
pub fn file_start(file: FileId) -> Location {
    Location::new(file, Span::empty(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn tree(src: &str) -> (GNode, Vec<(String, Location)>) {
        let doc = yaml::parse(src).unwrap().root.unwrap();
        let mut problems = Vec::new();
        (from_yaml(&doc, FileId(0), &mut problems), problems)
    }

    #[test]
    fn merge_keys_merge_with_own_keys_winning() {
        let src = ".t: &t\n  image: a\n  stage: s\nj:\n  <<: *t\n  image: b\n";
        let (root, problems) = tree(src);
        assert!(problems.is_empty());
        let j = root.get("j").unwrap();
        assert_eq!(j.get("image").unwrap().as_str(), Some("b"));
        assert_eq!(j.get("stage").unwrap().as_str(), Some("s"));
        assert!(j.get("<<").is_none());
        // the merged value points at the anchored original
        let stage = j.get("stage").unwrap();
        assert_eq!(&src[stage.location.span.range()], "s");
    }

    #[test]
    fn merge_key_lists_prefer_the_first_mapping() {
        let (root, _) = tree("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n");
        let c = root.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("y").unwrap().as_str(), Some("2"));
    }

    #[test]
    fn bad_merge_keys_and_references_are_problems() {
        let (_, problems) = tree("a:\n  <<: 3\nb: !reference x\n");
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn deep_merge_merges_hashes_and_replaces_arrays() {
        let (a, _) = tree("v: {A: 1, B: 1}\ns: [x, y]\nk: 1\n");
        let (b, _) = tree("v: {B: 2}\ns: [z]\n");
        let m = deep_merge(&a, &b);
        let v = m.get("v").unwrap();
        assert_eq!(v.get("A").unwrap().as_str(), Some("1"));
        assert_eq!(v.get("B").unwrap().as_str(), Some("2"));
        assert_eq!(m.get("s").unwrap().as_sequence().unwrap().len(), 1);
        assert_eq!(m.get("k").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn nested_script_arrays_flatten() {
        let (root, _) = tree("s: [a, [b, [c]], d]\n");
        let words: Vec<_> = root
            .get("s")
            .unwrap()
            .flattened()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(words, ["a", "b", "c", "d"]);
    }
}
