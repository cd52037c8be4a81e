//! PowerShell modules: what importing one and calling its functions runs.
//!
//! `Import-Module ./build/release.psm1` runs the module's top-level code and
//! defines its functions; only the functions a step then calls run
//! (learn.microsoft.com, about_Modules and about_Functions). A module read
//! as one script would count the commands of every function it defines,
//! called or not, so the walk reads a module as its top level and the
//! bodies of the functions called, directly or from other called
//! functions, with the other functions' text blanked out (offsets kept).

use std::collections::HashSet;

/// A `function NAME { ... }` (or `filter`) definition at the start of a
/// line: its lower-case name and the byte range from the keyword to the
/// closing brace.
#[derive(Debug, PartialEq, Eq)]
struct Function {
    name: String,
    range: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

/// Most functions read from one module.
const MAX_FUNCTIONS: usize = 1_000;

fn functions(text: &str) -> Vec<Function> {
    let mut found = Vec::new();
    let mut at = 0;
    let mut in_block_comment = false;
    while at < text.len() && found.len() < MAX_FUNCTIONS {
        let line_end = text[at..].find('\n').map_or(text.len(), |p| at + p + 1);
        let line = &text[at..line_end];
        // `<# ... #>` help text may well say "Function to push packages".
        if in_block_comment || line.trim_start().starts_with("<#") {
            in_block_comment = !line.contains("#>");
            at = line_end;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let head = line.trim_start();
        let keyword = head
            .split_once(char::is_whitespace)
            .filter(|(word, _)| {
                word.eq_ignore_ascii_case("function") || word.eq_ignore_ascii_case("filter")
            })
            .map(|(_, rest)| rest.trim_start());
        let Some(rest) = keyword else {
            at = line_end;
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        // A definition: the name, then its body or parameters (on this line
        // or the next), nothing else.
        let after = rest[name.len()..].trim();
        if name.is_empty() || !(after.is_empty() || after.starts_with(['{', '('])) {
            at = line_end;
            continue;
        }
        let Some(open) = text[at + indent..].find('{').map(|p| at + indent + p) else {
            break;
        };
        let Some(close) = closing_brace(text, open) else {
            break;
        };
        // `function script:Name`: called as `Name`.
        let name = name
            .rsplit(':')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        found.push(Function {
            name,
            range: at + indent..close + 1,
            body: open + 1..close,
        });
        at = text[close..]
            .find('\n')
            .map_or(text.len(), |p| close + p + 1);
    }
    found
}

/// The position of the `}` that closes the `{` at `open`, skipping quoted
/// strings (a backtick escapes in double quotes), `#` comments and `<# #>`
/// block comments.
fn closing_brace(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\'' => i = text[i + 1..].find('\'').map_or(bytes.len(), |p| i + 1 + p),
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'`' { 2 } else { 1 };
                }
                i = j;
            }
            b'<' if bytes.get(i + 1) == Some(&b'#') => {
                i = text[i..].find("#>").map_or(bytes.len(), |p| i + p + 1);
            }
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |p| i + p),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The words of `text` that may name a function it calls, lower case:
/// every word, not only a command's first (`ForEach-Object { Publish-One
/// $_ }` calls `Publish-One`), but not those of `Export-ModuleMember`,
/// which names functions without calling them.
fn called(text: &str) -> HashSet<String> {
    text.lines()
        .filter(|line| {
            !line
                .trim_start()
                .get(..19)
                .is_some_and(|w| w.eq_ignore_ascii_case("export-modulemember"))
        })
        .flat_map(|line| {
            line.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')))
        })
        .filter(|word| !word.is_empty())
        .map(|word| word.rsplit(':').next().unwrap_or(word).to_ascii_lowercase())
        .collect()
}

/// The text of `module` as a caller whose code is `caller` runs it: its
/// top level and the functions the caller calls (and those they call), the
/// other functions blanked out with spaces, line breaks kept, so that every
/// offset is the module's own.
pub fn module_as_called(module: &str, caller: &str) -> String {
    let functions = functions(module);
    if functions.is_empty() {
        return module.to_string();
    }
    let mut wanted = called(caller);
    // The module's own top level calls functions too.
    let mut top_level = module.to_string();
    blank(&mut top_level, functions.iter().map(|f| f.range.clone()));
    wanted.extend(called(&top_level));
    let mut kept: HashSet<usize> = HashSet::new();
    loop {
        let before = kept.len();
        for (index, function) in functions.iter().enumerate() {
            if wanted.contains(&function.name) && kept.insert(index) {
                wanted.extend(called(&module[function.body.clone()]));
            }
        }
        if kept.len() == before {
            break;
        }
    }
    let mut text = module.to_string();
    blank(
        &mut text,
        functions
            .iter()
            .enumerate()
            .filter(|(index, _)| !kept.contains(index))
            .map(|(_, f)| f.range.clone()),
    );
    text
}

/// Replace every character of `ranges` of `text` but line breaks with
/// spaces (byte for byte: a multi-byte character becomes as many spaces).
fn blank(text: &mut String, ranges: impl Iterator<Item = std::ops::Range<usize>>) {
    let mut bytes = std::mem::take(text).into_bytes();
    for range in ranges {
        for byte in &mut bytes[range] {
            if *byte != b'\n' && *byte != b'\r' {
                *byte = b' ';
            }
        }
    }
    // Only ASCII bytes were written, over whole characters: still UTF-8.
    *text = String::from_utf8(bytes).unwrap_or_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "$ErrorActionPreference = 'Stop'
function Push-Packages {
  param([string]$dir)
  # a } in a comment
  $x = \"a } in a string\"
  Write-Host 'done }'
  Invoke-Helper
  dotnet nuget push \"$dir/*.nupkg\" --source https://api.nuget.org/v3/index.json
}

function Invoke-Helper { echo helper }

function Update-Dependencies {
  dotnet restore $project
}
Export-ModuleMember -Function Push-Packages
";

    #[test]
    fn definitions_with_braces_in_strings_and_comments() {
        let found = functions(MODULE);
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["push-packages", "invoke-helper", "update-dependencies"]
        );
        assert!(MODULE[found[0].range.clone()].ends_with("index.json\n}"));
    }

