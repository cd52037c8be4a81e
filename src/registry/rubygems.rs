//! RubyGems.org: GitHub Actions trusted publishers.
//!
//! Sources: rubygems/rubygems.org `app/models/oidc/trusted_publisher/github_action.rb`
//! (fields, 255 characters, a bare `.yml`/`.yaml` workflow file,
//! `workflow_repository_owner`/`_name` both or neither; matching on
//! `job_workflow_ref`, the file holding the job, by SQL equality), and
//! https://guides.rubygems.org/trusted-publishing/.

use super::publishing::{CommandUploader, TokenMinter, Uploader};
use super::{
    CaseRules, CrossRepository, FieldProblem, FormLabels, FormValues, MatchedWorkflow,
    PublisherField, Registry, RegistryInfo,
};

pub static INFO: RegistryInfo = RegistryInfo {
    registry: Registry::RubyGems,
    key: "rubygems",
    aliases: &["rubygems.org", "gem"],
    name: "RubyGems.org",
    matched: MatchedWorkflow::Callee,
    cross_repository: CrossRepository::Registered,
    // SQL equality on every column: exact.
    case: CaseRules {
        owner: true,
        workflow: true,
        environment: true,
    },
    rejected_events: &[],
    labels: FormLabels {
        package: "Gem name",
        owner: "Repository owner",
        repository: "Repository name",
        workflow: "Workflow filename",
        environment: "Environment",
    },
    settings_url: "https://rubygems.org/gems/{package}/trusted_publishers",
    upload_hosts: &["rubygems.org"],
    default_upload_url: "https://rubygems.org",
    publish_hint: "`rubygems/release-gem`, or `rubygems/configure-rubygems-credentials` and `gem push`, in a job with `id-token: write`",
    rejection: "\"No trusted publisher configured for this workflow\"",
    validate,
    source: "https://guides.rubygems.org/trusted-publishing/; rubygems/rubygems.org app/models/oidc/trusted_publisher/github_action.rb",
};

fn validate(values: &FormValues<'_>) -> Vec<FieldProblem> {
    let mut problems: Vec<FieldProblem> = [
        super::github_owner_problem(values.owner, "RubyGems.org"),
        super::github_repository_problem(values.repository, "RubyGems.org"),
        super::workflow_file_problem(values.workflow),
    ]
    .into_iter()
    .flatten()
    .collect();
    problems.extend(super::length_problems(values, 255, "RubyGems.org"));
    if let Some((owner, name)) = values.workflow_repository
        && owner.eq_ignore_ascii_case(values.owner)
        && name.eq_ignore_ascii_case(values.repository)
    {
        problems.push(FieldProblem {
            field: PublisherField::WorkflowRepositoryName,
            message: "the workflow repository is the gem's own repository".into(),
            help: Some("leave `workflow-repository-owner` and `workflow-repository-name` out: they are for a reusable workflow of another repository".into()),
        });
    }
    problems
}

/// The variables in which only RubyGems.org's client reads an API key:
/// `gem push` takes `GEM_HOST_API_KEY` (rubygems/rubygems
/// lib/rubygems/gemcutter_utilities.rb `api_key`, as in [`COMMANDS`]).
/// A step tplint cannot see into given one may publish with it.
pub const TOKEN_VARIABLES: &[&str] = &["GEM_HOST_API_KEY"];

/// gem's credentials file (`Gem.configuration.credentials_path`,
/// `~/.gem/credentials`) and the entry holding RubyGems.org's API key in
/// it (`:rubygems_api_key:`; rubygems/rubygems
/// test/rubygems/test_gem_gemcutter_utilities.rb `test_api_key`), which
/// `gem push` reads without `GEM_HOST_API_KEY`.
pub const CREDENTIALS_FILE: (&str, &str) = (".gem/credentials", ":rubygems_api_key:");

