//! Keeps the library's modules in the one-way order `ARCHITECTURE.md`
//! describes: every `crate::`, `super::` and `self::` path in `src/` (tests
//! and comments left out) is resolved to the module it names, and a module
//! may only name modules in its own layer or a lower one. Separately, no
//! module may take part in an import cycle, apart from the known ones listed
//! in `KNOWN_CYCLES`, which may only shrink.
//!
//! A "module" here is one file: `src/fix/run.rs` is `fix::run`,
//! `src/fix/mod.rs` is `fix`. A module's own submodules and its parents are
//! not counted as dependencies of each other, so `fix` (the data) can sit
//! low and `fix::run` (the driver) high.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The layers, lowest first, as `ARCHITECTURE.md` ("Layering") lists them.
/// A module belongs to the row naming it or its nearest parent
/// (`gitlab::facts` is facts, the rest of `gitlab` a front end). A new
/// module that belongs elsewhere than its parent needs a row.
const LAYERS: &[(&str, &[&str])] = &[
    // Three-valued truth, for every condition evaluated.
    ("values", &["tri"]),
    // Files and positions in them, paths inside a repository.
    ("files", &["source", "overlay", "repo_path"]),
    // The rule catalogue and the severity scale.
    ("catalogue", &["catalogue"]),
    // Fixes as data (`fix/mod.rs`) and the engine that applies them.
    ("fix data", &["fix", "fix::apply"]),
    ("diagnostic", &["diagnostic"]),
    ("syntax", &["yaml"]),
    // The typed GitHub Actions model.
    ("GitHub model", &["workflow"]),
    // What tplint knows of each registry; its tables name actions with
    // `workflow::UsesTarget`.
    ("registry tables", &["registry"]),
    // Everything else read from a repository; `discover` uses
    // `config::LoadError`, `gitlab` uses `discover::DEFAULT_PIPELINE_PATH`.
    (
        "front ends",
        &[
            "config",
            "manifest",
            "release_config",
            "git",
            "discover",
            "gitlab",
        ],
    ),
    ("model", &["repository"]),
    ("facts", &["facts", "gitlab::facts"]),
    ("online facts", &["online"]),
    // Edits that keep a file's layout, and the fixes rules attach.
    ("fix builders", &["fix::edit", "fix::workflow"]),
    ("rules", &["rules"]),
    ("suppression", &["suppress", "fix::verify"]),
    ("lint", &["lint"]),
    // What drives a check and shows its results.
    (
        "drivers and output",
        &["render", "fix::run", "server", "suggest", "remote"],
    ),
    ("command line", &["cli"]),
];

/// Import cycles tplint still has, as (from, to) module prefixes. Each is
/// being reworked; remove an entry once its cycle is gone (the test says
/// when one is no longer needed). Do not add to it: break the cycle.
const KNOWN_CYCLES: &[(&str, &str)] = &[
    // `Facts` holds and derives `GitlabFacts`, which uses
    // `facts::{BuildFact, LocalCode}` (and the walker, publish sites, shell).
    ("facts", "gitlab::facts"),
    ("gitlab::facts", "facts"),
    // `registry/publishing.rs` chains every registry's `COMMANDS`,
    // `MINTERS` and `UPLOADER_ACTIONS`, and they are written in its types.
    ("registry::publishing", "registry"),
    ("registry", "registry::publishing"),
    // Known actions (`facts::actions`) name what `artifacts` and `oidc`
    // define, and those look actions up in it.
    ("facts::actions", "facts::artifacts"),
    ("facts::artifacts", "facts::actions"),
    ("facts::actions", "facts::oidc"),
    ("facts::oidc", "facts::actions"),
    // The script walker (`facts::expand`) and publish sites use each
    // other (`UPLOAD_WORDS`, the walk that finds uploads); `oidc` and
    // `npm` walk scripts too.
    ("facts::expand", "facts::publish"),
    ("facts::publish", "facts::expand"),
    ("facts::expand", "facts::actions"),
    ("facts::oidc", "facts::expand"),
    ("facts::npm", "facts::expand"),
    // npm's publish sites are built in `facts::npm` from `facts::publish`'s
    // types, and `facts::publish` calls it.
    ("facts::publish", "facts::npm"),
    ("facts::npm", "facts::publish"),
];

