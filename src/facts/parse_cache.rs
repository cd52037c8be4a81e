//! The repository files that walking a job parses (a `package.json`'s
//! scripts, Makefiles, tox configurations, justfiles, Rakefiles, the
//! commands of Ruby, Python and JavaScript scripts, the commands of shell
//! text by the text), each parsed once for all the walks
//! of one repository, whatever number of workflows and jobs run it, and
//! for every round of [`super::Facts::derive_reading`]: a file's text does
//! not change between rounds (they only add files), so neither does what
//! it parses to. What each walk asks of a file (a target, an environment,
//! a script name) is chosen from the parsed file by the walk.
//!
//! The walks of one repository run on one thread, one after another; the
//! cache is theirs alone (it lives in the walks' [`super::expand::Budget`])
//! and is dropped with them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use super::cake::Script as CakeScript;
use super::melos::MelosScripts;
use super::nuke::Build;
use super::scripts::{Language, ReadScript};
use super::shell::{self, Command};
use super::tasks::{Justfile, Makefile, PackageScripts, Rakefiles, ToxConfig};
use crate::source::FileId;

/// Parse results by file.
#[derive(Debug, Default)]
pub struct ParseCache {
    package_json: Memo<FileId, PackageScripts>,
    makefiles: Memo<FileId, Makefile>,
    tox: Memo<FileId, ToxConfig>,
    justfiles: Memo<FileId, Justfile>,
    melos: Memo<FileId, MelosScripts>,
    /// By the Rakefile and the `rakelib/*.rake` files read with it.
    rakefiles: Memo<Vec<FileId>, Rakefiles>,
    /// By script and the language it is read as.
    scripts: Memo<(FileId, Language), ReadScript>,
    /// By the C# files of a NUKE build project.
    nuke: Memo<Vec<FileId>, Build>,
    /// By a Cake script and the files it loads.
    cake: Memo<Vec<FileId>, CakeScript>,
    /// By the text itself: a `run:`, a script or a recipe line, walked by
    /// several jobs or in several rounds, is split into commands once.
    shell: Memo<String, Vec<Command>>,
}

impl ParseCache {
    /// The scripts of `package.json` `file`, whose text is `text`.
    pub fn package_json(&self, file: FileId, text: &str) -> Rc<PackageScripts> {
        self.package_json.get(file, || PackageScripts::parse(text))
    }

    /// Makefile `file`.
    pub fn makefile(&self, file: FileId, text: &str) -> Rc<Makefile> {
        self.makefiles.get(file, || Makefile::parse(text))
    }

    /// tox configuration `file` at `path` (`tox.ini`, `tox.toml`,
    /// `pyproject.toml`).
    pub fn tox(&self, file: FileId, path: &str, text: &str) -> Rc<ToxConfig> {
        self.tox.get(file, || ToxConfig::parse(path, text))
    }

    /// justfile `file`.
    pub fn justfile(&self, file: FileId, text: &str) -> Rc<Justfile> {
        self.justfiles.get(file, || Justfile::parse(text))
    }

    /// The melos scripts of `file` at `path` (`melos.yaml`, or a
    /// `pubspec.yaml` with a `melos:` key).
    pub fn melos(&self, file: FileId, path: &str, text: &str) -> Rc<MelosScripts> {
        self.melos.get(file, || MelosScripts::parse(path, text))
    }

    /// A NUKE build project's C# files, in the order listed.
    pub fn nuke(&self, files: &[(FileId, &str)]) -> Rc<Build> {
        let key = files.iter().map(|(file, _)| *file).collect();
        self.nuke.get(key, || {
            let texts: Vec<&str> = files.iter().map(|(_, text)| *text).collect();
            Build::parse(&texts)
        })
    }

    /// A Cake script and the files it loads, in that order.
    pub fn cake(&self, files: &[(FileId, &str)]) -> Rc<CakeScript> {
        let key = files.iter().map(|(file, _)| *file).collect();
        self.cake.get(key, || {
            let texts: Vec<&str> = files.iter().map(|(_, text)| *text).collect();
            CakeScript::parse(&texts)
        })
    }

