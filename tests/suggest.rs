//! `tplint suggest`: what to register on PyPI, and a TOML block that tplint
//! itself accepts.

mod common;

use common::{fixture, fixture_copy, git, tplint};
use predicates::prelude::*;

#[test]
fn seed_example_with_a_remote() {
    let repo = fixture_copy(&fixture("seed-example"));
    git(
        repo.path(),
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/myorg/myproject.git",
        ],
    );
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Owner:              myorg",
        "Repository name:    myproject",
        "Workflow name:      release.yml",
        "Environment name:   (any)",
        "[[publisher]]\nowner = \"myorg\"\nrepository = \"myproject\"\nworkflow = \"release.yml\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn without_a_remote_it_says_how_to_set_one() {
    let repo = fixture_copy(&fixture("seed-example"));
    tplint()
        .arg("suggest")
        .arg(repo.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("Owner:              (unknown"))
        .stdout(predicate::str::contains("git remote add origin"));
}

#[test]
fn json_groups_by_index_and_the_toml_round_trips() {
    let repo = fixture_copy(&fixture("rw-matrix-testpypi-and-pypi"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    std::fs::write(
        repo.path().join("pyproject.toml"),
        "[project]\nname = \"acme-core\"\n",
    )
    .unwrap();
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    assert_eq!(publishers.len(), 2);
    assert_eq!(publishers[0]["index"], "pypi");
    assert_eq!(publishers[1]["index"], "testpypi");
    assert_eq!(publishers[0]["environment"], "release");
    assert_eq!(publishers[0]["project"], "acme-core");
    assert_eq!(publishers[0]["owner"], "myorg");
    // Pasting the TOML makes the repository clean for the publisher rules.
    std::fs::write(
        repo.path().join("tplint.toml"),
        json["toml"].as_str().unwrap(),
    )
    .unwrap();
    let check = common::check_json(
        repo.path(),
        &[
            "--select",
            "TP100,TP101,TP102,TP103,TP104,TP105,TP106,TP107",
        ],
    );
    assert!(
        check["diagnostics"].as_array().unwrap().is_empty(),
        "{check}"
    );
}

#[test]
fn nothing_to_suggest() {
    tplint()
        .arg("suggest")
        .arg(fixture("tp501-unpinned-action"))
        .assert()
        .success()
        .stdout(predicate::str::contains("no publisher to register"));
}

#[test]
fn help_lists_only_the_formats_suggest_prints() {
    let output = tplint().args(["suggest", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("human"), "{help}");
    assert!(help.contains("json"), "{help}");
    assert!(!help.contains("sarif"), "{help}");
    assert!(!help.contains("github"), "{help}");
    // Refused by the parser, as a usage error.
    tplint()
        .args(["suggest", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'sarif'"));
}

#[test]
fn a_release_job_with_opaque_steps_is_a_probable_publisher() {
    // opaque.yml's `release` job can mint OIDC tokens and runs a Python
    // script tplint does not read: suggested, marked unconfirmed.
    let repo = fixture_copy(&fixture("scripts-and-task-runners"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    let probable: Vec<&serde_json::Value> = publishers
        .iter()
        .filter(|p| p["unconfirmed"] == true)
        .collect();
    assert_eq!(probable.len(), 1, "{publishers:#?}");
    assert_eq!(probable[0]["workflow"], "opaque.yml");
    assert_eq!(probable[0]["environment"], "pypi");
    // make.yml's upload is visible through the Makefile: confirmed.
    assert!(
        publishers
            .iter()
            .any(|p| p["workflow"] == "make.yml" && p["unconfirmed"] == false)
    );
    let toml = json["toml"].as_str().unwrap();
    assert!(toml.contains(
        "# unconfirmed: no upload by trusted publishing is visible in this job\n[[publisher]]"
    ));
    // nothing.yml's job cannot mint tokens: not suggested.
    assert!(!publishers.iter().any(|p| p["workflow"] == "nothing.yml"));
}

#[test]
fn gitlab_pipeline_gets_pypi_gitlab_form_and_the_toml_round_trips() {
    let repo = fixture_copy(&fixture("gitlab-tp104-environment-case"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    git(
        repo.path(),
        &[
            "remote",
            "set-url",
            "origin",
            "git@gitlab.com:mygroup/tools/python_pkg.git",
        ],
    );
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "PyPI — add a trusted publisher (GitLab CI/CD) at https://pypi.org/manage/project/",
        "  Namespace:                     mygroup/tools\n",
        "  Project name:                  python_pkg\n",
        "  Top-level pipeline file path:  .gitlab-ci.yml\n",
        "  Environment name:              PyPI\n",
        "[[publisher]]\nplatform = \"gitlab\"\nnamespace = \"mygroup/tools\"\nrepository = \"python_pkg\"\nworkflow = \".gitlab-ci.yml\"\nenvironment = \"PyPI\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    assert_eq!(publishers.len(), 3);
    assert_eq!(publishers[0]["platform"], "gitlab");
    assert_eq!(publishers[0]["index"], "pypi");
    assert_eq!(publishers[0]["owner"], "mygroup/tools");
    assert_eq!(publishers[1]["environment"], "review/$CI_COMMIT_REF_SLUG");
    assert_eq!(publishers[1]["environment_is_expression"], true);
    assert_eq!(publishers[2]["index"], "testpypi");
    assert_eq!(publishers[2]["environment"], "testpypi");
    // Pasting the TOML makes the pipeline clean for the publisher rules.
    std::fs::write(
        repo.path().join("tplint.toml"),
        json["toml"].as_str().unwrap(),
    )
    .unwrap();
    let check = common::check_json(
        repo.path(),
        &[
            "--select",
            "TP100,TP101,TP102,TP103,TP104,TP105,TP106,TP107,TP108",
        ],
    );
    assert!(
        check["diagnostics"].as_array().unwrap().is_empty(),
        "{check}"
    );
}

#[test]
fn gitlab_npm_pipeline_gets_npm_gitlab_form_and_the_toml_round_trips() {
    let repo = fixture_copy(&fixture("gitlab-npm-trusted-publishing"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "npm — add a trusted publisher (GitLab CI/CD) at https://www.npmjs.com/package/web-kit/access\n",
        "  Namespace:               acme/frontend\n",
        "  Project name:            web-kit\n",
        "  Top-level CI file path:  .gitlab-ci.yml\n",
        "  Environment name:        npm\n",
        "[[publisher]]\nplatform = \"gitlab\"\nregistry = \"npm\"\npackage = \"web-kit\"\nnamespace = \"acme/frontend\"\nrepository = \"web-kit\"\nworkflow = \".gitlab-ci.yml\"\nenvironment = \"npm\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    std::fs::write(
        repo.path().join("tplint.toml"),
        json["toml"].as_str().unwrap(),
    )
    .unwrap();
    let check = common::check_json(repo.path(), &[]);
    assert!(
        check["diagnostics"].as_array().unwrap().is_empty(),
        "{check}"
    );
}

#[test]
fn gitlab_crates_io_pipeline_gets_crates_io_gitlab_form_and_the_toml_round_trips() {
    let repo = fixture_copy(&fixture("gitlab-crates-io-exchange"));
    std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "crates.io — add a trusted publisher (GitLab CI/CD) at https://crates.io/crates/demo/settings/new-trusted-publisher\n",
        "  Namespace:                    acme/rust\n",
        "  Project:                      demo\n",
        "  Workflow filepath:            .gitlab-ci.yml\n",
        "  Environment name (optional):  release\n",
        "[[publisher]]\nplatform = \"gitlab\"\nregistry = \"crates.io\"\npackage = \"demo\"\nnamespace = \"acme/rust\"\nrepository = \"demo\"\nworkflow = \".gitlab-ci.yml\"\nenvironment = \"release\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // crates.io compares environments ignoring case: no note saying otherwise.
    assert!(!text.contains("letter case included"), "{text}");
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    std::fs::write(
        repo.path().join("tplint.toml"),
        json["toml"].as_str().unwrap(),
    )
    .unwrap();
    // Only the close call with a settings token remains.
    let check = common::check_json(repo.path(), &[]);
    let codes: Vec<&str> = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["TP303"], "{check}");
}

#[test]
fn github_suggestions_say_their_platform() {
    let repo = fixture_copy(&fixture("seed-example"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["publishers"][0]["platform"], "github");
    assert!(!json["toml"].as_str().unwrap().contains("platform"));
}

/// pub.dev's form takes the repository and a tag pattern, JSR's the
/// repository; the TOML names no workflow for either, and tplint accepts it
/// as the publishers of the same repository without a finding.
#[test]
fn pub_dev_and_jsr_forms_round_trip() {
    for (case, expected) in [
        (
            "pub-dev-clean",
            [
                "Repository:   myorg/my_package",
                "Tag pattern:  v{{version}}",
                "[[publisher]]\nregistry = \"pub.dev\"\npackage = \"my_package\"\nowner = \"myorg\"\nrepository = \"my_package\"\ntag-pattern = \"v{{version}}\"\nenvironment = \"pub.dev\"\n",
            ],
        ),
        (
            "jsr-clean",
            [
                "https://jsr.io/@myorg/greet/settings",
                "GitHub repository:  myorg/greet",
                "[[publisher]]\nregistry = \"jsr\"\npackage = \"@myorg/greet\"\nowner = \"myorg\"\nrepository = \"greet\"\n",
            ],
        ),
    ] {
        let repo = fixture_copy(&fixture(case));
        std::fs::remove_file(repo.path().join("tplint.toml")).unwrap();
        let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
        assert!(output.status.success(), "{case}");
        let text = String::from_utf8(output.stdout).unwrap();
        for expected in expected {
            assert!(
                text.contains(expected),
                "{case}: missing {expected:?} in\n{text}"
            );
        }
        assert!(!text.contains("workflow = "), "{case}:\n{text}");
        let toml = text
            .split_once("[[publisher]]")
            .map(|(_, rest)| format!("[[publisher]]{rest}"))
            .unwrap();
        std::fs::write(repo.path().join("tplint.toml"), toml).unwrap();
        tplint()
            .args(["check", "--fail-on", "info"])
            .arg(repo.path())
            .assert()
            .success();
    }
}

#[test]
fn a_probable_publisher_goes_to_the_registry_its_job_points_to() {
    // Jobs that can mint OIDC tokens and publish out of sight, with what
    // each shows: crates.io's token action (astral-sh/uv's
    // publish-crates.yml), npm's registry given to setup-node
    // (vitejs/vite's publish.yml), an environment named for crates.io
    // (oxc-project/oxc-resolver's release-plz wrapper), and nothing at all
    // in a repository without a Python project: not suggested.
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let job = |steps: &str, environment: &str| {
        format!(
            "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    environment: {environment}\n    permissions:\n      id-token: write\n    steps:\n{steps}      - run: python3 scripts/publish.py\n"
        )
    };
    std::fs::write(
        workflows.join("crates.yml"),
        job(
            "      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n",
            "production",
        ),
    )
    .unwrap();
    std::fs::write(
        workflows.join("node.yml"),
        job(
            "      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://registry.npmjs.org/\n",
            "production",
        ),
    )
    .unwrap();
    std::fs::write(workflows.join("named.yml"), job("", "crates")).unwrap();
    std::fs::write(workflows.join("unknown.yml"), job("", "production")).unwrap();
    // The token action in a local composite action (bytecodealliance/
    // wasm-tools' publish-release action).
    let action = dir.path().join(".github/actions/publish-release");
    std::fs::create_dir_all(&action).unwrap();
    std::fs::write(
        action.join("action.yml"),
        "runs:\n  using: composite\n  steps:\n    - uses: rust-lang/crates-io-auth-action@v1\n      id: auth\n",
    )
    .unwrap();
    std::fs::write(
        workflows.join("composite.yml"),
        job(
            "      - uses: ./.github/actions/publish-release\n",
            "production",
        ),
    )
    .unwrap();
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    let registry_of_as = |workflow: &str, unconfirmed: bool| {
        publishers
            .iter()
            .find(|p| p["workflow"] == workflow && p["unconfirmed"] == unconfirmed)
            .map(|p| p["registry"].as_str().unwrap().to_string())
    };
    let registry_of = |workflow: &str| registry_of_as(workflow, true);
    // crates.io's token action is no guess: crates.io grants the token only
    // to a registered publisher, so the job is one (not unconfirmed).
    assert_eq!(
        registry_of_as("crates.yml", false).as_deref(),
        Some("crates.io"),
        "{publishers:#?}"
    );
    assert_eq!(
        registry_of("node.yml").as_deref(),
        Some("npm"),
        "{publishers:#?}"
    );
    assert_eq!(
        registry_of("named.yml").as_deref(),
        Some("crates.io"),
        "{publishers:#?}"
    );
    assert_eq!(registry_of("unknown.yml"), None, "{publishers:#?}");
    assert_eq!(
        registry_of_as("composite.yml", false).as_deref(),
        Some("crates.io"),
        "{publishers:#?}"
    );
    assert_eq!(registry_of("crates.yml"), None, "{publishers:#?}");
}

#[test]
fn a_job_minting_a_registry_token_is_its_publisher_whatever_its_name() {
    // thomhurst/TUnit's `modularpipeline` job: NuGet/login's key goes to a
    // composite action running `dotnet run`; the job's name and
    // environment say nothing of a release.
    let repo = fixture_copy(&fixture("mint-step-unseen-upload"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    let nuget: Vec<&serde_json::Value> = publishers
        .iter()
        .filter(|p| p["registry"] == "nuget")
        .collect();
    assert_eq!(nuget.len(), 1, "{publishers:#?}");
    assert_eq!(nuget[0]["unconfirmed"], false, "{publishers:#?}");
    assert_eq!(nuget[0]["workflow"], "dotnet.yml", "{publishers:#?}");
    // The job minting from another token service, and the Dart job, are
    // none of NuGet.org's or pub.dev's publishers.
    let jobs = nuget[0]["jobs"].as_array().unwrap();
    assert!(
        jobs.contains(&serde_json::json!(
            ".github/workflows/dotnet.yml: modularpipeline"
        )),
        "{publishers:#?}"
    );
    assert!(
        !jobs.contains(&serde_json::json!(
            ".github/workflows/dotnet.yml: other-service"
        )),
        "{publishers:#?}"
    );
    assert!(
        !publishers.iter().any(|p| p["registry"] == "pub.dev"),
        "{publishers:#?}"
    );
}

#[test]
fn gitlab_matrix_environments_get_one_publisher_each() {
    let repo = fixture_copy(&fixture("gitlab-matrix-environments"));
    git(
        repo.path(),
        &["remote", "add", "origin", "git@gitlab.com:acme/tools.git"],
    );
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    let mut environments: Vec<&str> = publishers
        .iter()
        .map(|p| p["environment"].as_str().unwrap())
        .collect();
    environments.sort_unstable();
    assert_eq!(environments, ["pypi-cli", "pypi-core"]);
    assert!(
        publishers
            .iter()
            .all(|p| p["environment_is_expression"] == false)
    );
    // Pasting the TOML makes the pipeline clean for the publisher rules.
    std::fs::write(
        repo.path().join("tplint.toml"),
        json["toml"].as_str().unwrap(),
    )
    .unwrap();
    let check = common::check_json(
        repo.path(),
        &[
            "--select",
            "TP100,TP101,TP102,TP103,TP104,TP105,TP106,TP107,TP108",
        ],
    );
    assert!(
        check["diagnostics"].as_array().unwrap().is_empty(),
        "{check}"
    );
}

#[test]
fn pub_dev_monorepo_jobs_get_their_folders_package_and_tags() {
    let repo = fixture_copy(&fixture("pub-dev-monorepo"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "package = \"acme_core\"\nowner = \"myorg\"\nrepository = \"acme\"\ntag-pattern = \"acme_core-v{{version}}\"",
        "package = \"acme_cli\"\nowner = \"myorg\"\nrepository = \"acme\"\ntag-pattern = \"acme_cli-v{{version}}\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // The workspace's root (`publish_to: none`) is no package.
    assert!(!text.contains("acme_workspace"), "{text}");
}

#[test]
fn a_publish_names_the_package_of_its_flag_or_its_folder() {
    let repo = fixture_copy(&fixture("packages-named-by-folder-and-flag"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        // `cargo publish -p other-crate`, from the root.
        "registry = \"crates.io\"\npackage = \"other-crate\"\n",
        // `cargo publish` in `crates/third`.
        "registry = \"crates.io\"\npackage = \"third\"\n",
        // `npm publish` in `packages/b`.
        "registry = \"npm\"\npackage = \"@myorg/b\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // The root's crate and package publish nothing here.
    assert!(!text.contains("rootcli"), "{text}");
    assert!(!text.contains("root-app"), "{text}");
}

#[test]
fn a_pypi_upload_names_the_project_of_its_folder_or_none_when_unsure() {
    let repo = fixture_copy(&fixture("pypi-project-of-upload"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        // `packages-dir: introspection/dist`.
        "project = \"widget-introspection\"\n",
        // `uv publish` in `backend`.
        "project = \"widget-backend\"\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // `dist` may hold any of the repository's projects: no name offered.
    assert!(!text.contains("project = \"widget\"\n"), "{text}");
    // A project under `examples/` or `vendors/` is not one the repository
    // releases.
    let repo = fixture_copy(&fixture("pypi-project-examples-ignored"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("project = \"widget\"\n"), "{text}");
}

#[test]
fn a_crates_io_publish_out_of_sight_in_a_reusable_workflow_names_its_caller() {
    let repo = fixture_copy(&fixture("unconfirmed-reusable-crates"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("workflow = \"release.yml\"\n"), "{text}");
    assert!(
        !text.contains("workflow = \"publish-crates.yml\""),
        "{text}"
    );
    // crates-io-auth-action's token is granted to a registered publisher
    // only: the publisher is needed, not a guess.
    assert!(!text.contains("# unconfirmed"), "{text}");
}

#[test]
fn yarn_workspace_names_the_package_it_publishes() {
    let repo = fixture_copy(&fixture("yarn-workspace-publish"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    // `yarn workspace @acme/cli exec npm publish`.
    assert!(
        text.contains("registry = \"npm\"\npackage = \"@acme/cli\"\n"),
        "{text}"
    );
}

#[test]
fn a_gitlab_job_with_a_registry_token_and_unseen_commands_is_an_unconfirmed_publisher() {
    let repo = fixture_copy(&fixture("gitlab-unconfirmed-publish"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("for job .gitlab-ci.yml: release\n"), "{text}");
    assert!(text.contains("# unconfirmed"), "{text}");
    assert!(text.contains("registry = \"npm\""), "{text}");
    // `lint` runs nothing unseen: not a publisher.
    assert!(!text.contains(".gitlab-ci.yml: lint"), "{text}");
}

/// crates.io registers a publisher per crate: a job that publishes two
/// crates gets a form for each, under one header pointing at each crate's
/// own settings page.
#[test]
fn a_form_for_each_crate_a_job_publishes() {
    let repo = fixture_copy(&fixture("crates-io-publisher-per-crate"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "https://crates.io/crates/<package>/settings/new-trusted-publisher, for each package",
        "Crate:                   alpha",
        "Crate:                   beta",
        "package = \"alpha\"",
        "package = \"beta\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn pub_dev_packages_of_one_workflow_each_get_a_publisher() {
    // simolus3/sqlite3.dart: two calls of setup-dart's reusable workflow
    // (`working-directory: sqlite3/`, `sqlite3_web/`) and one job of its
    // own publish three packages with three tag patterns.
    let repo = fixture_copy(&fixture("pub-dev-calls-per-package"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String)> = json["publishers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["project"].as_str().unwrap_or_default().to_string(),
                p["tag_pattern"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("sqlite3", "sqlite3-{{version}}"),
            (
                "sqlite3_connection_pool",
                "sqlite3_connection_pool-{{version}}"
            ),
            ("sqlite3_web", "sqlite3_web-{{version}}"),
        ]
        .map(|(p, t)| (p.to_string(), t.to_string())),
        "{json:#}"
    );
}

#[test]
fn a_job_handing_a_registry_token_to_unseen_code_is_no_probable_publisher() {
    // evilmartians/lefthook writes the RubyGems.org key into
    // ~/.gem/credentials before a Raku script pushes: a token publish,
    // not a trusted publisher to register.
    let repo = fixture_copy(&fixture("registry-token-to-unseen-step"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains("RubyGems.org"), "{text}");
}

#[test]
fn a_call_of_another_repositorys_workflow_given_the_grant_is_an_unconfirmed_publisher() {
    // antfu/eslint-config releases in sxzz/workflows' reusable workflow,
    // given `id-token: write`: an unconfirmed npm publisher whose workflow
    // is the calling file. The call without the grant and the calls of
    // burn's crate workflow (no grant) are not.
    let repo = fixture_copy(&fixture("remote-reusable-call"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String, String, bool)> = json["publishers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["registry"].as_str().unwrap_or_default().to_string(),
                p["workflow"].as_str().unwrap_or_default().to_string(),
                p["jobs"][0].as_str().unwrap_or_default().to_string(),
                p["unconfirmed"] == true,
            )
        })
        .collect();
    found.sort();
    // panva/jose's call switches JSR on with `publish_jsr: true`.
    let expected = [
        ("jsr", "", ".github/workflows/release.yml: release-jsr"),
        (
            "npm",
            "release.yml",
            ".github/workflows/release.yml: release",
        ),
        (
            "npm",
            "release.yml",
            ".github/workflows/release.yml: release-jsr",
        ),
    ]
    .map(|(r, w, j)| (r.to_string(), w.to_string(), j.to_string(), true));
    assert_eq!(found, expected, "{json:#}");
}

#[test]
fn a_tool_publishing_the_workspace_gets_a_form_for_each_crate() {
    let repo = fixture_copy(&fixture("crates-io-workspace-tool-each-crate"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "https://crates.io/crates/<package>/settings/new-trusted-publisher, for each package",
        "package = \"tui\"\nowner = \"acme\"\nrepository = \"tui\"\nworkflow = \"release-plz.yml\"",
        "package = \"tui-core\"\nowner = \"acme\"\nrepository = \"tui\"\nworkflow = \"release-plz.yml\"",
        "package = \"tui-widgets\"\nowner = \"acme\"\nrepository = \"tui\"\nworkflow = \"release-plz.yml\"",
        // `cargo publish -p tui-core`: that crate only.
        "package = \"tui-core\"\nowner = \"acme\"\nrepository = \"tui\"\nworkflow = \"one-crate.yml\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Not published (`publish = false`), or left out by `exclude`.
    assert!(!text.contains("xtask"), "{text}");
    assert!(!text.contains("tui-bench"), "{text}");
    assert!(
        !text.contains(
            "\"tui\"\nowner = \"acme\"\nrepository = \"tui\"\nworkflow = \"one-crate.yml\""
        )
    );
    // TP100's help names the others, at the release-plz step only.
    let check = common::check_json(repo.path(), &["--select", "TP100"]);
    let helps: Vec<&str> = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["help"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(helps.len(), 2);
    let each = "each of the 3 publishable crates of the workspace";
    assert_eq!(
        helps.iter().filter(|h| h.contains(each)).count(),
        1,
        "{helps:?}"
    );
    assert!(
        helps
            .iter()
            .any(|h| h.contains("`tui-core`, `tui-widgets`"))
    );
}

#[test]
fn a_nuget_package_is_a_project_dotnet_pack_packs() {
    let repo = fixture_copy(&fixture("nuget-default-package-id"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // `Acme.Log.Generator` has a literal ID but is not packable; the test
    // project and `Acme.Log.Extras` are not packed either.
    assert!(
        text.contains("Glob Patterns and Packages:  Acme.Log\n"),
        "{text}"
    );
    assert!(!text.contains("Generator"), "{text}");
    // Close call: a second packable project, so the package is not known.
    std::fs::write(
        repo.path().join("src/Acme.Log.Extras/Acme.Log.Extras.csproj"),
        "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><IsPackable>true</IsPackable></PropertyGroup></Project>\n",
    )
    .unwrap();
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Glob Patterns and Packages:  (your package's name)"),
        "{text}"
    );
}

#[test]
fn a_job_named_by_a_matrix_value_is_named_by_each_of_its_values() {
    // GitTools/GitVersion's `publish` job, `name: ${{ matrix.taskName }}`
    // over `[NuGet, Chocolatey]`, runs a .NET application tplint cannot
    // see into with `id-token: write`: an unconfirmed NuGet.org publisher.
    // The `deploy` job's values name no registry.
    let repo = fixture_copy(&fixture("nuget-opaque-dotnet-app"));
    let output = tplint()
        .args(["suggest", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let publishers = json["publishers"].as_array().unwrap();
    assert_eq!(publishers.len(), 1, "{publishers:#?}");
    assert_eq!(publishers[0]["registry"], "nuget", "{publishers:#?}");
    assert_eq!(publishers[0]["unconfirmed"], true, "{publishers:#?}");
    let jobs = publishers[0]["jobs"].to_string();
    assert!(
        jobs.contains("publish") && !jobs.contains("deploy"),
        "{jobs}"
    );
}

#[test]
fn several_gemspecs_name_no_one_gem() {
    // dependabot/dependabot-core: the root gemspec and one per folder; a
    // task of its own pushes the folders' gems, so the root's is not the
    // package.
    let repo = fixture_copy(&fixture("rubygems-several-gemspecs"));
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Gem name:           (your package's name)"),
        "{text}"
    );
    // Close call: the root gemspec alone names the gem.
    std::fs::remove_dir_all(repo.path().join("common")).unwrap();
    let output = tplint().arg("suggest").arg(repo.path()).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Gem name:           dependabot-core\n"),
        "{text}"
    );
}
