//! Typed GitLab jobs, read from the merged and resolved configuration, with
//! `default:` and `inherit:` applied (`_index.md`, `default`: "job
//! configuration and default configuration does not merge together"; a job
//! key replaces the default key).

use super::rules::{self, Rule};
use super::tree::{GNode, GValue, Located};
use super::{GitlabPipeline, Problem, RESERVED_KEYS, resolve};
use crate::diagnostic::Location;

/// Keys of `default:` that jobs inherit (`_index.md`, `default`), and the
/// deprecated global keys that act as defaults.
pub const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];
const LEGACY_GLOBAL_DEFAULTS: &[&str] = &[
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// A CI/CD variable set in the configuration.
#[derive(Clone, Debug)]
pub struct Variable {
    pub name: Located<String>,
    /// The value as written (`$OTHER` stays as is); empty for a value that
    /// is not a string.
    pub value: Located<String>,
    /// Set by the job rather than the top-level `variables:`.
    pub job_level: bool,
}

/// An `id_tokens:` entry: GitLab puts a signed OIDC token with audience
/// `aud` in the variable `name`.
#[derive(Clone, Debug)]
pub struct IdToken {
    pub name: Located<String>,
    /// The audiences: one for a string, several for a list.
    pub aud: Vec<Located<String>>,
    /// Whether `aud:` is written as a list (PyPI accepts exactly one
    /// audience, decoded with `strict_aud`).
    pub aud_is_list: bool,
    /// The `aud` key, or the entry when it has none.
    pub aud_location: Location,
}

/// `environment:` as a string or `{name: ...}`.
#[derive(Clone, Debug)]
pub struct Environment {
    pub name: Located<String>,
    /// The `environment` key.
    pub key: Location,
}

/// Which part of a job a script line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    BeforeScript,
    Script,
    AfterScript,
}

/// One line of `before_script`, `script` or `after_script`.
#[derive(Clone, Debug)]
pub struct ScriptLine {
    pub kind: ScriptKind,
    pub text: String,
    pub location: Location,
}

/// `only:`/`except:` in their simple form (a list of refs).
#[derive(Clone, Debug)]
pub struct RefPolicy {
    pub refs: Vec<Located<String>>,
    /// Other keys (`variables`, `changes`, `kubernetes`): the policy cannot be
    /// evaluated statically.
    pub complex: bool,
    pub location: Location,
}

/// A job (not a hidden one), after `extends`, `!reference` and `default:`.
#[derive(Clone, Debug)]
pub struct GitlabJob {
    pub name: Located<String>,
    /// The merged job mapping.
    pub node: GNode,
    pub stage: Option<Located<String>>,
    pub extends: Vec<Located<String>>,
    /// Global variables it inherits, then its own (its own win).
    pub variables: Vec<Variable>,
    /// The variables of each job `parallel: matrix:` makes of it, in
    /// order (empty without a matrix), at most [`MAX_MATRIX`].
    pub matrix: Vec<Vec<Variable>>,
    /// Effective `id_tokens` (the job's, else the default's).
    pub id_tokens: Vec<IdToken>,
    /// The `id_tokens` key in effect.
    pub id_tokens_key: Option<Location>,
    /// Whether `id_tokens` comes from `default:`.
    pub id_tokens_from_default: bool,
    /// The job's own `id_tokens` key when it replaces a `default:` one.
    pub replaces_default_id_tokens: Option<Location>,
    pub environment: Option<Environment>,
    pub image: Option<Located<String>>,
    pub image_from_default: bool,
    /// `before_script` then `script` lines; `after_script` runs in another shell.
    pub script: Vec<ScriptLine>,
    pub after_script: Vec<ScriptLine>,
    pub rules: Option<Vec<Rule>>,
    pub only: Option<RefPolicy>,
    pub except: Option<RefPolicy>,
    pub needs: Vec<Located<String>>,
    pub dependencies: Vec<Located<String>>,
    /// `when:` of the job itself.
    pub when: Option<Located<String>>,
    /// A trigger job starts another pipeline and runs no script.
    pub trigger: Option<Location>,
}

/// Most values a `parallel:matrix` expansion yields (GitLab allows 200
/// jobs a matrix: `_index.md`, `parallel:matrix`).
const MAX_MATRIX_VALUES: usize = 200;

impl GitlabJob {
    pub fn key(&self) -> Location {
        self.name.location
    }

