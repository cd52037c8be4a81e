//! The commands a Ruby, Python or JavaScript script of the repository
//! runs, read from its literal calls only (JavaScript's in [`javascript`]): Ruby's `system`, `exec`, `spawn`, `sh`,
//! `Open3.capture2`/`capture3`/`popen3`, `IO.popen`, backticks and `%x{}`;
//! Python's `os.system`, `os.popen` and `subprocess`'s `run`, `call`,
//! `check_call`, `check_output`, `Popen`, `getoutput`. A string argument is
//! shell text; a list (or Ruby's several string arguments) is an argument
//! vector. A command whose program or subcommand is not literal (a
//! variable, an interpolation, a list built elsewhere) is not read, and a
//! script stays opaque whatever is read of it: only what it certainly can
//! run is added, nothing is concluded from what is not found. A script
//! that reads its arguments is read only where the words its caller gives
//! decide what it runs ([`ArgumentUse`]).

use crate::source::Span;

mod javascript;

/// The languages read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Ruby,
    Python,
    /// JavaScript and TypeScript, as Node.js, tsx, ts-node, Bun and zx
    /// run them.
    JavaScript,
}

/// Extensions of JavaScript and TypeScript scripts.
pub const JAVASCRIPT_EXTENSIONS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"];

impl Language {
    /// A script's language, by its extension or its shebang.
    pub fn of(path: &str, text: &str) -> Option<Self> {
        if path.ends_with(".rb") || path.ends_with(".rake") {
            return Some(Self::Ruby);
        }
        if path.ends_with(".py") {
            return Some(Self::Python);
        }
        if JAVASCRIPT_EXTENSIONS.iter().any(|e| path.ends_with(e)) {
            return Some(Self::JavaScript);
        }
        match super::tasks::non_shell_interpreter(text) {
            Some("Ruby") => Some(Self::Ruby),
            Some("Python") => Some(Self::Python),
            Some("JavaScript") => Some(Self::JavaScript),
            _ => None,
        }
    }
}

impl Language {
    /// The language an interpreter runs `file` as (`ruby x.rb`, `python3
    /// x.py`, `node x.mjs`, `tsx x.ts`, `bun x.ts`); `None` for other
    /// programs, and for Bun's or Deno's own commands (`bun run x`).
    pub fn of_interpreter(program: &str, file: &str) -> Option<Self> {
        match program {
            "ruby" => Some(Self::Ruby),
            p if super::tasks::is_python(p) => Some(Self::Python),
            "node" | "tsx" | "ts-node" | "zx" => Some(Self::JavaScript),
            "bun" if JAVASCRIPT_EXTENSIONS.iter().any(|e| file.ends_with(e)) => {
                Some(Self::JavaScript)
            }
            _ => None,
        }
    }
}

/// A command a script runs, as shell text, and where its call is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptCommand {
    pub span: Span,
    pub text: String,
}

/// What is read of a script: the commands of its literal calls, unless
/// it may run them in a folder tplint cannot tell ([`changes_folder`]) or
/// reads its arguments in a way tplint does not bound, and how it reads
/// its arguments ([`ArgumentUse`]).
#[derive(Debug)]
pub struct ReadScript {
    commands: Option<Vec<ScriptCommand>>,
    arguments: ArgumentUse,
}

impl ReadScript {
    /// Reads `text` as a script in `language`; its calls are read only
    /// when some caller's arguments can decide them.
    pub fn read(language: Language, text: &str) -> Self {
        let arguments = argument_use(language, text);
        let commands = (!changes_folder(language, text) && arguments != ArgumentUse::Unbounded)
            .then(|| commands(language, text));
        Self {
            commands,
            arguments,
        }
    }

    /// The commands the script runs when given `given` (`None` when a
    /// word is not literal), or `None` when they cannot be told
    /// ([`ArgumentUse::decided_by`]).
    pub fn commands(&self, given: Option<&[String]>) -> Option<&[ScriptCommand]> {
        if !self.arguments.decided_by(given) {
            return None;
        }
        self.commands.as_deref()
    }
}

/// What stands for a value the script computes (a variable, an
/// interpolation) in a command's argument, as messages show it: a word
/// that names no registry, index or known secret.
pub const PLACEHOLDER: &str = "…";

/// Most commands read from one script.
const MAX_COMMANDS: usize = 200;

