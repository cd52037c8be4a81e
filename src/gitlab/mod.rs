//! The GitLab CI/CD pipeline model: the top-level pipeline file (the
//! project's CI/CD configuration path, `.gitlab-ci.yml` by default) and the
//! `include:local` files it pulls in, merged and resolved as GitLab does —
//! `include:` merge order, `<<:` merge keys, `extends:`, `!reference` tags,
//! `default:` and `inherit:` — into typed jobs whose every key and value
//! keeps its place in the file it was written in.
//!
//! A file with a `spec: inputs:` header is interpolated ([`inputs`]) each
//! time it is included, with that `include:` entry's `inputs:`, before
//! anything is merged; includes inside included files are read the same
//! way. What tplint cannot interpolate is recorded in
//! [`GitlabPipeline::uninterpolated`].
//!
//! Includes from elsewhere (`project:`, `remote:`, `template:`,
//! `component:`) are kept as [`Include`]s that tplint cannot read: the job
//! set is then incomplete ([`GitlabPipeline::complete`]), and nothing may be
//! concluded from the absence of a job, nor from a name that `extends:` or
//! `!reference` uses and no file tplint read defines ([`Problem::unsure`]).
//!
//! For rules: [`crate::repository::Repository::gitlab`] holds the
//! [`GitlabPipeline`] (its [`GitlabJob`]s, [`Include`]s, [`Problem`]s and
//! [`GitlabPipeline::include_chain`] for `related` locations), and
//! `Facts::gitlab` its [`facts::GitlabJobFacts`], parallel to the jobs.
//!
//! Sources for GitLab's behaviour, in the GitLab repository
//! (gitlabhq/gitlabhq): `doc/ci/yaml/includes.md` (merge method, wildcards,
//! the 150-include limit), `doc/ci/yaml/yaml_optimization.md` (anchors,
//! `extends`, `!reference`), `doc/ci/yaml/_index.md` (keywords, `default`,
//! `inherit`), `app/models/repository.rb` `search_files_by_wildcard_path`
//! (what `*` and `**` match), `lib/gitlab/ci/config/external/file/local.rb`
//! (leading `/` removed).

pub mod facts;
pub mod inputs;
pub mod job;
pub mod resolve;
pub mod rules;
pub mod tree;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Location};
use crate::overlay::Overlay;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::yaml::{self, Comment, YamlError};

pub use job::{Environment, GitlabJob, IdToken, ScriptLine, Variable};
pub use tree::{GNode, GValue, Located};

pub use crate::discover::DEFAULT_PIPELINE_PATH;

/// Most files included into one pipeline, nested includes counted (GitLab's
/// default limit, `includes.md`, "Maximum of 150 nested includes").
pub const MAX_INCLUDES: usize = 150;
/// Most entries looked at when expanding one wildcard include.
const MAX_LISTED: usize = 20_000;
/// Most child pipelines (`trigger: include:` of a local file) read.
const MAX_CHILDREN: usize = 20;

/// Top-level keys that are not jobs (`_index.md`, "Global keywords", plus
/// the deprecated global defaults and `types`); `pages` is a job.
pub const RESERVED_KEYS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
    "types",
];

/// One file of the pipeline.
#[derive(Debug)]
pub struct PipelineFile {
    pub file: FileId,
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// The include entry that first pulled the file in (index in
    /// [`GitlabPipeline::includes`]); `None` for the top-level file.
    pub included_by: Option<usize>,
    /// Why the file could not be read.
    pub error: Option<YamlError>,
    pub comments: Vec<Comment>,
    /// The `spec:` key of a header document, when the file has one.
    pub spec: Option<Location>,
}

/// What an `include:` entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    Local,
    Project,
    Remote,
    Template,
    Component,
    /// `artifact:` (child pipelines), or an entry tplint does not know.
    Other,
}

