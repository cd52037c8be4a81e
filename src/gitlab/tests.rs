use super::facts::GitlabJobFacts;
use super::rules::Tri;
use super::*;
use crate::facts::Facts;
use crate::facts::publish::{Auth, Target, Uploader};
use crate::repository::Repository;

fn files(list: &[(&str, &str)]) -> MemoryFiles {
    MemoryFiles(
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
    )
}

fn pipeline(list: &[(&str, &str)]) -> (GitlabPipeline, SourceMap) {
    let mut sources = SourceMap::default();
    let pipeline = load(&files(list), DEFAULT_PIPELINE_PATH, &mut sources);
    (pipeline, sources)
}

fn repo(list: &[(&str, &str)]) -> (Repository, Facts) {
    let repo = Repository::in_memory_gitlab(files(list), DEFAULT_PIPELINE_PATH);
    let facts = Facts::derive(&repo);
    (repo, facts)
}

fn job_facts<'f>(repo: &Repository, facts: &'f Facts, name: &str) -> &'f GitlabJobFacts {
    let pipeline = repo.gitlab.as_ref().unwrap();
    let index = pipeline
        .jobs
        .iter()
        .position(|j| j.name.value == name)
        .unwrap();
    &facts.gitlab.as_ref().unwrap().jobs[index]
}

fn text(sources: &SourceMap, location: Location) -> &str {
    &sources.get(location.file).text[location.span.range()]
}

fn job_names(pipeline: &GitlabPipeline) -> Vec<&str> {
    pipeline
        .jobs
        .iter()
        .map(|j| j.name.value.as_str())
        .collect()
}

/// PyPI's documented GitLab example (warehouse,
/// `docs/user/trusted-publishers/using-a-publisher.md`, GitLab tab).
const PYPI_EXAMPLE: &str = r#"build-job:
  stage: build
  image: python:3-bookworm
  script:
    - python -m pip install -U build
    - cd python_pkg && python -m build
  artifacts:
    paths: ["python_pkg/dist/"]
