"""Shared test helpers: paths to the bundled seed and to the third-party captures (read in place, never copied)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "000_802a2c4cd511184e.txt"
SEED_SHA256 = "e1a057f25171aa1db1c3fd6481239c84953424a9b0b1a9887bc2607820dfd300"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT.parent / "shared" / "bluesky-samples"
#: Debian's headless Chromium and its WebDriver, for the browser tests (installed by `make chromium`).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium_skip_reason() -> str | None:
    """Why the browser tests cannot run here (Chromium or its driver missing), or None."""
    if not Path(CHROMIUM).exists():
        return "headless Chromium not installed (/usr/bin/chromium; run `make chromium`)"
    if not Path(CHROMEDRIVER).exists():
        return "chromedriver not installed (Debian package chromium-driver; run `make chromium`)"
    return None


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_feed():
    import feedtools

    return feedtools.load(SEED)


@pytest.fixture
def samples() -> Path:
    """The real Bluesky captures in ../shared/bluesky-samples (test skipped when the folder is absent)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"third-party captures not present at {SAMPLES}")
    return SAMPLES


def write_feed(tmp_path: Path, text: str | bytes, name: str = "feed.txt") -> Path:
    """Write a small feed file for a test and return its path."""
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path