    /// A Rakefile and the files Rake loads after it, in that order.
    pub fn rakefiles(&self, files: &[(FileId, &str)]) -> Rc<Rakefiles> {
        let key = files.iter().map(|(file, _)| *file).collect();
        self.rakefiles.get(key, || {
            let texts: Vec<&str> = files.iter().map(|(_, text)| *text).collect();
            Rakefiles::parse(&texts)
        })
    }

    /// The commands of shell text ([`shell::commands`]).
    pub fn shell(&self, text: &str) -> Rc<Vec<Command>> {
        // Looked up by the borrowed text: the key is copied only when the
        // text is parsed.
        if let Some(commands) = self.shell.0.borrow().get(text) {
            return Rc::clone(commands);
        }
        self.shell.get(text.to_string(), || shell::commands(text))
    }

    /// What is read of script `file` ([`ReadScript`]): the commands it
    /// runs, unless they may depend on its folder or on arguments in a way
    /// tplint does not bound.
    pub fn script(&self, file: FileId, language: Language, text: &str) -> Rc<ReadScript> {
        self.scripts
            .get((file, language), || ReadScript::read(language, text))
    }
}

/// Values computed once per key.
#[derive(Debug)]
struct Memo<K, V>(RefCell<HashMap<K, Rc<V>, BuildHasherDefault<WordHasher>>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self(RefCell::new(HashMap::default()))
    }
}

/// A multiply-and-rotate hash of eight bytes at a time (the hash of
/// rustc's own tables, "FxHash"): the keys are file ids and the repository's
/// own texts, looked up far more often than SipHash's protection against
/// chosen keys is worth here, and no order depends on it.
#[derive(Debug, Default, Clone, Copy)]
struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl<K: Eq + Hash, V> Memo<K, V> {
    fn get(&self, key: K, compute: impl FnOnce() -> V) -> Rc<V> {
        if let Some(value) = self.0.borrow().get(&key) {
            return Rc::clone(value);
        }
        // Not borrowed while computing.
        let value = Rc::new(compute());
        self.0.borrow_mut().insert(key, Rc::clone(&value));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_parsed_once() {
        let cache = ParseCache::default();
        let text = "release:\n\ttwine upload dist/*\nbuild:\n\tpython -m build\n";
        let first = cache.makefile(FileId(3), text);
        // Another job asking another target of the same file.
        let second = cache.makefile(FileId(3), "not read again");
        assert!(Rc::ptr_eq(&first, &second));
        assert_eq!(second.recipes(&["build"]).lines[0].text, "python -m build");
        assert_eq!(
            first.recipes(&["release"]).lines[0].text,
            "twine upload dist/*"
        );
        // Another file is parsed on its own.
        let other = cache.makefile(FileId(4), "x:\n\techo x\n");
        assert!(!Rc::ptr_eq(&first, &other));
        assert_eq!(other.recipes(&[]).lines[0].text, "echo x");
    }

    #[test]
    fn scripts_are_keyed_by_language_too() {
        let cache = ParseCache::default();
        let text = "system(\"gem push x.gem\")\n";
        let ruby = cache.script(FileId(1), Language::Ruby, text);
        let python = cache.script(FileId(1), Language::Python, text);
        assert_eq!(ruby.commands(Some(&[])).unwrap()[0].text, "gem push x.gem");
        assert!(python.commands(None).unwrap().is_empty());
        let argv = cache.script(FileId(2), Language::Python, "import sys\nsys.argv\n");
        assert!(argv.commands(Some(&[])).is_none());
    }

    #[test]
    fn rakefiles_are_keyed_by_every_file_read() {
        let cache = ParseCache::default();
        let rakefile = "task :release do\n  sh \"gem push x.gem\"\nend\n";
        let alone = cache.rakefiles(&[(FileId(1), rakefile)]);
        let with_lib = cache.rakefiles(&[
            (FileId(1), rakefile),
            (FileId(2), "task :more do\n  sh \"echo\"\nend\n"),
        ]);
        assert!(!Rc::ptr_eq(&alone, &with_lib));
        assert_eq!(alone.recipes(&["more"]).0.missing, ["more"]);
        assert!(with_lib.recipes(&["more"]).0.missing.is_empty());
    }
}