publish-job:
  stage: deploy
  image: python:3-bookworm
  dependencies: [build-job]
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi          # "testpypi" for TestPyPI
  script:
    - python -m pip install -U twine
    - twine upload python_pkg/dist/*   # add --repository testpypi for TestPyPI
"#;

#[test]
fn pypi_example_is_one_build_job_and_one_publish_job() {
    let (repo, facts) = repo(&[(".gitlab-ci.yml", PYPI_EXAMPLE)]);
    let pipeline = repo.gitlab.as_ref().unwrap();
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(pipeline.complete());
    assert_eq!(job_names(pipeline), ["build-job", "publish-job"]);
    let publish = pipeline.job("publish-job").unwrap();
    assert_eq!(publish.id_tokens.len(), 1);
    let token = &publish.id_tokens[0];
    assert_eq!(token.name.value, "PYPI_ID_TOKEN");
    assert!(!token.aud_is_list);
    assert_eq!(token.aud[0].value, "pypi");
    assert_eq!(text(&repo.sources, token.aud[0].location), "pypi");
    assert_eq!(publish.dependencies[0].value, "build-job");
    assert_eq!(publish.stage.as_ref().unwrap().value, "deploy");
    assert!(publish.environment.is_none());

    let build = job_facts(&repo, &facts, "build-job");
    assert!(build.publish_sites.is_empty());
    assert!(!build.builds.is_empty());
    let publish_facts = job_facts(&repo, &facts, "publish-job");
    assert_eq!(publish_facts.publish_sites.len(), 1);
    let site = &publish_facts.publish_sites[0];
    assert_eq!(site.uploader, Uploader::Twine);
    assert!(site.is_oidc());
    assert!(matches!(site.target, Target::Registry(_)));
    assert_eq!(site.job, 1);
    assert_eq!(text(&repo.sources, site.location()), "twine upload");
    // installing the uploader is tool set-up, not a build
    assert!(
        publish_facts
            .builds
            .iter()
            .all(|b| b.kind == crate::facts::build_steps::BuildKind::ToolSetup)
    );
    // no rules: branch and tag pipelines only
    assert_eq!(publish_facts.merge_request, Tri::False);
}

#[test]
fn tokens_from_ci_variables_are_passwords() {
    let src = "\
variables:
  TWINE_PASSWORD: $PYPI_TOKEN
publish:
  script:
    - twine upload dist/*
uv:
  variables:
    UV_PUBLISH_TOKEN: {value: $TOKEN, description: token}
  script: uv publish
inherit-none:
  inherit:
    variables: false
  script: twine upload dist/*
exported:
  script:
    - export TWINE_PASSWORD=$SECRET
    - twine upload --repository-url $URL dist/*
registry:
  script:
    - TWINE_PASSWORD=${CI_JOB_TOKEN} TWINE_USERNAME=gitlab-ci-token python -m twine upload --repository-url ${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/packages/pypi dist/*
";
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let password_at = |job: &str| match &job_facts(&repo, &facts, job).publish_sites[0].auth {
        Auth::Password { location, .. } => Some(text(&repo.sources, *location).to_string()),
        _ => None,
    };
    assert_eq!(password_at("publish").as_deref(), Some("TWINE_PASSWORD"));
    assert_eq!(password_at("uv").as_deref(), Some("UV_PUBLISH_TOKEN"));
    assert_eq!(password_at("inherit-none"), None);
    assert_eq!(password_at("exported").as_deref(), Some("TWINE_PASSWORD"));
    let exported = &job_facts(&repo, &facts, "exported").publish_sites[0];
    assert!(matches!(exported.target, Target::Expression(_)));
    // GitLab's own package registry is another index, not an unknown one
    let registry = &job_facts(&repo, &facts, "registry").publish_sites[0];
    assert!(
        matches!(registry.target, Target::Custom(_)),
        "{:?}",
        registry.target
    );
    assert_eq!(password_at("registry").as_deref(), Some("TWINE_PASSWORD"));
}

#[test]
fn manual_token_exchange_is_trusted_publishing() {
    let src = r#"publish:
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - resp=$(curl -X POST https://pypi.org/_/oidc/mint-token -d "{\"token\":\"${PYPI_ID_TOKEN}\"}")
    - api_token=$(jq -r '.token' <<< "${resp}")
    - twine upload -u __token__ -p "$api_token" dist/*
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let publish = job_facts(&repo, &facts, "publish");
    assert!(publish.mints_token);
    assert!(publish.publish_sites[0].is_oidc());
    assert_eq!(publish.id_token_uses.len(), 1);
}

#[test]
fn job_id_tokens_replace_the_default_ones() {
    let src = "\
default:
  image: python:3.12
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  before_script: [pip install twine]
inherits:
  script: twine upload dist/*
replaces:
  id_tokens:
    SIGSTORE_ID_TOKEN:
      aud: [sigstore, pypi]
  script: twine upload dist/*
opts-out:
  inherit:
    default: [image]
  script: twine upload dist/*
none:
  inherit:
    default: no
  script: twine upload dist/*
";
    let (pipeline, sources) = pipeline(&[(".gitlab-ci.yml", src)]);
    let inherits = pipeline.job("inherits").unwrap();
    assert!(inherits.id_tokens_from_default);
    assert_eq!(inherits.id_tokens[0].name.value, "PYPI_ID_TOKEN");
    assert_eq!(inherits.script[0].text, "pip install twine");
    assert_eq!(inherits.image.as_ref().unwrap().value, "python:3.12");
    let replaces = pipeline.job("replaces").unwrap();
    assert!(!replaces.id_tokens_from_default);
    assert_eq!(replaces.id_tokens.len(), 1);
    assert!(replaces.id_token("PYPI_ID_TOKEN").is_none());
    let sigstore = &replaces.id_tokens[0];
    assert!(sigstore.aud_is_list);
    assert_eq!(sigstore.aud.len(), 2);
    let replaced_at = replaces.replaces_default_id_tokens.unwrap();
    assert_eq!(text(&sources, replaced_at), "id_tokens");
    let opts_out = pipeline.job("opts-out").unwrap();
    assert!(opts_out.id_tokens.is_empty());
    assert!(opts_out.image.is_some());
    assert!(
        opts_out
            .script
            .iter()
            .all(|l| l.text != "pip install twine")
    );
}

#[test]
fn hidden_jobs_and_reserved_keys_are_not_jobs() {
    let src = "\
stages: [build, deploy]
variables: {A: a}
workflow:
  rules: [{if: $CI_COMMIT_TAG}]
image: python:3
.template: {script: [echo]}
pages:
  script: [echo pages]
job:
  extends: .template
  environment:
    name: PyPI
";
    let (pipeline, sources) = pipeline(&[(".gitlab-ci.yml", src)]);
    assert_eq!(job_names(&pipeline), ["pages", "job"]);
    assert_eq!(pipeline.hidden[0].value, ".template");
    assert_eq!(pipeline.stages.len(), 2);
    assert_eq!(pipeline.variables[0].name.value, "A");
    let job = pipeline.job("job").unwrap();
    let environment = job.environment.as_ref().unwrap();
    assert_eq!(environment.name.value, "PyPI");
    assert_eq!(text(&sources, environment.name.location), "PyPI");
    assert_eq!(job.image.as_ref().unwrap().value, "python:3");
    assert!(job.image_from_default);
    assert_eq!(job.variables[0].name.value, "A");
}

#[test]
fn local_includes_merge_and_point_into_their_files() {
    let main = "\
include:
  - local: /ci/publish.yml
  - 'ci/extra/*.yml'
variables:
  A: main
publish:
  environment: pypi
";
    let publish = "\
variables:
  A: included
  B: included
publish:
  environment: other
  script:
    - twine upload dist/*
";
    let (repo, facts) = repo(&[
        (".gitlab-ci.yml", main),
        ("ci/publish.yml", publish),
        ("ci/extra/a.yml", "a-job: {script: [echo a]}\n"),
        ("ci/extra/b.yml", "b-job: {script: [echo b]}\n"),
        ("ci/extra/deep/c.yml", "c-job: {script: [echo c]}\n"),
    ]);
    let pipeline = repo.gitlab.as_ref().unwrap();
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(pipeline.complete());
    assert_eq!(job_names(pipeline), ["publish", "a-job", "b-job"]);
    let job = pipeline.job("publish").unwrap();
    // the main file wins, keys merge
    assert_eq!(job.environment.as_ref().unwrap().name.value, "pypi");
    let a = job.variables.iter().find(|v| v.name.value == "A").unwrap();
    assert_eq!(a.value.value, "main");
    // the job is defined in the included file first
    let key_file = pipeline.file(job.key().file).unwrap();
    assert_eq!(key_file.path, "ci/publish.yml");
    let chain = pipeline.include_chain(job.key().file);
    assert_eq!(chain.len(), 1);
    assert!(text(&repo.sources, chain[0]).contains("/ci/publish.yml"));
    let site = &job_facts(&repo, &facts, "publish").publish_sites[0];
    assert_eq!(repo.sources.get(site.file).path, "ci/publish.yml");
    assert_eq!(text(&repo.sources, site.location()), "twine upload");
}

#[test]
fn wildcards_follow_gitlab_double_star_rules() {
    let list = [
        ("ci/a.yml", "a: {script: [x]}\n"),
        ("ci/sub/b.yml", "b: {script: [x]}\n"),
        ("ci/sub/c.yaml", "c: {script: [x]}\n"),
    ];
    let with = |include: &str| {
        let main = format!("include: '{include}'\n");
        let mut all: Vec<(&str, &str)> = list.to_vec();
        all.push((".gitlab-ci.yml", &main));
        let (pipeline, _) = pipeline(&all);
        job_names(&pipeline)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(with("ci/*.yml"), ["a"]);
    assert_eq!(with("ci/**.yml"), ["a", "b"]);
    assert_eq!(with("ci/**/*.yml"), ["b"]);
    assert_eq!(with("ci/**"), ["a", "b", "c"]);
}

