//! Writes a corpus of synthetic repositories for benchmarks: release
//! workflows with build and publish jobs, matrices, reusable calls, CI
//! workflows of 50 to 2,000 lines with comments and anchors. The output is
//! fully determined by the seed.
//!
//! Usage: `cargo run --release --example gen_corpus -- OUT [--repos N] [--files-per-repo N] [--seed S]`

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// SplitMix64: a small, well-known deterministic generator; enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn sha(&mut self) -> String {
        format!(
            "{:016x}{:016x}{:08x}",
            self.next(),
            self.next(),
            self.next() as u32
        )
    }
}

const ACTIONS: &[(&str, &str)] = &[
    ("actions/checkout", "v4.2.2"),
    ("actions/setup-python", "v5.6.0"),
    ("actions/cache", "v4.2.3"),
    ("astral-sh/setup-uv", "v6.4.3"),
    ("actions/upload-artifact", "v4.6.2"),
    ("codecov/codecov-action", "v5.4.3"),
    ("pre-commit/action", "v3.0.1"),
];

fn uses(rng: &mut Rng, action: &str, version: &str) -> String {
    match rng.below(3) {
        0 => format!("{action}@{} # {version}", rng.sha()),
        1 => format!("{action}@{}", version.split('.').next().unwrap_or(version)),
        _ => format!("{action}@{}", rng.sha()),
    }
}

fn release_workflow(rng: &mut Rng, project: &str) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Release {project} to PyPI when a version tag is pushed."
    );
    let _ = writeln!(y, "name: Release\n");
    if rng.chance(50) {
        let _ = writeln!(y, "on:\n  release:\n    types: [published]\n");
    } else {
        let _ = writeln!(
            y,
            "on:\n  push:\n    tags:\n      - \"v*\"\n  workflow_dispatch:\n"
        );
    }
    let _ = writeln!(y, "permissions:\n  contents: read\n");
    let _ = writeln!(
        y,
        "jobs:\n  build:\n    name: Build distributions\n    runs-on: ubuntu-latest\n    steps:"
    );
    let _ = writeln!(
        y,
        "      - uses: {}\n        with:\n          persist-credentials: false",
        uses(rng, "actions/checkout", "v4.2.2")
    );
    let _ = writeln!(
        y,
        "      - uses: {}\n        with:\n          python-version: \"3.12\"",
        uses(rng, "actions/setup-python", "v5.6.0")
    );
    let _ = writeln!(
        y,
        "      - name: Build\n        run: |\n          python -m pip install build\n          python -m build"
    );
    let _ = writeln!(
        y,
        "      - uses: {}\n        with:\n          name: dist\n          path: dist/\n",
        uses(rng, "actions/upload-artifact", "v4.6.2")
    );
    let environment = rng.pick(&["pypi", "release", "publish"]);
    let _ = writeln!(
        y,
        "  publish:\n    name: Publish to PyPI\n    needs: [build]\n    runs-on: ubuntu-latest"
    );
    if rng.chance(80) {
        let _ = writeln!(
            y,
            "    environment:\n      name: {environment}\n      url: https://pypi.org/p/{project}"
        );
    }
    let _ = writeln!(
        y,
        "    permissions:\n      id-token: write  # trusted publishing"
    );
    let _ = writeln!(
        y,
        "    steps:\n      - uses: actions/download-artifact@{} # v4.3.0\n        with:\n          name: dist\n          path: dist/",
        rng.sha()
    );
    match rng.below(4) {
        0 => {
            let _ = writeln!(y, "      - run: uv publish --trusted-publishing always");
        }
        1 => {
            let _ = writeln!(
                y,
                "      - uses: pypa/gh-action-pypi-publish@{}\n        with:\n          password: ${{{{ secrets.PYPI_API_TOKEN }}}}",
                rng.sha()
            );
        }
        _ => {
            let _ = writeln!(
                y,
                "      - uses: pypa/gh-action-pypi-publish@{} # v1.12.4",
                rng.sha()
            );
        }
    }
    if rng.chance(40) {
        let _ = writeln!(
            y,
            "\n  testpypi:\n    needs: [build]\n    runs-on: ubuntu-latest\n    environment: testpypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/download-artifact@{} # v4.3.0\n        with:\n          name: dist\n          path: dist/\n      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          repository-url: https://test.pypi.org/legacy/",
            rng.sha()
        );
    }
    y
}

