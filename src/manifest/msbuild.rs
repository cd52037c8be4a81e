//! What `dotnet pack` makes of a project file: whether it packs the
//! project at all, and the package ID it gives it, read from the project
//! and the `Directory.Build.props`/`.targets` MSBuild imports around it.
//! A value tplint cannot evaluate (a property, a `Condition`) leaves the
//! answer unknown, never a guess.
//!
//! Defaults, as NuGet's pack targets and MSBuild set them:
//! - NuGet/NuGet.Client `src/NuGet.Core/NuGet.Build.Tasks.Pack/NuGet.Build.Tasks.Pack.targets`
//!   [96daa31]: `PackageId` defaults to `$(AssemblyName)`; `IsPackable`,
//!   when no file set it, is `false` for a test project
//!   (`IsTestProject` true) and `true` otherwise.
//! - dotnet/msbuild `src/Tasks/Microsoft.Common.CurrentVersion.targets`
//!   [00166eb]://!   `AssemblyName` defaults to `$(MSBuildProjectName)`, the file's name
//!   without its extension.
//! - microsoft/vstest `src/package/Microsoft.NET.Test.Sdk/Microsoft.NET.Test.Sdk.props`
//!   [2de42d6]: a reference to `Microsoft.NET.Test.Sdk` sets
//!   `IsTestProject` to true.
//! - SDK-style projects (`<Project Sdk="...">`) import the pack targets;
//!   `Directory.Build.props` is imported before the project's own
//!   properties (so the project overrides it), `Directory.Build.targets`
//!   after them (so it overrides the project); each is the nearest file of
//!   that name in the project's folder or above, which imports the next
//!   one up only by an `<Import>` of its own
//!   (learn.microsoft.com/visualstudio/msbuild/customize-by-directory).

/// A property's value as tplint reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Literal(String),
    /// Set by an expression, under a `Condition`, or more than once with
    /// different values.
    Unknown,
}

/// Whether `dotnet pack` packs a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packable {
    Yes,
    No,
    Unknown,
}

/// What `dotnet pack` makes of one project file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedProject {
    pub packable: Packable,
    /// The package ID; `None` where it is not a literal tplint can read.
    pub id: Option<String>,
}

/// The `Directory.Build.*` files MSBuild would import for a project, from
/// the nearest up (texts with comments removed).
#[derive(Default)]
pub struct Imported<'a> {
    pub props: Vec<&'a str>,
    pub targets: Vec<&'a str>,
}

/// The text without its XML comments, so that a property commented out
/// is not read.
pub fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Whether a `Directory.Build.*` file imports the next one up (any
/// `<Import>`: tplint does not evaluate which file it names).
pub fn imports(text: &str) -> bool {
    text.contains("<Import ")
}

/// The value of property `name` in `text`, when it is set there.
fn property(text: &str, name: &str) -> Option<Value> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut found: Option<Value> = None;
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        rest = after;
        let value = match after.chars().next() {
            Some('>') => match after[1..].find(&close) {
                Some(end) => {
                    let value = after[1..1 + end].trim();
                    if value.contains("$(") || value.contains('<') {
                        Value::Unknown
                    } else {
                        Value::Literal(value.to_string())
                    }
                }
                None => Value::Unknown,
            },
            // Attributes (a `Condition`), or `<IsPackable/>`.
            Some(c) if c.is_whitespace() || c == '/' => Value::Unknown,
            // Another element whose name starts the same (`<PackageIdPrefix>`).
            _ => continue,
        };
        found = match found {
            None => Some(value),
            Some(earlier) if earlier == value => Some(earlier),
            Some(_) => Some(Value::Unknown),
        };
    }
    found
}

