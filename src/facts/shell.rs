//! Just enough shell to find uploads in `run:` scripts: continuation lines
//! are joined, commands are split at `&&`, `||`, `;`, `|` and newlines,
//! words keep their quotes' contents, and `${{ ... }}` stays one word even
//! with spaces inside. Leading `VAR=value` and `env VAR=value` assignments
//! are separated from the command, and `export VAR=value` lines are
//! remembered for the commands after them. A command whose program is an
//! unquoted variable carries the values the script gave it before.

use std::collections::HashMap;
use std::sync::Arc;

/// The text after a word's last `/`, or the whole word without one: the
/// program of `/usr/bin/twine`, the file of `scripts/release.sh`. A byte
/// loop, because the words are short and this is asked of every command
/// several times, where `rsplit('/')` would set up a searcher each time.
pub fn last_component(word: &str) -> &str {
    match word.bytes().rposition(|b| b == b'/') {
        Some(at) => &word[at + 1..],
        None => word,
    }
}

/// [`last_component`] with Windows' `\` as a separator too (`.\build.ps1`).
pub fn last_component_of_either(word: &str) -> &str {
    match word.bytes().rposition(|b| b == b'/' || b == b'\\') {
        Some(at) => &word[at + 1..],
        None => word,
    }
}

/// Programs that publish nothing and run no other program of the
/// repository: the shell's own words and the POSIX utilities
/// (pubs.opengroup.org/onlinepubs/9799919799/idx/utilities.html, those
/// that neither upload nor run a command given to them), and the usual
/// tools of a release job around an upload (git, gh, archivers,
/// checksums, jq/yq). A step running only these and commands tplint reads
/// is one it has seen whole.
pub const UTILITIES: &[&str] = &[
    // The shell's keywords and builtins (bash(1) "SHELL BUILTIN COMMANDS").
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "for",
    "while",
    "until",
    "do",
    "done",
    "case",
    "esac",
    "in",
    "function",
    "{",
    "}",
    "[",
    "[[",
    "]]",
    "!",
    ":",
    "true",
    "false",
    "test",
    "echo",
    "printf",
    "cd",
    "pushd",
    "popd",
    "export",
    "set",
    "unset",
    "shift",
    "local",
    "declare",
    "readonly",
    "read",
    "return",
    "exit",
    "break",
    "continue",
    "trap",
    "wait",
    "umask",
    "alias",
    "shopt",
    "type",
    "hash",
    "cat",
    // POSIX utilities that change files or print text.
    "mkdir",
    "rm",
    "rmdir",
    "cp",
    "mv",
    "ln",
    "ls",
    "chmod",
    "chown",
    "touch",
    "tee",
    "grep",
    "egrep",
    "sed",
    "awk",
    "cut",
    "tr",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "basename",
    "dirname",
    "date",
    "sleep",
    "pwd",
    "which",
    "whoami",
    "uname",
    "diff",
    "cmp",
    "file",
    "realpath",
    "readlink",
    "mktemp",
    "stat",
    "du",
    "df",
    "seq",
    "yes",
    "expr",
    // Archivers, checksums, data tools, and git and GitHub's CLI.
    "tar",
    "gzip",
    "gunzip",
    "zip",
    "unzip",
    "xz",
    "sha256sum",
    "sha512sum",
    "shasum",
    "md5sum",
    "jq",
    "yq",
    "git",
    "gh",
];

/// One simple command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    /// Assignments written before the command (`VAR=x cmd`, `env VAR=x cmd`).
    pub assignments: Vec<(String, String)>,
    /// The script's exports; the first `exported` of them are in effect here.
    exports: Arc<Exports>,
    exported: usize,
    /// The script's shell variables set on lines of their own (`VAR=x`,
    /// not exported); the first `assigned_count` of them are set here.
    assigned: Arc<Exports>,
    assigned_count: usize,
    pub words: Vec<String>,
    /// Byte offset of the command's first character in the script.
    pub offset: usize,
    /// How many subshells (`( ... )`) the command runs in: a `cd` in one
    /// ends with it.
    pub subshell: usize,
    /// Which subshell it runs in (a number of its own for each `(`, 0 for
    /// none): two subshells one after the other at the same depth are
    /// told apart.
    pub subshell_id: usize,
    /// The `if` branches the command is in that test whether a variable
    /// is set (`if [ -n "${VAR:-}" ]`): the variable, and whether the
    /// branch runs when it is set.
    pub guards: Vec<(String, bool)>,
    /// For a command whose program is an unquoted variable (`$publish_cmd`,
    /// `${CMD} --flag`), what the values the script gave it before may run
    /// ([`HeldCommand`]); empty for any other command.
    pub held: Vec<HeldCommand>,
}

/// A command held in a shell variable and run by naming it unquoted
/// (DataDog/dd-trace-rs scripts/publish-crate.sh: `local
/// publish_cmd="cargo publish ... --token $token"`, `if $publish_cmd;
/// then`): the value's words (split at blanks, as the shell splits an
/// unquoted expansion) and the byte offset of the assignment in the
/// script, where the words are written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeldCommand {
    pub words: Vec<String>,
    pub offset: usize,
}

/// An `if` the commands are inside.
struct IfFrame {
    /// A number of its own, for telling the branch an assignment was made
    /// in (see [`Exports::branches`]).
    id: usize,
    /// `[ -n "$VAR" ]` (set: true) or `[ -z "$VAR" ]` (false), when the
    /// whole condition is one such test.
    guard: Option<(String, bool)>,
    in_else: bool,
    /// The condition is still being read (no `then` yet).
    reading: bool,
}

/// The variable a test word names: `$VAR`, `${VAR}`, `${VAR:-}`, `${VAR-}`.
fn tested_variable(word: &str) -> Option<String> {
    let name = word.strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(inner) => {
            let inner = inner.strip_suffix('}')?;
            inner
                .strip_suffix(":-")
                .or_else(|| inner.strip_suffix('-'))
                .unwrap_or(inner)
        }
        None => name,
    };
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| name.to_string())
}

