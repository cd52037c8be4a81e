//! A repository archive (`.tar.gz`) unpacked as it streams in, into a
//! temporary folder: regular files and folders only, inside the folder,
//! within bounds on bytes and files. The archive's single top folder
//! (`owner-repo-sha/`, `project-ref-sha/`) is dropped.

use std::io::{self, Read};
use std::path::Path;

/// Bounds on one archive.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Compressed bytes read.
    pub archive_bytes: u64,
    /// Bytes of all files together, unpacked.
    pub unpacked_bytes: u64,
    pub files: usize,
}

/// The default bounds: far above a repository's sources, below what would
/// fill a temporary folder.
pub const LIMITS: Limits = Limits {
    archive_bytes: 200 * 1024 * 1024,
    unpacked_bytes: 1024 * 1024 * 1024,
    files: 100_000,
};

/// What was unpacked.
#[derive(Debug, Default)]
pub struct Unpacked {
    pub files: usize,
    pub bytes: u64,
    /// The commit, from the archive's pax global header (GitHub's `comment`).
    pub commit: Option<String>,
}

/// A reader that counts what passes and writes a copy of up to `keep`
/// bytes into a file (for the cache; the file is dropped, and so deleted,
/// when the stream is larger or the copy cannot be written).
pub struct Counting<R> {
    inner: R,
    pub read: u64,
    limit: u64,
    pub copy: Option<tempfile::NamedTempFile>,
    keep: u64,
}

impl<R: Read> Counting<R> {
    pub fn new(inner: R, limit: u64, copy: Option<tempfile::NamedTempFile>, keep: u64) -> Self {
        Self {
            inner,
            read: 0,
            limit,
            copy,
            keep,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(TooLarge(format!(
                "the archive is larger than {} MiB",
                self.limit / (1024 * 1024)
            ))));
        }
        if let Some(copy) = &mut self.copy {
            use std::io::Write;
            if self.read > self.keep || copy.write_all(&buf[..n]).is_err() {
                self.copy = None;
            }
        }
        Ok(n)
    }
}

/// A bound was passed; the message says which.
#[derive(Debug)]
pub struct TooLarge(pub String);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Unpack the gzip-compressed tar stream `reader` into `dest`.
pub fn unpack(reader: impl Read, dest: &Path, limits: Limits) -> Result<Unpacked, String> {
    let gz = flate2::read::GzDecoder::new(reader);
    let mut archive = tar::Archive::new(gz);
    let mut unpacked = Unpacked::default();
    let entries = archive.entries().map_err(describe)?;
    for entry in entries {
        let mut entry = entry.map_err(describe)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            let mut text = String::new();
            if entry.read_to_string(&mut text).is_ok() {
                unpacked.commit = pax_comment(&text);
            }
            continue;
        }
        if !(kind.is_file() || kind.is_dir()) {
            // Links, devices and the like are not followed or made.
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let Some(relative) = inside(&raw) else {
            continue;
        };
        let path = dest.join(&relative);
        if kind.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            continue;
        }
        unpacked.files += 1;
        if unpacked.files > limits.files {
            return Err(format!(
                "the repository has more than {} files, more than tplint unpacks",
                limits.files
            ));
        }
        let size = entry.header().size().map_err(describe)?;
        unpacked.bytes += size;
        if unpacked.bytes > limits.unpacked_bytes {
            return Err(format!(
                "the repository unpacks to more than {} MiB, more than tplint unpacks",
                limits.unpacked_bytes / (1024 * 1024)
            ));
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        // A name this system cannot hold (on Windows, `:` or `aux`) is
        // left out rather than failing the repository.
        let Ok(mut file) = std::fs::File::create(&path) else {
            continue;
        };
        io::copy(&mut (&mut entry).take(size), &mut file).map_err(describe)?;
    }
    Ok(unpacked)
}

/// The path of an entry below the archive's top folder, when it is one
/// that stays inside it: no absolute paths, `..`, or `.git` folders.
fn inside(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut parts = text.split('/').filter(|p| !p.is_empty() && *p != ".");
    parts.next()?; // the top folder
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty()
        || text.starts_with('/')
        || rest
            .iter()
            .any(|p| *p == ".." || *p == ".git" || p.contains('\\') || p.contains(':'))
    {
        return None;
    }
    Some(rest.join("/"))
}

/// `comment=SHA` of a pax global header (how GitHub records the commit).
fn pax_comment(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (_, record) = line.split_once(' ')?;
        let value = record.strip_prefix("comment=")?.trim();
        (value.len() == 40 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.into())
    })
}

fn describe(error: io::Error) -> String {
    match error.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()) {
        Some(too_large) => format!("{too_large}, more than tplint downloads"),
        None => format!("the archive cannot be read: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_inside() {
        assert_eq!(inside(b"o-r-1/a/b.yml").as_deref(), Some("a/b.yml"));
        assert_eq!(inside(b"o-r-1/"), None);
        assert_eq!(inside(b"o-r-1/../x"), None);
        assert_eq!(inside(b"o-r-1/.git/config"), None);
        assert_eq!(inside(b"/etc/passwd"), None);
    }

    #[test]
    fn pax_comment_is_the_commit() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            pax_comment(&format!("52 comment={sha}\n")).as_deref(),
            Some(sha)
        );
        assert_eq!(pax_comment("12 path=x\n"), None);
    }
}