/// The commands `text` runs, in order of their calls.
pub fn commands(language: Language, text: &str) -> Vec<ScriptCommand> {
    let mut found = Vec::new();
    let calls: &[&str] = match language {
        Language::JavaScript => return javascript::commands(text),
        Language::Ruby => &[
            "system",
            "exec",
            "spawn",
            "sh",
            "Open3.capture2e",
            "Open3.capture2",
            "Open3.capture3",
            "Open3.popen3",
            "Open3.popen2",
            "IO.popen",
        ],
        Language::Python => &[
            "os.system",
            "os.popen",
            "subprocess.run",
            "subprocess.call",
            "subprocess.check_call",
            "subprocess.check_output",
            "subprocess.Popen",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
        ],
    };
    // `from subprocess import run, check_call`: the bare names.
    let bare: Vec<&str> = match language {
        Language::Python => python_imported(text),
        Language::Ruby | Language::JavaScript => Vec::new(),
    };
    // Each name's searcher built once for the whole script, not per line.
    let names: Vec<memchr::memmem::Finder> = calls
        .iter()
        .chain(&bare)
        .map(memchr::memmem::Finder::new)
        .collect();
    // A call starts at a name, or in Ruby at a backtick or `%x` (see
    // [`next_call`]): a line without one holds none and is skipped
    // unread. Where each is next is searched in the whole text, again
    // only once the lines have passed it.
    let ruby_starts: &[&str] = match language {
        Language::Ruby => &["`", "%x"],
        Language::Python | Language::JavaScript => &[],
    };
    let starts: Vec<memchr::memmem::Finder> = ruby_starts
        .iter()
        .map(memchr::memmem::Finder::new)
        .collect();
    let bytes = text.as_bytes();
    let mut next: Vec<(&memchr::memmem::Finder, Option<usize>)> = names
        .iter()
        .chain(&starts)
        .map(|finder| (finder, finder.find(bytes)))
        .collect();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let mut holds_start = false;
        for (finder, at) in &mut next {
            if at.is_some_and(|at| at < start) {
                *at = finder.find(&bytes[start..]).map(|found| start + found);
            }
            holds_start |= at.is_some_and(|at| at < line_start);
        }
        if !holds_start {
            continue;
        }
        let code = strip_comment(line);
        if code.trim().is_empty() {
            continue;
        }
        let mut at = 0;
        while at < code.len() && found.len() < MAX_COMMANDS {
            let rest = &code[at..];
            let Some((offset, name_len)) = next_call(rest, &names, language) else {
                break;
            };
            let call_at = at + offset;
            let after = start + call_at + name_len;
            let args = &text[after..];
            let before = &text[..start + call_at];
            let parsed = if rest[offset..].starts_with('`') || rest[offset..].starts_with("%x") {
                ruby_backticks(&rest[offset..]).map(|(t, len)| {
                    // `` `#{cmd}` ``: the string last assigned to `cmd`.
                    let held = (t == PLACEHOLDER)
                        .then(|| ruby_interpolated_name(&rest[offset..]))
                        .flatten()
                        .and_then(|name| ruby_assigned(name, before));
                    (Some(held.unwrap_or(Argument::Shell(t))), len)
                })
            } else {
                arguments(args, language)
                    .or_else(|| match language {
                        Language::Python => assigned_argument(args, before),
                        Language::Ruby => ruby_variable_argument(args, before),
                        Language::JavaScript => None,
                    })
                    .map(|(arg, len)| (arg, name_len + len))
            };
            match parsed {
                Some((Some(argument), len)) => {
                    let mut end = (start + call_at + len).min(text.len());
                    // The whole call, to its closing parenthesis.
                    if args.starts_with('(')
                        && let Some(close) = closing_paren(args)
                    {
                        end = end.max(after + close + 1);
                    }
                    if let Some(command) = argument.command() {
                        found.push(ScriptCommand {
                            span: Span::new(start + call_at, end),
                            text: command,
                        });
                    }
                    at = call_at + len.min(code.len() - call_at).max(1);
                }
                _ => at = call_at + name_len.max(1),
            }
        }
    }
    found
}

/// Whether the script sets the environment of what it runs, or writes a
/// credentials file, so that how an upload it runs authenticates cannot
/// be told from the job: an assignment to `os.environ[...]`/`ENV[...]`/
/// `process.env`, their `update`/`setdefault`/`store`/`merge!`, `putenv`,
/// an `env=` argument or `env:` option, Ruby's environment hash before a
/// command, `.pypirc`, `.npmrc`, `.gem/credentials`, `keyring`.
pub fn sets_environment(text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "environ.update",
        "environ.setdefault",
        "putenv",
        "env=",
        "env =",
        "ENV.store",
        "ENV.update",
        "ENV.merge!",
        "ENV.replace",
        "system({",
        "system( {",
        "spawn({",
        "env:",
        "env :",
        ".pypirc",
        ".npmrc",
        "credentials",
        "keyring",
    ];
    if MARKERS.iter().any(|m| text.contains(m)) {
        return true;
    }
    // `process.env.X = ...` (not `==`).
    let node = text.match_indices("process.env.").any(|(at, head)| {
        let rest = &text[at + head.len()..];
        let name = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let after = rest[name..].trim_start();
        after.starts_with('=') && !after.starts_with("==")
            || after.starts_with("||=")
            || after.starts_with("??=")
    });
    // `os.environ["X"] = ...`, `ENV["X"] = ...`, `process.env["X"] = ...`.
    node || ["environ[", "ENV[", "env["].iter().any(|head| {
        text.match_indices(head).any(|(at, _)| {
            let rest = &text[at..];
            let Some(close) = rest.find(']') else {
                return false;
            };
            let after = rest[close + 1..].trim_start();
            after.starts_with('=') && !after.starts_with("==")
                || after.starts_with("||=")
                || after.starts_with("+=")
        })
    })
}

