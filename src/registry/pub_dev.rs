//! pub.dev: automated publishing from GitHub Actions.
//!
//! Sources: dart-lang/pub-dev `app/lib/package/backend.dart`
//! (`_checkGitHubActionAllowed`: the repository compared with the token's
//! `repository` by string equality; only `push` runs, or `workflow_dispatch`
//! runs when the package enables them; `ref_type` must be `tag` and `ref`
//! must be `refs/tags/` plus the tag pattern with `{{version}}` replaced by
//! the version being published; a required environment compared by string
//! equality. `verifyTagPattern`: exactly one `{{version}}`, the rest of
//! `[a-zA-Z0-9._/-]`), dart-lang/site-www
//! `src/content/tools/pub/automated-publishing.md`
//! (https://dart.dev/tools/pub/automated-publishing), and
//! dart-lang/setup-dart `lib/main.dart` (`createPubOIDCToken`: when the job
//! can request an OIDC token, it requests one for the audience
//! `https://pub.dev`, exports it as `PUB_TOKEN` and runs
//! `dart pub token add https://pub.dev --env-var PUB_TOKEN`) and
//! `.github/workflows/publish.yml` (the reusable workflow: inputs
//! `environment` and `working-directory`; its job asks for `id-token: write`).

use super::publishing::{
    ActionAuth, CommandUploader, ReleaseToolAction, TokenMinter, Uploader, UploaderAction, When,
};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow,
    PublisherField, Registry, RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::PubDev,
    key: "pub.dev",
    aliases: &["pub-dev", "pubdev", "pub", "dart"],
    name: "pub.dev",
    matched: MatchedWorkflow::Repository,
    cross_repository: CrossRepository::NotMatched,
    // backend.dart compares the repository and the environment with `!=`.
    case: CaseRules {
        owner: true,
        workflow: true,
        environment: true,
    },
    // Every event but `push` (and `workflow_dispatch` when enabled) is
    // refused; TP111 says so with the tag pattern, so no list here.
    rejected_events: &[],
    labels: FormLabels {
        package: "Package",
        owner: "Repository",
        repository: "Repository",
        workflow: "Tag pattern",
        environment: "Environment",
    },
    settings_url: "https://pub.dev/packages/{package}/admin",
    upload_hosts: &["pub.dev", "pub.dartlang.org"],
    default_upload_url: "https://pub.dev",
    publish_hint: "the reusable workflow `dart-lang/setup-dart/.github/workflows/publish.yml`, or `dart-lang/setup-dart` and `dart pub publish --force`, in a job with `id-token: write` started by pushing a tag",
    rejection: "\"publishing is only allowed from ...\" or \"publishing is not enabled for the ... repository\"",
    validate,
    source: "https://dart.dev/tools/pub/automated-publishing; dart-lang/pub-dev app/lib/package/backend.dart; dart-lang/setup-dart lib/main.dart",
};

/// The placeholder of a tag pattern.
pub const VERSION_PLACEHOLDER: &str = "{{version}}";

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = [
        super::github_owner_problem(values.owner, "pub.dev"),
        super::github_repository_problem(values.repository, "pub.dev"),
    ]
    .into_iter()
    .flatten()
    .collect();
    // backend.dart `_validGitHubEnvironment`: letters, digits, `-`, `.`, `_`.
    if let Some(environment) = values.environment
        && !environment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
    {
        problems.push(FieldProblem {
            field: PublisherField::Environment,
            message: format!("environment `{environment}` is not accepted by pub.dev"),
            help: Some(
                "pub.dev accepts letters, digits, `-`, `.` and `_` in an environment name".into(),
            ),
        });
    }
    problems
}

