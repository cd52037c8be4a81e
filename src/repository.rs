//! Everything read from one repository: its workflows (parsed, or the
//! reason they could not be), its configuration and its git remote.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, LoadError, PublisherFlags};
use crate::discover;
use crate::git::{self, Remote};
use crate::gitlab::{self, GitlabPipeline};
use crate::manifest::Manifests;
use crate::overlay::{Overlay, read_bounded};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::workflow::{self, Action, Workflow};
use crate::yaml::{self, Comment, YamlError};

/// One file in `.github/workflows`.
#[derive(Debug)]
pub struct WorkflowFile {
    pub file: FileId,
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The file name, which PyPI matches against the publisher's `workflow`.
    pub name: String,
    /// The model, unless the file is not readable YAML.
    pub workflow: Option<Workflow>,
    /// Why the file could not be read (reported as `TP001`).
    pub error: Option<YamlError>,
    pub comments: Vec<Comment>,
}

#[derive(Debug)]
pub struct Repository {
    pub root: PathBuf,
    pub sources: SourceMap,
    pub workflows: Vec<WorkflowFile>,
    /// Every entry name in `.github/workflows`, for suggestions.
    pub workflow_dir_names: Vec<String>,
    pub config: Config,
    pub remote: Option<Remote>,
    /// The package manifests at the root (`package.json`, `Cargo.toml`, ...).
    pub manifests: Manifests,
    /// Files of the repository that the workflows run: local actions,
    /// scripts and task-runner files, read because a step names them.
    pub locals: Locals,
    /// The GitLab CI/CD pipeline, when the repository has one.
    pub gitlab: Option<GitlabPipeline>,
    /// Texts read instead of the files on disk (see [`LoadOptions::overlay`]).
    overlay: Overlay,
}

/// What to read besides the repository itself.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub config: Option<PathBuf>,
    pub publisher: PublisherFlags,
    /// Texts that stand in for files of the repository (an editor's open
    /// buffers, fixes not yet written); a workflow that exists only here
    /// is read as one.
    pub overlay: Overlay,
    /// The `origin` remote the repository stands for, instead of asking
    /// git (a repository fetched from its forge has no checkout).
    pub remote: Option<Remote>,
}