#[test]
fn include_cycles_and_missing_files_are_located_problems() {
    let (pipeline, sources) = pipeline(&[
        (".gitlab-ci.yml", "include: a.yml\nj: {script: [x]}\n"),
        ("a.yml", "include: [b.yml, missing.yml]\n"),
        ("b.yml", "include: [a.yml]\nb: {script: [x]}\n"),
    ]);
    assert_eq!(job_names(&pipeline), ["b", "j"]);
    assert!(!pipeline.complete());
    let messages: Vec<&str> = pipeline
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert!(messages.iter().any(|m| m.contains("cycle")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("missing.yml")),
        "{messages:?}"
    );
    let cycle = pipeline
        .problems
        .iter()
        .find(|p| p.message.contains("cycle"))
        .unwrap();
    assert_eq!(text(&sources, cycle.location), "a.yml");
}

#[test]
fn remote_includes_are_opaque_and_their_pins_read() {
    let src = "\
include:
  - project: group/ci
    ref: v1.0
    file: [/a.yml, /b.yml]
  - project: group/ci
    ref: 0123456789abcdef0123456789abcdef01234567
    file: /a.yml
  - remote: https://example.com/ci.yml
  - template: Python.gitlab-ci.yml
  - component: $CI_SERVER_FQDN/group/comp/publish@1.2.0
j: {script: [x]}
";
    let (pipeline, sources) = pipeline(&[(".gitlab-ci.yml", src)]);
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(!pipeline.complete());
    let kinds: Vec<IncludeKind> = pipeline.includes.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IncludeKind::Project,
            IncludeKind::Project,
            IncludeKind::Remote,
            IncludeKind::Template,
            IncludeKind::Component
        ]
    );
    let pins: Vec<Option<bool>> = pipeline.includes.iter().map(|i| i.pinned).collect();
    assert_eq!(
        pins,
        [Some(false), Some(true), Some(false), None, Some(false)]
    );
    assert_eq!(pipeline.includes[0].files.len(), 2);
    let reference = pipeline.includes[0].reference.as_ref().unwrap();
    assert_eq!(text(&sources, reference.location), "v1.0");
    let version = pipeline.includes[4].reference.as_ref().unwrap();
    assert_eq!(text(&sources, version.location), "1.2.0");
}

#[test]
fn spec_header_documents_are_skipped() {
    let src = "\
spec:
  inputs:
    stage: {default: deploy}
---
publish:
  stage: $[[ inputs.stage ]]
  script: [uv publish]
";
    let (pipeline, sources) = pipeline(&[(".gitlab-ci.yml", src)]);
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert_eq!(job_names(&pipeline), ["publish"]);
    let spec = pipeline.files[0].spec.unwrap();
    assert_eq!(text(&sources, spec), "spec");
}