/// What is wrong with a tag pattern, as pub.dev's form checks it
/// (backend.dart `verifyTagPattern`).
pub fn tag_pattern_problem(pattern: &str) -> Option<String> {
    let parts: Vec<&str> = pattern.split(VERSION_PLACEHOLDER).collect();
    if parts.len() != 2 {
        return Some(if parts.len() < 2 {
            format!("tag pattern `{pattern}` does not contain `{VERSION_PLACEHOLDER}`")
        } else {
            format!("tag pattern `{pattern}` contains `{VERSION_PLACEHOLDER}` more than once")
        });
    }
    let invalid = parts
        .iter()
        .flat_map(|p| p.chars())
        .find(|c| !(c.is_ascii_alphanumeric() || "-._/".contains(*c)));
    invalid.map(|c| {
        format!(
            "tag pattern `{pattern}` contains `{c}`; pub.dev accepts letters, digits, `-`, `.`, `_` and `/` around `{VERSION_PLACEHOLDER}`"
        )
    })
}

/// `pub publish` under each of its names: `lish` and `lush` are its
/// aliases (dart-lang/pub `lib/src/command.dart`, `pubCommandAliases`:
/// `'publish': ['lish', 'lush']` [ec276d1]); simolus3/drift publishes with
/// `dart pub lish -f`.
const PUB_PUBLISH: &[&str] = &["pub publish", "pub lish", "pub lush"];

