//! Configuration: the trusted publishers the maintainers registered with
//! each registry (GitHub and GitLab publishers), and lint settings. Read
//! from `--config`, `tplint.toml`, `.github/tplint.toml` or `[tool.tplint]`
//! in `pyproject.toml` (first found wins), or from the publisher flags of
//! the command line. Every value keeps its span so errors and diagnostics
//! can point into the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::catalogue;
use crate::diagnostic::Severity;
use crate::registry::Registry;
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// A field of a publisher with where it was written.
#[derive(Clone, Debug)]
pub struct Field {
    pub value: String,
    pub span: Span,
}

/// Where a publisher comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// `tplint.toml`, `pyproject.toml` or the command line.
    #[default]
    Declared,
    /// The index's record of the latest release (`--online`), standing in
    /// for the publisher of an index with none declared.
    Recorded(RecordSource),
}

/// The release whose provenance named a recorded publisher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSource {
    pub project: String,
    pub version: String,
    /// The file whose provenance names it.
    pub filename: String,
}

/// The CI system a publisher trusts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Platform {
    #[default]
    Github,
    Gitlab,
}

impl Platform {
    pub fn key(self) -> &'static str {
        match self {
            Platform::Github => "github",
            Platform::Gitlab => "gitlab",
        }
    }
}

/// One trusted publisher as registered on a registry.
#[derive(Clone, Debug)]
pub struct Publisher {
    /// The file it was declared in (a config file or `<command line>`).
    pub file: FileId,
    /// The `[[publisher]]` header or first flag.
    pub span: Span,
    /// The registry as written (`registry =` or `index =`); `index_kind`
    /// is `None` when it names no known registry (TP102).
    pub index: Option<Field>,
    pub index_kind: Option<Registry>,
    pub platform: Platform,
    /// The package: `package =`, or `project =` (PyPI's spelling).
    pub project: Option<Field>,
    /// The GitHub owner, or the GitLab namespace.
    pub owner: Field,
    /// The GitHub repository, or the GitLab project.
    pub repository: Field,
    /// The workflow file name, or GitLab's top-level pipeline file path.
    /// Empty, at the publisher's header, for pub.dev and JSR publishers
    /// that rightly give none.
    pub workflow: Field,
    /// pub.dev: the tag pattern, with `{{version}}` for the version.
    pub tag_pattern: Option<Field>,
    pub environment: Option<Field>,
    /// RubyGems: the repository of a reusable workflow in another repository.
    pub workflow_repository: Option<(Field, Field)>,
    /// NuGet: the nuget.org profile name `NuGet/login` is given.
    pub user: Option<Field>,
    /// GitLab: the instance's issuer URL (`https://gitlab.com` when absent).
    pub issuer: Option<Field>,
    /// NuGet.org's GitLab policies: the branch the token's `ref` must name
    /// (`ref =`; blank is none, as NuGet.org saves it).
    pub git_ref: Option<Field>,
    pub origin: Origin,
}

impl Publisher {
    pub fn index(&self) -> Registry {
        self.index_kind.unwrap_or(Registry::Pypi)
    }
}

/// The lowest severity that makes the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    /// Rule codes not run.
    pub ignore: Vec<&'static str>,
    pub fail_on: Option<FailOn>,
    pub severity: Vec<(&'static str, Severity)>,
}

/// Everything the configuration says.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from, when there is one.
    pub file: Option<FileId>,
    pub publishers: Vec<Publisher>,
    pub lint: LintSettings,
    /// `[project].name` from `pyproject.toml`, when there is one.
    pub project_name: Option<String>,
}

/// A configuration error, rendered with the config file's source.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(tplint::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub source_code: miette::NamedSource<String>,
    #[label("{label}")]
    pub span: Option<miette::SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

/// Errors that stop the run with exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(tplint::io))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    #[diagnostic(code(tplint::usage))]
    Usage(String),
}

