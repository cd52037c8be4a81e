//! The typed GitHub Actions workflow model. Every field keeps the span of the
//! YAML it came from, so rules can point at the exact key or value.
//! Building the model never fails: shapes GitHub would reject become
//! [`Problem`]s (reported as `TP002`) and the rest of the file is still read.

pub mod action;
mod build;
pub mod uses;

pub use action::Action;
pub use build::{build, build_action};
pub use uses::{Uses, UsesTarget};

use crate::source::Span;
use crate::yaml::Node;

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether the value contains a `${{ }}` expression.
    pub fn is_expression(&self) -> bool {
        is_expression(&self.value)
    }
}

/// Whether a string holds a `${{ ... }}` expression, whose value tplint never guesses.
pub fn is_expression(text: &str) -> bool {
    text.contains("${{")
}

/// A structural problem in an otherwise readable workflow.
#[derive(Clone, Debug)]
pub struct Problem {
    pub message: String,
    pub span: Span,
}

/// One workflow file.
#[derive(Debug, Default)]
pub struct Workflow {
    pub name: Option<Spanned<String>>,
    /// The `on:` key, when present.
    pub on_key: Option<Span>,
    pub triggers: Vec<Trigger>,
    pub permissions: Option<Permissions>,
    pub env: Vec<KeyValue>,
    /// `defaults: run: working-directory:`, the folder of the jobs' `run:`
    /// steps that name none.
    pub run_working_directory: Option<Spanned<String>>,
    pub jobs: Vec<Job>,
    pub problems: Vec<Problem>,
}

impl Workflow {
    /// Every `uses:` of the workflow: steps and reusable-workflow calls.
    pub fn all_uses(&self) -> impl Iterator<Item = &Uses> {
        self.jobs.iter().flat_map(|job| {
            job.call
                .as_ref()
                .map(|c| &c.uses)
                .into_iter()
                .chain(job.steps.iter().filter_map(|s| s.uses.as_ref()))
        })
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id.value == id)
    }

    pub fn has_trigger(&self, event: &str) -> bool {
        self.triggers.iter().any(|t| t.event.value == event)
    }
}

/// An event under `on:`, with its configuration (e.g. `tags:` of `push`).
#[derive(Clone, Debug)]
pub struct Trigger {
    pub event: Spanned<String>,
    pub config: Option<Node>,
}

/// Access level of one token scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    Write,
}

