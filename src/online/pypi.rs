//! PyPI's public record of who uploaded a release: the trusted publisher
//! named in the provenance (PEP 740) of the latest release's files, read from
//! PyPI's (or TestPyPI's) JSON, simple and integrity APIs. No token is sent:
//! the three APIs are public. Nothing here runs without `--online`.
//!
//! The shapes decoded here are warehouse's (see SPEC §2, "PyPI's record of a
//! release"): `legacy/api/json.py` (`info.version`, `urls`),
//! `packaging/utils.py` (`_simple_detail`, the `provenance` URL of each file),
//! `api/integrity.py` (`provenance_for_file`) and the publisher models of
//! `pypi-attestations` (`GitHubPublisher`, `GitLabPublisher`, `GooglePublisher`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::client::{HttpResponse, Settings, Transport, UreqTransport};
use super::github::segment;
use crate::config::Platform;
use crate::registry::Registry;

/// The index sites used unless `--pypi-url` / `--testpypi-url` say otherwise.
pub const DEFAULT_PYPI_URL: &str = "https://pypi.org";
pub const DEFAULT_TESTPYPI_URL: &str = "https://test.pypi.org";

/// The JSON API of a large project lists every file of every release.
const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// Provenance requests per release at most: one sdist and one wheel, and a
/// few more only when those two disagree.
const MAX_PROVENANCE_REQUESTS: usize = 6;

/// Distinct publishers kept per release: a real release has one or two; an
/// answer naming more is not a record the checks can use.
const MAX_PUBLISHERS: usize = 8;

const ACCEPT_JSON: &str = "application/json";
/// PEP 691; warehouse `api/simple.py` falls back to HTML for any other type.
const ACCEPT_SIMPLE_JSON: &str = "application/vnd.pypi.simple.v1+json";
/// warehouse `api/integrity.py`, `MIME_PYPI_INTEGRITY_V1_JSON`.
const ACCEPT_INTEGRITY_JSON: &str = "application/vnd.pypi.integrity.v1+json";

pub use crate::registry::pypi::normalize_project_name as normalize;

/// PEP 508 / core metadata: ASCII letters and digits, with `.`, `_` and `-`
/// inside.
pub fn is_valid_project_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let inner = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() && bytes.iter().all(inner)
        }
        _ => false,
    }
}

/// The publisher identity in one provenance bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    GitHub {
        /// `owner/name`.
        repository: String,
        /// A bare file name in `.github/workflows/`: for a job in a reusable
        /// workflow, the called file.
        workflow: String,
        /// The registered publisher's environment; `None` when it has none
        /// (`null`, or `""` in records from before late November 2024).
        environment: Option<String>,
    },
    GitLab {
        /// The project's full path: namespace (subgroups included), then
        /// the project.
        repository: String,
        /// The top-level pipeline file path; `None` in records made before
        /// pypi-attestations added `workflow_filepath` to `GitLabPublisher`.
        workflow_filepath: Option<String>,
        environment: Option<String>,
    },
    Google {
        email: String,
    },
    /// A kind this version of tplint does not know.
    Other {
        kind: String,
    },
}

impl Identity {
    pub fn kind(&self) -> &str {
        match self {
            Identity::GitHub { .. } => "GitHub",
            Identity::GitLab { .. } => "GitLab",
            Identity::Google { .. } => "Google",
            Identity::Other { kind } => kind,
        }
    }

    /// A GitHub or GitLab publisher as tplint checks one: its platform,
    /// owner (GitLab: the namespace, everything before the last `/`, with
    /// subgroups), repository, workflow file (GitLab: the top-level
    /// pipeline path) and environment. `None` for other kinds, a GitLab
    /// record without its pipeline path, or a repository without `/`.
    pub fn publisher(&self) -> Option<RecordedPublisher<'_>> {
        let (platform, repository, workflow, environment) = match self {
            Identity::GitHub {
                repository,
                workflow,
                environment,
            } => (Platform::Github, repository, workflow, environment),
            Identity::GitLab {
                repository,
                workflow_filepath: Some(path),
                environment,
            } => (Platform::Gitlab, repository, path, environment),
            _ => return None,
        };
        let (owner, repository) = repository.rsplit_once('/')?;
        Some(RecordedPublisher {
            platform,
            owner,
            repository,
            workflow,
            environment: environment.as_deref(),
        })
    }
}