impl Repository {
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Self, LoadError> {
        let mut sources = SourceMap::default();
        let overlay = &options.overlay;
        let config = config::load(
            root,
            options.config.as_deref(),
            &options.publisher,
            &mut sources,
            overlay,
        )?;
        let mut paths = discover::workflow_files(root);
        let mut names = discover::workflow_dir_names(root);
        for name in overlay.workflow_names() {
            let path = root.join(".github").join("workflows").join(name);
            if !paths.contains(&path) {
                paths.push(path);
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        paths.sort();
        names.sort();
        let workflows = read_workflows(root, &paths, &mut sources, overlay);
        let manifests = Manifests::load(root, overlay, &mut sources);
        let mut repo = Self {
            root: root.to_path_buf(),
            workflow_dir_names: names,
            remote: match &options.remote {
                Some(remote) => Some(remote.clone()),
                None => git::origin(root),
            },
            sources,
            workflows,
            config,
            manifests,
            locals: Locals::on_disk(),
            gitlab: None,
            overlay: overlay.clone(),
        };
        repo.load_gitlab(gitlab::DEFAULT_PIPELINE_PATH);
        if let Some(path) = repo.declared_pipeline_path() {
            let default = repo.gitlab.take();
            repo.load_gitlab(&path);
            if repo.gitlab.is_none() {
                repo.gitlab = default;
            }
        }
        Ok(repo)
    }

    /// The top-level pipeline file a declared GitLab publisher names, when
    /// it is not `.gitlab-ci.yml`, is a file of the repository, and is not
    /// one the default pipeline includes (a publisher naming an included
    /// file is a mistake TP108 reports, not another pipeline).
    fn declared_pipeline_path(&self) -> Option<String> {
        let in_default = |path: &str| {
            self.gitlab
                .as_ref()
                .is_some_and(|g| g.files.iter().any(|f| f.path == path))
        };
        self.config
            .publishers
            .iter()
            .filter(|p| p.platform == config::Platform::Gitlab)
            .map(|p| p.workflow.value.trim().trim_start_matches('/').to_string())
            .find(|path| {
                path != gitlab::DEFAULT_PIPELINE_PATH && !in_default(path) && self.has_file(path)
            })
    }

    /// Whether `path` (relative to the root) is a file of the repository,
    /// or stands in for one; never for a repository held in memory.
    pub fn has_file(&self, path: &str) -> bool {
        let Some(path) = crate::repo_path::join("", path.trim().trim_start_matches('/')) else {
            return false;
        };
        if path.is_empty() {
            return false;
        }
        if self.overlay.get(&path).is_some() {
            return true;
        }
        if self.root.as_os_str().is_empty() {
            return false;
        }
        let on_disk = self.root.join(&path);
        std::fs::symlink_metadata(&on_disk).is_ok()
            && !std::fs::metadata(&on_disk).is_ok_and(|m| m.is_dir())
    }

    /// Read the GitLab pipeline whose top-level file is `path` (relative to
    /// the root), replacing any read before; none when the file does not
    /// exist.
    pub fn load_gitlab(&mut self, path: &str) {
        let Some(path) = crate::repo_path::join("", path.trim().trim_start_matches('/')) else {
            self.gitlab = None;
            return;
        };
        let path = path.as_str();
        // A folder named like the pipeline is not one (as for workflows).
        let on_disk = self.root.join(path);
        let exists = self.overlay.get(path).is_some()
            || (std::fs::symlink_metadata(&on_disk).is_ok()
                && !std::fs::metadata(&on_disk).is_ok_and(|m| m.is_dir()));
        if path.is_empty() || !exists || !self.locals.can_read() {
            self.gitlab = None;
            return;
        }
        let files = gitlab::DiskFiles {
            root: &self.root,
            overlay: &self.overlay,
        };
        self.gitlab = Some(gitlab::load(&files, path, &mut self.sources));
    }

    /// The package a publisher of `registry` is for when it names none:
    /// `[project].name` of `pyproject.toml` for PyPI and TestPyPI, the
    /// manifest's name for the other registries.
    pub fn default_package(&self, registry: crate::registry::Registry) -> Option<String> {
        if registry.is_pypi() {
            // A repository with other Python projects below its root may
            // upload any of them: no name rather than a wrong one.
            let name = self.config.project_name.as_deref()?;
            let others = self.manifests.python_projects(&self.root, &self.overlay);
            let normalize = crate::registry::pypi::normalize_project_name;
            if others.iter().any(|p| normalize(&p.name) != normalize(name)) {
                return None;
            }
            return Some(name.to_string());
        }
        self.manifests
            .default_package(registry, &self.root, &self.overlay)
            .map(str::to_string)
    }

    /// The packages an upload of each crate of the Cargo workspace at the
    /// root (`workspace`, [`crate::facts::publish::PublishSite::workspace`])
    /// publishes to `registry`, when there are several
    /// ([`crate::manifest::Manifests::workspace_crates`]); `None` for one,
    /// for another upload, or where tplint did not read every member.
    pub fn workspace_packages(
        &self,
        registry: crate::registry::Registry,
        workspace: bool,
    ) -> Option<Vec<String>> {
        if !workspace || registry != crate::registry::Registry::CratesIo {
            return None;
        }
        let names = self.manifests.workspace_crates(&self.root, &self.overlay)?;
        (names.len() > 1).then(|| names.into_iter().map(str::to_string).collect())
    }

    /// The package an upload to `registry` publishes: the one its command
    /// names, else the one the manifest of repository folder `folder` (where
    /// it runs) names, else the repository's default package.
    pub fn package_of(
        &self,
        registry: crate::registry::Registry,
        folder: Option<&str>,
        named: Option<&str>,
    ) -> Option<String> {
        self.published_package(registry, folder, named)
            .or_else(|| self.default_package(registry))
    }

    /// What the `package.json` of repository folder `folder` says of the
    /// registry npm publishes it to ([`crate::manifest::npm_publish_registry_in`]).
    pub fn npm_publish_registry_in(&self, folder: &str) -> Option<Option<String>> {
        crate::manifest::npm_publish_registry_in(&self.root, &self.overlay, folder)
    }

    /// The packages of the repository's npm workspace
    /// ([`crate::manifest::NpmWorkspace`]), read the first time asked.
    pub fn npm_workspace(&self) -> &crate::manifest::NpmWorkspace {
        self.manifests.npm_workspace(&self.root, &self.overlay)
    }

    /// The package an upload certainly publishes: the one its command
    /// names, else the one the manifest of the folder it runs in names,
    /// when that folder is not the root (a workspace's tools publish other
    /// folders' packages from the root).
    pub fn published_package(
        &self,
        registry: crate::registry::Registry,
        folder: Option<&str>,
        named: Option<&str>,
    ) -> Option<String> {
        named.map(str::to_string).or_else(|| {
            folder.and_then(|folder| {
                crate::manifest::package_in(registry, &self.root, &self.overlay, folder)
            })
        })
    }

    /// A repository in memory whose GitLab pipeline is `files` (paths
    /// relative to the root) with top-level file `path`, for tests.
    pub fn in_memory_gitlab(files: gitlab::MemoryFiles, path: &str) -> Self {
        let mut sources = SourceMap::default();
        let gitlab = gitlab::load(&files, path, &mut sources);
        Self {
            root: PathBuf::new(),
            sources,
            workflows: Vec::new(),
            workflow_dir_names: Vec::new(),
            config: Config::default(),
            remote: None,
            manifests: Manifests::default(),
            locals: Locals::default(),
            gitlab: Some(gitlab),
            overlay: Overlay::default(),
        }
    }

    /// Read local files that a step names (see
    /// [`crate::facts::Facts::derive_reading`]); false when nothing new
    /// could be read.
    pub fn read_needs(&mut self, needs: std::collections::BTreeSet<Need>) -> bool {
        if !self.locals.can_read() {
            return false;
        }
        let before = self.locals.total();
        for need in needs {
            if self.locals.total() >= MAX_LOCAL_FILES {
                break;
            }
            match need {
                Need::Action(dir) => self.read_action(dir),
                Need::Text(path) => self.read_text(path),
                Need::Folder(dir) => self.read_folder(dir),
                Need::Subfolders(dir) => self.read_subfolders(dir),
                Need::FolderAnyCase(dir) => self.read_folder_any_case(dir),
            }
        }
        self.locals.total() > before
    }

    fn read_action(&mut self, dir: String) {
        if self.locals.action_index.contains_key(&dir) {
            return;
        }
        let mut local = LocalAction {
            dir: dir.clone(),
            file: None,
            action: None,
            error: None,
            comments: Vec::new(),
        };
        for name in ["action.yml", "action.yaml"] {
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            if !self.overlay.exists(&self.root, &path) {
                continue;
            }
            let bytes = self.overlay.read(&self.root, &path, yaml::MAX_FILE_BYTES);
            let (source, parsed) = parse_yaml_file(path, bytes, |text, document| {
                workflow::build_action(text, document)
            });
            local.file = Some(self.sources.add(source));
            local.action = parsed.model;
            local.error = parsed.error;
            local.comments = parsed.comments;
            break;
        }
        self.locals
            .action_index
            .insert(dir, self.locals.actions.len());
        self.locals.actions.push(local);
    }

    /// The names of the files in `dir` (and laid over it), sorted; an
    /// absent or unreadable folder lists none.
    fn read_folder(&mut self, dir: String) {
        if self.locals.folders.contains_key(&dir) {
            return;
        }
        let names = self.file_names(&dir);
        self.locals.folders.insert(dir, names);
    }

    /// Folder `dir` as a Windows runner finds it, and its file names: each
    /// part of its path is the folder of that name when there is one, else
    /// the only folder whose name differs from it in letter case alone
    /// (ASCII letters); none when there is no such folder, or several.
    fn read_folder_any_case(&mut self, dir: String) {
        if self.locals.any_case_folders.contains_key(&dir) {
            return;
        }
        let mut found = String::new();
        let mut resolved = true;
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            let exact = if found.is_empty() {
                part.to_string()
            } else {
                format!("{found}/{part}")
            };
            if self.is_folder(&exact) {
                found = exact;
                continue;
            }
            let matches: Vec<String> = std::fs::read_dir(self.root.join(&found))
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .take(MAX_FOLDER_ENTRIES)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .filter_map(|e| e.file_name().into_string().ok())
                        .filter(|name| name.eq_ignore_ascii_case(part))
                        .collect()
                })
                .unwrap_or_default();
            match matches.as_slice() {
                [only] if found.is_empty() => found.clone_from(only),
                [only] => found = format!("{found}/{only}"),
                _ => {
                    resolved = false;
                    break;
                }
            }
        }
        let names = if resolved {
            self.file_names(&found)
        } else {
            Vec::new()
        };
        self.locals.any_case_folders.insert(dir, (found, names));
    }

    /// Whether `dir` is a folder of the repository (or of what is laid over it).
    fn is_folder(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.root.join(dir).is_dir() || self.overlay.iter().any(|(p, _)| p.starts_with(&prefix))
    }

    /// The names of the files in `dir` (and laid over it), sorted.
    fn file_names(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(dir))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .take(MAX_FOLDER_ENTRIES)
                    .collect()
            })
            .unwrap_or_default();
        let prefix = format!("{dir}/");
        for (path, _) in self.overlay.iter() {
            if let Some(name) = path.strip_prefix(&prefix)
                && !name.contains('/')
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        }
        names.sort();
        names
    }

    fn read_subfolders(&mut self, dir: String) {
        if self.locals.subfolders.contains_key(&dir) {
            return;
        }
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(&dir))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|name| !name.starts_with('.') && name != "node_modules")
                    .take(MAX_FOLDER_ENTRIES)
                    .collect()
            })
            .unwrap_or_default();
        let prefix = format!("{dir}/");
        for (path, _) in self.overlay.iter() {
            if let Some((name, _)) = path.strip_prefix(&prefix).and_then(|p| p.split_once('/'))
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        }
        names.sort();
        names.truncate(MAX_FOLDER_ENTRIES);
        self.locals.subfolders.insert(dir, names);
    }

    fn read_text(&mut self, path: String) {
        if self.locals.text_index.contains_key(&path) {
            return;
        }
        let mut local = LocalText {
            path: path.clone(),
            file: None,
            problem: None,
        };
        match self.overlay.read(&self.root, &path, MAX_SCRIPT_BYTES) {
            Ok(bytes) if bytes.len() > MAX_SCRIPT_BYTES => {
                local.problem = Some(format!(
                    "larger than the {} KiB read for a script",
                    MAX_SCRIPT_BYTES / 1024
                ));
            }
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    local.file = Some(self.sources.add(SourceFile::new(path.clone(), text)))
                }
                Err(_) => local.problem = Some("not a text file".into()),
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                local.problem = Some(NOT_FOUND.into());
            }
            Err(error) => local.problem = Some(error.to_string()),
        }
        self.locals.text_index.insert(path, self.locals.texts.len());
        self.locals.texts.push(local);
    }

    /// A repository that exists only in memory: one workflow file named
    /// `name` in `.github/workflows/`, the configuration `config` (the text
    /// of a `tplint.toml`) when given, and no git remote. Read through the
    /// same steps as a repository on disk, so tests and fuzzers exercise the
    /// real pipeline without touching the file system.
    pub fn in_memory(name: &str, bytes: Vec<u8>, config: Option<&str>) -> Result<Self, LoadError> {
        let mut sources = SourceMap::default();
        let config = match config {
            Some(text) => config::parse_text("tplint.toml", text.to_string(), &mut sources)?,
            None => Config::default(),
        };
        let path = format!(".github/workflows/{name}");
        let (source, parsed) = parse_workflow(path, name.to_string(), Ok(bytes));
        let workflows = vec![add_workflow(&mut sources, source, parsed)];
        Ok(Self {
            root: PathBuf::new(),
            sources,
            workflows,
            workflow_dir_names: vec![name.to_string()],
            config,
            remote: None,
            manifests: Manifests::default(),
            locals: Locals::default(),
            gitlab: None,
            overlay: Overlay::default(),
        })
    }

    pub fn workflow_named(&self, name: &str) -> Option<&WorkflowFile> {
        self.workflows.iter().find(|w| w.name == name)
    }
}

