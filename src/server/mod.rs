//! The language server (`tplint server`): the same checks as `tplint
//! check`, on the text of the editor's buffers rather than the disk, with
//! the fixes as code actions. Synchronous, on `lsp-server`'s connection
//! (standard input and output, or an in-memory pair in tests).
//!
//! Open workflows, `action.yml` files, configuration files and GitLab
//! pipeline files (`.gitlab-ci.yml` and the files it includes) are laid
//! over their repository as an [`Overlay`]; each repository is checked as
//! a whole, so a change to `tplint.toml` re-checks its open workflows.
//! Changes are checked once typing pauses for [`DEBOUNCE`].

mod actions;
pub mod convert;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use gen_lsp_types as lsp;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::Value;

use crate::config::LoadError;
use crate::diagnostic::Severity;
use crate::lint::{CheckOptions, RepoReport, check_repository};
use crate::overlay::Overlay;
use crate::repository::LoadOptions;
use convert::{Encoding, file_uri, uri_path};

/// How long a pause in typing must last before the buffer is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("language server input or output: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid initialization: {0}")]
    Json(#[from] serde_json::Error),
}

/// Serve on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, threads) = Connection::stdio();
    run(connection)?;
    threads.join()?;
    Ok(())
}

/// What the client may change in its settings (`initializationOptions`, or
/// `workspace/didChangeConfiguration`, either flat or under `tplint`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Ask the GitHub API and the package indexes, as `--online` does.
    pub online: bool,
    /// Let "fix all" apply unsafe fixes too.
    pub unsafe_fixes: bool,
    pub github_api_url: Option<String>,
    pub pypi_url: Option<String>,
    pub testpypi_url: Option<String>,
}

impl Settings {
    fn read(value: &Value) -> Settings {
        let value = value.get("tplint").unwrap_or(value);
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        Settings {
            online: value
                .get("online")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            unsafe_fixes: value
                .get("unsafeFixes")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            github_api_url: text("githubApiUrl"),
            pypi_url: text("pypiUrl"),
            testpypi_url: text("testpypiUrl"),
        }
    }
}

/// An open buffer.
struct Document {
    root: PathBuf,
    /// Relative to `root`, `/`-separated.
    relative: String,
    version: i32,
    text: String,
}

/// Whether tplint reads a file of this name wherever it is: a workflow, a
/// local action's metadata, a configuration file, or a GitLab pipeline's
/// top-level file. (The files a pipeline includes can have any name:
/// [`Server::pipeline_reads`] asks the repository's last check.)
fn is_read(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name else { return false };
    let parent = path
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    let in_workflows = parent.is_some_and(|p| p.ends_with(".github/workflows"));
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    (in_workflows && yaml)
        || name == crate::gitlab::DEFAULT_PIPELINE_PATH
        || matches!(
            name.as_str(),
            "action.yml"
                | "action.yaml"
                | "tplint.toml"
                | "pyproject.toml"
                | "package.json"
                | ".npmrc"
                | "Cargo.toml"
        )
}

/// Whether `relative` is a file of the pipeline or of a child pipeline it
/// starts.
fn reads(pipeline: &crate::gitlab::GitlabPipeline, relative: &str) -> bool {
    pipeline.files.iter().any(|f| f.path == relative)
        || pipeline
            .children
            .iter()
            .any(|(_, child)| reads(child, relative))
}

struct Server {
    connection: Connection,
    encoding: Encoding,
    settings: Settings,
    /// The first workspace folder, for files outside any repository.
    workspace: Option<PathBuf>,
    documents: HashMap<String, Document>,
    /// Repositories to check, with when.
    due: BTreeMap<PathBuf, Instant>,
    /// The last check of each repository, which code actions answer from.
    reports: HashMap<PathBuf, RepoReport>,
    /// URIs with diagnostics published, per repository, to clear later.
    published: HashMap<PathBuf, BTreeSet<String>>,
    /// The GitHub API and the package indexes when `online` is on. Their
    /// answers are kept until the settings change, so typing does not
    /// repeat requests.
    online: Option<(
        Arc<crate::online::GitHub>,
        Arc<crate::online::pypi::Indexes>,
    )>,
}

