//! The commands a JavaScript or TypeScript script runs, read from its
//! literal calls only: Node's `child_process` (`exec`, `execSync`,
//! `spawn`, `spawnSync`, `execFile`, `execFileSync`, under any module
//! name: `cp.execSync`, `childProcess.spawn`), cross-spawn's `spawn.sync`,
//! execa's `execa`, `execaSync`, `execaCommand`, `execaCommandSync`, and
//! the template literals run by zx's and execa's `$` (Node.js
//! `child_process` documentation; execa's and zx's READMEs).
//!
//! A string argument of the shell-text calls (`exec*`, `execaCommand*`) is
//! shell text; the others take a program and a list of arguments. A
//! `cwd` option moves the command: a literal folder is followed, any other
//! value is a folder tplint cannot tell ([`PLACEHOLDER`]). Strings,
//! template literals, comments and regular expression literals are skipped
//! when looking for calls.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{Argument, MAX_COMMANDS, PLACEHOLDER, ScriptCommand};
use crate::source::Span;

/// Calls whose first argument is shell text.
const SHELL_CALLS: &[&str] = &["execSync", "exec", "execaCommandSync", "execaCommand"];

/// Calls whose arguments are a program and a list of its arguments.
const ARGV_CALLS: &[&str] = &[
    "spawnSync",
    "spawn.sync",
    "spawn",
    "execFileSync",
    "execFile",
    "execaSync",
    "execa",
];

/// Tags of template literals that run their text as a command (zx's `$`,
/// execa's `$` and `execa`, and their synchronous forms).
const TAGS: &[&str] = &["$.sync", "$", "execaSync", "execa"];

/// Most calls that cannot be read before the rest of a script is left.
const MAX_UNREAD: usize = 500;

/// Where a call of [`SHELL_CALLS`] or [`ARGV_CALLS`] (with its `(`) or a
/// template literal of [`TAGS`] (with its backtick) starts.
static CALL_STARTS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    let calls = SHELL_CALLS
        .iter()
        .chain(ARGV_CALLS)
        .map(|name| format!("{name}("));
    let tags = TAGS.iter().map(|tag| format!("{tag}`"));
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(calls.chain(tags).collect::<Vec<_>>())
        .expect("valid patterns")
});

/// The commands `text` runs, in order of their calls.
pub fn commands(text: &str) -> Vec<ScriptCommand> {
    let skipped = non_code(text);
    let in_code = |at: usize| {
        // `skipped` is sorted and disjoint: the last range starting at or
        // before `at` is the only one that can hold it.
        let index = skipped.partition_point(|(start, _)| *start <= at);
        index == 0 || skipped[index - 1].1 <= at
    };
    // Variables looked up by name, once each: most scripts call with
    // literals only.
    let mut constants: HashMap<String, Option<String>> = HashMap::new();
    let mut constant = |name: &str| -> Option<String> {
        constants
            .entry(name.to_string())
            .or_insert_with(|| constant(text, name, &in_code))
            .clone()
    };
    let mut found = Vec::new();
    let mut at = 0;
    // Calls that could not be read: past a few hundred, the text is not
    // a script (and each costs a bounded scan).
    let mut unread = 0;
    // Where a call read can start: the names, each with its `(` or
    // backtick, found in one pass.
    while at < text.len() && found.len() < MAX_COMMANDS {
        let Some(hit) = CALL_STARTS.find(&text[at..]) else {
            break;
        };
        let start = at + hit.start();
        at = start + 1;
        if !in_code(start) || !boundary_before(text, start) {
            continue;
        }
        let rest = &text[start..];
        // `exec(` on another object than a child process module (a
        // regular expression's, a database's) runs no command.
        if rest.starts_with("exec(") && !exec_receiver(text, start) {
            continue;
        }
        let Some((argument, cwd, len)) = call(rest, &mut constant) else {
            unread += 1;
            if unread > MAX_UNREAD {
                break;
            }
            continue;
        };
        at = start + len.max(1);
        let Some(command) = argument.and_then(|a| a.command()) else {
            continue;
        };
        let text = match cwd {
            None => command,
            Some(Folder::Literal(folder)) => {
                format!("cd {} && {command}", super::quote(&folder))
            }
            Some(Folder::Unknown) => format!("cd {PLACEHOLDER} && {command}"),
        };
        found.push(ScriptCommand {
            span: Span::new(start, start + len),
            text,
        });
    }
    found
}

