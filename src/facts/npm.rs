//! What a job sets up before it publishes to npm: the Node.js release and
//! registry `actions/setup-node` (or a `node:` container) gives it, steps
//! that upgrade npm, and registry tokens written into `.npmrc` or Yarn's
//! configuration. Read step by step as the walk goes (see
//! [`super::publish::MintState`]) and attached to npm publish sites.

use crate::diagnostic::Location;
use crate::facts::expand::{Executed, ShellBlock};
use crate::facts::publish::{
    Auth, Invocation, MintState, PublishSite, Target, Uploader, When, site_at, target_of_url,
};
use crate::registry::publishing::NpmClient;
use crate::registry::{Registry, npm::node_version};
use crate::workflow::{Access, UsesTarget};

/// What an npm publish site depends on besides its tool and target.
#[derive(Clone, Debug)]
pub struct NpmSite {
    /// It publishes the package whose `package.json` is at the
    /// repository root (no folder, tarball or workspace selected, no
    /// working directory).
    pub root_package: bool,
    /// A registry token configured for it, with where and how.
    pub token: Option<(Location, String)>,
    /// The job grants `id-token: write` itself.
    pub oidc_granted: bool,
    /// Provenance asked for (`Some(true)`) or turned off (`Some(false)`)
    /// by a flag or variable.
    pub provenance: Option<(bool, Location)>,
    /// The Node.js release in use, when tplint can read it.
    pub node: Option<NodeSetup>,
    /// npm is replaced before the publish (an upgrade step, `npx npm@...`)
    /// or the job runs steps tplint cannot see into.
    pub npm_replaced: bool,
    /// The pnpm major `pnpm/action-setup` installs.
    pub pnpm_major: Option<u64>,
    /// `npm stage publish`: the release waits on npm for a maintainer's
    /// approval (docs.npmjs.com/trusted-publishers, "Allowed actions").
    pub staged: bool,
    /// The tool never exchanges the OIDC token (Yarn classic, Lerna before
    /// 9, semantic-release before 25): a token or nothing.
    pub token_only: bool,
    /// It uploads a tarball (`npm publish pkg.tgz`, a `package:` input
    /// naming one) rather than packing a folder of the checkout.
    pub tarball: bool,
    /// The packages it publishes, whose `publishConfig.registry` decides
    /// where each goes ([`package_registries`]).
    pub packages: NpmPackages,
    /// The registry is given on the command line (`--registry`), which a
    /// package's `publishConfig` does not override.
    pub registry_flag: bool,
}

/// The packages an npm publish uploads, as far as tplint can tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NpmPackages {
    /// Not known (a tarball, a folder tplint cannot tell, a release tool
    /// that publishes the root package its own way).
    #[default]
    Unknown,
    /// The package in this repository folder (`""`: the root).
    Folder(String),
    /// The workspace's packages, or some of them (Lerna, changesets,
    /// `pnpm -r`, Nx, `npm publish --workspaces`, a workspace named).
    Workspaces,
}

/// The command being read.
pub(super) struct Command<'w, I> {
    pub uploader: Uploader,
    /// The words between the program and its subcommand.
    pub before_subcommand: &'w [String],
    pub args: &'w [String],
    /// The block's commands before this one.
    pub earlier: I,
}

/// Options of `npm publish`, `pnpm publish` and `yarn npm publish` that take
/// a value (npm/cli `lib/commands/publish.js` `params`; pnpm.io/cli/publish;
/// yarnpkg.com/cli/npm/publish).
const VALUE_OPTIONS: &[&str] = &[
    "--tag",
    "--access",
    "--otp",
    "--registry",
    "--workspace",
    "-w",
    "--provenance-file",
    "--loglevel",
    "--userconfig",
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--publish-branch",
    "--report-summary",
    "--prefix",
    "--cwd",
];

/// Options that select another package than the one in the working folder.
const SELECTING_OPTIONS: &[&str] = &[
    "--workspace",
    "-w",
    "--workspaces",
    "-ws",
    "--include-workspace-root",
    "-r",
    "--recursive",
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--prefix",
    "--cwd",
];