/// Whether the script may run its commands elsewhere than where it
/// started (`os.chdir`, `Dir.chdir`, a `cwd=` argument): their relative
/// paths, and the package a publish reads, cannot be told. (A
/// JavaScript call's own `cwd` option is read with the call.)
pub fn changes_folder(language: Language, text: &str) -> bool {
    if language == Language::JavaScript {
        return javascript::changes_folder(text);
    }
    [
        "chdir",
        "cwd=",
        "cwd =",
        "pushd",
        "cd(",
        "FileUtils.cd",
        "\ncd ",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// How a script reads the arguments it is run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgumentUse {
    /// Not at all: what it runs does not depend on them.
    Unread,
    /// Only in ways whose effect literal arguments decide: tests of
    /// whether a flag is among them (`process.argv.includes('--dry-run')`,
    /// `ARGV.include?("--dry-run")`), and Ruby's positional arguments
    /// (`gem_name = ARGV[0]`) used only as values, inside strings, and in
    /// a guard that stops the script when one is missing (`raise "..." if
    /// gem_name.to_s == ""`): such a value changes a command's words,
    /// not which commands run.
    Bounded {
        /// The flags tested, as written.
        flags: Vec<String>,
        /// The positions (from 0) of the arguments read as values.
        values: Vec<usize>,
    },
    /// Any other way (an option parser, `sys.argv`, an argument compared
    /// or iterated, a prompt): which commands run may depend on them.
    Unbounded,
}

/// Flags whose presence asks a release script to do everything but the
/// upload, so that their absence leaves the upload on: a script that
/// tests only these, run without any flag, runs its uploads. (mikro-orm/
/// mikro-orm scripts/publish-jsr.mjs: `dryRun =
/// process.argv.includes('--dry-run')` adds `--dry-run` to its `jsr
/// publish`; the registry clients' own `--dry-run`, `npm publish`, `jsr
/// publish`, `cargo publish`, means the same.)
const DRY_RUN_FLAGS: &[&str] = &["--dry-run"];

impl ArgumentUse {
    /// Whether the commands read of the script are those it runs when
    /// given `given` (`None` when a word is not literal): always for a
    /// script that does not read its arguments, never for one that reads
    /// them in a way tplint does not bound, and for a bounded one when no
    /// word is a flag (each flag test is then false, and only a dry-run
    /// flag may be tested: without it the script uploads) and every value
    /// it reads is given (so that no guard of a missing one stops it).
    pub fn decided_by(&self, given: Option<&[String]>) -> bool {
        match self {
            Self::Unread => true,
            Self::Unbounded => false,
            Self::Bounded { flags, values } => given.is_some_and(|given| {
                given.iter().all(|word| !word.starts_with('-'))
                    && flags
                        .iter()
                        .all(|flag| DRY_RUN_FLAGS.contains(&flag.as_str()))
                    && values
                        .iter()
                        .all(|at| given.get(*at).is_some_and(|word| !word.is_empty()))
            }),
        }
    }
}

/// How the script reads its arguments ([`ArgumentUse`]). Reading them
/// (`sys.argv`, `argparse`, `click`, `ARGV`, `OptionParser`, Thor, ...) or
/// being a setuptools script, whose commands (`python setup.py upload`)
/// are chosen by them, is unbounded, except for Ruby's and JavaScript's
/// flag tests and Ruby's positional values: such a script may run a
/// `twine upload` in one command and only build in another.
pub fn argument_use(language: Language, text: &str) -> ArgumentUse {
    if language == Language::JavaScript {
        return javascript::argument_use(text);
    }
    const MARKERS: &[&str] = &[
        "sys.argv",
        "argparse",
        "optparse",
        "getopt",
        "import click",
        "from click",
        "typer",
        "import fire",
        "docopt",
        "cmdclass",
        "setuptools",
        "distutils",
        "ARGF",
        "OptionParser",
        "Thor",
        "$*",
    ];
    if MARKERS.iter().any(|m| text.contains(m)) {
        return ArgumentUse::Unbounded;
    }
    if !text.contains("ARGV") {
        return ArgumentUse::Unread;
    }
    match language {
        Language::Ruby => ruby_argument_use(text),
        Language::Python | Language::JavaScript => ArgumentUse::Unbounded,
    }
}

/// [`argument_use`] for a Ruby script that names `ARGV`: each of its
/// reads outside comments must be `ARGV.include?("FLAG")`, or a line
/// `NAME = ARGV[N]` (`ARGV.first`) whose local variable is used only as
/// [`ruby_value_only`] allows.
fn ruby_argument_use(text: &str) -> ArgumentUse {
    let mut flags = Vec::new();
    let mut values = Vec::new();
    let mut names = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let code = strip_comment(line);
        for (at, _) in code.match_indices("ARGV") {
            let after = &code[at + "ARGV".len()..];
            if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                || code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                return ArgumentUse::Unbounded;
            }
            if let Some(flag) = ruby_flag_test(after) {
                flags.push(flag);
                continue;
            }
            match ruby_value_read(code.trim(), at - (code.len() - code.trim_start().len())) {
                Some((name, index)) => {
                    values.push(index);
                    names.push((name, start));
                }
                None => return ArgumentUse::Unbounded,
            }
        }
    }
    if !names
        .iter()
        .all(|(name, declared)| ruby_value_only(text, name, *declared))
    {
        return ArgumentUse::Unbounded;
    }
    if flags.is_empty() && values.is_empty() {
        return ArgumentUse::Unread; // named in comments only
    }
    ArgumentUse::Bounded { flags, values }
}

/// The flag of `.include?("FLAG")` (or `.include? "FLAG"`) at the start
/// of `after`, what follows `ARGV`.
fn ruby_flag_test(after: &str) -> Option<String> {
    let rest = after.strip_prefix(".include?")?;
    let (paren, rest) = match rest.strip_prefix('(') {
        Some(rest) => (true, rest),
        None => (false, rest.strip_prefix(' ')?),
    };
    let rest = rest.trim_start_matches(' ');
    let (flag, len) = string(rest, Language::Ruby)?;
    let flag = flag.filter(|f| !f.contains(PLACEHOLDER))?;
    let rest = rest[len..].trim_start_matches(' ');
    (!paren || rest.starts_with(')')).then_some(flag)
}

/// The local variable and position of a line `NAME = ARGV[N]` or `NAME =
/// ARGV.first` (`code`, trimmed, with `ARGV` at `at`), and nothing else.
fn ruby_value_read(code: &str, at: usize) -> Option<(&str, usize)> {
    let (name, value) = code.split_once('=')?;
    let name = name.trim();
    if !ruby_local(name) || value.trim_start().len() != code.len() - at {
        return None;
    }
    let read = value.trim().strip_prefix("ARGV")?;
    let read = read.strip_suffix(';').unwrap_or(read).trim_end();
    let index = if read == ".first" {
        0
    } else {
        read.strip_prefix('[')?
            .strip_suffix(']')?
            .trim()
            .parse::<usize>()
            .ok()?
    };
    Some((name, index))
}