/// A condition that is one test of whether a variable is empty.
fn variable_test(words: &[String]) -> Option<(String, bool)> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let (flag, word) = match words.as_slice() {
        ["[", flag, word, "]"] | ["[[", flag, word, "]]"] | ["test", flag, word] => (*flag, *word),
        _ => return None,
    };
    let set = match flag {
        "-n" => true,
        "-z" => false,
        _ => return None,
    };
    Some((tested_variable(word)?, set))
}

/// The innermost `if` branch a line is in: the frame's number and whether
/// it is the `else` branch; `None` outside any `if`.
type Branch = (usize, bool);

/// Every `export VAR=value` of a script, in order, shared by its commands:
/// a copy per command would need memory quadratic in the script's length.
#[derive(Debug, Default, PartialEq, Eq)]
struct Exports {
    list: Vec<(String, String)>,
    /// Positions in `list` of each name, ascending.
    by_name: HashMap<String, Vec<usize>>,
    /// The byte offset in the script of each entry of `list`.
    offsets: Vec<usize>,
    /// The `if` branch each entry of `list` was set in.
    branches: Vec<Option<Branch>>,
}

impl Exports {
    fn push(&mut self, name: String, value: String, offset: usize, branch: Option<Branch>) {
        self.by_name
            .entry(name.clone())
            .or_default()
            .push(self.list.len());
        self.list.push((name, value));
        self.offsets.push(offset);
        self.branches.push(branch);
    }

    /// The last `most` entries for `name` so far (a script that sets one
    /// variable thousands of times costs no more per command).
    fn last_entries<'e>(
        &'e self,
        name: &str,
        most: usize,
    ) -> impl Iterator<Item = (usize, &'e str, Option<Branch>)> + 'e {
        let positions = self.by_name.get(name).map_or(&[][..], Vec::as_slice);
        positions[positions.len().saturating_sub(most)..]
            .iter()
            .map(|&at| {
                (
                    self.offsets[at],
                    self.list[at].1.as_str(),
                    self.branches[at],
                )
            })
    }

    /// The latest entry for `name` among the first `count`, with its
    /// offset.
    fn latest(&self, name: &str, count: usize) -> Option<(usize, &str)> {
        let positions = self.by_name.get(name)?;
        let before = positions.partition_point(|&p| p < count);
        let at = positions[..before].last().copied()?;
        Some((self.offsets[at], self.list[at].1.as_str()))
    }
}

impl Command {
    /// The value of variable `name` for this command: its own assignment,
    /// else the latest export before it.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.variable(name).map(|(_, value)| value)
    }

    /// Like [`Command::env`], with the variable's name as written.
    pub fn variable(&self, name: &str) -> Option<(&str, &str)> {
        if let Some((n, v)) = self.assignments.iter().rev().find(|(n, _)| n == name) {
            return Some((n, v));
        }
        let positions = self.exports.by_name.get(name)?;
        let before = positions.partition_point(|&p| p < self.exported);
        let (n, v) = &self.exports.list[positions[..before].last().copied()?];
        Some((n, v))
    }

    /// The value the shell gives `$name` in this command's words: the
    /// latest `export` or `VAR=x` line of the script before it, when that
    /// value is literal (pnpm/pnpm's npm-staged-publication.sh:
    /// `registry=https://registry.npmjs.org/` then `--registry
    /// "$registry"`). Not what the program's environment holds: a
    /// variable that is not exported is not passed on.
    pub fn shell_variable(&self, name: &str) -> Option<&str> {
        let exported = self.exports.latest(name, self.exported);
        let assigned = self.assigned.latest(name, self.assigned_count);
        let (_, value) = match (exported, assigned) {
            (Some(e), Some(a)) => std::cmp::max_by_key(e, a, |(offset, _)| *offset),
            (e, a) => e.or(a)?,
        };
        (!value.contains(['$', '`']) && !value.is_empty()).then_some(value)
    }

    /// Every variable in effect, the latest first (a name may repeat).
    pub fn variables(&self) -> impl Iterator<Item = (&str, &str)> {
        self.assignments
            .iter()
            .rev()
            .chain(self.exports.list[..self.exported].iter().rev())
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

fn is_assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then(|| (name.to_string(), value.to_string()))
}

/// Shell reserved words that may come before a simple command in the same
/// list (POSIX shell grammar: `if`, `then`, `else`, `elif`, `while`,
/// `until`, `do`, `!`, `{`).
const LEADING_RESERVED_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "while", "until", "do", "!", "{",
];

/// Split a script into commands.
pub fn commands(script: &str) -> Vec<Command> {
    commands_and_variables(script).0
}