/// Read an npm publish command: its token, provenance, Node.js release and
/// package; correct `target` for `actions/setup-node`'s `registry-url` and
/// `auth` for how each tool chooses between OIDC and a token.
pub(super) fn site<'w>(
    invocation: &Invocation<'_, '_>,
    job: &NpmJob,
    command: Command<'w, impl Iterator<Item = &'w super::shell::Command>>,
    target: &mut (Target, Option<Location>),
    auth: &mut Auth,
) -> NpmSite {
    let exec = invocation.exec;
    // A target given by a flag or variable.
    let given = target.1.is_some();
    // `registry-url` writes `registry=` into the `.npmrc` npm reads
    // (actions/setup-node `src/authutil.ts` `writeRegistryToFile`).
    if !given && let Some((url, location)) = &job.registry_url {
        *target = (target_of_url(url), Some(*location));
    }
    // A registry set by a command (`npm config set registry URL`) is
    // written into the same user `.npmrc`: the last one set wins, in this
    // script or an earlier step.
    if !given {
        let set = invocation
            .shell
            .and_then(|(block, command)| {
                let before = block.text.get(..command.offset)?;
                let (set, needle) = registry_setting(before)?;
                Some((set, Location::new(block.file, block.locate(needle))))
            })
            .or_else(|| job.registry_set.clone());
        if let Some((set, location)) = set {
            *target = (set, Some(location));
        }
    }
    let oidc_granted = exec.job.id_token == Some(Access::Write);
    // A release tool authenticates as the client it runs.
    let client = command.uploader.npm_client().unwrap_or(command.uploader);
    // A token set earlier in the publish command's own script counts too:
    // the job's record holds only the blocks before this one.
    let (mut npmrc_token, mut yarn_token) = (job.npmrc_token, job.yarn_token);
    if let Some((block, command)) = invocation.shell {
        let before = block.text.get(..command.offset).unwrap_or_default();
        if npmrc_token.is_none()
            && let Some(needle) = npmrc_token_needle(before)
        {
            npmrc_token = Some(Location::new(block.file, block.locate(needle)));
        }
        if yarn_token.is_none()
            && let Some(at) = before.find("npmAuthToken")
            && before[..at].contains("yarn config set")
        {
            yarn_token = Some(Location::new(block.file, block.locate("npmAuthToken")));
        }
    }
    let token = configured_token(invocation, job, client).or_else(|| match client {
        Uploader::Yarn => yarn_token.map(|l| (l, "`yarn config set npmAuthToken`".to_string())),
        _ => npmrc_token.map(|l| {
            let source = job.npmrc_token_source.clone();
            (
                l,
                source.unwrap_or_else(|| "an `_authToken` written into `.npmrc`".to_string()),
            )
        }),
    });
    // npm (and pnpm 10 and earlier, which run it) tries OIDC first when the
    // job can request a token; pnpm 11 and Yarn use a configured token
    // instead of trying.
    let token_wins = match client {
        Uploader::Yarn => true,
        Uploader::Pnpm => job.pnpm_major.is_some_and(|major| major >= 11),
        _ => false,
    };
    *auth = match &token {
        Some((location, source)) if token_wins || !oidc_granted => Auth::Password {
            location: *location,
            source: source.clone(),
        },
        // No token in sight, but the job cannot request an OIDC token
        // either: one may come from a step tplint cannot see.
        None if invocation.token_may_be_hidden() => Auth::Unknown,
        _ => Auth::Oidc,
    };
    let provenance = provenance(invocation);
    let moves: Vec<&super::shell::Command> = command
        .earlier
        .filter(|c| {
            matches!(
                c.words.first().map(String::as_str),
                Some("cd" | "pushd" | "popd")
            )
        })
        .collect();
    let moved = !moves.is_empty();
    let in_job_folder = exec
        .source
        .get(exec.job.span.range())
        .is_some_and(|text| text.contains("working-directory"));
    // A release tool publishes the workspace's packages, whichever they are.
    let root_package = command.uploader.npm_client() == Some(command.uploader)
        && command.uploader != Uploader::Lerna
        && !moved
        && !in_job_folder
        && invocation
            .shell
            .is_some_and(|(block, _)| block.cwd.is_empty())
        && !selects_package(command.before_subcommand)
        && !selects_package(command.args);
    let container = container(exec);
    let npx_npm = invocation.shell.is_some_and(|(_, c)| {
        c.words
            .iter()
            .filter_map(|w| w.strip_prefix("npm@"))
            .any(names_oidc_npm)
    });
    let block_upgrades = invocation
        .shell
        .is_some_and(|(block, c)| upgrades_npm(block.text.get(..c.offset).unwrap_or_default()));
    // The folder the command runs in: the block's, moved along each `cd`
    // to a literal folder before it; after any other move, or one in
    // another subshell (which may have ended), unknown.
    let folder = invocation.shell.and_then(|(block, publish)| {
        moves.iter().try_fold(block.cwd.clone(), |here, c| {
            let in_effect = c.subshell == 0
                || (c.subshell == publish.subshell && c.subshell_id == publish.subshell_id);
            (in_effect && literal_move(&c.words))
                .then(|| crate::repo_path::join(&here, c.words[1].trim_matches(['"', '\''])))
                .flatten()
        })
    });
    let packages = published_packages(
        command.uploader,
        command.before_subcommand,
        command.args,
        folder.as_deref(),
    );
    // The root package's `publishConfig.registry`, and the project
    // `.npmrc`'s registries, win over the user's configuration, not over
    // `--registry` (npm/cli `lib/commands/publish.js`: publishConfig keys
    // set on the command line are filtered out). Yarn Berry reads no `.npmrc`.
    let project_registry = match client {
        Uploader::Yarn => &job.publish_config_registry,
        _ => &job.project_registry,
    };
    if (root_package || packages == NpmPackages::Folder(String::new()))
        && invocation.flag(invocation.table.url_flags).is_none()
        && let Some((url, location)) = project_registry
    {
        *target = (target_of_url(url), Some(*location));
    }
    NpmSite {
        staged: false,
        token_only: false,
        tarball: names_tarball(command.args),
        packages,
        registry_flag: invocation.flag(invocation.table.url_flags).is_some(),
        root_package,
        token,
        oidc_granted,
        provenance,
        node: job.node_in_use(container),
        npm_replaced: job.npm_upgrade || npx_npm || block_upgrades,
        pnpm_major: job.pnpm_major,
    }
}

/// A token npm, pnpm or Yarn reads from the command's environment: an
/// `npm_config_*` credential, `NODE_AUTH_TOKEN` where an `.npmrc` reads it
/// (the one `actions/setup-node` writes for `registry-url`, or the
/// repository's), or another variable the repository's `.npmrc` reads.
fn configured_token(
    invocation: &Invocation<'_, '_>,
    job: &NpmJob,
    client: Uploader,
) -> Option<(Location, String)> {
    let table = invocation.table;
    let read_by_npmrc = |name: &str| {
        job.npmrc_vars.iter().any(|v| v == name)
            || (name == "NODE_AUTH_TOKEN" && job.registry_url.is_some())
    };
    let yarn: &[&str] = if client == Uploader::Yarn {
        crate::registry::npm::YARN_TOKEN_ENV
    } else {
        &[]
    };
    let names = table
        .secret_env
        .iter()
        .chain(yarn)
        .copied()
        .chain(job.npmrc_vars.iter().map(String::as_str));
    for name in names {
        let counts = match client {
            // Yarn reads its own settings, not `.npmrc`.
            Uploader::Yarn => crate::registry::npm::YARN_TOKEN_ENV.contains(&name),
            // semantic-release's npm plugin writes `NPM_TOKEN` into the
            // `.npmrc` it publishes with.
            _ if table.uploader == Uploader::SemanticRelease => {
                table.secret_env.contains(&name)
                    || name.to_ascii_lowercase().starts_with("npm_config_")
                    || read_by_npmrc(name)
            }
            _ => name.to_ascii_lowercase().starts_with("npm_config_") || read_by_npmrc(name),
        };
        if !counts {
            continue;
        }
        if let Some(env) = invocation.set_env(name) {
            return Some((env.location, format!("`{}`", env.name)));
        }
    }
    None
}

/// Whether an `npm@<spec>` names npm 11 or later (`latest`, `^11.5.1`, `12`).
fn names_oidc_npm(spec: &str) -> bool {
    let spec = spec.trim_start_matches(['^', '~', '>', '=', 'v']);
    if matches!(spec, "latest" | "next") {
        return true;
    }
    let major: String = spec.chars().take_while(char::is_ascii_digit).collect();
    major.parse::<u64>().is_ok_and(|m| m >= 11)
}