/// The string variable `name` holds, when the script declares it once
/// with a string (`let command = 'pnpm publish -r'`) and never assigns it
/// again; one only appended to (`command += ' --tag beta'`) ends with a
/// word [`PLACEHOLDER`].
fn constant(text: &str, name: &str, in_code: &dyn Fn(usize) -> bool) -> Option<String> {
    let mut value: Option<String> = None;
    let mut declared = false;
    let mut appended = false;
    let finder = memchr::memmem::Finder::new(name);
    for at in finder.find_iter(text.as_bytes()) {
        let from = at + name.len();
        if !in_code(at)
            || !boundary_before(text, at)
            || text[from..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        let before = text[..at].trim_end();
        let declaration = ["const", "let", "var"].iter().any(|keyword| {
            before.strip_suffix(keyword).is_some_and(|head| {
                head.chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'))
            })
        });
        let after = text[from..].trim_start();
        // A parameter of the same name (`(command) => execSync(command)`,
        // `function run(cmd, command)`) hides the variable where it is
        // used: which value a call gets cannot be told.
        let previous = before.chars().next_back();
        let in_list = matches!(previous, Some('(' | ','))
            && after.starts_with([')', ',', ':', '='])
            && !after.starts_with("==");
        if after.starts_with("=>") || (in_list && closes_parameters(&text[from..])) {
            return None;
        }
        if declaration {
            if declared {
                // Declared twice (in two scopes): which one a call reads
                // cannot be told.
                return None;
            }
            declared = true;
            let rest = after.strip_prefix('=')?.trim_start();
            let (literal, len) = literal(rest)?;
            if !next_is_statement_end(&rest[len..]) {
                return None;
            }
            value = literal;
        } else if after.starts_with("+=") {
            appended = true;
        } else if after.starts_with('=') && !after.starts_with("==") || after.starts_with("++") {
            return None;
        }
    }
    let mut value = value?;
    if appended {
        value.push(' ');
        value.push_str(PLACEHOLDER);
    }
    Some(value)
}

/// Whether the list `text` is in (from inside it) is a function's
/// parameters: its `)` is followed by `=>` or a body's `{`.
fn closes_parameters(text: &str) -> bool {
    let mut depth = 0usize;
    for (at, c) in text.char_indices().take(MAX_SCAN) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            ')' if depth > 0 => depth -= 1,
            ')' => {
                let after = text[at + 1..].trim_start();
                return after.starts_with("=>") || after.starts_with('{');
            }
            _ => {}
        }
    }
    false
}

/// Whether what follows a declaration's string ends the statement.
fn next_is_statement_end(text: &str) -> bool {
    let rest = text.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with([';', '\n', '\r'])
}

/// Whether the script may run its commands elsewhere than where it
/// started for all of them at once (`process.chdir`, zx's `cd()` and
/// `$.cwd`): per-call `cwd` options are read with each call instead.
pub fn changes_folder(text: &str) -> bool {
    ["chdir", "$.cwd", "cd("].iter().any(|m| text.contains(m))
}

/// How the script reads its arguments or asks for answers
/// ([`super::ArgumentUse`]): `process.argv.includes('FLAG')` in code is
/// a flag test; any other read of `argv` (zx's global, an index, a
/// slice), an option parsing library or a prompt is unbounded.
pub fn argument_use(text: &str) -> super::ArgumentUse {
    use super::ArgumentUse;
    const MARKERS: &[&str] = &[
        "yargs",
        "commander",
        "minimist",
        "parseArgs",
        "meow(",
        "mri(",
        "cac(",
        "Deno.args",
        "readline",
        "prompt",
        "inquirer",
        "enquirer",
    ];
    if MARKERS.iter().any(|m| text.contains(m)) {
        return ArgumentUse::Unbounded;
    }
    if !text.contains("argv") {
        return ArgumentUse::Unread;
    }
    // Only comments are passed over: a template literal's `${...}` may
    // read the arguments too.
    let skipped = non_code(text);
    let in_comment = |at: usize| {
        let index = skipped.partition_point(|(start, _)| *start <= at);
        index > 0 && skipped[index - 1].1 > at && {
            let start = skipped[index - 1].0;
            text[start..].starts_with("//") || text[start..].starts_with("/*")
        }
    };
    let mut flags = Vec::new();
    for (at, _) in text.match_indices("argv") {
        if in_comment(at) {
            continue;
        }
        let Some(flag) = flag_test(text, at) else {
            return ArgumentUse::Unbounded;
        };
        flags.push(flag);
    }
    if flags.is_empty() {
        return ArgumentUse::Unread; // named in comments only
    }
    ArgumentUse::Bounded {
        flags,
        values: Vec::new(),
    }
}