/// [`commands`], and the script's exports and shell variables.
fn commands_and_variables(script: &str) -> (Vec<Command>, Arc<Exports>, Arc<Exports>) {
    let mut commands = Vec::new();
    let mut exports = Exports::default();
    let mut assigned = Exports::default();
    // Variables set to values no text says, read only for held commands.
    let mut unknowns = Exports::default();
    let mut ifs: Vec<IfFrame> = Vec::new();
    let mut frames = 0;
    for Split {
        words,
        offset,
        subshell,
        subshell_id,
        quoted,
    } in split(script)
    {
        let line_offset = offset;
        // A condition of more than one command is not a plain test.
        if let Some(frame) = ifs.last_mut()
            && frame.reading
            && words.first().map(String::as_str) != Some("then")
        {
            frame.guard = None;
        }
        if words.len() == 1 && words[0] == "fi" {
            ifs.pop();
        }
        let mut words = words.into_iter().peekable();
        // How many words come before the command's program.
        let mut skipped = 0;
        // Reserved words before a command (`then twine upload ...`,
        // `do uv publish; done`): the command after them runs.
        let mut opens_if = false;
        while let Some(word) = words
            .peek()
            .filter(|w| LEADING_RESERVED_WORDS.contains(&w.as_str()))
        {
            match word.as_str() {
                "if" => opens_if = true,
                "then" => {
                    if let Some(frame) = ifs.last_mut() {
                        frame.reading = false;
                    }
                }
                "else" => {
                    if let Some(frame) = ifs.last_mut() {
                        frame.in_else = true;
                    }
                }
                "elif" => {
                    if let Some(frame) = ifs.last_mut() {
                        frame.guard = None;
                        frame.reading = true;
                        // Another branch: what the one before set may not be.
                        frames += 1;
                        frame.id = frames;
                    }
                }
                _ => {}
            }
            words.next();
            skipped += 1;
        }
        if opens_if {
            let rest: Vec<String> = words.collect();
            frames += 1;
            ifs.push(IfFrame {
                id: frames,
                guard: variable_test(&rest),
                in_else: false,
                reading: true,
            });
            words = rest.into_iter().peekable();
        }
        let guards: Vec<(String, bool)> = ifs
            .iter()
            .filter(|f| !f.reading)
            .filter_map(|f| {
                f.guard
                    .as_ref()
                    .map(|(name, set)| (name.clone(), *set != f.in_else))
            })
            .collect();
        let branch = ifs.last().map(|f| (f.id, f.in_else));
        if words.peek().map(String::as_str) == Some("export") {
            words.next();
            for (name, value) in words.filter_map(|w| is_assignment(&w)) {
                exports.push(name, value, line_offset, branch);
            }
            continue;
        }
        // `for NAME in`, `select NAME in`, `read NAME...` and `unset
        // NAME...` give a variable a value no text says.
        if words.peek().is_some_and(|w| sets_unknown_values(w)) {
            for name in unknown_values(words.clone()) {
                unknowns.push(name, UNKNOWN_VALUE.to_string(), line_offset, branch);
            }
        }
        // `local NAME=value` (and `declare`, `typeset`, `readonly`) sets a
        // shell variable as `NAME=value` does; `-x` exports it.
        if words
            .peek()
            .is_some_and(|w| DECLARATION_BUILTINS.contains(&w.as_str()))
        {
            let rest: Vec<String> = words.collect();
            if let Some(declared) = declaration(&rest[1..]) {
                let (table, pairs) = match declared {
                    Declared::Exported(pairs) => (&mut exports, pairs),
                    Declared::Set(pairs) => (&mut assigned, pairs),
                };
                for (name, value) in pairs {
                    table.push(name, value, line_offset, branch);
                }
                continue;
            }
            words = rest.into_iter().peekable();
        }
        let mut assignments = Vec::new();
        loop {
            if words.peek().map(String::as_str) == Some("env") {
                words.next();
            } else if let Some(assignment) = words.peek().and_then(|w| is_assignment(w)) {
                assignments.push(assignment);
                words.next();
            } else {
                break;
            }
            skipped += 1;
        }
        let words: Vec<String> = words.collect();
        if words.is_empty() {
            // `VAR=x` alone sets a shell variable; tools do not see it
            // unless exported, the shell expands it in later commands.
            for (name, value) in assignments {
                assigned.push(name, value, line_offset, branch);
            }
            continue;
        }
        let program_quoted = skipped >= 64 || quoted >> skipped & 1 == 1;
        let held = if program_quoted {
            Vec::new()
        } else {
            held_commands(&words[0], [&exports, &assigned, &unknowns], &ifs)
        };
        commands.push(Command {
            assignments,
            exports: Arc::default(),
            exported: exports.list.len(),
            assigned: Arc::default(),
            assigned_count: assigned.list.len(),
            words,
            offset,
            subshell,
            subshell_id,
            guards,
            held,
        });
    }
    let exports = Arc::new(exports);
    let assigned = Arc::new(assigned);
    for command in &mut commands {
        command.exports = Arc::clone(&exports);
        command.assigned = Arc::clone(&assigned);
    }
    (commands, exports, assigned)
}

/// Whether a command starting with `word` may set variables to values no
/// script text says ([`unknown_values`]).
fn sets_unknown_values(word: &str) -> bool {
    matches!(word, "for" | "select" | "read" | "unset") || DECLARATION_BUILTINS.contains(&word)
}

/// The variables a command sets to values no script text says: the name
/// of `for NAME` and `select NAME`, the names `read` reads into (after its
/// options; bash(1) `read [-ers] [-a aname] [-d delim] [-i text] [-n
/// nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]`), those
/// `unset` unsets, and those a declaration builtin names without a value
/// (`local NAME`).
fn unknown_values(mut words: impl Iterator<Item = String>) -> Vec<String> {
    let Some(first) = words.next() else {
        return Vec::new();
    };
    let rest: Vec<String> = words.collect();
    let names = |args: &[String], with_value: &[&str]| -> Vec<String> {
        let mut out = Vec::new();
        let mut skip = false;
        for arg in args {
            if std::mem::take(&mut skip) {
                continue;
            }
            if arg.starts_with('-') {
                skip = with_value.contains(&arg.as_str());
                continue;
            }
            if is_name(arg) {
                out.push(arg.clone());
            }
        }
        out
    };
    match first.as_str() {
        "for" | "select" => rest
            .first()
            .filter(|w| is_name(w))
            .cloned()
            .into_iter()
            .collect(),
        "read" => names(&rest, &["-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u"]),
        "unset" => names(&rest, &[]),
        w if DECLARATION_BUILTINS.contains(&w) => names(&rest, &[]),
        _ => Vec::new(),
    }
}

/// Builtins that set variables from `NAME=value` words (bash(1), SHELL
/// BUILTIN COMMANDS: `declare`, `local`, `readonly`, `typeset`).
const DECLARATION_BUILTINS: &[&str] = &["local", "declare", "typeset", "readonly"];

/// What a declaration builtin sets.
enum Declared {
    /// `-x` among its options: exported.
    Exported(Vec<(String, String)>),
    Set(Vec<(String, String)>),
}