/// Whether Ruby local `name`, assigned an argument on the line at
/// `declared`, is used only inside strings (`"#{name}"`) and in guards
/// that stop the script when it is missing (`raise "..." if
/// name.to_s == ""`, `abort(...) unless name`): what it holds then
/// changes a command's words, not which commands run.
fn ruby_value_only(text: &str, name: &str, declared: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        if start == declared {
            continue;
        }
        let code = strip_comment(line);
        let guard = ruby_missing_guard(code.trim(), name);
        // A string compared or tested (`if "#{name}" == "all"`) decides.
        let decides = guard.is_none()
            && [
                "==", "!=", "=~", " if ", " unless ", "case ", "when ", "while ", "until ",
            ]
            .iter()
            .any(|m| code.contains(m) || code.trim_start().starts_with(m.trim_start()));
        for (at, _) in code.match_indices(name) {
            let before = code[..at].chars().next_back();
            let after = code[at + name.len()..].chars().next();
            if before.is_some_and(|c| word(c) || matches!(c, '@' | '$' | '.' | ':'))
                || after.is_some_and(|c| word(c) || matches!(c, '?' | '!'))
            {
                continue; // another name
            }
            let interpolated =
                code[..at].ends_with("#{") && code[at + name.len()..].starts_with('}');
            let in_guard =
                guard.is_some_and(|from| at >= from + (code.len() - code.trim_start().len()));
            let value = interpolated && !decides;
            if !value && !in_guard {
                return false;
            }
        }
    }
    true
}

/// Where the condition starts in `code` (a trimmed line) when it is a
/// statement that stops the script (`raise`, `abort`, `exit`, `fail`)
/// only when `name` is missing: `if name.to_s == ""`, `if name.nil?`,
/// `if name.to_s.empty?`, `unless name`, ...
fn ruby_missing_guard(code: &str, name: &str) -> Option<usize> {
    let stops = ["raise", "abort", "exit", "fail"].iter().any(|stop| {
        code.strip_prefix(stop)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(']))
    });
    if !stops {
        return None;
    }
    let (keyword, at) = [" if ", " unless "]
        .iter()
        .filter_map(|k| code.rfind(k).map(|at| (*k, at)))
        .max_by_key(|(_, at)| *at)?;
    let from = at + keyword.len();
    let condition = code[from..]
        .trim()
        .trim_end_matches(';')
        .replace('\'', "\"");
    let missing = if keyword == " unless " {
        condition == name
    } else {
        [
            format!("{name}.to_s == \"\""),
            format!("{name}.to_s.empty?"),
            format!("{name}.to_s.strip.empty?"),
            format!("{name}.nil?"),
            format!("{name}.nil? || {name}.empty?"),
            format!("{name} == \"\""),
            format!("!{name}"),
        ]
        .contains(&condition)
    };
    missing.then_some(from)
}

/// The names Python imports from `subprocess` (`from subprocess import
/// run, check_call`), which are then called bare.
fn python_imported(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix("from subprocess import ") else {
            continue;
        };
        let rest = rest.trim().trim_start_matches('(').trim_end_matches(')');
        for name in rest.split(',') {
            let name = name.split(" as ").next().unwrap_or(name).trim();
            if matches!(
                name,
                "run" | "call" | "check_call" | "check_output" | "Popen" | "getoutput"
            ) {
                names.push(name);
            }
        }
    }
    names
}

/// A line without its `#` comment (a `#` inside a string, or Ruby's
/// `#{`, is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in line.char_indices() {
        match quote {
            Some(q) if c == q && previous != '\\' => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if c == '#' && !line[at..].starts_with("#{") => return &line[..at],
            None => {}
        }
        previous = c;
    }
    line
}

/// The next call in `code` of one of `names` (the calls read, then the
/// bare imported names), or a Ruby backtick or `%x`: its offset and the
/// length of its name.
fn next_call(
    code: &str,
    names: &[memchr::memmem::Finder],
    language: Language,
) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut consider = |at: usize, len: usize| {
        if best.is_none_or(|(b, _)| at < b) {
            best = Some((at, len));
        }
    };
    let boundary = |at: usize, len: usize| {
        if in_string(code, at) {
            return false;
        }
        let before = code[..at].chars().next_back();
        let after = code[at + len..].chars().next();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        before.is_none_or(|c| !word(c) && c != '.' && c != ':')
            && after.is_some_and(|c| c == '(' || (c == ' ' && language == Language::Ruby))
    };
    for name in names {
        let len = name.needle().len();
        let mut from = 0;
        // A match of a name (text) starts at a character boundary.
        while let Some(found) = name.find(&code.as_bytes()[from..]) {
            let at = from + found;
            if boundary(at, len) {
                consider(at, len);
                break;
            }
            from = at + len;
        }
    }
    if language == Language::Ruby {
        if let Some(at) = code.find('`').filter(|at| !in_string(code, *at)) {
            consider(at, 0);
        }
        if let Some(at) = code.find("%x").filter(|at| !in_string(code, *at)) {
            consider(at, 0);
        }
    }
    best
}

/// Whether offset `at` of a line is inside a `"` or `'` string.
fn in_string(code: &str, at: usize) -> bool {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (offset, c) in code.char_indices() {
        if offset >= at {
            break;
        }
        match quote {
            Some(q) if c == q && previous != '\\' => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'') => quote = Some(c),
            None => {}
        }
        previous = c;
    }
    quote.is_some()
}

/// The first argument of a call, read.
enum Argument {
    /// Shell text (a single string).
    Shell(String),
    /// An argument vector; `None` for an element that is not a literal.
    Argv(Vec<Option<String>>),
}