/// Its command-line publishers. Neither `gem` nor bundler exchanges an
/// OIDC token itself: rubygems/configure-rubygems-credentials does, and
/// exports the key for them.
pub static COMMANDS: &[CommandUploader] = &[
    // rubygems/rubygems lib/rubygems/commands/push_command.rb and
    // lib/rubygems/gemcutter_utilities.rb: `gem push` takes the key from
    // `GEM_HOST_API_KEY`, else the credentials file (`--key` names an entry
    // of that file, not a secret); `--host` or `RUBYGEMS_HOST` is the
    // server. `RUBYGEMS_API_KEY` is not read by gem, but it is the name
    // release scripts write into the credentials file, and the one
    // configure-rubygems-credentials exports beside the others.
    CommandUploader {
        registry: Registry::RubyGems,
        uploader: Uploader::GemPush,
        program: "gem",
        subcommands: &["push"],
        secret_flags: &[],
        secret_env: &["GEM_HOST_API_KEY", "RUBYGEMS_API_KEY"],
        url_flags: &["--host"],
        url_env: &["RUBYGEMS_HOST"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
    // rubygems/rubygems bundler/lib/bundler/gem_helper.rb: the `release`
    // task (also `release:rubygem_push`) builds the gem, tags, pushes the
    // tag and runs `gem push` (with `--key` from `gem.push_key`, i.e.
    // `BUNDLE_GEM__PUSH_KEY`, and the gemspec's `allowed_push_host`).
    CommandUploader {
        registry: Registry::RubyGems,
        uploader: Uploader::RakeRelease,
        program: "rake",
        subcommands: &["release", "release:rubygem_push"],
        secret_flags: &[],
        secret_env: &[
            "GEM_HOST_API_KEY",
            "BUNDLE_GEM__PUSH_KEY",
            "RUBYGEMS_API_KEY",
        ],
        url_flags: &[],
        url_env: &["RUBYGEMS_HOST"],
        repository_flags: &[],
        repository_env: &[],
        testpypi_names: &[],
        pypi_names: &[],
        trusted_publishing: false,
    },
];

/// The values of `gem_push` that keep bundler's `release` task from
/// pushing the gem: rubygems/rubygems `bundler/lib/bundler/gem_helper.rb`
/// [02c88aa], `gem_push?` is `!%w[n no nil false off 0].include?(ENV["gem_push"].to_s.downcase)`,
/// and `release:rubygem_push` pushes only `if gem_push?` (the `release`
/// task's description: "To prevent publishing in RubyGems use `gem_push=no
/// rake release`"). Rake sets `NAME=value` arguments in `ENV`.
const GEM_PUSH_OFF: &[&str] = &["n", "no", "nil", "false", "off", "0"];

/// Whether `rake release` with these words (the command, with its
/// `NAME=value` arguments) and `env` (the value of an environment
/// variable where the command runs) pushes the gem. A value tplint cannot
/// read (an expression, a variable) counts as pushing.
pub fn rake_release_pushes(words: &[String], env: impl Fn(&str) -> Option<String>) -> bool {
    let argument = words
        .iter()
        .skip(1)
        .filter_map(|w| w.strip_prefix("gem_push="))
        .next_back()
        .map(str::to_string);
    let value = argument.or_else(|| env("gem_push"));
    !value.is_some_and(|v| GEM_PUSH_OFF.contains(&v.trim().to_ascii_lowercase().as_str()))
}

/// The action that releases a gem by trusted publishing: rubygems/release-gem
/// action.yml [612653d, 289eef0] is a composite of git setup,
/// `rubygems/configure-rubygems-credentials` (unless
/// `setup-trusted-publisher` is false), `rake release` and
/// `gem exec rubygems-await`; README.md: the job needs `id-token: write`
/// and `contents: write` (the release task pushes a tag).
pub const RELEASE_GEM_ACTION: &str = "rubygems/release-gem";

/// The input of release-gem that turns its credentials step off.
pub const RELEASE_GEM_SWITCH: &str = "setup-trusted-publisher";

/// The action that exchanges the job's OIDC token for a RubyGems.org key.
pub const CREDENTIALS_ACTION: &str = "rubygems/configure-rubygems-credentials";

/// Its token minter.
pub static MINTERS: &[TokenMinter] = &[
    // rubygems/configure-rubygems-credentials action.yml, src/main.ts
    // (trusted publishing unless `api-token` or `role-to-assume` is given),
    // src/configure-api-token.ts (exports RUBYGEMS_API_KEY,
    // BUNDLE_GEM__PUSH_KEY and GEM_HOST_API_KEY, writes ~/.gem/credentials)
    // [abfabee].
    TokenMinter {
        action: CREDENTIALS_ACTION,
        registry: Registry::RubyGems,
        outputs: &[],
        exports: &[
            "GEM_HOST_API_KEY",
            "RUBYGEMS_API_KEY",
            "BUNDLE_GEM__PUSH_KEY",
        ],
        other_modes: &["role-to-assume"],
        token_inputs: &["api-token"],
        only_mints: true,
    },
];

/// The path of RubyGems.org's token exchange (configure-rubygems-credentials
/// src/oidc/trustedPublisher.ts).
pub const EXCHANGE_PATH: &str = "/api/v1/oidc/trusted_publisher/exchange_token";

/// How a job publishes by trusted publishing (rubygems/release-gem and
/// rubygems/configure-rubygems-credentials READMEs).
pub const TRUSTED_PUBLISHING_HOW: &str = "give the job `id-token: write` and use `rubygems/release-gem`, or run `rubygems/configure-rubygems-credentials` (without `api-token`) before `gem push` or `rake release`";

#[cfg(test)]
mod tests {
    use super::rake_release_pushes;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn gem_push_off_values_skip_the_push() {
        let none = |_: &str| None;
        assert!(rake_release_pushes(&words("rake release"), none));
        for off in ["n", "no", "NO", "nil", "false", "off", "0"] {
            let argument = format!("rake -f -r bundler/gem_tasks release gem_push={off}");
            assert!(!rake_release_pushes(&words(&argument), none), "{off}");
            assert!(!rake_release_pushes(&words("rake release"), |name| {
                (name == "gem_push").then(|| off.to_string())
            }));
        }
        assert!(rake_release_pushes(
            &words("rake release gem_push=yes"),
            none
        ));
        // The argument wins over the environment, as rake sets it in `ENV`.
        assert!(rake_release_pushes(
            &words("rake release gem_push=1"),
            |_| Some("no".into())
        ));
        // A value tplint cannot read pushes.
        assert!(rake_release_pushes(
            &words("rake release gem_push=${{ inputs.push }}"),
            none
        ));
    }
}