/// The assignments of a declaration builtin's arguments, when every
/// argument is an option, a name or an assignment (`local -r a=1 b`);
/// `None` for anything else (`declare -f`, a word from an expansion).
fn declaration(args: &[String]) -> Option<Declared> {
    let mut exported = false;
    let mut pairs = Vec::new();
    for arg in args {
        if let Some(flags) = arg.strip_prefix('-') {
            // `-f`/`-F` name functions, `-p` prints: nothing is set.
            if flags.contains(['f', 'F', 'p']) {
                return None;
            }
            exported |= flags.contains('x');
        } else if let Some(pair) = is_assignment(arg) {
            pairs.push(pair);
        } else if !is_name(arg) {
            return None;
        }
    }
    Some(if exported {
        Declared::Exported(pairs)
    } else {
        Declared::Set(pairs)
    })
}

fn is_name(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !word.starts_with(|c: char| c.is_ascii_digit())
}

/// The variable a word is when it is nothing else: `$NAME`, `${NAME}`.
fn whole_variable(word: &str) -> Option<&str> {
    let name = word.strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}')?,
        None => name,
    };
    is_name(name).then_some(name)
}

/// Most values of one variable a held command is read from.
const MAX_HELD_VALUES: usize = 8;

/// Most assignments of one variable looked back at, per table.
const MAX_HELD_LOOKBACK: usize = 32;

/// Most words of a held command: a value that names its variable several
/// times (`a="$a $a"`) doubles it each time.
const MAX_HELD_WORDS: usize = 256;

/// The value recorded for a variable a command sets to something no
/// script text says (`for NAME in`, `read NAME`, `unset NAME`, a bare
/// `local NAME`): not literal, so nothing held before it is run through
/// it.
const UNKNOWN_VALUE: &str = "$(unknown)";

/// What a command whose program is `program`, unquoted, may run: when it
/// is a variable the script set before, as a literal string (expansions
/// of other variables stay as written), the value each assignment that
/// may be in effect gave it. That is the latest one made outside any
/// `if` or in a branch the command is in too, and those made after it in
/// other branches (which may or may not have run). A value that names the
/// variable itself (`cmd="$cmd --dry-run"`) adds to the value before it.
fn held_commands(program: &str, tables: [&Exports; 3], ifs: &[IfFrame]) -> Vec<HeldCommand> {
    let Some(name) = whole_variable(program) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = tables
        .iter()
        .flat_map(|t| t.last_entries(name, MAX_HELD_LOOKBACK))
        .collect();
    if entries.is_empty() {
        return Vec::new();
    }
    entries.sort_by_key(|(offset, ..)| *offset);
    let in_effect = |branch: Option<Branch>| {
        branch.is_none_or(|(id, in_else)| ifs.iter().any(|f| f.id == id && f.in_else == in_else))
    };
    let first = entries
        .iter()
        .rposition(|(_, _, branch)| in_effect(*branch))
        .unwrap_or(0);
    let mut held: Vec<HeldCommand> = Vec::new();
    for (offset, value, _) in entries.iter().skip(first).take(MAX_HELD_VALUES) {
        // A command substitution's output is not literal.
        if value.contains("$(") || value.contains('`') {
            continue;
        }
        let mut words = Vec::new();
        let mut at = *offset;
        let mut unknown = false;
        for word in value.split_whitespace() {
            if words.len() > MAX_HELD_WORDS {
                unknown = true;
                break;
            }
            if whole_variable(word) == Some(name) {
                match held.last() {
                    Some(before) => {
                        words.extend(before.words.iter().cloned());
                        at = before.offset;
                    }
                    None => unknown = true,
                }
            } else {
                words.push(word.to_string());
            }
        }
        if !unknown && !words.is_empty() {
            held.push(HeldCommand { words, offset: at });
        }
    }
    held
}

/// One simple command as [`split`] reads it.
struct Split {
    words: Vec<String>,
    /// The command's byte offset.
    offset: usize,
    /// How many subshells it is in, and the number of the innermost one.
    subshell: usize,
    subshell_id: usize,
    /// Bit `i` is set when word `i` (of the first 64) has quotes in it.
    quoted: u64,
}

