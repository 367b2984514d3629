"""Project hygiene: environment.yml installs exactly what pyproject.toml declares; raw data untouched."""

from __future__ import annotations

import hashlib
import re
import tomllib

from conftest import ROOT, SEED, SEED_SHA256


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_norm(r) for r in project["dependencies"]}
    for requirements in project["optional-dependencies"].values():  # every extra
        declared |= {_norm(r) for r in requirements}
    env = (ROOT / "environment.yml").read_text()
    pip_lines = [m.group(1) for m in re.finditer(r"^\s{6}- (.+)$", env, flags=re.MULTILINE)]
    listed = {_norm(r) for r in pip_lines if not r.startswith("-e")}
    assert listed == declared, f"only in pyproject: {declared - listed}; only in environment.yml: {listed - declared}"
    assert "-e ." in pip_lines
    python = re.search(r"- python(\S+)", env).group(1)
    assert python == project["requires-python"]


def test_every_dependency_has_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for v in project["optional-dependencies"].values() for r in v]
    for r in reqs:
        assert ">=" in r and "<" in r, f"unbounded dependency: {r}"


def test_seed_is_byte_identical():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