    /// The values `text` takes in the jobs of the job's `parallel:matrix`,
    /// once each, when every `$NAME`/`${NAME}` in it is a variable of the
    /// matrix entry (`_index.md`, `parallel:matrix`: the matrix variables
    /// are the jobs' variables, `environment: $PROVIDER/$STACK` in its
    /// example). `None` without a matrix or when one is not.
    pub fn matrix_values(&self, text: &str) -> Option<Vec<String>> {
        static VAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").expect("valid regex literal")
        });
        let entries = self.node.get("parallel")?.get("matrix")?.as_sequence()?;
        let mut out: Vec<String> = Vec::new();
        for entry in entries {
            // Each variable's values in this entry (a scalar or a list).
            let mut values: Vec<(&str, Vec<&str>)> = Vec::new();
            for e in entry.as_mapping()? {
                let name = e.key.as_str()?;
                let list = match e.value.as_sequence() {
                    Some(items) => items
                        .iter()
                        .map(GNode::as_str)
                        .collect::<Option<Vec<_>>>()?,
                    None => vec![e.value.as_str()?],
                };
                values.push((name, list));
            }
            let mut texts = vec![text.to_string()];
            for found in VAR.captures_iter(text) {
                let (whole, name) = (found.get(0)?.as_str(), found.get(1)?.as_str());
                let (_, choices) = values.iter().find(|(n, _)| *n == name)?;
                texts = texts
                    .iter()
                    .flat_map(|t| choices.iter().map(move |c| t.replacen(whole, c, 1)))
                    .collect();
                if texts.len() > MAX_MATRIX_VALUES {
                    return None;
                }
            }
            for t in texts {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        (!out.is_empty() && out.iter().all(|t| !t.contains('$'))).then_some(out)
    }

    /// The `id_tokens` entry named `name`.
    pub fn id_token(&self, name: &str) -> Option<&IdToken> {
        self.id_tokens.iter().find(|t| t.name.value == name)
    }

    /// Every script line, `after_script` last.
    pub fn all_lines(&self) -> impl Iterator<Item = &ScriptLine> {
        self.script.iter().chain(&self.after_script)
    }
}

/// Most jobs `parallel: matrix:` makes of one job: GitLab's own limit
/// (CI/CD YAML reference, `parallel:matrix`: "The number of permutations
/// cannot exceed 200").
pub const MAX_MATRIX: usize = 200;

/// The variable sets of `parallel: matrix:`: each entry of the list gives
/// every combination of its variables' values (a value or a list of
/// values), the entries one after the other.
fn matrix(node: Option<&GNode>) -> Vec<Vec<Variable>> {
    let Some(entries) = node
        .and_then(|p| p.get("matrix"))
        .and_then(GNode::as_sequence)
    else {
        return Vec::new();
    };
    let mut all: Vec<Vec<Variable>> = Vec::new();
    for entry in entries {
        let Some(fields) = entry.as_mapping() else {
            continue;
        };
        let mut combinations: Vec<Vec<Variable>> = vec![Vec::new()];
        for field in fields {
            let Some(name) = field.key.located_str() else {
                continue;
            };
            let values: Vec<Located<String>> = match field.value.as_sequence() {
                Some(items) => items.iter().filter_map(GNode::located_str).collect(),
                None => field.value.located_str().into_iter().collect(),
            };
            if values.is_empty() {
                continue;
            }
            let mut next = Vec::new();
            for combination in &combinations {
                for value in &values {
                    if next.len() >= MAX_MATRIX {
                        break;
                    }
                    let mut extended = combination.clone();
                    extended.push(Variable {
                        name: name.clone(),
                        value: value.clone(),
                        job_level: true,
                    });
                    next.push(extended);
                }
            }
            combinations = next;
        }
        for combination in combinations {
            if all.len() >= MAX_MATRIX {
                return all;
            }
            if !combination.is_empty() {
                all.push(combination);
            }
        }
    }
    all
}