/// Words of each simple command, with the command's byte offset, how
/// many subshells it is in, and the number of the innermost one. A `(` that starts a word opens a subshell and
/// a `)` closes one, both ending the command before them (`(cd pkg && npm
/// publish)`); a `(` inside a word (`f()`, `a=(x y)`) stays in it.
fn split(script: &str) -> Vec<Split> {
    let bytes = script.as_bytes();
    let mut result = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut start = None;
    let mut depth: usize = 0;
    // The numbers of the open subshells, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut opened = 0;
    let mut i = 0;
    // Whether the word being read has quotes in it, and the quoted words
    // of the command so far.
    let mut word_quoted = false;
    let mut quoted: u64 = 0;
    let finish_word = |word: &mut String,
                       in_word: &mut bool,
                       words: &mut Vec<String>,
                       word_quoted: &mut bool,
                       quoted: &mut u64| {
        if *in_word {
            if *word_quoted && words.len() < 64 {
                *quoted |= 1 << words.len();
            }
            words.push(std::mem::take(word));
            *in_word = false;
        }
        *word_quoted = false;
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            // PowerShell's line continuation (a backtick at the end of a
            // line) and block comment (`<# ... #>`), for `.ps1` scripts
            // and `shell: pwsh` steps; in POSIX shell neither is usual.
            b'`' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'`' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'<' if !in_word && bytes.get(i + 1) == Some(&b'#') => {
                i = script[i..].find("#>").map_or(bytes.len(), |p| i + p + 2);
            }
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'\'' | b'"' => {
                let close = script[i + 1..]
                    .find(c as char)
                    .map_or(bytes.len(), |p| i + 1 + p);
                word.push_str(&script[i + 1..close.min(bytes.len())]);
                in_word = true;
                word_quoted = true;
                start.get_or_insert(i);
                i = close + 1;
            }
            b'$' if script[i..].starts_with("${{") => {
                let close = script[i..].find("}}").map_or(bytes.len(), |p| i + p + 2);
                word.push_str(&script[i..close]);
                in_word = true;
                start.get_or_insert(i);
                i = close;
            }
            // `$(...)` and backticks: a command substitution stays part of
            // the word it is in (`V=$(curl https://...)` assigns; it does
            // not run `https://...`).
            b'$' if bytes.get(i + 1) == Some(&b'(') => {
                let close = substitution_end(bytes, i + 2);
                word.push_str(&script[i..close]);
                in_word = true;
                start.get_or_insert(i);
                i = close;
            }
            b'`' => {
                let close = script[i + 1..]
                    .find('`')
                    .map_or(bytes.len(), |p| i + 1 + p + 1);
                word.push_str(&script[i..close]);
                in_word = true;
                start.get_or_insert(i);
                i = close;
            }
            b'#' if !in_word => {
                i = script[i..].find('\n').map_or(bytes.len(), |p| i + p);
            }
            b'\n' | b';' | b'&' | b'|' => {
                finish_word(
                    &mut word,
                    &mut in_word,
                    &mut words,
                    &mut word_quoted,
                    &mut quoted,
                );
                if let Some(offset) = start.take() {
                    let id = open.last().copied().unwrap_or(0);
                    result.push(Split {
                        words: std::mem::take(&mut words),
                        offset,
                        subshell: depth,
                        subshell_id: id,
                        quoted,
                    });
                }
                words.clear();
                quoted = 0;
                i += 1;
            }
            b'(' | b')' if c == b')' || !in_word => {
                finish_word(
                    &mut word,
                    &mut in_word,
                    &mut words,
                    &mut word_quoted,
                    &mut quoted,
                );
                if let Some(offset) = start.take() {
                    let id = open.last().copied().unwrap_or(0);
                    result.push(Split {
                        words: std::mem::take(&mut words),
                        offset,
                        subshell: depth,
                        subshell_id: id,
                        quoted,
                    });
                }
                words.clear();
                quoted = 0;
                depth = if c == b'(' {
                    opened += 1;
                    open.push(opened);
                    depth.saturating_add(1)
                } else {
                    open.pop();
                    depth.saturating_sub(1)
                };
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                finish_word(
                    &mut word,
                    &mut in_word,
                    &mut words,
                    &mut word_quoted,
                    &mut quoted,
                );
                i += 1;
            }
            _ => {
                let ch = script[i..].chars().next().unwrap_or(' ');
                word.push(ch);
                in_word = true;
                start.get_or_insert(i);
                i += ch.len_utf8();
            }
        }
    }
    finish_word(
        &mut word,
        &mut in_word,
        &mut words,
        &mut word_quoted,
        &mut quoted,
    );
    if let Some(offset) = start {
        result.push(Split {
            words,
            offset,
            subshell: depth,
            subshell_id: open.last().copied().unwrap_or(0),
            quoted,
        });
    }
    result
}

/// Options of the tool runners (`uv run`, `uvx`, `pipx run`, `hatch run`,
/// `pdm run`, `poetry run`) that take a value, from their `--help`.
pub const RUNNER_VALUE_OPTIONS: &[&str] = &[
    "--from",
    "--with",
    "--python",
    "-p",
    "--spec",
    "--directory",
    "--project",
    "--group",
    "--extra",
    "--env-file",
    "--index",
    "--index-url",
    "--pip-args",
    "-e",
    "--env",
    "--package",
];

/// `words` after a runner's leading options (and their values), up to the
/// command it runs; a bare `-m` is kept (`uv run -m build`).
pub fn skip_runner_options<T: AsRef<str>>(words: &[T]) -> &[T] {
    let mut rest = words;
    while let Some(word) = rest.first().map(AsRef::as_ref) {
        if !word.starts_with('-') || word == "-m" {
            break;
        }
        let takes_value = RUNNER_VALUE_OPTIONS.contains(&word);
        rest = &rest[(1 + usize::from(takes_value)).min(rest.len())..];
    }
    rest
}

/// Deepest nesting of command substitutions read by [`substituted`].
const MAX_SUBSTITUTION_DEPTH: usize = 4;

/// The commands that run inside the script's command substitutions
/// (`$(...)` and backticks, in words, assignments and double quotes, not in
/// single quotes; nested ones too), with offsets in `script`: `V=$(pip
/// install x)` installs though no command of [`commands`] does. `outer`
/// are the script's own [`commands`] (or some of them): a substitution's
/// commands see the variables the script exported and set before it, as
/// its subshell does (those it sets inside itself are not read).
pub fn substituted(script: &str, outer: &[Command]) -> Vec<Command> {
    substituted_where(script, outer, &|_| true)
}