/// The flag of `process.argv.includes('FLAG')` whose `argv` is at `at`.
fn flag_test(text: &str, at: usize) -> Option<String> {
    let before = text[..at].strip_suffix("process.")?;
    if !boundary_before(before, before.len()) {
        return None;
    }
    let rest = text[at + "argv".len()..].strip_prefix(".includes(")?;
    let rest = &rest[skip_space(rest)..];
    let (flag, len) = literal(rest)?;
    let flag = flag.filter(|f| !f.contains(PLACEHOLDER))?;
    rest[len..].trim_start().starts_with(')').then_some(flag)
}

/// A `cwd` option of a call.
enum Folder {
    Literal(String),
    Unknown,
}

/// Whether the `exec(` at `at` is child_process's: called bare (imported
/// by name), or on a name of the module (`cp`, `childProcess`,
/// `child_process`, `require('child_process')`) or shelljs's `shell`.
fn exec_receiver(text: &str, at: usize) -> bool {
    let Some(before) = text[..at].strip_suffix('.') else {
        return true;
    };
    if before.ends_with("require('child_process')")
        || before.ends_with("require(\"child_process\")")
        || before.ends_with("require('node:child_process')")
        || before.ends_with("require(\"node:child_process\")")
    {
        return true;
    }
    let start = before
        .char_indices()
        .rfind(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let receiver = before[start..].to_ascii_lowercase();
    matches!(receiver.as_str(), "cp" | "shell" | "sh") || receiver.contains("process")
}

/// No identifier character (or `$`) right before `at`; a `.` is allowed
/// (`cp.execSync`).
fn boundary_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'))
}

/// The call at the start of `text`, if it is one of the calls read: its
/// argument (`None` when it is not literal), its `cwd` option and its
/// length.
fn call(
    text: &str,
    constant: &mut dyn FnMut(&str) -> Option<String>,
) -> Option<(Option<Argument>, Option<Folder>, usize)> {
    for tag in TAGS {
        if let Some(rest) = text.strip_prefix(tag)
            && rest.starts_with('`')
        {
            let (value, len) = literal(rest)?;
            return Some((value.map(Argument::Shell), None, tag.len() + len));
        }
    }
    let (name, argv) = SHELL_CALLS
        .iter()
        .map(|name| (*name, false))
        .chain(ARGV_CALLS.iter().map(|name| (*name, true)))
        .find(|(name, _)| {
            text.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('('))
        })?;
    let open = name.len();
    let close = open + closing(&text[open..])?;
    let inside = &text[open + 1..close];
    let mut at = skip_space(inside);
    let (mut first, len) = literal(&inside[at..]).or_else(|| {
        // A variable holding a string the script sets once.
        let rest = &inside[at..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        (end > 0)
            .then(|| constant(&rest[..end]))
            .flatten()
            .map(|value| (Some(value), end))
    })?;
    at += len;
    at += skip_space(&inside[at..]);
    // `'npm version ' + next`: text the script computes, to the argument's
    // end, which may continue the last word (`'v' + version`). After an
    // upload's subcommand (`'npm publish' + flags`: catamphetamine/
    // libphonenumber-js's release script) it is taken as more words, the
    // way flags are added to a command.
    if !inside[at..].is_empty() && !inside[at..].starts_with(',') {
        first = first.map(|text| {
            let last = text.rsplit(char::is_whitespace).next().unwrap_or_default();
            if text.contains(char::is_whitespace)
                && !last.is_empty()
                && crate::facts::publish::mentions_upload_word(last)
            {
                text + " " + PLACEHOLDER
            } else {
                text + PLACEHOLDER
            }
        });
        at += value_end(&inside[at..]);
    }
    let mut argument = first.clone().map(Argument::Shell);
    if argv {
        let mut words = vec![first];
        if let Some(rest) = inside[at..].strip_prefix(',') {
            let from = at + 1 + skip_space(rest);
            if inside[from..].starts_with('[') {
                let end = from + closing(&inside[from..])?;
                words.extend(list(&inside[from + 1..end]));
                at = end + 1;
                at += skip_space(&inside[at..]);
            }
        }
        argument = Some(Argument::Argv(words));
    }
    let mut cwd = None;
    if let Some(rest) = inside[at..].strip_prefix(',') {
        let from = at + 1 + skip_space(rest);
        let options = &inside[from..];
        if options.starts_with('{') {
            let end = closing(options)?;
            cwd = folder(&options[1..end]);
        } else if !options.trim().is_empty() {
            // Options given as a value: they may name a folder.
            cwd = Some(Folder::Unknown);
        }
    }
    Some((argument, cwd, close + 1))
}

