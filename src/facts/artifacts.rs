//! Artifact flow between the jobs of one workflow: what
//! `actions/upload-artifact` stores under which name, and where
//! `actions/download-artifact` puts it, following the v4 semantics
//! (a download without `name` puts each artifact in `path/<name>/` unless
//! `merge-multiple` is true).

use std::collections::HashMap;

use crate::source::Span;
use crate::workflow::{Job, Spanned, Step, Workflow, is_expression};

pub const UPLOAD_ACTION: &str = "actions/upload-artifact";
pub const DOWNLOAD_ACTION: &str = "actions/download-artifact";
/// The name upload-artifact gives an artifact when `name` is not set.
pub const DEFAULT_ARTIFACT_NAME: &str = "artifact";

/// Actions (`owner/repo`, lower case) that upload artifacts themselves under
/// names tplint does not model; a job using one makes name checks unsafe.
pub const OTHER_ARTIFACT_PRODUCERS: &[&str] = &["hynek/build-and-inspect-python-package"];

/// An artifact name as written: literal, or with expressions in it.
#[derive(Clone, Debug)]
pub enum ArtifactName {
    Literal(String),
    /// `dist-${{ matrix.os }}`: only the text around the expressions is known.
    Template {
        prefix: String,
        suffix: String,
    },
}

impl ArtifactName {
    fn parse(text: &str) -> ArtifactName {
        if !is_expression(text) {
            return ArtifactName::Literal(text.to_string());
        }
        let prefix = text.split("${{").next().unwrap_or_default().to_string();
        let suffix = text
            .rsplit("}}")
            .next()
            .filter(|s| !s.contains("${{"))
            .unwrap_or_default()
            .to_string();
        ArtifactName::Template { prefix, suffix }
    }

    /// Whether a download by this exact `name` may find this artifact.
    pub fn may_equal(&self, name: &str) -> bool {
        match self {
            ArtifactName::Literal(literal) => literal == name,
            ArtifactName::Template { prefix, suffix } => {
                name.len() >= prefix.len() + suffix.len()
                    && name.starts_with(prefix.as_str())
                    && name.ends_with(suffix.as_str())
            }
        }
    }

    /// Whether a download `pattern` may match this artifact.
    pub fn may_match(&self, pattern: &str) -> bool {
        match self {
            ArtifactName::Literal(literal) => glob_match(pattern, literal),
            ArtifactName::Template { prefix, .. } => {
                // Only the literal prefix is known: the pattern may match when
                // its own literal start agrees with it as far as both go.
                let pattern_prefix: &str = pattern
                    .split(['*', '?', '[', '{', '!'])
                    .next()
                    .unwrap_or_default();
                prefix.starts_with(pattern_prefix) || pattern_prefix.starts_with(prefix.as_str())
            }
        }
    }
}

/// An `actions/upload-artifact` step.
#[derive(Clone, Debug)]
pub struct Upload {
    pub job: usize,
    pub name: ArtifactName,
    /// The files sit at the artifact's root: `path` is one literal folder
    /// or one glob inside a folder (upload-artifact strips the common
    /// folder of what it uploads). A list of paths, `**`, the workspace
    /// root or an expression may keep sub-folders such as `dist/`.
    pub flat: bool,
}

/// Whether an upload's `path` input puts its files at the artifact's root.
fn uploads_flat(path: Option<&str>) -> bool {
    let Some(path) = path.map(str::trim).filter(|p| !p.is_empty()) else {
        return false; // `path` is required; without it nothing is known
    };
    if path.contains('\n') || path.contains("**") || is_expression(path) {
        return false;
    }
    // `dist/*.whl` is flat when `dist` is not the workspace root.
    let folder = match path.rsplit_once('/') {
        Some((folder, last)) if last.contains(['*', '?', '[']) => folder,
        _ => path,
    };
    !folder.contains(['*', '?', '[']) && normalize_dir(folder).is_some_and(|f| f != ".")
}

/// An `actions/download-artifact` step of a job.
#[derive(Clone, Debug)]
pub struct Download<'a> {
    pub step: &'a Step,
    pub name: Option<&'a Spanned<String>>,
    pub pattern: Option<&'a Spanned<String>>,
    /// `None` when `merge-multiple` is an expression.
    pub merge_multiple: Option<bool>,
    /// The `path` input, absent for the workspace root.
    pub path: Option<&'a Spanned<String>>,
    /// Downloads from another run or repository (`run-id`, `github-token`,
    /// `artifact-ids`), which this workflow's uploads say nothing about.
    pub external: bool,
    /// The `uses:` value, to point at.
    pub span: Span,
}