impl Argument {
    /// The command as shell text, when its program and subcommand are
    /// literal.
    fn command(&self) -> Option<String> {
        match self {
            Self::Shell(text) => {
                // `cd DIR && COMMAND`: DIR may be unknown (the command then
                // runs in a folder tplint cannot tell), COMMAND's program
                // and subcommand must be literal (mikro-orm/mikro-orm's
                // `execSync(`cd ${dir} && jsr publish`)`).
                let mut rest = text.trim_start();
                while let Some(after) = rest.strip_prefix("cd ")
                    && let Some(at) = after.find("&&")
                {
                    rest = after[at + 2..].trim_start();
                }
                let head: Vec<&str> = rest.split_whitespace().take(2).collect();
                let literal = !head.is_empty() && head.iter().all(|w| !w.contains(PLACEHOLDER));
                literal.then(|| text.clone())
            }
            Self::Argv(words) => {
                if words.is_empty() || words.iter().take(2).any(Option::is_none) {
                    return None;
                }
                Some(
                    words
                        .iter()
                        .map(|w| quote(w.as_deref().unwrap_or(PLACEHOLDER)))
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            }
        }
    }
}

/// A Python call's first argument that is a name (`subprocess.run(args,
/// check=True)`), read as the literal list or string the last assignment
/// to that name before the call gives it (`args = ["cargo", "publish",
/// "-p", name]`, GNOME/glycin's `build-aux/publish-crates-io.py`), and how
/// far the call reads; `None` when the argument is no name, or no such
/// assignment comes before it.
fn assigned_argument(args: &str, before: &str) -> Option<(Option<Argument>, usize)> {
    let inner = args.strip_prefix('(')?;
    let skip = skip_space(inner, true);
    let rest = &inner[skip..];
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let after = rest[name_len..].trim_start();
    if !(after.starts_with(',') || after.starts_with(')')) {
        return None;
    }
    // The function the call is in: a parameter of it is the caller's
    // value, and an assignment in another function is not this one's.
    let scope = enclosing_def(before);
    if scope
        .as_ref()
        .is_some_and(|(_, params)| params.contains(&name))
    {
        return None;
    }
    let scope = scope.map(|(def, _)| def);
    // The last line of the same function that starts with `NAME =` (not
    // `==`).
    let value = before.rmatch_indices(name).find_map(|(at, _)| {
        let line_start = before[..at].rfind('\n').map_or(0, |i| i + 1);
        if !before[line_start..at].trim().is_empty() {
            return None;
        }
        if enclosing_def(&before[..at]).map(|(def, _)| def) != scope {
            return None;
        }
        let assigned = before[at + name.len()..].trim_start_matches([' ', '\t']);
        let value = assigned.strip_prefix('=')?;
        (!value.starts_with('=')).then(|| value.trim_start_matches([' ', '\t']))
    })?;
    let argument = if value.starts_with('[') || value.starts_with('(') {
        Argument::Argv(list(value, Language::Python)?.0)
    } else {
        Argument::Shell(string(value, Language::Python)?.0?)
    };
    Some((Some(argument), 1 + skip + name_len))
}

/// The variable a Ruby backtick command is made of alone (`` `#{cmd}` ``,
/// `%x{#{cmd}}`).
fn ruby_interpolated_name(call: &str) -> Option<&str> {
    let body = call.strip_prefix('`').or_else(|| {
        call.strip_prefix("%x")
            .map(|r| r.get(1..).unwrap_or_default())
    })?;
    let inner = body.strip_prefix("#{")?;
    let name = &inner[..inner.find('}')?];
    ruby_local(name).then_some(name)
}

/// Whether `name` is a Ruby local variable's name.
fn ruby_local(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A Ruby call whose only argument is a local variable (`system(cmd)`,
/// `system cmd`), read as the string last assigned to it
/// ([`ruby_assigned`]), and how far the call reads.
fn ruby_variable_argument(args: &str, before: &str) -> Option<(Option<Argument>, usize)> {
    let paren = args.starts_with('(');
    let inner = if paren {
        &args[1..]
    } else {
        args.strip_prefix(' ')?
    };
    let skip = skip_space(inner, false);
    let rest = &inner[skip..];
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if !ruby_local(name) {
        return None;
    }
    let after = rest[name_len..].trim_start_matches([' ', '\t']);
    let alone = if paren {
        after.starts_with(')')
    } else {
        after.is_empty() || after.starts_with(['\n', '\r', ';', '#'])
    };
    if !alone {
        return None;
    }
    let argument = ruby_assigned(name, before)?;
    Some((Some(argument), usize::from(paren) + skip + name_len))
}

/// The command a Ruby local variable holds where `before` ends: the
/// string literal of the last line `NAME = "..."` (or a list of strings)
/// in the same method (after the last `def` line before the call), with
/// no later line changing it (`NAME +=`, `NAME <<`, a block parameter
/// `|NAME|`). `None` when there is no such assignment.
fn ruby_assigned(name: &str, before: &str) -> Option<Argument> {
    let scope_start = before
        .match_indices("def ")
        .filter(|(at, _)| {
            let line_start = before[..*at].rfind('\n').map_or(0, |i| i + 1);
            before[line_start..*at].trim().is_empty()
        })
        .last()
        .map_or(0, |(at, _)| at);
    let scope = &before[scope_start..];
    let mut value = None;
    for line in scope.lines() {
        let code = strip_comment(line).trim();
        let Some(after) = code.strip_prefix(name) else {
            if code.contains('|') && code.contains(name) {
                value = None; // perhaps a block parameter of that name
            }
            continue;
        };
        let after = after.trim_start();
        if let Some(assigned) = after.strip_prefix('=') {
            if assigned.starts_with(['=', '~']) {
                continue;
            }
            value = Some(assigned.trim_start());
        } else if after.starts_with("+=") || after.starts_with("<<") || after.starts_with('.') {
            value = None; // changed where tplint does not follow
        } else if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // another name that starts with this one
        }
    }
    let value = value?;
    if value.starts_with('[') {
        return Some(Argument::Argv(list(value, Language::Ruby)?.0));
    }
    let (text, len) = string(value, Language::Ruby)?;
    // The whole value is the string (not `"x" + y`, `"x" if y`).
    value[len..].trim().is_empty().then_some(())?;
    text.map(Argument::Shell)
}

/// The Python function whose body the end of `text` is in, by
/// indentation: the offset of its `def` line and its parameter names;
/// `None` at module level.
fn enclosing_def(text: &str) -> Option<(usize, Vec<&str>)> {
    let indent_of = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let mut limit = indent_of(&text[line_start..]);
    let mut end = line_start;
    while limit > 0 && end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        end = start;
        let code = line.trim_start_matches([' ', '\t']);
        if code.is_empty() || code.starts_with('#') || indent_of(line) >= limit {
            continue;
        }
        limit = indent_of(line);
        let Some(def) = code
            .strip_prefix("async def ")
            .or_else(|| code.strip_prefix("def "))
        else {
            continue;
        };
        let params = def
            .split_once('(')
            .map(|(_, rest)| rest.split(')').next().unwrap_or(rest))
            .unwrap_or_default()
            .split(',')
            .map(|p| {
                p.trim()
                    .trim_start_matches('*')
                    .split([':', '='])
                    .next()
                    .unwrap_or_default()
                    .trim()
            })
            .filter(|p| !p.is_empty())
            .collect();
        return Some((start, params));
    }
    None
}

/// A word quoted for the shell, when it needs to be.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,*".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The first argument after a call's name, and how far the call reads
/// (from the name's end): `(` or (Ruby) a space, then a string, a list, a
/// tuple, `shlex.split("...")`, `"...".split()`, or Ruby's several
/// strings. `Some((None, _))` for an argument that is not read.
fn arguments(args: &str, language: Language) -> Option<(Option<Argument>, usize)> {
    let mut at = 0;
    let paren = args.starts_with('(');
    if paren {
        at += 1;
    } else if !(language == Language::Ruby && args.starts_with(' ')) {
        return None;
    }
    at += skip_space(&args[at..], paren);
    let rest = &args[at..];
    // Ruby's environment hash before the command: read past it.
    if language == Language::Ruby && rest.starts_with('{') {
        let close = rest.find('}')?;
        at += close + 1;
        at += skip_space(&args[at..], paren);
        at += args[at..].strip_prefix(',').map_or(0, |_| 1);
        at += skip_space(&args[at..], paren);
    }
    let rest = &args[at..];
    if let Some(inner) = rest.strip_prefix("shlex.split(") {
        let (word, len) = string(inner, language)?;
        return Some((
            word.map(Argument::Shell),
            at + "shlex.split(".len() + len + 1,
        ));
    }
    if rest.starts_with('[') || (language == Language::Python && rest.starts_with('(')) {
        let (words, len) = list(rest, language)?;
        return Some((Some(Argument::Argv(words)), at + len));
    }
    let (first, len) = string(rest, language)?;
    let mut end = at + len;
    // `"twine upload dist/*".split()`.
    if language == Language::Python && args[end..].starts_with(".split()") {
        return Some((first.map(Argument::Shell), end + ".split()".len()));
    }
    if language == Language::Python {
        return Some((first.map(Argument::Shell), end));
    }
    // Ruby: `system("gem", "push", file)` is an argument vector.
    let mut words = vec![first];
    loop {
        let after = skip_space(&args[end..], paren);
        let Some(next) = args[end + after..].strip_prefix(',') else {
            break;
        };
        let from = end + after + 1;
        let from = from + skip_space(&args[from..], paren);
        let next_text = &args[from..];
        let _ = next;
        match string(next_text, language) {
            Some((word, len)) => {
                words.push(word);
                end = from + len;
            }
            None => {
                // A value (a variable, an options hash): not a string.
                let stop = next_text.find([',', ')', '\n']).unwrap_or(next_text.len());
                let token = next_text[..stop].trim();
                if token.contains("=>") || token.ends_with(':') || token.contains(": ") {
                    break; // options (`exception: true`, `chdir: ...`)
                }
                words.push(None);
                end = from + stop;
            }
        }
    }
    if words.len() == 1 {
        return Some((words.remove(0).map(Argument::Shell), end));
    }
    Some((Some(Argument::Argv(words)), end))
}

fn skip_space(text: &str, newlines: bool) -> usize {
    text.len()
        - text
            .trim_start_matches(|c: char| c == ' ' || c == '\t' || (newlines && c == '\n'))
            .len()
}

/// A string literal at the start of `text`: its value (an interpolation
/// replaced by [`PLACEHOLDER`]) and its length; `None` for a string that
/// is not read (triple-quoted, unterminated on its line).
fn string(text: &str, language: Language) -> Option<(Option<String>, usize)> {
    let mut at = 0;
    let mut formatted = false;
    let mut raw = false;
    if language == Language::Python {
        while let Some(c) = text[at..]
            .chars()
            .next()
            .filter(|c| "rRfFbBuU".contains(*c))
        {
            formatted |= matches!(c, 'f' | 'F');
            raw |= matches!(c, 'r' | 'R');
            at += 1;
            if at > 2 {
                return None;
            }
        }
    }
    let quote = text[at..]
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    if text[at..].starts_with(&triple) {
        return None; // a triple-quoted string: not read
    }
    let body_start = at + 1;
    let mut value = String::new();
    let mut chars = text[body_start..].char_indices();
    let interpolating = formatted || (language == Language::Ruby && quote == '"');
    while let Some((offset, c)) = chars.next() {
        match c {
            '\n' => return None,
            '\\' if !raw => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            c if c == quote => {
                return Some((Some(value), body_start + offset + 1));
            }
            '#' if interpolating && language == Language::Ruby => {
                let rest = &text[body_start + offset..];
                if rest.starts_with("#{") {
                    let close = matching(rest, '{', '}')?;
                    value.push_str(PLACEHOLDER);
                    for _ in 0..close {
                        chars.next();
                    }
                } else {
                    value.push('#');
                }
            }
            '{' if interpolating && language == Language::Python => {
                let rest = &text[body_start + offset..];
                if rest.starts_with("{{") {
                    value.push('{');
                    chars.next();
                } else {
                    let close = matching(rest, '{', '}')?;
                    value.push_str(PLACEHOLDER);
                    for _ in 0..close {
                        chars.next();
                    }
                }
            }
            c => value.push(c),
        }
    }
    None
}

/// The byte offset of the parenthesis closing the one `text` starts with,
/// outside strings.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) if c == q && previous != '\\' => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'') => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(at);
                }
            }
            None => {}
        }
        previous = c;
        if at > 10_000 {
            return None;
        }
    }
    None
}