/// The `cwd` entry of an options object's text (between its braces).
fn folder(options: &str) -> Option<Folder> {
    let mut from = 0;
    while let Some(found) = options[from..].find("cwd") {
        let at = from + found;
        from = at + 3;
        if !boundary_before(options, at)
            || options[from..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        let after = options[from..].trim_start();
        let Some(value) = after.strip_prefix(':') else {
            // `{ cwd }`: a variable's value.
            return Some(Folder::Unknown);
        };
        let value = value.trim_start();
        if value.starts_with("process.cwd()") {
            return None;
        }
        return Some(match literal(value) {
            Some((Some(folder), _)) if !folder.contains(PLACEHOLDER) => Folder::Literal(folder),
            _ => Folder::Unknown,
        });
    }
    // `...options` may carry a `cwd`.
    options.contains("...").then_some(Folder::Unknown)
}

/// The elements of an array's text (between its brackets): strings, and
/// `None` for any other value (a variable, a spread).
fn list(text: &str) -> Vec<Option<String>> {
    let mut words = Vec::new();
    let mut at = 0;
    while at < text.len() && words.len() <= 100 {
        at += skip_space(&text[at..]);
        let rest = &text[at..];
        if rest.is_empty() {
            break;
        }
        match literal(rest) {
            Some((word, len)) if next_is_separator(&rest[len..]) => {
                words.push(word);
                at += len;
            }
            _ => {
                // A value: to the next comma outside brackets and strings.
                words.push(None);
                at += value_end(rest);
            }
        }
        at += skip_space(&text[at..]);
        if text[at..].starts_with(',') {
            at += 1;
        }
    }
    words
}

/// Whether what follows a string ends the element (`,` or the end), not
/// an expression (`'a' + b`).
fn next_is_separator(text: &str) -> bool {
    let rest = text.trim_start();
    rest.is_empty() || rest.starts_with(',')
}

/// The length of a value up to the next top-level comma.
fn value_end(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) if c == q && previous != '\\' => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if matches!(c, '(' | '[' | '{') => depth += 1,
            None if matches!(c, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            None if c == ',' && depth == 0 => return at,
            None => {}
        }
        previous = if previous == '\\' && c == '\\' {
            ' '
        } else {
            c
        };
    }
    text.len()
}

fn skip_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// A string or template literal at the start of `text`: its value (each
/// `${...}` replaced by [`PLACEHOLDER`]) and its length; `None` when
/// `text` does not start with one or it is not closed.
fn literal(text: &str) -> Option<(Option<String>, usize)> {
    literal_at(text, 0)
}

/// Most nested template literals and brackets read (`${`...`${`...), and
/// most bytes one literal or bracket is searched for its end: past
/// either, the text is not read, so that hostile input costs neither the
/// stack nor more than linear time.
const MAX_NESTING: usize = 32;
const MAX_SCAN: usize = 20_000;

/// [`literal`], `nesting` template literals deep.
fn literal_at(text: &str, nesting: usize) -> Option<(Option<String>, usize)> {
    if nesting > MAX_NESTING {
        return None;
    }
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let mut value = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        if at > MAX_SCAN {
            return None;
        }
        match c {
            '\n' if quote != '`' => return None,
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            c if c == quote => return Some((Some(value), at + 1)),
            '$' if quote == '`' && text[at..].starts_with("${") => {
                let close = at + closing_at(&text[at + 1..], nesting + 1)? + 1;
                // After an upload's subcommand it is more words, as text
                // added to a string is (mikro-orm/mikro-orm's `jsr
                // publish${flags}`).
                let last = value.rsplit(char::is_whitespace).next().unwrap_or_default();
                if value.contains(char::is_whitespace)
                    && !last.is_empty()
                    && crate::facts::publish::mentions_upload_word(last)
                {
                    value.push(' ');
                }
                value.push_str(PLACEHOLDER);
                while chars.next().is_some_and(|(offset, _)| offset < close) {}
            }
            c => value.push(c),
        }
    }
    None
}