impl Download<'_> {
    /// The folder the artifact files land in directly, relative to the
    /// workspace and normalised; `None` when it depends on an expression or
    /// the files land in per-artifact sub-folders.
    pub fn files_folder(&self) -> Option<String> {
        let path = match self.path {
            Some(p) if p.is_expression() => return None,
            Some(p) => normalize_dir(&p.value)?,
            None => ".".to_string(),
        };
        if self.name.is_some() || self.merge_multiple == Some(true) {
            Some(path)
        } else {
            None
        }
    }

    /// Whether the files certainly land in `path/<artifact-name>/`
    /// sub-folders rather than in `path` itself.
    pub fn lands_in_subfolders(&self) -> bool {
        self.name.is_none() && self.merge_multiple == Some(false)
    }
}

fn uses_action(step: &Step, action: &str) -> bool {
    step.uses
        .as_ref()
        .is_some_and(|u| u.target.is_action(action))
}

/// The download-artifact steps of a job.
pub fn downloads(job: &Job) -> Vec<Download<'_>> {
    job.steps
        .iter()
        .filter(|s| uses_action(s, DOWNLOAD_ACTION))
        .map(|step| {
            let input = |key: &str| {
                step.input(key)
                    .map(|kv| &kv.value)
                    .filter(|v| !v.value.trim().is_empty())
            };
            let merge_multiple = match input("merge-multiple") {
                None => Some(false),
                Some(v) if v.is_expression() => None,
                Some(v) => Some(v.value.trim().eq_ignore_ascii_case("true")),
            };
            Download {
                step,
                name: input("name"),
                pattern: input("pattern"),
                merge_multiple,
                path: input("path"),
                external: ["run-id", "github-token", "artifact-ids", "repository"]
                    .iter()
                    .any(|k| input(k).is_some()),
                span: step.uses.as_ref().map_or(step.span, |u| u.raw.span),
            }
        })
        .collect()
}

/// What the jobs a job needs (transitively) upload.
#[derive(Debug, Default)]
pub struct UpstreamArtifacts {
    pub uploads: Vec<Upload>,
    /// Some upstream job may create artifacts tplint cannot see: a reusable
    /// workflow call, a local or known artifact-producing action, a `needs`
    /// entry naming no job, or the caller of this reusable workflow.
    pub incomplete: bool,
}

/// The artifacts uploaded by the `needs` closure of `job`.
pub fn upstream(workflow: &Workflow, job: &Job) -> UpstreamArtifacts {
    let mut result = UpstreamArtifacts {
        // A reusable workflow runs inside its caller's run, whose jobs may
        // have uploaded the artifact before the call.
        incomplete: workflow.has_trigger("workflow_call"),
        ..UpstreamArtifacts::default()
    };
    let index_of: HashMap<&str, usize> = workflow
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.value.as_str(), i))
        .collect();
    let mut seen = vec![false; workflow.jobs.len()];
    let mut queue: Vec<&Spanned<String>> = job.needs.iter().collect();
    while let Some(need) = queue.pop() {
        let Some(&index) = index_of.get(need.value.as_str()) else {
            result.incomplete = true;
            continue;
        };
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        let upstream_job = &workflow.jobs[index];
        if upstream_job.call.is_some() {
            result.incomplete = true;
        }
        for step in &upstream_job.steps {
            let Some(uses) = &step.uses else { continue };
            if uses_action(step, UPLOAD_ACTION) {
                let name = step
                    .input("name")
                    .map(|kv| kv.value.value.trim())
                    .filter(|n| !n.is_empty())
                    .unwrap_or(DEFAULT_ARTIFACT_NAME);
                let path = step.input("path").map(|kv| kv.value.value.as_str());
                result.uploads.push(Upload {
                    job: index,
                    name: ArtifactName::parse(name),
                    flat: uploads_flat(path),
                });
            } else {
                let local = matches!(
                    uses.target,
                    crate::workflow::UsesTarget::Local { .. }
                        | crate::workflow::UsesTarget::SelfRepository { .. }
                );
                let producer = uses.target.remote_slug().is_some_and(|slug| {
                    OTHER_ARTIFACT_PRODUCERS.contains(&slug)
                        // upload-artifact/merge and other sub-actions.
                        || slug == UPLOAD_ACTION
                });
                // An action tplint does not know may upload artifacts too.
                let unknown = !matches!(uses.target, crate::workflow::UsesTarget::Remote { .. })
                    || !super::actions::is_known(&uses.target);
                if local || producer || unknown {
                    result.incomplete = true;
                }
            }
        }
        queue.extend(upstream_job.needs.iter());
    }
    result
}