/// The offset (in characters) of the bracket closing the one `text`
/// starts with.
fn matching(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (count, c) in text.chars().enumerate() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(count);
            }
        }
    }
    None
}

/// A list or tuple of strings and other values: each element, and the
/// length read.
fn list(text: &str, language: Language) -> Option<(Vec<Option<String>>, usize)> {
    let close = if text.starts_with('[') { ']' } else { ')' };
    let mut words = Vec::new();
    let mut at = 1;
    loop {
        at += text[at..].len() - text[at..].trim_start().len();
        let rest = &text[at..];
        if let Some(after) = rest.strip_prefix(close) {
            let _ = after;
            return Some((words, at + 1));
        }
        if rest.is_empty() || words.len() > 100 {
            return None;
        }
        if rest.starts_with('#') {
            at += rest.find('\n')?;
            continue;
        }
        match string(rest, language) {
            Some((word, len)) => {
                words.push(word);
                at += len;
            }
            None => {
                // A value: to the next comma or the end, past brackets.
                let mut depth = 0usize;
                let mut end = rest.len();
                for (offset, c) in rest.char_indices() {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' if depth > 0 => depth -= 1,
                        c if depth == 0 && (c == ',' || c == close) => {
                            end = offset;
                            break;
                        }
                        _ => {}
                    }
                }
                if end == rest.len() {
                    return None;
                }
                // `*files`: any number of arguments.
                words.push(None);
                at += end;
            }
        }
        at += text[at..].len() - text[at..].trim_start().len();
        if let Some(rest) = text[at..].strip_prefix(',') {
            let _ = rest;
            at += 1;
        }
    }
}