/// The byte offset of the bracket closing the one `text` starts with,
/// outside strings, template literals and comments.
fn closing(text: &str) -> Option<usize> {
    closing_at(text, 0)
}

/// [`closing`], `nesting` template literals deep.
fn closing_at(text: &str, nesting: usize) -> Option<usize> {
    if nesting > MAX_NESTING {
        return None;
    }
    let open = text.chars().next()?;
    let close = match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        _ => return None,
    };
    let mut depth = 0usize;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let c = rest.chars().next()?;
        if matches!(c, '"' | '\'' | '`') {
            at += literal_at(rest, nesting)?.1;
            continue;
        }
        if rest.starts_with("//") {
            at += rest.find('\n')?;
            continue;
        }
        if rest.starts_with("/*") {
            at += rest.find("*/")? + 2;
            continue;
        }
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(at);
            }
        }
        at += c.len_utf8();
        if at > MAX_SCAN {
            return None;
        }
    }
    None
}

/// The byte ranges of `text` that are not code: strings, template
/// literals, comments and regular expression literals, in order.
fn non_code(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut at = 0;
    // The last character of code before `at`, to tell a regular
    // expression from a division.
    let mut last = b'\n';
    while at < bytes.len() {
        let c = bytes[at];
        let end = match c {
            b'"' | b'\'' | b'`' => {
                Some(literal(&text[at..]).map_or_else(|| line_end(text, at), |(_, len)| at + len))
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => Some(line_end(text, at)),
            b'/' if bytes.get(at + 1) == Some(&b'*') => Some(
                text[at + 2..]
                    .find("*/")
                    .map_or(text.len(), |end| at + 2 + end + 2),
            ),
            b'/' if b"(,=:[!&|?{};\n".contains(&last) => regex_end(text, at),
            _ => None,
        };
        match end {
            Some(end) => {
                ranges.push((at, end));
                at = end;
                last = b'"';
            }
            None => {
                if !c.is_ascii_whitespace() || c == b'\n' {
                    last = c;
                }
                at += 1;
            }
        }
    }
    ranges
}

/// The end of the line holding `at`.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |end| at + end)
}