/// Most local files (actions, scripts, task-runner files) read for one
/// repository: a bound on work, far above what real repositories run.
pub const MAX_LOCAL_FILES: usize = 200;
/// Largest script or task-runner file read (1 MiB).
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// Why a local file named by a step could not be read, when it is absent.
pub const NOT_FOUND: &str = "not found in the repository";

/// A file the workflows make tplint read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// The folder of a local action (`uses: ./path`), relative to the root.
    Action(String),
    /// A script or task-runner file, relative to the root.
    Text(String),
    /// The names of a folder's files (Rake's `rakelib/`), relative to the
    /// root.
    Folder(String),
    /// The names of a folder's folders (the `packages/*` of a Yarn
    /// workspace), relative to the root.
    Subfolders(String),
    /// The names of a folder's files as a Windows runner finds the folder:
    /// each part of the path matched ignoring letter case when no folder
    /// has it in the same letters and exactly one has it in others.
    FolderAnyCase(String),
}

/// Most names listed of one folder.
pub const MAX_FOLDER_ENTRIES: usize = 1_000;

/// A local action: `action.yml` (or `.yaml`) in the folder a step names.
#[derive(Debug)]
pub struct LocalAction {
    /// The folder, relative to the root, without `./` or a trailing `/`.
    pub dir: String,
    /// The metadata file, when one exists.
    pub file: Option<FileId>,
    pub action: Option<Action>,
    /// Why the file could not be read (`TP001`).
    pub error: Option<YamlError>,
    pub comments: Vec<Comment>,
}