/// Commands that only look at files, so a `run:` step made of them between
/// download and publish cannot have moved the distributions.
pub const INSPECTING_COMMANDS: &[&str] = &[
    "ls",
    "tree",
    "echo",
    "printf",
    "pwd",
    "cat",
    "du",
    "stat",
    "file",
    "sha256sum",
    "shasum",
    "md5sum",
    "true",
    ":",
];

/// Whether every command of a script only inspects files.
pub fn run_only_inspects(script: &str) -> bool {
    super::shell::commands(script).iter().all(|command| {
        command
            .words
            .first()
            .is_some_and(|word| INSPECTING_COMMANDS.contains(&word.as_str()))
    })
}

/// A relative folder in canonical form: no `./`, no trailing `/`, `.` for
/// the workspace root. `None` for absolute or home paths, which are left alone.
pub fn normalize_dir(path: &str) -> Option<String> {
    let path = path.trim();
    if path.starts_with('/') || path.starts_with('~') || path.contains('\\') {
        return None;
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// Glob match as minimatch does for artifact names: `*` and `?` (no `/` in
/// names), `[...]` classes; braces and extglobs count as a match. A pattern
/// that is not a valid glob matches only itself.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    if pattern.contains(['{', '(']) {
        return true; // braces and extglobs: not modelled, assume a match
    }
    globset::GlobBuilder::new(pattern)
        .backslash_escape(true)
        .build()
        .map_or(pattern == name, |glob| {
            glob.compile_matcher().is_match(name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("dist-*", "dist-ubuntu"));
        assert!(!glob_match("dist-*", "wheels-ubuntu"));
        assert!(glob_match("cibw-wheels-?", "cibw-wheels-1"));
        assert!(glob_match("[cd]ist", "dist"));
        assert!(!glob_match("[!d]ist", "dist"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a*b*c", "aXbYc"));
        assert!(!glob_match("a*b*c", "aXbY"));
        // Many stars stay fast.
        let stars = "*".repeat(40) + "x";
        assert!(!glob_match(&stars.replace("**", "*?"), &"a".repeat(200)));
    }

    #[test]
    fn templates() {
        let name = ArtifactName::parse("cibw-wheels-${{ matrix.os }}-${{ strategy.job-index }}");
        assert!(name.may_match("cibw-*"));
        assert!(name.may_match("cibw-wheels-ubuntu-*"));
        assert!(!name.may_match("wheels-*"));
        assert!(name.may_equal("cibw-wheels-ubuntu-0"));
        assert!(!name.may_equal("sdist"));
    }

    #[test]
    fn inspection() {
        assert!(run_only_inspects("ls -R dist/\necho done"));
        assert!(!run_only_inspects("mv wheels/* dist/"));
    }

    #[test]
    fn flat_uploads() {
        assert!(uploads_flat(Some("dist/")));
        assert!(uploads_flat(Some("./wheelhouse/*.whl")));
        assert!(!uploads_flat(Some(".")));
        assert!(!uploads_flat(Some("*.whl")));
        assert!(!uploads_flat(Some("dist/\nsbom.json")));
        assert!(!uploads_flat(Some("**/dist/*")));
        assert!(!uploads_flat(Some("${{ env.OUT }}")));
        assert!(!uploads_flat(None));
    }

    #[test]
    fn folders() {
        assert_eq!(normalize_dir("dist/").as_deref(), Some("dist"));
        assert_eq!(normalize_dir("./dist").as_deref(), Some("dist"));
        assert_eq!(normalize_dir("").as_deref(), Some("."));
        assert_eq!(normalize_dir("/tmp/dist"), None);
    }
}
