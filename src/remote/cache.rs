//! Answers kept between runs in the user's cache directory: JSON answers
//! with their `ETag`, revalidated with `If-None-Match` (an unchanged answer
//! costs GitHub no rate limit), and each repository's archive of the last
//! commit checked, which a commit never changes. `--no-cache` keeps nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A JSON answer as it was last received.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cached {
    pub key: String,
    pub etag: String,
    pub body: String,
    pub link: Option<String>,
    pub next_page: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache under `dir`.
    pub fn at(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `tplint` in the platform's cache directory: `$XDG_CACHE_HOME` or
    /// `~/.cache` on Linux and the BSDs, `~/Library/Caches` on macOS,
    /// `%LOCALAPPDATA%` on Windows; `TPLINT_CACHE_DIR` overrides it.
    pub fn user() -> Option<Self> {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = var("TPLINT_CACHE_DIR") {
            return Some(Self::at(dir));
        }
        let base = if cfg!(windows) {
            var("LOCALAPPDATA")?
        } else if cfg!(target_os = "macos") {
            var("HOME")?.join("Library").join("Caches")
        } else {
            var("XDG_CACHE_HOME")
                .filter(|p| p.is_absolute())
                .or_else(|| var("HOME").map(|h| h.join(".cache")))?
        };
        Some(Self::at(base.join("tplint")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn json_path(&self, key: &str) -> PathBuf {
        self.dir
            .join("http")
            .join(format!("{:016x}.json", fnv(key.as_bytes())))
    }

    /// The answer kept for `key`; none when it is missing, unreadable or
    /// another key's (a hash collision).
    pub fn get(&self, key: &str) -> Option<Cached> {
        let text = std::fs::read_to_string(self.json_path(key)).ok()?;
        let cached: Cached = serde_json::from_str(&text).ok()?;
        (cached.key == key).then_some(cached)
    }

    /// Keep an answer; failing to is not an error (the next run asks again).
    pub fn put(&self, key: &str, cached: &Cached) {
        let path = self.json_path(key);
        let cached = Cached {
            key: key.to_string(),
            ..cached.clone()
        };
        if let Ok(text) = serde_json::to_string(&cached) {
            write_atomically(&path, text.as_bytes());
        }
    }

    /// The folder of one repository's archives.
    fn archive_dir(&self, repository: &str) -> PathBuf {
        self.dir
            .join("archives")
            .join(format!("{:016x}", fnv(repository.as_bytes())))
    }

    /// Where the archive of `repository` at commit `sha` is kept.
    pub fn archive_path(&self, repository: &str, sha: &str) -> Option<PathBuf> {
        let sha_ok =
            !sha.is_empty() && sha.len() <= 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        sha_ok.then(|| self.archive_dir(repository).join(format!("{sha}.tar.gz")))
    }

    /// Whether an archive of `repository` is kept (of any commit).
    pub fn has_archive(&self, repository: &str) -> bool {
        std::fs::read_dir(self.archive_dir(repository)).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".tar.gz"))
        })
    }

    /// A new file to stream an archive of `repository` into, beside where
    /// it will be kept (so keeping it is a rename).
    pub fn archive_file(&self, repository: &str) -> Option<tempfile::NamedTempFile> {
        let dir = self.archive_dir(repository);
        std::fs::create_dir_all(&dir).ok()?;
        tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(dir)
            .ok()
    }

    /// Keep `file` as the archive of `repository` at `sha`, and drop the
    /// archives of its older commits.
    pub fn keep_archive(&self, repository: &str, sha: &str, file: tempfile::NamedTempFile) {
        let Some(path) = self.archive_path(repository, sha) else {
            return;
        };
        if let Ok(entries) = std::fs::read_dir(self.archive_dir(repository)) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let partial = name.to_string_lossy().starts_with(".partial-");
                if entry.path() != path && !partial {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let _ = file.persist(path);
    }
}

/// FNV-1a, for cache keys: stable across versions and platforms.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn write_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(mut file) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write;
        if file.write_all(bytes).is_ok() {
            let _ = file.persist(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_for_their_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let cached = Cached {
            key: String::new(),
            etag: "\"abc\"".into(),
            body: "[]".into(),
            link: None,
            next_page: Some("2".into()),
        };
        cache.put("https://api/x", &cached);
        let back = cache.get("https://api/x").unwrap();
        assert_eq!(back.etag, "\"abc\"");
        assert_eq!(back.next_page.as_deref(), Some("2"));
        assert!(cache.get("https://api/y").is_none());
    }

    #[test]
    fn one_archive_per_repository() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        for sha in ["aaaa", "bbbb"] {
            let file = cache.archive_file("github.com/a/b").unwrap();
            cache.keep_archive("github.com/a/b", sha, file);
        }
        assert!(
            !cache
                .archive_path("github.com/a/b", "aaaa")
                .unwrap()
                .exists()
        );
        assert!(
            cache
                .archive_path("github.com/a/b", "bbbb")
                .unwrap()
                .exists()
        );
        assert!(cache.archive_path("github.com/a/b", "../x").is_none());
    }
}