fn ci_workflow(rng: &mut Rng, index: usize, target_lines: usize) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Continuous integration, part {index}.\nname: CI {index}\n"
    );
    let _ = writeln!(y, "on:\n  push:\n    branches: [main]\n  pull_request:\n");
    let _ = writeln!(y, "permissions:\n  contents: read\n");
    let _ = writeln!(
        y,
        "env:\n  FORCE_COLOR: \"1\"\n  PIP_DISABLE_PIP_VERSION_CHECK: \"1\"\n"
    );
    let _ = writeln!(y, "jobs:");
    let mut job = 0;
    while y.lines().count() < target_lines {
        job += 1;
        let _ = writeln!(
            y,
            "  test-{job}:\n    name: Test {job} on ${{{{ matrix.os }}}} / ${{{{ matrix.python }}}}"
        );
        let _ = writeln!(
            y,
            "    runs-on: ${{{{ matrix.os }}}}\n    timeout-minutes: 30"
        );
        let _ = writeln!(
            y,
            "    strategy:\n      fail-fast: false\n      matrix:\n        os: [ubuntu-latest, macos-latest, windows-latest]"
        );
        let _ = writeln!(
            y,
            "        python: [\n          \"3.9\",\n          \"3.10\",\n          \"3.11\",\n          \"3.12\",\n          \"3.13\",\n        ]"
        );
        if rng.chance(30) {
            let _ = writeln!(
                y,
                "        include:\n          - os: ubuntu-latest\n            python: \"3.14-dev\"\n            experimental: true"
            );
        }
        let _ = writeln!(
            y,
            "    defaults: &defaults-{job}\n      run:\n        shell: bash"
        );
        let _ = writeln!(y, "    steps:");
        let steps = 4 + rng.below(12);
        for s in 0..steps {
            if rng.chance(50) {
                let (action, version) = ACTIONS[rng.below(ACTIONS.len())];
                let _ = writeln!(y, "      # step {s}: {action}");
                let _ = writeln!(
                    y,
                    "      - name: Use {action}\n        uses: {}",
                    uses(rng, action, version)
                );
                if rng.chance(60) {
                    let _ = writeln!(
                        y,
                        "        with:\n          key: ${{{{ runner.os }}}}-{s}-${{{{ hashFiles('**/pyproject.toml') }}}}\n          fetch-depth: 0"
                    );
                }
            } else {
                let _ = writeln!(
                    y,
                    "      - name: Run step {s}\n        if: ${{{{ !cancelled() }}}}\n        env:\n          STEP: \"{s}\"\n        run: |"
                );
                for l in 0..(2 + rng.below(8)) {
                    let cmd = rng.pick(&[
                        "python -m pip install -e '.[test]'",
                        "python -m pytest -q --cov",
                        "echo \"::group::details\"",
                        "ruff check .",
                        "mypy src",
                        "coverage xml",
                    ]);
                    let _ = writeln!(y, "          {cmd}  # line {l}");
                }
            }
        }
        let _ = writeln!(y);
    }
    if rng.chance(30) {
        let _ = writeln!(
            y,
            "  lint:\n    uses: ./.github/workflows/reusable-lint.yml\n    with:\n      python-version: \"3.12\""
        );
    }
    y
}

fn reusable_lint() -> String {
    "on:\n  workflow_call:\n    inputs:\n      python-version:\n        type: string\n        required: true\npermissions:\n  contents: read\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - run: pipx run ruff check .\n".to_string()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create corpus folder");
    }
    std::fs::write(path, text).expect("write corpus file");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let (mut repos, mut per_repo, mut seed) = (300usize, 33usize, 42u64);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number after the flag")
        };
        match arg.as_str() {
            "--repos" => repos = value() as usize,
            "--files-per-repo" => per_repo = value() as usize,
            "--seed" => seed = value(),
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    let out = out.expect("usage: gen_corpus OUT [--repos N] [--files-per-repo N] [--seed S]");
    let mut rng = Rng(seed);
    let mut files = 0;
    let mut bytes = 0;
    for r in 0..repos {
        let root = out.join(format!("repo-{r:05}"));
        let project = format!("project-{r}");
        let workflows = root.join(".github/workflows");
        let mut emit = |name: String, text: String| {
            bytes += text.len();
            files += 1;
            write(&workflows.join(name), &text);
        };
        emit("release.yml".into(), release_workflow(&mut rng, &project));
        emit("reusable-lint.yml".into(), reusable_lint());
        for i in 2..per_repo {
            // Mostly short CI files, a few long ones: 50 to 2,000 lines.
            let lines = if rng.chance(5) {
                500 + rng.below(1500)
            } else {
                50 + rng.below(150)
            };
            emit(format!("ci-{i}.yml"), ci_workflow(&mut rng, i, lines));
        }
        write(
            &root.join("tplint.toml"),
            &format!(
                "[[publisher]]\nowner = \"corpus\"\nrepository = \"{project}\"\nworkflow = \"release.yml\"\nenvironment = \"pypi\"\n"
            ),
        );
    }
    println!(
        "wrote {files} workflow files ({bytes} bytes) in {repos} repositories under {}",
        out.display()
    );
}
