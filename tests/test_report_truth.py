"""Reports tell the truth about the feed they were built on (issue 10).

The full report is built once per feed (module-scoped, slow): a hand-made author feed of another organisation in
two languages (written here), the real captures in ../shared/bluesky-samples (Jetstream of many accounts, a
repository CAR of one account, a hydrated post list of many accounts) and the seed. On every feed but the seed,
no page may name the seed's organisation, events or figures; on every feed, no page shows ``None``/``nan``/``null``
as text; the campaigns and timelines pages state this feed's own figures; the seed's report keeps its findings.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from conftest import SAMPLES, SEED

import feedtools
from feedtools.prose import pct, plural
from feedtools.report import build_reports

pytestmark = pytest.mark.slow

#: Words and figures true only of the bundled seed, spelled as the seed spells them (case-sensitive: the method
#: text may name the generic word "retreat"); none may appear in a report on another feed.
SEED_MARKERS = (
    "UCLG",
    "uclg",
    "United Cities",
    "Montevideo",
    "Seville",
    "Sevilla",
    "Séville",
    "Retreat",
    "CSW69",
    "uclgmeets",
    "bundled seed",
    "on the seed",
    "the seed",
    "World Social Justice",
    "peace forum",
    "Executive Bureau",
    "51 of 80",
    "worldledforum",
)
BAD_VALUES = re.compile(r"\b(None|nan|NaN|null)\b")


def _post(
    rkey: str,
    text: str,
    created: str,
    langs: list[str],
    tags: list[str] = (),
    handle: str = "coastnet.example",
    did: str = "did:plc:coastnetcoastnetcoastnet",
) -> dict:
    facets = []
    raw = text.encode("utf-8")
    for tag in tags:
        start = raw.index(f"#{tag}".encode())
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(f"#{tag}".encode())},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyfake{rkey}",
        "author": {"did": did, "handle": handle, "displayName": "Coastal Towns Network"},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created, "langs": langs, "facets": facets},
        "indexedAt": created,
        "likeCount": 1,
        "repostCount": 0,
        "replyCount": 0,
        "quoteCount": 0,
    }


def author_feed() -> list[dict]:
    """An author feed of a made-up coastal towns network, in English and Spanish, newest first, one repost."""
    items = [
        _post(
            "3k10",
            "Thank you to every town that joined our #CleanBeaches week! Photos and results next month.",
            "2024-10-14T09:00:00Z",
            ["en"],
            ["CleanBeaches"],
        ),
        _post(
            "3k09",
            "¡Gracias a todos los pueblos que se unieron a nuestra semana #PlayasLimpias! Resultados pronto.",
            "2024-10-14T09:05:00Z",
            ["es"],
            ["PlayasLimpias"],
        ),
        {
            "post": _post(
                "3p01",
                "Harbour towns share their tide gauges: open data for everyone #OpenTides",
                "2024-10-10T12:00:00Z",
                ["en"],
                ["OpenTides"],
                handle="harbourlab.example",
                did="did:plc:harbourlabharbourlabharb",
            ),
            "reason": {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": "did:plc:coastnetcoastnetcoastnet", "handle": "coastnet.example"},
                "indexedAt": "2024-10-11T08:00:00Z",
            },
        },
        _post(
            "3k08",
            "Day 2 of #CleanBeaches week: 40 volunteers in the north bay this morning",
            "2024-10-08T10:00:00Z",
            ["en"],
            ["CleanBeaches"],
        ),
        _post(
            "3k07",
            "Día 2 de la semana #PlayasLimpias: 40 voluntarios en la bahía norte esta mañana",
            "2024-10-08T10:10:00Z",
            ["es"],
            ["PlayasLimpias"],
        ),
        _post(
            "3k06",
            "Our #CleanBeaches week starts today in twelve coastal towns",
            "2024-10-07T08:00:00Z",
            ["en"],
            ["CleanBeaches"],
        ),
        _post(
            "3k05",
            "Hoy empieza la semana #PlayasLimpias en doce pueblos costeros",
            "2024-10-07T08:05:00Z",
            ["es"],
            ["PlayasLimpias"],
        ),
        _post(
            "3k04",
            "Fishing quotas and small harbours: read our new brief on coastal livelihoods",
            "2024-09-20T15:00:00Z",
            ["en"],
        ),
        _post(
            "3k03",
            "Nuevo informe sobre cuotas de pesca y pequeños puertos: medios de vida costeros",
            "2024-09-20T15:30:00Z",
            ["es"],
        ),
    ]
    return [{"feed": [it if "post" in it else {"post": it} for it in items]}]


def post_list_partly_undated() -> list[dict]:
    """A post list of three accounts, two of whose posts carry no ``createdAt``."""
    out = []
    for i, (handle, text, created) in enumerate(
        [
            ("ana.example", "Our town joins #RiverDay on 2 June 2024, come along", "2024-06-01T10:00:00Z"),
            ("ben.example", "River clean-up done, thank you all #RiverDay", None),
            ("cat.example", "A quiet afternoon at the harbour", None),
        ]
    ):
        did = f"did:plc:{handle[:3]}{'x' * 21}"
        record = {"$type": "app.bsky.feed.post", "text": text, "langs": ["en"]}
        if created:
            record["createdAt"] = created
        out.append(
            {
                "uri": f"at://{did}/app.bsky.feed.post/3abc{i}",
                "cid": f"bafyfake{i}",
                "author": {"did": did, "handle": handle},
                "record": record,
            }
        )
    return out


#: Feeds written here (name -> (file name, content)) and captures read in place (name -> file in SAMPLES).
WRITTEN = {
    "author-feed-two-languages": ("coastnet_authorfeed.json", author_feed),
    "postlist-partly-undated": ("riverday_posts.json", post_list_partly_undated),
}
FEEDS = {
    **{name: None for name in WRITTEN},
    "jetstream-many-accounts": "jetstream_expected_v1.jsonl",
    "car-one-account": "jetstream_repo.car",
    "postviews-many-accounts": "twitwi_bluesky-hydrated-firehose-posts.json",
}


class _Visible(HTMLParser):
    """The text a reader sees: everything outside <script>, <style> and tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: Path) -> str:
    parser = _Visible()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def _build(feed: Path, out: Path) -> dict[str, str]:
    paths = build_reports(feed, out, progress=None)
    return {p.name: visible_text(p) for p in paths}


