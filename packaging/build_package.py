"""Build the desktop package: `make package` -> dist/talkface-studio/ (PyInstaller one-folder).

Renders the icon PNGs from the SVG first (they are also committed), runs PyInstaller on
packaging/talkface-studio.spec, smoke-tests the built executable with `--version`, and prints the
build time and size so regressions in either are visible.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "talkface-studio.spec"


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def build(dist: Path, work: Path, clean: bool = False) -> Path:
    """Run PyInstaller; returns the built executable."""
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    subprocess.run(cmd, check=True, cwd=ROOT)
    exe = dist / "talkface-studio" / "talkface-studio"
    if not exe.is_file():
        raise SystemExit(f"build_package: PyInstaller finished but {exe} is missing")
    return exe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller work folder (default build/pyinstaller)")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's analysis cache first")
    args = parser.parse_args(argv)
    started = time.monotonic()
    exe = build(args.dist.resolve(), args.work.resolve(), args.clean)
    minutes = (time.monotonic() - started) / 60
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, timeout=120)
    if version.returncode != 0:
        print(version.stdout + version.stderr, file=sys.stderr)
        raise SystemExit("build_package: the built executable failed `--version`")
    print(version.stdout.strip())
    print(f"built {exe.parent} in {minutes:.1f} min, {folder_size_mb(exe.parent):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