/// One `include:` entry.
#[derive(Clone, Debug)]
pub struct Include {
    pub kind: IncludeKind,
    /// The whole entry.
    pub location: Location,
    /// The path, project, URL, template name or component reference.
    pub target: Located<String>,
    /// `file:` of a project include.
    pub files: Vec<Located<String>>,
    /// `ref:` of a project include, or the version after `@` of a component.
    pub reference: Option<Located<String>>,
    /// Whether the include is pinned to a full 40-hex commit SHA (a remote
    /// URL containing one counts, or a remote file with `integrity:`);
    /// `None` where pinning does not apply (local files, GitLab's own
    /// templates).
    pub pinned: Option<bool>,
    /// Whether the entry has `rules:` (it may not be included).
    pub conditional: bool,
    /// Those `rules:`.
    pub rules: Vec<rules::Rule>,
    /// The include entry whose file holds this entry (`None`: the
    /// top-level file).
    pub parent: Option<usize>,
    /// Files of this repository it loaded (indexes in [`GitlabPipeline::files`]).
    pub loaded: Vec<usize>,
    /// `inputs:` for the included file's `spec:inputs` (`inputs/_index.md`).
    pub inputs: Option<GNode>,
    /// Whether tplint could read what it names (local files it found).
    pub readable: bool,
}

/// GitLab's own scanning templates (`include: template:`) that define no
/// `default:` and no `id_tokens:`, so they cannot give a job of the
/// pipeline an ID token; each with a word that the name of every job and
/// hidden job it defines contains (a job of the pipeline whose name, or a
/// name it `extends`, contains it may be merged with one of them).
/// `SAST.gitlab-ci.yml` is found as `Security/SAST.gitlab-ci.yml`
/// (gitlabhq/gitlabhq `lib/gitlab/template/gitlab_ci_yml_template.rb`,
/// `include_categories_for_file`; `lib/gitlab/template/finders/global_template_finder.rb`).
/// Read in gitlabhq/gitlabhq `lib/gitlab/ci/templates/`:
/// `Jobs/SAST.gitlab-ci.yml` (05f0ebb: `sast`, `.sast-analyzer`,
/// `.mobsf-sast`, `*-sast`), `Security/SAST.gitlab-ci.yml` (0526dc1: `sast`,
/// `.sast-analyzer`, `*-sast`), `Jobs/Secret-Detection.gitlab-ci.yml`
/// (1c2ff01: `.secret-analyzer`, `secret_detection`,
/// `secret_detection_default_branch`), `Security/Secret-Detection.gitlab-ci.yml`
/// (11bda5e: only an include of the `Jobs/` one).
const KNOWN_TEMPLATES: &[(&str, &str)] = &[
    ("SAST.gitlab-ci.yml", "sast"),
    ("Security/SAST.gitlab-ci.yml", "sast"),
    ("Jobs/SAST.gitlab-ci.yml", "sast"),
    ("Security/Secret-Detection.gitlab-ci.yml", "secret"),
    ("Jobs/Secret-Detection.gitlab-ci.yml", "secret"),
];

impl Include {
    /// For one of GitLab's templates that give no job an ID token
    /// ([`KNOWN_TEMPLATES`]), the word in the names of the jobs it defines.
    pub fn scanning_template_word(&self) -> Option<&'static str> {
        if self.kind != IncludeKind::Template {
            return None;
        }
        let name = self.target.value.trim();
        KNOWN_TEMPLATES
            .iter()
            .find(|(template, _)| *template == name)
            .map(|(_, word)| *word)
    }
}

/// A problem in the pipeline's configuration that GitLab would reject or
/// that stops tplint from reading part of it.
#[derive(Clone, Debug)]
pub struct Problem {
    pub message: String,
    pub location: Location,
    /// Whether configuration tplint cannot read may make it no problem at
    /// all (a name an unread include may define): a note, not an error.
    pub unsure: bool,
    /// Places that explain the problem (the includes tplint did not read).
    pub related: Vec<(Location, String)>,
}

impl Problem {
    pub fn new(message: impl Into<String>, location: Location) -> Self {
        Self {
            message: message.into(),
            location,
            unsure: false,
            related: Vec::new(),
        }
    }
}