/// One path that names another module.
#[derive(Clone, Debug)]
struct Reference {
    from: String,
    to: String,
    file: String,
    line: usize,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file under `src/` is: `fix/mod.rs` is `fix`, `lib.rs` the
/// crate root (""); `main.rs` is a crate of its own (`None`).
fn module_of(relative: &Path) -> Option<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [only] if only == "main" => return None,
        [only] if only == "lib" => return Some(String::new()),
        _ => {}
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts.join("::"))
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where a raw string starting at `i` (`r"`, `r#"`, `br"`, ...) has its
/// `r`'s hashes: their index and count.
fn raw_string_at(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let start = match (chars.get(i), chars.get(i + 1)) {
        (Some('r'), _) => i + 1,
        (Some('b'), Some('r')) => i + 2,
        _ => return None,
    };
    let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
    (chars.get(start + hashes) == Some(&'"')).then_some((start, hashes))
}

/// The text with comments and the contents of string and character
/// literals blanked out (newlines kept, so lines still count).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, chars: &[char]| {
        for &c in chars {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    let at = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if at(i, "//") {
            let end = (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len());
            blank(&mut out, &chars[i..end]);
            i = end;
        } else if at(i, "/*") {
            let (mut depth, mut j) = (0, i);
            while j < chars.len() {
                if at(j, "/*") {
                    depth += 1;
                    j += 2;
                } else if at(j, "*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &chars[i..j.min(chars.len())]);
            i = j;
        } else if let Some((start, hashes)) = raw_string_at(&chars, i).filter(|_| !after_ident) {
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut j = start + hashes + 1;
            while j < chars.len() && !at(j, &close) {
                j += 1;
            }
            let end = (j + close.chars().count()).min(chars.len());
            blank(&mut out, &chars[i..end]);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            blank(&mut out, &chars[i..end]);
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'), or a lifetime.
            let end = if chars.get(i + 1) == Some(&'\\') {
                (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    blank(&mut out, &chars[i..=end]);
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Blanks each item marked `#[cfg(test)]`: up to its `;`, or its braces.
fn without_tests(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + marker.len() <= chars.len() {
        if chars[i..i + marker.len()] != marker[..] {
            i += 1;
            continue;
        }
        let (mut j, mut depth) = (i + marker.len(), 0usize);
        while j < chars.len() {
            match chars[j] {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    j += 1;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        let end = j.min(chars.len());
        for c in &mut chars[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = j;
    }
    chars.into_iter().collect()
}

/// The modules a file declares under `#[cfg(test)]` (`mod tests;`).
fn test_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        rest = &rest[at + "#[cfg(test)]".len()..];
        let item = rest.trim_start();
        if let Some(decl) = item.strip_prefix("mod ") {
            let name: String = decl
                .trim_start()
                .chars()
                .take_while(|&c| is_ident(c))
                .collect();
            if decl.trim_start()[name.len()..]
                .trim_start()
                .starts_with(';')
            {
                found.push(name);
            }
        }
    }
    found
}

/// Reads a path or use tree from `chars[i..]` (just after `crate::` and
/// the like), pushing every full path it names onto `out`. Returns where
/// it stopped.
fn use_tree(chars: &[char], mut i: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let skip_space = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && is_ident(chars[*i]) {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    let mut path = prefix.to_vec();
    loop {
        skip_space(&mut i);
        if chars.get(i) == Some(&'{') {
            i += 1;
            loop {
                skip_space(&mut i);
                while chars.get(i) == Some(&',') {
                    i += 1;
                    skip_space(&mut i);
                }
                match chars.get(i) {
                    None => return i,
                    Some('}') => return i + 1,
                    _ => {}
                }
                let before = i;
                i = use_tree(chars, i, &path, out);
                if i == before {
                    i += 1;
                }
            }
        }
        if chars.get(i) == Some(&'*') {
            out.push(path);
            return i + 1;
        }
        let segment = word(&mut i);
        if segment.is_empty() {
            out.push(path);
            return i;
        }
        path.push(segment);
        skip_space(&mut i);
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
            continue;
        }
        out.push(path);
        // `as name` renames; it names nothing more.
        let mut j = i;
        if word(&mut j) == "as" {
            skip_space(&mut j);
            word(&mut j);
            i = j;
        }
        return i;
    }
}

/// Every module path a file's code names, with its line: `(line, path)`,
/// the path absolute from the crate root.
fn named_paths(code: &str, module: &[String]) -> Vec<(usize, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let starts = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        let keyword = ["crate", "super", "self"].into_iter().find(|k| {
            let end = i + k.len();
            starts
                && chars[i..].starts_with(&k.chars().collect::<Vec<_>>())
                && chars.get(end) == Some(&':')
                && chars.get(end + 1) == Some(&':')
        });
        let Some(keyword) = keyword else {
            i += 1;
            continue;
        };
        let base: Vec<String> = match keyword {
            "crate" => Vec::new(),
            "super" => module[..module.len().saturating_sub(1)].to_vec(),
            _ => module.to_vec(),
        };
        let mut paths = Vec::new();
        let end = use_tree(&chars, i + keyword.len() + 2, &[], &mut paths);
        for path in paths {
            let mut absolute = base.clone();
            for segment in path {
                match segment.as_str() {
                    "self" => {}
                    "super" => {
                        absolute.pop();
                    }
                    _ => absolute.push(segment),
                }
            }
            found.push((line, absolute));
        }
        line += chars[i..end].iter().filter(|&&c| c == '\n').count();
        i = end.max(i + 1);
    }
    found
}

/// The longest known module a path starts with ("" for the crate root).
fn module_named(path: &[String], modules: &BTreeSet<String>) -> String {
    (0..=path.len())
        .rev()
        .map(|k| path[..k].join("::"))
        .find(|m| modules.contains(m))
        .unwrap_or_default()
}

fn within(module: &str, prefix: &str) -> bool {
    module == prefix || module.starts_with(&format!("{prefix}::"))
}

/// One module inside the other: a parent and its own submodules.
fn nested(a: &str, b: &str) -> bool {
    within(a, b) || within(b, a)
}

/// The layer a module belongs to: the row naming it or its nearest parent.
fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(index, (name, modules))| modules.iter().map(move |m| (index, *name, *m)))
        .filter(|(_, _, m)| within(module, m))
        .max_by_key(|(_, _, m)| m.len())
        .map(|(index, name, _)| (index, name))
}

/// Every reference from one library module to another.
fn references() -> Vec<Reference> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut modules = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    let mut sources = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&root).unwrap().to_path_buf();
        let Some(module) = module_of(&relative) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let code = code_only(&text);
        for test in test_modules(&code) {
            skipped.insert(if module.is_empty() {
                test
            } else {
                format!("{module}::{test}")
            });
        }
        modules.insert(module.clone());
        sources.push((module, relative, code));
    }
    let mut found = Vec::new();
    for (module, relative, code) in sources {
        if skipped.iter().any(|s| within(&module, s)) {
            continue;
        }
        let segments: Vec<String> = if module.is_empty() {
            Vec::new()
        } else {
            module.split("::").map(String::from).collect()
        };
        for (line, path) in named_paths(&without_tests(&code), &segments) {
            let to = module_named(&path, &modules);
            if to.is_empty() || nested(&module, &to) {
                continue;
            }
            found.push(Reference {
                from: module.clone(),
                to,
                file: format!("src/{}", relative.display()),
                line,
            });
        }
    }
    found
}

#[test]
fn the_scan_reads_use_trees_and_skips_comments_strings_and_tests() {
    let code = code_only(
        "use crate::a::{b::{self, C}, d as e};\n\
         // use crate::commented;\n\
         let s = \"crate::quoted\"; let r = r#\"crate::raw\"#; let c = '\"';\n\
         fn f<'a>() { super::sibling::g(); crate::h::I::new() }\n\
         #[cfg(test)]\nmod tests { use crate::only_in_tests; }\n",
    );
    let paths: Vec<(usize, String)> = named_paths(&without_tests(&code), &["m".into(), "n".into()])
        .into_iter()
        .map(|(line, path)| (line, path.join("::")))
        .collect();
    let expected = [
        (1, "a::b"),
        (1, "a::b::C"),
        (1, "a::d"),
        (4, "m::sibling::g"),
        (4, "h::I::new"),
    ];
    let expected: Vec<(usize, String)> =
        expected.iter().map(|(l, p)| (*l, p.to_string())).collect();
    assert_eq!(paths, expected);
}

#[test]
fn modules_only_use_their_own_layer_or_lower_ones() {
    let references = references();
    // The scan must see the pipeline, or the test would pass on nothing.
    for (from, to) in [
        ("lint", "rules"),
        ("rules", "facts"),
        ("diagnostic", "fix"),
        ("fix::run", "lint"),
    ] {
        assert!(
            references.iter().any(|r| r.from == from && r.to == to),
            "the scan no longer finds `{from}` using `{to}`"
        );
    }
    let mut problems = String::new();
    let mut unplaced = BTreeSet::new();
    for r in &references {
        let (Some((from, from_name)), Some((to, to_name))) = (layer_of(&r.from), layer_of(&r.to))
        else {
            for m in [&r.from, &r.to] {
                if layer_of(m).is_none() && unplaced.insert(m.clone()) {
                    writeln!(
                        problems,
                        "{}:{}: `{m}` is in no layer: give it a row in LAYERS",
                        r.file, r.line
                    )
                    .unwrap();
                }
            }
            continue;
        };
        if to > from {
            writeln!(
                problems,
                "{}:{}: `{}` (layer \"{from_name}\") uses `{}` (layer \"{to_name}\"), a higher layer",
                r.file, r.line, r.from, r.to
            )
            .unwrap();
        }
    }
    assert!(
        problems.is_empty(),
        "references against the layer order:\n{problems}"
    );
}

#[test]
fn no_module_is_in_an_import_cycle_but_the_known_ones() {
    let references = references();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &references {
        graph.entry(&r.from).or_default().insert(&r.to);
    }
    let reaches = |start: &str, goal: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(m) = stack.pop() {
            if m == goal {
                return true;
            }
            if seen.insert(m) {
                stack.extend(graph.get(m).into_iter().flatten().copied());
            }
        }
        false
    };
    let known = |from: &str, to: &str| {
        KNOWN_CYCLES
            .iter()
            .position(|(a, b)| within(from, a) && within(to, b))
    };
    let mut problems = String::new();
    let mut used = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for r in &references {
        if !reaches(&r.to, &r.from) {
            continue;
        }
        match known(&r.from, &r.to) {
            Some(index) => {
                used.insert(index);
            }
            None => {
                if reported.insert((&r.from, &r.to)) {
                    writeln!(
                        problems,
                        "{}:{}: `{}` uses `{}`, which leads back to `{}`: an import cycle",
                        r.file, r.line, r.from, r.to, r.from
                    )
                    .unwrap();
                }
            }
        }
    }
    for (index, (from, to)) in KNOWN_CYCLES.iter().enumerate() {
        if !used.contains(&index) {
            writeln!(
                problems,
                "KNOWN_CYCLES lists `{from}` -> `{to}`, which is no longer part of a cycle: remove it \
                 (and its line in ARCHITECTURE.md)"
            )
            .unwrap();
        }
    }
    assert!(problems.is_empty(), "import cycles:\n{problems}");
}

#[test]
fn every_layer_row_names_a_module() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|p| module_of(p.strip_prefix(&root).unwrap()))
        .collect();
    for (name, rows) in LAYERS {
        for m in *rows {
            assert!(
                modules.contains(*m),
                "layer \"{name}\" names `{m}`, which is not a module in src/"
            );
        }
    }
}
