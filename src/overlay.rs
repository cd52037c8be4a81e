//! Texts held in memory laid over a repository's files: the buffers an
//! editor has open, or fixed texts not yet written. Reading a repository
//! consults them before the disk, so one pipeline checks both.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Texts by path relative to the repository root, `/`-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlay {
    texts: BTreeMap<String, String>,
}

impl Overlay {
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.texts.insert(path.into(), text.into());
    }

    pub fn remove(&mut self, path: &str) -> Option<String> {
        self.texts.remove(path)
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// The file names of the workflows laid over `.github/workflows/`.
    pub fn workflow_names(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().filter_map(|path| {
            let name = path.strip_prefix(".github/workflows/")?;
            let workflow =
                !name.contains('/') && (name.ends_with(".yml") || name.ends_with(".yaml"));
            workflow.then_some(name)
        })
    }

    /// Whether `relative` exists, in the overlay or under `root`.
    pub fn exists(&self, root: &Path, relative: &str) -> bool {
        self.texts.contains_key(relative) || root.join(relative).symlink_metadata().is_ok()
    }

    /// The bytes of `relative`: the overlay's text, else at most `limit + 1`
    /// bytes read from under `root` (what the entry is is checked first:
    /// opening a FIFO would block until a writer comes).
    pub fn read(&self, root: &Path, relative: &str, limit: usize) -> std::io::Result<Vec<u8>> {
        if let Some(text) = self.texts.get(relative) {
            return Ok(text.as_bytes().to_vec());
        }
        read_bounded(&root.join(relative), limit)
    }
}

/// Read at most `limit + 1` bytes of a regular file.
pub fn read_bounded(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
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
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflows_are_direct_yaml_children_of_the_workflow_folder() {
        let mut overlay = Overlay::default();
        overlay.insert(".github/workflows/a.yml", "");
        overlay.insert(".github/workflows/b.yaml", "");
        overlay.insert(".github/workflows/sub/c.yml", "");
        overlay.insert(".github/actions/x/action.yml", "");
        let names: Vec<_> = overlay.workflow_names().collect();
        assert_eq!(names, ["a.yml", "b.yaml"]);
    }

    #[test]
    fn the_overlay_wins_over_the_disk() {
        let mut overlay = Overlay::default();
        overlay.insert("tplint.toml", "text");
        let root = Path::new("/nonexistent-root");
        assert_eq!(overlay.read(root, "tplint.toml", 10).unwrap(), b"text");
        assert!(overlay.exists(root, "tplint.toml"));
        assert!(overlay.read(root, "other", 10).is_err());
    }
}