/// A GitLab pipeline, merged and resolved.
#[derive(Debug, Default)]
pub struct GitlabPipeline {
    /// The top-level pipeline file's path (what PyPI's publisher names).
    pub path: String,
    /// The top-level file first, then included files in the order read.
    pub files: Vec<PipelineFile>,
    pub includes: Vec<Include>,
    /// Jobs in configuration order (hidden jobs are not jobs).
    pub jobs: Vec<GitlabJob>,
    /// Names of hidden jobs (templates), with their keys.
    pub hidden: Vec<Located<String>>,
    pub stages: Vec<Located<String>>,
    /// Top-level `variables:`.
    pub variables: Vec<Variable>,
    /// `workflow: rules:`, when present.
    pub workflow_rules: Option<Vec<rules::Rule>>,
    /// The merged, resolved configuration.
    pub config: Option<GNode>,
    pub problems: Vec<Problem>,
    /// Keys and values whose `$[[ ... ]]` interpolation tplint could not
    /// evaluate (left as written): what they hold is unknown.
    pub uninterpolated: Vec<inputs::Uninterpolated>,
    /// Child pipelines that jobs start from files of this repository
    /// (`trigger: include: local`), read for their problems (TP001, TP002)
    /// and for the tokens their uploads are given (TP303), not checked
    /// further; each with the entry that names it. A file
    /// already part of this pipeline is not read again.
    pub children: Vec<(Location, GitlabPipeline)>,
    /// Top-level keys of the top-level file, and of each include entry's
    /// file as that entry included it (after interpolation): which
    /// includes define a job, so that `include: rules:` gate it.
    pub defined_by: Vec<(Option<usize>, Vec<String>)>,
    /// Top-level keys (jobs, hidden jobs) whose `extends:` or `!reference`
    /// (after `extends:` is applied) name something no file tplint read
    /// defines.
    pub undefined_in: Vec<String>,
}

impl GitlabPipeline {
    /// Whether every job of the pipeline is known: no include tplint cannot
    /// read, no file that failed to parse, nothing cut short by a bound.
    pub fn complete(&self) -> bool {
        self.includes.iter().all(|i| i.readable)
            && self.files.iter().all(|f| f.error.is_none())
            && self.config.is_some()
            && self.uninterpolated.is_empty()
    }

    /// The include entries that lead to `file`, outermost first.
    pub fn include_chain(&self, file: FileId) -> Vec<Location> {
        let mut chain = Vec::new();
        let mut current = self.files.iter().find(|f| f.file == file);
        while let Some(include) = current.and_then(|f| f.included_by) {
            let Some(entry) = self.includes.get(include) else {
                break;
            };
            chain.push(entry.location);
            current = self.files.iter().find(|f| f.file == entry.location.file);
            if chain.len() > MAX_INCLUDES {
                break;
            }
        }
        chain.reverse();
        chain
    }

    pub fn job(&self, name: &str) -> Option<&GitlabJob> {
        self.jobs.iter().find(|j| j.name.value == name)
    }

    /// The child pipelines, each with the files it reads that neither this
    /// pipeline nor an earlier child reads (where its problems are
    /// reported, once).
    pub fn child_pipelines(&self) -> Vec<(Location, &GitlabPipeline, Vec<FileId>)> {
        let mut seen: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        let mut out = Vec::new();
        for (started, child) in &self.children {
            let own: Vec<FileId> = child
                .files
                .iter()
                .filter(|f| !seen.contains(&f.path.as_str()))
                .map(|f| f.file)
                .collect();
            seen.extend(child.files.iter().map(|f| f.path.as_str()));
            out.push((*started, child, own));
        }
        out
    }

    /// The file of the pipeline that `file` is, if any.
    /// `diagnostic` with the `include:` entries that lead to its file (or,
    /// for a finding in a repository script, to the first pipeline file
    /// among its related locations: the one that runs the script).
    pub fn with_include_chain(&self, diagnostic: Diagnostic) -> Diagnostic {
        let mut diagnostic = diagnostic;
        let file = std::iter::once(diagnostic.location.file)
            .chain(diagnostic.related.iter().map(|r| r.location.file))
            .find(|file| self.file(*file).is_some())
            .unwrap_or(diagnostic.location.file);
        for entry in self.include_chain(file) {
            diagnostic = diagnostic.with_related(entry, "the file is included here");
        }
        diagnostic
    }