/// The publish site of a step using an action of
/// [`crate::registry::npm::UPLOADER_ACTIONS`].
pub fn action_site(exec: &Executed<'_, '_>, mint: &MintState) -> Option<PublishSite> {
    let uses = exec.step.uses.as_ref()?;
    let entry = crate::registry::npm::UPLOADER_ACTIONS
        .iter()
        .find(|a| a.matches(&uses.target))?;
    let value = |input: &str| {
        exec.input(input)
            .map(|(kv, v)| (kv, v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
    };
    if let Some((input, When::NoneOf(off))) = entry.when
        && value(input).is_some_and(|(_, v)| off.contains(&v.to_ascii_lowercase().as_str()))
    {
        return None;
    }
    let target = match entry.url_input.and_then(value) {
        Some((kv, url)) => (target_of_url(&url), Some(exec.location(kv.value.span))),
        None => (Target::Registry(Registry::Npm), None),
    };
    let token = entry.token_inputs.iter().find_map(|input| {
        value(input).map(|(kv, _)| (exec.location(kv.key.span), format!("`{input}`")))
    });
    let oidc_granted = exec.job.id_token == Some(Access::Write);
    let auth = match &token {
        Some((location, source)) if !oidc_granted => Auth::Password {
            location: *location,
            source: source.clone(),
        },
        _ => Auth::Oidc,
    };
    let provenance = value("provenance").and_then(|(kv, v)| match v.as_str() {
        "true" => Some((true, exec.location(kv.value.span))),
        "false" => Some((false, exec.location(kv.value.span))),
        _ => None,
    });
    let root_package = value("package")
        .is_none_or(|(_, p)| matches!(p.as_str(), "." | "./" | "package.json" | "./package.json"));
    let tarball = value("package").is_some_and(|(_, p)| is_tarball(&p));
    // The folder of a `package:` input naming one (or its `package.json`).
    let packages = match value("package") {
        None => NpmPackages::Folder(String::new()),
        Some((_, p)) if tarball || crate::workflow::is_expression(&p) => NpmPackages::Unknown,
        Some((_, p)) => {
            let p = p.strip_suffix("package.json").unwrap_or(&p);
            crate::repo_path::join("", p).map_or(NpmPackages::Unknown, NpmPackages::Folder)
        }
    };
    let job = &mint.npm;
    // The package's `publishConfig.registry` when no `registry` input is given.
    let target = match (&target, root_package, &job.publish_config_registry) {
        ((_, None), true, Some((url, location))) => (target_of_url(url), Some(*location)),
        _ => target,
    };
    let mut site = site_at(
        exec,
        Uploader::Action(entry.action),
        target,
        auth,
        uses.raw.span,
        true,
    );
    site.npm = Some(NpmSite {
        staged: false,
        root_package,
        token,
        oidc_granted,
        provenance,
        node: job.node_in_use(container(exec)),
        npm_replaced: job.npm_upgrade,
        pnpm_major: None,
        token_only: false,
        tarball,
        packages,
        registry_flag: entry.url_input.and_then(value).is_some(),
    });
    Some(site)
}

/// The job's container image and where it is named.
fn container<'s>(exec: &Executed<'s, '_>) -> Option<(&'s str, Location)> {
    let span = exec.job.container?;
    let image = container_image(exec.source, span)?;
    Some((image, exec.location(span)))
}

/// `--provenance`, `--provenance=false`, `--no-provenance`, or
/// `NPM_CONFIG_PROVENANCE` (npm/cli `workspaces/config/lib/definitions/definitions.js`
/// `provenance`; docs.npmjs.com/generating-provenance-statements).
fn provenance(invocation: &Invocation<'_, '_>) -> Option<(bool, Location)> {
    if let Some((_, command)) = invocation.shell {
        for word in &command.words {
            let value = match word.as_str() {
                "--provenance" | "--provenance=true" => true,
                "--provenance=false" | "--no-provenance" => false,
                _ => continue,
            };
            return Some((value, invocation.locate(word)));
        }
    }
    for name in ["NPM_CONFIG_PROVENANCE", "npm_config_provenance"] {
        if let Some(env) = invocation.set_env(name) {
            match env.value.trim().to_ascii_lowercase().as_str() {
                "true" => return Some((true, env.location)),
                "false" => return Some((false, env.location)),
                _ => {}
            }
        }
    }
    None
}

/// Whether a publish argument names a packed tarball (`pkg.tgz`,
/// `dist/*.tgz`, `pkg.tar.gz`) or one at a URL, which npm uploads as it is
/// (docs.npmjs.com/cli/commands/npm-publish: `npm publish <tarball>`), not
/// a folder it packs.
fn is_tarball(word: &str) -> bool {
    let word = word.trim_matches(['"', '\'']).to_ascii_lowercase();
    word.ends_with(".tgz")
        || word.ends_with(".tar.gz")
        || word.starts_with("http://")
        || word.starts_with("https://")
}

/// Whether the publish's arguments name a tarball ([`is_tarball`]).
fn names_tarball(words: &[String]) -> bool {
    let mut skip_value = false;
    for word in words {
        if skip_value {
            skip_value = false;
            continue;
        }
        if word.starts_with('-') {
            let name = word.split('=').next().unwrap_or(word);
            skip_value = !word.contains('=') && VALUE_OPTIONS.contains(&name);
            continue;
        }
        if is_tarball(word) {
            return true;
        }
    }
    false
}

/// Whether a `cd` or `pushd` goes to a literal folder, which the walk
/// follows (`cd packages/a`), rather than to one it cannot tell (`cd
/// "$DIR"`, `cd -`, `popd`).
fn literal_move(words: &[String]) -> bool {
    match words {
        [program, folder] if program == "cd" || program == "pushd" => {
            folder != "-" && crate::repo_path::join("", folder.trim_matches(['"', '\''])).is_some()
        }
        _ => false,
    }
}

/// The packages a publish command uploads ([`NpmPackages`]), run in
/// repository folder `folder` (`None`: one tplint cannot tell). A
/// monorepo tool, a recursive or filtered pnpm, `npm publish
/// --workspaces` and a workspace given by name publish workspace packages;
/// a plain client publishes the folder it runs in, or the folder its
/// argument, `--prefix`, `--dir` (`-C`) or `--cwd` names, or a workspace
/// named by its path (`--workspace packages/a`, npm/cli
/// `lib/commands/publish.js` `execWorkspaces`: each workspace folder is
/// published with its own manifest).
fn published_packages(
    uploader: Uploader,
    before_subcommand: &[String],
    args: &[String],
    folder: Option<&str>,
) -> NpmPackages {
    match uploader {
        Uploader::Lerna | Uploader::Changesets(_) | Uploader::Nx(_) => {
            return NpmPackages::Workspaces;
        }
        _ if uploader.npm_client() != Some(uploader) => return NpmPackages::Unknown,
        _ => {}
    }
    let mut base = folder.map(str::to_string);
    let mut positional: Option<&str> = None;
    let mut workspace: Option<&str> = None;
    let words: Vec<&String> = before_subcommand.iter().chain(args).collect();
    let mut at = 0;
    while at < words.len() {
        let word = words[at].as_str();
        at += 1;
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) if name.starts_with('-') => (name, Some(value)),
            _ => (word, None),
        };
        if matches!(
            name,
            "--workspaces" | "-ws" | "-r" | "--recursive" | "--include-workspace-root"
        ) {
            return NpmPackages::Workspaces;
        }
        if !word.starts_with('-') {
            if positional.is_none() {
                positional = Some(word);
            }
            continue;
        }
        let takes_value = inline.is_none() && VALUE_OPTIONS.contains(&name);
        let value = inline.or_else(|| {
            takes_value
                .then(|| words.get(at).map(|w| w.as_str()))
                .flatten()
        });
        if takes_value {
            at += 1;
        }
        match name {
            "--filter" | "-F" => return NpmPackages::Workspaces,
            "--workspace" | "-w" => workspace = value,
            "--prefix" | "--dir" | "-C" | "--cwd" => {
                base = match (base, value) {
                    (Some(base), Some(value)) => crate::repo_path::join(&base, value),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    if let Some(name) = workspace {
        // A path, else a package name: one of the workspace's packages.
        return match (name.contains('/') && !name.starts_with('@'), &base) {
            (true, Some(base)) => {
                crate::repo_path::join(base, name).map_or(NpmPackages::Unknown, NpmPackages::Folder)
            }
            _ => NpmPackages::Workspaces,
        };
    }
    let Some(base) = base else {
        return NpmPackages::Unknown;
    };
    match positional {
        None => NpmPackages::Folder(base),
        // A tarball, or a registry spec (`name@version`, `@scope/name`).
        Some(word) if is_tarball(word) || word.contains('@') => NpmPackages::Unknown,
        Some(word) => crate::repo_path::join(&base, word.trim_matches(['"', '\'']))
            .map_or(NpmPackages::Unknown, NpmPackages::Folder),
    }
}

/// Where the packages of each npm publish site go, by their
/// `publishConfig.registry`, which wins over the configured registry for
/// its package but not over `--registry` (npm/cli `lib/commands/publish.js`
/// [011f63d] `#getManifest`: the manifest's `publishConfig` is flattened
/// into the publish options, the keys set on the command line filtered
/// out; `execWorkspaces` reads each workspace's own manifest). The package
/// of the folder it publishes is applied as written (the root's already is,
/// in [`site`]). A monorepo tool's packages move the target away from
/// npmjs.org only, when every one tplint reads that is not private names
/// another registry: a mix publishes some packages to npm, which keeps the
/// site; packages it cannot read are not counted for npm.
pub fn package_registries(repo: &crate::repository::Repository, sites: &mut [PublishSite]) {
    for site in sites {
        let Some(npm) = &site.npm else { continue };
        if npm.registry_flag || site.uploader.npm_client().is_none() {
            continue;
        }
        let moved = match &npm.packages {
            NpmPackages::Unknown => None,
            // The root's is already in the target (`NpmJob::publish_config_registry`).
            NpmPackages::Folder(folder) if folder.is_empty() => None,
            NpmPackages::Folder(folder) => repo
                .npm_publish_registry_in(folder)
                .flatten()
                .map(|url| target_of_url(&url)),
            NpmPackages::Workspaces => {
                let workspace = repo.npm_workspace();
                let targets: Vec<Option<Target>> = workspace
                    .registries
                    .iter()
                    .map(|url| url.as_deref().map(target_of_url))
                    .collect();
                // A package without `publishConfig.registry` goes where
                // the site goes.
                let to_npm = targets.iter().any(|t| {
                    t.as_ref()
                        .is_none_or(|t| *t == Target::Registry(Registry::Npm))
                });
                if to_npm {
                    None
                } else {
                    targets.into_iter().flatten().next()
                }
            }
        };
        let Some(moved) = moved else { continue };
        let folder_package = matches!(npm.packages, NpmPackages::Folder(_));
        if folder_package || site.target == Target::Registry(Registry::Npm) {
            site.target = moved;
            site.target_span = None;
        }
    }
}

/// Whether words select a package other than the working folder's: a
/// workspace option, or a folder or tarball argument.
fn selects_package(words: &[String]) -> bool {
    let mut skip_value = false;
    for word in words {
        if skip_value {
            skip_value = false;
            continue;
        }
        let name = word.split('=').next().unwrap_or(word);
        if SELECTING_OPTIONS.contains(&name) {
            return true;
        }
        if word.starts_with('-') {
            skip_value = !word.contains('=') && VALUE_OPTIONS.contains(&name);
            continue;
        }
        // A positional argument: a folder or a tarball.
        return true;
    }
    false
}

/// The image of a job's `container:` (a string, or a mapping's `image:`),
/// read from the text after the key at `key`.
fn container_image(source: &str, key: crate::source::Span) -> Option<&str> {
    let indent = source.get(..key.start)?.rsplit('\n').next()?.len();
    let rest = source.get(key.end..)?.strip_prefix(':')?;
    let mut lines = rest.lines();
    let first = lines.next()?.split(" #").next()?.trim();
    let image = if first.is_empty() {
        lines
            .take_while(|line| {
                line.trim().is_empty() || line.len() - line.trim_start().len() > indent
            })
            .find_map(|line| line.trim().strip_prefix("image:"))?
            .split(" #")
            .next()?
            .trim()
    } else {
        first
    };
    (!image.is_empty() && !image.contains("${{")).then_some(image)
}

/// `actions/setup-node`: `node-version` picks the Node.js release (and so
/// its bundled npm), `registry-url` writes an `.npmrc` naming that
/// registry with `_authToken=${NODE_AUTH_TOKEN}` (actions/setup-node
/// `action.yml` and `src/authutil.ts`).
pub const SETUP_NODE: &str = "actions/setup-node";
/// `pnpm/action-setup`: `version` installs that pnpm (pnpm/action-setup
/// `action.yml`).
pub const PNPM_SETUP: &str = "pnpm/action-setup";

/// A Node.js release a job sets up.
#[derive(Clone, Debug)]
pub struct NodeSetup {
    pub spec: String,
    pub location: Location,
    /// `(major, minor)` when the spec names one.
    pub version: Option<(u64, Option<u64>)>,
}

/// What the steps so far set up for npm.
#[derive(Clone, Debug, Default)]
pub struct NpmJob {
    /// The last `registry-url` of `actions/setup-node`.
    pub registry_url: Option<(String, Location)>,
    /// The registry a `run:` set after it (`npm config set registry URL`),
    /// as the target it makes.
    pub registry_set: Option<(Target, Location)>,
    /// The Node.js release a step set up.
    pub node: Option<NodeSetup>,
    /// A step set up a Node.js release tplint cannot read
    /// (`node-version-file`, another tool's action).
    pub node_unknown: bool,
    /// A step installs another npm (`npm install -g npm@...`).
    pub npm_upgrade: bool,
    /// A `run:` writes a registry token into an npm configuration
    /// (`.npmrc` `_authToken`, `npm config set ...:_authToken`).
    pub npmrc_token: Option<Location>,
    /// A `run:` gives Yarn a token (`yarn config set npmAuthToken`).
    pub yarn_token: Option<Location>,
    /// The pnpm major `pnpm/action-setup` installs.
    pub pnpm_major: Option<u64>,
    /// The variables the repository's `.npmrc` reads credentials from.
    pub npmrc_vars: Vec<String>,
    /// `publishConfig.registry` of the root `package.json`.
    pub publish_config_registry: Option<(String, Location)>,
    /// The registry npm, pnpm and Yarn classic publish the root package to
    /// by `package.json` and the project `.npmrc`
    /// ([`crate::manifest::npm_publish_registry`]).
    pub project_registry: Option<(String, Location)>,
    /// The client `changeset publish` runs in this repository (npm when unknown).
    pub changesets_client: Option<NpmClient>,
    /// How `npmrc_token` was written, when not by a `run:` (an action
    /// that writes a variable's value into `~/.npmrc`).
    pub npmrc_token_source: Option<String>,
}

impl NpmJob {
    /// The Node.js release in use: the last one a step set up, else the
    /// job's `node:` container image; `None` when unknown.
    pub fn node_in_use(&self, container: Option<(&str, Location)>) -> Option<NodeSetup> {
        if self.node_unknown {
            return None;
        }
        self.node.clone().or_else(|| container_node(container?))
    }

    /// Take in a step of the job.
    pub fn observe(&mut self, exec: &Executed<'_, '_>) {
        let Some(uses) = &exec.step.uses else {
            return;
        };
        if uses.target.is_action(SETUP_NODE) {
            if let Some((kv, value)) = exec.input("node-version")
                && !value.trim().is_empty()
            {
                self.node = Some(NodeSetup {
                    spec: value.trim().to_string(),
                    location: exec.location(kv.value.span),
                    version: node_version(&value),
                });
                self.node_unknown = false;
            } else if exec.input("node-version-file").is_some() {
                self.node_unknown = true;
            }
            if let Some((kv, value)) = exec.input("registry-url")
                && !value.trim().is_empty()
            {
                self.registry_url = Some((value.trim().to_string(), exec.location(kv.value.span)));
                self.registry_set = None;
            }
        } else if let Some((input, variable)) = crate::registry::publishing::command_actions()
            .find(|a| a.matches(&uses.target))
            .and_then(|a| a.npmrc_token)
        {
            // changesets/action v1 writes `NPM_TOKEN` into `~/.npmrc`.
            if exec.input(input).is_some()
                && let Some(env) = exec.env(variable).filter(|e| !e.value.trim().is_empty())
            {
                self.npmrc_token = Some(env.location);
                self.npmrc_token_source = Some(format!(
                    "`{variable}` (written into `~/.npmrc` by `{}`)",
                    uses.raw.value.trim().split('@').next().unwrap_or_default()
                ));
            }
        } else if uses.target.is_action(PNPM_SETUP) {
            self.pnpm_major = exec
                .input("version")
                .and_then(|(_, v)| v.trim().split('.').next()?.parse().ok());
        } else if let UsesTarget::Remote { .. } = &uses.target {
            // Another action that installs Node.js (volta, asdf, mise...)
            // leaves the release unknown.
            let slug = uses.raw.value.to_ascii_lowercase();
            if ["volta", "setup-node", "asdf", "mise", "proto", "nvm"]
                .iter()
                .any(|tool| slug.contains(tool))
            {
                self.node_unknown = true;
                self.npm_upgrade = true;
            }
        }
    }

    /// Take in shell text the job runs.
    pub fn observe_shell(&mut self, block: &ShellBlock<'_, '_, '_>) {
        let text = &block.text;
        if upgrades_npm(text) {
            self.npm_upgrade = true;
        }
        if let Some((target, needle)) = registry_setting(text) {
            self.registry_set = Some((target, Location::new(block.file, block.locate(needle))));
        }
        if self.npmrc_token.is_none()
            && let Some(needle) = npmrc_token_needle(text)
            && !deletes_token_on_exit(text)
        {
            self.npmrc_token = Some(Location::new(block.file, block.locate(needle)));
        }
        if self.yarn_token.is_none()
            && let Some(at) = text.find("npmAuthToken")
            && text[..at].contains("yarn config set")
        {
            self.yarn_token = Some(Location::new(block.file, block.locate("npmAuthToken")));
        }
    }
}

/// Whether the text deletes the registry token it writes when its shell
/// exits (`trap 'pn config delete "//registry.npmjs.org/:_authToken"'
/// EXIT`, pnpm/pnpm's release.yml: "The token is removed from pnpm's
/// config at the end of the step so it can't leak into the
/// trusted-publishing step that follows"): the job's later steps do not
/// have it.
fn deletes_token_on_exit(text: &str) -> bool {
    text.contains("trap")
        && text.lines().map(str::trim).any(|line| {
            line.starts_with("trap ")
                && line.contains("config delete")
                && line.contains(":_authToken")
                && line.split_whitespace().any(|w| w == "EXIT" || w == "0")
        })
}

/// The Node.js release of an official `node:` image (`node:22-alpine`).
pub(crate) fn container_node((image, location): (&str, Location)) -> Option<NodeSetup> {
    let image = image.trim().trim_matches(['"', '\'']);
    let image = image.strip_prefix("docker.io/library/").unwrap_or(image);
    let tag = image.strip_prefix("node:")?;
    let version = tag.split('-').next().unwrap_or(tag);
    Some(NodeSetup {
        spec: image.to_string(),
        location,
        version: node_version(version),
    })
}

/// Whether shell text installs another npm: `npm install -g npm@...`,
/// `npm i --global npm`, `npm update -g npm`, `corepack` preparing npm,
/// `volta install npm`.
pub fn upgrades_npm(text: &str) -> bool {
    // Every form names npm, and a global install, corepack or volta:
    // other text is not split into lines.
    if !["-g", "--global", "corepack", "volta"]
        .iter()
        .any(|marker| memchr::memmem::find(text.as_bytes(), marker.as_bytes()).is_some())
    {
        return false;
    }
    let npm = memchr::memmem::Finder::new("npm");
    text.lines().any(|line| {
        if npm.find(line.as_bytes()).is_none() {
            return false;
        }
        let line = line.split('#').next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        let installs = words
            .windows(2)
            .any(|w| w[0] == "npm" && matches!(w[1], "install" | "i" | "update" | "up" | "add"));
        let global = words.iter().any(|w| matches!(*w, "-g" | "--global"));
        let npm_target = words
            .iter()
            .skip(1)
            .any(|w| *w == "npm" || w.starts_with("npm@"));
        (installs && global && npm_target)
            || (line.contains("corepack") && line.contains("npm@"))
            || (line.contains("volta install") && line.contains("npm"))
    })
}

/// The text that writes a registry token into npm's configuration, if any:
/// `:_authToken=` or `:_auth=` redirected into an `.npmrc`, or
/// `npm config set ...:_authToken`.
fn npmrc_token_needle(text: &str) -> Option<&'static str> {
    // Both forms name an `.npmrc` or `config set`: other text is not
    // split into lines.
    if !["npmrc", "config set", "npm set"]
        .iter()
        .any(|marker| memchr::memmem::find(text.as_bytes(), marker.as_bytes()).is_some())
    {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let writes_file = line.contains("npmrc") && line.contains('>');
        // `npm config set`, `pnpm config set`, and pnpm 11's `pn config set`.
        let config_set = line.contains("npm config set")
            || line.contains("pn config set")
            || line.contains("npm set ");
        if !(writes_file || config_set) {
            continue;
        }
        // `cat << EOF > ~/.npmrc`: the lines of the here-document.
        if writes_file && let Some(delimiter) = heredoc_delimiter(line) {
            let body = lines[at + 1..]
                .iter()
                .map(|l| l.trim())
                .take_while(|l| *l != delimiter);
            for body_line in body {
                for needle in [":_authToken", ":_auth="] {
                    if let Some(at) = body_line.find(needle)
                        && !for_another_registry(&body_line[..at])
                    {
                        return Some(needle);
                    }
                }
            }
        }
        // Only credentials scoped to a registry are used (npm-registry-fetch
        // `lib/auth.js`); an unscoped one in a user `.npmrc` is an error,
        // and one for another registry's host is not npm's.
        for needle in [":_authToken", ":_auth="] {
            if let Some(at) = line.find(needle)
                && !for_another_registry(&line[..at])
            {
                return Some(needle);
            }
        }
    }
    None
}

/// The registry the last command of `text` that sets one makes publishes
/// go to, and the text to locate it by: `npm config set registry URL`
/// (also `npm set`, `key=value`, pnpm's and Yarn classic's `config set`),
/// Yarn Berry's `npmRegistryServer`/`npmPublishRegistry`, or a
/// `registry=URL` line written into an `.npmrc`. A registry set for a
/// scope (`@acme:registry`) other than npm's makes the target unknown,
/// as the package's scope decides (npm/cli `lib/commands/config.js`;
/// yarnpkg.com/configuration/yarnrc#npmPublishRegistry).
fn registry_setting(text: &str) -> Option<(Target, &str)> {
    // Every form names a registry: other text is not split into lines.
    memchr::memmem::find(text.as_bytes(), b"egistry")?;
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let set = words.windows(3).position(|w| {
            let program = w[0].rsplit('/').next().unwrap_or(w[0]);
            match program {
                "npm" => w[1] == "set" || (matches!(w[1], "config" | "c") && w[2] == "set"),
                "pnpm" | "pn" | "yarn" => w[1] == "config" && w[2] == "set",
                _ => false,
            }
        });
        let setting = if let Some(at) = set {
            let mut operands = Vec::new();
            let mut words = words[at + 1..]
                .iter()
                .skip_while(|w| matches!(**w, "config" | "c" | "set"));
            while let Some(word) = words.next() {
                // `--location user`: the one option that takes a value.
                if matches!(*word, "--location" | "-L") {
                    words.next();
                } else if !word.starts_with('-') {
                    operands.push(word.trim_matches(['"', '\'']));
                }
            }
            let mut rest = operands.into_iter();
            let Some(key) = rest.next() else { continue };
            let (key, value) = match key.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (key, rest.next()),
            };
            let Some(value) = value else { continue };
            registry_key(key).map(|scoped| (scoped, value))
        } else if line.contains("npmrc") && line.contains('>') {
            let Some(at) = line.find("registry=") else {
                continue;
            };
            let key = line[..at + "registry".len()]
                .rsplit([' ', '"', '\'', '\n'])
                .next()
                .unwrap_or_default();
            let value = line[at + "registry=".len()..]
                .split(['"', '\'', ' '])
                .next()
                .unwrap_or_default();
            registry_key(key).map(|scoped| (scoped, value))
        } else {
            None
        };
        let Some((scoped, value)) = setting else {
            continue;
        };
        let value = value.trim_matches(['"', '\'']);
        if value.is_empty() {
            continue;
        }
        let target = target_of_url(value);
        let Some(needle) = line.get(line.find(value)?..)?.get(..value.len()) else {
            continue;
        };
        if scoped && target == Target::Registry(Registry::Npm) {
            continue;
        }
        found = Some((
            if scoped {
                Target::Custom(value.to_string())
            } else {
                target
            },
            needle,
        ));
    }
    found
}