/// Fill `pipeline` from the merged configuration.
pub fn build(pipeline: &mut GitlabPipeline, merged: &GNode) {
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let mut budget = resolve::Budget::default();
    let config = resolve::resolve(merged, &mut problems, &mut missing, &mut budget);
    pipeline.problems.extend(
        problems
            .into_iter()
            .map(|(message, location)| Problem::new(message, location)),
    );
    missing_names(pipeline, missing);
    let Some(entries) = config.as_mapping() else {
        return;
    };
    pipeline.stages = config
        .get("stages")
        .or_else(|| config.get("types"))
        .map(|s| {
            s.flattened()
                .iter()
                .filter_map(|n| n.located_str())
                .collect()
        })
        .unwrap_or_default();
    pipeline.variables = variables(config.get("variables"), false);
    pipeline.workflow_rules = config
        .get("workflow")
        .and_then(|w| w.get("rules"))
        .map(rules::read);
    let mut defaults: Vec<(&str, &GNode)> = Vec::new();
    for key in LEGACY_GLOBAL_DEFAULTS {
        if let Some(value) = config.get(key) {
            defaults.push((key, value));
        }
    }
    if let Some(default) = config.get("default").and_then(GNode::as_mapping) {
        for entry in default {
            if let Some(key) = entry.key.as_str()
                && DEFAULT_KEYS.contains(&key)
            {
                if defaults.iter().any(|(k, _)| *k == key) {
                    // `lib/gitlab/ci/config/entry/default.rb`: an error.
                    pipeline.problems.push(Problem::new(
                        format!(
                            "`{key}` is set both at the top level and in `default:`; GitLab rejects the pipeline"
                        ),
                        entry.key.location,
                    ));
                }
                defaults.retain(|(k, _)| *k != key);
                defaults.push((key, &entry.value));
            }
        }
    }
    for entry in entries {
        let Some(name) = entry.key.located_str() else {
            continue;
        };
        if RESERVED_KEYS.contains(&name.value.as_str()) {
            continue;
        }
        if name.value.starts_with('.') {
            pipeline.hidden.push(name);
            continue;
        }
        if entry.value.as_mapping().is_none() {
            pipeline.problems.push(Problem::new(
                format!("job `{}` must be a mapping of keywords", name.value),
                entry.value.location,
            ));
            continue;
        }
        let job = job(name, &entry.value, &defaults, &pipeline.variables);
        pipeline.jobs.push(job);
    }
    pipeline.config = Some(config);
}

/// Most includes tplint names as related locations of one problem.
const MAX_RELATED_INCLUDES: usize = 3;

/// Report names that `extends:` and `!reference` use and nothing defines.
/// When configuration tplint does not read exists (an include it cannot
/// read, a key it could not interpolate), that configuration may define the
/// name, as GitLab merges included files into the pipeline before
/// resolving `extends:` (`includes.md`, "Merge method for `include`"): one
/// note for the pipeline, listing the names, not an error.
fn missing_names(pipeline: &mut GitlabPipeline, missing: Vec<resolve::Missing>) {
    for m in &missing {
        if !pipeline.undefined_in.contains(&m.within) {
            pipeline.undefined_in.push(m.within.clone());
        }
    }
    // A name left as `$[[ ... ]]` (a file with no `spec:` header, or an
    // input tplint could not evaluate) names something unknown.
    let (opaque, missing): (Vec<_>, Vec<_>) = missing.into_iter().partition(|m| m.opaque);
    for m in opaque {
        pipeline.uninterpolated.push(super::inputs::Uninterpolated {
            location: m.location,
            key: false,
        });
    }
    let unread: Vec<&super::Include> = pipeline.includes.iter().filter(|i| !i.readable).collect();
    // A value tplint could not interpolate names no job or template.
    let unknown_key = pipeline
        .uninterpolated
        .iter()
        .find(|u| u.key)
        .map(|u| u.location);
    if unread.is_empty() && unknown_key.is_none() {
        pipeline.problems.extend(
            missing
                .into_iter()
                .map(|m| Problem::new(m.message, m.location)),
        );
        return;
    }
    let mut related: Vec<(Location, String)> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for include in &unread {
        let text = format!("`{}`", include_text(include));
        if !sources.contains(&text) {
            sources.push(text);
            related.push((include.location, "an include tplint does not read".into()));
        }
    }
    let shown = sources.len().min(MAX_RELATED_INCLUDES);
    related.truncate(MAX_RELATED_INCLUDES);
    // Uses of each name, in the order of their first use.
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut names: Vec<(resolve::Missing, usize)> = Vec::new();
    for m in missing {
        match at.get(&m.name) {
            Some(&i) => names[i].1 += 1,
            None => {
                at.insert(m.name.clone(), names.len());
                names.push((m, 1));
            }
        }
    }
    // One note for the whole pipeline: the same includes explain every
    // name, and a note a name repeated them (up to 9 notes on one
    // freedesktop-templated pipeline).
    let it = if names.len() == 1 { "it" } else { "them" };
    let mut from = match sources.len() {
        0 => String::new(),
        1 => format!(
            "the include {}, which tplint does not read, may define {it}",
            sources[0]
        ),
        n => format!(
            "one of the includes tplint does not read ({}{}) may define {it}",
            sources[..shown].join(", "),
            if n > shown {
                format!(", and {} more", n - shown)
            } else {
                String::new()
            }
        ),
    };
    if let Some(key) = unknown_key {
        related.push((key, "a `$[[ ... ]]` tplint could not evaluate".into()));
        if from.is_empty() {
            from = format!("a key whose `$[[ ... ]]` tplint could not evaluate may define {it}");
        } else {
            from.push_str(", or a key whose `$[[ ... ]]` tplint could not evaluate");
        }
    }
    let mut names = names.into_iter();
    let Some((first, uses)) = names.next() else {
        return;
    };
    let others: Vec<(resolve::Missing, usize)> = names.collect();
    let message = if others.is_empty() {
        format!("{}{}; {from}", first.unsure, other_uses(uses))
    } else {
        let listed: Vec<String> = std::iter::once((&first, uses))
            .chain(others.iter().map(|(m, uses)| (m, *uses)))
            .take(MAX_LISTED_NAMES)
            .map(|(m, uses)| format!("`{}`{}", m.name, other_uses(uses)))
            .collect();
        let more = match (others.len() + 1).saturating_sub(MAX_LISTED_NAMES) {
            0 => String::new(),
            n => format!(", and {n} more"),
        };
        format!(
            "{} names that `extends:` or `!reference` use are defined by no file tplint reads: {}{more}; {from}",
            others.len() + 1,
            listed.join(", ")
        )
    };
    related.extend(
        others
            .iter()
            .take(MAX_LISTED_NAMES - 1)
            .map(|(m, _)| (m.location, format!("`{}` is not defined either", m.name))),
    );
    pipeline.problems.push(Problem {
        message,
        location: first.location,
        unsure: true,
        related,
    });
}

