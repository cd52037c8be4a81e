//! Finding the repository root and its workflow files, and where a
//! repository's GitLab pipeline is read from.

use std::path::{Path, PathBuf};

use crate::config::LoadError;

/// The CI/CD configuration path GitLab uses unless the project changes it.
pub const DEFAULT_PIPELINE_PATH: &str = ".gitlab-ci.yml";

/// The repository root for a PATH given on the command line: PATH itself when
/// it looks like a repository (has `.git`, `.github` or a `.gitlab-ci.yml`),
/// else the git root above it, else PATH. A file inside `.github/workflows`
/// selects its repository.
pub fn repository_root(path: &Path) -> Result<PathBuf, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let dir = if metadata.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let looks_like_root = |d: &Path| {
        d.join(".git").exists()
            || d.join(".github").is_dir()
            || d.join(DEFAULT_PIPELINE_PATH).is_file()
    };
    if metadata.is_dir() && looks_like_root(&dir) {
        return Ok(dir);
    }
    let absolute = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
    for ancestor in absolute.ancestors() {
        if ancestor.join(".git").exists() {
            return Ok(ancestor.to_path_buf());
        }
    }
    Ok(dir)
}

/// `*.yml`/`*.yaml` entries directly in `.github/workflows` (dot-files
/// included, sub-folders ignored, as GitHub does), sorted by name.
/// Entries that look like workflows but are not regular files (FIFOs,
/// sockets, broken or looping links) are kept, so that they are reported
/// as unreadable instead of silently skipped; reading checks what they are
/// before opening them, so they cannot block.
pub fn workflow_files(root: &Path) -> Vec<PathBuf> {
    let dir = root.join(".github").join("workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml")
                && !std::fs::metadata(p).is_ok_and(|m| m.is_dir())
        })
        .collect();
    files.sort();
    files
}

/// The names of every entry in `.github/workflows` (for "did you mean").
pub fn workflow_dir_names(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(".github").join("workflows")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}