/// [`substituted`], reading only the substitutions whose text `wanted`
/// accepts (a cheap test on the text saves splitting it into commands).
pub fn substituted_where(
    script: &str,
    outer: &[Command],
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<Command> {
    let mut found = Vec::new();
    substituted_into(script, 0, 0, wanted, &mut found);
    if found.is_empty() {
        return found;
    }
    // A script of assignments alone has no command to take them from.
    let (exports, assigned) = match outer.first() {
        Some(first) => (Arc::clone(&first.exports), Arc::clone(&first.assigned)),
        None => {
            let (_, exports, assigned) = commands_and_variables(script);
            (exports, assigned)
        }
    };
    for command in &mut found {
        let at = command.offset;
        command.exported = exports.offsets.partition_point(|&o| o < at);
        command.exports = Arc::clone(&exports);
        command.assigned_count = assigned.offsets.partition_point(|&o| o < at);
        command.assigned = Arc::clone(&assigned);
    }
    found
}

fn substituted_into(
    script: &str,
    base: usize,
    depth: usize,
    wanted: &dyn Fn(&str) -> bool,
    found: &mut Vec<Command>,
) {
    if depth >= MAX_SUBSTITUTION_DEPTH || !(script.contains("$(") || script.contains('`')) {
        return;
    }
    for (start, end) in substitution_spans(script) {
        let inner = &script[start..end];
        if !wanted(inner) {
            continue;
        }
        for mut command in commands(inner) {
            command.offset += base + start;
            found.push(command);
        }
        substituted_into(inner, base + start, depth + 1, wanted, found);
    }
}

/// The content ranges of the outermost command substitutions of `script`.
fn substitution_spans(script: &str) -> Vec<(usize, usize)> {
    let bytes = script.as_bytes();
    let mut spans = Vec::new();
    let mut in_double = false;
    let mut word_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\\' => {
                i += 2;
                word_start = false;
                continue;
            }
            b'\'' if !in_double => {
                i = script[i + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |p| i + 1 + p + 1);
                word_start = false;
                continue;
            }
            b'"' => in_double = !in_double,
            // A heredoc whose delimiter is quoted (`<<'EOF'`, `<<"EOF"`,
            // `<<\EOF`) is literal text: skip to its closing line.
            b'<' if !in_double && script[i..].starts_with("<<") => {
                if let Some(end) = quoted_heredoc_end(script, i + 2) {
                    i = end;
                    word_start = true;
                    continue;
                }
            }
            b'#' if !in_double && word_start => {
                i = script[i..].find('\n').map_or(bytes.len(), |p| i + p);
                continue;
            }
            // `$((...))` is arithmetic, not a command.
            b'$' if bytes.get(i + 1) == Some(&b'(') && bytes.get(i + 2) != Some(&b'(') => {
                let end = substitution_end(bytes, i + 2);
                let inner_end = if bytes.get(end.wrapping_sub(1)) == Some(&b')') {
                    end - 1
                } else {
                    end
                };
                spans.push((i + 2, inner_end.max(i + 2)));
                i = end;
                word_start = false;
                continue;
            }
            // PowerShell's line continuation, as [`commands`] reads it.
            b'`' if script[i + 1..].starts_with('\n') || script[i + 1..].starts_with("\r\n") => {
                i += 1;
                word_start = false;
                continue;
            }
            b'`' => {
                let close = script[i + 1..].find('`').map(|p| i + 1 + p);
                let end = close.unwrap_or(bytes.len());
                spans.push((i + 1, end));
                i = end + 1;
                word_start = false;
                continue;
            }
            _ => {}
        }
        word_start = !in_double && matches!(c, b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(');
        i += 1;
    }
    spans
}

/// For a heredoc operator whose text starts at `from` (after `<<`), the
/// end of the heredoc's closing line when its delimiter is quoted; `None`
/// for an unquoted one, whose text the shell expands.
fn quoted_heredoc_end(script: &str, from: usize) -> Option<usize> {
    let rest = script.get(from..)?;
    let rest = rest
        .strip_prefix('-')
        .unwrap_or(rest)
        .trim_start_matches([' ', '\t']);
    let (delimiter, after) = if let Some(r) = rest.strip_prefix('\'') {
        let close = r.find('\'')?;
        (&r[..close], &r[close + 1..])
    } else if let Some(r) = rest.strip_prefix('"') {
        let close = r.find('"')?;
        (&r[..close], &r[close + 1..])
    } else if let Some(r) = rest.strip_prefix('\\') {
        let close = r
            .find(|c: char| c.is_whitespace() || c == ';' || c == '|' || c == '&')
            .unwrap_or(r.len());
        (&r[..close], &r[close..])
    } else {
        return None;
    };
    if delimiter.is_empty() {
        return None;
    }
    let body_start = script.len() - after.len() + after.find('\n').map_or(after.len(), |p| p + 1);
    let mut at = body_start;
    for line in script[body_start..].split_inclusive('\n') {
        at += line.len();
        if line.trim() == delimiter {
            return Some(at);
        }
    }
    Some(script.len())
}

/// The end (exclusive) of a `$(...)` whose content starts at `from`:
/// parentheses nest, quotes are skipped; the script's end if unclosed.
fn substitution_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 1;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                if let Some(p) = bytes[i + 1..].iter().position(|&b| b == quote) {
                    i += p + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The value of a flag: `--name value`, `--name=value` or `-n value`.
pub fn flag_value<'a>(words: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        for name in names {
            if word == name {
                return iter.next().map(String::as_str);
            }
            if let Some(value) = word.strip_prefix(name).and_then(|r| r.strip_prefix('='))
                && name.starts_with("--")
            {
                return Some(value);
            }
        }
    }
    None
}