/// Its command-line publishers. Neither `dart` nor `flutter` exchanges the
/// OIDC token itself: `dart-lang/setup-dart` stores one for pub.dev.
pub static COMMANDS: &[CommandUploader] = &[
    // https://dart.dev/tools/pub/cmd/pub-lish: `--dry-run`/`-n` validates
    // only, `--force`/`-f` skips the confirmation; the token for pub.dev
    // comes from `dart pub token add` (stored, or read from the variable
    // named by `--env-var`, as setup-dart does).
    CommandUploader {
        registry: Registry::PubDev,
        uploader: Uploader::DartPub,
        program: "dart",
        subcommands: PUB_PUBLISH,
        secret_flags: &[],
        secret_env: &[],
        url_flags: &[],
        url_env: &["PUB_HOSTED_URL"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
    // `flutter pub publish` runs the same pub command.
    CommandUploader {
        registry: Registry::PubDev,
        uploader: Uploader::DartPub,
        program: "flutter",
        subcommands: PUB_PUBLISH,
        secret_flags: &[],
        secret_env: &[],
        url_flags: &[],
        url_env: &["PUB_HOSTED_URL"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
];

/// melos's `publish`: a dry run unless `--no-dry-run` is given (the flag
/// `dry-run`, `-n`, defaults to true), else `dart pub publish --force` in
/// each package's folder, for the packages not private and not yet on
/// pub.dev (invertase/melos `packages/melos/lib/src/command_runner/publish.dart`,
/// `commands/publish.dart` [caf0db3]). pub's token is the job's, as for
/// `dart pub publish`.
pub static MELOS: CommandUploader = CommandUploader {
    registry: Registry::PubDev,
    uploader: Uploader::Melos,
    program: "melos",
    subcommands: &["publish"],
    secret_flags: &[],
    secret_env: &[],
    url_flags: &[],
    url_env: &["PUB_HOSTED_URL"],
    repository_flags: &[],
    repository_env: &[],
    testpypi_names: &[],
    pypi_names: &[],
    trusted_publishing: false,
};

/// Whether `melos publish` with `args` uploads: the last of `--dry-run`,
/// `-n` and `--no-dry-run` is `--no-dry-run`.
pub fn melos_publishes(args: &[String]) -> bool {
    args.iter()
        .rev()
        .find_map(|a| match a.as_str() {
            "--no-dry-run" => Some(true),
            "--dry-run" | "-n" => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

/// Actions that publish with a release tool.
pub static RELEASE_TOOL_ACTIONS: &[ReleaseToolAction] = &[
    // bluefireteam/melos-action `action.yml` [2982f8e, v3.8.0]: with
    // `publish: true` it runs `dart-lang/setup-dart` ("this sets up OIDC";
    // skipped for `dart-version: none`), then `melos publish -y
    // --no-dry-run --scope=$PACKAGE_NAME` for the package of the tag that
    // started the run; `publish-dry-run` is another step. v3.1.0 is the
    // first release that runs setup-dart (v3.0.0 publishes with whatever
    // the job set up; v1 and v2 cannot publish).
    ReleaseToolAction {
        action: "bluefireteam/melos-action",
        uploader: Uploader::Melos,
        when: Some(("publish", When::OneOf(&["true"]))),
        dry_run_input: None,
        token_inputs: &[],
        token_env: &[],
        registry_input: None,
        version_input: None,
        first_oidc_tool: (0, 0, 0),
        first_oidc_action: (3, 1, 0),
        exchange_off: Some(("dart-version", "none")),
        exchanges_oidc: true,
    },
];

/// Actions that publish to pub.dev themselves, each with a stored OAuth
/// credential of a pub.dev account (pub has no token exchange of its own,
/// and neither action runs setup-dart's).
pub static UPLOADER_ACTIONS: &[UploaderAction] = &[
    // action.yml and entrypoint.sh [8fdba1d, v1.6.1]: writes
    // `accessToken`/`refreshToken` (or the whole `credentialJson`) to
    // `~/.config/dart/pub-credentials.json`, then `dart pub lish -f` (or
    // `flutter pub publish -f`) unless `dryRunOnly` is true
    // (mobxjs/mobx.dart's release workflow).
    UploaderAction {
        action: "k-paxian/dart-package-publisher",
        registry: Registry::PubDev,
        when: Some(("dryRunOnly", When::NoneOf(&["true"]))),
        token_inputs: &["credentialJson", "accessToken", "refreshToken"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: None,
    },
    // action.yml [fabea0c]: runs its `bin/main.dart` with
    // `pub-credentials-json` as `PUB_CREDENTIALS_JSON`, which publishes
    // unless `do-publish` is false (cfug/dio's `publish.yml`).
    UploaderAction {
        action: "cfug/dio_issue_release_action",
        registry: Registry::PubDev,
        when: Some(("do-publish", When::NoneOf(&["false"]))),
        token_inputs: &["pub-credentials-json"],
        token_env: &[],
        auth: ActionAuth::TokenOnly,
        url_input: None,
    },
];

/// Whether a job publishes with bluefireteam/melos-action.
pub fn uses_melos_action(job: &crate::workflow::Job) -> bool {
    job.steps.iter().any(|step| {
        step.uses
            .as_ref()
            .is_some_and(|u| RELEASE_TOOL_ACTIONS.iter().any(|a| a.matches(&u.target)))
    })
}

/// `dart pub publish` options that upload nothing (pub-lish documentation).
pub const DRY_RUN_FLAGS: &[&str] = &["--dry-run", "-n"];

/// The action that stores a pub.dev token minted from the job's OIDC token.
pub const SETUP_DART: &str = "dart-lang/setup-dart";

/// A reusable workflow that publishes to pub.dev: a job that runs
/// `dart-lang/setup-dart` (which stores a pub.dev token minted from the
/// job's OIDC token) and then `dart pub publish`. A called workflow gets
/// no more permissions than its caller grants, so the calling job must
/// grant `id-token: write`.
#[derive(Debug)]
pub struct PublishWorkflow {
    /// `OWNER/REPO/PATH`, without `@ref`.
    pub path: &'static str,
    /// The environment its publishing job runs in.
    pub environment: WorkflowEnvironment,
    /// The input naming the folder of the package it publishes.
    pub folder_input: Option<&'static str>,
    /// A secret that, when the caller passes it, gives the job a
    /// long-lived credential to publish with instead of the OIDC token.
    pub token_secret: Option<&'static str>,
}

/// Where a publishing workflow's job takes its environment from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkflowEnvironment {
    /// The caller's `with:` value of this input (none given: none).
    Input(&'static str),
    /// Always this one.
    Fixed(&'static str),
    /// None: the job has no `environment:`.
    Absent,
}

/// The reusable workflows that publish to pub.dev.
pub static PUBLISH_WORKFLOWS: &[PublishWorkflow] = &[
    // dart-lang/setup-dart `.github/workflows/publish.yml` (checked at
    // 2bd1170): inputs `environment` (the job's) and `working-directory`.
    PublishWorkflow {
        path: "dart-lang/setup-dart/.github/workflows/publish.yml",
        environment: WorkflowEnvironment::Input("environment"),
        folder_input: Some("working-directory"),
        token_secret: None,
    },
    // dart-lang/ecosystem `.github/workflows/publish.yaml` (checked at
    // edfdb3b4): its `publish` job, on `push` only (a pull request gets
    // the `validate` job), runs setup-dart (or subosito/flutter-action
    // with `use-flutter`) then `dart pub global run firehose --publish`,
    // which runs `dart pub publish --force` (or `flutter pub publish`) in
    // each package whose version is not yet on pub.dev
    // (`pkgs/firehose/lib/firehose.dart`, `_runPublish`); its job's
    // environment is the `environment` input.
    PublishWorkflow {
        path: "dart-lang/ecosystem/.github/workflows/publish.yaml",
        environment: WorkflowEnvironment::Input("environment"),
        folder_input: None,
        token_secret: None,
    },
    // VeryGoodOpenSource/very_good_workflows
    // `.github/workflows/dart_pub_publish.yml` (checked at f0530083, and
    // at tag v1, 0d81600d): job `publish`, with no `environment:` and no
    // `permissions:` (so the caller's), runs `dart-lang/setup-dart@v1.8.0`
    // then `dart pub publish -f` in the `working_directory` input; the
    // `pub_credentials` secret, when not empty, is written to
    // `pub-credentials.json` first (deprecated there, "using the Setup
    // Dart action is recommended").
    PublishWorkflow {
        path: "VeryGoodOpenSource/very_good_workflows/.github/workflows/dart_pub_publish.yml",
        environment: WorkflowEnvironment::Absent,
        folder_input: Some("working_directory"),
        token_secret: Some("pub_credentials"),
    },
    // The same repository's `.github/workflows/flutter_pub_publish.yml`
    // (checked at tag v1, 0d81600d): the same job with
    // subosito/flutter-action and `flutter pub publish -f`, which runs
    // setup-dart only when the `pub_credentials` secret is empty.
    PublishWorkflow {
        path: "VeryGoodOpenSource/very_good_workflows/.github/workflows/flutter_pub_publish.yml",
        environment: WorkflowEnvironment::Absent,
        folder_input: Some("working_directory"),
        token_secret: Some("pub_credentials"),
    },
    // famedly/frontend-ci-templates `.github/workflows/publish-pub.yml`
    // (checked at cad1346): job `publish`, `environment: "pub.dev"`,
    // `permissions: id-token: write`, runs `dart-lang/setup-dart` then
    // `dart pub publish -f` in the repository's root.
    PublishWorkflow {
        path: "famedly/frontend-ci-templates/.github/workflows/publish-pub.yml",
        environment: WorkflowEnvironment::Fixed("pub.dev"),
        folder_input: None,
        token_secret: None,
    },
];

/// The publishing workflow a job's `uses:` calls, if it is one of
/// [`PUBLISH_WORKFLOWS`].
pub fn publish_workflow(target: &crate::workflow::UsesTarget) -> Option<&'static PublishWorkflow> {
    let crate::workflow::UsesTarget::Remote { slug, path, .. } = target else {
        return None;
    };
    let called = format!("{slug}/{}", path.as_deref()?.trim_end_matches('/'));
    PUBLISH_WORKFLOWS
        .iter()
        .find(|workflow| called.eq_ignore_ascii_case(workflow.path))
}

impl PublishWorkflow {
    /// Whether a call passing `secrets` gives the workflow its credential
    /// secret (by name, or all the caller's secrets).
    pub fn given_credential(&self, secrets: &crate::workflow::Secrets) -> bool {
        use crate::workflow::Secrets;
        self.token_secret.is_some_and(|secret| match secrets {
            Secrets::None => false,
            Secrets::Inherit(_) => true,
            Secrets::Named(named) => named.iter().any(|kv| kv.key.value == secret),
        })
    }
}

/// Whether a job's `uses:` calls one of [`PUBLISH_WORKFLOWS`].
pub fn is_publish_workflow(target: &crate::workflow::UsesTarget) -> bool {
    publish_workflow(target).is_some()
}

/// The tag pattern a workflow's `push` tag filters suggest for `package`
/// (`None`: not known), `melos` when the job publishes with
/// bluefireteam/melos-action, whose tags are `<package>-v<version>`:
/// - a filter's literal start, then `{{version}}` (`v[0-9]+.*` gives
///   `v{{version}}`; `my_pkg-v*` gives `my_pkg-v{{version}}`), the one
///   starting with the package's name first;
/// - a filter that starts with a pattern and goes on with `-v`
///   (`*-v[0-9]+.*`, `[A-z0-9]+-v*`): `<package>-v{{version}}`;
/// - one that starts with a digit class (`[0-9]+.*`): `{{version}}`;
/// - else melos-action's form, else `v{{version}}`.
pub fn suggested_tag_pattern(
    workflow: &crate::workflow::Workflow,
    package: Option<&str>,
    melos: bool,
) -> String {
    let prefixed = |package: Option<&str>| {
        format!("{}-v{VERSION_PLACEHOLDER}", package.unwrap_or("<package>"))
    };
    let filters: Vec<String> = workflow
        .triggers
        .iter()
        .filter(|t| t.event.value == "push")
        .filter_map(|t| t.config.as_ref()?.get("tags"))
        .flat_map(|tags| {
            let list: Vec<String> = match tags.as_str() {
                Some(one) => vec![one.to_string()],
                None => tags
                    .as_sequence()
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            list
        })
        .filter(|f| !f.starts_with('!'))
        .collect();
    let from_filter = |filter: &str| -> Option<String> {
        let end = filter
            .find(|c: char| "*?+[]\\!".contains(c))
            .unwrap_or(filter.len());
        let head = &filter[..end];
        if head.is_empty() {
            return if filter.starts_with("[0-9]") {
                Some(VERSION_PLACEHOLDER.to_string())
            } else if filter.contains("-v") {
                Some(prefixed(package))
            } else {
                None
            };
        }
        let valid = head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/".contains(c));
        // The head ends where the version starts (`v`, `pkg-v`, `pkg-`,
        // `pkgs/a/`), unless a pattern goes on with the name
        // (`cbl*-v[0-9]+...`: any package starting with `cbl`).
        let at_version = head == "v"
            || head.ends_with(['-', '_', '/', '.'])
            || head.ends_with("-v")
            || head.ends_with("_v")
            || head.ends_with("/v");
        if valid && !at_version && filter[end..].contains("-v") {
            return Some(match package {
                Some(package) if package.starts_with(head) => prefixed(Some(package)),
                _ => prefixed(None),
            });
        }
        (valid && at_version).then(|| format!("{head}{VERSION_PLACEHOLDER}"))
    };
    let own = package.and_then(|package| {
        filters
            .iter()
            .filter(|f| f.starts_with(package))
            .find_map(|f| from_filter(f))
    });
    own.or_else(|| filters.iter().find_map(|f| from_filter(f)))
        .unwrap_or_else(|| {
            if melos {
                prefixed(package)
            } else {
                format!("v{VERSION_PLACEHOLDER}")
            }
        })
}

/// Its token minter: setup-dart exports `PUB_TOKEN` and registers it with
/// pub for https://pub.dev.
pub static MINTERS: &[TokenMinter] = &[TokenMinter {
    action: SETUP_DART,
    registry: Registry::PubDev,
    outputs: &[],
    exports: &["PUB_TOKEN"],
    other_modes: &[],
    token_inputs: &[],
    only_mints: false,
}];

/// Files a long-lived pub.dev credential is written to by workflows that
/// publish with a stored OAuth credential: `pub-credentials.json` in the
/// Dart config directory (`~/.config/dart/`), `credentials.json` in the
/// pub cache for older SDKs.
pub const CREDENTIAL_FILES: &[&str] = &["pub-credentials.json", ".pub-cache/credentials.json"];

/// How a job publishes by trusted publishing
/// (https://dart.dev/tools/pub/automated-publishing).
pub const TRUSTED_PUBLISHING_HOW: &str = "call `dart-lang/setup-dart/.github/workflows/publish.yml` from a job with `id-token: write`, or run `dart-lang/setup-dart` before `dart pub publish --force` in such a job, in a workflow started by pushing a tag that matches the publisher's tag pattern";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_patterns() {
        assert_eq!(tag_pattern_problem("v{{version}}"), None);
        assert_eq!(tag_pattern_problem("my_pkg-v{{version}}"), None);
        assert_eq!(tag_pattern_problem("pkgs/a/{{version}}"), None);
        assert!(tag_pattern_problem("v{version}").is_some());
        assert!(tag_pattern_problem("{{version}}-{{version}}").is_some());
        assert!(tag_pattern_problem("v*{{version}}").is_some());
    }

    #[test]
    fn suggested_patterns() {
        let workflow = |on: &str| {
            let text = format!("on:\n{on}\njobs: {{}}\n");
            let document = crate::yaml::parse(&text).expect("yaml");
            crate::workflow::build(&text, &document)
        };
        let w = workflow("  push:\n    tags: ['v[0-9]+.[0-9]+.[0-9]+']");
        assert_eq!(suggested_tag_pattern(&w, None, false), "v{{version}}");
        let w = workflow("  push:\n    tags: 'my_pkg-v*'");
        assert_eq!(
            suggested_tag_pattern(&w, None, false),
            "my_pkg-v{{version}}"
        );
        let w = workflow("  push:\n    tags: ['[0-9]+.[0-9]+.[0-9]+']");
        assert_eq!(suggested_tag_pattern(&w, None, false), "{{version}}");
        let w = workflow("  release:");
        assert_eq!(suggested_tag_pattern(&w, None, false), "v{{version}}");
        // A monorepo's filters: the package's own first, then any
        // package's (dart-lang/http's `*-v[0-9]+...`, dart-lang/tools'
        // `[A-z0-9]+-v...`).
        let w = workflow("  push:\n    tags: ['other-v*', 'drift_dev-*']");
        assert_eq!(
            suggested_tag_pattern(&w, Some("drift_dev"), false),
            "drift_dev-{{version}}"
        );
        let w = workflow("  push:\n    tags: ['*-v[0-9]+.[0-9]+.[0-9]+*']");
        assert_eq!(
            suggested_tag_pattern(&w, Some("http"), false),
            "http-v{{version}}"
        );
        let w = workflow("  push:\n    tags: ['[A-z0-9]+-v[0-9]+.[0-9]+.[0-9]+*']");
        assert_eq!(
            suggested_tag_pattern(&w, None, false),
            "<package>-v{{version}}"
        );
        // A name pattern before `-v`: the package's tags, not a prefix.
        let w = workflow("  push:\n    tags: ['cbl*-v[0-9]+.[0-9]+.[0-9]+*']");
        assert_eq!(
            suggested_tag_pattern(&w, Some("cbl_native"), false),
            "cbl_native-v{{version}}"
        );
        assert_eq!(
            suggested_tag_pattern(&w, None, false),
            "<package>-v{{version}}"
        );
        // melos-action's tags, when no filter says.
        let w = workflow("  workflow_dispatch:");
        assert_eq!(
            suggested_tag_pattern(&w, Some("flame"), true),
            "flame-v{{version}}"
        );
    }

    #[test]
    fn publish_workflow_calls() {
        let target = |text: &str| {
            crate::workflow::UsesTarget::parse(text, |_| crate::source::Span::new(0, 0))
        };
        assert!(is_publish_workflow(&target(
            "dart-lang/setup-dart/.github/workflows/publish.yml@v1"
        )));
        assert!(!is_publish_workflow(&target("dart-lang/setup-dart@v1")));
        assert!(is_publish_workflow(&target(
            "dart-lang/ecosystem/.github/workflows/publish.yaml@main"
        )));
        assert!(!is_publish_workflow(&target(
            "dart-lang/ecosystem/.github/workflows/health.yaml@main"
        )));
        let vgv = publish_workflow(&target(
            "VeryGoodOpenSource/very_good_workflows/.github/workflows/dart_pub_publish.yml@v1",
        ));
        assert_eq!(
            vgv.map(|w| w.environment),
            Some(WorkflowEnvironment::Absent)
        );
        assert!(is_publish_workflow(&target(
            "famedly/frontend-ci-templates/.github/workflows/publish-pub.yml@main"
        )));
    }
}