    pub fn file(&self, file: FileId) -> Option<&PipelineFile> {
        self.files.iter().find(|f| f.file == file)
    }
}

/// Where pipeline files are read from.
pub trait Files {
    /// The bytes of a file relative to the repository root.
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>>;
    /// Files below folder `dir` ("" for the root), relative to the root;
    /// `None` when there are more than `limit` entries to look at.
    fn list(&self, dir: &str, limit: usize) -> Option<Vec<String>>;
}

/// A repository on disk, with texts that stand in for some of its files.
pub struct DiskFiles<'a> {
    pub root: &'a Path,
    pub overlay: &'a Overlay,
}

impl Files for DiskFiles<'_> {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.overlay.read(self.root, path, yaml::MAX_FILE_BYTES)
    }

    fn list(&self, dir: &str, limit: usize) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut pending = vec![dir.trim_end_matches('/').to_string()];
        let mut seen = 0;
        while let Some(current) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(self.root.join(&current)) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                seen += 1;
                if seen > limit {
                    return None;
                }
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let relative = if current.is_empty() {
                    name.clone()
                } else {
                    format!("{current}/{name}")
                };
                // Symbolic links are not followed into folders (no loops).
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => {
                        if name != ".git" {
                            pending.push(relative);
                        }
                    }
                    Ok(_) => out.push(relative),
                    Err(_) => {}
                }
            }
        }
        for (path, _) in self.overlay.iter() {
            if path.starts_with(dir) && !out.iter().any(|p| p == path) {
                out.push(path.to_string());
            }
        }
        Some(out)
    }
}

/// Files held in memory (tests, fuzzing).
#[derive(Debug, Default)]
pub struct MemoryFiles(pub std::collections::BTreeMap<String, String>);

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.0
            .get(path)
            .map(|t| t.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    fn list(&self, dir: &str, limit: usize) -> Option<Vec<String>> {
        let found: Vec<String> = self
            .0
            .keys()
            .filter(|k| k.starts_with(dir))
            .cloned()
            .collect();
        (found.len() <= limit).then_some(found)
    }
}