pub fn has_flag(words: &[String], names: &[&str]) -> bool {
    words.iter().any(|w| {
        names
            .iter()
            .any(|n| w == n || (n.starts_with("--") && w.starts_with(&format!("{n}="))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_component_is_what_rsplit_gives() {
        for word in [
            "twine",
            "/usr/bin/twine",
            "bin/",
            "",
            "/",
            "a/b/c",
            ".\\build.ps1",
            "é/ü",
        ] {
            assert_eq!(last_component(word), word.rsplit('/').next().unwrap());
            assert_eq!(
                last_component_of_either(word),
                word.rsplit(['/', '\\']).next().unwrap()
            );
        }
    }

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn commands_inside_substitutions() {
        let script = "V=$(pip install . && echo ok)\necho \"$(make -C docs version)\" `uv build`\necho '$(not run)' $((1 + 2))\nX=$(echo $(tox -e pkg))";
        let inner: Vec<(Vec<String>, usize)> = substituted(script, &[])
            .into_iter()
            .map(|c| (c.words, c.offset))
            .collect();
        let firsts: Vec<String> = inner.iter().map(|(w, _)| w.join(" ")).collect();
        assert_eq!(
            firsts,
            vec![
                "pip install .",
                "echo ok",
                "make -C docs version",
                "uv build",
                "echo $(tox -e pkg)",
                "tox -e pkg"
            ]
        );
        // Offsets point into the script.
        for (words, offset) in &inner {
            assert!(
                script[*offset..].starts_with(words[0].as_str()),
                "{words:?}"
            );
        }
        assert!(substituted("echo plain", &[]).is_empty());
        // Literal heredocs and escaped backticks run nothing.
        let literal = "cat <<'EOF' > notes.md\nRun `make docs` first.\nEOF\necho \\`make x\\`\ncat <<-\"END\"\n  `pip install y`\n  END\n";
        assert!(
            substituted(literal, &[]).is_empty(),
            "{:?}",
            substituted(literal, &[])
        );
        let expanded = "cat <<EOF\n`uv build`\nEOF\n";
        assert_eq!(substituted(expanded, &[]).len(), 1);
    }

    #[test]
    fn substitutions_see_the_variables_set_before_them() {
        let script = "registry=https://registry.npmjs.org/\nexport TAG=next\nout=$(pnpm stage publish --registry \"$registry\" --tag $TAG)\nregistry=$(other)\nlate=x\n";
        let outer = commands(script);
        let inner = substituted(script, &outer);
        let stage = inner.iter().find(|c| c.words[0] == "pnpm").unwrap();
        assert_eq!(
            stage.shell_variable("registry"),
            Some("https://registry.npmjs.org/")
        );
        assert_eq!(stage.shell_variable("TAG"), Some("next"));
        assert_eq!(stage.env("TAG"), Some("next"));
        // Not exported: the shell expands it, the program does not see it.
        assert_eq!(stage.env("registry"), None);
        assert_eq!(stage.shell_variable("late"), None);
        // A value that is not literal is not taken.
        let after = commands("a=$(x)\nb=1\necho $a $b\n");
        assert_eq!(after[0].shell_variable("a"), None);
        assert_eq!(after[0].shell_variable("b"), Some("1"));
        // PowerShell's line continuations are no substitutions.
        assert!(substituted("dotnet nuget push a `\n  -k $key `\n  -s x\n", &[]).is_empty());
    }

    #[test]
    fn held_values_that_name_themselves_stay_small() {
        let mut script = String::from("a=\"cargo publish --token $T\"\n");
        for i in 0..8 {
            script.push_str(&format!(
                "if [ \"$X{i}\" ]; then a=\"{}\"; fi\n",
                ["$a"; 12].join(" ")
            ));
        }
        script.push_str("$a\n");
        let held: Vec<HeldCommand> = commands(&script).into_iter().flat_map(|c| c.held).collect();
        assert!(!held.is_empty());
        assert!(held.iter().all(|h| h.words.len() <= 2 * MAX_HELD_WORDS));
        // A loop variable, `read` and `unset` end what a variable held.
        for script in [
            "c=\"cargo publish\"\nfor c in a b; do $c; done\n",
            "c=\"cargo publish\"\nread -r c\n$c\n",
            "c=\"cargo publish\"\nunset c\n$c\n",
        ] {
            let held: Vec<HeldCommand> =
                commands(script).into_iter().flat_map(|c| c.held).collect();
            assert!(held.is_empty(), "{script}: {held:?}");
        }
    }

    #[test]
    fn commands_held_in_variables() {
        let held = |script: &str| -> Vec<Vec<String>> {
            commands(script)
                .into_iter()
                .flat_map(|c| c.held)
                .map(|h| h.words)
                .collect()
        };
        // DataDog/dd-trace-rs's publish-crate.sh: set with `local`, a dry
        // run added in one branch only.
        let script = "f() {\n  local cmd=\"cargo publish --token $token\"\n  if [ \"$dry\" = true ]; then\n    cmd=\"$cmd --dry-run\"\n  fi\n  if $cmd; then echo ok; fi\n}\n";
        assert_eq!(
            held(script),
            vec![
                vec!["cargo", "publish", "--token", "$token"],
                vec!["cargo", "publish", "--token", "$token", "--dry-run"],
            ]
        );
        let all = commands(script);
        let run = all.iter().find(|c| !c.held.is_empty()).unwrap();
        assert!(script[run.held[0].offset..].starts_with("local cmd="));
        // The latest value set for certain wins; `${NAME}` too.
        assert_eq!(
            held("C=\"twine upload a\"\nC=\"uv publish\"\n${C} --x\n"),
            vec![vec!["uv", "publish"]]
        );
        // Quoted, an argument, never set, set later, not literal.
        assert!(held("c=\"npm publish\"\n\"$c\"\necho $c\n$d\n$e\ne=\"npm publish\"\nf=$(echo npm publish)\n$f\n").is_empty());
        // `declare -f` sets nothing; `declare -x` exports.
        let c = commands("declare -x T=1\ndeclare -f g\nx\n");
        assert_eq!(c[0].words, ["declare", "-f", "g"]);
        assert_eq!(c[1].env("T"), Some("1"));
    }

    #[test]
    fn splits_chains_and_joins_continuations() {
        let script = "python -m build && twine check dist/*; \\\n  uv publish \\\n    --trusted-publishing always\n# uv publish in a comment\necho done | tee x";
        assert_eq!(
            words(script),
            vec![
                vec!["python", "-m", "build"],
                vec!["twine", "check", "dist/*"],
                vec!["uv", "publish", "--trusted-publishing", "always"],
                vec!["echo", "done"],
                vec!["tee", "x"],
            ]
        );
    }

    #[test]
    fn branches_on_whether_a_variable_is_set() {
        let script = "if [ -n \"${PYPI_TOKEN:-}\" ]; then\n  twine upload -p \"$PYPI_TOKEN\" dist/*\nelse\n  uv publish\nfi\nif [ -z \"$X\" ] && true; then echo a; fi\nif test -z $Y; then\n  if [[ -n ${Z} ]]; then echo z; fi\nfi\necho after";
        type Guarded = (Vec<String>, Vec<(String, bool)>);
        let guards: Vec<Guarded> = commands(script)
            .into_iter()
            .map(|c| (c.words, c.guards))
            .collect();
        let of = |first: &str| {
            guards
                .iter()
                .find(|(w, _)| w[0] == first)
                .map(|(_, g)| g.clone())
                .unwrap()
        };
        assert_eq!(of("twine"), vec![("PYPI_TOKEN".to_string(), true)]);
        assert_eq!(of("uv"), vec![("PYPI_TOKEN".to_string(), false)]);
        // Not one plain test: no guard.
        let a = guards.iter().find(|(w, _)| w == &["echo", "a"]).unwrap();
        assert!(a.1.is_empty());
        let z = guards.iter().find(|(w, _)| w == &["echo", "z"]).unwrap();
        assert_eq!(z.1, vec![("Y".to_string(), false), ("Z".to_string(), true)]);
        let after = guards
            .iter()
            .find(|(w, _)| w == &["echo", "after"])
            .unwrap();
        assert!(after.1.is_empty());
    }

    #[test]
    fn reserved_words_before_a_command_are_dropped() {
        let script = "for f in dist/*; do twine upload \"$f\"; done\nif [ -n \"$X\" ]; then uv publish; else echo no; fi";
        assert_eq!(
            words(script),
            vec![
                vec!["for", "f", "in", "dist/*"],
                vec!["twine", "upload", "$f"],
                vec!["done"],
                vec!["[", "-n", "$X", "]"],
                vec!["uv", "publish"],
                vec!["echo", "no"],
                vec!["fi"],
            ]
        );
    }

    #[test]
    fn quotes_and_expressions_stay_one_word() {
        assert_eq!(
            words("twine upload -p \"${{ secrets.TOKEN }}\" --comment 'a b' ${{ inputs.x }}"),
            vec![vec![
                "twine",
                "upload",
                "-p",
                "${{ secrets.TOKEN }}",
                "--comment",
                "a b",
                "${{ inputs.x }}"
            ]]
        );
    }

    #[test]
    fn assignments_and_exports() {
        let cmds = commands(
            "export UV_PUBLISH_TOKEN=abc\nTWINE_USERNAME=__token__ env X=1 twine upload dist/*\nuv publish",
        );
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].words, vec!["twine", "upload", "dist/*"]);
        assert_eq!(cmds[0].env("TWINE_USERNAME"), Some("__token__"));
        assert_eq!(cmds[1].env("UV_PUBLISH_TOKEN"), Some("abc"));
        assert_eq!(
            cmds[1].offset,
            "export UV_PUBLISH_TOKEN=abc\nTWINE_USERNAME=__token__ env X=1 twine upload dist/*\n"
                .len()
        );
    }

    #[test]
    fn exports_apply_to_later_commands_only_and_the_latest_wins() {
        let cmds = commands("a\nexport T=1 U=2\nb\nexport T=3\nT=4 c\nd");
        assert_eq!(cmds[0].env("T"), None);
        assert_eq!(cmds[1].env("T"), Some("1"));
        assert_eq!(cmds[1].env("U"), Some("2"));
        assert_eq!(cmds[2].variable("T"), Some(("T", "4")));
        assert_eq!(cmds[3].env("T"), Some("3"));
        let names: Vec<&str> = cmds[2].variables().map(|(n, _)| n).collect();
        assert_eq!(names, ["T", "T", "U", "T"]);
    }

    #[test]
    fn many_exports_share_one_table() {
        // Each command used to copy every export before it: 20k exports
        // between 20k commands needed 200M copies.
        let script = "uv publish\nexport A=1\n".repeat(20_000);
        let cmds = commands(&script);
        assert_eq!(cmds.len(), 20_000);
        assert_eq!(cmds[19_999].env("A"), Some("1"));
        assert_eq!(cmds[0].env("A"), None);
        assert!(Arc::ptr_eq(&cmds[0].exports, &cmds[19_999].exports));
    }

    #[test]
    fn command_substitutions_stay_in_their_word() {
        assert_eq!(
            words("v=$(curl https://x/?a=(b) | jq '.[] | x')\necho `date`; ls"),
            vec![vec!["echo", "`date`"], vec!["ls"]]
        );
        assert_eq!(words("echo $(unclosed"), vec![vec!["echo", "$(unclosed"]]);
    }

    #[test]
    fn subshells_end_commands_and_nest() {
        let all =
            commands("(cd pkg && npm publish)\n( cd b; ./x.sh ) || true\nf() { :; }\nA=(a b)\n");
        let got: Vec<(Vec<&str>, usize)> = all
            .iter()
            .map(|c| (c.words.iter().map(String::as_str).collect(), c.subshell))
            .collect();
        assert_eq!(got[0], (vec!["cd", "pkg"], 1));
        assert_eq!(got[1], (vec!["npm", "publish"], 1));
        assert_eq!(got[2], (vec!["cd", "b"], 1));
        assert_eq!(got[3], (vec!["./x.sh"], 1));
        assert_eq!(got[4], (vec!["true"], 0));
        // Two subshells one after the other are two.
        assert_ne!(all[1].subshell_id, all[2].subshell_id);
        assert_eq!(all[2].subshell_id, all[3].subshell_id);
        assert_eq!(all[4].subshell_id, 0);
        assert_eq!(got[5].0[0], "f(");
        assert_eq!(got[5].1, 0);
        // `$( ... )` stays one word, in no subshell of its own.
        let c = commands("V=$(cd x && pwd) npm publish");
        assert_eq!(c[0].words, ["npm", "publish"]);
        assert_eq!(c[0].subshell, 0);
    }

    #[test]
    fn powershell_continuations_and_block_comments() {
        let c = commands(
            "<#\n.SYNOPSIS\n  nuget push runs here\n#>\ndotnet nuget push $pkg `\n  --api-key $env:NUGET_API_KEY `\r\n  --source $source\n",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].words,
            [
                "dotnet",
                "nuget",
                "push",
                "$pkg",
                "--api-key",
                "$env:NUGET_API_KEY",
                "--source",
                "$source"
            ]
        );
    }

    #[test]
    fn flags() {
        let w: Vec<String> = ["uv", "publish", "--publish-url=https://x", "-t", "tok"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(flag_value(&w, &["--publish-url"]), Some("https://x"));
        assert_eq!(flag_value(&w, &["--token", "-t"]), Some("tok"));
        assert!(has_flag(&w, &["--publish-url"]));
        assert!(!has_flag(&w, &["--dry-run"]));
    }
}
