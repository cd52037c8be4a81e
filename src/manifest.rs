//! The package manifests at a repository's root: what each registry would
//! call the package (`package.json`, `Cargo.toml` and its workspace
//! members, `*.gemspec`, `*.csproj`, `pubspec.yaml`, `jsr.json` or
//! `deno.json`), the `package.json` fields that
//! decide how npm publishes it, and what a Deno configuration's import
//! map names (`deno_import`). Every read is bounded; a manifest that
//! cannot be read or parsed is simply absent.

mod msbuild;

use std::path::Path;

use crate::overlay::Overlay;
use crate::registry::Registry;
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// Largest manifest read (1 MiB).
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
/// Most workspace members, gemspecs or project files read.
const MAX_FILES: usize = 64;

/// A string value and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub value: String,
    pub span: Span,
}

/// The fields of the root `package.json` that publishing depends on.
#[derive(Clone, Debug, Default)]
pub struct PackageJson {
    pub file: Option<FileId>,
    pub name: Option<Located>,
    /// `repository` as a string, or its `url` when an object. `None` when
    /// absent; the span covers the value of `repository`.
    pub repository: Option<Located>,
    /// `"private": true`: npm refuses to publish it.
    pub private: bool,
    pub package_manager: Option<String>,
    /// `engines.node`.
    pub engines_node: Option<String>,
    /// `publishConfig.registry`.
    pub publish_registry: Option<Located>,
    /// `publishConfig["@scope:registry"]` for the package's own scope.
    pub publish_scope_registry: Option<Located>,
    /// `publishConfig.provenance`, when a boolean.
    pub publish_provenance: Option<bool>,
    /// `workspaces` is present: the root is a monorepo's.
    pub workspaces: bool,
    /// The folders `workspaces` lists, as written (globs): its list, or
    /// the `packages` list of an object (Yarn 1's form with `nohoist`;
    /// classic.yarnpkg.com/en/docs/workspaces, yarnpkg.com/configuration/manifest#workspaces).
    pub workspace_globs: Vec<String>,
}

impl PackageJson {
    /// The scope of the package's name (`@acme` of `@acme/widget`).
    pub fn scope(&self) -> Option<&str> {
        let (scope, _) = self.name.as_ref()?.value.split_once('/')?;
        scope.starts_with('@').then_some(scope)
    }
}

/// A crate of `Cargo.toml` or one of its workspace members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crate {
    /// The folder, relative to the root (`""` for the root package).
    pub dir: String,
    pub name: String,
    /// Not published to crates.io: `publish = false`, or a list of
    /// registries without `crates-io`.
    pub unpublished: bool,
}

/// A package named by a file (a gemspec or a project file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub name: String,
}

#[derive(Clone, Debug, Default)]
pub struct Manifests {
    pub package_json: Option<PackageJson>,
    /// The variables the root `.npmrc` takes registry credentials from
    /// (`//registry.npmjs.org/:_authToken=${NPM_TOKEN}`).
    pub npmrc_auth_vars: Vec<String>,
    /// The registries the root `.npmrc` sets, and the file when it sets any.
    pub npmrc_registries: NpmrcRegistries,
    pub npmrc_file: Option<FileId>,
    /// What the files of release tools that publish inside themselves say.
    pub release: crate::release_config::ReleaseConfig,
    /// What the other registries would call the package, read on first
    /// use and only for the registry asked about: only a finding about a
    /// publish without a publisher, and `suggest`, ask (most checks never
    /// read these files). One entry per registry of [`NAMED_REGISTRIES`].
    names: [std::sync::OnceLock<PackageNames>; NAMED_REGISTRIES.len()],
    /// The workspace packages a monorepo tool publishes, read on first use.
    npm_workspace: std::sync::OnceLock<NpmWorkspace>,
}

/// The packages of an npm monorepo, as far as tplint can read them: what
/// Lerna, changesets, `pnpm -r`, Nx and `npm publish --workspaces` publish,
/// each to the registry of its own `publishConfig.registry`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NpmWorkspace {
    /// `publishConfig.registry` of each workspace package read that is not
    /// private, `None` for one without.
    pub registries: Vec<Option<String>>,
    /// A folder the workspace lists has no readable `package.json`, or a
    /// glob tplint does not expand (`**`, `{a,b}`), or more than
    /// [`MAX_FILES`] packages: others may publish elsewhere.
    pub incomplete: bool,
}

/// Top-level folders whose Python projects are examples, tests, tools,
/// documentation or vendored code rather than packages the repository
/// releases (python-poetry/poetry-core's `vendors/pyproject.toml` only
/// pins what it vendors).
const UNPUBLISHED_FOLDERS: &[&str] = &[
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "doc",
    "docs",
    "example",
    "examples",
    "fixtures",
    "fuzz",
    "script",
    "scripts",
    "test",
    "test-crates",
    "testdata",
    "testing",
    "tests",
    "third_party",
    "tutorial",
    "vendor",
    "vendored",
    "vendors",
];

/// The registries whose package names [`PackageNames`] reads, each from
/// its own manifests.
const NAMED_REGISTRIES: [Registry; 6] = [
    Registry::Pypi,
    Registry::CratesIo,
    Registry::RubyGems,
    Registry::NuGet,
    Registry::PubDev,
    Registry::Jsr,
];

/// What the registries other than npm would call the package.
#[derive(Clone, Debug, Default)]
pub struct PackageNames {
    /// The root crate and the workspace members ([`cargo_crates`]).
    pub crates: Vec<Crate>,
    /// Whether `crates` holds every member of the workspace.
    pub crates_complete: bool,
    pub gemspecs: Vec<NamedFile>,
    /// Folders below the root hold gemspecs too: the repository releases
    /// several gems, which a task of its own may push without the root's
    /// (dependabot/dependabot-core's `rake gems:release`).
    pub gemspecs_below: bool,
    /// The project files `dotnet pack` packs, each with its package ID
    /// ([`msbuild::packed_project`]).
    pub csprojs: Vec<NamedFile>,
    /// Whether every project file read is known to be packed or not, with
    /// a package ID tplint can read: otherwise another may be the package.
    pub csprojs_complete: bool,
    /// `name:` of the root `pubspec.yaml` (pub.dev).
    pub pubspec_name: Option<String>,
    /// `name` of the root `jsr.json`, `deno.json` or `deno.jsonc` (JSR),
    /// the first that has one.
    pub jsr_name: Option<String>,
    /// The Python projects of folders one or two levels below the root
    /// (`[project] name` of their `pyproject.toml`), which an upload to
    /// PyPI may publish instead of the root's.
    pub python_projects: Vec<NamedFile>,
}

impl Manifests {
    /// Read the manifests under `root`, the overlay's texts first. The
    /// root `package.json` is added to `sources` so rules can point into it.
    pub fn load(root: &Path, overlay: &Overlay, sources: &mut SourceMap) -> Self {
        let read = |relative: &str| read_manifest(root, overlay, relative);
        let package_text = read("package.json");
        let release =
            crate::release_config::ReleaseConfig::load(root, overlay, package_text.as_deref());
        let package_json = package_text.map(|text| {
            let mut package = parse_package_json(&text);
            package.file = Some(sources.add(SourceFile::new("package.json", text)));
            package
        });
        let npmrc = read(".npmrc");
        let npmrc_auth_vars = npmrc.as_deref().map(npmrc_auth_vars).unwrap_or_default();
        let npmrc_registries = npmrc.as_deref().map(npmrc_registries).unwrap_or_default();
        let npmrc_file = npmrc
            .filter(|_| !npmrc_registries.is_empty())
            .map(|text| sources.add(SourceFile::new(".npmrc", text)));
        Self {
            package_json,
            npmrc_auth_vars,
            npmrc_registries,
            npmrc_file,
            release,
            names: Default::default(),
            npm_workspace: Default::default(),
        }
    }