/// Serve `connection` until the client says `exit`.
pub fn run(connection: Connection) -> Result<(), ServerError> {
    let (id, params) = connection.initialize_start()?;
    let params: lsp::InitializeParams = serde_json::from_value(params)?;
    let encoding = negotiate(&params);
    let settings = params
        .initialization_options
        .as_ref()
        .map(Settings::read)
        .unwrap_or_default();
    let workspace = workspace_root(&params);
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "tplint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server {
        connection,
        encoding,
        settings,
        workspace,
        documents: HashMap::new(),
        due: BTreeMap::new(),
        reports: HashMap::new(),
        published: HashMap::new(),
        online: None,
    };
    server.connect();
    server.serve()
}

/// UTF-8 when the client offers it (no conversion of columns), else the
/// protocol's default, UTF-16.
fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn workspace_root(params: &lsp::InitializeParams) -> Option<PathBuf> {
    let folders = match &params.workspace_folders_initialize_params.workspace_folders {
        Some(lsp::WorkspaceFolders::WorkspaceFolderList(list)) => list.clone(),
        _ => Vec::new(),
    };
    #[allow(deprecated)] // Older clients send only `rootUri`.
    let root_uri = params.root_uri.as_ref();
    folders
        .first()
        .and_then(|f| uri_path(&f.uri))
        .or_else(|| root_uri.and_then(uri_path))
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSync::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::Full),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProvider::CodeActionOptions(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QuickFix,
                    lsp::CodeActionKind::new(actions::FIX_ALL),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProvider::Bool(true)),
        ..Default::default()
    }
}

