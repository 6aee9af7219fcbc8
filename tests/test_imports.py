"""scripts/check_imports.py: the package's import graph has no cycles and respects the layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check_imports.py"


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, timeout=120)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for pkg in ("samaudio_core", "tools", "agent", "prompts"):
        (tmp_path / pkg).mkdir(exist_ok=True)
        (tmp_path / pkg / "__init__.py").touch()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_package_passes():
    res = _check(ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 cycle(s)" in res.stdout


def test_a_cycle_through_a_function_level_import_fails(tmp_path):
    root = _tree(
        tmp_path,
        {
            "samaudio_core/a.py": "from .b import f\n",
            "samaudio_core/b.py": "def f():\n    from . import a\n    return a\n",
        },
    )
    res = _check(root)
    assert res.returncode == 1
    assert "import cycle: samaudio_core.a -> samaudio_core.b -> samaudio_core.a" in res.stdout


def test_type_checking_imports_make_no_cycle(tmp_path):
    root = _tree(
        tmp_path,
        {
            "samaudio_core/a.py": "from .b import f\n",
            "samaudio_core/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import g\n",
        },
    )
    assert _check(root).returncode == 0


def test_guarded_first_party_imports_fail_third_party_ones_pass(tmp_path):
    guarded = "def f():\n    try:\n        from samaudio_core import b\n    except ImportError:\n        return None\n"
    optional = "try:\n    import llama_cpp\nexcept ImportError:\n    llama_cpp = None\n"
    root = _tree(tmp_path, {"samaudio_core/a.py": guarded, "samaudio_core/b.py": optional})
    res = _check(root)
    assert res.returncode == 1
    assert "samaudio_core/a.py:3: first-party import of samaudio_core.b guarded" in res.stdout
    assert "b.py" not in res.stdout.split("check_imports:")[0]


def test_layer_violations_fail(tmp_path):
    root = _tree(tmp_path, {"samaudio_core/a.py": "import tools\n", "tools/t.py": "from agent import x\n"})
    res = _check(root)
    assert res.returncode == 1
    assert "samaudio_core.a imports tools" in res.stdout
    assert "tools.t imports agent" in res.stdout