/// Whether a configuration key sets the registry publishes go to:
/// `Some(false)` for the default registry, `Some(true)` for a scope's.
fn registry_key(key: &str) -> Option<bool> {
    match key {
        "registry" | "npmRegistryServer" | "npmPublishRegistry" => Some(false),
        _ => key
            .strip_suffix(":registry")
            .filter(|scope| scope.starts_with('@'))
            .map(|_| true),
    }
}

/// Whether the text before `:_authToken` names a registry other than
/// npm's (`//npm.pkg.github.com/`); a host given by a variable may be npm's.
fn for_another_registry(before: &str) -> bool {
    let Some(at) = before.rfind("//") else {
        return false;
    };
    let host = before[at + 2..].split('/').next().unwrap_or_default();
    !host.is_empty() && !host.contains('$') && !host.contains('{') && host != "registry.npmjs.org"
}

/// The delimiter of a here-document a line starts (`<< EOF`, `<<-'EOF'`).
fn heredoc_delimiter(line: &str) -> Option<&str> {
    let rest = line
        .split_once("<<")?
        .1
        .trim_start_matches('-')
        .trim_start();
    let word = rest.split_whitespace().next()?;
    let word = word.trim_matches(['\'', '"']);
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites_with(job: &str, steps: &str) -> Vec<PublishSite> {
        let src =
            format!("on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n{job}    steps:\n{steps}");
        let repo =
            crate::repository::Repository::in_memory("w.yml", src.into_bytes(), None).unwrap();
        let facts = crate::facts::Facts::derive(&repo);
        facts.workflows[0].publish_sites.clone()
    }

    const GRANT: &str = "    permissions:\n      id-token: write\n";

    #[test]
    fn registries_set_by_commands() {
        let set = registry_setting;
        let gpr = || Target::Custom("https://npm.pkg.github.com/acme".into());
        for text in [
            "npm set registry https://npm.pkg.github.com/acme",
            "npm config set registry=https://npm.pkg.github.com/acme",
            "pnpm config set --location project registry https://npm.pkg.github.com/acme",
            "yarn config set npmPublishRegistry \"https://npm.pkg.github.com/acme\"",
            "echo 'registry=https://npm.pkg.github.com/acme' >> ~/.npmrc",
            "echo \"@acme:registry=https://npm.pkg.github.com/acme\" > .npmrc",
        ] {
            assert_eq!(
                set(text),
                Some((gpr(), "https://npm.pkg.github.com/acme")),
                "{text}"
            );
        }
        // The last one set wins.
        assert_eq!(
            set("npm set registry https://npm.pkg.github.com/acme\nnpm set registry https://registry.npmjs.org/").map(|s| s.0),
            Some(Target::Registry(Registry::Npm))
        );
        for text in [
            "npm config get registry",
            "npm set //npm.pkg.github.com/:_authToken $T",
            "npm set @acme:registry https://registry.npmjs.org/",
            "# npm set registry https://npm.pkg.github.com/acme",
            "echo registry=https://npm.pkg.github.com/acme",
            "npm set init-author-name registry",
        ] {
            assert_eq!(set(text), None, "{text}");
        }
    }

    #[test]
    fn every_npm_command_and_wrapper() {
        for (script, uploader) in [
            ("npm publish", Uploader::Npm),
            ("npm publish --access public --tag next", Uploader::Npm),
            ("npm stage publish", Uploader::Npm),
            ("npx -y npm@latest publish", Uploader::Npm),
            ("pnpm publish --no-git-checks", Uploader::Pnpm),
            ("pnpm -r publish", Uploader::Pnpm),
            ("pnpm --filter ./packages/a publish", Uploader::Pnpm),
            ("corepack pnpm publish", Uploader::Pnpm),
            ("pnpm exec pnpm publish", Uploader::Pnpm),
            ("yarn npm publish --access public", Uploader::Yarn),
            ("corepack yarn npm publish", Uploader::Yarn),
        ] {
            let s = sites_with(GRANT, &format!("      - run: {script}\n"));
            assert_eq!(s.len(), 1, "{script}");
            assert_eq!(s[0].uploader, uploader, "{script}");
            assert_eq!(
                s[0].index(),
                Some(crate::registry::Registry::Npm),
                "{script}"
            );
            assert!(s[0].is_oidc(), "{script}");
        }
        for script in [
            "npm publish --dry-run",
            "pnpm publish --dry-run",
            "yarn npm publish --dry-run",
            "npm run publish",
            "npm pack",
            "yarn npm info x",
            "echo npm publish",
        ] {
            assert!(
                sites_with(GRANT, &format!("      - run: {script}\n")).is_empty(),
                "{script}"
            );
        }
    }

    #[test]
    fn npm_publish_action() {
        let uses = "      - uses: JS-DevTools/npm-publish@v4\n";
        let s = sites_with(GRANT, uses);
        assert_eq!(s[0].uploader, Uploader::Action("js-devtools/npm-publish"));
        assert!(s[0].is_oidc() && s[0].npm.as_ref().unwrap().token.is_none());
        let with_token = format!("{uses}        with:\n          token: ${{{{ secrets.NPM }}}}\n");
        let s = sites_with(GRANT, &with_token);
        assert!(s[0].is_oidc() && s[0].npm.as_ref().unwrap().token.is_some());
        let s = sites_with("", &with_token);
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let dry = format!("{uses}        with:\n          dry-run: true\n");
        assert!(sites_with(GRANT, &dry).is_empty());
        let gpr = format!("{uses}        with:\n          registry: https://npm.pkg.github.com\n");
        assert!(matches!(
            sites_with(GRANT, &gpr)[0].target,
            Target::Custom(_)
        ));
    }

    #[test]
    fn npm_targets() {
        let s = sites_with(
            GRANT,
            "      - run: npm publish --registry https://npm.pkg.github.com\n",
        );
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites_with(
            GRANT,
            "      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://npm.pkg.github.com\n      - run: npm publish\n",
        );
        assert!(matches!(s[0].target, Target::Custom(_)));
        let s = sites_with(
            GRANT,
            "      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://registry.npmjs.org\n      - run: npm publish\n",
        );
        assert_eq!(s[0].index(), Some(crate::registry::Registry::Npm));
        let s = sites_with(
            GRANT,
            "      - run: npm publish\n        env:\n          NPM_CONFIG_REGISTRY: ${{ vars.R }}\n",
        );
        assert!(matches!(s[0].target, Target::Expression(_)));
    }

    #[test]
    fn npm_auth_and_tokens() {
        let setup = "      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://registry.npmjs.org\n";
        let token = "        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
        // npm with id-token: OIDC first, the token is a fallback.
        let s = sites_with(GRANT, &format!("{setup}      - run: npm publish\n{token}"));
        assert!(s[0].is_oidc());
        assert!(s[0].npm.as_ref().unwrap().token.is_some());
        // Without id-token: the token.
        let s = sites_with("", &format!("{setup}      - run: npm publish\n{token}"));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        // No `.npmrc` reads NODE_AUTH_TOKEN or NPM_TOKEN: no token.
        let s = sites_with("", &format!("      - run: npm publish\n{token}"));
        assert!(s[0].is_oidc() && s[0].npm.as_ref().unwrap().token.is_none());
        let npm_token = "        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
        let s = sites_with(
            GRANT,
            &format!("{setup}      - run: npm publish\n{npm_token}"),
        );
        assert!(s[0].npm.as_ref().unwrap().token.is_none());
        // npm_config_ variables are read by npm itself.
        let config = "        env:\n          NPM_CONFIG_//registry.npmjs.org/:_authToken: ${{ secrets.T }}\n";
        let s = sites_with("", &format!("      - run: npm publish\n{config}"));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        // Yarn: the token wins.
        let yarn = "        env:\n          YARN_NPM_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
        let s = sites_with(GRANT, &format!("      - run: yarn npm publish\n{yarn}"));
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        // pnpm 11: the token wins; unknown pnpm: may run npm.
        let s = sites_with(
            GRANT,
            &format!(
                "{setup}      - uses: pnpm/action-setup@v4\n        with:\n          version: 11\n      - run: pnpm publish\n{token}"
            ),
        );
        assert!(matches!(s[0].auth, Auth::Password { .. }));
        let s = sites_with(GRANT, &format!("{setup}      - run: pnpm publish\n{token}"));
        assert!(s[0].is_oidc());
        // A token written into .npmrc.
        let s = sites_with(
            GRANT,
            "      - run: echo \"//registry.npmjs.org/:_authToken=${{ secrets.T }}\" > ~/.npmrc\n      - run: npm publish\n",
        );
        assert!(s[0].npm.as_ref().unwrap().token.is_some());
    }

    #[test]
    fn npm_site_details() {
        let s = sites_with(
            GRANT,
            "      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n      - run: npm publish --provenance\n",
        );
        let npm = s[0].npm.as_ref().unwrap();
        assert_eq!(npm.node.as_ref().unwrap().version, Some((22, None)));
        assert!(!npm.npm_replaced && npm.root_package && npm.oidc_granted);
        assert_eq!(npm.provenance.map(|p| p.0), Some(true));
        let s = sites_with(
            GRANT,
            "      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n      - run: npm install -g npm@latest\n      - run: cd pkg && npm publish\n",
        );
        let npm = s[0].npm.as_ref().unwrap();
        assert!(npm.npm_replaced && !npm.root_package);
        for not_root in [
            "npm publish dist",
            "npm publish -w a",
            "pnpm -r publish",
            "npm publish ./x.tgz",
        ] {
            let s = sites_with(GRANT, &format!("      - run: {not_root}\n"));
            assert!(!s[0].npm.as_ref().unwrap().root_package, "{not_root}");
        }
        let s = sites_with(
            GRANT,
            "      - run: npm publish --tag next --access public\n",
        );
        assert!(s[0].npm.as_ref().unwrap().root_package);
        assert!(names_oidc_npm("^11.5.1") && names_oidc_npm("latest") && !names_oidc_npm("10"));
    }

    #[test]
    fn npm_upgrades() {
        for yes in [
            "npm install -g npm@latest",
            "npm i -g npm@^11.5.1",
            "sudo npm install --global npm@11",
            "npm update -g npm",
            "corepack install -g npm@11.6.0",
        ] {
            assert!(upgrades_npm(yes), "{yes}");
        }
        for no in [
            "npm ci",
            "npm install",
            "npm install -g pnpm",
            "# npm install -g npm@latest",
            "echo npm",
        ] {
            assert!(!upgrades_npm(no), "{no}");
        }
    }

    #[test]
    fn npmrc_tokens() {
        assert_eq!(
            npmrc_token_needle(
                "echo \"//registry.npmjs.org/:_authToken=${{ secrets.NPM }}\" > ~/.npmrc"
            ),
            Some(":_authToken")
        );
        assert_eq!(
            npmrc_token_needle("npm config set //registry.npmjs.org/:_authToken $T"),
            Some(":_authToken")
        );
        assert_eq!(npmrc_token_needle("cat .npmrc"), None);
        assert_eq!(
            npmrc_token_needle("npm set //registry.npmjs.org/:_authToken $T"),
            Some(":_authToken")
        );
        // Another registry's token, or the host in a variable.
        assert_eq!(
            npmrc_token_needle("npm set //npm.pkg.github.com/:_authToken $T"),
            None
        );
        assert_eq!(
            npmrc_token_needle("echo \"//${HOST}/:_authToken=$T\" > .npmrc"),
            Some(":_authToken")
        );
        // A here-document (preconstruct/preconstruct's publish_snapshot.yml).
        assert_eq!(
            npmrc_token_needle(
                "cat << EOF > \"$HOME/.npmrc\"\n  //registry.npmjs.org/:_authToken=$NPM_TOKEN\nEOF\n"
            ),
            Some(":_authToken")
        );
        assert_eq!(
            npmrc_token_needle("cat << EOF > .npmrc\nregistry=https://x\nEOF\n_authToken"),
            None
        );
        assert_eq!(npmrc_token_needle("# echo _authToken > .npmrc"), None);
    }

    #[test]
    fn containers() {
        let at = Location::new(crate::source::FileId(0), crate::source::Span::empty(0));
        let job = NpmJob::default();
        let node = job.node_in_use(Some(("node:22-alpine", at))).unwrap();
        assert_eq!(node.version, Some((22, None)));
        assert!(job.node_in_use(Some(("ghcr.io/x/node:22", at))).is_none());
        let node = job.node_in_use(Some(("docker.io/library/node:lts", at)));
        assert_eq!(node.unwrap().version, None);
        let unknown = NpmJob {
            node_unknown: true,
            ..NpmJob::default()
        };
        assert!(unknown.node_in_use(Some(("node:22", at))).is_none());
    }

    #[test]
    fn packages_a_publish_uploads() {
        let words =
            |text: &str| -> Vec<String> { text.split_whitespace().map(str::to_string).collect() };
        let of = |uploader, args: &str, folder: Option<&str>| {
            published_packages(uploader, &[], &words(args), folder)
        };
        let folder = |f: &str| NpmPackages::Folder(f.to_string());
        assert_eq!(of(Uploader::Npm, "", Some("pkg")), folder("pkg"));
        assert_eq!(
            of(Uploader::Npm, "./packages/a", Some("")),
            folder("packages/a")
        );
        assert_eq!(of(Uploader::Npm, "--tag next ../b", Some("a")), folder("b"));
        assert_eq!(
            of(Uploader::Npm, "--prefix packages/a", Some("")),
            folder("packages/a")
        );
        assert_eq!(
            of(Uploader::Pnpm, "--dir=packages/a", Some("")),
            folder("packages/a")
        );
        assert_eq!(
            of(Uploader::Npm, "-w packages/a", Some("")),
            folder("packages/a")
        );
        assert_eq!(
            of(Uploader::Npm, "-w @acme/a", Some("")),
            NpmPackages::Workspaces
        );
        assert_eq!(
            of(Uploader::Npm, "--workspaces", Some("")),
            NpmPackages::Workspaces
        );
        assert_eq!(
            of(Uploader::Pnpm, "-r --no-git-checks", None),
            NpmPackages::Workspaces
        );
        assert_eq!(
            of(Uploader::Pnpm, "--filter ./a", Some("")),
            NpmPackages::Workspaces
        );
        assert_eq!(
            of(Uploader::Lerna, "from-package", None),
            NpmPackages::Workspaces
        );
        assert_eq!(
            of(Uploader::Changesets(NpmClient::Pnpm), "", None),
            NpmPackages::Workspaces
        );
        assert_eq!(of(Uploader::Npm, "", None), NpmPackages::Unknown);
        assert_eq!(of(Uploader::Npm, "pkg.tgz", Some("")), NpmPackages::Unknown);
        assert_eq!(
            of(Uploader::Npm, "@acme/a@1.0.0", Some("")),
            NpmPackages::Unknown
        );
        assert_eq!(of(Uploader::Npm, "$DIR", Some("")), NpmPackages::Unknown);
        assert_eq!(
            of(Uploader::SemanticRelease, "", Some("")),
            NpmPackages::Unknown
        );
        assert!(literal_move(&words("cd packages/a")));
        assert!(!literal_move(&words("cd $DIR")));
        assert!(!literal_move(&words("cd -")));
        assert!(!literal_move(&words("popd")));
    }
}
