//! What a job runs, seen through the files its steps name: the steps of
//! local composite actions (with `${{ inputs.* }}` resolved to the caller's
//! `with:` or the input's default), repository scripts, and the recipes of
//! make, tox and just. Nothing is executed; files are read and their text is
//! analysed. A step whose effect tplint cannot see (an unknown action, an
//! interpreter script, a file it cannot read) is reported as *opaque*, so
//! that no rule concludes from the absence of something it could hide.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::actions;
use super::grinder;
use super::melos;
use super::mise;
use super::parse_cache::ParseCache;
use super::powershell;
use super::shell::{self, Command};
use super::tasks;
use crate::diagnostic::Location;
use crate::repository::{LocalAction, Need, Repository};
use crate::source::{FileId, Span};
use crate::tri::Tri;
use crate::workflow::{Action, KeyValue, Step, UsesTarget};

pub use crate::repo_path::join;
pub use crate::repository::NOT_FOUND;

/// Deepest nesting followed: composite actions in composite actions,
/// scripts run by scripts, recipes calling recipes.
pub const MAX_DEPTH: usize = 4;

/// Most shell blocks visited for one job: a bound on work for hostile
/// task-runner files whose recipes fan out.
const MAX_BLOCKS_PER_JOB: usize = 2_000;

/// One level of local composite action.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    /// The step that uses the action, and the file it is in.
    pub call: &'a Step,
    pub call_file: FileId,
    pub action: &'a Action,
    /// Index in `Repository::locals.actions`.
    pub action_index: usize,
}

impl Frame<'_> {
    /// The `uses:` that enters this action.
    pub fn location(&self) -> Location {
        let span = self
            .call
            .uses
            .as_ref()
            .map_or(self.call.span, |u| u.raw.span);
        Location::new(self.call_file, span)
    }
}

/// The job being walked, as each CI system's front end lowers it: where
/// it is, the steps it runs, the variables its file gives them, and what
/// it may do with OIDC tokens. GitHub's front end fills it from a
/// workflow's job (`facts/mod.rs`); GitLab's walks a job's script lines
/// one at a time (`gitlab/facts.rs`), each as a `run:` step, with the
/// job's variables as the environment it inherits.
#[derive(Clone, Copy)]
pub struct JobRef<'a> {
    /// The file holding the job.
    pub file: FileId,
    /// Its position among its file's jobs.
    pub index: usize,
    /// The job in its file.
    pub span: Span,
    /// The steps the walk goes through in order; empty where the front end
    /// hands each step to the walker itself.
    pub steps: &'a [Step],
    /// `env:` of the job, then of its file.
    pub env: [&'a [KeyValue]; 2],
    /// The folder of the job's own `run:` steps that name none (GitHub's
    /// `defaults: run: working-directory:`, the job's over the workflow's).
    pub run_working_directory: Option<&'a crate::workflow::Spanned<String>>,
    /// The job's `strategy:` (GitHub's), whose literal `matrix:` values a
    /// `working-directory: ${{ matrix.NAME }}` is walked in, one by one.
    pub strategy: Option<&'a crate::yaml::Node>,
    /// The job's `id-token` access; `None` where it cannot be known (an
    /// expression, a CI system whose jobs request tokens by other means).
    pub id_token: Option<crate::workflow::Access>,
    /// The job's `container:`, if any.
    pub container: Option<Span>,
    /// A variable that no `env:` level names is unset for the job's own
    /// steps (GitHub passes no repository variable or secret unless `env:`
    /// says so); `false` where the CI system gives jobs variables from
    /// elsewhere (GitLab's project CI/CD variables) or the file has no
    /// trigger.
    pub env_complete: bool,
    /// Whether the job runs on Windows, where a path names a file whatever
    /// the letter case ([`crate::workflow::RunsOn::windows`]); unknown
    /// where the CI system does not say (GitLab's runners).
    pub windows: Tri,
}

/// A step as it runs in a job: one of the job's own steps, or a step of a
/// local composite action that one of them uses.
pub struct Executed<'a, 'f> {
    pub job: JobRef<'a>,
    /// Position of the job's own step that this is, or that leads here.
    pub top: usize,
    pub step: &'a Step,
    /// The file holding `step`, and its text.
    pub file: FileId,
    pub source: &'a str,
    /// The composite actions entered to reach `step`, outermost first.
    pub frames: &'f [Frame<'a>],
}

/// A variable visible to a command, with where it was set.
#[derive(Clone, Debug)]
pub struct EnvHit<'a> {
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
    pub location: Location,
}

/// `${{ inputs.NAME }}`, by the text before its name.
const INPUT_REFERENCE: &[&str] = &["inputs."];

/// `${{ matrix.NAME }}`, by the text before its name.
const MATRIX_REFERENCE: &[&str] = &["matrix."];

/// The name of the first `${{ matrix.NAME }}` in `text`.
fn matrix_reference(text: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = text[from..].find("${{").map(|i| from + i) {
        if let Some((names, _)) = reference_at(&text[at..], MATRIX_REFERENCE) {
            return Some(names[0].to_string());
        }
        from = at + 1;
    }
    None
}

/// The texts `text` becomes with each literal value of each
/// `${{ matrix.NAME }}` it names (`workflow::matrix_values` of the job's
/// `strategy:`), one per combination; `None` when it names none, or one
/// without literal values, or when the combinations are more than
/// [`crate::workflow::MAX_MATRIX_VALUES`].
pub fn matrix_expansions(strategy: &crate::yaml::Node, text: &str) -> Option<Vec<String>> {
    let mut texts = vec![text.to_string()];
    // One variable at a time: each multiplies the texts.
    while let Some(name) = matrix_reference(&texts[0]) {
        let values = crate::workflow::matrix_values(strategy, &name)?;
        let mut next = Vec::new();
        for text in &texts {
            for value in &values {
                let replaced = replace_references(text, MATRIX_REFERENCE, |names, whole| {
                    if names[0] == name {
                        value.clone()
                    } else {
                        whole.to_string()
                    }
                });
                next.push(replaced.into_owned());
            }
        }
        if next.len() > crate::workflow::MAX_MATRIX_VALUES {
            return None;
        }
        texts = next;
    }
    (texts[0] != text).then_some(texts)
}

/// `${{ steps.ID.outputs.NAME }}`, by the texts before its two names.
const STEP_OUTPUT_REFERENCE: &[&str] = &["steps.", ".outputs."];

/// The names of the reference that `text` starts with, `${{`, blanks,
/// each of `parts` followed by a name (`[A-Za-z0-9_-]+`), blanks and `}}`,
/// and the reference's length; as the regular expression
/// `\$\{\{\s*PART(NAME)...\s*\}\}` would match it, without compiling one
/// in every run.
fn reference_at<'t>(text: &'t str, parts: &[&str]) -> Option<(Vec<&'t str>, usize)> {
    let mut rest = text.strip_prefix("${{")?.trim_start();
    let mut names = Vec::with_capacity(parts.len());
    for part in parts {
        rest = rest.strip_prefix(part)?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        names.push(&rest[..end]);
        rest = &rest[end..];
    }
    let rest = rest.trim_start().strip_prefix("}}")?;
    Some((names, text.len() - rest.len()))
}

/// `text` with each reference of the shape `parts` (see [`reference_at`])
/// replaced by `replace(names, reference)`, from left to right.
fn replace_references<'t>(
    text: &'t str,
    parts: &[&str],
    mut replace: impl FnMut(&[&str], &str) -> String,
) -> Cow<'t, str> {
    let mut replaced: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find("${{").map(|i| from + i) {
        let Some((names, len)) = reference_at(&text[at..], parts) else {
            // `$` is one byte: the next search starts at a character.
            from = at + 1;
            continue;
        };
        let out = replaced.get_or_insert_with(String::new);
        out.push_str(&text[copied..at]);
        out.push_str(&replace(&names, &text[at..at + len]));
        copied = at + len;
        from = copied;
    }
    match replaced {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}

impl<'a> Executed<'a, '_> {
    /// Whether the step belongs to a local action rather than the workflow.
    pub fn in_action(&self) -> bool {
        !self.frames.is_empty()
    }

    /// The `uses:` locations that lead to this step, outermost first.
    pub fn via(&self) -> Vec<Location> {
        self.frames.iter().map(Frame::location).collect()
    }

    /// Index of the local action holding the step, if any.
    pub fn action_index(&self) -> Option<usize> {
        self.frames.last().map(|f| f.action_index)
    }

    pub fn location(&self, span: Span) -> Location {
        Location::new(self.file, span)
    }

    /// `text` with `${{ inputs.NAME }}` replaced, at composite depth
    /// `depth`, by the caller's `with:` value or the input's default.
    /// In text of the workflow itself (depth 0), `${{ steps.ID.outputs.NAME }}`
    /// of an earlier step is replaced by the one literal value that step
    /// writes to `$GITHUB_OUTPUT` ([`super::step_outputs`]), when known.
    pub fn resolve_at<'t>(&self, text: &'t str, depth: usize) -> Cow<'t, str> {
        if depth == 0 {
            return self.resolve_step_outputs(text);
        }
        if !text.contains("inputs.") {
            return Cow::Borrowed(text);
        }
        let Some(frame) = self.frames.get(depth - 1) else {
            return Cow::Borrowed(text);
        };
        replace_references(text, INPUT_REFERENCE, |names, _| {
            let name = names[0];
            if let Some(given) = frame
                .call
                .with
                .iter()
                .find(|kv| kv.key.value.eq_ignore_ascii_case(name))
            {
                return self.resolve_at(&given.value.value, depth - 1).into_owned();
            }
            frame
                .action
                .input(name)
                .and_then(|i| i.default.as_ref())
                .map(|d| d.value.clone())
                .unwrap_or_default()
        })
    }

    /// `text` with the outputs of the job's steps before this one that
    /// have one known value replaced by it; other references stay.
    fn resolve_step_outputs<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("steps.") || !text.contains(".outputs.") {
            return Cow::Borrowed(text);
        }
        replace_references(text, STEP_OUTPUT_REFERENCE, |names, reference| {
            super::step_outputs::single(self.job.steps, self.top, names[0], names[1])
                .unwrap_or_else(|| reference.to_string())
        })
    }

    /// Text of this step, resolved.
    pub fn resolve<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.resolve_at(text, self.frames.len())
    }

    /// An input of the step (`with:`), resolved.
    pub fn input(&self, key: &str) -> Option<(&'a KeyValue, Cow<'a, str>)> {
        let kv = self.step.input(key)?;
        Some((kv, self.resolve(&kv.value.value)))
    }

    /// Every `env:` level visible to the step, innermost first, with the
    /// composite depth its values are resolved at.
    fn env_levels(&self) -> Vec<(&'a [KeyValue], FileId, usize)> {
        let mut levels = vec![(self.step.env.as_slice(), self.file, self.frames.len())];
        for (depth, frame) in self.frames.iter().enumerate().rev() {
            levels.push((frame.call.env.as_slice(), frame.call_file, depth));
        }
        for level in self.job.env {
            levels.push((level, self.job.file, 0));
        }
        levels
    }

    /// The names of every variable of the step's, its callers', the job's
    /// and the workflow's `env:`.
    pub fn env_names(&self) -> impl Iterator<Item = &'a str> {
        self.env_levels()
            .into_iter()
            .flat_map(|(list, _, _)| list.iter().map(|kv| kv.key.value.as_str()))
    }

    /// Variable `name` from the step's, its callers', the job's and the
    /// workflow's `env:`; a trailing `*` in `name` matches a prefix.
    pub fn env(&self, name: &str) -> Option<EnvHit<'a>> {
        let matches = |candidate: &str| match name.strip_suffix('*') {
            Some(prefix) => candidate.starts_with(prefix),
            None => candidate == name,
        };
        for (list, file, depth) in self.env_levels() {
            if let Some(kv) = list.iter().rev().find(|kv| matches(&kv.key.value)) {
                return Some(EnvHit {
                    name: Cow::Borrowed(&kv.key.value),
                    value: Cow::Owned(self.resolve_at(&kv.value.value, depth).into_owned()),
                    location: Location::new(file, kv.key.span),
                });
            }
        }
        None
    }

    /// Every env value visible to the step (for markers such as the
    /// runner's token request variables).
    pub fn env_values(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.step.env.iter().map(|kv| kv.value.value.as_str())
    }
}

/// What kind of text a shell block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A step's `run:`.
    Run,
    /// A repository script the step runs.
    Script,
    /// A make, tox or just recipe line.
    Recipe,
    /// The command an action runs when given none (changesets/action/publish
    /// runs `changeset publish`), located at its `uses:`.
    Implied,
    /// A command a Ruby, Python or JavaScript script runs (`system("gem
    /// push x.gem")`, `subprocess.run(["twine", "upload", ...])`,
    /// `execSync("npm publish")`), read from a literal
    /// call ([`super::scripts`]) and located at it.
    Foreign,
}

/// Shell text that runs in a job: a `run:`, a script, or a recipe line.
pub struct ShellBlock<'a, 'x, 'f> {
    pub exec: &'x Executed<'a, 'f>,
    pub kind: BlockKind,
    /// The file holding the text and its whole source.
    pub file: FileId,
    pub source: &'a str,
    /// Where the commands are in `source`.
    pub within: Span,
    /// The shell text (inputs resolved, recipe prefixes removed).
    pub text: Cow<'a, str>,
    /// How the block was reached from the workflow, outermost first: the
    /// composite `uses:` and the commands that ran each script.
    pub via: Vec<Location>,
    /// Variables set by whatever ran this block (exports before a script,
    /// `make VAR=x`, tox `set_env`), innermost last.
    pub inherited: Vec<EnvHit<'a>>,
    /// The working directory, relative to the repository root.
    pub cwd: String,
    /// A condition of the build that runs the block (a Cake task's
    /// criteria, a NUKE target's `OnlyWhen`), which tplint does not
    /// evaluate: its uploads may or may not run.
    pub gate: Option<String>,
}

impl<'a, 'x, 'f> ShellBlock<'a, 'x, 'f> {
    /// The same block, run in the folder `cwd`.
    fn in_folder(&self, cwd: String) -> Self {
        ShellBlock {
            exec: self.exec,
            kind: self.kind,
            file: self.file,
            source: self.source,
            within: self.within,
            text: self.text.clone(),
            via: self.via.clone(),
            inherited: self.inherited.clone(),
            cwd,
            gate: self.gate.clone(),
        }
    }

    /// The span of `needle` inside the block's source region, else the region.
    pub fn locate(&self, needle: &str) -> Span {
        self.source
            .get(self.within.range())
            .and_then(|raw| raw.find(needle))
            .map_or(self.within, |at| {
                Span::new(
                    self.within.start + at,
                    self.within.start + at + needle.len(),
                )
            })
    }

    /// Where a command of the block is: its first word's span.
    pub fn command_location(&self, command: &Command) -> Location {
        let first = command
            .words
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        Location::new(self.file, self.locate_in(command, first))
    }

    /// The span of `needle` in `command`: searched from the command's own
    /// offset when the text is the source itself (so a comment or an
    /// earlier line with the same words is not taken), else in the region.
    pub fn locate_in(&self, command: &Command, needle: &str) -> Span {
        // Text tplint wrote (what an action or a release tool runs, a
        // script's call) has no lines of its own in the source: the region
        // it stands for is searched.
        if matches!(self.kind, BlockKind::Implied | BlockKind::Foreign) {
            return self.locate(needle);
        }
        let raw = self.raw();
        if self.text.as_ref() == raw
            && let Some(rest) = raw.get(command.offset..)
            && let Some(at) = rest.find(needle)
        {
            let start = self.within.start + command.offset + at;
            return Span::new(start, start + needle.len());
        }
        // A block scalar's text lost its indentation: search from the
        // source line of the command's line (never later than it, since
        // folding only joins lines), so an earlier command with the same
        // words is not taken.
        if let Some(before) = self.text.get(..command.offset) {
            let line = before.matches('\n').count();
            let from = if line == 0 {
                Some(0)
            } else {
                raw.match_indices('\n').nth(line - 1).map(|(at, _)| at + 1)
            };
            if let Some(from) = from
                && let Some(at) = raw.get(from..).and_then(|rest| rest.find(needle))
            {
                let start = self.within.start + from + at;
                return Span::new(start, start + needle.len());
            }
        }
        self.locate(needle)
    }

    fn raw(&self) -> &str {
        self.source.get(self.within.range()).unwrap_or_default()
    }

    /// Variable `name` for `command`: the command's own assignments and
    /// the script's exports, then what the caller set, then the step's env.
    pub fn env(&self, command: Option<&Command>, name: &str) -> Option<EnvHit<'a>> {
        let prefix = name.strip_suffix('*');
        let in_script = command.and_then(|command| match prefix {
            Some(prefix) => command.variables().find(|(n, _)| n.starts_with(prefix)),
            None => command.variable(name),
        });
        if let Some((n, v)) = in_script {
            return Some(EnvHit {
                name: Cow::Owned(n.to_string()),
                value: Cow::Owned(v.to_string()),
                location: Location::new(self.file, self.locate(n)),
            });
        }
        let matches = |candidate: &str| match prefix {
            Some(prefix) => candidate.starts_with(prefix),
            None => candidate == name,
        };
        if let Some(hit) = self.inherited.iter().rev().find(|h| matches(&h.name)) {
            return Some(hit.clone());
        }
        self.exec.env(name)
    }
}

/// A step whose effect tplint cannot see.
#[derive(Clone, Debug)]
pub struct Opaque {
    /// The job's own step that runs it.
    pub top: usize,
    /// The registry whose uploads tplint reads in it all the same (a Cake
    /// or NUKE build's NuGet pushes).
    pub uploads_read: Option<crate::registry::Registry>,
    pub location: Location,
    pub via: Vec<Location>,
    /// What it is, for messages: "`./scripts/release.py`, a Python script".
    pub what: String,
}

