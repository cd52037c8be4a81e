//! Reads a YAML document into the workflow model, polymorphic fields and all.

use std::collections::HashSet;

use super::action::{Action, ActionInput};
use super::{
    Access, Environment, Job, KeyValue, Permissions, PermissionsKind, Problem, RunsOn, Scope,
    Secrets, Spanned, Step, Trigger, Uses, UsesTarget, Workflow, WorkflowCall,
};
use crate::source::Span;
use crate::yaml::{Document, Entry, Node, Value};

/// Mappings with at most this many keys are checked for a repeated key by
/// comparing each key with those before it, which costs less than hashing.
const SCANNED_KEYS: usize = 16;

/// Build the model of one workflow. Never fails: problems are collected.
pub fn build(source: &str, document: &Document) -> Workflow {
    let mut reader = Reader {
        source,
        document,
        problems: Vec::new(),
    };
    let workflow = reader.workflow();
    Workflow {
        problems: reader.problems,
        ..workflow
    }
}

/// Build the model of a local action's `action.yml`. Never fails: problems
/// are collected, as for workflows.
pub fn build_action(source: &str, document: &Document) -> Action {
    let mut reader = Reader {
        source,
        document,
        problems: Vec::new(),
    };
    let action = reader.action();
    Action {
        problems: reader.problems,
        ..action
    }
}

struct Reader<'a> {
    source: &'a str,
    document: &'a Document,
    problems: Vec<Problem>,
}

fn text(node: &Node) -> Spanned<String> {
    Spanned::new(node.as_str().unwrap_or_default().to_string(), node.span)
}

