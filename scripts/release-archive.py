#!/usr/bin/env python3
"""Package the tplint binary of a wheel as a stand-alone release archive.

    scripts/release-archive.py WHEEL TARGET OUT_DIR [--docs]

The binary in the archive is the one in the wheel, byte for byte, so the
GitHub release and PyPI ship the same executable. The archive is
`tplint-VERSION-TARGET.tar.gz` (`.zip` for Windows targets) holding a folder
of the same name with the binary, README.md, CHANGELOG.md and the licences.

With `--docs` the binary (which must run here) also writes its manual page
and shell completions into `tplint-VERSION-manpage-completions.tar.gz`.

Standard library only, Python 3.8 or later, on Linux, macOS and Windows.
Prints the paths of the archives it wrote.
"""

import argparse
import io
import re
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Beside the binary in every archive.
DOCUMENTS = ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"]
# `tplint completions SHELL` output and the file name each shell looks for.
COMPLETIONS = {
    "bash": "tplint.bash",
    "zsh": "_tplint",
    "fish": "tplint.fish",
    "powershell": "_tplint.ps1",
    "elvish": "tplint.elv",
}
# The time stamp of every member, as in wheels and zip files: the archive's
# bytes depend only on its contents.
EPOCH_1980 = 315532800
# A wheel file name: name-version(-build)?-python-abi-platform.whl (PEP 427).
WHEEL_NAME = re.compile(r"^tplint-(?P<version>[^-]+)-(?:\d[^-]*-)?[^-]+-[^-]+-[^-]+\.whl$")


def fail(message):
    print(f"release-archive: {message}", file=sys.stderr)
    sys.exit(1)


def binary_from_wheel(wheel, windows):
    """The version and the bytes of the wheel's `tplint` script."""
    match = WHEEL_NAME.match(wheel.name)
    if not match:
        fail(f"{wheel.name} is not a tplint wheel file name")
    version = match.group("version")
    member = f"tplint-{version}.data/scripts/tplint" + (".exe" if windows else "")
    with zipfile.ZipFile(wheel) as archive:
        try:
            return version, archive.read(member)
        except KeyError:
            fail(f"{wheel.name} has no {member}")


def add_file(tar, name, data, mode):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = EPOCH_1980
    tar.addfile(info, io.BytesIO(data))


def write_archive(out_dir, stem, files, windows):
    """`files`: (name in the folder, bytes, executable) triples."""
    if windows:
        path = out_dir / f"{stem}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data, executable in files:
                info = zipfile.ZipInfo(f"{stem}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if executable else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    else:
        path = out_dir / f"{stem}.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for name, data, executable in files:
                add_file(tar, f"{stem}/{name}", data, 0o755 if executable else 0o644)
    return path


def docs_archive(binary, version, out_dir):
    """Man page and completions, written by the binary itself."""

    def run(*args):
        result = subprocess.run([str(binary), *args], stdout=subprocess.PIPE, check=False)
        if result.returncode != 0 or not result.stdout:
            fail(f"`tplint {' '.join(args)}` failed (exit {result.returncode})")
        return result.stdout

    files = [("man/man1/tplint.1", run("manpage"), False)]
    for shell, name in COMPLETIONS.items():
        files.append((f"completions/{name}", run("completions", shell), False))
    return write_archive(out_dir, f"tplint-{version}-manpage-completions", files, windows=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("target", help="Rust target triple, e.g. x86_64-unknown-linux-gnu")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--docs", action="store_true", help="also the man page and completions")
    args = parser.parse_args()

    windows = "windows" in args.target
    version, binary = binary_from_wheel(args.wheel, windows)
    files = [("tplint.exe" if windows else "tplint", binary, True)]
    for name in DOCUMENTS:
        path = ROOT / name
        if not path.is_file():
            fail(f"{name} is missing")
        files.append((name, path.read_bytes(), False))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_archive(args.out_dir, f"tplint-{version}-{args.target}", files, windows)]

    if args.docs:
        with tempfile.TemporaryDirectory() as tmp:
            executable = Path(tmp) / files[0][0]
            executable.write_bytes(binary)
            executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
            written.append(docs_archive(executable, version, args.out_dir))
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
