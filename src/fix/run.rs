//! Fixing a repository: check it, apply the fixes, check the fixed texts
//! again (held in memory as an [`Overlay`]), and repeat until nothing more
//! applies or [`MAX_PASSES`] is reached. Nothing is written until the end,
//! and then each file is replaced atomically.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Applicability;
use super::verify::apply_vetted;
use crate::config::LoadError;
use crate::lint::{CheckOptions, RepoReport, check_repository};
use crate::source::FileId;

/// Enough for fixes that uncover others (a suppression emptied by one
/// pass is removed by the next); the loop stops as soon as a pass changes
/// nothing.
pub const MAX_PASSES: usize = 10;

/// One file the fixes changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedFile {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    pub original: String,
    pub fixed: String,
}

/// What fixing a repository did.
#[derive(Debug)]
pub struct Outcome {
    /// The check of the fixed texts: what remains.
    pub report: RepoReport,
    /// Changed files, by path.
    pub files: Vec<FixedFile>,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// Diagnostics that still carry a fix at the required level: their
    /// edits overlapped others' (or would have broken the file together
    /// with them) to the end, or the passes ran out.
    pub left: usize,
}

/// The files a fix may edit: the workflows, the GitLab pipeline's files and
/// the local files they run, never the configuration or a pseudo file.
fn editable(report: &RepoReport) -> HashSet<FileId> {
    let repo = &report.repo;
    repo.workflows
        .iter()
        .map(|w| w.file)
        .chain(
            repo.gitlab
                .iter()
                .flat_map(|g| g.files.iter().map(|f| f.file)),
        )
        .chain(repo.locals.actions.iter().filter_map(|a| a.file))
        .chain(repo.locals.texts.iter().filter_map(|t| t.file))
        .collect()
}

/// Check the repository at `root` and apply every fix at least as trusted
/// as `required`, in memory.
pub fn fix_repository(
    root: &Path,
    prefix: String,
    options: &CheckOptions,
    required: Applicability,
) -> Result<Outcome, LoadError> {
    let mut options = options.clone();
    let mut originals: BTreeMap<String, String> = BTreeMap::new();
    let mut applied_total = 0;
    let mut report = check_repository(root, prefix.clone(), &options)?;
    for _ in 0..MAX_PASSES {
        let files = editable(&report);
        let fixes = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|fix| fix.edits.iter().all(|e| files.contains(&e.location.file)));
        // Each text is checked as the fixes' own checks were
        // (`verify`): what is written still reads as before.
        let applied = apply_vetted(&report.repo, fixes, required);
        let mut changed = false;
        for (file, text) in applied.files {
            let source = report.repo.sources.get(file);
            originals
                .entry(source.path.clone())
                .or_insert_with(|| source.text.clone());
            options.load.overlay.insert(source.path.clone(), text);
            changed = true;
        }
        if !changed {
            break;
        }
        applied_total += applied.applied;
        report = check_repository(root, prefix.clone(), &options)?;
    }
    let left = report
        .diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applies(required)))
        .count();
    let files = originals
        .into_iter()
        .filter_map(|(path, original)| {
            let fixed = options.load.overlay.get(&path)?.to_string();
            (fixed != original).then_some(FixedFile {
                path,
                original,
                fixed,
            })
        })
        .collect();
    Ok(Outcome {
        report,
        files,
        applied: applied_total,
        left,
    })
}

/// A unified diff of one file, with `a/` and `b/` paths as git writes them.
pub fn unified_diff(display_path: &str, original: &str, fixed: &str) -> String {
    similar::TextDiff::from_lines(original, fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display_path}"), &format!("b/{display_path}"))
        .to_string()
}

/// Write a fixed file, unless the file on disk is no longer the text the
/// fixes were made on (changed meanwhile, or not valid UTF-8, which tplint
/// read with replacement characters).
pub fn write_fixed(root: &Path, file: &FixedFile) -> Result<(), LoadError> {
    let current = std::fs::read(root.join(&file.path)).map_err(|source| LoadError::Io {
        path: file.path.clone(),
        source,
    })?;
    if current != file.original.as_bytes() {
        return Err(LoadError::Io {
            path: file.path.clone(),
            source: std::io::Error::other(
                "the file is not the text the fixes were made on (it changed, or is not valid UTF-8); it was not written",
            ),
        });
    }
    write_atomically(root, &file.path, &file.fixed)
}

/// Replace the file at `root`/`relative` with `text` atomically: written
/// to a temporary file beside it with the same permissions, then renamed
/// over it. A symbolic link is followed, so the link stays a link.
pub fn write_atomically(root: &Path, relative: &str, text: &str) -> Result<(), LoadError> {
    let io_error = |source: std::io::Error| LoadError::Io {
        path: relative.to_string(),
        source,
    };
    let path: PathBuf = std::fs::canonicalize(root.join(relative)).map_err(io_error)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&path).map_err(io_error)?.permissions();
    let mut temporary = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    temporary.write_all(text.as_bytes()).map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    std::fs::set_permissions(temporary.path(), permissions).map_err(io_error)?;
    temporary
        .persist(&path)
        .map_err(|error| io_error(error.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_both_sides() {
        let diff = unified_diff("x.yml", "a\nb\n", "a\nc\n");
        assert!(diff.starts_with("--- a/x.yml\n+++ b/x.yml\n"), "{diff}");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }

    #[test]
    fn atomic_writes_keep_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.yml");
        std::fs::write(&file, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(dir.path(), "f.yml", "new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.yml"), "changed").unwrap();
        let file = FixedFile {
            path: "f.yml".into(),
            original: "old".into(),
            fixed: "new".into(),
        };
        assert!(write_fixed(dir.path(), &file).is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("f.yml")).unwrap(),
            "changed"
        );
        std::fs::write(dir.path().join("f.yml"), "old").unwrap();
        write_fixed(dir.path(), &file).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("f.yml")).unwrap(),
            "new"
        );
    }
}
