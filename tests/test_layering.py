"""The split between rooms is mechanical: import-linter checks the contracts in pyproject.toml (the
house's layers, perform and render independent, farm and training covered, the ui rooms), and the ui
package's objects keep out of each other's private members."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_without_torch_or_qt():
    code = (
        "import sys, talkface_studio.core as c, pkgutil, importlib\n"
        "for m in pkgutil.iter_modules(c.__path__): importlib.import_module('talkface_studio.core.' + m.name)\n"
        "bad = [m for m in ('torch', 'PySide6', 'pyqtgraph') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_ui_objects_do_not_reach_into_each_others_private_members():
    """A widget or controller talks to another through what it declares public: `x._name` is only
    ever `self._name` (or `cls._name`) in the ui package."""
    import ast

    found = []
    for path in sorted((ROOT / "talkface_studio" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "\n".join(found)