/// Most names one note lists (and marks as related locations).
const MAX_LISTED_NAMES: usize = 5;

/// How many more times than once a name is used, as said after it.
fn other_uses(uses: usize) -> String {
    match uses {
        0 | 1 => String::new(),
        2 => " (and 1 other use)".to_string(),
        n => format!(" (and {} other uses)", n - 1),
    }
}

/// An include entry as written, shortly: `project: group/name`.
pub(crate) fn include_text(include: &super::Include) -> String {
    use super::IncludeKind;
    let kind = match include.kind {
        IncludeKind::Local => "local",
        IncludeKind::Project => "project",
        IncludeKind::Remote => "remote",
        IncludeKind::Template => "template",
        IncludeKind::Component => "component",
        IncludeKind::Other => "include",
    };
    format!("{kind}: {}", include.target.value)
}

/// Which inherited keys a job takes: `inherit: default|variables:` is
/// `true` (all), `false` (none) or a list of names.
fn inherits(node: &GNode, what: &str, key: &str) -> bool {
    let Some(setting) = node.get("inherit").and_then(|i| i.get(what)) else {
        return true;
    };
    match &setting.value {
        GValue::Scalar { text, .. } => !is_false(text),
        GValue::Sequence(items) => items.iter().any(|i| i.as_str() == Some(key)),
        _ => true,
    }
}

/// A YAML 1.1 false, as GitLab's loader (Ruby's Psych) reads it.
fn is_false(text: &str) -> bool {
    matches!(
        text,
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
    )
}