/// Receives what a job runs.
pub trait Visit<'a> {
    fn step(&mut self, _exec: &Executed<'a, '_>) {}
    fn shell(&mut self, _block: &ShellBlock<'a, '_, '_>, _commands: &[Command]) {}
    fn opaque(&mut self, _opaque: Opaque) {}
    /// A repository file runs in the job (a local action, a script, a recipe).
    fn local_code(&mut self, _top: usize, _location: Location, _via: &[Location], _what: &str) {}
}

/// Bytes of local files (actions, scripts, recipes) walked for one
/// repository, over all its jobs: every job that runs a file walks it
/// again, so a hostile repository with thousands of jobs running a large
/// Makefile would otherwise take minutes. Real repositories use a few KiB.
pub const WALK_BUDGET_BYTES: usize = 8 * 1024 * 1024;

/// What is left of [`WALK_BUDGET_BYTES`]; shared by the walks of one
/// repository. It also remembers whether a walk was refused bytes, so a
/// walk that never was can be replayed by taking what it took; and it
/// carries the files those walks parsed ([`ParseCache`]), which outlive
/// it from one round of walks to the next ([`Budget::with_cache`]).
#[derive(Debug)]
pub struct Budget(std::cell::Cell<usize>, std::cell::Cell<bool>, ParseCache);

impl Default for Budget {
    fn default() -> Self {
        Self::with_cache(ParseCache::default())
    }
}

impl Budget {
    /// A whole budget, with the files parsed by earlier walks.
    pub fn with_cache(cache: ParseCache) -> Self {
        Self(
            std::cell::Cell::new(WALK_BUDGET_BYTES),
            std::cell::Cell::new(false),
            cache,
        )
    }

    /// The files parsed, for the next round of walks.
    pub fn into_cache(self) -> ParseCache {
        self.2
    }

    /// The files parsed so far.
    pub fn cache(&self) -> &ParseCache {
        &self.2
    }

    /// Take `bytes`; false (and nothing taken) when not enough is left.
    pub fn take(&self, bytes: usize) -> bool {
        let left = self.0.get();
        let enough = bytes <= left;
        if enough {
            self.0.set(left - bytes);
        } else {
            self.1.set(true);
        }
        enough
    }

    /// Bytes left.
    pub fn left(&self) -> usize {
        self.0.get()
    }

    /// Whether a take was refused since the last call.
    pub fn refused(&self) -> bool {
        self.1.replace(false)
    }
}

/// Walks one job, recording the files it would need to read.
struct Walker<'a, 'v, V> {
    repo: &'a Repository,
    visitor: &'v mut V,
    needs: BTreeSet<Need>,
    /// Files entered, to stop cycles.
    stack: Vec<String>,
    blocks: usize,
    budget: &'v Budget,
    /// The first block starts in a folder tplint cannot tell (a GitLab
    /// script line after `cd "$DIR"` on an earlier line).
    unknown_start: bool,
    /// The folder under `$GITHUB_WORKSPACE` the job checked its own
    /// repository out into (`actions/checkout` `path:`), while a step of
    /// such a job is walked: its shell folders are followed from the
    /// workspace, and the repository root is this folder.
    checkout: Option<String>,
    /// The folder, relative to the workspace, a `run:` of such a job starts
    /// in when it is outside the checkout (no `working-directory:` under
    /// it): nothing there is a file of the repository.
    outside: Option<String>,
}

/// Walk every step a job runs; returns the local files it names that have
/// not been read yet (the walk treats them as opaque meanwhile).
pub fn walk_job<'a, V: Visit<'a>>(
    repo: &'a Repository,
    job: JobRef<'a>,
    visitor: &mut V,
    budget: &Budget,
) -> BTreeSet<Need> {
    let mut walker = Walker {
        repo,
        visitor,
        needs: BTreeSet::new(),
        stack: Vec::new(),
        blocks: 0,
        budget,
        unknown_start: false,
        checkout: None,
        outside: None,
    };
    walker.job(job);
    walker.needs
}

/// Walk one block of shell text that a job runs outside any step: a line
/// of a GitLab job's `script:`. `job` and `step` stand for the job (`step`'s
/// `run:` holds the text and its span in `file`); `inherited` are the
/// variables the text sees (the job's CI/CD variables, exports of earlier
/// lines); `cwd` the folder it starts in, relative to the repository root
/// (`None`: one tplint cannot tell). Scripts and task runners it names are
/// followed as for a `run:`.
#[allow(clippy::too_many_arguments)]
pub fn walk_text<'a, V: Visit<'a>>(
    repo: &'a Repository,
    job: JobRef<'a>,
    top: usize,
    step: &'a Step,
    file: FileId,
    inherited: Vec<EnvHit<'a>>,
    cwd: Option<&str>,
    visitor: &mut V,
    budget: &Budget,
) -> BTreeSet<Need> {
    let mut walker = Walker {
        repo,
        visitor,
        needs: BTreeSet::new(),
        stack: Vec::new(),
        blocks: 0,
        budget,
        unknown_start: cwd.is_none(),
        checkout: None,
        outside: None,
    };
    let source = &repo.sources.get(file).text;
    let exec = Executed {
        job,
        top,
        step,
        file,
        source,
        frames: &[],
    };
    if let Some(run) = &step.run {
        let block = ShellBlock {
            exec: &exec,
            kind: BlockKind::Run,
            file,
            source,
            within: run.span,
            text: Cow::Borrowed(run.value.as_str()),
            via: Vec::new(),
            inherited,
            cwd: cwd.unwrap_or_default().to_string(),
            gate: None,
        };
        walker.shell(&block, 0);
    }
    walker.needs
}

/// How a NUKE push reads its key from variable `name`: `NUGET_API_KEY` is
/// the variable NuGet reads itself, so the push is read with it and named
/// as the workflow names it; another is given as `--api-key`.
fn api_key_variable(name: &str) -> String {
    if name == "NUGET_API_KEY" {
        String::new()
    } else {
        format!(" --api-key \"${name}\"")
    }
}

/// A NUKE run: its arguments and its build project's folder.
struct NukeRun {
    args: Vec<String>,
    project: String,
    /// The folder is found as Windows finds it, ignoring letter case: the
    /// job runs on Windows, or the bootstrapper writes the path with
    /// backslashes and the job may.
    any_case: bool,
}

/// What a NUKE run's arguments say (nuke-build/nuke `ArgumentParser`,
/// `BuildExecutor` [27e8077]): the targets (the words before the first
/// option, or `--target`'s, which win), `--skip` (`Some` empty when given
/// alone), and the other options' values by name.
#[derive(Debug, Default, PartialEq, Eq)]
struct NukeArgs {
    targets: Vec<String>,
    skip: Option<Vec<String>>,
    parameters: Vec<(String, String)>,
}

impl NukeArgs {
    fn parse(args: &[String]) -> Self {
        let mut parsed = Self::default();
        let mut positional: Vec<String> = Vec::new();
        let mut target: Option<Vec<String>> = None;
        let mut current: Option<String> = None;
        let mut options = false;
        for word in args {
            if let Some(option) = word.strip_prefix('-').filter(|o| !o.is_empty()) {
                options = true;
                let option = option.trim_start_matches('-');
                let (name, value) = match option.split_once('=') {
                    Some((name, value)) => (name.to_ascii_lowercase(), Some(value)),
                    None => (option.to_ascii_lowercase(), None),
                };
                match name.as_str() {
                    "target" | "t" => {
                        target.get_or_insert_with(Vec::new);
                    }
                    "skip" => {
                        parsed.skip.get_or_insert_with(Vec::new);
                    }
                    _ => {}
                }
                current = Some(name);
                if let Some(value) = value {
                    Self::take(&mut parsed, &mut target, &mut current, value);
                }
                continue;
            }
            if current.is_none() && !options {
                positional.push(word.clone());
            } else {
                Self::take(&mut parsed, &mut target, &mut current, word);
            }
        }
        parsed.targets = target.unwrap_or(positional);
        parsed
    }

    /// A value after option `current`.
    fn take(
        parsed: &mut Self,
        target: &mut Option<Vec<String>>,
        current: &mut Option<String>,
        value: &str,
    ) {
        match current.as_deref() {
            Some("target" | "t") => target.get_or_insert_with(Vec::new).push(value.to_string()),
            Some("skip") => parsed
                .skip
                .get_or_insert_with(Vec::new)
                .push(value.to_string()),
            Some(name) => {
                parsed
                    .parameters
                    .push((name.to_string(), value.to_string()));
                *current = None;
            }
            None => {}
        }
    }
}

/// The build project a NUKE bootstrapper runs (`BUILD_PROJECT_FILE=
/// "$SCRIPT_DIR/build/_build.csproj"`, `$BuildProjectFile =
/// "$PSScriptRoot\build\_build.csproj"`): its folder.
static NUKE_PROJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:SCRIPT_DIR|PSScriptRoot)[/\\]+([A-Za-z0-9_.\-/\\]+?)[/\\]+[A-Za-z0-9_.\-]+\.csproj",
    )
    .expect("valid regex literal")
});

/// The shells a .NET build's bootstrapper (`build.sh`, `build.ps1`) is
/// run through (`bash ./build.sh`, `pwsh build.ps1`).
const BOOTSTRAPPER_SHELLS: &[&str] = &[
    "bash",
    "sh",
    "pwsh",
    "powershell",
    "pwsh.exe",
    "powershell.exe",
];

/// A Cake run: its script, its arguments, and whether its bootstrapper
/// declares a `Target` parameter of its own (`build.ps1 -Target X`).
struct CakeRun {
    script: String,
    args: Vec<String>,
    single_dash_target: bool,
}

/// A `.cake` file a bootstrapper names (`$SCRIPT = "build.cake"`).
static CAKE_SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z0-9_.\-/]+\.cake)(?-u:\b)").expect("valid regex literal")
});

/// A covector run: its command, whether it is a dry run, and the packages
/// it is limited to (the action's `filterPackages`).
#[derive(Debug, PartialEq, Eq)]
struct CovectorRun<'w> {
    command: &'w str,
    dry_run: bool,
    packages: Option<Vec<&'w str>>,
}

/// `covector publish` or `covector version`, run directly or through a
/// package runner, or the action's `version-or-publish` (written by
/// [`crate::registry::publishing`] as `covector version-or-publish`, with
/// `--filterPackages` for its input of that name): the run; yargs takes
/// `--dry-run` and `--dryRun`, with or without `=true` (jbolda/covector
/// `packages/covector/src/cli.ts` [12f80da]). `Err(())` for a run in
/// another folder (`--cwd`).
fn covector_command(words: &[String]) -> Option<Result<CovectorRun<'_>, ()>> {
    let rest = through_runners(words, "covector")?;
    let args = rest.get(1..)?;
    let command = args.iter().find(|w| !w.starts_with('-'))?;
    if !matches!(
        command.as_str(),
        "publish" | "version" | "version-or-publish"
    ) {
        return None;
    }
    if args.iter().any(|w| w == "--cwd" || w.starts_with("--cwd=")) {
        return Some(Err(()));
    }
    let dry_run = args.iter().any(|w| {
        let (flag, value) = w.split_once('=').unwrap_or((w, "true"));
        matches!(flag, "--dry-run" | "--dryRun") && value != "false"
    });
    let packages = args
        .iter()
        .find_map(|w| w.strip_prefix("--filterPackages="))
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        });
    Some(Ok(CovectorRun {
        command: command.as_str(),
        dry_run,
        packages,
    }))
}

/// `words` from `tool` on, when the command runs it directly or through
/// package runners (`npx`, `pnpm`, `yarn`, `bunx`, `exec`, with their
/// options); `None` when it runs something else.
fn through_runners<'w>(words: &'w [String], tool: &str) -> Option<&'w [String]> {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let name = shell::last_component(first);
        let name = crate::registry::npm::long_name(name.split('@').next().unwrap_or(name));
        match name {
            name if name == tool => return Some(rest),
            "npx" | "pnpm" | "pnpx" | "yarn" | "bunx" | "exec" => {
                rest = shell::skip_runner_options(&rest[1..]);
            }
            _ => return None,
        }
    }
    None
}

/// The command `lerna exec [options] [--] CMD [ARGS]` runs in each
/// package, as shell text, run directly or through a package runner
/// (`npx lerna exec -- npm publish`); `None` for other commands
/// (`registry::npm::LERNA_EXEC_VALUE_OPTIONS`).
fn lerna_exec(words: &[String]) -> Option<String> {
    let rest = through_runners(words, "lerna")?;
    let (exec, args) = rest.get(1..)?.split_first()?;
    if exec != "exec" {
        return None;
    }
    let command = match args.iter().position(|w| w == "--") {
        Some(at) => &args[at + 1..],
        None => skip_options(args, crate::registry::npm::LERNA_EXEC_VALUE_OPTIONS),
    };
    let quoted: Vec<String> = command
        .iter()
        .map(|w| {
            if w.contains(|c: char| c.is_whitespace() || "'\"".contains(c)) {
                format!("'{}'", w.replace('\'', "'\\''"))
            } else {
                w.clone()
            }
        })
        .collect();
    (!quoted.is_empty()).then(|| quoted.join(" "))
}

/// Whether words run semantic-release: itself, or through `npx`, `pnpm`
/// or `yarn` (`npx semantic-release@24`, `pnpm semantic-release`).
fn runs_semantic_release(words: &[String]) -> bool {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let name = shell::last_component(first);
        let name = crate::registry::npm::long_name(name.split('@').next().unwrap_or(name));
        match name {
            "semantic-release" => return true,
            "npx" | "pnpm" | "yarn" | "exec" => {
                rest = shell::skip_runner_options(&rest[1..]);
            }
            _ => return false,
        }
    }
    false
}

impl<'a, V: Visit<'a>> Walker<'a, '_, V> {
    fn job(&mut self, job: JobRef<'a>) {
        let source = &self.repo.sources.get(job.file).text;
        for (top, step) in job.steps.iter().enumerate() {
            let exec = Executed {
                job,
                top,
                step,
                file: job.file,
                source,
                frames: &[],
            };
            self.step(&exec);
        }
    }

    fn opaque(
        &mut self,
        exec: &Executed<'a, '_>,
        location: Location,
        via: Vec<Location>,
        what: String,
    ) {
        self.visitor.opaque(Opaque {
            top: exec.top,
            uploads_read: None,
            location,
            via,
            what,
        });
    }

    fn step(&mut self, exec: &Executed<'a, '_>) {
        self.visitor.step(exec);
        let step = exec.step;
        if let Some(uses) = &step.uses {
            let here = exec.location(uses.raw.span);
            match &uses.target {
                UsesTarget::Local { path } | UsesTarget::SelfRepository { path } => {
                    self.local_action(exec, path, here);
                }
                UsesTarget::Remote { .. } => {
                    if !actions::is_known(&uses.target) {
                        let what = format!(
                            "`{}`, an action tplint does not know",
                            uses.raw.value.trim()
                        );
                        self.opaque(exec, here, exec.via(), what);
                    }
                }
                UsesTarget::Docker { image, .. } => {
                    let what = format!("`docker://{image}`, a container tplint cannot see into");
                    self.opaque(exec, here, exec.via(), what);
                }
                UsesTarget::Invalid(_) => {}
            }
        }
        if let Some(uses) = &step.uses
            && let Some(entry) =
                crate::registry::publishing::command_actions().find(|a| a.matches(&uses.target))
        {
            self.action_commands(exec, entry, uses.raw.span);
        }
        if let Some(run) = &step.run {
            // A composite action's steps do not take the job's defaults.
            let working_directory = step.working_directory.as_ref().or_else(|| {
                exec.frames
                    .is_empty()
                    .then_some(exec.job.run_working_directory)
                    .flatten()
            });
            let Some(w) = working_directory else {
                self.run_step(exec, run, None);
                return;
            };
            let folder = exec.resolve(&w.value);
            match self.matrix_folders(exec, &folder) {
                Some(folders) => {
                    for folder in folders {
                        self.run_step(exec, run, Some(&folder));
                    }
                }
                None => self.run_step(exec, run, Some(&folder)),
            }
        }
    }

    /// The folders a `working-directory` naming `${{ matrix.NAME }}` of
    /// the job's own steps takes, one per literal value of the matrix
    /// (`workflow::matrix_values`; drizzle-team/drizzle-orm's
    /// `working-directory: ${{ matrix.package }}`); `None` when it names
    /// none, or one without literal values (the folder then stays one
    /// tplint cannot tell).
    fn matrix_folders(&self, exec: &Executed<'a, '_>, folder: &str) -> Option<Vec<String>> {
        if exec.in_action() || !folder.contains("matrix.") {
            return None;
        }
        matrix_expansions(exec.job.strategy?, folder)
    }

    /// A `run:` step walked in `working_directory` (resolved), if any.
    fn run_step(
        &mut self,
        exec: &Executed<'a, '_>,
        run: &'a crate::workflow::Spanned<String>,
        working_directory: Option<&str>,
    ) {
        let mut cwd = working_directory
            .and_then(|w| join("", w))
            .unwrap_or_default();
        let mut checkout = checkout_folder(exec.job.steps, exec.top);
        if checkout.is_some()
            && let Some(w) = working_directory
        {
            // `${{ github.workspace }}/<folder>` names the workspace.
            let words = ["cd".to_string(), w.trim().to_string()];
            match changed_folder(&words, Some("")) {
                Some(Some(dir)) => cwd = dir,
                _ => checkout = None,
            }
        }
        let (cwd, saved) = self.enter_checkout(checkout, cwd);
        let block = ShellBlock {
            exec,
            kind: BlockKind::Run,
            file: exec.file,
            source: exec.source,
            within: run.span,
            text: exec.resolve(&run.value),
            via: exec.via(),
            inherited: Vec::new(),
            cwd,
            gate: None,
        };
        self.shell(&block, 0);
        (self.checkout, self.outside) = saved;
    }