impl Server {
    fn serve(&mut self) -> Result<(), ServerError> {
        loop {
            let message = match self.due.values().min().copied() {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(()),
                },
            };
            match message {
                None => self.check_due(false),
                Some(Message::Request(request)) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request);
                }
                Some(Message::Notification(notification)) => {
                    if notification.method == "exit" {
                        return Ok(());
                    }
                    self.notification(notification);
                }
                Some(Message::Response(_)) => {}
            }
        }
    }

    fn send(&self, message: impl Into<Message>) {
        // The client has gone when this fails; the loop ends on the next read.
        let _ = self.connection.sender.send(message.into());
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let response = match request.method.as_str() {
            "textDocument/codeAction" => {
                match serde_json::from_value::<lsp::CodeActionParams>(request.params) {
                    Ok(params) => {
                        let actions = self.code_actions(&params);
                        Response::new_ok(id, actions)
                    }
                    Err(error) => invalid(id, &error),
                }
            }
            "textDocument/hover" => {
                match serde_json::from_value::<lsp::HoverParams>(request.params) {
                    Ok(params) => Response::new_ok(id, self.hover(&params)),
                    Err(error) => invalid(id, &error),
                }
            }
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("tplint does not answer `{method}`"),
            ),
        };
        self.send(response);
    }

    fn notification(&mut self, notification: Notification) {
        let params = notification.params;
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(params) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(params)
                {
                    let item = params.text_document;
                    if let Some(root) = self.open(&item.uri, item.version, item.text) {
                        self.check(&root);
                    }
                }
            }
            "textDocument/didChange" => {
                if let Ok(params) =
                    serde_json::from_value::<lsp::DidChangeTextDocumentParams>(params)
                {
                    self.change(params);
                }
            }
            "textDocument/didClose" => {
                if let Ok(params) =
                    serde_json::from_value::<lsp::DidCloseTextDocumentParams>(params)
                    && let Some(document) = self.documents.remove(&params.text_document.uri.0)
                {
                    // The file on disk is what counts again.
                    self.due.insert(document.root, Instant::now());
                }
            }
            "workspace/didChangeConfiguration" => {
                if let Ok(params) =
                    serde_json::from_value::<lsp::DidChangeConfigurationParams>(params)
                {
                    let settings = Settings::read(&params.settings);
                    if settings != self.settings {
                        self.settings = settings;
                        self.connect();
                        let now = Instant::now();
                        for root in self.reports.keys().cloned().collect::<Vec<_>>() {
                            self.due.insert(root, now);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Keep an opened buffer, if it is a file tplint reads; its repository.
    fn open(&mut self, uri: &lsp::Uri, version: i32, text: String) -> Option<PathBuf> {
        let path = uri_path(uri)?;
        let (root, relative) = self.locate(&path);
        if !is_read(&path) && !self.pipeline_reads(&root, &relative) {
            return None;
        }
        self.documents.insert(
            uri.0.clone(),
            Document {
                root: root.clone(),
                relative,
                version,
                text,
            },
        );
        Some(root)
    }

    /// Whether the repository's GitLab pipeline reads the YAML file
    /// `relative`: a local include, a child pipeline's file, or the
    /// pipeline at a path the configuration names. The repository's last
    /// check says; before its first, the repository is loaded (not
    /// checked) to find out.
    fn pipeline_reads(&self, root: &Path, relative: &str) -> bool {
        if !(relative.ends_with(".yml") || relative.ends_with(".yaml")) {
            return false;
        }
        if let Some(report) = self.reports.get(root) {
            return report
                .repo
                .gitlab
                .as_ref()
                .is_some_and(|pipeline| reads(pipeline, relative));
        }
        let options = LoadOptions {
            overlay: self.overlay(root),
            ..LoadOptions::default()
        };
        crate::repository::Repository::load(root, &options).is_ok_and(|repo| {
            repo.gitlab
                .as_ref()
                .is_some_and(|pipeline| reads(pipeline, relative))
        })
    }

    fn change(&mut self, params: lsp::DidChangeTextDocumentParams) {
        let uri = &params.text_document.text_document_identifier.uri.0;
        let encoding = self.encoding;
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        for change in params.content_changes {
            match change {
                lsp::TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(
                    whole,
                ) => document.text = whole.text,
                lsp::TextDocumentContentChangeEvent::TextDocumentContentChangePartial(part) => {
                    let start = convert::offset(&document.text, part.range.start, encoding);
                    let end = convert::offset(&document.text, part.range.end, encoding);
                    if start <= end {
                        document.text.replace_range(start..end, &part.text);
                    }
                }
            }
        }
        document.version = params.text_document.version;
        self.due
            .insert(document.root.clone(), Instant::now() + DEBOUNCE);
    }

    /// The repository a file belongs to, and its path there: the folder
    /// above `.github`, else the nearest folder above with `.git` or
    /// `.github`, else the workspace, else the file's folder.
    fn locate(&self, path: &Path) -> (PathBuf, String) {
        let root = path
            .ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == ".github"))
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| {
                path.ancestors()
                    .skip(1)
                    .find(|a| a.join(".git").exists() || a.join(".github").is_dir())
                    .map(Path::to_path_buf)
            })
            .or_else(|| {
                self.workspace
                    .clone()
                    .filter(|workspace| path.starts_with(workspace))
            })
            .unwrap_or_else(|| path.parent().unwrap_or(Path::new("/")).to_path_buf());
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        (root, relative)
    }

    /// Connect to the GitHub API and the indexes when `online` is on.
    fn connect(&mut self) {
        self.online = None;
        if !self.settings.online {
            return;
        }
        let settings = &self.settings;
        let url = |key: &str, value: &Option<String>, default: &'static str| {
            crate::online::api_base(key, value.as_deref().unwrap_or(default)).map(str::to_string)
        };
        let urls = (
            url(
                "githubApiUrl",
                &settings.github_api_url,
                crate::online::DEFAULT_API_URL,
            ),
            url(
                "pypiUrl",
                &settings.pypi_url,
                crate::online::pypi::DEFAULT_PYPI_URL,
            ),
            url(
                "testpypiUrl",
                &settings.testpypi_url,
                crate::online::pypi::DEFAULT_TESTPYPI_URL,
            ),
        );
        let (github, pypi, testpypi) = match urls {
            (Ok(github), Ok(pypi), Ok(testpypi)) => (github, pypi, testpypi),
            (Err(problem), _, _) | (_, Err(problem), _) | (_, _, Err(problem)) => {
                let params = serde_json::json!({
                    "type": 1,
                    "message": format!("tplint stays offline: {problem}"),
                });
                self.send(Notification::new("window/showMessage".into(), params));
                return;
            }
        };
        self.online = Some((
            Arc::new(crate::online::connect(
                &github,
                crate::online::client::Token::from_env(),
            )),
            Arc::new(crate::online::pypi::Indexes::connect(&pypi, &testpypi)),
        ));
    }

    /// The URI of a file of a repository: the client's own spelling when
    /// the file is open (clients differ in what they percent-encode).
    fn uri_of(&self, root: &Path, relative: &str) -> lsp::Uri {
        self.documents
            .iter()
            .find(|(_, d)| d.root == root && d.relative == relative)
            .map(|(uri, _)| lsp::Uri(uri.clone()))
            .unwrap_or_else(|| file_uri(&root.join(relative)))
    }

    /// The open buffers of a repository.
    fn overlay(&self, root: &Path) -> Overlay {
        let mut overlay = Overlay::default();
        for document in self.documents.values() {
            if document.root == root {
                overlay.insert(document.relative.clone(), document.text.clone());
            }
        }
        overlay
    }

    fn options(&self, overlay: Overlay) -> CheckOptions {
        let mut options = CheckOptions {
            load: LoadOptions {
                overlay,
                ..LoadOptions::default()
            },
            ..CheckOptions::default()
        };
        if let Some((github, indexes)) = &self.online {
            options.online = Some(Arc::clone(github));
            options.indexes = Some(Arc::clone(indexes));
            options.resolve_pins = true;
        }
        options
    }

    /// Check the repositories whose time has come (all pending ones when
    /// `all`, before answering a request about their text).
    fn check_due(&mut self, all: bool) {
        let now = Instant::now();
        let ready: Vec<PathBuf> = self
            .due
            .iter()
            .filter(|(_, when)| all || **when <= now)
            .map(|(root, _)| root.clone())
            .collect();
        for root in ready {
            self.check(&root);
        }
    }

    /// Check one repository and publish its diagnostics.
    fn check(&mut self, root: &Path) {
        self.due.remove(root);
        let options = self.options(self.overlay(root));
        let mut by_uri: BTreeMap<String, Vec<lsp::Diagnostic>> = BTreeMap::new();
        // A defect in a rule must not take the editor's server down with it.
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_repository(root, String::new(), &options)
        }));
        let checked = match checked {
            Ok(checked) => checked,
            Err(_) => {
                let params = serde_json::json!({
                    "type": 1,
                    "message": format!("tplint failed while checking {}; please report this", root.display()),
                });
                self.send(Notification::new("window/showMessage".into(), params));
                return;
            }
        };
        match checked {
            Ok(report) => {
                for diagnostic in &report.diagnostics {
                    let file = report.repo.sources.get(diagnostic.location.file);
                    if file.path.starts_with('<') {
                        continue;
                    }
                    let uri = self.uri_of(root, &file.path);
                    by_uri
                        .entry(uri.0)
                        .or_default()
                        .push(self.diagnostic(&report, diagnostic));
                }
                self.reports.insert(root.to_path_buf(), report);
            }
            Err(error) => {
                self.reports.remove(root);
                if let Some((uri, diagnostic)) = self.load_error(root, &error) {
                    by_uri.entry(uri).or_default().push(diagnostic);
                }
            }
        }
        // Every open buffer of the repository hears the result, even "none".
        for (uri, document) in &self.documents {
            if document.root == root {
                by_uri.entry(uri.clone()).or_default();
            }
        }
        let before = self.published.remove(root).unwrap_or_default();
        for uri in before.iter().filter(|uri| !by_uri.contains_key(*uri)) {
            self.publish(uri, Vec::new());
        }
        let now: BTreeSet<String> = by_uri.keys().cloned().collect();
        for (uri, diagnostics) in by_uri {
            self.publish(&uri, diagnostics);
        }
        self.published.insert(root.to_path_buf(), now);
    }

    fn publish(&self, uri: &str, diagnostics: Vec<lsp::Diagnostic>) {
        let params = lsp::PublishDiagnosticsParams {
            uri: lsp::Uri(uri.to_string()),
            version: self.documents.get(uri).map(|d| d.version),
            diagnostics,
        };
        self.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    /// The diagnostic as the protocol has it.
    fn diagnostic(
        &self,
        report: &RepoReport,
        diagnostic: &crate::diagnostic::Diagnostic,
    ) -> lsp::Diagnostic {
        let file = report.repo.sources.get(diagnostic.location.file);
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
            .related
            .iter()
            .filter_map(|related| {
                let other = report.repo.sources.get(related.location.file);
                (!other.path.starts_with('<')).then(|| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location {
                        uri: self.uri_of(&report.repo.root, &other.path),
                        range: convert::range(&other.text, related.location.span, self.encoding),
                    },
                    message: related.message.clone(),
                })
            })
            .collect();
        lsp::Diagnostic {
            range: convert::range(&file.text, diagnostic.location.span, self.encoding),
            severity: Some(match diagnostic.severity {
                Severity::Error => lsp::DiagnosticSeverity::Error,
                Severity::Warning => lsp::DiagnosticSeverity::Warning,
                Severity::Info => lsp::DiagnosticSeverity::Information,
            }),
            code: Some(lsp::Code::String(diagnostic.rule.code.into())),
            code_description: Some(lsp::CodeDescription {
                href: lsp::Uri(diagnostic.rule.doc_url()),
            }),
            source: Some("tplint".into()),
            message: lsp::Message::String(message),
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }

    /// A configuration that cannot be read, as a diagnostic on its file.
    fn load_error(&self, root: &Path, error: &LoadError) -> Option<(String, lsp::Diagnostic)> {
        let LoadError::Config(error) = error else {
            return None;
        };
        let name = error.source_code.name().to_string();
        let text = error.source_code.inner();
        let span = error.span.map_or(crate::source::Span::empty(0), |s| {
            crate::source::Span::new(s.offset(), s.offset() + s.len())
        });
        let mut message = error.message.clone();
        if let Some(help) = &error.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let diagnostic = lsp::Diagnostic {
            range: convert::range(text, span, self.encoding),
            severity: Some(lsp::DiagnosticSeverity::Error),
            source: Some("tplint".into()),
            message: lsp::Message::String(message),
            ..Default::default()
        };
        Some((self.uri_of(root, &name).0, diagnostic))
    }

    fn hover(&self, params: &lsp::HoverParams) -> Option<lsp::Hover> {
        let position = &params.text_document_position_params;
        let uri = &position.text_document.uri;
        let text = match self.documents.get(&uri.0) {
            Some(document) => document.text.clone(),
            None => std::fs::read_to_string(uri_path(uri)?).ok()?,
        };
        let offset = convert::offset(&text, position.position, self.encoding);
        let (rule, span) = crate::suppress::rule_at(&text, offset)?;
        Some(lsp::Hover {
            contents: lsp::Contents::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: format!(
                    "**{} {}** ({})\n\n{}\n\n[Documentation]({})",
                    rule.code,
                    rule.name,
                    rule.severity,
                    rule.summary,
                    rule.doc_url()
                ),
            }),
            range: Some(convert::range(&text, span, self.encoding)),
        })
    }
}

fn invalid(id: lsp_server::RequestId, error: &serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string())
}