/// The first of `texts` (nearest first) that sets property `name`.
fn inherited(texts: &[&str], name: &str) -> Option<Value> {
    texts.iter().find_map(|text| property(text, name))
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Literal(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Value::Literal(v) if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// What `dotnet pack` makes of the project file `text` named `stem`
/// (without extension), with the `Directory.Build.*` files around it.
/// `text` has its comments removed.
pub fn packed_project(text: &str, stem: &str, imported: &Imported<'_>) -> PackedProject {
    let sdk_style = text.contains("<Project Sdk=")
        || text.contains("<Sdk Name=")
        || text.contains("<Import Sdk=");
    let own_or_props =
        |name: &str| property(text, name).or_else(|| inherited(&imported.props, name));
    let packable = if inherited(&imported.targets, "IsPackable").is_some() {
        // The targets set it after the project: tplint does not weigh them.
        Packable::Unknown
    } else {
        match own_or_props("IsPackable") {
            Some(value) => match boolean(&value) {
                Some(true) => Packable::Yes,
                Some(false) => Packable::No,
                None => Packable::Unknown,
            },
            None => {
                let test_sdk = text.contains("\"Microsoft.NET.Test.Sdk\"");
                match own_or_props("IsTestProject").map(|v| boolean(&v)) {
                    _ if test_sdk => Packable::No,
                    Some(Some(true)) => Packable::No,
                    Some(None) => Packable::Unknown,
                    Some(Some(false)) | None if sdk_style => Packable::Yes,
                    Some(Some(false)) | None => Packable::Unknown,
                }
            }
        }
    };
    let id = match own_or_props("PackageId") {
        Some(Value::Literal(id)) if !id.is_empty() => Some(id),
        Some(_) => None,
        None => match own_or_props("AssemblyName") {
            Some(Value::Literal(name)) if !name.is_empty() => Some(name),
            Some(_) => None,
            None => Some(stem.to_string()),
        },
    };
    PackedProject { packable, id }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(text: &str, props: &[&str], targets: &[&str]) -> PackedProject {
        let imported = Imported {
            props: props.to_vec(),
            targets: targets.to_vec(),
        };
        packed_project(&without_comments(text), "My.Lib", &imported)
    }

    const SDK: &str = "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup>";

    #[test]
    fn defaults_to_the_project_name_and_packable() {
        let p = packed(&format!("{SDK}</PropertyGroup></Project>"), &[], &[]);
        assert_eq!(p.packable, Packable::Yes);
        assert_eq!(p.id.as_deref(), Some("My.Lib"));
        let p = packed(
            &format!("{SDK}<AssemblyName>Other</AssemblyName></PropertyGroup></Project>"),
            &[],
            &[],
        );
        assert_eq!(p.id.as_deref(), Some("Other"));
        let p = packed(
            &format!("{SDK}<PackageId> Id.X </PackageId><PackageIdPrefix>no</PackageIdPrefix>"),
            &[],
            &[],
        );
        assert_eq!(p.id.as_deref(), Some("Id.X"));
        let p = packed(&format!("{SDK}<PackageId>$(Name)</PackageId>"), &[], &[]);
        assert_eq!(p.id, None);
        // An old-style project packs only what its own files set up.
        let p = packed("<Project ToolsVersion=\"15.0\"></Project>", &[], &[]);
        assert_eq!(p.packable, Packable::Unknown);
    }

    #[test]
    fn is_packable_from_the_project_then_the_props() {
        // Cysharp/ZLogger: the root props turn packing off, the packed
        // projects turn it back on.
        let props = "<IsPackable>false</IsPackable>";
        let p = packed(&format!("{SDK}</PropertyGroup>"), &[props], &[]);
        assert_eq!(p.packable, Packable::No);
        let p = packed(
            &format!("{SDK}<IsPackable>true</IsPackable>"),
            &[props],
            &[],
        );
        assert_eq!(p.packable, Packable::Yes);
        let p = packed(
            &format!("{SDK}<IsPackable>False</IsPackable><PackageId>G</PackageId>"),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::No);
        let p = packed(
            &format!("{SDK}<!-- <IsPackable>false</IsPackable> -->"),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::Yes);
        let p = packed(
            &format!("{SDK}<IsPackable Condition=\"'$(X)' == ''\">false</IsPackable>"),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::Unknown);
        let p = packed(SDK, &[], &["<IsPackable>true</IsPackable>"]);
        assert_eq!(p.packable, Packable::Unknown);
    }

    #[test]
    fn test_projects_are_not_packed() {
        let p = packed(
            &format!(
                "{SDK}</PropertyGroup><ItemGroup><PackageReference Include=\"Microsoft.NET.Test.Sdk\" /></ItemGroup>"
            ),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::No);
        let p = packed(
            &format!("{SDK}<IsTestProject>true</IsTestProject>"),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::No);
        let p = packed(
            &format!("{SDK}<IsTestProject>true</IsTestProject><IsPackable>true</IsPackable>"),
            &[],
            &[],
        );
        assert_eq!(p.packable, Packable::Yes);
    }
}