    /// The command lines an action of [`crate::registry::publishing::command_actions`]
    /// runs (changesets/action's `publish`), read as `run:` text of its step.
    fn action_commands(
        &mut self,
        exec: &Executed<'a, '_>,
        entry: &crate::registry::publishing::CommandAction,
        uses_span: Span,
    ) {
        let cwd = entry
            .cwd_input
            .and_then(|input| exec.input(input))
            .and_then(|(_, value)| join("", &value))
            .unwrap_or_default();
        // The action runs in the workspace: a `cwd` is relative to it, and
        // the repository may be checked out in a folder of it (lit/lit's
        // `path: lit` with `cwd: lit`).
        let checkout = checkout_folder(exec.job.steps, exec.top);
        let (cwd, saved) = self.enter_checkout(checkout, cwd);
        self.action_command_lines(exec, entry, uses_span, &cwd);
        (self.checkout, self.outside) = saved;
    }

    /// Enter the repository checked out in workspace folder `checkout`
    /// (`None`: the workspace itself) from workspace folder `cwd`: the
    /// folder in the repository to run from (its root when `cwd` is outside
    /// the checkout, which is then remembered as `outside`), and the
    /// walker's previous checkout and outside folder, to restore after.
    fn enter_checkout(
        &mut self,
        checkout: Option<String>,
        cwd: String,
    ) -> (String, (Option<String>, Option<String>)) {
        let (cwd, outside) = match &checkout {
            // Relative to the workspace: inside the checkout or not.
            Some(folder) => match in_checkout(folder, &cwd) {
                Some(inner) => (inner, None),
                None => (String::new(), Some(cwd)),
            },
            None => (cwd, None),
        };
        let saved = (
            std::mem::replace(&mut self.checkout, checkout),
            std::mem::replace(&mut self.outside, outside),
        );
        (cwd, saved)
    }

    /// The lines of [`Self::action_commands`], walked from `cwd`.
    fn action_command_lines(
        &mut self,
        exec: &Executed<'a, '_>,
        entry: &crate::registry::publishing::CommandAction,
        uses_span: Span,
        cwd: &str,
    ) {
        let mut lines: Vec<(Span, Cow<'a, str>)> = entry
            .command_inputs
            .iter()
            .filter_map(|input| exec.input(input))
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(kv, value)| (kv.value.span, value))
            .collect();
        let implied = lines.is_empty();
        if implied && let Some(default) = entry.default_command {
            lines.push((uses_span, Cow::Borrowed(default)));
        }
        if implied && let Some(build) = entry.implied {
            let input = |name: &str| exec.input(name).map(|(_, v)| v.into_owned());
            let version = exec.step.uses.as_ref().and_then(|uses| {
                let comment = uses.comment.as_ref().map(|c| c.value.trim());
                match &uses.target {
                    UsesTarget::Remote { git_ref, .. } if git_ref.starts_with('v') => {
                        Some(git_ref.as_str())
                    }
                    _ => comment.filter(|c| c.starts_with('v')),
                }
            });
            match build(&input, version) {
                Some(command) => lines.push((uses_span, Cow::Owned(command))),
                None => {
                    let what = format!(
                        "`{}`, run with a configuration tplint does not read",
                        entry.action
                    );
                    self.opaque(exec, exec.location(uses_span), exec.via(), what);
                }
            }
        }
        for (within, text) in lines {
            let text = match self.script_shorthand(cwd, &text) {
                Ok(Some(explicit)) => Cow::Owned(explicit),
                Ok(None) => text,
                Err(command) => {
                    let what = format!("`{command}`, a script or program tplint cannot find");
                    self.opaque(exec, exec.location(within), exec.via(), what);
                    continue;
                }
            };
            let block = ShellBlock {
                exec,
                kind: if implied {
                    BlockKind::Implied
                } else {
                    BlockKind::Run
                },
                file: exec.file,
                source: exec.source,
                within,
                text,
                via: exec.via(),
                inherited: Vec::new(),
                cwd: cwd.to_string(),
                gate: None,
            };
            self.shell(&block, 0);
        }
    }

    /// `pnpm release` or `yarn release` as `pnpm run release`, when the
    /// `package.json` the command runs with (read already) defines that
    /// script: pnpm and Yarn run a script named in place of a command
    /// (pnpm.io/cli/run, yarnpkg.com/cli/run), which a changesets `publish`
    /// input usually does. `Err` with the word when it names neither a
    /// script tplint finds nor a command it knows; `Ok(None)` for anything
    /// else, which stays as written.
    fn script_shorthand(&mut self, cwd: &str, text: &str) -> Result<Option<String>, String> {
        /// pnpm's and Yarn's own commands that tplint reads, and the release
        /// tools it reads behind them (pnpm's others: `PNPM_COMMANDS`).
        const KNOWN: &[&str] = &[
            "run",
            "exec",
            "dlx",
            "publish",
            "npm",
            "install",
            "i",
            "add",
            "changeset",
            "semantic-release",
            "release-it",
            "lerna",
            "nx",
        ];
        let mut words: Vec<&str> = text.split_whitespace().collect();
        if let Some(first) = words.first_mut() {
            *first = crate::registry::npm::long_name(first);
        }
        let (runner, script) = match words.as_slice() {
            [runner @ ("pnpm" | "yarn"), script, ..] if !script.starts_with('-') => {
                (*runner, *script)
            }
            _ => return Ok(None),
        };
        if text.contains(['\n', ';', '&', '|'])
            || KNOWN.contains(&script)
            || (runner == "pnpm" && crate::registry::npm::is_pnpm_command(script))
        {
            return Ok(None);
        }
        let path = join(cwd, "package.json");
        // Another folder's `package.json`: read on the next walk.
        if let Some(path) = &path
            && path != "package.json"
            && self.repo.locals.text(path).is_none()
            && self.repo.locals.can_read()
        {
            self.needs.insert(Need::Text(path.clone()));
        }
        let source = path.and_then(|path| {
            let file = if path == "package.json" {
                self.repo.manifests.package_json.as_ref()?.file?
            } else {
                self.repo.locals.text(&path)?.file?
            };
            Some((file, self.repo.sources.get(file).text.as_str()))
        });
        let defined = source.is_some_and(|(file, source)| {
            let recipes = self
                .budget
                .cache()
                .package_json(file, source)
                .recipes(runner, &[script]);
            recipes.missing.is_empty() && !recipes.opaque
        });
        if !defined {
            return Err(format!("{runner} {script}"));
        }
        let rest = words[2..].join(" ");
        Ok(Some(
            format!("{runner} run {script} {rest}")
                .trim_end()
                .to_string(),
        ))
    }

    fn local_action(&mut self, exec: &Executed<'a, '_>, path: &str, here: Location) {
        let via = exec.via();
        let Some(dir) = join("", path) else {
            let what = format!("`{path}`, a local action outside the repository");
            self.opaque(exec, here, via, what);
            return;
        };
        let Some(index) = self.repo.locals.action_position(&dir) else {
            if self.repo.locals.can_read() {
                self.needs.insert(Need::Action(dir.clone()));
            }
            self.opaque(
                exec,
                here,
                via,
                format!("`./{dir}`, a local action not read"),
            );
            return;
        };
        let local: &'a LocalAction = &self.repo.locals.actions[index];
        let composite = local.action.as_ref().is_some_and(Action::is_composite);
        if !composite {
            // A composite action's steps are judged one by one; any other
            // local action runs code of the checkout.
            self.visitor
                .local_code(exec.top, here, &via, &format!("the local action `./{dir}`"));
        }
        let (Some(file), Some(action)) = (local.file, local.action.as_ref()) else {
            let what = if local.file.is_none() {
                format!("`./{dir}`, which has no `action.yml`")
            } else {
                format!("`./{dir}`, whose `action.yml` could not be read")
            };
            self.opaque(exec, here, via, what);
            return;
        };
        if !action.is_composite() {
            let using = action.using.as_ref().map_or("", |u| u.value.as_str());
            let what = format!("`./{dir}`, a `{using}` action whose code tplint does not read");
            self.opaque(exec, here, via, what);
            return;
        }
        let key = format!("action:{dir}");
        let size = self.repo.sources.get(file).text.len();
        if exec.frames.len() >= MAX_DEPTH || self.stack.contains(&key) || !self.budget.take(size) {
            let what = format!("`./{dir}`, nested too deep, in a cycle, or past the work budget");
            self.opaque(exec, here, via, what);
            return;
        }
        let mut frames = exec.frames.to_vec();
        frames.push(Frame {
            call: exec.step,
            call_file: exec.file,
            action,
            action_index: index,
        });
        let source = &self.repo.sources.get(file).text;
        self.stack.push(key);
        for step in &action.steps {
            let inner = Executed {
                job: exec.job,
                top: exec.top,
                step,
                file,
                source,
                frames: &frames,
            };
            self.step(&inner);
        }
        self.stack.pop();
    }

    fn shell(&mut self, block: &ShellBlock<'a, '_, '_>, depth: usize) {
        self.blocks += 1;
        if self.blocks > MAX_BLOCKS_PER_JOB {
            return;
        }
        // Parsing every `run:` of every job is most of the walk's cost;
        // the commands matter only where they may upload, run another
        // file, or use the token (a job that can mint it).
        let text = block.text.as_ref();
        let relevant = job_may_mint(block.exec.job)
            || super::publish::mentions_upload_word(text)
            || may_run_files(text);
        if !relevant {
            self.visitor.shell(block, &[]);
            return;
        }
        let parsed = self.budget.cache().shell(&block.text);
        // Branches that run only when a variable nothing sets is set.
        let commands: Cow<'_, [Command]> =
            if parsed.iter().any(|c| c.guards.iter().any(|(_, set)| *set)) {
                let mut commands = parsed.to_vec();
                commands.retain(|c| {
                    !c.guards
                        .iter()
                        .any(|(name, set)| *set && never_set(block, c, name))
                });
                Cow::Owned(commands)
            } else {
                Cow::Borrowed(parsed.as_slice())
            };
        let commands = self.deno_aliases(block, depth, commands);
        let commands = held_uploads(commands);
        self.visitor.shell(block, &commands);
        // The working folder each command runs in: `cd DIR` (or `pushd`)
        // moves the commands after it, until the subshell it is in ends;
        // `None` once it moved where tplint cannot tell (`cd "$DIR"`).
        // With the repository checked out into a folder of the workspace,
        // folders are followed relative to the workspace (`cd ..` from the
        // checkout's root, `cd $GITHUB_WORKSPACE/<folder>`), and a command
        // runs in the repository only from inside that folder.
        let checkout = self.checkout.clone();
        let mut cwd: Option<String> = if self.unknown_start && depth == 0 {
            None
        } else if let (0, Some(outside)) = (depth, &self.outside) {
            Some(outside.clone())
        } else {
            match &checkout {
                Some(folder) if !block.cwd.is_empty() => Some(format!("{folder}/{}", block.cwd)),
                Some(folder) => Some(folder.clone()),
                None => Some(block.cwd.clone()),
            }
        };
        let mut saved: Vec<(usize, usize, Option<String>)> = Vec::new();
        for command in commands.iter() {
            while saved
                .last()
                .is_some_and(|(at, id, _)| left_subshell(*at, *id, command))
            {
                if let Some((_, _, before)) = saved.pop() {
                    cwd = before;
                }
            }
            let words = strip_prefixes(&command.words);
            let target = cd_with_variables(words, &|name| {
                block
                    .env(Some(command), name)
                    .map(|hit| hit.value.into_owned())
            });
            if let Some(moved) = changed_folder(target.as_deref().unwrap_or(words), cwd.as_deref())
            {
                saved.push((command.subshell, command.subshell_id, cwd.clone()));
                cwd = moved;
                continue;
            }
            // The folder in the repository; `Err` outside the checkout.
            let here: Option<Result<String, ()>> = match (&cwd, &checkout) {
                (Some(here), Some(folder)) => Some(in_checkout(folder, here).ok_or(())),
                (Some(here), None) => Some(Ok(here.clone())),
                (None, _) => None,
            };
            match &here {
                Some(Ok(here)) if *here == block.cwd => self.command(block, command, depth),
                Some(Ok(here)) => {
                    let moved = block.in_folder(here.clone());
                    self.command(&moved, command, depth);
                }
                Some(Err(())) => {
                    // A relative path from the workspace, not the checkout
                    // (`bash -c` text too); `pnpm NAME`, a script or a
                    // program of a folder that is not the repository's, is
                    // left as written.
                    let relative = tasks::what_runs(words).is_some_and(|run| {
                        !matches!(run, tasks::Runs::Interpreter { file: None, .. })
                    });
                    if pnpm_program_or_script(words) {
                        // Neither can be told here.
                    } else if relative {
                        let at = block.command_location(command);
                        let what = format!(
                            "`{}`, run outside the checkout of the repository (in `{}`)",
                            words.join(" "),
                            checkout.as_deref().unwrap_or_default()
                        );
                        self.opaque(block.exec, at, block.via.clone(), what);
                    } else {
                        self.command(block, command, depth);
                    }
                }
                None => {
                    // A relative path from a folder tplint cannot tell.
                    let relative = tasks::what_runs(words).is_some_and(|run| {
                        !matches!(
                            run,
                            tasks::Runs::Inline(_) | tasks::Runs::Interpreter { .. }
                        )
                    });
                    if pnpm_program_or_script(words) {
                        // A script or a program: neither can be told here.
                    } else if relative {
                        let at = block.command_location(command);
                        let what = format!(
                            "`{}`, run from a folder tplint cannot tell (after a `cd` to a variable)",
                            words.join(" ")
                        );
                        self.opaque(block.exec, at, block.via.clone(), what);
                    } else {
                        self.command(block, command, depth);
                    }
                }
            }
        }
    }