    /// Manifests whose package names are already known (for tests).
    pub fn with_names(package_json: Option<PackageJson>, names: PackageNames) -> Self {
        Self {
            package_json,
            names: std::array::from_fn(|_| names.clone().into()),
            ..Self::default()
        }
    }

    /// What `registry` (not npm) would call the package, read from `root`
    /// (the overlay's texts first) the first time it is asked; `None` for
    /// a registry without manifests of its own here.
    fn names(&self, registry: Registry, root: &Path, overlay: &Overlay) -> Option<&PackageNames> {
        let registry = if registry.is_pypi() {
            Registry::Pypi
        } else {
            registry
        };
        let at = NAMED_REGISTRIES.iter().position(|r| *r == registry)?;
        Some(self.names[at].get_or_init(|| PackageNames::load(root, overlay, registry)))
    }

    /// The registry npm, pnpm and Yarn classic publish the root package to
    /// when no `--registry` is given, and where that is written: see
    /// [`npm_publish_registry`]. `reads_npmrc` is false for Yarn Berry,
    /// which reads only `package.json` and its own `.yarnrc.yml`
    /// (yarnpkg.com/configuration/manifest#publishConfig).
    pub fn npm_publish_target(
        &self,
        reads_npmrc: bool,
    ) -> Option<(String, crate::diagnostic::Location)> {
        let package = self.package_json.as_ref()?;
        let npmrc = reads_npmrc.then_some(&self.npmrc_registries);
        let (registry, from_npmrc) = npm_publish_registry(package, npmrc)?;
        let file = if from_npmrc {
            self.npmrc_file?
        } else {
            package.file?
        };
        Some((
            registry.value.clone(),
            crate::diagnostic::Location::new(file, registry.span),
        ))
    }

    /// The workspace packages of the repository (see [`NpmWorkspace`]),
    /// read from `root` (the overlay's texts first) the first time asked.
    pub fn npm_workspace(&self, root: &Path, overlay: &Overlay) -> &NpmWorkspace {
        self.npm_workspace.get_or_init(|| {
            let globs = self
                .package_json
                .as_ref()
                .map(|p| p.workspace_globs.as_slice())
                .unwrap_or_default();
            NpmWorkspace::load(root, overlay, globs)
        })
    }

    /// The Python projects below the root (see
    /// [`PackageNames::python_projects`]), read the first time asked.
    pub fn python_projects(&self, root: &Path, overlay: &Overlay) -> &[NamedFile] {
        self.names(Registry::Pypi, root, overlay)
            .map_or(&[], |names| names.python_projects.as_slice())
    }

    /// The package a publisher to `registry` without `package =` stands
    /// for, when the manifests name exactly one: `package.json` `name`
    /// (unless private), the root crate (else the only publishable
    /// member), the only gemspec, the only project `dotnet pack` packs.
    pub fn default_package(
        &self,
        registry: Registry,
        root: &Path,
        overlay: &Overlay,
    ) -> Option<&str> {
        if registry == Registry::Npm {
            let package = self.package_json.as_ref()?;
            if package.private {
                return None;
            }
            return package.name.as_ref().map(|n| n.value.as_str());
        }
        self.names(registry, root, overlay)?
            .default_package(registry)
    }

    /// The crates published to crates.io of the Cargo workspace at the
    /// root, the root crate first, when tplint read every member: what a
    /// tool publishing the whole workspace publishes.
    pub fn workspace_crates(&self, root: &Path, overlay: &Overlay) -> Option<Vec<&str>> {
        let names = self.names(Registry::CratesIo, root, overlay)?;
        names.crates_complete.then(|| {
            names
                .crates
                .iter()
                .filter(|c| !c.unpublished)
                .map(|c| c.name.as_str())
                .collect()
        })
    }
}

impl PackageNames {
    /// Read the manifests under `root` that name a package for
    /// `registry` (not npm), the overlay's texts first; the other
    /// registries' names are left empty.
    pub fn load(root: &Path, overlay: &Overlay, registry: Registry) -> Self {
        let read = |relative: &str| read_manifest(root, overlay, relative);
        let mut names = Self::default();
        match registry {
            Registry::CratesIo => {
                let found = read("Cargo.toml")
                    .map(|text| cargo_crates(&text, |dir| list_dirs(root, dir), &read))
                    .unwrap_or_default();
                names.crates = found.crates;
                names.crates_complete = found.complete;
            }
            Registry::RubyGems => {
                for path in files_with_suffix(root, overlay, "", ".gemspec") {
                    if let Some(name) = read(&path).and_then(|t| gemspec_name(&t)) {
                        names.gemspecs.push(NamedFile { path, name });
                    }
                }
                names.gemspecs_below = list_dirs(root, "")
                    .iter()
                    .filter(|dir| !UNPUBLISHED_FOLDERS.contains(&dir.as_str()))
                    .any(|dir| !files_with_suffix(root, overlay, dir, ".gemspec").is_empty());
            }
            Registry::NuGet => {
                let (projects, complete) = nuget_projects(root, overlay);
                names.csprojs = projects;
                names.csprojs_complete = complete;
            }
            Registry::PubDev => {
                names.pubspec_name = read("pubspec.yaml").and_then(|t| pubspec_name(&t));
            }
            Registry::Jsr => {
                names.jsr_name = ["jsr.json", "jsr.jsonc", "deno.json", "deno.jsonc"]
                    .iter()
                    .find_map(|file| read(file).and_then(|t| jsr_name(&t)));
            }
            Registry::Pypi | Registry::TestPypi => {
                let first: Vec<String> = list_dirs(root, "")
                    .into_iter()
                    .filter(|dir| !UNPUBLISHED_FOLDERS.contains(&dir.to_ascii_lowercase().as_str()))
                    .collect();
                let second = first
                    .iter()
                    .take(MAX_FILES)
                    .flat_map(|dir| list_dirs(root, dir));
                for dir in first.iter().cloned().chain(second) {
                    if names.python_projects.len() >= MAX_FILES {
                        break;
                    }
                    let path = join(&dir, "pyproject.toml");
                    if let Some(name) = read(&path).and_then(|t| pyproject_name(&t)) {
                        names.python_projects.push(NamedFile { path, name });
                    }
                }
            }
            Registry::Npm => {}
        }
        names
    }

    /// The package of `registry` (not npm) when the manifests name exactly
    /// one.
    fn default_package(&self, registry: Registry) -> Option<&str> {
        match registry {
            Registry::Npm => None,
            Registry::CratesIo => {
                let publishable: Vec<&Crate> =
                    self.crates.iter().filter(|c| !c.unpublished).collect();
                match publishable.iter().find(|c| c.dir.is_empty()) {
                    Some(root) => Some(root.name.as_str()),
                    None => match publishable.as_slice() {
                        [only] => Some(only.name.as_str()),
                        _ => None,
                    },
                }
            }
            Registry::RubyGems => only(&self.gemspecs).filter(|_| !self.gemspecs_below),
            Registry::NuGet => only(&self.csprojs).filter(|_| self.csprojs_complete),
            Registry::PubDev => self.pubspec_name.as_deref(),
            Registry::Jsr => self.jsr_name.as_deref(),
            Registry::Pypi | Registry::TestPypi => None,
        }
    }
}