// ---------------------------------------------------------------------------
// Raw TOML shapes. `deny_unknown_fields` makes typos errors.

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    publisher: Vec<Spanned<RawPublisher>>,
    #[serde(default)]
    lint: Option<RawLint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPublisher {
    registry: Option<Spanned<String>>,
    index: Option<Spanned<String>>,
    platform: Option<Spanned<String>>,
    project: Option<Spanned<String>>,
    package: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    namespace: Option<Spanned<String>>,
    repository: Spanned<String>,
    workflow: Option<Spanned<String>>,
    environment: Option<Spanned<String>>,
    tag_pattern: Option<Spanned<String>>,
    workflow_repository_owner: Option<Spanned<String>>,
    workflow_repository_name: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    issuer: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    git_ref: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLint {
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    severity: toml::Table,
}

#[derive(Deserialize)]
struct RawPyproject {
    project: Option<RawProject>,
    tool: Option<RawTool>,
}

#[derive(Deserialize)]
struct RawProject {
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawTool {
    tplint: Option<RawConfig>,
}

/// One `[[publisher]]` table, with located errors for keys that do not
/// belong together.
fn read_publisher(
    raw: RawPublisher,
    span: Span,
    file_id: FileId,
    file: &SourceFile,
) -> Result<Publisher, LoadError> {
    let error = |at: &Spanned<String>, message: String, help: &str| {
        config_error(
            file,
            Some(Span::new(at.span().start, at.span().end)),
            message,
            "here",
            Some(help.to_string()),
        )
    };
    let platform = match &raw.platform {
        None => Platform::Github,
        Some(p) => match p.get_ref().to_ascii_lowercase().as_str() {
            "github" => Platform::Github,
            "gitlab" => Platform::Gitlab,
            other => {
                return Err(error(
                    p,
                    format!("unknown platform `{other}`"),
                    "use \"github\" (the default) or \"gitlab\"",
                ));
            }
        },
    };
    let index = match (&raw.registry, &raw.index) {
        (Some(_), Some(index)) => {
            return Err(error(
                index,
                "`index` and `registry` both given".into(),
                "keep `registry`; `index` is its older name for PyPI and TestPyPI",
            ));
        }
        (Some(registry), None) => Some(registry),
        (None, Some(index)) => {
            if Registry::parse(index.get_ref()).is_some_and(|r| !r.is_pypi()) {
                return Err(error(
                    index,
                    format!("`index` names PyPI or TestPyPI, not `{}`", index.get_ref()),
                    &format!("write `registry = \"{}\"`", index.get_ref()),
                ));
            }
            Some(index)
        }
        (None, None) => None,
    };
    let index = index.map(field);
    let index_kind = match &index {
        None => Some(Registry::Pypi),
        Some(f) => Registry::parse(&f.value),
    };
    let project = match (&raw.project, &raw.package) {
        (Some(_), Some(package)) => {
            return Err(error(
                package,
                "`project` and `package` both given".into(),
                "keep one: `package` names the package on any registry, `project` is PyPI's word for it",
            ));
        }
        (project, package) => project.as_ref().or(package.as_ref()).map(field),
    };
    let owner = match (platform, &raw.owner, &raw.namespace) {
        (Platform::Github, Some(owner), None) => field(owner),
        (Platform::Gitlab, None, Some(namespace)) => field(namespace),
        (Platform::Github, _, Some(namespace)) => {
            return Err(error(
                namespace,
                "`namespace` is a GitLab field".into(),
                "GitHub publishers name the `owner`; set `platform = \"gitlab\"` for a GitLab project",
            ));
        }
        (Platform::Gitlab, Some(owner), _) => {
            return Err(error(
                owner,
                "GitLab publishers name a `namespace`, not an `owner`".into(),
                "rename the key to `namespace` (the user, group or subgroup path)",
            ));
        }
        (platform, None, None) => {
            let key = if platform == Platform::Gitlab {
                "namespace"
            } else {
                "owner"
            };
            return Err(config_error(
                file,
                Some(span),
                format!("publisher without `{key}`"),
                "this publisher",
                Some(format!("add `{key} = \"...\"`")),
            ));
        }
    };
    if platform == Platform::Github
        && let Some(issuer) = &raw.issuer
    {
        return Err(error(
            issuer,
            "`issuer` is a GitLab field".into(),
            "GitHub publishers have one issuer; remove the key, or set `platform = \"gitlab\"`",
        ));
    }
    if platform == Platform::Gitlab
        && let Some(registry) = &raw.registry
        && index_kind.is_some_and(|r| r.gitlab().is_none())
    {
        return Err(error(
            registry,
            format!(
                "tplint checks GitLab publishers for PyPI, TestPyPI, crates.io, npm and NuGet.org only, not `{}`",
                registry.get_ref()
            ),
            "use registry = \"pypi\", \"testpypi\", \"crates.io\", \"npm\" or \"nuget\"",
        ));
    }
    let workflow_repository = match (
        &raw.workflow_repository_owner,
        &raw.workflow_repository_name,
    ) {
        (None, None) => None,
        (Some(owner), Some(name)) => Some((field(owner), field(name))),
        (Some(given), None) | (None, Some(given)) => {
            return Err(error(
                given,
                "`workflow-repository-owner` and `workflow-repository-name` go together".into(),
                "give both (the repository holding the reusable workflow), or neither",
            ));
        }
    };
    if let Some(given) = raw
        .workflow_repository_owner
        .as_ref()
        .filter(|_| index_kind != Some(Registry::RubyGems))
    {
        return Err(error(
            given,
            "`workflow-repository-owner` and `workflow-repository-name` are RubyGems.org fields"
                .into(),
            "other registries do not register a reusable workflow's repository; remove them",
        ));
    }
    if let Some(user) = raw
        .user
        .as_ref()
        .filter(|_| index_kind != Some(Registry::NuGet))
    {
        return Err(error(
            user,
            "`user` is a NuGet.org field".into(),
            "it names the nuget.org profile `NuGet/login` logs in as; remove it for other registries",
        ));
    }
    if let Some(git_ref) = raw
        .git_ref
        .as_ref()
        .filter(|_| index_kind != Some(Registry::NuGet) || platform != Platform::Gitlab)
    {
        return Err(error(
            git_ref,
            "`ref` is a field of NuGet.org's GitLab policies".into(),
            "only NuGet.org's GitLab form registers a ref (a branch); remove it for other publishers",
        ));
    }
    if let Some(pattern) = raw
        .tag_pattern
        .as_ref()
        .filter(|_| index_kind != Some(Registry::PubDev))
    {
        return Err(error(
            pattern,
            "`tag-pattern` is a pub.dev field".into(),
            "only pub.dev registers a tag pattern; remove it for other registries",
        ));
    }
    // pub.dev and JSR register no workflow file, nor NuGet.org's GitLab
    // policies a pipeline file (TP102 says so when one is given); the
    // others need one.
    let workflow = match &raw.workflow {
        Some(workflow) => field(workflow),
        None if index_kind.is_some_and(|r| {
            !r.matches_workflow() || (platform == Platform::Gitlab && !r.gitlab_names_pipeline())
        }) =>
        {
            Field {
                value: String::new(),
                span,
            }
        }
        None => {
            return Err(config_error(
                file,
                Some(span),
                "publisher without `workflow`",
                "this publisher",
                Some(
                    "add `workflow = \"...\"` (the workflow file name, e.g. `release.yml`)".into(),
                ),
            ));
        }
    };
    Ok(Publisher {
        file: file_id,
        span,
        index_kind,
        index,
        platform,
        project,
        owner,
        repository: field(&raw.repository),
        workflow,
        tag_pattern: raw.tag_pattern.as_ref().map(field),
        environment: raw.environment.as_ref().map(field),
        workflow_repository,
        user: raw.user.as_ref().map(field),
        issuer: raw.issuer.as_ref().map(field),
        git_ref: raw
            .git_ref
            .as_ref()
            .filter(|r| !r.get_ref().trim().is_empty())
            .map(field),
        origin: Origin::Declared,
    })
}

/// Publisher values given with `--owner`, `--repository`, ...
#[derive(Clone, Debug, Default)]
pub struct PublisherFlags {
    pub owner: Option<String>,
    pub repository: Option<String>,
    pub workflow: Option<String>,
    pub environment: Option<String>,
    /// `--tag-pattern` (pub.dev).
    pub tag_pattern: Option<String>,
    /// `--registry` (or its older name `--index`).
    pub index: Option<String>,
    pub package: Option<String>,
}

impl PublisherFlags {
    pub fn is_empty(&self) -> bool {
        self.owner.is_none()
            && self.repository.is_none()
            && self.workflow.is_none()
            && self.environment.is_none()
            && self.tag_pattern.is_none()
            && self.index.is_none()
            && self.package.is_none()
    }
}

fn field(spanned: &Spanned<String>) -> Field {
    Field {
        value: spanned.get_ref().clone(),
        span: Span::new(spanned.span().start, spanned.span().end),
    }
}

fn config_error(
    file: &SourceFile,
    span: Option<Span>,
    message: impl Into<String>,
    label: impl Into<String>,
    help: Option<String>,
) -> LoadError {
    LoadError::Config(Box::new(ConfigError {
        message: message.into(),
        source_code: miette::NamedSource::new(file.path.clone(), file.text.to_string()),
        span: span.map(|s| (s.start, s.len()).into()),
        label: label.into(),
        help,
    }))
}

/// Find and read the configuration of the repository at `root`.
pub fn load(
    root: &Path,
    explicit: Option<&Path>,
    flags: &PublisherFlags,
    sources: &mut SourceMap,
    overlay: &crate::overlay::Overlay,
) -> Result<Config, LoadError> {
    let candidates: Vec<(PathBuf, String)> = match explicit {
        Some(path) => vec![(path.to_path_buf(), path.display().to_string())],
        None => vec![
            (root.join("tplint.toml"), "tplint.toml".into()),
            (
                root.join(".github/tplint.toml"),
                ".github/tplint.toml".into(),
            ),
            (root.join("pyproject.toml"), "pyproject.toml".into()),
        ],
    };
    let mut config = Config::default();
    // The `[project] name` of a `pyproject.toml` read below that is not a
    // configuration, so that the file is not parsed twice.
    let mut pyproject_name: Option<Option<String>> = None;
    for (path, display) in candidates {
        let laid_over = overlay.get(&display).filter(|_| explicit.is_none());
        let read = match laid_over {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => std::fs::read(&path),
        };
        let text = match read {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| LoadError::Io {
                path: display.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not valid UTF-8"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => continue,
            Err(source) => {
                return Err(LoadError::Io {
                    path: display,
                    source,
                });
            }
        };
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        // A pyproject.toml without [tool.tplint] is not a config, unless it
        // was named with --config.
        match parse_file(display, text, is_pyproject, explicit.is_some(), sources)? {
            ConfigFile::Config(found) => {
                config = found;
                break;
            }
            ConfigFile::Pyproject { project_name } => pyproject_name = Some(project_name),
        }
    }
    if config.project_name.is_none() {
        config.project_name = match (pyproject_name, overlay.get("pyproject.toml")) {
            (Some(name), _) => name,
            (None, Some(text)) => project_name(text),
            (None, None) => std::fs::read_to_string(root.join("pyproject.toml"))
                .ok()
                .and_then(|text| project_name(&text)),
        };
    }
    if !flags.is_empty() {
        config.publishers = vec![flag_publisher(flags, sources)?];
    }
    Ok(config)
}

/// Read configuration text held in memory as the file `path`: a
/// `pyproject.toml` (by its file name) reads `[tool.tplint]`, anything else
/// is read as a `tplint.toml`. Errors are the same located errors as [`load`]'s.
pub fn parse_text(
    path: impl Into<String>,
    text: String,
    sources: &mut SourceMap,
) -> Result<Config, LoadError> {
    let path = path.into();
    let is_pyproject = Path::new(&path)
        .file_name()
        .is_some_and(|n| n == "pyproject.toml");
    match parse_file(path, text, is_pyproject, true, sources)? {
        ConfigFile::Config(config) => Ok(config),
        ConfigFile::Pyproject { .. } => Ok(Config::default()),
    }
}

/// What one config file holds.
enum ConfigFile {
    Config(Config),
    /// A `pyproject.toml` without `[tool.tplint]`, not required to be a
    /// configuration: only its `[project] name`.
    Pyproject {
        project_name: Option<String>,
    },
}

/// Read one config file's text. A `pyproject.toml` without
/// `[tool.tplint]` is not a configuration unless `required`.
fn parse_file(
    display: String,
    text: String,
    is_pyproject: bool,
    required: bool,
    sources: &mut SourceMap,
) -> Result<ConfigFile, LoadError> {
    let mut config = Config::default();
    let file_id = sources.add(SourceFile::new(display, text));
    let file = sources.get(file_id);
    let raw = if is_pyproject {
        let raw: RawPyproject = toml::from_str(&file.text).map_err(|e| toml_error(file, &e))?;
        config.project_name = raw.project.and_then(|p| p.name);
        match raw.tool.and_then(|t| t.tplint) {
            Some(raw) => raw,
            None if !required => {
                return Ok(ConfigFile::Pyproject {
                    project_name: config.project_name,
                });
            }
            None => RawConfig::default(),
        }
    } else {
        toml::from_str(&file.text).map_err(|e| toml_error(file, &e))?
    };
    read_raw(raw, file_id, file, &mut config)?;
    config.file = Some(file_id);
    Ok(ConfigFile::Config(config))
}

fn project_name(text: &str) -> Option<String> {
    let raw: RawPyproject = toml::from_str(text).ok()?;
    raw.project?.name
}

fn toml_error(file: &SourceFile, error: &toml::de::Error) -> LoadError {
    let span = error.span().map(|r| Span::new(r.start, r.end));
    let message = error.message().trim().to_string();
    let help = message
        .contains("unknown field")
        .then(|| "see the Configuration section of the README for the accepted keys".to_string());
    config_error(
        file,
        span,
        format!("invalid configuration in {}: {message}", file.path),
        "here",
        help,
    )
}

fn read_raw(
    raw: RawConfig,
    file_id: FileId,
    file: &SourceFile,
    config: &mut Config,
) -> Result<(), LoadError> {
    for spanned in raw.publisher {
        let span = Span::new(spanned.span().start, spanned.span().end);
        config
            .publishers
            .push(read_publisher(spanned.into_inner(), span, file_id, file)?);
    }
    if let Some(lint) = raw.lint {
        for code in &lint.ignore {
            let rule = catalogue::lookup(code.get_ref()).ok_or_else(|| {
                unknown_rule(
                    file,
                    Some(Span::new(code.span().start, code.span().end)),
                    code.get_ref(),
                )
            })?;
            config.lint.ignore.push(rule.code);
        }
        config.lint.fail_on = lint.fail_on;
        for (key, value) in &lint.severity {
            let key_span = find_key_span(&file.text, key);
            let rule = catalogue::lookup(key).ok_or_else(|| unknown_rule(file, key_span, key))?;
            let severity = value
                .as_str()
                .and_then(|s| match s {
                    "error" => Some(Severity::Error),
                    "warning" => Some(Severity::Warning),
                    "info" => Some(Severity::Info),
                    _ => None,
                })
                .ok_or_else(|| {
                    config_error(
                        file,
                        key_span,
                        format!("invalid severity for {key}: {value}"),
                        "expected \"error\", \"warning\" or \"info\"",
                        None,
                    )
                })?;
            config.lint.severity.push((rule.code, severity));
        }
    }
    Ok(())
}

/// `toml::Table` keeps no spans; find a `[lint.severity]` key in the text.
fn find_key_span(text: &str, key: &str) -> Option<Span> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for candidate in [key.to_string(), format!("\"{key}\"")] {
            if trimmed.starts_with(&candidate)
                && trimmed[candidate.len()..].trim_start().starts_with('=')
            {
                return Some(Span::new(
                    offset + indent,
                    offset + indent + candidate.len(),
                ));
            }
        }
        offset += line.len();
    }
    None
}

fn unknown_rule(file: &SourceFile, span: Option<Span>, code: &str) -> LoadError {
    config_error(
        file,
        span,
        format!("unknown rule `{code}` in {}", file.path),
        "no rule has this code or name",
        Some("`tplint rules` lists every rule".into()),
    )
}

/// The pseudo file `<command line>` holds the flags so diagnostics can point at them.
fn flag_publisher(flags: &PublisherFlags, sources: &mut SourceMap) -> Result<Publisher, LoadError> {
    let registry = flags.index.as_deref().and_then(Registry::parse);
    // pub.dev and JSR register no workflow file.
    let needs_workflow = registry.is_none_or(Registry::matches_workflow);
    let missing: Vec<&str> = [
        ("--owner", &flags.owner, true),
        ("--repository", &flags.repository, true),
        ("--workflow", &flags.workflow, needs_workflow),
        (
            "--tag-pattern",
            &flags.tag_pattern,
            registry == Some(Registry::PubDev),
        ),
    ]
    .iter()
    .filter(|(_, value, needed)| *needed && value.is_none())
    .map(|(flag, _, _)| *flag)
    .collect();
    if flags.tag_pattern.is_some() && registry != Some(Registry::PubDev) {
        return Err(LoadError::Usage(
            "`--tag-pattern` is for pub.dev publishers (`--registry pub.dev`)".into(),
        ));
    }
    if !missing.is_empty() {
        return Err(LoadError::Usage(format!(
            "declaring a publisher on the command line needs {}",
            missing.join(", ")
        )));
    }
    let mut text = String::new();
    let mut add = |flag: &str, value: &Option<String>| {
        let value = value.as_ref()?;
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(flag);
        text.push(' ');
        let start = text.len();
        text.push_str(value);
        Some(Field {
            value: value.clone(),
            span: Span::new(start, text.len()),
        })
    };
    let owner = add("--owner", &flags.owner);
    let repository = add("--repository", &flags.repository);
    let workflow = add("--workflow", &flags.workflow);
    let environment = add("--environment", &flags.environment);
    let tag_pattern = add("--tag-pattern", &flags.tag_pattern);
    let index = add("--registry", &flags.index);
    let package = add("--package", &flags.package);
    let (Some(owner), Some(repository)) = (owner, repository) else {
        return Err(LoadError::Usage("missing publisher flag".into()));
    };
    let Some(workflow) = workflow.or_else(|| {
        (!needs_workflow).then(|| Field {
            value: String::new(),
            span: Span::new(0, 0),
        })
    }) else {
        return Err(LoadError::Usage("missing publisher flag".into()));
    };
    let index_kind = match &index {
        None => Some(Registry::Pypi),
        Some(f) => Registry::parse(&f.value),
    };
    let span = Span::new(0, text.len());
    let file = sources.add(SourceFile::new("<command line>", text));
    Ok(Publisher {
        file,
        span,
        index,
        index_kind,
        platform: Platform::Github,
        project: package,
        owner,
        repository,
        workflow,
        tag_pattern,
        environment,
        workflow_repository: None,
        user: None,
        issuer: None,
        git_ref: None,
        origin: Origin::Declared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, LoadError> {
        parse_text("tplint.toml", text.to_string(), &mut SourceMap::default())
    }

    const GITHUB: &str = "owner = \"o\"\nrepository = \"r\"\nworkflow = \"release.yml\"\n";

    /// The error's message, after checking that it points into the file.
    fn located_error(text: &str) -> String {
        match parse(text) {
            Err(LoadError::Config(error)) => {
                assert!(error.span.is_some(), "unlocated: {}", error.message);
                error.message
            }
            Err(other) => panic!("not a config error: {other}"),
            Ok(_) => panic!("accepted:\n{text}"),
        }
    }

    #[test]
    fn nuget_gitlab_publishers_name_no_pipeline_file() {
        let config = parse(
            "[[publisher]]\nplatform = \"gitlab\"\nregistry = \"nuget\"\nnamespace = \"g/sub\"\nrepository = \"r\"\nenvironment = \"release\"\n",
        )
        .unwrap();
        assert_eq!(config.publishers.len(), 1);
        assert_eq!(config.publishers[0].workflow.value, "");
        // A NuGet publisher on GitHub still needs its workflow.
        assert!(
            located_error(
                "[[publisher]]\nregistry = \"nuget\"\nowner = \"o\"\nrepository = \"r\"\n"
            )
            .contains("without `workflow`")
        );
    }

    #[test]
    fn crates_io_gitlab_publishers_are_accepted() {
        let config = parse(
            "[[publisher]]\nplatform = \"gitlab\"\nregistry = \"crates.io\"\npackage = \"widget\"\nnamespace = \"g/sub\"\nrepository = \"r\"\nworkflow = \".gitlab-ci.yml\"\nenvironment = \"release\"\n",
        )
        .unwrap();
        let publisher = &config.publishers[0];
        assert_eq!(publisher.platform, Platform::Gitlab);
        assert_eq!(
            publisher.index_kind,
            Some(crate::registry::Registry::CratesIo)
        );
    }

    #[test]
    fn registry_and_package() {
        let config = parse(&format!(
            "[[publisher]]\nregistry = \"crates.io\"\npackage = \"widget\"\n{GITHUB}"
        ))
        .unwrap();
        let publisher = &config.publishers[0];
        assert_eq!(publisher.index_kind, Some(Registry::CratesIo));
        assert_eq!(publisher.project.as_ref().unwrap().value, "widget");
        let config = parse(&format!("[[publisher]]\nindex = \"testpypi\"\n{GITHUB}")).unwrap();
        assert_eq!(config.publishers[0].index_kind, Some(Registry::TestPypi));
        let config = parse(&format!("[[publisher]]\n{GITHUB}")).unwrap();
        assert_eq!(config.publishers[0].index(), Registry::Pypi);
    }

    #[test]
    fn pub_dev_and_jsr_publishers_name_no_workflow() {
        let config = parse(
            "[[publisher]]\nregistry = \"pub.dev\"\nowner = \"o\"\nrepository = \"r\"\ntag-pattern = \"v{{version}}\"\n\n[[publisher]]\nregistry = \"jsr\"\nowner = \"o\"\nrepository = \"r\"\n",
        )
        .unwrap();
        assert_eq!(config.publishers[0].index(), Registry::PubDev);
        assert_eq!(
            config.publishers[0].tag_pattern.as_ref().unwrap().value,
            "v{{version}}"
        );
        assert!(config.publishers[0].workflow.value.is_empty());
        assert_eq!(config.publishers[1].index(), Registry::Jsr);
        // The others still need a workflow, and only pub.dev a tag pattern.
        let message = located_error("[[publisher]]\nowner = \"o\"\nrepository = \"r\"\n");
        assert!(message.contains("without `workflow`"), "{message}");
        let message = located_error(&format!(
            "[[publisher]]\ntag-pattern = \"v{{{{version}}}}\"\n{GITHUB}"
        ));
        assert!(message.contains("pub.dev field"), "{message}");
    }

    #[test]
    fn pub_dev_flags() {
        let mut sources = SourceMap::default();
        let flags = PublisherFlags {
            owner: Some("o".into()),
            repository: Some("r".into()),
            index: Some("pub.dev".into()),
            tag_pattern: Some("v{{version}}".into()),
            ..PublisherFlags::default()
        };
        let publisher = flag_publisher(&flags, &mut sources).unwrap();
        assert_eq!(publisher.index(), Registry::PubDev);
        assert!(publisher.tag_pattern.is_some());
        let missing = PublisherFlags {
            tag_pattern: None,
            ..flags.clone()
        };
        assert!(matches!(
            flag_publisher(&missing, &mut sources),
            Err(LoadError::Usage(m)) if m.contains("--tag-pattern")
        ));
        let elsewhere = PublisherFlags {
            index: Some("npm".into()),
            workflow: Some("release.yml".into()),
            ..flags
        };
        assert!(flag_publisher(&elsewhere, &mut sources).is_err());
    }

    #[test]
    fn registry_specific_fields() {
        let config = parse(&format!(
            "[[publisher]]\nregistry = \"rubygems\"\nworkflow-repository-owner = \"shared\"\nworkflow-repository-name = \"workflows\"\n{GITHUB}"
        ))
        .unwrap();
        let (owner, name) = config.publishers[0].workflow_repository.as_ref().unwrap();
        assert_eq!(
            (owner.value.as_str(), name.value.as_str()),
            ("shared", "workflows")
        );
        let config = parse(&format!(
            "[[publisher]]\nregistry = \"nuget\"\nuser = \"me\"\n{GITHUB}"
        ))
        .unwrap();
        assert_eq!(config.publishers[0].user.as_ref().unwrap().value, "me");
    }

    #[test]
    fn gitlab_publishers() {
        let config = parse(
            "[[publisher]]\nplatform = \"gitlab\"\nnamespace = \"group/sub\"\nrepository = \"proj\"\nworkflow = \".gitlab-ci.yml\"\n",
        )
        .unwrap();
        let publisher = &config.publishers[0];
        assert_eq!(publisher.platform, Platform::Gitlab);
        assert_eq!(publisher.owner.value, "group/sub");
    }

    #[test]
    fn keys_that_do_not_belong_are_located_errors() {
        for (text, expected) in [
            (format!("[[publisher]]\nindex = \"npm\"\n{GITHUB}"), "`index` names PyPI"),
            (
                format!("[[publisher]]\nindex = \"pypi\"\nregistry = \"pypi\"\n{GITHUB}"),
                "both given",
            ),
            (
                format!("[[publisher]]\nproject = \"a\"\npackage = \"a\"\n{GITHUB}"),
                "both given",
            ),
            (
                format!("[[publisher]]\nregistry = \"rubygems\"\nworkflow-repository-owner = \"x\"\n{GITHUB}"),
                "go together",
            ),
            (
                format!("[[publisher]]\nworkflow-repository-owner = \"x\"\nworkflow-repository-name = \"y\"\n{GITHUB}"),
                "RubyGems.org fields",
            ),
            (format!("[[publisher]]\nuser = \"me\"\n{GITHUB}"), "NuGet.org field"),
            (format!("[[publisher]]\nplatform = \"bitbucket\"\n{GITHUB}"), "unknown platform"),
            (format!("[[publisher]]\nnamespace = \"g\"\n{GITHUB}"), "GitLab field"),
            (format!("[[publisher]]\nissuer = \"https://gitlab.com\"\n{GITHUB}"), "GitLab field"),
            (
                format!("[[publisher]]\nref = \"main\"\n{GITHUB}"),
                "NuGet.org's GitLab policies",
            ),
            (
                format!("[[publisher]]\nplatform = \"gitlab\"\n{GITHUB}"),
                "not an `owner`",
            ),
            (
                "[[publisher]]\nrepository = \"r\"\nworkflow = \"release.yml\"\n".to_string(),
                "without `owner`",
            ),
            (
                "[[publisher]]\nplatform = \"gitlab\"\nregistry = \"rubygems\"\nnamespace = \"g\"\nrepository = \"r\"\nworkflow = \".gitlab-ci.yml\"\n".to_string(),
                "npm and NuGet.org only",
            ),
        ] {
            let message = located_error(&text);
            assert!(message.contains(expected), "{message:?} for\n{text}");
        }
    }
}