    /// `commands` with the module of each `deno run` that names, through
    /// the import map of the Deno configuration of the block's folder, the
    /// JSR package that publishes on a tag written as that package
    /// (denoland/dnt: `deno run -A @david/publish-on-tag`, its `deno.jsonc`
    /// mapping `@david/publish-on-tag` to
    /// `jsr:@david/publish-on-tag@^0.2.0`), so it is read as the upload
    /// the package runs.
    fn deno_aliases<'c>(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        depth: usize,
        mut commands: Cow<'c, [Command]>,
    ) -> Cow<'c, [Command]> {
        if !block.text.contains("deno") {
            return commands;
        }
        // A folder outside the repository, or one tplint cannot tell.
        if depth == 0 && (self.unknown_start || self.outside.is_some()) {
            return commands;
        }
        for index in 0..commands.len() {
            let words = &commands[index].words;
            let Some(at) = deno_run_module(words) else {
                continue;
            };
            let Some(target) = self.deno_import(&block.cwd, &words[at]) else {
                continue;
            };
            if tasks::is_publish_on_tag(&target) {
                commands.to_mut()[index].words[at] = target;
            }
        }
        commands
    }

    /// What bare specifier `specifier` names through the import map of
    /// the Deno configuration file Deno takes in `cwd`: `deno.json` or
    /// `deno.jsonc` there, else in the nearest folder above it with one
    /// (https://docs.deno.com/runtime/fundamentals/configuration/). Files
    /// not read yet are asked for, and the specifier stays as written
    /// until they are.
    fn deno_import(&mut self, cwd: &str, specifier: &str) -> Option<String> {
        let mut folder = Some(cwd);
        while let Some(dir) = folder {
            for name in ["deno.json", "deno.jsonc"] {
                let path = join(dir, name)?;
                match self.repo.locals.text(&path) {
                    None => {
                        if self.repo.locals.can_read() {
                            self.needs.insert(Need::Text(path));
                        }
                        return None;
                    }
                    Some(local) => {
                        if let Some(file) = local.file {
                            let text = &self.repo.sources.get(file).text;
                            return crate::manifest::deno_import(text, specifier);
                        }
                    }
                }
            }
            folder = (!dir.is_empty()).then(|| dir.rsplit_once('/').map_or("", |(up, _)| up));
        }
        None
    }

    /// Follow a command into the file it runs, if it runs one.
    fn command(&mut self, block: &ShellBlock<'a, '_, '_>, command: &Command, depth: usize) {
        let words = strip_prefixes(&command.words);
        // `version-or-publish` is the action's alone: the command line
        // has no such command.
        if let Some(run) = covector_command(words).filter(|run| {
            block.kind == BlockKind::Implied
                || run
                    .as_ref()
                    .is_ok_and(|run| run.command != "version-or-publish")
        }) {
            self.covector(block, command, run, depth);
            return;
        }
        if let Some(run) = self.nuke_run(block, words) {
            self.nuke(block, command, run, depth);
            return;
        }
        if let Some(run) = self.cake_run(block, words) {
            self.cake(block, command, run, depth);
            return;
        }
        if let [program, args @ ..] = words
            && shell::last_component(program) == "melos"
            && let Some(run) = melos::what_runs(args)
        {
            self.melos(block, command, run, depth);
            return;
        }
        if let [program, args @ ..] = words
            && program.rsplit('/').next() == Some("mise")
            && let Some(run) = mise::what_runs(args)
        {
            self.mise(block, command, run, depth);
            return;
        }
        // `lerna exec -- CMD`: CMD in each package's folder, read as more
        // commands of the same file.
        if let Some(text) = lerna_exec(words) {
            self.more_text(block, text, depth);
            return;
        }
        // `@semantic-release/exec`'s `publishCmd` and the client plugins'
        // publishes: shell commands run from the repository root.
        if runs_semantic_release(words) {
            let repo = self.repo;
            for text in &repo.manifests.release.semantic_release_commands {
                let root = block.in_folder(String::new());
                self.more_text(&root, text.clone(), depth);
            }
        }
        if runs_semantic_release(words)
            && self.repo.manifests.release.semantic_release
                == crate::release_config::SemanticReleaseNpm::Unknown
        {
            let what = "`semantic-release`, whose configuration extends a shareable one or names plugins tplint does not know".to_string();
            let at = block.command_location(command);
            self.opaque(block.exec, at, block.via.clone(), what);
            return;
        }
        // `yarn workspace NAME CMD...`: `yarn CMD...` in the folder of the
        // workspace named NAME, where tplint finds it.
        if let Some((name, rest)) = yarn_workspace_command(words)
            && let Some(folder) = self.yarn_workspace_folder(name)
        {
            let mut moved_command = command.clone();
            moved_command.words = std::iter::once(words[0].clone())
                .chain(rest.iter().cloned())
                .collect();
            moved_command.held = Vec::new();
            let moved = block.in_folder(folder);
            self.command(&moved, &moved_command, depth);
            return;
        }
        let Some(run) = tasks::what_runs(words) else {
            if let Some(what) = unknown_publish(words).or_else(|| dotnet_tool(words)) {
                let at = block.command_location(command);
                self.opaque(block.exec, at, block.via.clone(), what);
            }
            return;
        };
        let at = block.command_location(command);
        let mut via = block.via.clone();
        via.push(at);
        match run {
            // `bash -c '...'`: the same file, more commands.
            tasks::Runs::Inline(text) => self.more_text(block, text.to_string(), depth),
            tasks::Runs::Interpreter { program, file } => {
                let what = match &file {
                    Some(file) if *file == program => {
                        format!("`{file}`, a program tplint does not read")
                    }
                    Some(file) => format!("`{program} {file}`, a program tplint does not read"),
                    None => format!("`{program}`, a task runner tplint does not read"),
                };
                self.visitor
                    .local_code(block.exec.top, at, &block.via, &what);
                self.opaque(block.exec, at, block.via.clone(), what.clone());
                if let Some(file) = &file {
                    self.nx_release_script(block, file, at, depth);
                    let language = super::scripts::Language::of_interpreter(&program, file);
                    if language.is_some() || *file == program {
                        let inherited = self.inherit(block, command, at, &[]);
                        let mut via = block.via.clone();
                        via.push(at);
                        let given = script_arguments(&command.words, file);
                        let script = ForeignScript {
                            file,
                            language,
                            given: given.as_deref(),
                        };
                        self.foreign_script(block, script, via, inherited, depth);
                    }
                }
            }
            tasks::Runs::Script(path) => self.script(block, command, path, at, via, depth),
            tasks::Runs::Make {
                file,
                dir,
                targets,
                assignments,
            } => {
                let base = match dir {
                    Some(dir) => join(&block.cwd, dir),
                    None => Some(block.cwd.clone()),
                };
                let candidates: Vec<String> = match (file, &base) {
                    (Some(file), Some(base)) => join(base, file).into_iter().collect(),
                    (None, Some(base)) => ["GNUmakefile", "makefile", "Makefile"]
                        .iter()
                        .filter_map(|name| join(base, name))
                        .collect(),
                    _ => Vec::new(),
                };
                let inherited = self.inherit(block, command, at, &assignments);
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    ("make", &targets.join(" ")),
                    |cache, _, file, text| cache.makefile(file, text).recipes(&targets),
                    inherited,
                );
            }
            tasks::Runs::Tox { config, envs } => {
                let candidates: Vec<String> = match config {
                    Some(config) => join(&block.cwd, config).into_iter().collect(),
                    None => ["tox.ini", "tox.toml", "pyproject.toml"]
                        .iter()
                        .filter_map(|name| join(&block.cwd, name))
                        .collect(),
                };
                let inherited = self.inherit(block, command, at, &[]);
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    ("tox", &envs.join(" ")),
                    |cache, path, file, text| cache.tox(file, path, text).recipes(text, &envs),
                    inherited,
                );
            }
            tasks::Runs::PackageScript {
                runner,
                script,
                args,
            } => {
                let candidates: Vec<String> =
                    join(&block.cwd, "package.json").into_iter().collect();
                // `pnpm release`: a script only when the `package.json`
                // defines it, else a program of that name, left as is.
                if pnpm_shorthand(words) && !self.defines_script(&candidates, runner, script) {
                    return;
                }
                // `yarn lerna publish`: Yarn runs the release tool's own
                // program when no script has its name; the tool is the
                // upload, read as such, not a recipe of the project.
                if yarn_runs_release_tool(words)
                    && !self.defines_script(&candidates, runner, script)
                {
                    return;
                }
                let inherited = self.inherit(block, command, at, &[]);
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    (&format!("{} run", written_runner(words, runner)), script),
                    |cache, _, file, text| {
                        cache
                            .package_json(file, text)
                            .recipes_with(runner, &[script], &args)
                    },
                    inherited,
                );
            }
            tasks::Runs::Rake { file, tasks } => {
                let candidates: Vec<String> = match file {
                    Some(file) => join(&block.cwd, file).into_iter().collect(),
                    // Rake's own search (`rake --help`: rakefile, Rakefile,
                    // rakefile.rb, Rakefile.rb), in the working folder.
                    None => ["Rakefile", "rakefile", "Rakefile.rb", "rakefile.rb"]
                        .iter()
                        .filter_map(|name| join(&block.cwd, name))
                        .collect(),
                };
                let inherited = self.inherit(block, command, at, &[]);
                self.rake_file(block, at, via, depth, &candidates, &tasks, inherited);
            }
            tasks::Runs::Grinder { tasks } => {
                let candidates: Vec<String> =
                    join(&block.cwd, "tool/grind.dart").into_iter().collect();
                let inherited = self.inherit(block, command, at, &[]);
                let npm_token = block.exec.env("NPM_TOKEN").is_some()
                    || inherited.iter().any(|hit| hit.name == "NPM_TOKEN");
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    ("grinder", &tasks.join(" ")),
                    |_, _, _, text| grinder::recipes(text, &tasks, npm_token),
                    inherited,
                );
            }
            tasks::Runs::Just { recipes } => {
                let candidates: Vec<String> = ["justfile", "Justfile", ".justfile"]
                    .iter()
                    .filter_map(|name| join(&block.cwd, name))
                    .collect();
                let inherited = self.inherit(block, command, at, &[]);
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    ("just", &recipes.join(" ")),
                    |cache, _, file, text| cache.justfile(file, text).recipes(&recipes),
                    inherited,
                );
            }
        }
    }

    /// The folder of the Yarn workspace named `name`: of the folders the
    /// root `package.json`'s `workspaces` lists (literal folders and
    /// `DIR/*`, the forms Yarn's globs mostly take), the one whose
    /// `package.json` has that `name` (yarnpkg/berry
    /// `plugin-workspace-tools/sources/commands/workspace.ts` [745da4b]:
    /// the workspace is found by its package name). Folders and files not
    /// read yet are asked for; `None` until they are, or when none has it.
    fn yarn_workspace_folder(&mut self, name: &str) -> Option<String> {
        let repo = self.repo;
        let globs = &repo.manifests.package_json.as_ref()?.workspace_globs;
        let can_read = repo.locals.can_read();
        let mut folders = Vec::new();
        for glob in globs {
            let glob = glob.trim_start_matches("./").trim_end_matches('/');
            if glob.is_empty() || glob == "." || glob.contains("..") {
                continue;
            }
            let pattern = |text: &str| text.contains(['*', '?', '[', '{', '!']);
            match glob.strip_suffix("/*") {
                Some(parent) if !pattern(parent) => match repo.locals.subfolders(parent) {
                    Some(names) => folders.extend(names.iter().map(|n| format!("{parent}/{n}"))),
                    None if can_read => {
                        self.needs.insert(Need::Subfolders(parent.to_string()));
                    }
                    None => {}
                },
                None if !pattern(glob) => folders.push(glob.to_string()),
                _ => {}
            }
        }
        for folder in folders.into_iter().take(MAX_WORKSPACE_FOLDERS) {
            let path = format!("{folder}/package.json");
            match repo.locals.text(&path) {
                None if can_read => {
                    self.needs.insert(Need::Text(path));
                }
                None => {}
                Some(local) => {
                    let named = local.file.is_some_and(|file| {
                        crate::manifest::parse_package_json(&repo.sources.get(file).text)
                            .name
                            .is_some_and(|n| n.value == name)
                    });
                    if named {
                        return Some(folder);
                    }
                }
            }
        }
        None
    }

    /// Whether the `package.json` of `candidates` is read and defines
    /// `script`; a file not read yet is asked for (the next walk has it).
    fn defines_script(&mut self, candidates: &[String], runner: &str, script: &str) -> bool {
        let Some(path) = candidates.first() else {
            return false;
        };
        let file = if path == "package.json" {
            self.repo
                .manifests
                .package_json
                .as_ref()
                .and_then(|p| p.file)
                .or_else(|| self.repo.locals.text(path).and_then(|l| l.file))
        } else {
            match self.repo.locals.text(path) {
                Some(local) => local.file,
                None => {
                    if self.repo.locals.can_read() {
                        self.needs.insert(Need::Text(path.clone()));
                    }
                    None
                }
            }
        };
        file.is_some_and(|file| {
            let recipes =
                tasks::package_scripts(&self.repo.sources.get(file).text, runner, &[script]);
            recipes.missing.is_empty() && !recipes.opaque
        })
    }

    /// A JavaScript or TypeScript release script that calls Nx's
    /// programmatic `releasePublish()` (imported from `nx/release`, nx.dev
    /// "Using the Nx Release programmatic API"): the script stays opaque,
    /// and it publishes as `nx release publish` does, unless the call is
    /// a literal dry run.
    fn nx_release_script(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        file: &str,
        at: Location,
        depth: usize,
    ) {
        let javascript = super::scripts::JAVASCRIPT_EXTENSIONS
            .iter()
            .any(|e| file.ends_with(e));
        if !javascript || depth >= MAX_DEPTH {
            return;
        }
        let Some(path) = join(&block.cwd, file) else {
            return;
        };
        let Some(local) = self.repo.locals.text(&path) else {
            if self.repo.locals.can_read() {
                self.needs.insert(Need::Text(path));
            }
            return;
        };
        let Some(source) = local.file.map(|f| self.repo.sources.get(f).text.as_str()) else {
            return;
        };
        if !(source.contains("releasePublish(") && source.contains("nx/release")) {
            return;
        }
        let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("releasePublish({dryRun:true") {
            return;
        }
        let inner = ShellBlock {
            exec: block.exec,
            kind: BlockKind::Implied,
            file: at.file,
            source: block.source,
            within: at.span,
            text: Cow::Borrowed("nx release publish"),
            via: block.via.clone(),
            inherited: block.inherited.clone(),
            cwd: block.cwd.clone(),
            gate: block.gate.clone(),
        };
        self.shell(&inner, depth + 1);
    }

    /// What `covector publish` (or `version`) runs: the command lines its
    /// configuration gives each package, in the package's folder
    /// ([`crate::release_config::Covector`]), walked as text the job runs
    /// and located at the command. A dry run runs none of them (covector
    /// logs them instead); a configuration tplint cannot read, or a run in
    /// another folder than the root, is opaque.
    fn covector(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        run: Result<CovectorRun<'_>, ()>,
        depth: usize,
    ) {
        use crate::release_config::Covector;
        // The action's `uses:`, or the command.
        let at = if block.kind == BlockKind::Implied {
            Location::new(block.file, block.within)
        } else {
            block.command_location(command)
        };
        let lines = match (&self.repo.manifests.release.covector, &run) {
            (_, Ok(CovectorRun { dry_run: true, .. })) | (Covector::Absent, Ok(_)) => return,
            (Covector::Commands { version, publish }, Ok(run)) if block.cwd.is_empty() => {
                let lines: Vec<_> = match run.command {
                    "version" => version.iter().collect(),
                    "publish" => publish.iter().collect(),
                    _ => version.iter().chain(publish).collect(),
                };
                lines
                    .into_iter()
                    .filter(|line| {
                        run.packages
                            .as_ref()
                            .is_none_or(|names| names.contains(&line.package.as_str()))
                    })
                    .collect::<Vec<_>>()
            }
            _ => {
                let what = "`covector`, run with a configuration tplint does not read".to_string();
                self.opaque(block.exec, at, block.via.clone(), what);
                return;
            }
        };
        if lines.is_empty() || depth >= MAX_DEPTH {
            return;
        }
        let placeholder = |text: &str| {
            let mut out = String::new();
            let mut rest = text;
            while let Some(open) = rest.find("${") {
                out.push_str(&rest[..open]);
                out.push_str(super::scripts::PLACEHOLDER);
                rest = rest[open..]
                    .find('}')
                    .map_or("", |close| &rest[open + close + 1..]);
            }
            out.push_str(rest);
            out
        };
        let text: Vec<String> = lines
            .iter()
            .map(|line| {
                let command = placeholder(&line.command);
                match &line.folder {
                    Some(folder) => format!(
                        "(cd {} && {command})",
                        super::scripts::quote(&placeholder(folder))
                    ),
                    None => command,
                }
            })
            .collect();
        let inner = ShellBlock {
            exec: block.exec,
            kind: BlockKind::Implied,
            file: at.file,
            source: block.source,
            within: at.span,
            text: Cow::Owned(text.join("\n")),
            via: block.via.clone(),
            inherited: block.inherited.clone(),
            cwd: block.cwd.clone(),
            gate: block.gate.clone(),
        };
        self.shell(&inner, depth + 1);
    }

    /// A NUKE build run by this command: `./build.sh ARGS`, `./build.cmd`,
    /// `build.ps1` (the bootstrappers NUKE writes, recognised by their
    /// `.nuke` temporary folder, and Fallout's, by their `.fallout` one;
    /// through `bash`, `sh` or `pwsh` too), `nuke ARGS`, `dotnet nuke ARGS`
    /// or `dotnet fallout ARGS`: its arguments and the build project's
    /// folder (`build/`, or the one the bootstrapper names). `None` for
    /// anything else, and for a bootstrapper not read yet (the command is
    /// then followed as a script, which reads it).
    fn nuke_run(&mut self, block: &ShellBlock<'a, '_, '_>, words: &[String]) -> Option<NukeRun> {
        let base = shell::last_component_of_either;
        let program = base(words.first()?);
        let (script, args): (Option<&String>, &[String]) = if program == "nuke" {
            (None, &words[1..])
        } else if program == "dotnet" && words.get(1).is_some_and(|w| w == "nuke" || w == "fallout")
        {
            (None, &words[2..])
        } else if matches!(program, "build.sh" | "build.cmd" | "build.ps1") {
            (words.first(), &words[1..])
        } else if BOOTSTRAPPER_SHELLS.contains(&program) {
            let at = words
                .iter()
                .position(|w| matches!(base(w), "build.sh" | "build.ps1" | "build.cmd"))?;
            if words[1..at]
                .iter()
                .any(|w| !w.starts_with('-') || w.eq_ignore_ascii_case("-command"))
            {
                return None;
            }
            (Some(&words[at]), &words[at + 1..])
        } else {
            return None;
        };
        let mut project = "build".to_string();
        let mut backslashes = false;
        if let Some(script) = script {
            let script = script.replace('\\', "/");
            let script = script.trim_start_matches("./");
            // build.cmd runs build.ps1 beside it.
            let bootstrapper = match script.strip_suffix(".cmd") {
                Some(stem) => format!("{stem}.ps1"),
                None => script.to_string(),
            };
            let path = join(&block.cwd, &bootstrapper)?;
            let Some(local) = self.repo.locals.text(&path) else {
                if self.repo.locals.can_read() {
                    self.needs.insert(Need::Text(path));
                }
                return None;
            };
            let text = &self.repo.sources.get(local.file?).text;
            if !text.contains(".nuke") && !text.contains(".fallout") {
                return None;
            }
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let named = NUKE_PROJECT.captures(text).and_then(|c| c.get(1));
            backslashes = named.is_some_and(|m| m.as_str().contains('\\'));
            let named = named.map_or("build".to_string(), |m| m.as_str().replace('\\', "/"));
            project = join(dir, &named)?;
        } else {
            project = join(&block.cwd, &project)?;
        }
        let windows = block.exec.job.windows;
        Some(NukeRun {
            args: args.to_vec(),
            project,
            any_case: windows == Tri::True || (backslashes && windows == Tri::Unknown),
        })
    }

    /// A Cake build run by this command: `dotnet cake [SCRIPT] ARGS`,
    /// `dotnet-cake`, `dotnet tool run dotnet-cake`, a Cake.Sdk file
    /// (`dotnet run cake.cs -- ARGS`, `dotnet cake.cs -- ARGS`, a file
    /// whose first lines say `#:sdk Cake.Sdk`), or a bootstrapper
    /// (`./build.sh`, `build.ps1`, `build.cmd`, through a shell too) that
    /// mentions Cake and not NUKE: its script (`build.cake` unless named)
    /// and arguments. `None` for anything else, and for a bootstrapper or
    /// Cake.Sdk file not read yet (the command is then followed as it
    /// would be otherwise, which reads it).
    fn cake_run(&mut self, block: &ShellBlock<'a, '_, '_>, words: &[String]) -> Option<CakeRun> {
        const BOOTSTRAPPERS: &[&str] = &["build.sh", "build.ps1", "build.cmd"];
        let base = shell::last_component_of_either;
        let program = base(words.first()?);
        let word = |i: usize| words.get(i).map(String::as_str);
        // The script named among a runner's arguments, and the rest.
        let runner = |rest: &[String]| -> CakeRun {
            let at = rest
                .iter()
                .position(|w| !w.starts_with('-') && w.ends_with(".cake"));
            let mut args = rest.to_vec();
            let script = at.map_or_else(|| "build.cake".to_string(), |at| args.remove(at));
            CakeRun {
                script,
                args,
                single_dash_target: false,
            }
        };
        let (run, folder) = if program == "dotnet-cake" {
            (runner(&words[1..]), block.cwd.clone())
        } else if program == "dotnet" && word(1) == Some("cake") {
            (runner(&words[2..]), block.cwd.clone())
        } else if program == "dotnet"
            && word(1) == Some("tool")
            && word(2) == Some("run")
            && matches!(word(3), Some("dotnet-cake" | "cake"))
        {
            (runner(&words[4..]), block.cwd.clone())
        } else if program == "dotnet"
            && let Some(at) = [1, 2]
                .into_iter()
                .find(|&i| word(i).is_some_and(|w| w.ends_with(".cs")))
            && (at == 1 || word(1) == Some("run"))
        {
            // A C# file run as a program (.NET 10): Cake.Sdk's when it says so.
            let path = join(&block.cwd, &words[at])?;
            let local = self.repo.locals.text(&path)?;
            let text = &self.repo.sources.get(local.file?).text;
            if !text.get(..text.len().min(2048))?.contains("#:sdk Cake.Sdk") {
                return None;
            }
            let args = words
                .iter()
                .position(|w| w == "--")
                .map_or_else(Vec::new, |dash| words[dash + 1..].to_vec());
            let run = CakeRun {
                script: words[at].clone(),
                args,
                single_dash_target: false,
            };
            (run, block.cwd.clone())
        } else {
            let at = if BOOTSTRAPPERS.contains(&program) {
                0
            } else if BOOTSTRAPPER_SHELLS.contains(&program) {
                let at = words
                    .iter()
                    .position(|w| BOOTSTRAPPERS.contains(&base(w)))?;
                if words[1..at]
                    .iter()
                    .any(|w| !w.starts_with('-') || w.eq_ignore_ascii_case("-command"))
                {
                    return None;
                }
                at
            } else {
                return None;
            };
            let script = words[at].replace('\\', "/");
            let script = script.trim_start_matches("./");
            let bootstrapper = match script.strip_suffix(".cmd") {
                Some(stem) => format!("{stem}.ps1"),
                None => script.to_string(),
            };
            let path = join(&block.cwd, &bootstrapper)?;
            let local = self.repo.locals.text(&path)?;
            let text = &self.repo.sources.get(local.file?).text;
            let lower = text.to_ascii_lowercase();
            if !lower.contains("cake") || lower.contains(".nuke") || lower.contains(".fallout") {
                return None;
            }
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
            let script = CAKE_SCRIPT
                .captures(text)
                .and_then(|c| c.get(1))
                .map_or("build.cake", |m| m.as_str())
                .trim_start_matches("./")
                .to_string();
            let run = CakeRun {
                script,
                args: words[at + 1..].to_vec(),
                // An old bootstrapper's `Param([string]$Target)`, passed
                // on as `--target`.
                single_dash_target: lower.contains("$target"),
            };
            (run, dir)
        };
        let script = join(&folder, &run.script)?;
        Some(CakeRun { script, ..run })
    }

    /// What a Cake run pushes to NuGet: the script and the local files it
    /// `#load`s read for the tasks the run brings along
    /// ([`super::cake::Script::pushes`]), each push walked as the `dotnet
    /// nuget push` it is, with its source and API key where the workflow
    /// gives them (an environment variable the step sets, an argument on
    /// the command line, a literal). The build stays opaque; a push whose
    /// source or key tplint cannot tell adds nothing, and so does a script
    /// that loads a recipe from a package.
    fn cake(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        run: CakeRun,
        depth: usize,
    ) {
        use super::csharp::Value;
        const MAX_FILES: usize = 16;
        let exec = block.exec;
        let at = self.build_run(block, command, "Cake");
        if depth >= MAX_DEPTH {
            return;
        }
        let Some(args) = super::cake::CakeArgs::parse(&run.args, run.single_dash_target) else {
            return;
        };
        if args.runs_nothing {
            return;
        }
        // The script, then the files it loads, breadth first.
        let mut paths: Vec<String> = vec![run.script.clone()];
        let mut texts: Vec<(FileId, &'a str)> = Vec::new();
        let mut next = 0;
        while next < paths.len() {
            if paths.len() > MAX_FILES {
                return;
            }
            let path = paths[next].clone();
            next += 1;
            let Some(local) = self.repo.locals.text(&path) else {
                if self.repo.locals.can_read() {
                    self.needs.insert(Need::Text(path));
                }
                return;
            };
            let Some(id) = local.file else {
                return;
            };
            let text: &'a str = &self.repo.sources.get(id).text;
            if !self.budget.take(text.len()) {
                return;
            }
            texts.push((id, text));
            let Some(loads) = super::cake::loads(text) else {
                return;
            };
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for load in loads {
                let Some(loaded) = join(dir, &load) else {
                    return;
                };
                if !paths.contains(&loaded) {
                    paths.push(loaded);
                }
            }
        }
        let script = self.budget.cache().cake(&texts);
        let Some(pushes) = script.pushes(&args) else {
            return;
        };
        let names: Vec<&'a str> = exec.env_names().collect();
        let literal = |hit: Option<EnvHit<'a>>| {
            hit.map(|hit| hit.value.into_owned())
                .filter(|v| !v.contains('$') && !v.trim().is_empty())
        };
        let mut lines: Vec<ImpliedPush> = Vec::new();
        for push in pushes {
            let source = match &push.source {
                Some(Value::Literal(url)) => Some(url.clone()),
                Some(Value::Variable(name)) => literal(block.env(Some(command), name)),
                Some(Value::Argument(name)) => args
                    .value(name)
                    .filter(|v| !v.contains('$') && !v.trim().is_empty())
                    .map(str::to_string),
                _ => None,
            };
            // The key as the push gets it: a variable the workflow sets,
            // or an argument's value.
            let key = match &push.api_key {
                Some(Value::Variable(name)) => names
                    .iter()
                    .any(|set| set == name)
                    .then(|| api_key_variable(name)),
                Some(Value::Argument(name)) => args
                    .value(name)
                    .map(|value| format!(" --api-key {}", super::scripts::quote(value))),
                _ => None,
            };
            if let (Some(source), Some(key)) = (source, key) {
                lines.push(ImpliedPush {
                    command: push.command,
                    source,
                    key,
                    condition: push.condition.clone(),
                });
            }
        }
        self.implied_pushes(block, at, lines, depth);
    }

    /// A build (`tool`: Cake, NUKE) the command runs: repository code, and
    /// opaque whatever tplint reads of it; where the command is.
    fn build_run(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        tool: &str,
    ) -> Location {
        let at = block.command_location(command);
        let shown = strip_prefixes(&command.words).join(" ");
        self.visitor.local_code(
            block.exec.top,
            at,
            &block.via,
            &format!("`{shown}`, a {tool} build of the repository"),
        );
        self.visitor.opaque(Opaque {
            top: block.exec.top,
            uploads_read: Some(crate::registry::Registry::NuGet),
            location: at,
            via: block.via.clone(),
            what: format!("`{shown}`, a {tool} build tplint reads only for its NuGet pushes"),
        });
        at
    }

    /// Walk the NuGet push commands a build's pushes stand for, each with
    /// its source, its key (` --api-key ...`, or nothing when NuGet reads
    /// `NUGET_API_KEY` itself) and the condition of its task or target,
    /// which tplint does not evaluate (so a rule asking whether a run
    /// reaches the push gets an unknown rather than a yes).
    fn implied_pushes(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        at: Location,
        pushes: Vec<ImpliedPush>,
        depth: usize,
    ) {
        for ImpliedPush {
            command,
            source,
            key,
            condition,
        } in pushes
        {
            let line = format!(
                "{command} '{}' --source {}{key}",
                super::scripts::PLACEHOLDER,
                super::scripts::quote(&source)
            );
            let inner = ShellBlock {
                exec: block.exec,
                kind: BlockKind::Implied,
                file: at.file,
                source: block.source,
                within: at.span,
                text: Cow::Owned(line),
                via: block.via.clone(),
                inherited: block.inherited.clone(),
                cwd: block.cwd.clone(),
                gate: condition
                    .map(|c| format!("the build's condition {c}"))
                    .or_else(|| block.gate.clone()),
            };
            self.shell(&inner, depth + 1);
        }
    }

    /// What a NUKE run pushes to NuGet: the build (the `.cs` files of its
    /// project's folder) read for the targets the run brings along
    /// ([`super::nuke::Build::pushes`]), each push walked as the `dotnet
    /// nuget push` it is, with its source and API key where the workflow
    /// gives them (a parameter's environment variable or argument, a
    /// literal default). The build stays opaque; a push whose source or
    /// key tplint cannot tell adds nothing.
    fn nuke(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        run: NukeRun,
        depth: usize,
    ) {
        use super::nuke::{Value, reads_variable};
        let exec = block.exec;
        let at = self.build_run(block, command, "NUKE");
        if depth >= MAX_DEPTH {
            return;
        }
        let listed = if run.any_case {
            self.repo.locals.folder_any_case(&run.project)
        } else {
            self.repo
                .locals
                .folder(&run.project)
                .map(|names| (run.project.as_str(), names))
        };
        let Some((folder, names)) = listed else {
            if self.repo.locals.can_read() {
                self.needs.insert(if run.any_case {
                    Need::FolderAnyCase(run.project.clone())
                } else {
                    Need::Folder(run.project.clone())
                });
            }
            return;
        };
        let mut texts: Vec<(FileId, &'a str)> = Vec::new();
        let mut unread = false;
        for name in names.iter().filter(|n| n.ends_with(".cs")) {
            let path = format!("{folder}/{name}");
            match self.repo.locals.text(&path) {
                Some(local) => match local.file {
                    Some(id) if self.budget.take(self.repo.sources.get(id).text.len()) => {
                        texts.push((id, &self.repo.sources.get(id).text));
                    }
                    _ => unread = true,
                },
                None => {
                    if self.repo.locals.can_read() {
                        self.needs.insert(Need::Text(path));
                    }
                    unread = true;
                }
            }
        }
        if unread || texts.is_empty() {
            return;
        }
        let build = self.budget.cache().nuke(&texts);
        let args = NukeArgs::parse(&run.args);
        let Some(pushes) = build.pushes(&args.targets, args.skip.as_deref()) else {
            return;
        };
        let parameters = args.parameters;
        let names: Vec<&'a str> = exec.env_names().collect();
        let variable = |member: &str| {
            names
                .iter()
                .copied()
                .find(|name| reads_variable(member, name))
        };
        let literal = |hit: Option<EnvHit<'a>>| {
            hit.map(|hit| hit.value.into_owned())
                .filter(|v| !v.contains('$') && !v.trim().is_empty())
        };
        // A parameter's value: its argument, else its environment
        // variable, else its default (NUKE's `ParameterService`).
        let argument = |member: &str| {
            parameters
                .iter()
                .find(|(name, _)| reads_variable(member, name))
                .map(|(_, value)| value.clone())
        };
        let mut lines: Vec<ImpliedPush> = Vec::new();
        for push in pushes {
            let source = match &push.source {
                Some(Value::Literal(url)) => Some(url.clone()),
                Some(Value::Member(member)) => match (argument(member), variable(member)) {
                    (Some(value), _) => {
                        Some(value).filter(|v| !v.contains('$') && !v.trim().is_empty())
                    }
                    (None, Some(name)) => literal(block.env(Some(command), name)),
                    (None, None) => build.literals.get(member).cloned(),
                },
                Some(Value::Variable(name)) => literal(block.env(Some(command), name)),
                _ => None,
            };
            // The key as the push gets it: an argument's value, or a
            // variable the workflow sets (one it does not set is not a
            // key tplint can tell).
            let key = match &push.api_key {
                Some(Value::Member(member)) => argument(member)
                    .map(|value| format!(" --api-key {}", super::scripts::quote(&value)))
                    .or_else(|| variable(member).map(api_key_variable)),
                Some(Value::Variable(name)) => names
                    .iter()
                    .any(|set| set == name)
                    .then(|| api_key_variable(name)),
                _ => None,
            };
            if let (Some(source), Some(key)) = (source, key) {
                lines.push(ImpliedPush {
                    command: push.command,
                    source,
                    key,
                    condition: push.condition.clone(),
                });
            }
        }
        self.implied_pushes(block, at, lines, depth);
    }

    /// A Ruby, Python or JavaScript script the job runs (`ruby script/release.rb`,
    /// `python scripts/release.py`, `node scripts/publish.mjs`, `./bin/release`
    /// with a ruby shebang):
    /// it stays opaque, and the commands its literal calls run
    /// ([`super::scripts::commands`]) are walked as if the job ran them, in
    /// its working folder, with the variables it passes. A script that
    /// changes folder runs them where tplint cannot tell, and one that
    /// reads its arguments (or `setup.py`) may run any of them or none:
    /// neither is read, unless the arguments the caller gives decide
    /// what it runs ([`super::scripts::ArgumentUse::decided_by`]).
    fn foreign_script(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        script: ForeignScript<'_>,
        via: Vec<Location>,
        inherited: Vec<EnvHit<'a>>,
        depth: usize,
    ) {
        let ForeignScript {
            file,
            language,
            given,
        } = script;
        if depth >= MAX_DEPTH || file.contains(['$', '`']) {
            return;
        }
        let Some(path) = join(&block.cwd, file) else {
            return;
        };
        // setuptools' commands are chosen by their arguments: not read.
        if shell::last_component(&path) == "setup.py" {
            return;
        }
        // `node scripts/release` runs `scripts/release.js` when no file has
        // the exact name, or `scripts/release/index.js` (Node.js's module
        // resolution: nodejs.org/api/modules.html, LOAD_AS_FILE then
        // LOAD_AS_DIRECTORY).
        let bare = !shell::last_component(&path).contains('.');
        let candidates: Vec<String> =
            if bare && language == Some(super::scripts::Language::JavaScript) {
                vec![
                    path.clone(),
                    format!("{path}.js"),
                    format!("{path}/index.js"),
                ]
            } else {
                vec![path]
            };
        // The first candidate that is a file, once every one before it is
        // known not to be; the unread ones are asked for together.
        let mut found = None;
        let mut waiting = false;
        for candidate in candidates {
            match self.repo.locals.text(&candidate) {
                None => {
                    waiting = true;
                    if self.repo.locals.can_read() {
                        self.needs.insert(Need::Text(candidate));
                    }
                }
                Some(local) if local.file.is_some() && !waiting && found.is_none() => {
                    found = Some((candidate, local));
                }
                Some(_) => {}
            }
        }
        let Some((path, local)) = found else {
            return;
        };
        let Some(id) = local.file else {
            return;
        };
        let source: &'a str = &self.repo.sources.get(id).text;
        let Some(language) = language.or_else(|| super::scripts::Language::of(&path, source))
        else {
            return;
        };
        if self.stack.contains(&path) || !self.budget.take(source.len()) {
            return;
        }
        // `None`: it may change folder, or what it runs depends on its
        // arguments in a way these do not decide.
        let read = self.budget.cache().script(id, language, source);
        let Some(commands) = read.commands(given) else {
            return;
        };
        self.stack.push(path);
        for command in commands {
            let inner = ShellBlock {
                exec: block.exec,
                kind: BlockKind::Foreign,
                file: id,
                source,
                within: command.span,
                text: Cow::Owned(command.text.clone()),
                via: via.clone(),
                inherited: inherited.clone(),
                cwd: block.cwd.clone(),
                gate: block.gate.clone(),
            };
            self.shell(&inner, depth + 1);
        }
        self.stack.pop();
    }

    /// The variables a command passes to what it runs: the caller's, the
    /// script's exports and assignments, and extra `NAME=value` pairs.
    fn inherit(
        &self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        at: Location,
        extra: &[(String, String)],
    ) -> Vec<EnvHit<'a>> {
        let mut inherited = block.inherited.clone();
        let mut own: Vec<(&str, &str)> = command.variables().collect();
        own.reverse();
        for (name, value) in own {
            inherited.push(EnvHit {
                name: Cow::Owned(name.to_string()),
                value: Cow::Owned(value.to_string()),
                location: Location::new(block.file, block.locate(name)),
            });
        }
        for (name, value) in extra {
            inherited.push(EnvHit {
                name: Cow::Owned(name.clone()),
                value: Cow::Owned(value.clone()),
                location: at,
            });
        }
        inherited
    }

    #[allow(clippy::too_many_arguments)]
    fn script(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        path: &str,
        at: Location,
        via: Vec<Location>,
        depth: usize,
    ) {
        let exec = block.exec;
        // Relative to the working directory; scripts run from elsewhere
        // often name siblings relative to their own folder. PowerShell
        // takes `\` as a path separator on every system
        // (`Import-Module .\build\release.psm1`).
        let path = &if tasks::is_powershell_file(path) {
            path.replace('\\', "/")
        } else {
            path.to_string()
        };
        let path = path.as_str();
        let candidates: Vec<String> = [join(&block.cwd, path)].into_iter().flatten().collect();
        let Some(relative) = candidates.first().cloned() else {
            let what = format!("`{path}`, a script outside the repository");
            self.opaque(exec, at, block.via.clone(), what);
            return;
        };
        let missing = self
            .repo
            .locals
            .text(&relative)
            .is_some_and(|l| l.file.is_none() && l.problem.as_deref() == Some(NOT_FOUND));
        let code = if missing {
            format!(
                "`{path}`, a program not in the repository (built or downloaded by an earlier step)"
            )
        } else {
            format!("the script `{relative}`")
        };
        self.visitor.local_code(exec.top, at, &block.via, &code);
        let Some(local) = self.repo.locals.text(&relative) else {
            if self.repo.locals.can_read() {
                self.needs.insert(Need::Text(relative.clone()));
            }
            let what = format!("`{relative}`, a script not read");
            self.opaque(exec, at, block.via.clone(), what);
            return;
        };
        let Some(file) = local.file else {
            let why = local.problem.as_deref().unwrap_or("unreadable");
            let what = format!("`{relative}`, a script that could not be read ({why})");
            self.opaque(exec, at, block.via.clone(), what);
            return;
        };
        let source = &self.repo.sources.get(file).text;
        if let Some(interpreter) = tasks::non_shell_interpreter(source) {
            let what = format!("`{relative}`, a {interpreter} script tplint does not read");
            self.opaque(exec, at, block.via.clone(), what);
            let inherited = self.inherit(block, command, at, &[]);
            let given = script_arguments(&command.words, path);
            let script = ForeignScript {
                file: path,
                language: None,
                given: given.as_deref(),
            };
            self.foreign_script(block, script, via, inherited, depth);
            return;
        }
        if depth >= MAX_DEPTH || self.stack.contains(&relative) || !self.budget.take(source.len()) {
            let what =
                format!("`{relative}`, nested too deep, in a cycle, or past the work budget");
            self.opaque(exec, at, block.via.clone(), what);
            return;
        }
        let inherited = self.inherit(block, command, at, &[]);
        // A PowerShell module runs its top level and the functions the
        // caller calls ([`powershell`]).
        let text = if relative.to_ascii_lowercase().ends_with(".psm1") {
            Cow::Owned(powershell::module_as_called(source, &block.text))
        } else {
            Cow::Borrowed(source.as_str())
        };
        let inner = ShellBlock {
            exec,
            kind: BlockKind::Script,
            file,
            source,
            within: Span::new(0, source.len()),
            text,
            via,
            inherited,
            cwd: block.cwd.clone(),
            gate: block.gate.clone(),
        };
        self.stack.push(relative);
        self.shell(&inner, depth + 1);
        self.stack.pop();
    }

    /// Read the recipes of a task runner's file (the first of `candidates`
    /// that exists) and walk them.
    #[allow(clippy::too_many_arguments)]
    fn task_file(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        at: Location,
        via: Vec<Location>,
        depth: usize,
        candidates: &[String],
        (runner, wanted): (&str, &str),
        recipes: impl Fn(&ParseCache, &str, FileId, &'a str) -> tasks::Recipes<'a>,
        inherited: Vec<EnvHit<'a>>,
    ) {
        let Some((path, file, source)) =
            self.runner_file(block, at, depth, candidates, (runner, wanted))
        else {
            return;
        };
        let recipes = recipes(self.budget.cache(), &path, file, source);
        self.walk_recipes(
            block,
            at,
            via,
            depth,
            (runner, wanted),
            &path,
            &[(file, source)],
            &recipes,
            None,
            inherited,
        );
    }

    /// `melos run x`, `melos x`: the script of the melos configuration in
    /// the working folder ([`melos`]); `melos exec -- cmd`: the command, as
    /// shell text run in every package.
    fn melos(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        run: melos::MelosRuns<'_>,
        depth: usize,
    ) {
        let at = block.command_location(command);
        let mut via = block.via.clone();
        via.push(at);
        match run {
            melos::MelosRuns::Script(script, args) => {
                let candidates = self.melos_config(&block.cwd);
                let inherited = self.inherit(block, command, at, &[]);
                self.task_file(
                    block,
                    at,
                    via,
                    depth,
                    &candidates,
                    ("melos run", script),
                    |cache, path, file, text| cache.melos(file, path, text).recipes(script, &args),
                    inherited,
                );
            }
            melos::MelosRuns::Exec(text) => self.more_text(block, text, depth),
        }
    }

    /// Shell text a command of `block` runs in its place (`bash -c '...'`,
    /// `melos exec -- ...`), walked as more commands of the same file.
    fn more_text(&mut self, block: &ShellBlock<'a, '_, '_>, text: String, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let inner = ShellBlock {
            exec: block.exec,
            kind: BlockKind::Recipe,
            file: block.file,
            source: block.source,
            within: block.within,
            text: Cow::Owned(text),
            via: block.via.clone(),
            inherited: block.inherited.clone(),
            cwd: block.cwd.clone(),
            gate: block.gate.clone(),
        };
        self.shell(&inner, depth + 1);
    }

    /// `mise run TASK`: the TOML tasks of the mise configuration in the
    /// working folder, with the tasks they depend on, and the file tasks
    /// of its task folders ([`mise`]). Files not read yet are asked for,
    /// and the step is opaque until they are.
    fn mise(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        command: &Command,
        run: mise::MiseRuns<'_>,
        depth: usize,
    ) {
        /// Most tasks one `mise run` is followed into, dependencies
        /// included.
        const MAX_TASKS: usize = 32;
        let exec = block.exec;
        let at = block.command_location(command);
        let mut via = block.via.clone();
        via.push(at);
        self.visitor.local_code(
            exec.top,
            at,
            &block.via,
            "`mise run`, which runs the project's own tasks",
        );
        let mise::MiseRuns::Tasks(wanted) = run else {
            let what = "`mise run` of tasks tplint cannot tell (in another folder, all of them, or by a pattern)".to_string();
            self.opaque(exec, at, block.via.clone(), what);
            return;
        };
        if depth >= MAX_DEPTH {
            let what = "`mise run`, nested too deep".to_string();
            self.opaque(exec, at, block.via.clone(), what);
            return;
        }
        let can_read = self.repo.locals.can_read();
        let mut unread = false;
        // (path, file, what it defines)
        let mut configs: Vec<(FileId, mise::MiseConfig)> = Vec::new();
        let read = |walker: &mut Self,
                    configs: &mut Vec<(FileId, mise::MiseConfig)>,
                    unread: &mut bool,
                    path: String,
                    tasks_file: bool| {
            match walker.repo.locals.text(&path) {
                None => {
                    if can_read {
                        walker.needs.insert(Need::Text(path));
                    }
                    *unread = true;
                }
                Some(local) => {
                    if let Some(file) = local.file {
                        let text = &walker.repo.sources.get(file).text;
                        match mise::parse_config(text, tasks_file) {
                            Some(config) => configs.push((file, config)),
                            None => {
                                let what =
                                    format!("`{path}`, a mise configuration that does not parse");
                                walker.opaque(exec, at, block.via.clone(), what);
                            }
                        }
                    }
                }
            }
        };
        for name in mise::CONFIG_FILES {
            if let Some(path) = join(&block.cwd, name) {
                read(self, &mut configs, &mut unread, path, false);
            }
        }
        let includes: Option<Vec<String>> = configs
            .iter()
            .find_map(|(_, c)| c.includes.clone())
            .map(|list| {
                list.iter()
                    .map(|i| i.trim_start_matches("./").trim_end_matches('/').to_string())
                    .filter(|i| !i.contains("{{") && !i.is_empty())
                    .collect()
            });
        let folders: Vec<String> = match &includes {
            Some(list) => {
                for file in list.iter().filter(|i| i.ends_with(".toml")) {
                    if let Some(path) = join(&block.cwd, file) {
                        read(self, &mut configs, &mut unread, path, true);
                    }
                }
                list.iter()
                    .filter(|i| !i.ends_with(".toml"))
                    .cloned()
                    .collect()
            }
            None => mise::DEFAULT_TASK_FOLDERS
                .iter()
                .map(|f| f.to_string())
                .collect(),
        };
        // The tasks in the order mise runs them: each one's dependencies
        // first.
        let mut order: Vec<String> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut pending: Vec<(String, bool)> = wanted
            .iter()
            .rev()
            .map(|w| (w.to_string(), false))
            .collect();
        while let Some((name, expanded)) = pending.pop() {
            if expanded {
                order.push(name);
                continue;
            }
            if seen.len() >= MAX_TASKS || !seen.insert(name.clone()) {
                continue;
            }
            pending.push((name.clone(), true));
            let depends = configs
                .iter()
                .find_map(|(_, c)| c.tasks.iter().find(|(n, _)| *n == name))
                .map(|(_, task)| task.depends.clone())
                .unwrap_or_default();
            pending.extend(depends.into_iter().rev().map(|d| (d, false)));
        }
        for name in &order {
            let defined = configs.iter().find_map(|(file, c)| {
                c.tasks
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| (*file, t))
            });
            if let Some((file, task)) = defined {
                let source: &'a str = &self.repo.sources.get(file).text;
                let cwd = task
                    .dir
                    .as_deref()
                    .filter(|d| !d.contains("{{"))
                    .map_or_else(|| Some(block.cwd.clone()), |d| join(&block.cwd, d));
                let Some(cwd) = cwd else {
                    let what = format!("`mise run {name}`, in a folder tplint cannot tell");
                    self.opaque(exec, at, block.via.clone(), what);
                    continue;
                };
                if let Some(shell) = &task.foreign_shell {
                    let what = format!(
                        "`mise run {name}`, a task run by `{shell}`, which tplint does not read"
                    );
                    self.opaque(exec, at, block.via.clone(), what);
                    continue;
                }
                // Where the task is defined: its lines are looked for
                // from there.
                let from = [
                    format!("[tasks.{name}]"),
                    format!("[tasks.\"{name}\"]"),
                    format!("[{name}]"),
                    format!("{name} ="),
                ]
                .iter()
                .find_map(|header| source.find(header.as_str()))
                .unwrap_or(0);
                for line in &task.run {
                    if !self.budget.take(line.len()) {
                        let what = format!("`mise run {name}`, past the work budget");
                        self.opaque(exec, at, block.via.clone(), what);
                        break;
                    }
                    let within = source
                        .get(from..)
                        .and_then(|rest| rest.find(line.as_str()))
                        .map(|at| from + at)
                        .or_else(|| source.find(line.as_str()))
                        .map_or(Span::new(0, source.len()), |start| {
                            Span::new(start, start + line.len())
                        });
                    let inner = ShellBlock {
                        exec,
                        kind: BlockKind::Recipe,
                        file,
                        source,
                        within,
                        text: Cow::Owned(line.clone()),
                        via: via.clone(),
                        inherited: block.inherited.clone(),
                        cwd: cwd.clone(),
                        gate: block.gate.clone(),
                    };
                    self.shell(&inner, depth + 1);
                }
                if let Some(script) = &task.file {
                    let moved = block.in_folder(cwd);
                    self.script(&moved, command, script, at, via.clone(), depth + 1);
                }
                continue;
            }
            // A file task.
            let mut found = None;
            let mut missing_unread = false;
            'folders: for folder in &folders {
                for path in mise::file_task_paths(folder, name) {
                    let Some(full) = join(&block.cwd, &path) else {
                        continue;
                    };
                    match self.repo.locals.text(&full) {
                        None => {
                            if can_read {
                                self.needs.insert(Need::Text(full));
                            }
                            missing_unread = true;
                        }
                        Some(local) if local.file.is_some() => {
                            found = Some(path);
                            break 'folders;
                        }
                        Some(_) => {}
                    }
                }
            }
            match found {
                Some(path) => self.script(block, command, &path, at, via.clone(), depth + 1),
                None => {
                    let what = if missing_unread || unread {
                        format!("`mise run {name}`, whose task files were not read")
                    } else {
                        format!("`mise run {name}`, a task tplint does not find")
                    };
                    self.opaque(exec, at, block.via.clone(), what);
                }
            }
        }
    }

    /// The file of the melos configuration in `cwd`: the `pubspec.yaml`
    /// when it has a `melos:` key (melos 7 and later), else `melos.yaml`
    /// ([`melos`]).
    fn melos_config(&self, cwd: &str) -> Vec<String> {
        let (Some(pubspec), Some(melos_yaml)) =
            (join(cwd, "pubspec.yaml"), join(cwd, "melos.yaml"))
        else {
            return Vec::new();
        };
        match self.repo.locals.text(&pubspec).map(|local| local.file) {
            // Not read yet: asked for, and `melos.yaml` meanwhile.
            None => vec![pubspec, melos_yaml],
            Some(Some(file))
                if self
                    .budget
                    .cache()
                    .melos(file, &pubspec, &self.repo.sources.get(file).text)
                    .configured() =>
            {
                vec![pubspec]
            }
            Some(_) => vec![melos_yaml],
        }
    }

    /// `rake`: the Rakefile (the first of `candidates` that exists), then
    /// the `rakelib/*.rake` files beside it, which Rake loads after it
    /// (ruby/rake `lib/rake/application.rb`, `raw_load_rakefile`: each
    /// folder of `options.rakelib`, `%w[rakelib]` unless `-R` is given,
    /// globbed for `*.rake`, sorted). A `.rake` file that cannot be read
    /// leaves the tasks opaque: it may define or extend any of them.
    #[allow(clippy::too_many_arguments)]
    fn rake_file(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        at: Location,
        via: Vec<Location>,
        depth: usize,
        candidates: &[String],
        wanted: &[&str],
        inherited: Vec<EnvHit<'a>>,
    ) {
        let tasks = wanted.join(" ");
        let Some((path, file, source)) =
            self.runner_file(block, at, depth, candidates, ("rake", &tasks))
        else {
            return;
        };
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let rakelib = if dir.is_empty() {
            "rakelib".to_string()
        } else {
            format!("{dir}/rakelib")
        };
        let mut files: Vec<(FileId, &'a str)> = vec![(file, source)];
        let mut unread = false;
        match self.repo.locals.folder(&rakelib) {
            None => {
                if self.repo.locals.can_read() {
                    self.needs.insert(Need::Folder(rakelib.clone()));
                }
                // In memory (no folders to list) there is nothing more.
                unread = self.repo.locals.can_read();
            }
            Some(names) => {
                for name in names.iter().filter(|n| n.ends_with(".rake")) {
                    let rake = format!("{rakelib}/{name}");
                    match self.repo.locals.text(&rake) {
                        None => {
                            if self.repo.locals.can_read() {
                                self.needs.insert(Need::Text(rake));
                            }
                            unread = true;
                        }
                        Some(local) => match local.file {
                            Some(id) => {
                                let text: &'a str = &self.repo.sources.get(id).text;
                                if self.budget.take(text.len()) {
                                    files.push((id, text));
                                } else {
                                    unread = true;
                                }
                            }
                            None => unread = true,
                        },
                    }
                }
            }
        }
        let (mut recipes, parts) = self.budget.cache().rakefiles(&files).recipes(wanted);
        recipes.opaque |= unread;
        self.walk_recipes(
            block,
            at,
            via,
            depth,
            ("rake", &tasks),
            &path,
            &files,
            &recipes,
            Some(&parts),
            inherited,
        );
    }

    /// The task runner's file: the first of `candidates` that exists, its
    /// id and text; `None` (the step opaque) when none does, or it is
    /// nested too deep, in a cycle (the same recipes of the same file
    /// already being walked) or past the budget.
    fn runner_file(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        at: Location,
        depth: usize,
        candidates: &[String],
        (runner, wanted): (&str, &str),
    ) -> Option<(String, FileId, &'a str)> {
        let exec = block.exec;
        self.visitor.local_code(
            exec.top,
            at,
            &block.via,
            &format!("`{runner}`, which runs the project's own recipes"),
        );
        let mut unread = false;
        let mut found = None;
        for candidate in candidates {
            match self.repo.locals.text(candidate) {
                None => {
                    if self.repo.locals.can_read() {
                        self.needs.insert(Need::Text(candidate.clone()));
                    }
                    unread = true;
                }
                Some(local) => {
                    if let Some(file) = local.file {
                        found = Some((candidate, file));
                        break;
                    }
                }
            }
        }
        let Some((path, file)) = found else {
            let what = if unread {
                format!("`{runner}`, whose file was not read")
            } else {
                format!("`{runner}`, whose file was not found")
            };
            self.opaque(exec, at, block.via.clone(), what);
            return None;
        };
        let source: &'a str = &self.repo.sources.get(file).text;
        if depth >= MAX_DEPTH
            || self.stack.contains(&recipes_key(path, wanted))
            || !self.budget.take(source.len())
        {
            let what = format!(
                "`{runner}` recipes in `{path}`, nested too deep, in a cycle, or past the work budget"
            );
            self.opaque(exec, at, block.via.clone(), what);
            return None;
        }
        Some((path.clone(), file, source))
    }

    /// Walk the lines of `recipes`, read from `files` (the first, `path`,
    /// unless `parts` names each line's file).
    #[allow(clippy::too_many_arguments)]
    fn walk_recipes(
        &mut self,
        block: &ShellBlock<'a, '_, '_>,
        at: Location,
        via: Vec<Location>,
        depth: usize,
        (runner, wanted): (&str, &str),
        path: &String,
        files: &[(FileId, &'a str)],
        recipes: &tasks::Recipes<'a>,
        parts: Option<&[usize]>,
        inherited: Vec<EnvHit<'a>>,
    ) {
        let exec = block.exec;
        let (file, source) = files[0];
        if recipes.lines.is_empty() && recipes.missing.is_empty() && !recipes.opaque {
            return;
        }
        if recipes.opaque || !recipes.missing.is_empty() {
            let what = if recipes.missing.is_empty() {
                format!("`{runner}` recipes in `{path}` that tplint cannot read")
            } else {
                format!(
                    "`{runner}` {} not found in `{path}`",
                    recipes
                        .missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.opaque(exec, at, block.via.clone(), what);
        }
        let mut inherited = inherited;
        for (name, value, span) in &recipes.env {
            inherited.push(EnvHit {
                name: Cow::Owned(name.clone()),
                value: Cow::Owned(value.clone()),
                location: Location::new(file, *span),
            });
        }
        self.stack.push(recipes_key(path, wanted));
        for (index, line) in recipes.lines.iter().enumerate() {
            let (file, source) = parts
                .and_then(|parts| parts.get(index))
                .and_then(|part| files.get(*part))
                .copied()
                .unwrap_or((file, source));
            let inner = ShellBlock {
                exec,
                kind: BlockKind::Recipe,
                file,
                source,
                within: line.span,
                text: Cow::Owned(line.text.clone()),
                via: via.clone(),
                inherited: inherited.clone(),
                cwd: line
                    .cwd
                    .as_deref()
                    .and_then(|d| join(&block.cwd, d))
                    .unwrap_or_else(|| block.cwd.clone()),
                gate: block.gate.clone(),
            };
            self.shell(&inner, depth + 1);
        }
        self.stack.pop();
    }
}

/// What the walk's stack holds for the recipes `wanted` (space-separated
/// names) of a task runner's file at `path`: a recipe that runs another of
/// the same file (`"release": "npm run build && npm run publish"`) is no
/// cycle; one that runs itself is.
fn recipes_key(path: &str, wanted: &str) -> String {
    format!("{path}\0{wanted}")
}

/// Programs whose `publish` uploads nothing to a registry tplint knows:
/// `dotnet publish` builds an application for deployment ("dotnet
/// publish", .NET CLI reference), and the shell's and git's own words.
const PUBLISH_NOT_AN_UPLOAD: &[&str] = &["dotnet", "echo", "printf", "git", "gh"];

/// A command of a program tplint does not know whose subcommand is
/// `publish` (`release publish`, `vp pm publish`): a release tool that may
/// upload with the job's token, opaque rather than nothing. The programs
/// of the registries' upload tables are not: their commands are read
/// there, and a command they do not list is not an upload.
fn unknown_publish(words: &[String]) -> Option<String> {
    let program = words.first()?;
    let name = shell::last_component(program);
    if name.is_empty()
        || name.starts_with(['$', '-'])
        || name.contains(['=', '(', '`'])
        || PUBLISH_NOT_AN_UPLOAD.contains(&name)
    {
        return None;
    }
    let mut subcommands = words[1..].iter().filter(|w| !w.starts_with('-')).take(2);
    if !subcommands.any(|w| w == "publish") {
        return None;
    }
    let known = crate::registry::publishing::command_uploaders()
        .any(|t| t.program == name || name.split_once('@').is_some_and(|(n, _)| n == t.program));
    (!known).then(|| {
        let shown: Vec<&str> = words.iter().take(3).map(String::as_str).collect();
        format!("`{}`, a program tplint does not know", shown.join(" "))
    })
}

/// The first command of shell text whose program tplint knows nothing of
/// (`bundle exec toys release perform`), for a registry's token handed to
/// the step: not one of the shell's utilities
/// ([`shell::UTILITIES`]), not a program of the registries' upload tables,
/// and nothing the walk follows or records as opaque itself (a task
/// runner, an interpreter, a script). Its words as written (the first
/// three) and the program's own word, to locate it.
pub fn unknown_program(text: &str) -> Option<(String, String)> {
    shell::commands(text).into_iter().find_map(|command| {
        let mut words = strip_prefixes(&command.words);
        // `bundle exec PROGRAM`: the program, with the Gemfile's gems.
        if let [bundle, exec, rest @ ..] = words
            && shell::last_component(bundle) == "bundle"
            && exec == "exec"
        {
            words = rest;
        }
        let program = words.first()?;
        let name = shell::last_component(program);
        let unknown = !name.is_empty()
            && !name.starts_with(['$', '-'])
            && !name.contains(['=', '(', '`', '{', '"', '\''])
            && !shell::UTILITIES.contains(&name)
            && !crate::registry::publishing::command_uploaders().any(|t| t.program == name)
            && tasks::what_runs(words).is_none();
        unknown.then(|| {
            // As written, with what ran it (`retry --backoff 2 twine upload`).
            let end = command.words.len() - words.len() + words.len().min(3);
            (command.words[..end].join(" "), program.clone())
        })
    })
}

/// What `dotnet TOOL ...` runs when TOOL is not one of the SDK's commands
/// (see [`crate::registry::nuget::DOTNET_SDK_COMMANDS`]): a .NET tool or an
/// application, for messages; `dotnet tool run TOOL` likewise.
fn dotnet_tool(words: &[String]) -> Option<String> {
    let program = words.first()?;
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    if !name.eq_ignore_ascii_case("dotnet") && !name.eq_ignore_ascii_case("dotnet.exe") {
        return None;
    }
    let tool = match words.get(1)?.as_str() {
        "tool" if words.get(2).is_some_and(|w| w == "run") => words.get(3)?,
        "exec" => words.get(2)?,
        word if word.starts_with('-') || word.starts_with('$') => return None,
        word if crate::registry::nuget::DOTNET_SDK_COMMANDS.contains(&word) => return None,
        _ => &words[1],
    };
    Some(if tool.ends_with(".dll") {
        format!("`dotnet {tool}`, an application tplint does not read")
    } else {
        format!("`dotnet {tool}`, a .NET tool tplint does not read")
    })
}

/// Whether a job can mint OIDC tokens: its effective `id-token` is
/// `write`, or cannot be known.
pub fn job_may_mint(job: JobRef<'_>) -> bool {
    job.id_token
        .is_none_or(|g| g == crate::workflow::Access::Write)
}

/// Whether shell text may run another file of the repository that tplint
/// follows: a word that is a relative path to a program or script, a
/// shell, `source`, or make/tox/just. A cheap test before parsing, for the
/// jobs that cannot mint OIDC tokens: there, an interpreter script or an
/// unknown runner is opaque whether seen or not, and only a file that can
/// be read may reveal an upload.
/// Variables the runner sets, or that a shell has, which no `env:` names.
const RUNNER_VARIABLE_PREFIXES: &[&str] = &["GITHUB_", "RUNNER_", "ACTIONS_", "IMAGEOS"];
const SHELL_VARIABLES: &[&str] = &[
    "CI", "HOME", "PATH", "PWD", "USER", "SHELL", "LANG", "TMPDIR", "HOSTNAME", "OSTYPE",
];

/// Whether variable `name` is certainly unset for `command` of a GitHub
/// workflow step of the job itself (`run:` or a script it runs): no `env:`
/// of the step, the job or the workflow names it, the script neither
/// assigns, exports, reads nor sources anything that could set it, it is
/// not the runner's, and no step before this one could have written it to
/// `$GITHUB_ENV` (only `run:` steps that do not write it, and the
/// checkouts, setups and inert actions tplint knows, come before). GitHub
/// passes no repository variable or secret to a step unless `env:` says
/// so; a GitLab job gets the project's CI/CD variables, so never there.
fn never_set(block: &ShellBlock<'_, '_, '_>, command: &shell::Command, name: &str) -> bool {
    let exec = block.exec;
    if !matches!(block.kind, BlockKind::Run | BlockKind::Script)
        || !exec.job.env_complete
        // Earlier steps of a composite action may have written it.
        || !exec.frames.is_empty()
        || RUNNER_VARIABLE_PREFIXES.iter().any(|p| name.starts_with(p))
        || SHELL_VARIABLES.contains(&name)
        || !block.inherited.is_empty()
        || block.env(Some(command), name).is_some()
    {
        return false;
    }
    let text = block.text.as_ref();
    // Assigned (`VAR=`, `${VAR:=x}`), looped over, read, or possibly set
    // by `eval` or a sourced file.
    let sets = [
        format!("{name}="),
        format!("{name}:="),
        format!("for {name} "),
    ];
    if sets.iter().any(|s| text.contains(s.as_str()))
        || ["read ", "source ", "eval "]
            .iter()
            .any(|w| text.contains(w))
    {
        return false;
    }
    if text.lines().any(|l| l.trim_start().starts_with(". ")) {
        return false;
    }
    exec.job.steps.iter().take(exec.top).all(|step| {
        if let Some(run) = &step.run {
            return !run.value.contains("GITHUB_ENV");
        }
        step.uses.as_ref().is_some_and(|uses| {
            super::actions::INERT_ACTIONS
                .iter()
                .any(|entry| super::actions::matches(entry, &uses.target))
                || uses.target.remote_slug().is_some_and(|slug| {
                    super::build_steps::BUILD_ACTIONS
                        .iter()
                        .any(|(a, _)| *a == slug)
                })
        })
    })
}

/// The folder of the workspace a job checked its own repository out into
/// by the step at `top`: the `path:` of `actions/checkout` ("Relative path
/// under $GITHUB_WORKSPACE to place the repository", actions/checkout
/// `action.yml`), when no `repository:` names another one. `None` when it
/// is the workspace itself (no `path:`), or a folder tplint cannot tell (an
/// expression), or any checkout of the repository before went to the
/// workspace itself.
fn checkout_folder(steps: &[Step], top: usize) -> Option<String> {
    let mut folder = None;
    for step in steps.iter().take(top) {
        let Some(uses) = &step.uses else { continue };
        if !uses.target.is_action("actions/checkout") {
            continue;
        }
        let own = step.input("repository").is_none_or(|r| {
            let value: String = r
                .value
                .value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            value.is_empty() || value == "${{github.repository}}"
        });
        if !own {
            continue;
        }
        let path = step.input("path").map(|p| p.value.value.trim().to_string());
        match path.as_deref() {
            None | Some("" | "." | "./") => return None,
            Some(path) if path.contains(['$', '`']) => return None,
            Some(path) => folder = Some(join("", path)?),
        }
    }
    folder.filter(|f| !f.is_empty())
}

/// `here` (relative to the workspace) relative to the checkout in
/// `folder`; `None` outside it.
fn in_checkout(folder: &str, here: &str) -> Option<String> {
    if here == folder {
        return Some(String::new());
    }
    here.strip_prefix(folder)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(str::to_string)
}

/// `commands` with each command whose program is a variable holding an
/// upload (`if $publish_cmd; then`, see [`shell::HeldCommand`]) replaced
/// by the commands the variable's values run, its other words after
/// them, located where the values are written. A value that names no
/// upload is left out: only uploads are read through variables.
fn held_uploads(commands: Cow<'_, [Command]>) -> Cow<'_, [Command]> {
    let names_upload =
        |held: &shell::HeldCommand| super::publish::mentions_upload_word(&held.words.join(" "));
    if !commands.iter().any(|c| c.held.iter().any(names_upload)) {
        return commands;
    }
    let mut all = Vec::with_capacity(commands.len() + 1);
    for command in commands.iter() {
        if !command.held.iter().any(names_upload) {
            all.push(command.clone());
            continue;
        }
        for held in command.held.iter().filter(|h| names_upload(h)) {
            let mut run = command.clone();
            run.words = held.words.clone();
            run.words.extend(command.words.iter().skip(1).cloned());
            run.offset = held.offset;
            run.held = Vec::new();
            all.push(run);
        }
    }
    Cow::Owned(all)
}

/// A Ruby, Python or JavaScript script a command runs: its path as the
/// command names it, its language when the interpreter says it, and the
/// arguments the command gives it ([`script_arguments`]).
#[derive(Clone, Copy)]
struct ForeignScript<'s> {
    file: &'s str,
    language: Option<super::scripts::Language>,
    given: Option<&'s [String]>,
}

/// The words after `file` in a command that runs it (`ruby
/// .github/workflows/scripts/rubygems-publish.rb newrelic_rpm`:
/// `["newrelic_rpm"]`); `None` when one of them is not literal (a
/// variable, an expression, a command substitution) or `file` is not
/// among the words.
fn script_arguments(words: &[String], file: &str) -> Option<Vec<String>> {
    let at = words.iter().position(|word| word == file)?;
    let given = &words[at + 1..];
    given
        .iter()
        .all(|word| !word.contains(['$', '`']) && !word.contains(super::scripts::PLACEHOLDER))
        .then(|| given.to_vec())
}

/// A NuGet push of a NUKE or Cake build, as the command line it stands
/// for: the command (`dotnet nuget push`, or nuget.exe's `nuget push`),
/// the source, the key's options and the condition of its target or task.
struct ImpliedPush {
    command: &'static str,
    source: String,
    key: String,
    condition: Option<String>,
}

/// Most workspace folders whose `package.json` is read to find one by name.
const MAX_WORKSPACE_FOLDERS: usize = 64;

/// `yarn workspace NAME CMD...` (yarnpkg/berry
/// `plugin-workspace-tools/sources/commands/workspace.ts` [745da4b], and
/// Yarn 1's `yarn workspace`): the workspace's name, literal, and the
/// Yarn command it runs there (`run build`, or `build`, a script's name).
fn yarn_workspace_command(words: &[String]) -> Option<(&str, &[String])> {
    match words {
        [yarn, workspace, name, rest @ ..]
            if shell::last_component(yarn) == "yarn"
                && workspace == "workspace"
                && !name.starts_with('-')
                && !name.contains('$')
                && !rest.is_empty() =>
        {
            Some((name.as_str(), rest))
        }
        _ => None,
    }
}

/// The package manager of a script run as the command writes it: `pn`
/// for pnpm's short name (`registry::npm::SHORT_NAMES`), else `runner`.
fn written_runner<'w>(words: &'w [String], runner: &'w str) -> &'w str {
    match words.first().map(|w| shell::last_component(w)) {
        Some(written) if crate::registry::npm::long_name(written) == runner => written,
        _ => runner,
    }
}

/// `pnpm <name>` without `run`, read by [`tasks::what_runs`] as the
/// script `<name>` (pnpm's shorthand for a name none of its commands has).
fn pnpm_shorthand(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| crate::registry::npm::long_name(w) == "pnpm")
        && words
            .get(1)
            .is_some_and(|w| !matches!(w.as_str(), "run" | "run-script"))
        && matches!(
            tasks::what_runs(words),
            Some(tasks::Runs::PackageScript { .. })
        )
}

/// `yarn NAME ...` where NAME starts a release tool tplint reads as an
/// upload (`yarn lerna publish`, `yarn changeset publish`): Yarn runs a
/// script of that name if the `package.json` defines one, else the
/// dependency's binary of that name (yarnpkg.com/cli/run: "if one of the
/// local workspace's dependencies exposes a binary with a matching name,
/// this binary will get executed"; classic.yarnpkg.com/en/docs/cli/run:
/// "[script] can also be any locally installed executable that is inside
/// node_modules/.bin/").
fn yarn_runs_release_tool(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| shell::last_component(w) == "yarn")
        && words
            .get(1)
            .is_some_and(|w| !matches!(w.as_str(), "run" | "run-script"))
        && tasks::starts_release_tool(&words[1..])
}

/// `pnpm NAME` for a name without `:`: a script of the folder's
/// `package.json` when it has one, otherwise the program of that name
/// (`pnpm tsx`, `pnpm eslint`); a name with `:` is always read as a script.
fn pnpm_program_or_script(words: &[String]) -> bool {
    pnpm_shorthand(words) && words.get(1).is_some_and(|w| !w.contains(':'))
}

fn may_run_files(text: &str) -> bool {
    // `npm run release`: a package.json script, which may publish with a
    // token in a job that cannot mint.
    static RUNNERS: std::sync::LazyLock<super::words::AnyWord> = std::sync::LazyLock::new(|| {
        super::words::AnyWord::new(&["npm run ", "yarn run ", "pnpm run "])
    });
    if RUNNERS.in_text(text) {
        return true;
    }
    let separator =
        |c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'');
    if text.is_ascii() {
        // The same words, split byte by byte: the ASCII characters
        // `char::is_whitespace` takes are these six.
        text.as_bytes()
            .split(|&b| SEPARATOR[usize::from(b)])
            .any(word_may_run_files)
    } else {
        text.split(separator)
            .any(|word| word_may_run_files(word.as_bytes()))
    }
}

/// The bytes that end a word for [`may_run_files`] in ASCII text: the six
/// ASCII characters `char::is_whitespace` takes, and `;&|()"'`.
static SEPARATOR: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b" \t\n\x0b\x0c\r;&|()\"'";
    let mut at = 0;
    while at < bytes.len() {
        table[bytes[at] as usize] = true;
        at += 1;
    }
    table
};