impl NpmWorkspace {
    /// Read the packages the root `package.json`'s `workspaces` (`globs`),
    /// `lerna.json`'s `packages` and `pnpm-workspace.yaml`'s `packages`
    /// list, all of them (each tool reads one; a package listed by another
    /// only adds a package to judge), else Lerna's default `packages/*`.
    /// Literal folders and `DIR/*` are read; a negated glob is left out.
    pub fn load(root: &Path, overlay: &Overlay, globs: &[String]) -> Self {
        let read = |relative: &str| read_manifest(root, overlay, relative);
        let mut all: Vec<String> = globs.to_vec();
        if let Some(text) = read("lerna.json")
            && let Ok(serde_json::Value::Object(lerna)) = serde_json::from_str(&text)
            && let Some(list) = lerna.get("packages").and_then(|p| p.as_array())
        {
            all.extend(list.iter().filter_map(|g| g.as_str().map(str::to_string)));
        }
        if let Some(text) = read("pnpm-workspace.yaml") {
            all.extend(pnpm_workspace_packages(&text));
        }
        if all.is_empty() {
            all.push("packages/*".to_string());
        }
        let mut workspace = Self::default();
        let mut folders: Vec<String> = Vec::new();
        for glob in &all {
            let glob = glob.trim().trim_start_matches("./").trim_end_matches('/');
            if glob.starts_with('!') {
                continue;
            }
            let pattern = |text: &str| text.contains(['*', '?', '[', '{']);
            if glob.is_empty() || glob == "." || glob.split('/').any(|part| part == "..") {
                continue;
            }
            match glob.strip_suffix("/*") {
                Some(parent) if !pattern(parent) => folders.extend(list_dirs(root, parent)),
                None if !pattern(glob) => folders.push(glob.to_string()),
                _ => workspace.incomplete = true,
            }
        }
        folders.sort();
        folders.dedup();
        if folders.len() > MAX_FILES {
            workspace.incomplete = true;
            folders.truncate(MAX_FILES);
        }
        // The workspace root's `.npmrc` is the project configuration of
        // every workspace (@npmcli/config `loadLocalPrefix`).
        let npmrc = read(".npmrc").map(|text| npmrc_registries(&text));
        for folder in &folders {
            match read(&format!("{folder}/package.json")) {
                Some(text) => {
                    let package = parse_package_json(&text);
                    if !package.private {
                        workspace.registries.push(
                            npm_publish_registry(&package, npmrc.as_ref())
                                .map(|(r, _)| r.value.clone()),
                        );
                    }
                }
                // A folder without a package is not a package (`packages/*`
                // matching a folder of shared files); one listed by name
                // may hold one tplint cannot read.
                None if !all
                    .iter()
                    .any(|g| g.trim_start_matches("./").trim_end_matches('/') == folder) => {}
                None => workspace.incomplete = true,
            }
        }
        workspace
    }
}

/// The `packages` list of a `pnpm-workspace.yaml` (pnpm.io/pnpm-workspace_yaml),
/// read line by line: a block list of plain or quoted strings, or a flow
/// list on the key's line.
fn pnpm_workspace_packages(text: &str) -> Vec<String> {
    let unquote = |value: &str| {
        let value = value.split(" #").next().unwrap_or_default().trim();
        value.trim_matches(['"', '\'']).to_string()
    };
    let mut lines = text.lines();
    let mut found = Vec::new();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("packages:") else {
            continue;
        };
        let rest = rest.split(" #").next().unwrap_or_default().trim();
        if let Some(flow) = rest.strip_prefix('[') {
            let flow = flow.split(']').next().unwrap_or_default();
            found.extend(flow.split(',').map(unquote).filter(|v| !v.is_empty()));
            return found;
        }
        for item in lines.by_ref() {
            let trimmed = item.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if !item.starts_with([' ', '\t', '-']) {
                break;
            }
            match trimmed.strip_prefix('-') {
                Some(value) => found.push(unquote(value)),
                None => break,
            }
        }
        break;
    }
    found
}

/// What the `package.json` of repository folder `folder` (`""`: the root)
/// says of the registry `npm publish` run there uploads to: `Some(Some(url))`
/// for its `publishConfig.registry`, `Some(None)` for a package without one,
/// `None` when there is no package tplint can read.
pub fn npm_publish_registry_in(
    root: &Path,
    overlay: &Overlay,
    folder: &str,
) -> Option<Option<String>> {
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    if folder.split('/').any(|part| part == "..") {
        return None;
    }
    let path = if folder.is_empty() || folder == "." {
        "package.json".to_string()
    } else {
        format!("{folder}/package.json")
    };
    let text = read_manifest(root, overlay, &path)?;
    serde_json::from_str::<serde_json::Value>(&text).ok()?;
    let package = parse_package_json(&text);
    // npm's project configuration is the `.npmrc` beside the package it
    // runs in, or the workspace root's (@npmcli/config `loadLocalPrefix`):
    // the folder's when it has one, else the root's.
    let npmrc = read_manifest(root, overlay, &path.replace("package.json", ".npmrc"))
        .or_else(|| read_manifest(root, overlay, ".npmrc"))
        .map(|text| npmrc_registries(&text));
    Some(npm_publish_registry(&package, npmrc.as_ref()).map(|(r, _)| r.value.clone()))
}

/// The registries an `.npmrc` sets: `registry=URL` and `@scope:registry=URL`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NpmrcRegistries {
    pub default: Option<Located>,
    /// Each scope (`@acme`) and its registry.
    pub scoped: Vec<(String, Located)>,
}

impl NpmrcRegistries {
    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.scoped.is_empty()
    }
}

/// Read the `registry` and `@scope:registry` lines of an `.npmrc` (ini:
/// `key = value`, `#` and `;` comments; the last value of a key wins;
/// docs.npmjs.com/cli/configuring-npm/npmrc). The spans cover the values.
pub fn npmrc_registries(text: &str) -> NpmrcRegistries {
    let mut found = NpmrcRegistries::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n').take(1000) {
        let start = offset;
        offset += raw.len();
        let line = raw.trim();
        if line.starts_with(['#', ';']) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let value = value.trim_matches(['"', '\'']);
        if value.is_empty() {
            continue;
        }
        let at = start + raw.find(value).unwrap_or(0);
        let located = Located {
            value: value.to_string(),
            span: Span::new(at, at + value.len()),
        };
        if key == "registry" {
            found.default = Some(located);
        } else if let Some(scope) = key.strip_suffix(":registry")
            && scope.starts_with('@')
            && !scope.contains('/')
        {
            found.scoped.retain(|(s, _)| s != scope);
            found.scoped.push((scope.to_string(), located));
        }
    }
    found
}

/// The registry `npm publish` sends a package to when no `--registry` is
/// given, and whether the project `.npmrc` says so (`true`) rather than
/// `package.json`: the registry of the package's scope, then the default
/// registry (npm-registry-fetch `pickRegistry`), where `publishConfig` is
/// laid over the configuration (npm/cli `lib/commands/publish.js`,
/// `#getManifest` flattens it into the options). So an `.npmrc`'s
/// `@scope:registry` wins over `publishConfig.registry`, which wins over
/// the `.npmrc`'s `registry`. `None`: npm's default, or a registry set
/// elsewhere (the user's configuration, where `setup-node` writes).
pub fn npm_publish_registry<'a>(
    package: &'a PackageJson,
    npmrc: Option<&'a NpmrcRegistries>,
) -> Option<(&'a Located, bool)> {
    if let Some(scope) = package.scope() {
        if let Some(registry) = &package.publish_scope_registry {
            return Some((registry, false));
        }
        if let Some((_, registry)) = npmrc.and_then(|n| n.scoped.iter().find(|(s, _)| s == scope)) {
            return Some((registry, true));
        }
    }
    if let Some(registry) = &package.publish_registry {
        return Some((registry, false));
    }
    npmrc.and_then(|n| n.default.as_ref()).map(|r| (r, true))
}