impl Access {
    pub fn parse(text: &str) -> Option<Access> {
        match text {
            "none" => Some(Access::None),
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// A `permissions:` block at workflow or job level.
#[derive(Clone, Debug)]
pub struct Permissions {
    /// The `permissions` key.
    pub key: Span,
    /// The value.
    pub span: Span,
    pub kind: PermissionsKind,
}

#[derive(Clone, Debug)]
pub enum PermissionsKind {
    ReadAll,
    WriteAll,
    /// A mapping of scopes (`{}` has none).
    Scopes(Vec<Scope>),
    /// An expression or an unreadable value: nothing can be said.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Scope {
    pub name: Spanned<String>,
    pub access: Spanned<Access>,
}

impl Permissions {
    /// What this block grants for `scope`; `None` when it cannot be known.
    pub fn grant(&self, scope: &str) -> Option<Access> {
        match &self.kind {
            PermissionsKind::ReadAll => Some(Access::Read),
            PermissionsKind::WriteAll => Some(Access::Write),
            PermissionsKind::Scopes(scopes) => Some(
                scopes
                    .iter()
                    .find(|s| s.name.value == scope)
                    .map_or(Access::None, |s| s.access.value),
            ),
            PermissionsKind::Unknown => None,
        }
    }

    /// Whether the block is a mapping that names `scope`.
    pub fn names(&self, scope: &str) -> bool {
        matches!(&self.kind, PermissionsKind::Scopes(scopes) if scopes.iter().any(|s| s.name.value == scope))
    }

    /// Where a diagnostic about `id-token` belongs: its value when the block
    /// names it, the `permissions` key of a mapping that leaves it out, or
    /// the whole value (`read-all`, `{}`).
    pub fn id_token_span(&self) -> Span {
        match &self.kind {
            PermissionsKind::Scopes(scopes) if !scopes.is_empty() && !self.names("id-token") => {
                self.key
            }
            _ => self.grant_span("id-token"),
        }
    }

    /// The span that grants `scope`: the scope's value in a mapping, or the
    /// whole `read-all`/`write-all` value.
    pub fn grant_span(&self, scope: &str) -> Span {
        match &self.kind {
            PermissionsKind::Scopes(scopes) => scopes
                .iter()
                .find(|s| s.name.value == scope)
                .map_or(self.span, |s| s.access.span),
            _ => self.span,
        }
    }
}

#[derive(Clone, Debug)]
pub struct KeyValue {
    pub key: Spanned<String>,
    /// Scalar text; empty for non-scalar values.
    pub value: Spanned<String>,
}

/// `environment:` of a job, as a string or `{name, url, deployment}`.
#[derive(Clone, Debug)]
pub struct Environment {
    pub name: Spanned<String>,
    /// The whole value.
    pub span: Span,
}

/// `runs-on:` in any of its forms.
#[derive(Clone, Debug)]
pub enum RunsOn {
    /// A label or list of labels (each may be an expression).
    Labels(Vec<Spanned<String>>),
    /// `{group, labels}`: a runner group.
    Group { span: Span },
    /// A whole-value expression.
    Expression(Spanned<String>),
}

/// The system a runner label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerOs {
    Linux,
    Windows,
    MacOs,
}

/// The system a literal runner label names: GitHub's hosted images
/// (`ubuntu-*`, `windows-*`, `macos-*`: `windows-latest`, `windows-11-arm`)
/// and a self-hosted runner's default OS labels (`linux`, `windows`,
/// `macOS`); `None` for any other label. From GitHub's "Choosing the runner
/// for a job" and "Using self-hosted runners in a workflow"
/// (docs.github.com, default labels).
pub fn label_os(label: &str) -> Option<RunnerOs> {
    let label = label.trim().to_ascii_lowercase();
    let is = |os: &str| label == os || label.strip_prefix(os).is_some_and(|r| r.starts_with('-'));
    if is("windows") {
        Some(RunnerOs::Windows)
    } else if is("macos") {
        Some(RunnerOs::MacOs)
    } else if label == "linux" || label.starts_with("ubuntu-") {
        Some(RunnerOs::Linux)
    } else {
        None
    }
}

impl RunsOn {
    /// Whether the job runs on Windows, whose file system ignores the
    /// letter case of paths: a literal label naming Windows, not when one
    /// names another system, unknown for expressions, groups and custom
    /// labels alone ([`label_os`]).
    pub fn windows(&self) -> crate::tri::Tri {
        use crate::tri::Tri;
        let Self::Labels(labels) = self else {
            return Tri::Unknown;
        };
        let systems: Vec<RunnerOs> = labels
            .iter()
            .filter(|l| !l.is_expression())
            .filter_map(|l| label_os(&l.value))
            .collect();
        if systems.contains(&RunnerOs::Windows) {
            Tri::True
        } else if systems.is_empty() {
            Tri::Unknown
        } else {
            Tri::False
        }
    }
}

/// A job: runs steps, or calls a reusable workflow.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: Spanned<String>,
    /// The whole job mapping.
    pub span: Span,
    /// The job's keys in source order, where fixes insert or look for one.
    pub keys: Vec<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub needs: Vec<Spanned<String>>,
    pub condition: Option<Spanned<String>>,
    pub permissions: Option<Permissions>,
    pub environment: Option<Environment>,
    pub runs_on: Option<RunsOn>,
    /// The `container:` key, when the job runs in a container.
    pub container: Option<Span>,
    pub env: Vec<KeyValue>,
    /// `defaults: run: working-directory:`, the folder of the job's `run:`
    /// steps that name none (over the workflow's).
    pub run_working_directory: Option<Spanned<String>>,
    pub strategy: Option<Node>,
    /// `outputs:`, each a scalar (usually a `${{ }}` expression).
    pub outputs: Vec<KeyValue>,
    pub steps: Vec<Step>,
    /// Set when the job calls a reusable workflow (`jobs.<id>.uses`).
    pub call: Option<WorkflowCall>,
}

/// Most values [`matrix_values`] gives: the folders a step is walked in
/// once each, like GitLab's `parallel: matrix:` sets
/// (`gitlab::facts`'s `MAX_MATRIX_WALKS`).
pub const MAX_MATRIX_VALUES: usize = 16;

/// The values `matrix.NAME` takes in the jobs of a job's
/// `strategy: matrix:`, in order and once each, when every one is written
/// out: the variable's list (or single value), without those an `exclude:`
/// entry of that variable alone removes, and the values `include:` entries
/// give it (an entry that adds to combinations, or one that makes a
/// combination of its own, carries its value either way: GitHub's
/// "Running variations of jobs in a workflow", "Expanding or adding matrix
/// configurations"). `None` when the matrix, the variable, an `include:`
/// entry or a value is an expression (`fromJSON(...)`) or not a scalar,
/// when a combination may leave it empty, when no value is known, or
/// when there are more than
/// [`MAX_MATRIX_VALUES`].
pub fn matrix_values(strategy: &Node, name: &str) -> Option<Vec<String>> {
    let matrix = strategy.get("matrix")?;
    let scalar = |node: &Node| -> Option<String> {
        let text = node.as_str()?.trim();
        (!text.is_empty() && !node.is_null() && !is_expression(text)).then(|| text.to_string())
    };
    let mut values: Vec<String> = Vec::new();
    if let Some(list) = matrix.get(name) {
        match list.as_sequence() {
            Some(items) => {
                for item in items {
                    values.push(scalar(item)?);
                }
            }
            None => values.push(scalar(list)?),
        }
    }
    if let Some(excluded) = matrix.get("exclude") {
        for entry in excluded.as_sequence()? {
            let fields = entry.as_mapping()?;
            if let [only] = fields
                && only.key.as_str() == Some(name)
            {
                let value = scalar(&only.value)?;
                values.retain(|v| *v != value);
            }
        }
    }
    // Without a list of its own, a combination that an `include:` entry
    // without the variable makes, or that other variables make, has it
    // empty: a value tplint does not walk.
    let listed = matrix.get(name).is_some();
    let others = matrix.as_mapping()?.iter().any(|e| {
        !matches!(e.key.as_str(), Some(key) if key == name || key == "include" || key == "exclude")
    });
    if !listed && others {
        return None;
    }
    if let Some(included) = matrix.get("include") {
        for entry in included.as_sequence()? {
            entry.as_mapping()?;
            match entry.get(name) {
                Some(value) => values.push(scalar(value)?),
                None if !listed => return None,
                None => {}
            }
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    (!unique.is_empty() && unique.len() <= MAX_MATRIX_VALUES).then_some(unique)
}

/// `jobs.<id>.uses` with its `with:` and `secrets:`.
#[derive(Clone, Debug)]
pub struct WorkflowCall {
    pub uses: Uses,
    pub with: Vec<KeyValue>,
    pub secrets: Secrets,
}

#[derive(Clone, Debug)]
pub enum Secrets {
    None,
    Inherit(Span),
    Named(Vec<KeyValue>),
}

#[derive(Clone, Debug)]
pub struct Step {
    /// 0-based position in `Job::steps` (entries of `steps:` that are not
    /// mappings are not steps and are not counted).
    pub index: usize,
    pub span: Span,
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub uses: Option<Uses>,
    pub with: Vec<KeyValue>,
    /// The `with:` key, when present.
    pub with_key: Option<Span>,
    pub run: Option<Spanned<String>>,
    pub env: Vec<KeyValue>,
    pub condition: Option<Spanned<String>>,
    /// `working-directory:` of a `run:` step.
    pub working_directory: Option<Spanned<String>>,
}

impl Step {
    pub fn input(&self, key: &str) -> Option<&KeyValue> {
        self.with.iter().find(|kv| kv.key.value == key)
    }

    /// A short human label: the step's name, its `uses`, or its position.
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return format!("`{}`", name.value);
        }
        if let Some(uses) = &self.uses {
            return format!("`{}`", uses.raw.value);
        }
        format!("#{}", self.index + 1)
    }
}