/// A Ruby backtick or `%x{...}` command at the start of `text`: its text
/// and length.
fn ruby_backticks(text: &str) -> Option<(String, usize)> {
    let (body, len) = if let Some(rest) = text.strip_prefix('`') {
        let end = rest.find(['`', '\n'])?;
        if !rest[end..].starts_with('`') {
            return None;
        }
        (&rest[..end], end + 2)
    } else {
        let rest = text.strip_prefix("%x")?;
        let open = rest.chars().next()?;
        let close = match open {
            '{' => '}',
            '(' => ')',
            '[' => ']',
            '|' => '|',
            _ => return None,
        };
        let end = rest[1..].find([close, '\n'])?;
        if !rest[1 + end..].starts_with(close) {
            return None;
        }
        (&rest[1..1 + end], 2 + end + 2)
    };
    let mut value = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("#{") {
        value.push_str(&rest[..at]);
        let close = rest[at..].find('}')?;
        value.push_str(PLACEHOLDER);
        rest = &rest[at + close + 1..];
    }
    value.push_str(rest);
    Some((value, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(language: Language, text: &str) -> Vec<String> {
        commands(language, text)
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn ruby_calls() {
        let script = r##"#!/usr/bin/env ruby
version = File.read("VERSION").strip
system("gem build acme.gemspec") or abort
system "gem", "push", "pkg/acme-#{version}.gem"
sh "gem push pkg/acme-#{version}.gem"
`git tag v#{version}`
out = %x{git describe}
# system("gem push old.gem")
system(cmd)
system({"GEM_HOST_API_KEY" => key}, "gem push x.gem")
exec("#{tool} push x.gem")
def release(otp)
  cmd = "gem push --otp #{otp} acme.gem"
  result = `#{cmd}`
  line = "gem yank acme"
  line += " -v 1"
  system(line)
end
def other
  `#{cmd}`
end
"##;
        assert_eq!(
            texts(Language::Ruby, script),
            [
                "gem build acme.gemspec",
                "gem push 'pkg/acme-….gem'",
                "gem push pkg/acme-….gem",
                "git tag v…",
                "git describe",
                "gem push x.gem",
                "gem push --otp … acme.gem",
            ]
        );
        let found = commands(Language::Ruby, script);
        assert_eq!(
            &script[found[0].span.range()],
            "system(\"gem build acme.gemspec\")"
        );
        assert!(sets_environment(script));
        assert!(!sets_environment(
            "system('gem push x.gem')\nputs ENV['HOME'] == 'x'\n"
        ));
        assert!(sets_environment("ENV['GEM_HOST_API_KEY'] = token\n"));
    }

    #[test]
    fn python_calls_with_a_named_argument() {
        // After GNOME/glycin build-aux/publish-crates-io.py.
        let script = r#"import subprocess
def release_crate(package_name, features=None):
    args = ["cargo", "metadata", "--no-deps"]
    metadata = subprocess.run(args, capture_output=True, check=True)
    args = [
        "cargo", "publish", "-p", package_name,
    ]
    if features is not None:
        args += ["--features", features]
    subprocess.run(args, check=True)
command = "twine upload dist/*"
subprocess.run(command.split())
os.system(command)
subprocess.run(later)
later = ["npm", "publish"]
built = make_command()
subprocess.run(built)
subprocess.run(unknown)
if args == ["gem", "push"]:
    pass
def show():
    shown = ["npm", "publish"]
    print(shown)
def run(shown, *rest):
    subprocess.run(shown)
def run_other():
    subprocess.run(shown)
"#;
        assert_eq!(
            texts(Language::Python, script),
            [
                "cargo metadata --no-deps",
                "cargo publish -p '…'",
                "twine upload dist/*",
            ]
        );
    }

    #[test]
    fn python_calls() {
        let script = r#"import os, subprocess, shlex
from subprocess import check_call
version = open("VERSION").read()
subprocess.run(["python", "-m", "build"], check=True)
subprocess.check_call(
    [
        "twine",
        "upload",  # the wheels
        *glob.glob("dist/*"),
    ]
)
os.system("twine upload --skip-existing dist/*")
os.system(f"git tag v{version}")
check_call(["cargo", "publish", "--locked"])
subprocess.run(shlex.split("uv publish"))
subprocess.run("npm publish --access public".split(), check=True)
subprocess.run(cmd)
subprocess.run([tool, "upload"])
# subprocess.run(["twine", "upload", "old/*"])
print("subprocess.run(['npm', 'publish'])")
"#;
        assert_eq!(
            texts(Language::Python, script),
            [
                "python -m build",
                "twine upload '…'",
                "twine upload --skip-existing dist/*",
                "git tag v…",
                "cargo publish --locked",
                "uv publish",
                "npm publish --access public",
            ]
        );
        assert!(!sets_environment(script));
        assert!(sets_environment("os.environ['TWINE_PASSWORD'] = token\n"));
        assert!(sets_environment(
            "subprocess.run(['twine', 'upload'], env=env)\n"
        ));
        assert!(!sets_environment("if os.environ['GITHUB_REF'] == 'x':\n"));
        assert_eq!(
            argument_use(
                Language::Python,
                "if sys.argv[-1] == 'publish':\n    os.system('twine upload dist/*')\n"
            ),
            ArgumentUse::Unbounded
        );
        assert_eq!(
            argument_use(
                Language::Ruby,
                "ARGV.each { |cmd| Pack.public_send(cmd) }\n"
            ),
            ArgumentUse::Unbounded
        );
        assert_eq!(argument_use(Language::Python, script), ArgumentUse::Unread);
        assert!(changes_folder(Language::Python, "os.chdir('pkg')\n"));
        assert!(changes_folder(
            Language::Ruby,
            "cd(File.join(__dir__, \"npm\"))\n"
        ));
        assert!(!changes_folder(
            Language::Python,
            "subprocess.run(['twine', 'upload'])\n"
        ));
    }

    #[test]
    fn ruby_arguments_used_as_values_or_dry_run_flags() {
        // newrelic/newrelic-ruby-agent .github/workflows/scripts/
        // rubygems-publish.rb: the argument is the gem's name.
        let script = "gem_name = ARGV[0]\n\
            raise \"gem name sans version must be supplied\" if gem_name.to_s == \"\"\n\
            gem_filename = \"#{gem_name}-#{version}.gem\"\n\
            dry = ARGV.include?(\"--dry-run\") # a flag\n\
            cmd = \"gem push #{gem_filename}\"\n\
            result = `#{cmd}`\n";
        let uses = argument_use(Language::Ruby, script);
        assert_eq!(
            uses,
            ArgumentUse::Bounded {
                flags: vec!["--dry-run".to_string()],
                values: vec![0],
            }
        );
        let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert!(uses.decided_by(Some(&words(&["newrelic_rpm"]))));
        // The name missing (the guard stops it), a flag, words unknown.
        assert!(!uses.decided_by(Some(&[])));
        assert!(!uses.decided_by(Some(&words(&["newrelic_rpm", "--dry-run"]))));
        assert!(!uses.decided_by(None));
        let read = ReadScript::read(Language::Ruby, script);
        let given = words(&["newrelic_rpm"]);
        assert_eq!(read.commands(Some(&given)).unwrap()[0].text, "gem push …");

        // An argument that chooses, is compared, changed, or passed on
        // whole; a flag other than a dry run's; a read tplint does not know.
        for unbounded in [
            "case ARGV[0]\nwhen \"push\" then system(\"gem push x.gem\")\nend\n",
            "name = ARGV[0]\nsystem(\"gem push x.gem\") if name == \"all\"\n",
            "name = ARGV[0]\nname += \"-java\"\nsystem(\"gem push #{name}\")\n",
            "name = ARGV[0]\nsystem(\"gem\", \"push\", name)\n",
            "system(\"gem push #{ARGV[0]}\")\n",
            "name = ARGV[0] || \"acme\"\n",
            "name = ARGV[0]\nsystem(\"gem push x.gem\") if \"#{name}\" == \"all\"\n",
            "ARGV.delete(\"--dry-run\")\n",
            "exit unless name.nil?\nname = ARGV[0]\n",
        ] {
            assert_eq!(
                argument_use(Language::Ruby, unbounded),
                ArgumentUse::Unbounded,
                "{unbounded}"
            );
        }
        let publish = argument_use(
            Language::Ruby,
            "system(\"gem push x.gem\") if ARGV.include?(\"--publish\")\n",
        );
        assert!(!publish.decided_by(Some(&[])));
        // A mention in a comment is no read.
        assert_eq!(
            argument_use(
                Language::Ruby,
                "# usage: ARGV[0] is the gem\nsystem(\"gem push x.gem\")\n"
            ),
            ArgumentUse::Unread
        );
    }

    #[test]
    fn languages() {
        assert_eq!(
            Language::of("scripts/release.py", ""),
            Some(Language::Python)
        );
        assert_eq!(
            Language::of("bin/release", "#!/usr/bin/env ruby\n"),
            Some(Language::Ruby)
        );
        assert_eq!(Language::of("bin/release", "#!/bin/sh\n"), None);
    }

    #[test]
    fn bad_input_is_not_read() {
        for text in [
            "system(\"gem push",
            "subprocess.run([\"twine\", \"upload\"",
            "os.system(",
            "%x{gem push",
            "`gem push",
            "subprocess.run('''twine upload''')",
            "system(\"é\", \"ü\")",
        ] {
            let _ = commands(Language::Ruby, text);
            let _ = commands(Language::Python, text);
        }
        // Every prefix and suffix of a script with calls of each kind.
        let script = "system({\"K\" => v}, \"gem\", \"push\", \"a-#{v}.gem\", exception: true)\n\
            x = %x{gem push #{f}} + `npm publish é`\n\
            subprocess.run(shlex.split(f\"twine upload {d}/*\"))\n\
            subprocess.check_call([\"uv\", \"publish\", *files, 'ü'], env=e)\n";
        for (at, _) in script.char_indices() {
            for text in [&script[..at], &script[at..]] {
                let _ = commands(Language::Ruby, text);
                let _ = commands(Language::Python, text);
                let _ = sets_environment(text);
            }
        }
    }
}