/// A script or task-runner file.
#[derive(Debug)]
pub struct LocalText {
    pub path: String,
    /// The text, when it could be read.
    pub file: Option<FileId>,
    /// Why it could not be read.
    pub problem: Option<String>,
}

/// The local files read for a repository, by path.
#[derive(Debug, Default)]
pub struct Locals {
    pub actions: Vec<LocalAction>,
    pub texts: Vec<LocalText>,
    action_index: HashMap<String, usize>,
    text_index: HashMap<String, usize>,
    /// The file names of the folders listed, by folder.
    folders: HashMap<String, Vec<String>>,
    /// The folder names of the folders listed for them, by folder.
    subfolders: HashMap<String, Vec<String>>,
    /// The folders found ignoring letter case, by the path asked for: the
    /// folder's own path and its file names (none when no single folder
    /// matches).
    any_case_folders: HashMap<String, (String, Vec<String>)>,
    /// Whether files can be read at all (an in-memory repository has none).
    on_disk: bool,
}

impl Locals {
    fn on_disk() -> Self {
        Self {
            on_disk: true,
            ..Self::default()
        }
    }

    /// Whether missing files may still be read (false once read, or in memory).
    pub fn can_read(&self) -> bool {
        self.on_disk
    }

    pub fn action(&self, dir: &str) -> Option<&LocalAction> {
        self.action_index.get(dir).map(|&i| &self.actions[i])
    }