/// The end of a regular expression literal starting at `at` (its closing
/// `/` on the same line, outside a character class), or `None`.
fn regex_end(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut class = false;
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\n' => return None,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        commands(text).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn calls() {
        let script = r#"import { execSync, spawnSync } from 'node:child_process'
import { $ } from 'zx'
const cp = require("child_process")
const version = require('./package.json').version // execSync('npm publish --tag old')
/* spawnSync('npm', ['publish']) */
execSync('npm run build', { stdio: 'inherit' })
cp.execSync(`git tag v${version}`)
spawnSync('npm', ['publish', '--access', 'public'], { stdio: 'inherit' })
execSync('npm publish --access public --tag devel', {
  cwd: './packages/typed-pg',
  stdio: 'inherit',
})
execSync('npm publish', { cwd: pkgDir })
cp.execSync('npm version ' + next, { cwd, stdio: 'inherit' })
execSync('npm publish', { cwd: process.cwd() })
await $`pnpm publish --no-git-checks`
await execa('cargo', ['publish', ...flags])
const re = /exec('x')/
console.log("execSync('npm publish')")
execSync(command)
spawn(tool, ['publish'])
let publish = 'pnpm publish -r --access public'
if (beta) publish += ' --tag beta'
execSync(publish, { stdio: 'inherit' })
let other = 'npm publish'
other = 'npm pack'
execSync(other)
const shadowed = 'npm publish --provenance'
const build = (shadowed) => execSync(shadowed, { stdio: 'inherit' })
const found = /exec('npm publish')/.exec('npm publish')
db.exec('npm publish')
execSync(`cd ${dir} && jsr publish${flags}`, { stdio: 'inherit' })
execSync(`cd ${dir} && ${tool} publish`)
"#;
        assert_eq!(
            texts(script),
            [
                "npm run build",
                "git tag v…",
                "npm publish --access public",
                "cd ./packages/typed-pg && npm publish --access public --tag devel",
                "cd … && npm publish",
                "cd … && npm version …",
                "npm publish",
                "pnpm publish --no-git-checks",
                "cargo publish '…'",
                "pnpm publish -r --access public …",
                // mikro-orm/mikro-orm scripts/publish-jsr.mjs: the folder
                // is unknown, the command literal.
                "cd … && jsr publish …",
            ]
        );
        let found = commands(script);
        assert_eq!(
            &script[found[0].span.range()],
            "execSync('npm run build', { stdio: 'inherit' })"
        );
        assert_eq!(
            argument_use("const dry = process.argv.includes('--dry')\n"),
            super::super::ArgumentUse::Bounded {
                flags: vec!["--dry".to_string()],
                values: Vec::new(),
            }
        );
        assert_eq!(argument_use(script), super::super::ArgumentUse::Unread);
        assert!(changes_folder("process.chdir(dir)\n"));
        assert!(!changes_folder(script));
    }

    #[test]
    fn flag_tests_are_the_only_bounded_reads() {
        use super::super::ArgumentUse;
        // mikro-orm/mikro-orm scripts/publish-jsr.mjs.
        let script = "const dryRun = process.argv.includes('--dry-run');\n\
            const flags = dryRun ? ' --dry-run --allow-dirty' : '';\n\
            // process.argv is read once\n\
            execSync(`cd ${dir} && jsr publish${flags}`, { stdio: 'inherit' });\n";
        let uses = argument_use(script);
        assert_eq!(
            uses,
            ArgumentUse::Bounded {
                flags: vec!["--dry-run".to_string()],
                values: Vec::new(),
            }
        );
        assert!(uses.decided_by(Some(&[])));
        assert!(uses.decided_by(Some(&["packages".to_string()])));
        assert!(!uses.decided_by(Some(&["--dry-run".to_string()])));
        assert!(!uses.decided_by(None));
        for unbounded in [
            "const [, , target] = process.argv\n",
            "execSync(`npm publish ${process.argv[2]}`)\n",
            "if (process.argv.includes(flag)) {}\n",
            "const args = process.argv.slice(2)\n",
            "if (argv.publish) $`npm publish`\n",
            "const { values } = parseArgs({ options })\n",
        ] {
            assert_eq!(
                argument_use(unbounded),
                ArgumentUse::Unbounded,
                "{unbounded}"
            );
        }
        // A flag that turns the upload on, absent.
        let publish =
            argument_use("if (process.argv.includes('--publish')) execSync('npm publish')\n");
        assert!(!publish.decided_by(Some(&[])));
    }

    #[test]
    fn text_added_after_a_subcommand_is_more_words() {
        let script = "const flags = process.env.CI ? ' --provenance' : ''\n\
            execSync('npm publish' + flags)\n\
            execSync('git tag v' + version)\n\
            execSync('npm run build' + suffix)\n";
        assert_eq!(
            texts(script),
            ["npm publish …", "git tag v…", "npm run build…"]
        );
    }

    #[test]
    fn hostile_scripts_are_read_in_bounded_time_and_stack() {
        // Template literals nested far past what is read.
        let nested = "execSync(`${".repeat(30_000);
        assert!(commands(&nested).is_empty());
        // Many calls that cannot be read, each unclosed.
        let unclosed = "exec(".repeat(200_000);
        assert!(commands(&unclosed).is_empty());
        let many = "execSync('npm publish')\n".repeat(1_000);
        assert_eq!(commands(&many).len(), MAX_COMMANDS);
    }

    #[test]
    fn bad_input_is_not_read() {
        let script = "execSync(`npm publish ${a ? '--dry-run' : ''}`, {cwd: `x/${y}`})\n\
            spawn.sync('npm', ['publish', \"é\"], opts)\n$`npm publish ${x}`\n\
            const a = b / c; execFileSync('gem', ['push'])\n";
        for (at, _) in script.char_indices() {
            for text in [&script[..at], &script[at..]] {
                let _ = commands(text);
            }
        }
        assert_eq!(
            texts(script),
            [
                "cd … && npm publish …",
                "cd … && npm publish 'é'",
                "npm publish …",
                "gem push"
            ]
        );
    }
}