#[test]
fn anchors_merge_keys_and_references_resolve_in_jobs() {
    let src = "\
.base: &base
  image: python:3.12
  before_script:
    - pip install twine==6.0.1
.tokens:
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
publish:
  <<: *base
  id_tokens: !reference [.tokens, id_tokens]
  script:
    - !reference [.base, before_script]
    - twine upload dist/*
";
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let pipeline = repo.gitlab.as_ref().unwrap();
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    let job = pipeline.job("publish").unwrap();
    assert_eq!(job.image.as_ref().unwrap().value, "python:3.12");
    assert_eq!(job.id_tokens[0].name.value, "PYPI_ID_TOKEN");
    let lines: Vec<&str> = job.script.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        [
            "pip install twine==6.0.1",
            "pip install twine==6.0.1",
            "twine upload dist/*"
        ]
    );
    let job_facts = job_facts(&repo, &facts, "publish");
    let pin = &job_facts.tool_pins[0];
    assert_eq!((pin.tool, pin.version.as_str()), ("twine", "6.0.1"));
    assert_eq!(text(&repo.sources, pin.location), "twine==6.0.1");
}

#[test]
fn merge_request_reach_reads_rules_only_and_workflow() {
    let src = r#"
mr:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script: [x]
tags:
  rules:
    - if: $CI_COMMIT_TAG
  script: [x]
always:
  rules:
    - when: always
  script: [x]
only-mr:
  only: [merge_requests]
  script: [x]
only-tags:
  only: [tags]
  script: [x]
maybe:
  rules:
    - if: $RELEASE == "1"
  script: [x]
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let reach = |job: &str| job_facts(&repo, &facts, job).merge_request;
    assert_eq!(reach("mr"), Tri::True);
    assert_eq!(reach("tags"), Tri::False);
    assert_eq!(reach("always"), Tri::True);
    assert_eq!(reach("only-mr"), Tri::True);
    assert_eq!(reach("only-tags"), Tri::False);
    assert_eq!(reach("maybe"), Tri::Unknown);

    let with_workflow = format!(
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n      when: never\n    - when: always\n{src}"
    );
    let (repo, facts) = self::repo(&[(".gitlab-ci.yml", &with_workflow)]);
    assert_eq!(job_facts(&repo, &facts, "always").merge_request, Tri::False);
}

#[test]
fn scripts_run_from_lines_are_followed_or_opaque() {
    let src = "\
publish:
  variables:
    TWINE_PASSWORD: $TOKEN
  script:
    - ./scripts/release.sh
    - python scripts/other.py
";
    let mut repo =
        Repository::in_memory_gitlab(files(&[(".gitlab-ci.yml", src)]), DEFAULT_PIPELINE_PATH);
    let facts = Facts::derive(&repo);
    let publish = &facts.gitlab.as_ref().unwrap().jobs[0];
    // in memory nothing can be read: both are opaque
    assert_eq!(publish.opaque.len(), 2);
    assert!(publish.publish_sites.is_empty());
    repo.gitlab = None;
    assert!(Facts::derive(&repo).gitlab.is_none());
}

#[test]
fn bad_input_is_located_never_a_panic() {
    for src in [
        "",
        "- a\n- b\n",
        "just text\n",
        "include: 3\n",
        "include: [{unknown: x}]\n",
        "j: [1, 2]\n",
        "j: {script: !reference 3}\n",
        "j: {extends: [1]}\n",
        "j: {script: [!reference [j, script]]}\n",
        "j:\n  id_tokens: 3\n  environment: [x]\n  variables: [a]\n  rules: x\n",
        "a: [\n",
        "a: 1\n---\nb: 2\n---\nc: 3\n",
        "include: local.txt\n",
        "spec: 3\n---\nj: {script: x}\n",
        "spec: {inputs: [a]}\n---\nj: {script: x}\n",
        "spec: {inputs: {a: 3}}\n---\n$[[ inputs.a ]]: $[[ inputs.a | truncate(9999999999,1) ]]\n",
        "spec: {inputs: {a: {default: x}}}\n---\nj:\n  script: $[[ ]] $[[ inputs. ]] $[[ inputs.a | ]] $[[inputs.a|truncate(1,2)|truncate(0,1)]]\n",
        "spec:\n  inputs:\n    a:\n      type: array\n      default: [{b: c}]\n---\n$[[ inputs.a ]]: {extends: $[[ inputs.a ]]}\n",
    ] {
        let (loaded, _) = pipeline(&[(".gitlab-ci.yml", src)]);
        let _ = loaded.complete();
    }
    let (broken, _) = pipeline(&[(".gitlab-ci.yml", "a: [\n")]);
    assert!(broken.files[0].error.is_some());
    let (not_a_job, _) = pipeline(&[(".gitlab-ci.yml", "j: [1]\n")]);
    assert!(not_a_job.problems[0].message.contains("mapping"));
}

#[test]
fn include_bound_stops_a_fan_out() {
    let mut list: Vec<(String, String)> = Vec::new();
    let mut main = String::from("include:\n");
    for i in 0..200 {
        main.push_str(&format!("  - f{i}.yml\n"));
        list.push((format!("f{i}.yml"), format!("j{i}: {{script: [x]}}\n")));
    }
    list.push((".gitlab-ci.yml".into(), main));
    let borrowed: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (loaded, _) = pipeline(&borrowed);
    assert_eq!(loaded.jobs.len(), MAX_INCLUDES);
    assert!(loaded.problems.iter().any(|p| p.message.contains("150")));
    assert!(!loaded.complete());
}

#[test]
fn paths_outside_the_repository_are_not_read() {
    let (pipeline, _) = pipeline(&[
        (
            ".gitlab-ci.yml",
            "include:\n  - local: ../outside.yml\n  - local: 'a/../../*.yml'\nj: {script: [x]}\n",
        ),
        ("../outside.yml", "evil: {script: [x]}\n"),
    ]);
    assert_eq!(job_names(&pipeline), ["j"]);
    assert!(!pipeline.complete());
}

#[test]
fn repository_scripts_on_disk_are_followed_from_script_lines() {
    let dir = tempfile::TempDir::new().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        ".gitlab-ci.yml",
        "publish:\n  variables:\n    UV_PUBLISH_TOKEN: $TOKEN\n  script:\n    - bash scripts/release.sh\n",
    );
    write(
        "scripts/release.sh",
        "#!/bin/sh\nset -e\nuv publish dist/*\n",
    );
    let options = crate::repository::LoadOptions::default();
    let mut repo = Repository::load(dir.path(), &options).unwrap();
    assert!(repo.gitlab.is_some());
    let facts = Facts::derive_reading(&mut repo);
    let publish = &facts.gitlab.as_ref().unwrap().jobs[0];
    assert!(publish.opaque.is_empty(), "{:?}", publish.opaque);
    let site = &publish.publish_sites[0];
    assert_eq!(repo.sources.get(site.file).path, "scripts/release.sh");
    assert_eq!(text(&repo.sources, site.location()), "uv publish");
    assert_eq!(site.via.len(), 1);
    assert_eq!(text(&repo.sources, site.via[0]), "bash");
    match &site.auth {
        Auth::Password { location, .. } => {
            assert_eq!(text(&repo.sources, *location), "UV_PUBLISH_TOKEN");
        }
        other => panic!("{other:?}"),
    }
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of pipeline text, combined at random.
    const PIECES: &[&str] = &[
        "include: [a.yml, 'b/*.yml', {local: c.yml}, {project: g/p, ref: main, file: x.yml}]\n",
        ".t: &t {image: x, script: [!reference [j, script]]}\n",
        "j:\n  <<: *t\n  extends: [.t, j, .missing]\n",
        "j:\n  script:\n    - !reference [.t, script]\n    - [a, [b, [c]]]\n",
        "default: {id_tokens: {PYPI_ID_TOKEN: {aud: [pypi, x]}}, before_script: [x]}\n",
        "k: {rules: [{if: '$CI_COMMIT_TAG =~ /^v/ && ($A || \"x\" == $B)'}, {when: never}]}\n",
        "spec:\n  inputs: {}\n---\n",
        "---\n",
        "variables: {A: {value: $B}, C: [1]}\n",
        "k: {extends: k}\n",
        "workflow: {rules: [{if: '(((('}]}\n",
        "m: {only: {refs: [merge_requests], variables: [$X]}, script: twine upload}\n",
        "- list\n",
        "n: !reference [n]\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_combination_loads_without_panicking(picks in proptest::collection::vec(0..PIECES.len(), 0..8)) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            let list = [
                (".gitlab-ci.yml", text.as_str()),
                ("a.yml", text.as_str()),
                ("b/x.yml", "include: .gitlab-ci.yml\n"),
                ("c.yml", "c: {script: [uv publish]}\n"),
            ];
            let repo = Repository::in_memory_gitlab(files(&list), DEFAULT_PIPELINE_PATH);
            let facts = Facts::derive(&repo);
            let pipeline = repo.gitlab.as_ref().unwrap();
            prop_assert_eq!(facts.gitlab.as_ref().unwrap().jobs.len(), pipeline.jobs.len());
            for problem in &pipeline.problems {
                let file = repo.sources.get(problem.location.file);
                prop_assert!(problem.location.span.end <= file.text.len());
            }
        }
    }
}

/// A pipeline in the shape of PyPI's older GitLab documentation: global
/// defaults, the token exchanged by hand with `python -m id`, TestPyPI on
/// branches and PyPI on tags.
#[test]
fn hand_exchanged_tokens_on_testpypi_and_pypi() {
    let src = r#"image: python:3
stages: [build, publish]
before_script:
  - python -m pip install --upgrade build twine id
build:
  stage: build
  script: [python -m build]
  artifacts: {paths: [dist/]}
.exchange: &exchange
  - oidc_token=$(python -m id "$AUDIENCE")
  - resp=$(curl -X POST "https://$HOST/_/oidc/mint-token" -d "{\"token\":\"${oidc_token}\"}")
  - api_token=$(jq --raw-output '.token' <<< "${resp}")
publish-test:
  stage: publish
  variables: {AUDIENCE: testpypi, HOST: test.pypi.org}
  id_tokens:
    TESTPYPI_ID_TOKEN: {aud: testpypi}
  script:
    - *exchange
    - twine upload --repository testpypi -u __token__ -p "${api_token}" dist/*
  rules:
    - if: $CI_COMMIT_BRANCH
publish:
  stage: publish
  environment: {name: pypi, url: https://pypi.org/p/example}
  variables: {AUDIENCE: pypi, HOST: pypi.org}
  id_tokens:
    PYPI_ID_TOKEN: {aud: pypi}
  script:
    - *exchange
    - twine upload -u __token__ -p "${api_token}" dist/*
  rules:
    - if: $CI_COMMIT_TAG
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let pipeline = repo.gitlab.as_ref().unwrap();
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert_eq!(job_names(pipeline), ["build", "publish-test", "publish"]);
    let test = job_facts(&repo, &facts, "publish-test");
    assert!(test.mints_token);
    let site = &test.publish_sites[0];
    assert!(site.is_oidc(), "{:?}", site.auth);
    assert!(matches!(site.target, Target::Registry(_)));
    assert_ne!(
        site.index(),
        job_facts(&repo, &facts, "publish").publish_sites[0].index()
    );
    // a branch rule: not in merge request pipelines (no CI_COMMIT_BRANCH there)
    assert_eq!(test.merge_request, Tri::False);
    let publish = pipeline.job("publish").unwrap();
    assert_eq!(publish.environment.as_ref().unwrap().name.value, "pypi");
    assert_eq!(publish.script.len(), 5);
    assert_eq!(
        publish.script[0].text,
        "python -m pip install --upgrade build twine id"
    );
    let publish_facts = job_facts(&repo, &facts, "publish");
    assert_eq!(publish_facts.merge_request, Tri::False);
    // the global before_script runs in the publish job, from its own place
    let install = &publish_facts.builds[0];
    assert_eq!(text(&repo.sources, install.location), "python");
    assert_eq!(install.top, 0);
}

#[test]
fn thousands_of_jobs_resolve_in_linear_time() {
    let mut main = String::from(
        ".t:\n  image: python:3\n  script: [twine upload dist/*]\n  variables: {A: a}\n",
    );
    let mut included = String::new();
    for i in 0..3_000 {
        main.push_str(&format!(
            "j{i}: {{extends: .t, script: [!reference [.t, script]]}}\n"
        ));
        included.push_str(&format!("j{i}: {{stage: deploy}}\n"));
    }
    main.push_str("include: [inc.yml]\n");
    let started = std::time::Instant::now();
    let (repo, facts) = repo(&[(".gitlab-ci.yml", &main), ("inc.yml", &included)]);
    let pipeline = repo.gitlab.as_ref().unwrap();
    assert_eq!(pipeline.jobs.len(), 3_000);
    assert!(
        pipeline.problems.is_empty(),
        "{:?}",
        &pipeline.problems[..1]
    );
    assert_eq!(
        facts.gitlab.as_ref().unwrap().jobs[2_999]
            .publish_sites
            .len(),
        1
    );
    assert_eq!(pipeline.jobs[0].stage.as_ref().unwrap().value, "deploy");
    // A generous bound for a debug build on a shared machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn uploads_in_block_scalars_and_loops_are_located_at_their_line() {
    let source = r#"publish:
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  script:
    - |
      if [ -n "$WHEELS" ]; then
        twine upload dist/*.whl
      else
        twine upload dist/*
      fi
    - for f in dist/*; do uv publish "$f"; done
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", source)]);
    let publish = job_facts(&repo, &facts, "publish");
    let lines: Vec<usize> = publish
        .publish_sites
        .iter()
        .map(|s| {
            let text = &repo.sources.get(s.file).text;
            text[..s.span.start].matches('\n').count() + 1
        })
        .collect();
    assert_eq!(lines, [8, 10, 12]);
    assert_eq!(publish.publish_sites[2].uploader, Uploader::Uv);
}

#[test]
fn a_file_included_twice_with_different_inputs_gives_two_sets_of_jobs() {
    let template = r#"spec:
  inputs:
    job_name:
      default: lint
    python:
      default: "3.12.4"
---
".$[[ inputs.job_name ]]":
  image: python:$[[ inputs.python | truncate(0,4) ]]
"$[[ inputs.job_name ]]":
  extends: ".$[[ inputs.job_name ]]"
  script:
    - echo $[[ inputs.job_name ]]
"#;
    let main = "include:\n  - local: ci/t.yml\n  - local: ci/t.yml\n    inputs:\n      job_name: docs\n      python: '3.11'\n";
    let (pipeline, _) = pipeline(&[(".gitlab-ci.yml", main), ("ci/t.yml", template)]);
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(pipeline.complete());
    assert_eq!(job_names(&pipeline), ["lint", "docs"]);
    let image = |name: &str| pipeline.job(name).unwrap().image.clone().unwrap().value;
    assert_eq!(image("lint"), "python:3.12");
    assert_eq!(image("docs"), "python:3.11");
    assert_eq!(pipeline.job("docs").unwrap().script[0].text, "echo docs");
}

#[test]
fn an_input_tplint_cannot_evaluate_leaves_the_pipeline_incomplete() {
    let template = "spec:\n  inputs:\n    name:\n---\n\".$[[ inputs.name ]]\":\n  image: alpine\n";
    let main = "spec:\n  inputs:\n    name:\n---\ninclude:\n  - local: ci/t.yml\n    inputs:\n      name: $[[ inputs.name ]]\njob:\n  extends: .x\n  script: [make]\n";
    let (pipeline, _) = pipeline(&[(".gitlab-ci.yml", main), ("ci/t.yml", template)]);
    assert!(!pipeline.complete());
    assert!(!pipeline.uninterpolated.is_empty());
    assert_eq!(pipeline.problems.len(), 1, "{:?}", pipeline.problems);
    assert!(pipeline.problems[0].unsure);
}

#[test]
fn names_from_unread_includes_are_notes_and_missing_names_otherwise_errors() {
    let main = "include:\n  - project: group/templates\n    file: /t.yml\njob:\n  extends: .from-elsewhere\n  script: [!reference [.also, script]]\nother:\n  extends: .from-elsewhere\n  script: [make]\n";
    let (pipeline, sources) = pipeline(&[(".gitlab-ci.yml", main)]);
    // One note names both, the same include explaining each.
    assert_eq!(pipeline.problems.len(), 1, "{:?}", pipeline.problems);
    let note = &pipeline.problems[0];
    assert!(note.unsure);
    assert!(note.message.contains("project: group/templates"));
    assert!(note.message.starts_with("2 names"), "{}", note.message);
    assert!(
        note.message
            .contains("`.from-elsewhere` (and 1 other use), `.also`;"),
        "{}",
        note.message
    );
    assert!(
        note.message.ends_with("may define them"),
        "{}",
        note.message
    );
    assert_eq!(text(&sources, note.location), ".from-elsewhere");
    assert_eq!(
        text(&sources, note.related[0].0),
        "project: group/templates\n    file: /t.yml"
    );
    assert_eq!(text(&sources, note.related[1].0), "[.also, script]");
    // A single name keeps the job that uses it in the message.
    let main = "include:\n  - project: group/templates\n    file: /t.yml\njob:\n  extends: .from-elsewhere\n  script: [make]\n";
    let (pipeline, _) = pipeline_of(main);
    assert_eq!(pipeline.problems.len(), 1, "{:?}", pipeline.problems);
    assert!(
        pipeline.problems[0]
            .message
            .starts_with("`job`: `extends` names `.from-elsewhere`"),
        "{}",
        pipeline.problems[0].message
    );
    assert!(pipeline.problems[0].message.ends_with("may define it"));
    let (pipeline, _) = pipeline_of("job:\n  extends: .nowhere\n  script: [make]\n");
    assert_eq!(pipeline.problems.len(), 1);
    assert!(!pipeline.problems[0].unsure);
    assert!(pipeline.problems[0].message.contains("unknown key"));
}

fn pipeline_of(main: &str) -> (GitlabPipeline, SourceMap) {
    pipeline(&[(".gitlab-ci.yml", main)])
}

#[test]
fn parallel_matrix_child_pipelines_and_conditional_includes_are_valid() {
    let main = "include:\n  - local: ci/a.yml\n    rules:\n      - if: $CI_COMMIT_TAG\njob:\n  extends: .a\n  parallel:\n    matrix:\n      - PY: ['3.11', '3.12']\n  script: [make]\nchild:\n  trigger:\n    include:\n      - local: ci/child.yml\n";
    let (pipeline, _) = pipeline(&[
        (".gitlab-ci.yml", main),
        ("ci/a.yml", "include: ci/b.yml\n.a: {image: alpine}\n"),
        ("ci/b.yml", ".b: {image: alpine}\n"),
    ]);
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(pipeline.includes[0].conditional);
    assert_eq!(pipeline.files.len(), 3);
}

#[test]
fn interpolation_of_a_large_list_input_is_bounded() {
    let mut template =
        String::from("spec:\n  inputs:\n    big:\n      type: array\n      default:\n");
    for i in 0..20_000 {
        template.push_str(&format!("        - item{i}\n"));
    }
    template.push_str("---\n");
    for i in 0..2_000 {
        template.push_str(&format!("j{i}:\n  script: $[[ inputs.big ]]\n"));
    }
    let started = std::time::Instant::now();
    let (pipeline, _) = pipeline(&[(".gitlab-ci.yml", &template)]);
    assert!(!pipeline.uninterpolated.is_empty());
    assert!(!pipeline.complete());
    // A generous bound for a debug build on a shared machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn an_uninterpolated_value_defines_no_name() {
    let main = "spec:\n  inputs:\n    v:\n      default: $X\n---\njob:\n  extends: .nowhere\n  script:\n    - echo $[[ inputs.v | expand_vars ]]\n";
    let (pipeline, _) = pipeline_of(main);
    assert!(!pipeline.complete());
    assert_eq!(pipeline.problems.len(), 1, "{:?}", pipeline.problems);
    assert!(!pipeline.problems[0].unsure);
}

#[test]
fn npm_publish_sites_read_the_jobs_id_token_image_and_npmrc() {
    let src = r#"default:
  image: node:22-alpine
trusted:
  id_tokens:
    NPM_ID_TOKEN:
      aud: "npm:registry.npmjs.org"
  script:
    - npm stage publish
token:
  before_script:
    - echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
  script:
    - npm publish
both:
  image: node:24
  id_tokens:
    NPM_ID_TOKEN:
      aud: "npm:registry.npmjs.org"
  before_script:
    - echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
  script:
    - yarn npm publish
    - npm publish
nvm:
  id_tokens:
    NPM_ID_TOKEN:
      aud: "npm:registry.npmjs.org"
  script:
    - nvm install 24
    - npm publish
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let site = |job: &str, i: usize| job_facts(&repo, &facts, job).publish_sites[i].clone();
    let trusted = site("trusted", 0);
    let npm = trusted.npm.as_ref().unwrap();
    assert_eq!(trusted.uploader, Uploader::Npm);
    assert!(trusted.is_oidc() && npm.oidc_granted && npm.token.is_none());
    assert_eq!(npm.node.as_ref().unwrap().version, Some((22, None)));
    // The `.npmrc` line of `before_script` reaches the `script` line.
    let token = site("token", 0);
    assert!(matches!(token.auth, Auth::Password { .. }));
    assert!(!token.npm.as_ref().unwrap().oidc_granted);
    // Yarn does not read `.npmrc`; with the ID token, npm tries it first.
    let yarn = site("both", 0);
    assert_eq!(yarn.uploader, Uploader::Yarn);
    assert!(yarn.npm.as_ref().unwrap().token.is_none());
    let npm = site("both", 1);
    assert!(npm.is_oidc() && npm.npm.as_ref().unwrap().token.is_some());
    assert_eq!(
        npm.npm.as_ref().unwrap().node.as_ref().unwrap().version,
        Some((24, None))
    );
    // Another Node.js installed by the script: the image says nothing.
    assert!(site("nvm", 0).npm.as_ref().unwrap().node.is_none());
}

#[test]
fn child_pipelines_are_read_once_with_their_inputs() {
    let main = "a:\n  trigger:\n    include:\n      - local: ci/c.yml\n        inputs: {n: x}\nb:\n  trigger:\n    include: ci/c.yml\nc:\n  trigger:\n    include: [{local: ci/c.yml}, {local: ci/d.yml}]\nd:\n  trigger:\n    include: .gitlab-ci.yml\ne:\n  trigger:\n    include: ci/missing.yml\n";
    let child = "spec:\n  inputs:\n    n:\n      default: y\n---\n\"$[[ inputs.n ]]-job\":\n  script: [make]\n";
    let (pipeline, _) = pipeline(&[
        (".gitlab-ci.yml", main),
        ("ci/c.yml", child),
        ("ci/d.yml", ""),
    ]);
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert_eq!(pipeline.children.len(), 1);
    assert_eq!(job_names(&pipeline.children[0].1), ["x-job"]);
    assert_eq!(pipeline.child_pipelines()[0].2.len(), 1);
}

#[test]
fn a_name_left_uninterpolated_is_unknown_not_missing() {
    let (pipeline, _) = pipeline_of(
        "job:\n  extends: \".$[[ inputs.x ]]\"\n  script:\n    - !reference [\".$[[ inputs.x ]]\", script]\n",
    );
    assert!(pipeline.problems.is_empty(), "{:?}", pipeline.problems);
    assert!(!pipeline.complete());
}

/// crates.io's documented GitLab example (rust-lang/crates.io
/// `svelte/src/routes/docs/trusted-publishing/+page.svelte`, GitLab CI/CD
/// Setup): the job's ID token exchanged by a repository script.
const CRATES_IO_EXAMPLE: &str = r#"publish:
  image: rust:latest
  environment: release
  only:
    - tags
  id_tokens:
    CRATES_IO_ID_TOKEN:
      aud: crates.io
  before_script:
    - apk add --no-cache bash curl jq
  script:
    - CARGO_REGISTRY_TOKEN=$(bash exchange-token.sh)
    - CARGO_REGISTRY_TOKEN="$CARGO_REGISTRY_TOKEN" cargo publish
"#;

#[test]
fn crates_io_unread_exchange_script_is_unknown() {
    // In memory, the script is never read: the token's origin is unknown.
    let (repo, facts) = repo(&[(".gitlab-ci.yml", CRATES_IO_EXAMPLE)]);
    let site = &job_facts(&repo, &facts, "publish").publish_sites[0];
    assert_eq!(site.uploader, Uploader::Cargo);
    assert_eq!(site.auth, Auth::Unknown, "{:?}", site.secret);
}

#[test]
fn crates_io_inline_exchange_is_trusted_publishing() {
    let src = r#"publish:
  id_tokens:
    CRATES_IO_ID_TOKEN: {aud: crates.io}
  script:
    - 'resp=$(curl -s -X POST https://crates.io/api/v1/trusted_publishing/tokens -d "{\"jwt\": \"$CRATES_IO_ID_TOKEN\"}")'
    - token=$(echo "$resp" | jq -r .token)
    - cargo publish --token "$token"
settings-token:
  id_tokens:
    CRATES_IO_ID_TOKEN: {aud: crates.io}
  script:
    - cargo publish --token "$CARGO_TOKEN"
unknown:
  id_tokens:
    CRATES_IO_ID_TOKEN: {aud: crates.io}
  script:
    - 'resp=$(curl -s -X POST https://crates.io/api/v1/trusted_publishing/tokens -d "{\"jwt\": \"$CRATES_IO_ID_TOKEN\"}")'
    - cargo publish --token "$CARGO_TOKEN"
"#;
    let (repo, facts) = repo(&[(".gitlab-ci.yml", src)]);
    let site = |job: &str| job_facts(&repo, &facts, job).publish_sites[0].auth.clone();
    assert_eq!(site("publish"), Auth::Oidc);
    assert!(matches!(site("settings-token"), Auth::Password { .. }));
    assert_eq!(site("unknown"), Auth::Unknown);
}

#[test]
fn include_rules_keep_their_jobs_out_of_merge_request_pipelines() {
    let main = "include:\n  - local: ci/tag.yml\n    rules:\n      - if: $CI_COMMIT_TAG\n  - local: ci/both.yml\n    rules:\n      - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n  - local: ci/plain.yml\nmain-too:\n  rules: [{if: $CI_PIPELINE_SOURCE == \"merge_request_event\"}]\n  script: [make]\n";
    let job = "  rules: [{if: $CI_PIPELINE_SOURCE == \"merge_request_event\"}]\n  script: [make]\n";
    let (pipeline, _) = pipeline(&[
        (".gitlab-ci.yml", main),
        (
            "ci/tag.yml",
            &format!("include: ci/nested.yml\ntag-job:\n{job}main-too:\n{job}"),
        ),
        ("ci/nested.yml", &format!("nested-job:\n{job}")),
        ("ci/both.yml", &format!("both-job:\n{job}")),
        ("ci/plain.yml", &format!("plain-job:\n{job}")),
    ]);
    let reach = |name: &str| {
        let job = pipeline.jobs.iter().find(|j| j.name.value == name).unwrap();
        rules::runs_in_merge_request(&pipeline, job)
    };
    assert_eq!(reach("tag-job"), Tri::False);
    // An include inside a conditional include is as conditional.
    assert_eq!(reach("nested-job"), Tri::False);
    assert_eq!(reach("both-job"), Tri::True);
    assert_eq!(reach("plain-job"), Tri::True);
    // Defined in the top-level file too: there whatever the include does.
    assert_eq!(reach("main-too"), Tri::True);
}

#[test]
fn parallel_matrix_gives_each_set_of_variables() {
    let main = "job:\n  parallel:\n    matrix:\n      - PACKAGE: [core, cli]\n        REGISTRY: pypi\n      - PACKAGE: docs\n  variables:\n    PACKAGE: all\n  script: [make]\nplain:\n  script: [make]\n";
    let (pipeline, _) = pipeline(&[(".gitlab-ci.yml", main)]);
    let job = pipeline.job("job").unwrap();
    let sets: Vec<Vec<(String, String)>> = job
        .matrix
        .iter()
        .map(|set| {
            set.iter()
                .map(|v| (v.name.value.clone(), v.value.value.clone()))
                .collect()
        })
        .collect();
    let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        sets,
        vec![
            vec![pair("PACKAGE", "core"), pair("REGISTRY", "pypi")],
            vec![pair("PACKAGE", "cli"), pair("REGISTRY", "pypi")],
            vec![pair("PACKAGE", "docs")],
        ]
    );
    assert!(pipeline.job("plain").unwrap().matrix.is_empty());
}
