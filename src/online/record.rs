//! Which projects a repository publishes to PyPI and TestPyPI, what those
//! indexes recorded for the latest release of each (`--online`), and the
//! recorded GitHub publishers turned into [`Publisher`] values, so that the
//! publisher rules check them as they check declared ones.
//!
//! A recorded publisher is used only for an index with no declared one: a
//! declaration always takes precedence over the record. Its fields point
//! into a pseudo file that shows the record as a `[[publisher]]` block.

use serde::Deserialize;
use toml::Spanned;

use super::pypi::{Indexes, RecordStatus, RecordedPublisher, normalize};
use crate::config::{Field, Origin, Platform, Publisher, RecordSource};
use crate::diagnostic::Location;
use crate::facts::Facts;
use crate::registry::Registry;
use crate::repository::Repository;
use crate::source::{SourceFile, SourceMap, Span};

/// Which record checks the enabled rules need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    /// TP101 and TP103–TP108 against the recorded publisher, for an index
    /// with no declared one.
    pub as_publisher: bool,
    /// TP109.
    pub undeclared: bool,
    /// TP306.
    pub provenance: bool,
}

impl Wants {
    fn any_for(self, declared: bool) -> bool {
        self.undeclared || self.provenance || (!declared && self.as_publisher)
    }
}

/// What an index said about one project the repository publishes.
#[derive(Clone, Debug)]
pub struct ProjectRecord {
    pub index: Registry,
    /// The name as written in the configuration or `pyproject.toml`.
    pub project: String,
    /// Whether publishers are declared for this index (then the record is
    /// only compared with them, TP109).
    pub declared: bool,
    pub status: RecordStatus,
}

/// Everything the indexes said for one repository.
#[derive(Debug, Default)]
pub struct RecordFacts {
    pub records: Vec<ProjectRecord>,
    /// Indexes the repository publishes to whose project name is unknown.
    pub unnamed: Vec<Registry>,
    /// The declared publishers, then the recorded ones of indexes with none declared.
    pub publishers: Vec<Publisher>,
    /// The project name in `pyproject.toml`, where a diagnostic about the
    /// project with no better place goes.
    pub project_location: Option<Location>,
}

/// Whether any step or GitLab job uploads to `index` (by trusted
/// publishing or not).
fn publishes_to(facts: &Facts, index: Registry) -> bool {
    let gitlab = facts.gitlab.iter().flat_map(|g| &g.jobs);
    facts
        .workflows
        .iter()
        .flat_map(|w| &w.publish_sites)
        .chain(gitlab.flat_map(|j| &j.publish_sites))
        .any(|s| s.index() == Some(index))
}

/// What the indexes said, before it is attached to the repository.
#[derive(Debug, Default)]
pub struct Answers {
    records: Vec<ProjectRecord>,
    unnamed: Vec<Registry>,
}

/// Ask the indexes about every project `repo` publishes that `wants` needs.
pub fn ask(indexes: &Indexes, repo: &Repository, facts: &Facts, wants: Wants) -> Answers {
    let mut out = Answers::default();
    for index in [Registry::Pypi, Registry::TestPypi] {
        let declared: Vec<&Publisher> = repo
            .config
            .publishers
            .iter()
            .filter(|p| p.index_kind == Some(index))
            .collect();
        let is_declared = !declared.is_empty();
        if !(is_declared || publishes_to(facts, index)) || !wants.any_for(is_declared) {
            continue;
        }
        let default_name = repo.config.project_name.as_deref();
        let names: Vec<Option<&str>> = if is_declared {
            declared
                .iter()
                .map(|p| {
                    p.project
                        .as_ref()
                        .map(|f| f.value.as_str())
                        .or(default_name)
                })
                .collect()
        } else {
            vec![default_name]
        };
        let mut projects: Vec<&str> = Vec::new();
        for name in names {
            match name {
                Some(name) if projects.iter().any(|p| normalize(p) == normalize(name)) => {}
                Some(name) => projects.push(name),
                None if !out.unnamed.contains(&index) => out.unnamed.push(index),
                None => {}
            }
        }
        let Some(client) = indexes.get(index) else {
            continue;
        };
        for project in projects {
            out.records.push(ProjectRecord {
                index,
                project: project.to_string(),
                declared: is_declared,
                status: client.latest_record(project),
            });
        }
    }
    out
}