/// The text of the manifest at `relative` under `root`, the overlay's
/// first; `None` when it is missing, larger than [`MAX_MANIFEST_BYTES`] or
/// not UTF-8.
/// The package the manifest of repository folder `folder` names for
/// `registry`: pub.dev's `pubspec.yaml`, JSR's `jsr.json` or `deno.json`,
/// npm's `package.json` (unless private), the crate of `Cargo.toml`
/// (unless `publish = false`): what `dart pub publish`, `deno publish`,
/// `npm publish` and `cargo publish` run there publish. `None` for the
/// root (see [`Manifests::default_package`]), other registries, or a
/// folder without one.
pub fn package_in(
    registry: Registry,
    root: &Path,
    overlay: &Overlay,
    folder: &str,
) -> Option<String> {
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    if folder.is_empty() || folder == "." || folder.split('/').any(|part| part == "..") {
        return None;
    }
    let read = |name: &str| read_manifest(root, overlay, &format!("{folder}/{name}"));
    match registry {
        Registry::PubDev => read("pubspec.yaml").and_then(|t| pubspec_name(&t)),
        Registry::Pypi | Registry::TestPypi => {
            read("pyproject.toml").and_then(|t| pyproject_name(&t))
        }
        Registry::Jsr => ["jsr.json", "jsr.jsonc", "deno.json", "deno.jsonc"]
            .iter()
            .find_map(|file| read(file).and_then(|t| jsr_name(&t))),
        Registry::Npm => read("package.json")
            .map(|t| parse_package_json(&t))
            .filter(|package| !package.private)
            .and_then(|package| package.name.map(|n| n.value)),
        Registry::CratesIo => read("Cargo.toml")
            .and_then(|t| toml::from_str::<CargoManifest>(&t).ok())
            .and_then(|manifest| manifest.crate_in(folder))
            .filter(|krate| !krate.unpublished)
            .map(|krate| krate.name),
        _ => None,
    }
}

fn read_manifest(root: &Path, overlay: &Overlay, relative: &str) -> Option<String> {
    let bytes = overlay
        .read(root, relative, MAX_MANIFEST_BYTES)
        .ok()
        .filter(|b| b.len() <= MAX_MANIFEST_BYTES)?;
    String::from_utf8(bytes).ok()
}

fn only(files: &[NamedFile]) -> Option<&str> {
    match files {
        [one] => Some(one.name.as_str()),
        _ => None,
    }
}

/// The folders directly under `dir` (relative to `root`), sorted, hidden
/// ones left out.
fn list_dirs(root: &Path, dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| !name.starts_with('.') && name != "node_modules" && name != "target")
        .take(MAX_FILES * 4)
        .map(|name| join(dir, &name))
        .collect();
    dirs.sort();
    dirs
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Files directly in `dir` whose name ends with `suffix`, on disk or in
/// the overlay, sorted.
fn files_with_suffix(root: &Path, overlay: &Overlay, dir: &str, suffix: &str) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(suffix))
        .take(MAX_FILES)
        .map(|name| join(dir, &name))
        .collect();
    for (path, _) in overlay.iter() {
        let in_dir = match path.rsplit_once('/') {
            Some((parent, _)) => parent == dir,
            None => dir.is_empty(),
        };
        if in_dir && path.ends_with(suffix) && !found.iter().any(|p| p == path) {
            found.push(path.to_string());
        }
    }
    found.sort();
    found.truncate(MAX_FILES);
    found
}

/// The project files (`*.csproj`) at the root, in each top-level folder
/// and in the folders below those, that `dotnet pack` packs, each with its
/// package ID; and whether every project read is known to be packed or
/// not, with an ID tplint can read (false too past [`MAX_FILES`]).
fn nuget_projects(root: &Path, overlay: &Overlay) -> (Vec<NamedFile>, bool) {
    use msbuild::{Imported, Packable};
    let mut dirs = vec![String::new()];
    for top in list_dirs(root, "") {
        let below = list_dirs(root, &top);
        dirs.push(top);
        dirs.extend(below);
    }
    let mut complete = dirs.len() <= MAX_FILES * 4;
    // `Directory.Build.props` and `.targets` by folder, read once.
    let mut imports: std::collections::HashMap<String, Option<String>> = Default::default();
    let mut packed = Vec::new();
    let mut read_count = 0;
    for dir in dirs.iter().take(MAX_FILES * 4) {
        for path in files_with_suffix(root, overlay, dir, ".csproj") {
            read_count += 1;
            if read_count > MAX_FILES {
                return (packed, false);
            }
            let Some(text) = read_manifest(root, overlay, &path) else {
                complete = false;
                continue;
            };
            let text = msbuild::without_comments(&text);
            let mut texts = |name: &str| -> Vec<String> {
                // The nearest file of that name up from the project's
                // folder, and those it imports further up.
                let mut found = Vec::new();
                let mut folder = Some(dir.as_str());
                while let Some(at) = folder {
                    let file = join(at, name);
                    let text = imports
                        .entry(file.clone())
                        .or_insert_with(|| {
                            read_manifest(root, overlay, &file)
                                .map(|t| msbuild::without_comments(&t))
                        })
                        .clone();
                    folder = (!at.is_empty()).then(|| at.rsplit_once('/').map_or("", |(p, _)| p));
                    if let Some(text) = text {
                        let more = msbuild::imports(&text);
                        found.push(text);
                        if !more {
                            break;
                        }
                    }
                }
                found
            };
            let props = texts("Directory.Build.props");
            let targets = texts("Directory.Build.targets");
            let imported = Imported {
                props: props.iter().map(String::as_str).collect(),
                targets: targets.iter().map(String::as_str).collect(),
            };
            let file_name = path.rsplit('/').next().unwrap_or(&path);
            let stem = file_name.strip_suffix(".csproj").unwrap_or(file_name);
            let project = msbuild::packed_project(&text, stem, &imported);
            match (project.packable, project.id) {
                (Packable::No, _) => {}
                (Packable::Yes, Some(name)) => packed.push(NamedFile { path, name }),
                _ => complete = false,
            }
        }
    }
    (packed, complete)
}

/// Read the fields of a `package.json`; anything malformed is left out.
pub fn parse_package_json(text: &str) -> PackageJson {
    let mut package = PackageJson::default();
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return package;
    };
    let keys = top_level_keys(text);
    let value_span = |key: &str| keys.iter().find(|k| k.0 == key).map(|k| k.2);
    let key_span = |key: &str| keys.iter().find(|k| k.0 == key).map(|k| k.1);
    let string = |key: &str| root.get(key).and_then(|v| v.as_str()).map(str::to_string);
    package.name = string("name").map(|value| Located {
        value,
        span: value_span("name").unwrap_or_default(),
    });
    package.repository = match root.get("repository") {
        Some(serde_json::Value::String(url)) => Some(url.clone()),
        Some(serde_json::Value::Object(object)) => Some(
            object
                .get("url")
                .and_then(|u| u.as_str())
                .unwrap_or_default()
                .to_string(),
        ),
        _ => None,
    }
    .map(|value| Located {
        value,
        span: value_span("repository")
            .or_else(|| key_span("repository"))
            .unwrap_or_default(),
    });
    package.private = root.get("private").and_then(|v| v.as_bool()) == Some(true);
    package.package_manager = string("packageManager");
    package.engines_node = root
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let publish_config = root.get("publishConfig");
    package.publish_registry = publish_config
        .and_then(|p| p.get("registry"))
        .and_then(|r| r.as_str())
        .map(|value| Located {
            value: value.to_string(),
            span: value_span("publishConfig").unwrap_or_default(),
        });
    package.publish_scope_registry = package
        .scope()
        .and_then(|scope| publish_config?.get(format!("{scope}:registry")))
        .and_then(|r| r.as_str())
        .map(|value| Located {
            value: value.to_string(),
            span: value_span("publishConfig").unwrap_or_default(),
        });
    package.publish_provenance = publish_config
        .and_then(|p| p.get("provenance"))
        .and_then(|p| p.as_bool());
    package.workspaces = root.contains_key("workspaces");
    let globs = match root.get("workspaces") {
        Some(serde_json::Value::Object(object)) => object.get("packages"),
        other => other,
    };
    package.workspace_globs = globs
        .and_then(|g| g.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    package
}