/// Words that end with one of these name a script ([`may_run_files`]).
const SCRIPT_SUFFIXES: &[&[u8]] = &[b".py", b".rb", b".cake", b".sh"];

/// Words that start with one of these name a file of the repository.
const FILE_PREFIXES: &[&[u8]] = &[
    b"./",
    b"../",
    b"bin/",
    b"scripts/",
    b"script/",
    b"tools/",
    b".github/",
];

/// Shells and task runners, and the .NET build runners whose builds
/// tplint reads (Cake, NUKE). PowerShell scripts (`.\build.ps1`) are not:
/// their `if` conditions are not read, so a push they guard (on
/// `$env:GITHUB_REF`) would look reachable from any trigger.
const FILE_RUNNERS: &[&[u8]] = &[
    b"bash",
    b"sh",
    b"zsh",
    b"dash",
    b"ksh",
    b"source",
    b".",
    b"make",
    b"gmake",
    b"$(MAKE)",
    b"${MAKE}",
    b"tox",
    b"just",
    b"rake",
    b"cake",
    b"dotnet-cake",
    b"nuke",
    b"melos",
    // Grinder's tasks of `tool/grind.dart` (`dart run grinder`, `grind`).
    b"grinder",
    b"grind",
    b"tool/grind.dart",
];