/// The fields of a recorded GitHub or GitLab publisher ([`Identity::publisher`]).
pub struct RecordedPublisher<'a> {
    pub platform: Platform,
    pub owner: &'a str,
    pub repository: &'a str,
    pub workflow: &'a str,
    pub environment: Option<&'a str>,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let environment = |e: &Option<String>| match e {
            Some(e) => format!("environment `{e}`"),
            None => "no environment".to_string(),
        };
        match self {
            Identity::GitHub {
                repository,
                workflow,
                environment: env,
            } => write!(
                f,
                "GitHub `{repository}`, workflow `{workflow}`, {}",
                environment(env)
            ),
            Identity::GitLab {
                repository,
                workflow_filepath,
                environment: env,
            } => match workflow_filepath {
                Some(path) => write!(
                    f,
                    "GitLab `{repository}`, top-level pipeline file `{path}`, {}",
                    environment(env)
                ),
                None => write!(
                    f,
                    "GitLab `{repository}` (no pipeline file path recorded), {}",
                    environment(env)
                ),
            },
            Identity::Google { email } => write!(f, "Google service account `{email}`"),
            Identity::Other { kind } => write!(f, "a publisher of kind `{kind}`"),
        }
    }
}

/// One publisher found in the provenance of a release, with the first file
/// it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub filename: String,
    pub identity: Identity,
}

/// The latest release of a project, as the JSON API names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The normalised project name.
    pub project: String,
    pub version: String,
    /// Its files, by file name.
    pub files: Vec<String>,
    /// The newest `upload_time_iso_8601` of its files.
    pub uploaded: Option<String>,
}

/// What the index says about the latest release of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    /// The record could not be read; the text says which request failed and why.
    Skipped(String),
    /// The index has no such project (or no release of it): nothing to check.
    NotOnIndex,
    /// The latest release has no files.
    NoFiles(Release),
    /// No file of the latest release has provenance.
    NoProvenance(Release),
    /// The publishers recorded in the provenance of the latest release.
    Recorded {
        release: Release,
        publishers: Vec<Recorded>,
    },
}

/// One package index's public APIs, with a per-run cache by project.
pub struct IndexClient {
    index: Registry,
    /// Without a trailing `/`.
    base: String,
    transport: Box<dyn Transport>,
    cache: Mutex<HashMap<String, Arc<OnceLock<RecordStatus>>>>,
}

impl fmt::Debug for IndexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexClient")
            .field("index", &self.index)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// PyPI and TestPyPI, shared by every repository of a run.
#[derive(Debug)]
pub struct Indexes {
    pub pypi: IndexClient,
    pub testpypi: IndexClient,
}

impl Indexes {
    /// Clients of the sites at `pypi` and `testpypi` (`http(s)://` URLs).
    pub fn connect(pypi: &str, testpypi: &str) -> Self {
        Self {
            pypi: IndexClient::connect(Registry::Pypi, pypi),
            testpypi: IndexClient::connect(Registry::TestPypi, testpypi),
        }
    }

    /// The client of PyPI or TestPyPI; `None` for the other registries.
    pub fn get(&self, index: Registry) -> Option<&IndexClient> {
        match index {
            Registry::Pypi => Some(&self.pypi),
            Registry::TestPypi => Some(&self.testpypi),
            _ => None,
        }
    }
}

/// A `GET` that failed, named for the reader.
struct Failed(String);