fn job(
    name: Located<String>,
    node: &GNode,
    defaults: &[(&str, &GNode)],
    globals: &[Variable],
) -> GitlabJob {
    let default = |key: &str| -> Option<&GNode> {
        if node.get(key).is_some() || !inherits(node, "default", key) {
            return None;
        }
        defaults.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    };
    let own_or_default = |key: &str| -> (Option<&GNode>, bool) {
        match node.get(key) {
            Some(value) => (Some(value), false),
            None => (default(key), default(key).is_some()),
        }
    };
    let (id_tokens_node, id_tokens_from_default) = own_or_default("id_tokens");
    let replaces_default_id_tokens = node
        .entry("id_tokens")
        .filter(|_| defaults.iter().any(|(k, _)| *k == "id_tokens"))
        .map(|e| e.key.location);
    let id_tokens_key = if id_tokens_from_default {
        id_tokens_node.map(|n| n.location)
    } else {
        node.entry("id_tokens").map(|e| e.key.location)
    };
    let (image_node, image_from_default) = own_or_default("image");
    let image = image_node.and_then(|image| {
        image
            .located_str()
            .or_else(|| image.get("name").and_then(GNode::located_str))
    });
    let mut script = Vec::new();
    for (key, kind) in [
        ("before_script", ScriptKind::BeforeScript),
        ("script", ScriptKind::Script),
    ] {
        if let (Some(lines), _) = own_or_default(key) {
            script.extend(lines_of(lines, kind));
        }
    }
    let after_script = own_or_default("after_script")
        .0
        .map(|lines| lines_of(lines, ScriptKind::AfterScript))
        .unwrap_or_default();
    let mut variables: Vec<Variable> = globals
        .iter()
        .filter(|v| inherits(node, "variables", &v.name.value))
        .cloned()
        .collect();
    for own in self::variables(node.get("variables"), true) {
        variables.retain(|v| v.name.value != own.name.value);
        variables.push(own);
    }
    let environment = node.entry("environment").and_then(|entry| {
        let name = entry
            .value
            .located_str()
            .or_else(|| entry.value.get("name").and_then(GNode::located_str))?;
        Some(Environment {
            name,
            key: entry.key.location,
        })
    });
    let names = |key: &str| -> Vec<Located<String>> {
        node.get(key)
            .map(|v| {
                v.flattened()
                    .iter()
                    .filter_map(|n| {
                        n.located_str()
                            .or_else(|| n.get("job").and_then(GNode::located_str))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    GitlabJob {
        stage: node.get("stage").and_then(GNode::located_str),
        extends: names("extends"),
        variables,
        matrix: matrix(node.get("parallel")),
        id_tokens: id_tokens_node.map(id_tokens).unwrap_or_default(),
        id_tokens_key,
        id_tokens_from_default,
        replaces_default_id_tokens,
        environment,
        image,
        image_from_default,
        script,
        after_script,
        rules: node.get("rules").map(rules::read),
        only: node.get("only").map(ref_policy),
        except: node.get("except").map(ref_policy),
        needs: names("needs"),
        dependencies: names("dependencies"),
        when: node.get("when").and_then(GNode::located_str),
        trigger: node.entry("trigger").map(|e| e.key.location),
        node: node.clone(),
        name,
    }
}

fn lines_of(node: &GNode, kind: ScriptKind) -> Vec<ScriptLine> {
    node.flattened()
        .into_iter()
        .filter_map(|line| {
            Some(ScriptLine {
                kind,
                text: line.as_str()?.to_string(),
                location: line.location,
            })
        })
        .collect()
}

/// `variables:` entries: `NAME: value` or `NAME: {value: ..., ...}`.
fn variables(node: Option<&GNode>, job_level: bool) -> Vec<Variable> {
    let Some(entries) = node.and_then(GNode::as_mapping) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = entry.key.located_str()?;
            let value = entry
                .value
                .located_str()
                .or_else(|| entry.value.get("value").and_then(GNode::located_str))
                .unwrap_or_else(|| Located::new(String::new(), entry.value.location));
            Some(Variable {
                name,
                value,
                job_level,
            })
        })
        .collect()
}

fn id_tokens(node: &GNode) -> Vec<IdToken> {
    let Some(entries) = node.as_mapping() else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let name = entry.key.located_str()?;
            let aud = entry.value.entry("aud");
            let (values, is_list) = match aud.map(|a| &a.value) {
                Some(value) => match &value.value {
                    GValue::Sequence(_) => (
                        value
                            .flattened()
                            .iter()
                            .filter_map(|n| n.located_str())
                            .collect(),
                        true,
                    ),
                    _ => (value.located_str().into_iter().collect(), false),
                },
                None => (Vec::new(), false),
            };
            Some(IdToken {
                name,
                aud: values,
                aud_is_list: is_list,
                aud_location: aud.map_or(entry.value.location, |a| a.key.location),
            })
        })
        .collect()
}

fn ref_policy(node: &GNode) -> RefPolicy {
    let (refs_node, complex) = match &node.value {
        GValue::Mapping(entries) => (
            node.get("refs"),
            entries.iter().any(|e| e.key.as_str() != Some("refs")),
        ),
        _ => (Some(node), false),
    };
    RefPolicy {
        refs: refs_node
            .map(|r| {
                r.flattened()
                    .iter()
                    .filter_map(|n| n.located_str())
                    .collect()
            })
            .unwrap_or_default(),
        complex,
        location: node.location,
    }
}
