//! Everything read from one repository: its workflows (parsed, or the
//! reason they could not be), its configuration and its git remote.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::config::{self, Config, LoadError, PublisherFlags};
use crate::discover;
use crate::git::{self, Remote};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::workflow::{self, Workflow};
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
}

/// What to read besides the repository itself.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub config: Option<PathBuf>,
    pub publisher: PublisherFlags,
}

impl Repository {
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Self, LoadError> {
        let mut sources = SourceMap::default();
        let config = config::load(
            root,
            options.config.as_deref(),
            &options.publisher,
            &mut sources,
        )?;
        let workflows = read_workflows(root, &discover::workflow_files(root), &mut sources);
        Ok(Self {
            root: root.to_path_buf(),
            workflow_dir_names: discover::workflow_dir_names(root),
            remote: git::origin(root),
            sources,
            workflows,
            config,
        })
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
        })
    }

    pub fn workflow_named(&self, name: &str) -> Option<&WorkflowFile> {
        self.workflows.iter().find(|w| w.name == name)
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

/// Read at most one byte more than a workflow may have. What the entry is
/// is checked first: opening a FIFO would block until a writer comes.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    let metadata = std::fs::metadata(path).map_err(|error| {
        if error.kind() == ErrorKind::NotFound && path.symlink_metadata().is_ok() {
            Error::new(ErrorKind::NotFound, "broken symbolic link")
        } else {
            error
        }
    })?;
    if !metadata.is_file() {
        return Err(Error::other(
            "not a regular file (a FIFO, socket or device)",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(yaml::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Read and parse workflows in parallel, keeping their order.
fn read_workflows(root: &Path, paths: &[PathBuf], sources: &mut SourceMap) -> Vec<WorkflowFile> {
    use rayon::prelude::*;
    let parsed: Vec<(SourceFile, ParsedWorkflow)> = paths
        .par_iter()
        .map(|path| read_workflow(root, path))
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
fn read_workflow(root: &Path, path: &Path) -> (SourceFile, ParsedWorkflow) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_workflow(relative(root, path), name, read_limited(path))
}

/// Decode and parse one workflow's bytes (or report why they could not be read).
fn parse_workflow(
    relative_path: String,
    name: String,
    bytes: std::io::Result<Vec<u8>>,
) -> (SourceFile, ParsedWorkflow) {
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
    let parsed = match result.and_then(|()| yaml::parse(&source.text)) {
        Ok(document) => ParsedWorkflow {
            name,
            workflow: Some(workflow::build(&source.text, &document)),
            error: None,
            comments: document.comments,
        },
        Err(error) => ParsedWorkflow {
            name,
            workflow: None,
            error: Some(error),
            comments: Vec::new(),
        },
    };
    (source, parsed)
}