impl IndexClient {
    pub fn new(index: Registry, base: &str, transport: Box<dyn Transport>) -> Self {
        Self {
            index,
            base: base.trim_end_matches('/').to_string(),
            transport,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn connect(index: Registry, base: &str) -> Self {
        let settings = Settings {
            body_limit: MAX_ANSWER_BYTES,
            ..Settings::default()
        };
        Self::new(
            index,
            base,
            Box::new(UreqTransport::with_settings(base, settings)),
        )
    }

    pub fn index(&self) -> Registry {
        self.index
    }

    /// The record of the latest release of `project`, asked once per run.
    pub fn latest_record(&self, project: &str) -> RecordStatus {
        let name = normalize(project);
        let cell = {
            // A poisoned lock only means another thread panicked; the map is intact.
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cache.entry(name.clone()).or_default())
        };
        cell.get_or_init(|| self.read_record(project, &name))
            .clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path`; `Ok(None)` for a `404`, `Ok(Some(json))` for a `2xx` JSON body.
    fn get_json(&self, path: &str, accept: &str) -> Result<Option<Value>, Failed> {
        let url = self.url(path);
        let response = self
            .transport
            .get(path, accept)
            .map_err(|e| Failed(format!("`GET {url}` failed: {e}")))?;
        match response.status {
            200..=299 => serde_json::from_str(&response.body)
                .map(Some)
                .map_err(|e| Failed(format!("`GET {url}` answered with invalid JSON ({e})"))),
            404 => Ok(None),
            _ => Err(Failed(status_failure(&url, accept, &response))),
        }
    }

    fn read_record(&self, project: &str, name: &str) -> RecordStatus {
        if !is_valid_project_name(project.trim()) {
            return RecordStatus::Skipped(format!("`{project}` is not a valid project name"));
        }
        match self.read(name) {
            Ok(status) => status,
            Err(Failed(reason)) => RecordStatus::Skipped(reason),
        }
    }

    fn read(&self, name: &str) -> Result<RecordStatus, Failed> {
        // The JSON API answers a name that is not normalised with a 301 to the
        // normalised one; asking for that one directly saves the round trip.
        let json_path = format!("/pypi/{}/json", segment(name));
        let Some(project) = self.get_json(&json_path, ACCEPT_JSON)? else {
            return Ok(RecordStatus::NotOnIndex);
        };
        let release = latest_release(name, &project).map_err(|what| {
            Failed(format!(
                "the answer of `GET {}` {what}",
                self.url(&json_path)
            ))
        })?;
        if release.files.is_empty() {
            return Ok(RecordStatus::NoFiles(release.release));
        }
        let simple_path = format!("/simple/{}/", segment(name));
        let simple_url = self.url(&simple_path);
        let Some(simple) = self.get_json(&simple_path, ACCEPT_SIMPLE_JSON)? else {
            return Err(Failed(format!(
                "`GET {simple_url}` answered 404 for a project the JSON API lists"
            )));
        };
        let listed = provenance_urls(&simple)
            .map_err(|what| Failed(format!("the answer of `GET {simple_url}` {what}")))?;
        let mut candidates: Vec<(&ReleaseFile, String)> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        for file in &release.files {
            match listed.get(file.filename.as_str()) {
                Some(Some(url)) => candidates.push((file, url.clone())),
                Some(None) => {}
                None => unknown.push(&file.filename),
            }
        }
        if candidates.is_empty() {
            if let Some(file) = unknown.first() {
                return Err(Failed(format!(
                    "`GET {simple_url}` does not say whether `{file}` has provenance (the index may not support PEP 740)"
                )));
            }
            return Ok(RecordStatus::NoProvenance(release.release));
        }
        let publishers = self.recorded_publishers(name, &release.release.version, &candidates)?;
        Ok(RecordStatus::Recorded {
            release: release.release,
            publishers,
        })
    }

    /// Read the provenance of one sdist and one wheel, and of further files
    /// (a few) only when those disagree.
    fn recorded_publishers(
        &self,
        name: &str,
        version: &str,
        candidates: &[(&ReleaseFile, String)],
    ) -> Result<Vec<Recorded>, Failed> {
        let first_of = |kind: &str| candidates.iter().position(|(f, _)| f.packagetype == kind);
        let mut order: Vec<usize> = Vec::new();
        for position in [first_of("sdist"), first_of("bdist_wheel")]
            .into_iter()
            .flatten()
        {
            order.push(position);
        }
        if order.is_empty() {
            order.push(0);
        }
        let sampled = order.len();
        let rest: Vec<usize> = (0..candidates.len())
            .filter(|i| !order.contains(i))
            .collect();
        order.extend(rest);
        let mut publishers: Vec<Recorded> = Vec::new();
        for (asked, &position) in order.iter().enumerate() {
            if asked >= MAX_PROVENANCE_REQUESTS || (asked >= sampled && publishers.len() < 2) {
                break;
            }
            let (file, listed_url) = &candidates[position];
            let path = self.provenance_path(listed_url, name, version, &file.filename);
            let url = self.url(&path);
            let Some(provenance) = self.get_json(&path, ACCEPT_INTEGRITY_JSON)? else {
                return Err(Failed(format!(
                    "`GET {url}` answered 404 for a provenance that the simple API lists"
                )));
            };
            let identities = publishers_of(&provenance)
                .map_err(|what| Failed(format!("the provenance at `{url}` {what}")))?;
            for identity in identities {
                if !publishers.iter().any(|p| p.identity == identity) {
                    if publishers.len() == MAX_PUBLISHERS {
                        return Err(Failed(format!(
                            "the provenance at `{url}` names more than {MAX_PUBLISHERS} publishers for one release"
                        )));
                    }
                    publishers.push(Recorded {
                        filename: file.filename.clone(),
                        identity,
                    });
                }
            }
        }
        Ok(publishers)
    }

    /// The path of a provenance under the API base: the URL the simple API
    /// gave when it is under the base, else the integrity route built from
    /// its parts (a mirror of the API may hand out the origin's URLs).
    fn provenance_path(&self, listed: &str, name: &str, version: &str, filename: &str) -> String {
        if let Some(rest) = listed.strip_prefix(&self.base)
            && rest.starts_with('/')
        {
            return rest.to_string();
        }
        format!(
            "/integrity/{}/{}/{}/provenance",
            segment(name),
            segment(version),
            segment(filename)
        )
    }
}

fn status_failure(url: &str, accept: &str, response: &HttpResponse) -> String {
    match response.status {
        403 if accept == ACCEPT_INTEGRITY_JSON => {
            format!("`GET {url}` answered 403: the index has attestations turned off for now")
        }
        406 => format!("`GET {url}` answered 406: the index does not serve `{accept}`"),
        status @ (301 | 302 | 303 | 307 | 308) => format!(
            "`GET {url}` redirected ({status}) outside the API base, which tplint does not follow"
        ),
        status => format!("`GET {url}` answered with status {status}"),
    }
}

struct ReleaseFile {
    filename: String,
    packagetype: String,
}

struct LatestRelease {
    release: Release,
    files: Vec<ReleaseFile>,
}

/// Decode `GET /pypi/{project}/json`: `info.version` and its `urls`.
fn latest_release(name: &str, body: &Value) -> Result<LatestRelease, String> {
    let version = body
        .pointer("/info/version")
        .and_then(Value::as_str)
        .ok_or("has no `info.version`")?;
    let urls = body
        .get("urls")
        .and_then(Value::as_array)
        .ok_or("has no `urls` list")?;
    let mut files = Vec::new();
    let mut uploaded: Option<String> = None;
    for entry in urls {
        let filename = entry
            .get("filename")
            .and_then(Value::as_str)
            .ok_or("has a file without `filename`")?;
        if let Some(time) = entry.get("upload_time_iso_8601").and_then(Value::as_str)
            && uploaded.as_deref().is_none_or(|u| time > u)
        {
            uploaded = Some(time.to_string());
        }
        files.push(ReleaseFile {
            filename: filename.to_string(),
            packagetype: entry
                .get("packagetype")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        });
    }
    Ok(LatestRelease {
        release: Release {
            project: name.to_string(),
            version: version.to_string(),
            files: files.iter().map(|f| f.filename.clone()).collect(),
            uploaded,
        },
        files,
    })
}

/// Decode `GET /simple/{project}/` (JSON): each file's `provenance` URL,
/// `None` for `null`. A file without the key is left out: its index does not
/// say.
fn provenance_urls(body: &Value) -> Result<HashMap<&str, Option<String>>, String> {
    let files = body
        .get("files")
        .and_then(Value::as_array)
        .ok_or("has no `files` list")?;
    let mut out = HashMap::new();
    for file in files {
        let Some(filename) = file.get("filename").and_then(Value::as_str) else {
            continue;
        };
        match file.get("provenance") {
            Some(Value::String(url)) => {
                out.insert(filename, Some(url.clone()));
            }
            Some(Value::Null) => {
                out.insert(filename, None);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Decode a provenance object: the publisher of every attestation bundle.
fn publishers_of(body: &Value) -> Result<Vec<Identity>, String> {
    if let Some(version) = body.get("version")
        && version.as_u64() != Some(1)
    {
        return Err(format!("has the unknown version {version}"));
    }
    let bundles = body
        .get("attestation_bundles")
        .and_then(Value::as_array)
        .filter(|b| !b.is_empty())
        .ok_or("has no `attestation_bundles`")?;
    bundles
        .iter()
        .map(|bundle| {
            let publisher = bundle
                .get("publisher")
                .ok_or("has a bundle without `publisher`")?;
            identity(publisher)
        })
        .collect()
}

fn identity(publisher: &Value) -> Result<Identity, String> {
    let text = |key: &str| {
        publisher
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("has a publisher without `{key}`"))
    };
    // `null`, `""` (records made before late November 2024) and a missing
    // key all mean: registered without an environment.
    let environment = publisher
        .get("environment")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    let kind = text("kind")?;
    Ok(match kind.as_str() {
        "GitHub" => {
            let repository = text("repository")?;
            let valid = repository.split_once('/').is_some_and(|(owner, name)| {
                !owner.is_empty() && !name.is_empty() && !name.contains('/')
            });
            if !valid {
                return Err(format!(
                    "names the GitHub repository `{repository}`, which is not `owner/name`"
                ));
            }
            Identity::GitHub {
                repository,
                workflow: text("workflow")?,
                environment,
            }
        }
        "GitLab" => {
            let repository = text("repository")?;
            // `namespace/project`, the namespace with any subgroups.
            let valid = repository
                .rsplit_once('/')
                .is_some_and(|(namespace, project)| !namespace.is_empty() && !project.is_empty());
            if !valid {
                return Err(format!(
                    "names the GitLab project `{repository}`, which is not `namespace/project`"
                ));
            }
            Identity::GitLab {
                repository,
                workflow_filepath: publisher
                    .get("workflow_filepath")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                environment,
            }
        }
        "Google" => Identity::Google {
            email: text("email")?,
        },
        _ => Identity::Other { kind },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_normalised_as_pep_503_says() {
        assert_eq!(normalize("Friendly-Bard"), "friendly-bard");
        assert_eq!(normalize("FRIENDLY._-BARD"), "friendly-bard");
        assert_eq!(normalize("friendly__bard"), "friendly-bard");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert!(is_valid_project_name("zope.interface"));
        assert!(is_valid_project_name("A"));
        assert!(!is_valid_project_name("-widget"));
        assert!(!is_valid_project_name("widget/../x"));
        assert!(!is_valid_project_name(""));
    }

    #[test]
    fn publishers_of_every_kind_and_age_are_decoded() {
        let provenance = json!({"version": 1, "attestation_bundles": [
            {"publisher": {"kind": "GitHub", "repository": "pypa/sampleproject",
                           "workflow": "release.yml", "environment": "", "claims": null},
             "attestations": []},
            {"publisher": {"kind": "GitLab", "repository": "group/sub/project",
                           "workflow_filepath": ".gitlab-ci.yml", "environment": null},
             "attestations": []},
            {"publisher": {"kind": "Google", "email": "release@example.iam.gserviceaccount.com"},
             "attestations": []},
            {"publisher": {"kind": "Forgejo", "repository": "x/y"}, "attestations": []}
        ]});
        let identities = publishers_of(&provenance).unwrap();
        assert_eq!(
            identities[0],
            Identity::GitHub {
                repository: "pypa/sampleproject".into(),
                workflow: "release.yml".into(),
                environment: None
            }
        );
        assert!(matches!(
            &identities[1],
            Identity::GitLab {
                environment: None,
                ..
            }
        ));
        assert!(matches!(
            &identities[1],
            Identity::GitLab { repository, workflow_filepath: Some(path), .. }
                if repository == "group/sub/project" && path == ".gitlab-ci.yml"
        ));
        assert_eq!(identities[2].kind(), "Google");
        assert_eq!(identities[3].kind(), "Forgejo");
        assert!(publishers_of(&json!({"version": 2, "attestation_bundles": []})).is_err());
        // Older records of GitLab publishers have no pipeline file path.
        let old_gitlab = json!({"attestation_bundles": [{"publisher": {"kind": "GitLab",
            "repository": "group/project", "environment": "release"}}]});
        assert_eq!(
            publishers_of(&old_gitlab).unwrap()[0],
            Identity::GitLab {
                repository: "group/project".into(),
                workflow_filepath: None,
                environment: Some("release".into())
            }
        );
        assert!(
            publishers_of(
                &json!({"attestation_bundles": [{"publisher": {"kind": "GitLab",
                "repository": "project", "workflow_filepath": ".gitlab-ci.yml"}}]})
            )
            .is_err()
        );
        assert!(publishers_of(&json!({"attestation_bundles": []})).is_err());
        assert!(
            publishers_of(
                &json!({"attestation_bundles": [{"publisher": {"kind": "GitHub",
                "repository": "noslash", "workflow": "r.yml"}}]})
            )
            .is_err()
        );
    }
}