impl Reader<'_> {
    fn problem(&mut self, span: impl Into<Span>, message: impl Into<String>) {
        self.problems.push(Problem {
            message: message.into(),
            span: span.into(),
        });
    }

    /// The entries of a mapping, reporting a non-mapping and duplicate keys.
    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Entry] {
        let Some(entries) = node.as_mapping() else {
            if !node.is_null() {
                self.problem(
                    node.span,
                    format!("{what} must be a mapping, found {}", node.kind_name()),
                );
            }
            return &[];
        };
        // A scan of the earlier keys for the few keys most mappings have,
        // a set past them: a mapping can have hundreds of thousands of
        // keys, and a quadratic check would hang on it.
        let scan = entries.len() <= SCANNED_KEYS;
        let mut seen = HashSet::with_capacity(if scan { 0 } else { entries.len() });
        for (index, entry) in entries.iter().enumerate() {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            let repeated = if scan {
                entries[..index]
                    .iter()
                    .any(|earlier| earlier.key.as_str() == Some(key))
            } else {
                !seen.insert(key)
            };
            if repeated && !entry.key.from_alias {
                self.problem(
                    entry.key.span,
                    format!("`{key}` is defined twice in {what}; GitHub rejects duplicate keys"),
                );
            }
        }
        entries
    }

    /// A scalar value; a mapping or sequence is a problem.
    /// `defaults:`'s `run: working-directory:` (a value tplint cannot read
    /// is left out: GitHub reports a malformed `defaults:` itself).
    fn run_working_directory(&mut self, node: &Node) -> Option<Spanned<String>> {
        let folder = node.get("run")?.get("working-directory")?;
        folder.as_str().map(|_| text(folder))
    }

    fn scalar(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        if node.as_str().is_some() {
            Some(text(node))
        } else {
            self.problem(
                node.span,
                format!("{what} must be a string, found {}", node.kind_name()),
            );
            None
        }
    }

    /// A string or a list of strings (`needs`, `runs-on`, `on`).
    fn string_list(&mut self, node: &Node, what: &str) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Scalar { .. } if node.is_null() => Vec::new(),
            Value::Scalar { .. } => vec![text(node)],
            Value::Sequence(items) => items
                .iter()
                .filter_map(|item| self.scalar(item, what))
                .collect(),
            Value::Mapping(_) => {
                self.problem(
                    node.span,
                    format!("{what} must be a string or a list, found a mapping"),
                );
                Vec::new()
            }
        }
    }

    fn key_values(&mut self, node: &Node, what: &str) -> Vec<KeyValue> {
        if node.as_str().is_some() && !node.is_null() {
            // `env: ${{ fromJSON(...) }}` and the like.
            return Vec::new();
        }
        let entries = self.mapping(node, what);
        entries
            .iter()
            .map(|e| KeyValue {
                key: text(&e.key),
                value: if e.value.as_str().is_some() {
                    text(&e.value)
                } else {
                    Spanned::new(String::new(), e.value.span)
                },
            })
            .collect()
    }

    fn workflow(&mut self) -> Workflow {
        let mut workflow = Workflow::default();
        let Some(root) = &self.document.root else {
            self.problem(Span::empty(0), "the workflow file is empty");
            return workflow;
        };
        let entries = self.mapping(root, "a workflow");
        if root.as_mapping().is_none() {
            return workflow;
        }
        let mut jobs_node = None;
        for entry in entries {
            match entry.key.as_str().unwrap_or_default() {
                "name" => workflow.name = self.scalar(&entry.value, "`name`"),
                "on" => {
                    workflow.on_key = Some(entry.key.span);
                    workflow.triggers = self.triggers(&entry.value);
                }
                "permissions" => {
                    workflow.permissions = Some(self.permissions(entry));
                }
                "env" => workflow.env = self.key_values(&entry.value, "`env`"),
                "defaults" => {
                    workflow.run_working_directory = self.run_working_directory(&entry.value);
                }
                "jobs" => jobs_node = Some(entry),
                _ => {}
            }
        }
        if workflow.on_key.is_none() {
            self.problem(
                root.span.start..root.span.start,
                "the workflow has no `on:` trigger; GitHub will not run it",
            );
        }
        match jobs_node {
            None => self.problem(Span::empty(root.span.start), "the workflow has no `jobs:`"),
            Some(entry) => {
                let jobs = self.mapping(&entry.value, "`jobs`");
                if jobs.is_empty() && entry.value.as_mapping().is_some() {
                    self.problem(entry.key.span, "`jobs` is empty");
                }
                workflow.jobs = jobs.iter().filter_map(|e| self.job(e)).collect();
            }
        }
        workflow
    }

    fn action(&mut self) -> Action {
        let mut action = Action::default();
        let Some(root) = &self.document.root else {
            self.problem(Span::empty(0), "the action file is empty");
            return action;
        };
        let entries = self.mapping(root, "an action");
        let mut runs = None;
        for entry in entries {
            match entry.key.as_str().unwrap_or_default() {
                "name" => action.name = self.scalar(&entry.value, "`name`"),
                "inputs" => {
                    for input in self.mapping(&entry.value, "`inputs`") {
                        let default = input.value.get("default").map(|d| {
                            // `default: 0` or `default: false` are scalars too.
                            self.scalar(d, "`default`")
                                .unwrap_or_else(|| Spanned::new(String::new(), d.span))
                        });
                        action.inputs.push(ActionInput {
                            name: text(&input.key),
                            default,
                        });
                    }
                }
                "runs" => runs = Some(entry),
                _ => {}
            }
        }
        let Some(runs) = runs else {
            if root.as_mapping().is_some() {
                self.problem(
                    Span::empty(root.span.start),
                    "the action has no `runs:`; GitHub cannot run it",
                );
            }
            return action;
        };
        let mut steps = None;
        for e in self.mapping(&runs.value, "`runs`") {
            match e.key.as_str().unwrap_or_default() {
                "using" => action.using = self.scalar(&e.value, "`using`"),
                "steps" => steps = Some(&e.value),
                _ => {}
            }
        }
        match (&action.using, steps) {
            (None, _) => self.problem(runs.key.span, "`runs` has no `using`"),
            (Some(_), Some(steps)) if action.is_composite() => {
                action.steps = self.steps(steps);
            }
            (Some(_), None) if action.is_composite() => {
                self.problem(runs.key.span, "a composite action needs `runs.steps`");
            }
            _ => {}
        }
        action
    }

    fn triggers(&mut self, node: &Node) -> Vec<Trigger> {
        match &node.value {
            Value::Mapping(_) => self
                .mapping(node, "`on`")
                .iter()
                .map(|e| Trigger {
                    event: text(&e.key),
                    config: (!e.value.is_null()).then(|| e.value.clone()),
                })
                .collect(),
            _ => self
                .string_list(node, "`on`")
                .into_iter()
                .map(|event| Trigger {
                    event,
                    config: None,
                })
                .collect(),
        }
    }

    fn permissions(&mut self, entry: &Entry) -> Permissions {
        let node = &entry.value;
        let kind = match &node.value {
            Value::Scalar { text, .. } => match text.as_str() {
                "read-all" => PermissionsKind::ReadAll,
                "write-all" => PermissionsKind::WriteAll,
                t if super::is_expression(t) => PermissionsKind::Unknown,
                "" if node.is_null() => PermissionsKind::Scopes(Vec::new()),
                other => {
                    self.problem(
                        node.span,
                        format!(
                            "`permissions: {other}` is not valid; use `read-all`, `write-all` or a mapping of scopes"
                        ),
                    );
                    PermissionsKind::Unknown
                }
            },
            Value::Mapping(_) => {
                let mut scopes = Vec::new();
                for e in self.mapping(node, "`permissions`") {
                    let Some(level) = e.value.as_str() else {
                        self.problem(
                            e.value.span,
                            "a permission must be `read`, `write` or `none`",
                        );
                        continue;
                    };
                    let Some(access) = Access::parse(level) else {
                        self.problem(
                            e.value.span,
                            format!(
                                "`{level}` is not a permission level; use `read`, `write` or `none`"
                            ),
                        );
                        continue;
                    };
                    scopes.push(Scope {
                        name: text(&e.key),
                        access: Spanned::new(access, e.value.span),
                    });
                }
                PermissionsKind::Scopes(scopes)
            }
            Value::Sequence(_) => {
                self.problem(
                    node.span,
                    "`permissions` must be a mapping, `read-all` or `write-all`",
                );
                PermissionsKind::Unknown
            }
        };
        Permissions {
            key: entry.key.span,
            span: node.span,
            kind,
        }
    }

    fn job(&mut self, entry: &Entry) -> Option<Job> {
        let id = text(&entry.key);
        let node = &entry.value;
        if node.as_mapping().is_none() {
            self.problem(
                node.span.join(entry.key.span),
                format!(
                    "job `{}` must be a mapping, found {}",
                    id.value,
                    node.kind_name()
                ),
            );
            return None;
        }
        let mut job = Job {
            id,
            span: entry.key.span.join(node.span),
            keys: node
                .as_mapping()
                .unwrap_or_default()
                .iter()
                .map(|e| text(&e.key))
                .collect(),
            name: None,
            needs: Vec::new(),
            condition: None,
            permissions: None,
            environment: None,
            runs_on: None,
            container: None,
            env: Vec::new(),
            run_working_directory: None,
            strategy: None,
            outputs: Vec::new(),
            steps: Vec::new(),
            call: None,
        };
        let mut steps = None;
        let mut call_uses = None;
        let mut with = Vec::new();
        let mut secrets = Secrets::None;
        let what = format!("job `{}`", job.id.value);
        for e in self.mapping(node, &what) {
            let value = &e.value;
            match e.key.as_str().unwrap_or_default() {
                "name" => job.name = self.scalar(value, "`name`"),
                "needs" => job.needs = self.string_list(value, "`needs`"),
                "if" => job.condition = self.scalar(value, "`if`"),
                "permissions" => job.permissions = Some(self.permissions(e)),
                "environment" => job.environment = self.environment(value),
                "runs-on" => job.runs_on = self.runs_on(value),
                "container" if !value.is_null() => job.container = Some(e.key.span),
                "env" => job.env = self.key_values(value, "`env`"),
                "defaults" => job.run_working_directory = self.run_working_directory(value),
                "strategy" => job.strategy = Some(value.clone()),
                "outputs" => job.outputs = self.key_values(value, "`outputs`"),
                "steps" => steps = Some(e),
                "uses" => call_uses = self.uses(value),
                "with" => with = self.key_values(value, "`with`"),
                "secrets" => {
                    secrets = match value.as_str() {
                        Some("inherit") => Secrets::Inherit(value.span),
                        _ => Secrets::Named(self.key_values(value, "`secrets`")),
                    }
                }
                _ => {}
            }
        }
        match (call_uses, steps) {
            (Some(uses), None) => {
                job.call = Some(WorkflowCall {
                    uses,
                    with,
                    secrets,
                })
            }
            (Some(_), Some(steps)) => self.problem(
                steps.key.span,
                format!("job `{}` has both `uses` and `steps`", job.id.value),
            ),
            (None, Some(steps)) => {
                job.steps = self.steps(&steps.value);
                if job.runs_on.is_none() {
                    self.problem(
                        job.id.span,
                        format!("job `{}` has no `runs-on`", job.id.value),
                    );
                }
            }
            (None, None) => self.problem(
                job.id.span,
                format!("job `{}` has neither `steps` nor `uses`", job.id.value),
            ),
        }
        Some(job)
    }

    fn environment(&mut self, node: &Node) -> Option<Environment> {
        let name = match &node.value {
            Value::Scalar { .. } if node.is_null() => return None,
            Value::Scalar { .. } => text(node),
            Value::Mapping(_) => match node.get("name") {
                Some(name) => self.scalar(name, "`environment.name`")?,
                None => {
                    self.problem(node.span, "`environment` needs a `name`");
                    return None;
                }
            },
            Value::Sequence(_) => {
                self.problem(
                    node.span,
                    "`environment` must be a name or a mapping with `name`",
                );
                return None;
            }
        };
        Some(Environment {
            name,
            span: node.span,
        })
    }

    fn runs_on(&mut self, node: &Node) -> Option<RunsOn> {
        match &node.value {
            Value::Scalar { text: t, .. }
                if t.trim_start().starts_with("${{") && t.trim_end().ends_with("}}") =>
            {
                Some(RunsOn::Expression(text(node)))
            }
            Value::Mapping(_) => Some(RunsOn::Group { span: node.span }),
            _ => Some(RunsOn::Labels(self.string_list(node, "`runs-on`"))),
        }
    }

    fn uses(&mut self, node: &Node) -> Option<Uses> {
        let raw = self.scalar(node, "`uses`")?;
        let source = self.source;
        let target = UsesTarget::parse(&raw.value, |r| node.sub_span(source, r));
        if let UsesTarget::Invalid(reason) = &target {
            self.problem(node.span, reason.clone());
        }
        let comment = self
            .document
            .trailing_comment(self.source, node.span)
            .map(|c| Spanned::new(c.text.trim().to_string(), c.span));
        Some(Uses {
            raw,
            target,
            comment,
        })
    }

    fn steps(&mut self, node: &Node) -> Vec<Step> {
        let Some(items) = node.as_sequence() else {
            if !node.is_null() {
                self.problem(
                    node.span,
                    format!("`steps` must be a list, found {}", node.kind_name()),
                );
            }
            return Vec::new();
        };
        let mut steps = Vec::new();
        for item in items {
            if item.as_mapping().is_none() {
                self.problem(
                    item.span,
                    format!("a step must be a mapping, found {}", item.kind_name()),
                );
                continue;
            }
            // Parallel steps (GitHub Actions, 2026): a `parallel:` group of
            // `uses:`/`run:` steps runs them concurrently, and `wait:`,
            // `wait-all:` and `cancel:` steps synchronise background steps.
            // The group's steps count as the job's, in order; the control
            // steps run nothing (github-actions-models `workflow/job.rs`,
            // `Step::{Parallel, Wait, WaitAll, Cancel}`).
            if let Some(group) = item.get("parallel") {
                match group.as_sequence() {
                    Some(inner) => {
                        for inner in inner {
                            if inner.as_mapping().is_none() {
                                self.problem(
                                    inner.span,
                                    format!(
                                        "a parallel step must be a mapping, found {}",
                                        inner.kind_name()
                                    ),
                                );
                                continue;
                            }
                            let step = self.step(inner, steps.len());
                            steps.push(step);
                        }
                    }
                    None => self.problem(
                        group.span,
                        format!(
                            "`parallel` must be a list of steps, found {}",
                            group.kind_name()
                        ),
                    ),
                }
                continue;
            }
            let control = ["wait", "wait-all", "cancel"]
                .iter()
                .any(|key| item.get(key).is_some());
            if control && item.get("uses").is_none() && item.get("run").is_none() {
                continue;
            }
            let step = self.step(item, steps.len());
            steps.push(step);
        }
        steps
    }

    /// One `uses:` or `run:` step, at position `index` of the job's steps.
    fn step(&mut self, item: &Node, index: usize) -> Step {
        let mut step = Step {
            // The position in `Job::steps`, which skips the entries
            // that are not steps: rules index the job's steps with it.
            index,
            span: item.span,
            id: None,
            name: None,
            uses: None,
            with: Vec::new(),
            with_key: None,
            run: None,
            env: Vec::new(),
            condition: None,
            working_directory: None,
        };
        for e in self.mapping(item, "a step") {
            let value = &e.value;
            match e.key.as_str().unwrap_or_default() {
                "id" => step.id = self.scalar(value, "`id`"),
                "name" => step.name = self.scalar(value, "`name`"),
                "uses" => step.uses = self.uses(value),
                "with" => {
                    step.with_key = Some(e.key.span);
                    step.with = self.key_values(value, "`with`");
                }
                "run" => step.run = self.scalar(value, "`run`"),
                "env" => step.env = self.key_values(value, "`env`"),
                "if" => step.condition = self.scalar(value, "`if`"),
                "working-directory" => {
                    step.working_directory = self.scalar(value, "`working-directory`")
                }
                _ => {}
            }
        }
        let has_uses = item.get("uses").is_some();
        let has_run = item.get("run").is_some();
        if has_uses == has_run {
            let what = if has_uses {
                "both `uses` and `run`"
            } else {
                "neither `uses` nor `run`"
            };
            self.problem(
                item.span.start..item.span.start,
                format!("step {} has {what}", step.label()),
            );
        }
        step
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Self {
        Span::new(range.start, range.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn problems(source: &str) -> Vec<Problem> {
        build(source, &yaml::parse(source).unwrap()).problems
    }

    #[test]
    fn runs_on_says_whether_a_job_runs_on_windows() {
        use crate::tri::Tri;
        let windows = |runs_on: &str| {
            let source = format!(
                "on: push\njobs:\n  t:\n    runs-on: {runs_on}\n    steps:\n      - run: a\n"
            );
            let built = build(&source, &yaml::parse(&source).unwrap());
            built.jobs[0].runs_on.as_ref().map(RunsOn::windows)
        };
        assert_eq!(windows("windows-latest"), Some(Tri::True));
        assert_eq!(windows("[self-hosted, Windows, x64]"), Some(Tri::True));
        assert_eq!(windows("windows-2025-vs2026"), Some(Tri::True));
        assert_eq!(windows("ubuntu-latest"), Some(Tri::False));
        assert_eq!(windows("[self-hosted, linux]"), Some(Tri::False));
        assert_eq!(windows("macos-15"), Some(Tri::False));
        assert_eq!(windows("[self-hosted, big-box]"), Some(Tri::Unknown));
        assert_eq!(windows("${{ matrix.os }}"), Some(Tri::Unknown));
        assert_eq!(windows("{group: large}"), Some(Tri::Unknown));
    }

    #[test]
    fn parallel_groups_and_control_steps_are_valid() {
        let source = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: a\n        id: a\n        background: true\n      - parallel:\n          - run: b\n          - uses: o/r@v1\n      - wait: a\n      - wait-all:\n      - cancel: a\n      - run: c\n";
        let built = build(source, &yaml::parse(source).unwrap());
        assert!(built.problems.is_empty(), "{:?}", built.problems);
        let steps = &built.jobs[0].steps;
        let runs: Vec<_> = steps
            .iter()
            .map(|s| (s.index, s.run.as_ref().map(|r| r.value.as_str())))
            .collect();
        assert_eq!(
            runs,
            vec![(0, Some("a")), (1, Some("b")), (2, None), (3, Some("c"))]
        );
        let bad = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - parallel: run\n      - parallel: [1]\n";
        assert_eq!(problems(bad).len(), 2);
    }

    #[test]
    fn matrix_values_are_read_only_when_written_out() {
        let values = |matrix: &str| {
            let source = format!("strategy:\n  matrix: {matrix}\n");
            let doc = yaml::parse(&source).unwrap();
            let strategy = doc.root.unwrap().get("strategy").unwrap().clone();
            crate::workflow::matrix_values(&strategy, "p")
        };
        let some = |v: &[&str]| Some(v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>());
        assert_eq!(values("{p: [a, b, a]}"), some(&["a", "b"]));
        assert_eq!(values("{p: a}"), some(&["a"]));
        assert_eq!(
            values("{p: [a, b], exclude: [{p: a}], include: [{p: c, x: 1}]}"),
            some(&["b", "c"])
        );
        // An exclude entry with other variables leaves the value in others.
        assert_eq!(
            values("{p: [a], os: [x, y], exclude: [{p: a, os: x}]}"),
            some(&["a"])
        );
        assert_eq!(values("{include: [{p: a}, {p: b}]}"), some(&["a", "b"]));
        // Combinations where it is empty, expressions, values not scalars.
        assert_eq!(values("{include: [{p: a}, {q: b}]}"), None);
        assert_eq!(values("{os: [x], include: [{os: x, p: a}]}"), None);
        assert_eq!(values("'${{ fromJSON(vars.M) }}'"), None);
        assert_eq!(values("{p: '${{ fromJSON(vars.P) }}'}"), None);
        assert_eq!(values("{p: [a, '${{ vars.B }}']}"), None);
        assert_eq!(values("{p: [{dir: a}]}"), None);
        assert_eq!(values("{p: [a], exclude: [{p: a}]}"), None);
        assert_eq!(values("{q: [a]}"), None);
    }

    #[test]
    fn duplicate_keys_are_reported_once_each_and_not_for_aliases() {
        let source = "on: push\nenv: &e\n  A: 1\n  B: 2\n  A: 3\n  A: 4\njobs:\n  t:\n    runs-on: x\n    env: {<<: 1, A: *e, A: 2}\n    steps: [run: x]\n";
        let twice: Vec<usize> = problems(source)
            .iter()
            .filter(|p| p.message.contains("twice"))
            .map(|p| p.span.start)
            .collect();
        assert_eq!(twice.len(), 3, "{twice:?}");
        assert_eq!(&source[twice[0]..twice[0] + 1], "A");
    }

    #[test]
    fn step_index_is_the_position_among_the_job_steps() {
        let source = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - r dist/\n      - run: a\n      - uses: b/c@v1\n";
        let workflow = build(source, &yaml::parse(source).unwrap());
        let steps = &workflow.jobs[0].steps;
        assert_eq!(steps.len(), 2);
        for (position, step) in steps.iter().enumerate() {
            assert_eq!(step.index, position);
        }
        assert_eq!(workflow.problems.len(), 1);
    }

    #[test]
    fn a_mapping_with_many_keys_is_read_in_linear_time() {
        // The duplicate-key check used to compare each key with all earlier ones.
        let mut source = String::from("on: push\nenv:\n");
        for i in 0..100_000 {
            source.push_str(&format!("  K{i}: v\n"));
        }
        source.push_str("  K7: again\njobs: {}\n");
        let started = std::time::Instant::now();
        let twice: Vec<Problem> = problems(&source)
            .into_iter()
            .filter(|p| p.message.contains("twice"))
            .collect();
        assert_eq!(twice.len(), 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