/// Whether one word of shell text names a script, a file of the
/// repository or a runner of files, by the tables above.
fn names_files(word: &[u8]) -> bool {
    SCRIPT_SUFFIXES.iter().any(|s| word.ends_with(s))
        || FILE_PREFIXES.iter().any(|p| word.starts_with(p))
        || FILE_RUNNERS.contains(&word)
}

/// Whether one word of shell text may run another file of the repository
/// ([`may_run_files`]): [`names_files`], asked only of words whose first
/// or last byte can start or end one of its entries (most words' cannot).
fn word_may_run_files(word: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (word.first(), word.last()) else {
        return false;
    };
    let (firsts, lasts) = &EDGE_BYTES;
    (firsts[usize::from(first)] || lasts[usize::from(last)]) && names_files(word)
}

/// The bytes that start an entry of [`FILE_PREFIXES`] or [`FILE_RUNNERS`],
/// and those that end one of [`SCRIPT_SUFFIXES`] or [`FILE_RUNNERS`].
static EDGE_BYTES: ([bool; 256], [bool; 256]) = {
    let mut firsts = [false; 256];
    let mut lasts = [false; 256];
    let mut at = 0;
    while at < FILE_PREFIXES.len() {
        firsts[FILE_PREFIXES[at][0] as usize] = true;
        at += 1;
    }
    at = 0;
    while at < SCRIPT_SUFFIXES.len() {
        let suffix = SCRIPT_SUFFIXES[at];
        lasts[suffix[suffix.len() - 1] as usize] = true;
        at += 1;
    }
    at = 0;
    while at < FILE_RUNNERS.len() {
        firsts[FILE_RUNNERS[at][0] as usize] = true;
        at += 1;
    }
    (firsts, lasts)
};