/// The keys of a JSON document's top-level object with the spans of the
/// key and of its value (the value's first line, for objects: its first
/// character through the end of the value). The text is valid JSON.
pub(crate) fn top_level_keys(text: &str) -> Vec<(String, Span, Span)> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut at = 0usize;
    // (key, key span) waiting for its value at depth 1.
    let mut pending: Option<(String, Span)> = None;
    let mut value_start: Option<(String, Span, usize)> = None;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                let start = at;
                at += 1;
                // To the closing quote, an escaped character skipped.
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[at.min(bytes.len())..]) {
                        Some(found) if bytes[at + found] == b'\\' => at += found + 2,
                        Some(found) => {
                            at += found;
                            break;
                        }
                        None => {
                            at = bytes.len();
                            break;
                        }
                    }
                }
                let end = (at + 1).min(bytes.len());
                if depth == 1 {
                    if let Some((key, key_span)) = pending.take() {
                        keys.push((key, key_span, Span::new(start, end)));
                    } else if value_start.is_none() {
                        let key = text.get(start + 1..end - 1).unwrap_or_default().to_string();
                        pending = Some((key, Span::new(start, end)));
                    }
                }
                at = end;
                continue;
            }
            b':' if depth == 1 => {}
            b'{' | b'[' => {
                if depth == 1
                    && let Some((key, key_span)) = pending.take()
                {
                    value_start = Some((key, key_span, at));
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1
                    && let Some((key, key_span, start)) = value_start.take()
                {
                    keys.push((key, key_span, Span::new(start, at + 1)));
                }
            }
            c if depth == 1 && !c.is_ascii_whitespace() && c != b',' => {
                // A number, `true`, `false` or `null`.
                if let Some((key, key_span)) = pending.take() {
                    let end = text
                        .get(at..)
                        .and_then(|rest| rest.find([',', '}', '\n']))
                        .map_or(text.len(), |e| at + e);
                    keys.push((key, key_span, Span::new(at, end)));
                    at = end;
                    continue;
                }
            }
            _ => {}
        }
        at += 1;
    }
    keys
}

/// The crates of a Cargo workspace: the root package and the members.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CargoCrates {
    /// The root package first, then the members in the order `members`
    /// lists them.
    pub crates: Vec<Crate>,
    /// Every member was read: no glob tplint does not expand, no member
    /// without a readable manifest, no more than [`MAX_FILES`].
    pub complete: bool,
}

/// `[package].name` and the workspace members' names; `list` lists the
/// folders under a folder and `read` reads a file, both relative to the
/// root.
///
/// Cargo expands each `members` entry as a `glob` crate pattern and keeps
/// the folders it matches, a path matching none as written; it leaves out
/// a member under an `exclude` path unless it is also under a `members`
/// entry read as a path (rust-lang/cargo `src/cargo/core/workspace.rs`
/// [da498c8] `members_paths`, `expand_member_path`, `is_excluded`). tplint
/// expands `*` and `?` in the last component under a literal parent
/// (`crates/*`, `ratatui-*`); any other glob leaves the list incomplete.
fn cargo_crates(
    text: &str,
    list: impl Fn(&str) -> Vec<String>,
    read: &impl Fn(&str) -> Option<String>,
) -> CargoCrates {
    let Ok(manifest) = toml::from_str::<CargoManifest>(text) else {
        return CargoCrates::default();
    };
    let mut found = CargoCrates {
        crates: manifest.crate_in("").into_iter().collect(),
        complete: true,
    };
    let workspace = manifest.workspace.unwrap_or_default();
    let strings = |value: Option<toml::Value>| -> Vec<String> {
        match value {
            Some(toml::Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(|s| normal_member(s).to_string()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let members = strings(workspace.members);
    let excluded = strings(workspace.exclude);
    let under = |dir: &str, path: &str| {
        path.is_empty() || dir == path || dir.starts_with(&format!("{path}/"))
    };
    let mut dirs = Vec::new();
    for member in &members {
        if member.contains("..") {
            found.complete = false;
            continue;
        }
        let (parent, last) = member.rsplit_once('/').unwrap_or(("", member));
        if parent.contains(['*', '?', '[', ']', '{']) || last.contains(['[', ']', '{']) {
            found.complete = false;
        } else if last.contains(['*', '?']) {
            let matched: Vec<String> = list(parent)
                .into_iter()
                .filter(|dir| glob_matches(last, dir.rsplit('/').next().unwrap_or(dir)))
                .collect();
            if matched.is_empty() {
                // Cargo keeps the pattern as a path, which then fails to load.
                found.complete = false;
            }
            dirs.extend(matched);
        } else {
            dirs.push(member.to_string());
        }
    }
    for dir in dirs {
        if dir.is_empty() || found.crates.iter().any(|c| c.dir == dir) {
            continue;
        }
        let explicit = members
            .iter()
            .filter(|m| !m.contains(['*', '?']))
            .any(|m| under(&dir, m));
        if !explicit && excluded.iter().any(|ex| under(&dir, ex)) {
            continue;
        }
        if found.crates.len() > MAX_FILES {
            found.complete = false;
            break;
        }
        let member = read(&format!("{dir}/Cargo.toml"))
            .and_then(|t| toml::from_str::<CargoManifest>(&t).ok());
        match member.and_then(|m| m.crate_in(&dir)) {
            Some(krate) => found.crates.push(krate),
            None => found.complete = false,
        }
    }
    found
}

/// A `members` or `exclude` entry as a folder relative to the root.
fn normal_member(entry: &str) -> &str {
    let entry = entry.trim_start_matches("./").trim_end_matches('/');
    if entry == "." { "" } else { entry }
}

/// Whether `name` matches `pattern`, a `glob` crate pattern of `*` (any
/// characters) and `?` (one character) only.
fn glob_matches(pattern: &str, name: &str) -> bool {
    fn matches(pattern: &[char], name: &[char]) -> bool {
        match pattern.split_first() {
            None => name.is_empty(),
            Some(('*', rest)) => (0..=name.len()).any(|at| matches(rest, &name[at..])),
            Some(('?', rest)) => !name.is_empty() && matches(rest, &name[1..]),
            Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
        }
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches(&pattern, &name)
}

/// `[project] name` of a `pyproject.toml`.
fn pyproject_name(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Pyproject {
        project: Option<Project>,
    }
    #[derive(serde::Deserialize)]
    struct Project {
        name: Option<toml::Value>,
    }
    let name = toml::from_str::<Pyproject>(text).ok()?.project?.name?;
    name.as_str().map(str::to_string)
}

/// What [`cargo_crates`] reads of a `Cargo.toml`: typed, so that the rest
/// of the file is skipped rather than built into tables. Values whose
/// type Cargo would check stay `toml::Value`s, so a wrong one leaves the
/// crate out rather than the file.
#[derive(serde::Deserialize)]
struct CargoManifest {
    package: Option<CargoPackage>,
    workspace: Option<CargoWorkspace>,
}

#[derive(serde::Deserialize)]
struct CargoPackage {
    name: Option<toml::Value>,
    publish: Option<toml::Value>,
}

#[derive(serde::Deserialize, Default)]
struct CargoWorkspace {
    members: Option<toml::Value>,
    exclude: Option<toml::Value>,
}

impl CargoManifest {
    /// The crate of the manifest in repository folder `dir`, when it has a
    /// `[package]` with a name.
    fn crate_in(&self, dir: &str) -> Option<Crate> {
        let package = self.package.as_ref()?;
        let name = package.name.as_ref()?.as_str()?.to_string();
        let unpublished = match &package.publish {
            Some(toml::Value::Boolean(publish)) => !publish,
            // The registries it may be published to, crates.io's name
            // being `crates-io` (doc.rust-lang.org/cargo/reference/manifest.html#the-publish-field).
            Some(toml::Value::Array(registries)) => {
                !registries.iter().any(|r| r.as_str() == Some("crates-io"))
            }
            _ => false,
        };
        Some(Crate {
            dir: dir.to_string(),
            name,
            unpublished,
        })
    }
}

/// The `${VAR}` of `.npmrc` lines setting a registry's `:_authToken`,
/// `:_auth` or `:_password` (npm expands `${VAR}` in `.npmrc` values; docs.npmjs.com/cli/configuring-npm/npmrc).
fn npmrc_auth_vars(text: &str) -> Vec<String> {
    let mut vars = Vec::new();
    for line in text.lines().take(1000) {
        let line = line.trim();
        if line.starts_with(['#', ';']) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        // Only credentials scoped to a registry (`//host/:_authToken`) are
        // used (npm-registry-fetch `lib/auth.js`).
        let key = key.trim();
        let credential =
            key.ends_with(":_authToken") || key.ends_with(":_auth") || key.ends_with(":_password");
        if !credential {
            continue;
        }
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            let Some(end) = rest[start..].find('}') else {
                break;
            };
            let name = rest[start + 2..start + end].trim_end_matches('?');
            if !name.is_empty() && !vars.iter().any(|v| v == name) {
                vars.push(name.to_string());
            }
            rest = &rest[start + end..];
        }
    }
    vars
}

/// The top-level `name:` of a `pubspec.yaml`
/// (https://dart.dev/tools/pub/pubspec#name: lower-case letters, digits
/// and `_`).
fn pubspec_name(text: &str) -> Option<String> {
    static NAME: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?m)^name:[ \t]*["']?([a-z0-9_]+)["']?[ \t]*(?:#.*)?\r?$"#).ok()
    });
    // `publish_to: none`: a package pub never publishes, such as a
    // workspace's root (https://dart.dev/tools/pub/pubspec#publish_to).
    static PRIVATE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?m)^publish_to:[ \t]*["']?none["']?[ \t]*(?:#.*)?\r?$"#).ok()
    });
    // A workspace's root (`workspace:`) stands for its members, not one
    // package (https://dart.dev/tools/pub/workspaces).
    static WORKSPACE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?m)^workspace:").ok());
    // Without a `version:`, pub cannot publish it (a melos root).
    static VERSION: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(?m)^version:").ok());
    if PRIVATE.as_ref().is_some_and(|p| p.is_match(text))
        || WORKSPACE.as_ref().is_some_and(|p| p.is_match(text))
        || VERSION.as_ref().is_some_and(|p| !p.is_match(text))
    {
        return None;
    }
    let captures = NAME.as_ref()?.captures(text)?;
    captures.get(1).map(|m| m.as_str().to_string())
}