    pub fn action_position(&self, dir: &str) -> Option<usize> {
        self.action_index.get(dir).copied()
    }

    pub fn text(&self, path: &str) -> Option<&LocalText> {
        self.text_index.get(path).map(|&i| &self.texts[i])
    }

    /// The file names of folder `dir`, once listed.
    pub fn folder(&self, dir: &str) -> Option<&[String]> {
        self.folders.get(dir).map(Vec::as_slice)
    }

    /// The folder `dir` names on Windows (its path in the repository's
    /// letters) and its file names, once listed ([`Need::FolderAnyCase`]).
    pub fn folder_any_case(&self, dir: &str) -> Option<(&str, &[String])> {
        self.any_case_folders
            .get(dir)
            .map(|(path, names)| (path.as_str(), names.as_slice()))
    }

    /// The folder names of folder `dir`, once listed.
    pub fn subfolders(&self, dir: &str) -> Option<&[String]> {
        self.subfolders.get(dir).map(Vec::as_slice)
    }

    fn total(&self) -> usize {
        self.actions.len()
            + self.texts.len()
            + self.folders.len()
            + self.subfolders.len()
            + self.any_case_folders.len()
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Read and parse workflows in parallel, keeping their order.
fn read_workflows(
    root: &Path,
    paths: &[PathBuf],
    sources: &mut SourceMap,
    overlay: &Overlay,
) -> Vec<WorkflowFile> {
    use rayon::prelude::*;
    let parsed: Vec<(SourceFile, ParsedWorkflow)> = paths
        .par_iter()
        .map(|path| read_workflow(root, path, overlay))
        .collect();
    parsed
        .into_iter()
        .map(|(source, parsed)| add_workflow(sources, source, parsed))
        .collect()
}

fn add_workflow(
    sources: &mut SourceMap,
    source: SourceFile,
    parsed: ParsedWorkflow,
) -> WorkflowFile {
    let file = sources.add(source);
    WorkflowFile {
        file,
        path: sources.get(file).path.clone(),
        name: parsed.name,
        workflow: parsed.workflow,
        error: parsed.error,
        comments: parsed.comments,
    }
}

/// A workflow read before it has a place in the source map.
struct ParsedWorkflow {
    name: String,
    workflow: Option<Workflow>,
    error: Option<YamlError>,
    comments: Vec<Comment>,
}

/// Read and parse one workflow; every failure becomes a located error.
fn read_workflow(root: &Path, path: &Path, overlay: &Overlay) -> (SourceFile, ParsedWorkflow) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let relative = relative(root, path);
    let bytes = match overlay.get(&relative) {
        Some(text) => Ok(text.as_bytes().to_vec()),
        None => read_bounded(path, yaml::MAX_FILE_BYTES),
    };
    parse_workflow(relative, name, bytes)
}

/// Decode and parse one workflow's bytes (or report why they could not be read).
fn parse_workflow(
    relative_path: String,
    name: String,
    bytes: std::io::Result<Vec<u8>>,
) -> (SourceFile, ParsedWorkflow) {
    let (source, parsed) = parse_yaml_file(relative_path, bytes, workflow::build);
    (
        source,
        ParsedWorkflow {
            name,
            workflow: parsed.model,
            error: parsed.error,
            comments: parsed.comments,
        },
    )
}

/// A YAML file read into a model, or the reason it could not be.
struct ParsedYaml<T> {
    model: Option<T>,
    error: Option<YamlError>,
    comments: Vec<Comment>,
}

/// Decode and parse one YAML file's bytes and build its model with `build`;
/// every failure becomes a located error.
fn parse_yaml_file<T>(
    relative_path: String,
    bytes: std::io::Result<Vec<u8>>,
    build: impl FnOnce(&str, &yaml::Document) -> T,
) -> (SourceFile, ParsedYaml<T>) {
    let (text, result) = match bytes {
        Err(e) => (
            String::new(),
            Err(YamlError {
                message: e.to_string(),
                span: Span::empty(0),
            }),
        ),
        Ok(bytes) => match yaml::decode(bytes) {
            Ok(text) => (text, Ok(())),
            Err((error, lossy)) => (lossy, Err(error)),
        },
    };
    let source = SourceFile::new(relative_path, text);
    let parsed =
        match result.and_then(|()| yaml::parse_first(&source.text, yaml::Comments::Suppressions)) {
            Ok(document) => ParsedYaml {
                model: Some(build(&source.text, &document)),
                error: None,
                comments: document.comments,
            },
            Err(error) => ParsedYaml {
                model: None,
                error: Some(error),
                comments: Vec::new(),
            },
        };
    (source, parsed)
}