/// The folder the shell is in after `text` runs, from `cwd` (relative to
/// the repository root; `None`: a folder tplint cannot tell): its `cd`
/// and `pushd` outside subshells, as the walker follows them in one block.
/// GitLab runs a job's `before_script` and `script` lines in one shell, so
/// a `cd` on one line moves the lines after it.
pub fn folder_after(
    text: &str,
    cwd: Option<String>,
    variables: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    if !(text.contains("cd") || text.contains("pushd") || text.contains("popd")) {
        return cwd;
    }
    let mut cwd = cwd;
    let mut saved: Vec<(usize, usize, Option<String>)> = Vec::new();
    for command in shell::commands(text) {
        while saved
            .last()
            .is_some_and(|(at, id, _)| left_subshell(*at, *id, &command))
        {
            if let Some((_, _, before)) = saved.pop() {
                cwd = before;
            }
        }
        let words = strip_prefixes(&command.words);
        let own = |name: &str| {
            command
                .env(name)
                .map(str::to_string)
                .or_else(|| variables(name))
        };
        let target = cd_with_variables(words, &own);
        if let Some(moved) = changed_folder(target.as_deref().unwrap_or(words), cwd.as_deref()) {
            saved.push((command.subshell, command.subshell_id, cwd.clone()));
            cwd = moved;
        }
    }
    // A subshell still open at the end closes with the text.
    while let Some((at, _, before)) = saved.pop() {
        if at > 0 {
            cwd = before;
        }
    }
    cwd
}