/// Add the recorded publishers (and their pseudo files) to the repository,
/// after its declared ones.
pub fn attach(answers: Answers, repo: &mut Repository) -> RecordFacts {
    let project_location = project_name_location(repo);
    let recorded: Vec<Publisher> = answers
        .records
        .iter()
        .filter(|r| !r.declared)
        .flat_map(|record| recorded_publishers(record, &mut repo.sources))
        // A GitLab record where there is no GitLab pipeline is TP109's
        // to report, not a publisher to check a pipeline against.
        .filter(|p| p.platform == Platform::Github || repo.gitlab.is_some())
        .collect();
    let mut publishers = repo.config.publishers.clone();
    publishers.extend(recorded);
    RecordFacts {
        records: answers.records,
        unnamed: answers.unnamed,
        publishers,
        project_location,
    }
}

/// The recorded GitHub and GitLab publishers of one project, each with its
/// pseudo file.
fn recorded_publishers(record: &ProjectRecord, sources: &mut SourceMap) -> Vec<Publisher> {
    let RecordStatus::Recorded {
        release,
        publishers,
    } = &record.status
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for recorded in publishers {
        // GitLab's namespace is everything before the last `/` (subgroups).
        let Some(RecordedPublisher {
            platform,
            owner,
            repository: name,
            workflow,
            environment,
        }) = recorded.identity.publisher()
        else {
            // Another kind, or a GitLab record without its pipeline file path:
            // TP109 says what it is.
            continue;
        };
        let source = RecordSource {
            project: release.project.clone(),
            version: release.version.clone(),
            filename: recorded.filename.clone(),
        };
        let mut block = RecordBlock::new(format!(
            "# {} recorded this publisher for {} {} ({})\n[[publisher]]\n",
            record.index.display_name(),
            source.project,
            source.version,
            source.filename
        ));
        let header = Span::new(block.text.find("[[").unwrap_or(0), block.text.len() - 1);
        if platform == Platform::Gitlab {
            block.field("platform", platform.key());
        }
        let index =
            (record.index != Registry::Pypi).then(|| block.field("index", record.index.key()));
        let project = block.field("project", &source.project);
        let owner_key = match platform {
            Platform::Github => "owner",
            Platform::Gitlab => "namespace",
        };
        let owner = block.field(owner_key, owner);
        let repository = block.field("repository", name);
        let workflow = block.field("workflow", workflow);
        let environment = environment.map(|e| block.field("environment", e));
        let file = sources.add(SourceFile::new(
            format!(
                "<{} record of {} {}>",
                record.index.display_name(),
                source.project,
                source.version
            ),
            block.text,
        ));
        out.push(Publisher {
            file,
            span: header,
            index,
            index_kind: Some(record.index),
            platform,
            project: Some(project),
            owner,
            repository,
            workflow,
            tag_pattern: None,
            environment,
            workflow_repository: None,
            user: None,
            issuer: None,
            git_ref: None,
            origin: Origin::Recorded(source),
        });
    }
    out
}

/// The text of a record shown as a `[[publisher]]` block, with the span of
/// each value.
struct RecordBlock {
    text: String,
}

impl RecordBlock {
    fn new(header: String) -> Self {
        Self { text: header }
    }

    fn field(&mut self, key: &str, value: &str) -> Field {
        self.text.push_str(key);
        self.text.push_str(" = \"");
        let start = self.text.len();
        // Escaped as TOML basic strings are, so the block can be pasted.
        self.text
            .push_str(&value.replace('\\', "\\\\").replace('"', "\\\""));
        let span = Span::new(start, self.text.len());
        self.text.push_str("\"\n");
        Field {
            value: value.to_string(),
            span,
        }
    }
}

/// Where `[project].name` is written in `pyproject.toml`, adding the file to
/// the sources when the configuration came from elsewhere.
fn project_name_location(repo: &mut Repository) -> Option<Location> {
    #[derive(Deserialize)]
    struct Pyproject {
        project: Option<Project>,
    }
    #[derive(Deserialize)]
    struct Project {
        name: Option<Spanned<String>>,
    }
    repo.config.project_name.as_ref()?;
    let file = match repo.sources.find("pyproject.toml") {
        Some(file) => file,
        None if repo.root.as_os_str().is_empty() => return None,
        None => {
            let text = std::fs::read_to_string(repo.root.join("pyproject.toml")).ok()?;
            repo.sources.add(SourceFile::new("pyproject.toml", text))
        }
    };
    let parsed: Pyproject = toml::from_str(&repo.sources.get(file).text).ok()?;
    let name = parsed.project?.name?;
    Some(Location::new(
        file,
        Span::new(name.span().start, name.span().end),
    ))
}