/// The `"name"` of a JSR package config (`@scope/name`, as
/// https://jsr.io/docs/package-configuration writes it; scopes and names
/// are lower-case letters, digits and `-`). Read by pattern rather than
/// parsed, so that `deno.jsonc` comments do not matter; a nested `"name"`
/// that is not a scoped package name is not taken.
fn jsr_name(text: &str) -> Option<String> {
    static NAME: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#""name"\s*:\s*"(@[a-z0-9-]+/[a-z0-9-]+)""#).ok()
    });
    let captures = NAME.as_ref()?.captures(text)?;
    captures.get(1).map(|m| m.as_str().to_string())
}

/// What bare specifier `specifier` (`@david/publish-on-tag`) names through
/// the `imports` of a Deno configuration file (`deno.json`, or
/// `deno.jsonc` with comments and trailing commas): its own entry, else
/// the longest entry ending in `/` it starts with, with the rest appended
/// (https://docs.deno.com/runtime/fundamentals/modules/, "Import maps";
/// the WICG import maps specification). `None` when the file does not
/// parse, has no such entry, or names an `importMap` file instead, which
/// tplint does not read.
pub fn deno_import(text: &str, specifier: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(&jsonc_to_json(text)).ok()?;
    if json.get("importMap").is_some() {
        return None;
    }
    let imports = json.get("imports")?.as_object()?;
    if let Some(target) = imports.get(specifier) {
        return target.as_str().map(str::to_string);
    }
    let (prefix, target) = imports
        .iter()
        .filter(|(key, _)| key.ends_with('/') && specifier.starts_with(key.as_str()))
        .max_by_key(|(key, _)| key.len())?;
    Some(format!(
        "{}{}",
        target.as_str()?,
        &specifier[prefix.len()..]
    ))
}

