"""Every path the package knows about, in one place (the project's source tree layout).

The package is used from its repository (``pip install -e .``): the bundled feed,
the user-editable tables in ``data/`` and the notebooks live beside ``src/``.
Importing this module is cheap (no heavy imports), so the CLI can use it at start-up.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
#: The bundled feed: a scrape of UCLG's Bluesky profile page (read-only raw data).
SEED = RAW / "000_802a2c4cd511184e.txt"
#: The language of each loaded post of the bundled feed, read by hand (what ``feedtools bench`` checks labels against).
SEED_LANGUAGES = DATA / "seed_languages.csv"
#: User-editable campaign alias table (feedtools.campaigns).
CAMPAIGN_ALIASES = DATA / "campaigns.csv"
#: Bundled en/es/fr campaign vocabulary (feedtools.campaigns: which hashtags in two languages say the same).
CAMPAIGN_VOCABULARY = DATA / "campaign_vocabulary.csv"
#: User-editable observance-day calendar (feedtools.dates).
OBSERVANCES = DATA / "observances.csv"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
#: Real third-party Bluesky captures, read in place when present (never copied into the project).
SAMPLES = ROOT.parent / "shared" / "bluesky-samples"