/// Whether `command` runs after the subshell a `cd` moved in (its depth
/// and number) ended: it is in fewer subshells, or in another one as deep
/// (`(cd a && x)` then `(cd a && y)`).
fn left_subshell(depth: usize, id: usize, command: &Command) -> bool {
    depth > command.subshell
        || (depth == command.subshell && depth > 0 && id != command.subshell_id)
}

static SHELL_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
        .expect("valid regex literal")
});

/// A `cd`/`pushd` whose target names variables with literal values
/// (`cd packages/$PACKAGE`, a CI/CD variable or a matrix value), with the
/// values put in; `None` for any other command, or when a variable has no
/// literal value (the target then stays one tplint cannot tell). The
/// checkout's root variables are left for [`changed_folder`].
fn cd_with_variables(
    words: &[String],
    variables: &dyn Fn(&str) -> Option<String>,
) -> Option<Vec<String>> {
    let program = words.first()?.as_str();
    if !matches!(program, "cd" | "pushd") {
        return None;
    }
    let at = words.iter().skip(1).position(|w| !w.starts_with('-'))? + 1;
    let target = &words[at];
    if !target.contains('$') || target.contains("${{") {
        return None;
    }
    let mut unknown = false;
    let expanded = SHELL_VARIABLE.replace_all(target, |captures: &regex::Captures<'_>| {
        let name = captures
            .get(1)
            .or_else(|| captures.get(2))
            .map_or("", |m| m.as_str());
        if matches!(name, "CI_PROJECT_DIR" | "GITHUB_WORKSPACE") {
            unknown = true;
            return String::new();
        }
        match variables(name) {
            Some(value) if !value.contains(['$', '`']) && !value.is_empty() => value,
            _ => {
                unknown = true;
                String::new()
            }
        }
    });
    if unknown {
        return None;
    }
    let mut words = words.to_vec();
    words[at] = expanded.into_owned();
    Some(words)
}

/// `Some(Some(dir))` for a literal path inside the repository,
/// `Some(None)` for one tplint cannot tell (a variable, `~`, `-`, a path
/// outside the repository, or `popd`); `None` when the command does not
/// move.
#[allow(clippy::option_option)]
fn changed_folder(words: &[String], cwd: Option<&str>) -> Option<Option<String>> {
    let program = words.first()?.as_str();
    if program == "popd" {
        return Some(None);
    }
    if !matches!(program, "cd" | "pushd") {
        return None;
    }
    let target = words[1..].iter().find(|w| !w.starts_with('-'));
    let Some(target) = target else {
        // `cd` alone goes home, outside the checkout.
        return Some(None);
    };
    // The checkout's root, as GitHub and GitLab name it.
    const ROOTS: &[&str] = &[
        "${{ github.workspace }}",
        "${{github.workspace}}",
        "$GITHUB_WORKSPACE",
        "${GITHUB_WORKSPACE}",
        "$CI_PROJECT_DIR",
        "${CI_PROJECT_DIR}",
    ];
    if let Some(rest) = ROOTS.iter().find_map(|root| target.strip_prefix(root)) {
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() {
            return Some(Some(String::new()));
        }
        return Some(changed_folder(&["cd".to_string(), rest.to_string()], Some("")).flatten());
    }
    // A folder a script computes (`cwd: dir` in a Node.js script) is one
    // tplint cannot tell.
    let literal = !target.contains(['$', '`', '~', '*', '?'])
        && !target.starts_with('/')
        && !target.contains(super::scripts::PLACEHOLDER);
    if !literal {
        return Some(None);
    }
    Some(cwd.and_then(|here| join(here, target)))
}

/// The position in `words` of the module a `deno run` runs when it is a
/// bare specifier (`@david/publish-on-tag`, not a path, URL or `jsr:`
/// name), which Deno resolves through the import map; `None` for other
/// commands, and when `--import-map` or `--config` names another file.
fn deno_run_module(words: &[String]) -> Option<usize> {
    let start = words.len() - strip_prefixes(words).len();
    let program = words.get(start)?;
    if shell::last_component(program) != "deno" || words.get(start + 1)? != "run" {
        return None;
    }
    let mut at = start + 2;
    while let Some(word) = words.get(at) {
        if !word.starts_with('-') {
            break;
        }
        if ["--import-map", "--config", "-c"]
            .iter()
            .any(|flag| word == flag || word.starts_with(&format!("{flag}=")))
        {
            return None;
        }
        at += 1;
    }
    let module = words.get(at)?;
    let bare =
        !module.starts_with(['.', '/', '$', '~']) && !module.contains(':') && !module.is_empty();
    bare.then_some(at)
}

/// Drop words that only change how or when a command runs so the program
/// comes first: `sudo`, `time`, `exec`, `env`, `nohup`, `command`, `nice`,
/// `timeout [options] DURATION`, `xargs [options]`, `find ... -exec`
/// (the command before its `;` or `+`, which stays as an argument),
/// `retry [options]` and `mise exec ... --`.
pub fn strip_prefixes(words: &[String]) -> &[String] {
    let mut rest = words;
    while let Some(first) = rest.first() {
        rest = match first.as_str() {
            "sudo" | "time" | "exec" | "command" | "nohup" | "env" => &rest[1..],
            "nice" => skip_options(&rest[1..], &["-n", "--adjustment"]),
            // GNU coreutils timeout(1): `timeout [OPTION] DURATION COMMAND`.
            "timeout" => {
                let after = skip_options(&rest[1..], &["-s", "--signal", "-k", "--kill-after"]);
                after.get(1..).unwrap_or_default()
            }
            // findutils xargs(1): the options that take a separate value.
            "xargs" => skip_options(
                &rest[1..],
                &[
                    "-I",
                    "-L",
                    "-n",
                    "-P",
                    "-s",
                    "-d",
                    "-E",
                    "-a",
                    "--max-args",
                    "--max-procs",
                    "--max-lines",
                    "--delimiter",
                    "--arg-file",
                ],
            ),
            "find" => match rest.iter().position(|w| w == "-exec" || w == "-execdir") {
                Some(at) => &rest[at + 1..],
                None => break,
            },
            // A retry wrapper, `retry [OPTIONS] [--] COMMAND`, also named by
            // its path (`${LCI_SCRIPTS}/retry python -m twine upload`,
            // lscsoft/lalsuite .gitlab/ci_yaml/wheel_build.yml, with no
            // option). The options that take a value are those of FreeBSD's
            // and Debian's retry(1) (`-t`, `-d`, `-m`, `-u`, `-w`) and of
            // other retry tools (`-n`, `--attempts`). Any other option is
            // skipped alone, so a value it takes is read as the program and
            // matches no upload: the command stays unread, never misread.
            word if shell::last_component(word) == "retry" => skip_options(
                &rest[1..],
                &[
                    "-t",
                    "--times",
                    "-d",
                    "--delay",
                    "-m",
                    "--message",
                    "-u",
                    "--until",
                    "-w",
                    "--while",
                    "-n",
                    "--attempts",
                ],
            ),
            // mise's `mise exec|x [FLAGS] [TOOL@VERSION]... -- COMMAND...`
            // (mise.jdx.dev/cli/exec.html): the command after `--`. With
            // `--command STRING` instead, the command stays unread.
            word if word.rsplit('/').next() == Some("mise")
                && matches!(rest.get(1).map(String::as_str), Some("exec" | "x")) =>
            {
                match rest.iter().position(|w| w == "--") {
                    Some(at) => &rest[at + 1..],
                    None => break,
                }
            }
            _ => break,
        };
    }
    rest
}

/// `words` after the leading options of a wrapper, and the values of
/// those in `with_value` (given as the next word, not after `=` or
/// joined, as `-I{}` is).
pub(super) fn skip_options<'w>(words: &'w [String], with_value: &[&str]) -> &'w [String] {
    let mut rest = words;
    while let Some(word) = rest.first() {
        if !word.starts_with('-') || word == "-" {
            break;
        }
        if word == "--" {
            return &rest[1..];
        }
        let takes_value = with_value.contains(&word.as_str());
        rest = rest.get(1 + usize::from(takes_value)..).unwrap_or_default();
    }
    rest
}

#[cfg(test)]
mod reference_tests {
    use super::{INPUT_REFERENCE, STEP_OUTPUT_REFERENCE, replace_references};

    /// The replacement agrees with the regular expressions it stands for.
    #[test]
    fn references_replaced_as_the_expressions_would() {
        let inputs = regex::Regex::new(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}").expect("valid");
        let outputs = regex::Regex::new(
            r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}",
        )
        .expect("valid");
        let texts = [
            "",
            "no reference",
            "${{ inputs.version }}",
            "v${{inputs.version}}-${{ inputs.name\t}}!",
            "${{ inputs.a.b }} ${{ inputs. }} ${{ inputs.x }",
            "${{${{ inputs.x }}",
            "$${{ inputs.x }}}}",
            "${{\u{a0}inputs.x\u{3000}}} é ${{ inputs.é }}",
            "${{ steps.meta.outputs.tags }}",
            "${{ steps.a.outputs.b}}${{steps.c-d.outputs.e_f }} ${{ steps.a.outputs }}",
            "${{ steps..outputs.b }} ${{ steps.a.outputs.b.c }} ${{ inputs.x || 'y' }}",
        ];
        for text in texts {
            let by_names = |names: &[&str], _: &str| format!("<{}>", names.join("|"));
            let expected =
                inputs.replace_all(text, |c: &regex::Captures<'_>| format!("<{}>", &c[1]));
            assert_eq!(
                replace_references(text, INPUT_REFERENCE, by_names),
                expected,
                "{text}"
            );
            let expected = outputs.replace_all(text, |c: &regex::Captures<'_>| {
                format!("<{}|{}>", &c[1], &c[2])
            });
            assert_eq!(
                replace_references(text, STEP_OUTPUT_REFERENCE, by_names),
                expected,
                "{text}"
            );
            let kept =
                replace_references(text, STEP_OUTPUT_REFERENCE, |_, whole| whole.to_string());
            assert_eq!(kept, text);
        }
    }
}

#[cfg(test)]
mod folder_tests {
    use super::{folder_after, in_checkout};

    #[test]
    fn folders_of_a_checkout_in_the_workspace() {
        assert_eq!(in_checkout("project", "project"), Some(String::new()));
        assert_eq!(
            in_checkout("project", "project/crates/a"),
            Some("crates/a".into())
        );
        assert_eq!(in_checkout("project", ""), None);
        assert_eq!(in_checkout("project", "project-meta"), None);
        assert_eq!(in_checkout("project", "release-meta/project"), None);
    }

    #[test]
    fn folder_after_follows_cd_outside_subshells() {
        let root = Some(String::new());
        let none = |_: &str| None;
        assert_eq!(
            folder_after("cd packages/foo", root.clone(), &none),
            Some("packages/foo".into())
        );
        assert_eq!(
            folder_after("cd packages && cd foo", root.clone(), &none),
            Some("packages/foo".into())
        );
        assert_eq!(
            folder_after("(cd docs && make html)", root.clone(), &none),
            Some(String::new())
        );
        assert_eq!(
            folder_after("cd ..", Some("a/b".into()), &none),
            Some("a".into())
        );
        assert_eq!(folder_after("cd \"$PKG_DIR\"", root.clone(), &none), None);
        assert_eq!(
            folder_after("cd $CI_PROJECT_DIR/tools", None, &none),
            Some("tools".into())
        );
        assert_eq!(
            folder_after("npm publish", Some("x".into()), &none),
            Some("x".into())
        );
        assert_eq!(folder_after("echo abcd", None, &none), None);
        // Variables with literal values: the job's, the script's exports.
        let package = |name: &str| (name == "PACKAGE").then(|| "core".to_string());
        assert_eq!(
            folder_after("cd packages/$PACKAGE", root.clone(), &package),
            Some("packages/core".into())
        );
        assert_eq!(
            folder_after("export P=cli && cd packages/${P}", root.clone(), &none),
            Some("packages/cli".into())
        );
        assert_eq!(
            folder_after("cd packages/$OTHER", root.clone(), &package),
            None
        );
    }
}

#[cfg(test)]
mod release_tool_tests {
    use super::{NukeArgs, changed_folder, covector_command, lerna_exec, yarn_workspace_command};

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn yarn_workspace_commands() {
        let w = words("yarn workspace @acme/cli run release --tag next");
        let (name, rest) = yarn_workspace_command(&w).unwrap();
        assert_eq!(name, "@acme/cli");
        assert_eq!(rest, words("run release --tag next"));
        assert!(yarn_workspace_command(&words("yarn workspace web")).is_none());
        assert!(yarn_workspace_command(&words("yarn workspace $PKG build")).is_none());
        assert!(yarn_workspace_command(&words("yarn workspaces foreach -A run build")).is_none());
    }

    #[test]
    fn nuke_arguments() {
        let args = NukeArgs::parse(&words(
            "Publish Pack --skip push-git-hub --nuget-api-key KEY",
        ));
        assert_eq!(args.targets, ["Publish", "Pack"]);
        assert_eq!(args.skip, Some(vec!["push-git-hub".to_string()]));
        assert_eq!(
            args.parameters,
            [("nuget-api-key".to_string(), "KEY".to_string())]
        );
        // `--target` wins over positional targets; words after an option
        // are its values, not targets.
        let args = NukeArgs::parse(&words(
            "PushGitHub --target Compile --configuration Release",
        ));
        assert_eq!(args.targets, ["Compile"]);
        assert_eq!(
            args.parameters,
            [("configuration".to_string(), "Release".to_string())]
        );
        let args = NukeArgs::parse(&words("--skip --target=Publish"));
        assert_eq!(args.targets, ["Publish"]);
        assert_eq!(args.skip, Some(Vec::new()));
        assert_eq!(NukeArgs::parse(&[]), NukeArgs::default());
    }

    #[test]
    fn covector_commands() {
        let run = |text: &str| {
            let words = words(text);
            covector_command(&words).map(|r| {
                r.map(|run| {
                    (
                        run.command.to_string(),
                        run.dry_run,
                        run.packages.map(|p| p.len()),
                    )
                })
            })
        };
        assert_eq!(
            run("covector publish"),
            Some(Ok(("publish".into(), false, None)))
        );
        assert_eq!(
            run("npx covector@0.12 publish --dryRun"),
            Some(Ok(("publish".into(), true, None)))
        );
        assert_eq!(
            run("pnpm covector publish --dry-run=true"),
            Some(Ok(("publish".into(), true, None)))
        );
        assert_eq!(
            run("covector publish --dry-run=false"),
            Some(Ok(("publish".into(), false, None)))
        );
        assert_eq!(
            run("covector version-or-publish --filterPackages=a,b"),
            Some(Ok(("version-or-publish".into(), false, Some(2))))
        );
        assert_eq!(run("covector publish --cwd pkg"), Some(Err(())));
        assert_eq!(run("covector status"), None);
        assert_eq!(run("npx other publish"), None);
    }

    #[test]
    fn lerna_exec_commands() {
        let exec = |text: &str| lerna_exec(&words(text));
        assert_eq!(
            exec("npx lerna exec -- npm publish --tag dev").as_deref(),
            Some("npm publish --tag dev")
        );
        assert_eq!(
            exec("lerna exec --scope @acme/a --since main npm publish").as_deref(),
            Some("npm publish")
        );
        assert_eq!(
            exec("pnpm lerna exec --stream -- ./scripts/publish.sh").as_deref(),
            Some("./scripts/publish.sh")
        );
        assert_eq!(exec("lerna exec --stream"), None);
        assert_eq!(exec("lerna run publish"), None);
        assert_eq!(exec("npx other exec -- npm publish"), None);
    }

    #[test]
    fn a_computed_folder_is_unknown() {
        let cd = |target: &str| changed_folder(&words(&format!("cd {target}")), Some(""));
        assert_eq!(cd("…"), Some(None));
        assert_eq!(cd("'pkg/…'"), Some(None));
        assert_eq!(cd("pkg"), Some(Some("pkg".to_string())));
    }
}

#[cfg(test)]
mod may_run_files_tests {
    use super::may_run_files;

    /// The test as first written: words split by `char`, each asked of
    /// the tables in full, without the byte tables in front.
    fn reference(text: &str) -> bool {
        if ["npm run ", "yarn run ", "pnpm run "]
            .iter()
            .any(|runner| text.contains(runner))
        {
            return true;
        }
        text.split(|c: char| {
            c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'')
        })
        .any(|word| super::names_files(word.as_bytes()))
    }

    #[test]
    fn agrees_with_the_word_by_word_reading() {
        let texts = [
            "",
            "echo hi",
            "npm run build",
            "npm  run build",
            "pnpm run release",
            "python -m build",
            "python release.py",
            "(cd x && ./release)",
            "echo ./x",
            "x=\"tools/publish\"",
            "bundle exec rake release",
            "rake\u{b}release",
            "echo\u{c}make",
            "echo\u{a0}make",
            "echo\u{3000}make é",
            "émake",
            "make\u{85}",
            "run.sh;other",
            "a.rbx b.pyc .shx",
            "dotnet-cake build.cake",
            "$(MAKE) all",
            "${MAKE}",
            "scriptsx/ bins/ toolsy/",
            "script/release",
            ".github/scripts/publish",
            "../up",
            ".",
            ". venv/bin/activate",
            "source env",
            "melos run publish",
            "nuke Push",
            "just release",
            "tox -e release",
            "zsh -c 'ls'",
            "dash|ksh",
            "gmake install",
            "uv build && uv publish",
        ];
        for text in texts {
            assert_eq!(may_run_files(text), reference(text), "{text:?}");
        }
    }
}