static SHA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9a-f]{40}$").expect("valid regex literal"));
static SHA_IN_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[/@=])[0-9a-f]{40}([/?#&]|$)").expect("valid regex literal"));

/// Whether `text` is a full commit SHA (lower-case hex, as GitLab prints it).
pub fn is_full_sha(text: &str) -> bool {
    SHA.is_match(text.trim())
}

/// The regular expression GitLab matches a wildcard `include:local` path
/// with: `**` is anything, `*` anything but `/`, the rest literal
/// (`app/models/repository.rb`, `search_files_by_wildcard_path`).
fn wildcard(path: &str) -> Option<Regex> {
    let escaped = regex::escape(path)
        .replace(r"\*\*", ".*?")
        .replace(r"\*", "[^/]*?");
    Regex::new(&format!("^{escaped}$")).ok()
}

/// Read the pipeline whose top-level file is `path`.
pub fn load(files: &dyn Files, path: &str, sources: &mut SourceMap) -> GitlabPipeline {
    let mut pipeline = load_one(files, path, None, sources);
    // `_index.md`, `trigger:include`: a child pipeline's configuration is a
    // file of this project (`local:`), with its own `inputs:`; several
    // entries combine into one child pipeline, which tplint does not read.
    let mut seen: Vec<String> = pipeline.files.iter().map(|f| f.path.clone()).collect();
    for (location, child, given) in child_includes(&pipeline) {
        if pipeline.children.len() >= MAX_CHILDREN {
            break;
        }
        // A file that is not there is not read (the trigger job fails when
        // it runs; the pipeline itself is created).
        if seen.contains(&child) || files.read(&child).is_err() {
            continue;
        }
        let loaded = load_one(files, &child, given.as_ref(), sources);
        seen.extend(loaded.files.iter().map(|f| f.path.clone()));
        pipeline.children.push((location, loaded));
    }
    pipeline
}

/// The local files that jobs start child pipelines from (one file each),
/// with the `include:` entry and its `inputs:`.
fn child_includes(pipeline: &GitlabPipeline) -> Vec<(Location, String, Option<GNode>)> {
    let mut out = Vec::new();
    for job in &pipeline.jobs {
        let Some(include) = job.node.get("trigger").and_then(|t| t.get("include")) else {
            continue;
        };
        let entry = match &include.value {
            GValue::Sequence(items) if items.len() == 1 => &items[0],
            GValue::Sequence(_) => continue,
            _ => include,
        };
        let (path, given) = match entry.as_str() {
            Some(path) => (path, None),
            None => match entry.get("local").and_then(GNode::as_str) {
                Some(path) => (path, entry.get("inputs").cloned()),
                None => continue,
            },
        };
        let path = path.trim().trim_start_matches('/');
        let plain = !path.contains('$')
            && !path.contains('*')
            && !path.starts_with("http://")
            && !path.starts_with("https://")
            && (path.ends_with(".yml") || path.ends_with(".yaml"))
            && crate::repo_path::join("", path).as_deref() == Some(path);
        if plain {
            out.push((entry.location, path.to_string(), given));
        }
    }
    out
}

/// Read one pipeline whose top-level file is `path`, with `given` inputs
/// for its `spec:` (a child pipeline's `trigger: include: inputs:`).
fn load_one(
    files: &dyn Files,
    path: &str,
    given: Option<&GNode>,
    sources: &mut SourceMap,
) -> GitlabPipeline {
    let mut loader = Loader {
        files,
        sources,
        pipeline: GitlabPipeline {
            path: path.to_string(),
            ..GitlabPipeline::default()
        },
        trees: Vec::new(),
        specs: Vec::new(),
        by_path: HashMap::new(),
        count: 0,
        budget: inputs::BUDGET,
        top_inputs: given,
    };
    let merged = loader.content(path, None, &mut Vec::new());
    let mut pipeline = loader.pipeline;
    if let Some(merged) = merged {
        job::build(&mut pipeline, &merged);
    }
    pipeline
}

struct Loader<'f, 's, 'g> {
    files: &'f dyn Files,
    /// `inputs:` for the top-level file (a child pipeline's).
    top_inputs: Option<&'g GNode>,
    sources: &'s mut SourceMap,
    pipeline: GitlabPipeline,
    /// Parsed tree of each pipeline file (parallel to `pipeline.files`).
    trees: Vec<Option<GNode>>,
    /// The `spec:` of each file's header, when it has one (parallel too).
    specs: Vec<Option<GNode>>,
    by_path: HashMap<String, usize>,
    /// Files included so far, repeats counted, as GitLab counts them.
    count: usize,
    /// What `$[[ inputs ]]` interpolation may still produce.
    budget: usize,
}

impl Loader<'_, '_, '_> {
    fn problem(&mut self, message: impl Into<String>, location: Location) {
        self.pipeline.problems.push(Problem::new(message, location));
    }

    /// Whether include entry `entry`, or an entry whose file holds it, has
    /// `rules:`: GitLab may leave the file out.
    fn gated(&self, entry: usize) -> bool {
        let mut current = Some(entry);
        for _ in 0..=MAX_INCLUDES {
            let Some(include) = current.and_then(|i| self.pipeline.includes.get(i)) else {
                return false;
            };
            if include.conditional {
                return true;
            }
            current = include.parent;
        }
        false
    }

    /// Read and parse a file once; its index in `pipeline.files`.
    fn read(&mut self, path: &str, included_by: Option<usize>) -> usize {
        if let Some(&index) = self.by_path.get(path) {
            return index;
        }
        let bytes = self.files.read(path);
        let (text, error) = match bytes {
            Err(e) => (
                String::new(),
                Some(YamlError {
                    message: e.to_string(),
                    span: Span::empty(0),
                }),
            ),
            Ok(bytes) => match yaml::decode(bytes) {
                Ok(text) => (text, None),
                Err((error, lossy)) => (lossy, Some(error)),
            },
        };
        let file = self.sources.add(SourceFile::new(path, text));
        let mut entry = PipelineFile {
            file,
            path: path.to_string(),
            included_by,
            error,
            comments: Vec::new(),
            spec: None,
        };
        let mut tree = None;
        let mut spec_tree = None;
        if entry.error.is_none() {
            match yaml::parse_all(&self.sources.get(file).text, yaml::Comments::Suppressions) {
                Err(error) => entry.error = Some(error),
                Ok(documents) => {
                    entry.comments = documents.comments;
                    let mut roots = documents.roots;
                    let header = roots.len() > 1
                        && roots
                            .first()
                            .and_then(|r| r.as_ref())
                            .and_then(|r| r.entry("spec"))
                            .is_some();
                    let mut problems = Vec::new();
                    if header {
                        let spec = roots[0].as_ref().and_then(|r| r.entry("spec"));
                        entry.spec = spec.map(|s| Location::new(file, s.key.span));
                        spec_tree = spec.map(|s| tree::from_yaml(&s.value, file, &mut problems));
                        roots.remove(0);
                    }
                    if roots.len() > 1
                        && let Some(Some(extra)) = roots.get(1)
                    {
                        self.pipeline.problems.push(Problem::new(
                            "a pipeline file holds one configuration document (after an optional `spec:` header); later documents are ignored",
                            Location::new(file, extra.span),
                        ));
                    }
                    tree = roots
                        .into_iter()
                        .next()
                        .flatten()
                        .map(|root| tree::from_yaml(&root, file, &mut problems));
                    for (message, location) in problems {
                        self.problem(message, location);
                    }
                }
            }
        }
        let index = self.pipeline.files.len();
        self.pipeline.files.push(entry);
        self.trees.push(tree);
        self.specs.push(spec_tree);
        self.by_path.insert(path.to_string(), index);
        index
    }

    /// The configuration of `path` with its includes merged in, GitLab's
    /// way: included files in order, then the file's own keys over them.
    fn content(
        &mut self,
        path: &str,
        included_by: Option<usize>,
        chain: &mut Vec<String>,
    ) -> Option<GNode> {
        let index = self.read(path, included_by);
        let mut tree = self.trees[index].clone()?;
        // Inputs are interpolated each time the file is included, with the
        // values of that include entry, before anything is merged.
        if let Some(spec) = &self.specs[index] {
            let given = match included_by {
                Some(i) => self.pipeline.includes[i].inputs.as_ref(),
                None => self.top_inputs,
            };
            let values = inputs::Inputs::new(spec, given);
            inputs::interpolate(
                &mut tree,
                &values,
                &mut self.pipeline.uninterpolated,
                &mut self.budget,
            );
        }
        if tree.as_mapping().is_none() {
            if !tree.is_null() {
                self.problem(
                    format!(
                        "a pipeline file must be a mapping of keys, not {}",
                        kind_name(&tree)
                    ),
                    tree.location,
                );
            }
            return None;
        }
        chain.push(path.to_string());
        let keys = tree
            .as_mapping()
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.key.as_str())
            .filter(|k| *k != "include")
            .map(str::to_string)
            .collect();
        self.pipeline.defined_by.push((included_by, keys));
        let mut merged: Option<GNode> = None;
        if let Some(include) = tree.get("include") {
            let first_entry = self.pipeline.includes.len();
            let entries = self.includes(include);
            for entry in &mut self.pipeline.includes[first_entry..] {
                entry.parent = included_by;
            }
            for (entry_index, local) in entries {
                if chain.iter().any(|p| p == &local) {
                    let location = self.pipeline.includes[entry_index].location;
                    self.problem(
                        format!("`{local}` includes itself (through a cycle of includes); GitLab stops at {MAX_INCLUDES} includes"),
                        location,
                    );
                    self.pipeline.includes[entry_index].readable = false;
                    continue;
                }
                self.count += 1;
                if self.count > MAX_INCLUDES {
                    let location = self.pipeline.includes[entry_index].location;
                    self.problem(
                        format!(
                            "more than {MAX_INCLUDES} included files; GitLab rejects the pipeline"
                        ),
                        location,
                    );
                    self.pipeline.includes[entry_index].readable = false;
                    break;
                }
                let first = !self.by_path.contains_key(&local);
                let content = self.content(&local, Some(entry_index), chain);
                if let Some(&loaded) = self.by_path.get(&local) {
                    let include = &mut self.pipeline.includes[entry_index];
                    include.loaded.push(loaded);
                    let failed = self.pipeline.files[loaded].error.is_some();
                    if failed {
                        self.pipeline.includes[entry_index].readable = false;
                        if first {
                            let location = self.pipeline.includes[entry_index].location;
                            let why = self.pipeline.files[loaded]
                                .error
                                .as_ref()
                                .map(|e| e.message.clone())
                                .unwrap_or_default();
                            // GitLab reads a file only when the `rules:` of its
                            // entry (or of an entry above) include it, so a
                            // missing file behind `rules:` may be no problem
                            // (`includes.md`, "Use `rules` with `include`").
                            let gated = self.gated(entry_index);
                            let mut problem = Problem::new(
                                format!("included file `{local}` cannot be read: {why}"),
                                location,
                            );
                            if gated {
                                problem.message.push_str(
                                    "; GitLab reads it only when the `rules:` of the include admit it",
                                );
                                problem.unsure = true;
                            }
                            self.pipeline.problems.push(problem);
                        }
                    }
                }
                if let Some(content) = content {
                    merged = Some(match merged {
                        Some(m) => tree::deep_merge(&m, &content),
                        None => content,
                    });
                }
            }
        }
        chain.pop();
        let own = GNode {
            value: GValue::Mapping(
                tree.as_mapping()
                    .unwrap_or_default()
                    .iter()
                    .filter(|e| e.key.as_str() != Some("include"))
                    .cloned()
                    .collect(),
            ),
            location: tree.location,
        };
        Some(match merged {
            Some(m) => tree::deep_merge(&m, &own),
            None => own,
        })
    }

    /// Record the entries of an `include:` value; the local files to read,
    /// with the index of their entry.
    fn includes(&mut self, include: &GNode) -> Vec<(usize, String)> {
        let entries: Vec<&GNode> = match &include.value {
            GValue::Sequence(items) => items.iter().collect(),
            _ => vec![include],
        };
        let mut locals = Vec::new();
        for entry in entries {
            let Some(include) = self.include_entry(entry) else {
                self.problem(
                    "an `include:` entry is a path or a mapping with `local`, `project`, `remote`, `template` or `component`",
                    entry.location,
                );
                continue;
            };
            let index = self.pipeline.includes.len();
            let mut include = include;
            if include.kind == IncludeKind::Local {
                let path = include
                    .target
                    .value
                    .trim()
                    .trim_start_matches('/')
                    .to_string();
                let extension_ok = path.ends_with(".yml") || path.ends_with(".yaml");
                if path.contains('$') || path.is_empty() {
                    include.readable = false;
                } else if path.contains('*') {
                    match self.expand(&path) {
                        Some(matched) => {
                            if matched.is_empty() {
                                self.problem(
                                    format!("no file of the repository matches `{path}`"),
                                    include.target.location,
                                );
                            }
                            locals.extend(matched.into_iter().map(|p| (index, p)));
                        }
                        None => {
                            self.problem(
                                format!("`{path}` matches in a folder with more than {MAX_LISTED} entries; tplint did not read it"),
                                include.target.location,
                            );
                            include.readable = false;
                        }
                    }
                } else if crate::repo_path::join("", &path).as_deref() != Some(path.as_str()) {
                    self.problem(
                        format!("included file `{path}` is not a path inside the repository"),
                        include.target.location,
                    );
                    include.readable = false;
                } else if !extension_ok {
                    self.problem(
                        format!("included file `{path}` does not have a YAML extension (`.yml` or `.yaml`)"),
                        include.target.location,
                    );
                    include.readable = false;
                } else {
                    locals.push((index, path));
                }
            }
            self.pipeline.includes.push(include);
        }
        locals
    }

    /// The files a wildcard `include:local` path matches, sorted; `None`
    /// when the folder is too large to look through.
    fn expand(&self, path: &str) -> Option<Vec<String>> {
        let Some(pattern) = wildcard(path) else {
            return Some(Vec::new());
        };
        let literal = &path[..path.find('*').unwrap_or(path.len())];
        let dir = literal.rfind('/').map_or("", |at| &literal[..at]);
        if path.split('/').any(|part| part == "..") {
            return Some(Vec::new());
        }
        let mut matched: Vec<String> = self
            .files
            .list(dir, MAX_LISTED)?
            .into_iter()
            .filter(|p| pattern.is_match(p))
            .collect();
        matched.sort();
        matched.truncate(MAX_INCLUDES + 1);
        Some(matched)
    }

    fn include_entry(&self, entry: &GNode) -> Option<Include> {
        let blank = |kind, target: Located<String>| Include {
            kind,
            location: entry.location,
            target,
            files: Vec::new(),
            reference: None,
            pinned: None,
            conditional: false,
            rules: Vec::new(),
            parent: None,
            loaded: Vec::new(),
            inputs: None,
            readable: kind == IncludeKind::Local,
        };
        if let Some(text) = entry.located_str() {
            let remote = text.value.starts_with("https://") || text.value.starts_with("http://");
            return Some(if remote {
                let pinned = SHA_IN_URL.is_match(&text.value);
                Include {
                    pinned: Some(pinned),
                    ..blank(IncludeKind::Remote, text)
                }
            } else {
                blank(IncludeKind::Local, text)
            });
        }
        entry.as_mapping()?;
        let conditional = entry.get("rules").is_some();
        let mut include = if let Some(local) = entry.get("local").and_then(GNode::located_str) {
            blank(IncludeKind::Local, local)
        } else if let Some(project) = entry.get("project").and_then(GNode::located_str) {
            let files = match entry.get("file") {
                Some(f) => f
                    .flattened()
                    .iter()
                    .filter_map(|n| n.located_str())
                    .collect(),
                None => Vec::new(),
            };
            let reference = entry.get("ref").and_then(GNode::located_str);
            let pinned = reference.as_ref().is_some_and(|r| is_full_sha(&r.value));
            Include {
                files,
                reference,
                pinned: Some(pinned),
                ..blank(IncludeKind::Project, project)
            }
        } else if let Some(remote) = entry.get("remote").and_then(GNode::located_str) {
            // `integrity:` makes GitLab refuse a remote file whose SHA-256
            // differs (`includes.md`, `include:integrity`; GitLab 17.9).
            let pinned = SHA_IN_URL.is_match(&remote.value) || entry.get("integrity").is_some();
            Include {
                pinned: Some(pinned),
                ..blank(IncludeKind::Remote, remote)
            }
        } else if let Some(template) = entry.get("template").and_then(GNode::located_str) {
            blank(IncludeKind::Template, template)
        } else if let Some(component) = entry.get("component").and_then(GNode::located_str) {
            let reference = component.value.rsplit_once('@').map(|(_, version)| {
                let start = component.value.len() - version.len();
                let span = Span::new(component.location.span.start, component.location.span.end);
                // The version's own span when the value is spelled plainly.
                let location = if component.location.span.len() == component.value.len() {
                    Location::new(
                        component.location.file,
                        Span::new(span.start + start, span.end),
                    )
                } else {
                    component.location
                };
                Located::new(version.to_string(), location)
            });
            let pinned = reference.as_ref().is_some_and(|r| is_full_sha(&r.value));
            Include {
                reference,
                pinned: Some(pinned),
                ..blank(IncludeKind::Component, component)
            }
        } else {
            let first = entry.as_mapping()?.first()?;
            let target = first
                .value
                .located_str()
                .unwrap_or_else(|| Located::new(String::new(), first.value.location));
            blank(IncludeKind::Other, target)
        };
        include.conditional = conditional;
        include.rules = entry.get("rules").map(rules::read).unwrap_or_default();
        include.inputs = entry.get("inputs").cloned();
        Some(include)
    }
}

fn kind_name(node: &GNode) -> &'static str {
    match &node.value {
        GValue::Scalar { .. } => "a scalar",
        GValue::Sequence(_) => "a sequence",
        GValue::Mapping(_) => "a mapping",
        GValue::Reference(_) => "a `!reference`",
    }
}

#[cfg(test)]
mod tests;