_BUILT: dict[str, tuple[Path, dict[str, str]]] = {}


def _feed_pages(name: str, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Build the reports of feed ``name`` once per test session; (feed path, {page name: visible text})."""
    if name not in _BUILT:
        tmp = tmp_path_factory.mktemp(name)
        if name in WRITTEN:
            file_name, content = WRITTEN[name]
            feed = tmp / file_name
            feed.write_text(json.dumps(content(), ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            if not SAMPLES.is_dir():
                pytest.skip(f"real captures not available in {SAMPLES}")
            feed = SAMPLES / FEEDS[name]
        _BUILT[name] = (feed, _build(feed, tmp / "report"))
    return _BUILT[name]


@pytest.fixture(scope="module", params=sorted(FEEDS))
def built(request, tmp_path_factory):
    """(feed path, {page name: visible text}) for one feed other than the seed, built once."""
    return _feed_pages(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def seed_pages(tmp_path_factory):
    return _build(SEED, tmp_path_factory.mktemp("seed") / "report")


def _page(pages: dict[str, str], prefix: str) -> str:
    hits = [text for name, text in pages.items() if name.startswith(prefix)]
    assert len(hits) == 1, list(pages)
    return hits[0]


@pytest.mark.parametrize("prefix", ["01_", "02_", "03_", "index"])
def test_no_page_speaks_of_the_seed_or_prints_none(built, prefix):
    feed, pages = built
    text = _page(pages, prefix)
    for marker in SEED_MARKERS:
        assert marker not in text, (feed.name, prefix, marker)
    found = BAD_VALUES.search(text)
    assert not found, (feed.name, prefix, text[max(0, found.start() - 120) : found.end() + 60])


def test_pages_state_this_feeds_figures(built):
    feed, pages = built
    loaded = feedtools.load(feed)
    posts = loaded.posts
    total = posts.height
    own = posts.filter(~pl.col("is_repost")).height
    kind, accounts = loaded.meta["kind"], loaded.meta["accounts"]
    campaigns_page, timelines_page = _page(pages, "02_"), _page(pages, "03_")
    assert f"{own} of {plural(total, 'row')} ({pct(own, total)})" in campaigns_page
    if kind == "collection":
        assert f"In this collection of {plural(accounts, 'account')}" in campaigns_page
        assert "original posts (not reposts)" in campaigns_page
        assert f"A collection of {plural(accounts, 'account')}" in campaigns_page
    else:
        assert "the account's own posts" in campaigns_page
    dated = posts.filter(pl.col("created_at").is_not_null() | pl.col("reposted_at").is_not_null()).height
    if dated == total:
        assert (
            f"All {plural(total, 'post')} carry a timestamp: their windows come from the timestamps" in timelines_page
        )
    assert f"Of {plural(total, 'post')}, " in timelines_page


def test_author_feed_report_reads_its_own_campaigns(tmp_path_factory):
    _, pages = _feed_pages("author-feed-two-languages", tmp_path_factory)
    campaigns_page, timelines_page = _page(pages, "02_"), _page(pages, "03_")
    assert "#CleanBeaches (3 posts)" in campaigns_page and "#PlayasLimpias (3 posts)" in campaigns_page
    assert "8 of 9 rows (89%) are the account's own posts; 1 (11%) is a repost" in campaigns_page
    assert "Authors reposted most: harbourlab.example (1)" in campaigns_page
    assert "All 9 posts carry a timestamp" in timelines_page


def test_undated_posts_of_a_collection_say_what_cannot_be_inferred(tmp_path_factory):
    _, pages = _feed_pages("postlist-partly-undated", tmp_path_factory)
    campaigns_page, timelines_page = _page(pages, "02_"), _page(pages, "03_")
    assert "1 of 3 posts carry a timestamp" in timelines_page
    assert "The posts come from 3 accounts" in timelines_page
    assert "order-based inference is not possible across accounts" in timelines_page
    assert "#RiverDay (2 accounts: ana.example (1) and ben.example (1))" in campaigns_page


def test_seed_report_keeps_its_computed_findings(seed_pages):
    campaigns_page, timelines_page = _page(seed_pages, "02_"), _page(seed_pages, "03_")
    assert "51 of 80 rows (64%) are the account's own posts" in campaigns_page
    assert "UCLG statutory meetings (#UCLGMeets) (en 13, fr 3 and es 2)" in campaigns_page
    assert "Strongest: positions 59 (en) and 65 (fr)" in campaigns_page
    assert "Reference year for dates written without one: 2025" in timelines_page
    assert "7 events: Retreat · #WorldSocialJusticeDay (17 posts" in timelines_page
    assert "1 clue set aside: position 23" in timelines_page
    for page in (campaigns_page, timelines_page):
        assert not BAD_VALUES.search(page)