/// JSON with comments (`//`, `/* */`) and trailing commas, as Deno reads
/// `deno.jsonc`, turned into JSON: comments become blanks and a comma
/// before `}` or `]` is dropped; strings are kept as written.
fn jsonc_to_json(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // Where in `out` the last comma outside strings went, while only
    // blanks and comments follow it.
    let mut comma: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.push_str(text.get(start..i).unwrap_or_default());
                comma = None;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text
                    .get(i + 2..)
                    .and_then(|rest| rest.find("*/"))
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
                out.push(' ');
                continue;
            }
            b',' => {
                comma = Some(out.len());
                out.push(',');
            }
            b'}' | b']' => {
                if let Some(at) = comma.take() {
                    out.replace_range(at..=at, " ");
                }
                out.push(char::from(bytes[i]));
            }
            c if c.is_ascii_whitespace() => out.push(char::from(c)),
            _ => {
                comma = None;
                // Copy the whole character (the text is UTF-8; `i` is
                // always at a character's start).
                let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                out.push(c);
                i += c.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `spec.name = "..."` (any receiver) in a gemspec.
fn gemspec_name(text: &str) -> Option<String> {
    const NAME: &str = r#"(?m)^\s*\w+\.name\s*=\s*(?:"([^"\\#]+)"|'([^'\\]+)')"#;
    // Unicode's `\s` and `\w` are most of the cost of building the
    // expression; on ASCII text (nearly every gemspec) they match what
    // their ASCII forms match, which are built at a fraction of it.
    static ASCII: std::sync::LazyLock<Option<regex::bytes::Regex>> =
        std::sync::LazyLock::new(|| regex::bytes::Regex::new(&format!("(?-u){NAME}")).ok());
    static UNICODE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(NAME).ok());
    let (first, second) = if text.is_ascii() {
        let captures = ASCII.as_ref()?.captures(text.as_bytes())?;
        let range = |group: usize| captures.get(group).map(|m| m.range());
        (range(1), range(2))
    } else {
        let captures = UNICODE.as_ref()?.captures(text)?;
        let range = |group: usize| captures.get(group).map(|m| m.range());
        (range(1), range(2))
    };
    first.or(second).map(|range| text[range].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default package, from names already known (nothing is read).
    fn package_of(manifests: &Manifests, registry: Registry) -> Option<&str> {
        manifests.default_package(registry, Path::new("/nonexistent"), &Overlay::default())
    }

    #[test]
    fn deno_imports_with_comments_and_trailing_commas() {
        let text = r#"{
  // denoland/dnt's deno.jsonc
  "name": "@deno/dnt", /* a comment, "with quotes" */
  "imports": {
    "@david/publish-on-tag": "jsr:@david/publish-on-tag@^0.2.0",
    "@std/": "jsr:@std/",
    "url": "https://example.com/a//b", // not a comment inside a string
  },
}"#;
        assert_eq!(
            deno_import(text, "@david/publish-on-tag").as_deref(),
            Some("jsr:@david/publish-on-tag@^0.2.0")
        );
        assert_eq!(deno_import(text, "@std/fs").as_deref(), Some("jsr:@std/fs"));
        assert_eq!(
            deno_import(text, "url").as_deref(),
            Some("https://example.com/a//b")
        );
        assert_eq!(deno_import(text, "@david/other"), None);
        let elsewhere = r#"{"importMap": "./import_map.json", "imports": {"a": "jsr:@b/c"}}"#;
        assert_eq!(deno_import(elsewhere, "a"), None);
        assert_eq!(deno_import("{ not json", "a"), None);
    }

    #[test]
    fn package_json_fields_and_spans() {
        let text = r#"{
  "name": "@scope/pkg",
  "version": "1.0.0",
  "private": false,
  "repository": {
    "type": "git",
    "url": "git+https://github.com/o/r.git"
  },
  "engines": { "node": ">=20" },
  "publishConfig": { "registry": "https://npm.pkg.github.com", "provenance": true },
  "packageManager": "pnpm@9.1.0"
}"#;
        let p = parse_package_json(text);
        let name = p.name.as_ref().unwrap();
        assert_eq!(name.value, "@scope/pkg");
        assert_eq!(&text[name.span.range()], "\"@scope/pkg\"");
        let repo = p.repository.as_ref().unwrap();
        assert_eq!(repo.value, "git+https://github.com/o/r.git");
        assert!(text[repo.span.range()].starts_with("{\n    \"type\""));
        assert!(text[repo.span.range()].ends_with('}'));
        assert_eq!(p.engines_node.as_deref(), Some(">=20"));
        assert_eq!(p.package_manager.as_deref(), Some("pnpm@9.1.0"));
        assert_eq!(
            p.publish_registry.as_ref().map(|r| r.value.as_str()),
            Some("https://npm.pkg.github.com")
        );
        assert_eq!(p.publish_provenance, Some(true));
        assert!(!p.private);
    }

    #[test]
    fn npmrc_registries_read() {
        let text = "; comment\n# @a:registry=https://no\nregistry = https://r.example/\n\
                    @acme:registry=\"https://npm.pkg.github.com\"\n\
                    //npm.pkg.github.com/:_authToken=${T}\n@acme:registry=https://last\n";
        let r = npmrc_registries(text);
        let default = r.default.as_ref().unwrap();
        assert_eq!(default.value, "https://r.example/");
        assert_eq!(&text[default.span.range()], "https://r.example/");
        assert_eq!(r.scoped.len(), 1);
        assert_eq!(r.scoped[0].0, "@acme");
        assert_eq!(r.scoped[0].1.value, "https://last");
        assert!(npmrc_registries("//host/:_authToken=x\n").is_empty());
    }

    #[test]
    fn npm_publish_registry_precedence() {
        let npmrc = npmrc_registries("registry=https://default\n@acme:registry=https://scoped\n");
        let registry = |package: &str| {
            npm_publish_registry(&parse_package_json(package), Some(&npmrc))
                .map(|(r, from_npmrc)| (r.value.clone(), from_npmrc))
        };
        // The scope's registry wins over publishConfig.registry...
        assert_eq!(
            registry(r#"{"name":"@acme/a","publishConfig":{"registry":"https://pc"}}"#),
            Some(("https://scoped".to_string(), true))
        );
        // ...unless publishConfig sets the scope's registry itself.
        assert_eq!(
            registry(r#"{"name":"@acme/a","publishConfig":{"@acme:registry":"https://pcs"}}"#),
            Some(("https://pcs".to_string(), false))
        );
        // publishConfig.registry wins over the `.npmrc`'s default.
        assert_eq!(
            registry(r#"{"name":"@other/a","publishConfig":{"registry":"https://pc"}}"#),
            Some(("https://pc".to_string(), false))
        );
        assert_eq!(
            registry(r#"{"name":"plain"}"#),
            Some(("https://default".to_string(), true))
        );
        assert_eq!(
            npm_publish_registry(&parse_package_json(r#"{"name":"plain"}"#), None),
            None
        );
    }

    #[test]
    fn package_json_workspaces() {
        let list = parse_package_json(r#"{"workspaces": ["packages/*", "docs"]}"#);
        assert!(list.workspaces);
        assert_eq!(list.workspace_globs, ["packages/*", "docs"]);
        // Yarn 1's object form.
        let object =
            parse_package_json(r#"{"workspaces": {"packages": ["apps/*"], "nohoist": ["**/x"]}}"#);
        assert_eq!(object.workspace_globs, ["apps/*"]);
        assert!(parse_package_json("{}").workspace_globs.is_empty());
    }

    #[test]
    fn package_json_string_repository_and_bad_input() {
        let text = "{\"name\":\"x\",\"repository\":\"github:o/r\",\"private\":true}";
        let p = parse_package_json(text);
        let repo = p.repository.unwrap();
        assert_eq!(repo.value, "github:o/r");
        assert_eq!(&text[repo.span.range()], "\"github:o/r\"");
        assert!(p.private);
        for bad in [
            "",
            "[1]",
            "{",
            "{\"name\": 3}",
            "\u{feff}{}",
            "{\"a\":\"\\\"\"}",
        ] {
            let p = parse_package_json(bad);
            assert!(p.name.is_none());
        }
        // Nested keys named like top-level ones are not taken.
        let text = "{\"x\":{\"repository\":\"a/b\"},\"name\":\"n\"}";
        let p = parse_package_json(text);
        assert!(p.repository.is_none());
        assert_eq!(&text[p.name.unwrap().span.range()], "\"n\"");
    }

    #[test]
    fn cargo_root_and_members() {
        let root = "[package]\nname = \"root\"\n[workspace]\nmembers = [\"crates/*\", \"tools/cli\", \"../out\"]\nexclude = [\"crates/skip\"]\n";
        let list = |dir: &str| {
            if dir == "crates" {
                vec!["crates/a".into(), "crates/b".into(), "crates/skip".into()]
            } else {
                Vec::new()
            }
        };
        let read = |path: &str| -> Option<String> {
            match path {
                "crates/a/Cargo.toml" => Some("[package]\nname = \"a\"\n".into()),
                "crates/b/Cargo.toml" => Some("[package]\nname = \"b\"\npublish = false\n".into()),
                "crates/skip/Cargo.toml" => Some("[package]\nname = \"skip\"\n".into()),
                "tools/cli/Cargo.toml" => Some("[package\n".into()),
                _ => None,
            }
        };
        // The members are read beside a publishable root; `../out` and
        // `tools/cli` (not TOML) leave the list incomplete.
        let found = cargo_crates(root, list, &read);
        let names: Vec<&str> = found.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["root", "a", "b"]);
        assert!(found.crates[2].unpublished);
        assert!(!found.complete);
        let manifests = Manifests::with_names(
            None,
            PackageNames {
                crates: found.crates,
                ..PackageNames::default()
            },
        );
        assert_eq!(package_of(&manifests, Registry::CratesIo), Some("root"));
        let virtual_ws = cargo_crates(
            "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\n",
            list,
            &read,
        );
        assert!(virtual_ws.complete);
        let manifests = Manifests::with_names(
            None,
            PackageNames {
                crates: virtual_ws.crates,
                ..PackageNames::default()
            },
        );
        // `a` is the only publishable member.
        assert_eq!(package_of(&manifests, Registry::CratesIo), Some("a"));
        assert!(cargo_crates("not toml [", list, &read).crates.is_empty());
    }

    #[test]
    fn cargo_member_globs_and_exclude() {
        // ratatui/ratatui: `ratatui-*` beside `ratatui` and `xtask`.
        let list = |dir: &str| -> Vec<String> {
            match dir {
                "" => [
                    "examples",
                    "ratatui",
                    "ratatui-core",
                    "ratatui-widgets",
                    "xtask",
                ]
                .map(String::from)
                .to_vec(),
                "examples" => vec!["examples/demo".into()],
                _ => Vec::new(),
            }
        };
        let read = |path: &str| -> Option<String> {
            let dir = path.strip_suffix("/Cargo.toml")?;
            let name = dir.rsplit('/').next()?;
            let publish = if name == "xtask" {
                "publish = false\n"
            } else {
                ""
            };
            Some(format!("[package]\nname = \"{name}\"\n{publish}"))
        };
        let found = cargo_crates(
            "[workspace]\nmembers = [\"ratatui\", \"ratatui-*\", \"xtask\"]\n",
            list,
            &read,
        );
        let names: Vec<&str> = found.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["ratatui", "ratatui-core", "ratatui-widgets", "xtask"]
        );
        assert!(found.complete);
        // `exclude` leaves out what a glob matched, not a member listed as a path.
        let found = cargo_crates(
            "[workspace]\nmembers = [\"ratatui*\", \"examples/*\"]\nexclude = [\"ratatui-core\", \"examples\"]\n",
            list,
            &read,
        );
        let names: Vec<&str> = found.crates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ratatui", "ratatui-widgets"]);
        let found = cargo_crates(
            "[workspace]\nmembers = [\"examples/demo\"]\nexclude = [\"examples\"]\n",
            list,
            &read,
        );
        assert_eq!(found.crates.len(), 1);
        // A glob tplint does not expand.
        for members in ["\"*/crates/*\"", "\"crates/[ab]\"", "\"nothing-*\""] {
            let found = cargo_crates(
                &format!("[workspace]\nmembers = [{members}]\n"),
                list,
                &read,
            );
            assert!(!found.complete, "{members}");
        }
        assert!(glob_matches("ratatui-*", "ratatui-core"));
        assert!(!glob_matches("ratatui-*", "ratatui"));
        assert!(glob_matches("a?c*", "abcdef"));
    }

    proptest::proptest! {
        /// Any text, and any JSON object, is read without a panic; a
        /// string `name` is found with a span covering its quoted text.
        #[test]
        fn package_json_never_panics(text in "\\PC{0,200}", name in "[a-z@/ü\\\\\"]{0,12}", nested in "\\PC{0,40}") {
            let _ = parse_package_json(&text);
            let _ = npmrc_auth_vars(&text);
            let _ = gemspec_name(&text);
            let json = serde_json::json!({"x": {"name": nested}, "name": name, "n": 1}).to_string();
            let p = parse_package_json(&json);
            let found = p.name.expect("a string name");
            proptest::prop_assert_eq!(&found.value, &name);
            proptest::prop_assert_eq!(
                serde_json::from_str::<String>(&json[found.span.range()]).ok(),
                Some(name.clone())
            );
        }
    }

    #[test]
    fn npmrc_variables() {
        let text = "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n# _authToken=${OLD}\n@x:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n";
        assert_eq!(npmrc_auth_vars(text), ["NPM_TOKEN", "GH_TOKEN"]);
        assert!(npmrc_auth_vars("//r/:_authToken=${").is_empty());
        assert!(npmrc_auth_vars("_authToken=${UNSCOPED}").is_empty());
    }

    #[test]
    fn gemspec_names() {
        assert_eq!(
            gemspec_name("Gem::Specification.new do |spec|\n  spec.name = \"my_gem\"\n").as_deref(),
            Some("my_gem")
        );
        assert_eq!(
            gemspec_name("Gem::Specification.new do |s|\n  s.name        = 'other'\n").as_deref(),
            Some("other")
        );
        assert_eq!(gemspec_name("  s.name = \"#{x}\"\n"), None);
        // Text that is not ASCII is read with Unicode's classes.
        assert_eq!(
            gemspec_name("# © 2024\n  spéc.name\u{a0}= \"ünï\"\n").as_deref(),
            Some("ünï")
        );
    }

    #[test]
    fn pubspec_and_jsr_names() {
        assert_eq!(
            pubspec_name("# pkg\nname: my_pkg\nversion: 1.2.3\n").as_deref(),
            Some("my_pkg")
        );
        assert_eq!(
            pubspec_name("name: 'quoted' # c\r\nversion: 0.1.0\r\n").as_deref(),
            Some("quoted")
        );
        assert_eq!(pubspec_name("dependencies:\n  name: x\n"), None);
        // A workspace's root, an unpublished package, a melos root without
        // a version: no package pub publishes.
        assert_eq!(
            pubspec_name("name: _\nversion: 1.0.0\nworkspace:\n  - a\n"),
            None
        );
        assert_eq!(
            pubspec_name("name: a\nversion: 1.0.0\npublish_to: none\n"),
            None
        );
        assert_eq!(pubspec_name("name: root_workspace\n"), None);
        assert_eq!(
            jsr_name("{\n  // c\n  \"name\": \"@luca/greet\",\n  \"version\": \"1.0.0\"\n}")
                .as_deref(),
            Some("@luca/greet")
        );
        assert_eq!(jsr_name("{\"tasks\": {\"name\": \"build\"}}"), None);
    }

    #[test]
    fn default_package_per_registry() {
        let manifests = Manifests::with_names(
            Some(parse_package_json("{\"name\":\"pkg\"}")),
            PackageNames {
                crates: Vec::new(),
                crates_complete: true,
                pubspec_name: Some("my_pkg".into()),
                jsr_name: None,
                python_projects: Vec::new(),
                gemspecs: vec![NamedFile {
                    path: "g.gemspec".into(),
                    name: "gem".into(),
                }],
                gemspecs_below: false,
                csprojs_complete: true,
                csprojs: vec![
                    NamedFile {
                        path: "a.csproj".into(),
                        name: "A".into(),
                    },
                    NamedFile {
                        path: "b.csproj".into(),
                        name: "B".into(),
                    },
                ],
            },
        );
        assert_eq!(package_of(&manifests, Registry::Npm), Some("pkg"));
        assert_eq!(package_of(&manifests, Registry::RubyGems), Some("gem"));
        assert_eq!(package_of(&manifests, Registry::NuGet), None);
        assert_eq!(package_of(&manifests, Registry::CratesIo), None);
        assert_eq!(package_of(&manifests, Registry::Pypi), None);
        assert_eq!(package_of(&manifests, Registry::PubDev), Some("my_pkg"));
        assert_eq!(package_of(&manifests, Registry::Jsr), None);
        let private = Manifests {
            package_json: Some(parse_package_json("{\"name\":\"p\",\"private\":true}")),
            ..Manifests::default()
        };
        assert_eq!(package_of(&private, Registry::Npm), None);
    }

    #[test]
    fn pnpm_workspace_lists() {
        let block = "# the packages\npackages:\n  - 'packages/*'\n  - \"apps/web\" # the site\n  - '!**/test/**'\ncatalog:\n  - x\n";
        assert_eq!(
            pnpm_workspace_packages(block),
            ["packages/*", "apps/web", "!**/test/**"]
        );
        assert_eq!(
            pnpm_workspace_packages("packages: [a, 'b/*']\n"),
            ["a", "b/*"]
        );
        assert!(pnpm_workspace_packages("catalog:\n  a: 1\n").is_empty());
    }
}