    #[test]
    fn only_called_functions_are_kept() {
        let text = module_as_called(MODULE, "Import-Module ./m.psm1\nPush-Packages -dir x\n");
        assert_eq!(text.len(), MODULE.len());
        assert!(text.contains("dotnet nuget push"));
        assert!(
            text.contains("echo helper"),
            "called from a called function"
        );
        assert!(!text.contains("dotnet restore"));
        assert!(text.contains("Export-ModuleMember"));
        let none = module_as_called(MODULE, "Import-Module ./m.psm1\n");
        assert!(!none.contains("dotnet nuget push"));
        // Case does not matter to PowerShell.
        let lower = module_as_called(MODULE, "push-packages\n");
        assert!(lower.contains("dotnet nuget push"));
    }

    #[test]
    fn calls_in_blocks_and_help_text_that_says_function() {
        let module = "<#\n.DESCRIPTION\nFunction to push packages.\n#>\n# function in a comment\nfunction global:Publish-One { dotnet nuget push $args[0] }\nfunction Unused { dotnet restore }\n";
        let names: Vec<String> = functions(module).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["publish-one", "unused"]);
        let text = module_as_called(
            module,
            "Get-ChildItem *.nupkg | ForEach-Object { Publish-One $_ }",
        );
        assert!(text.contains("dotnet nuget push"));
        assert!(!text.contains("dotnet restore"));
    }

    #[test]
    fn unbalanced_text_is_kept_whole() {
        let text = "function Broken {\n  dotnet nuget push x\n";
        assert_eq!(module_as_called(text, "Other"), text);
    }
}
