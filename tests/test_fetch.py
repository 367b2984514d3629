"""feedtools fetch against a local XRPC server (tests/xrpc_server.py) built from the real captures.

No test touches the internet: the server listens on 127.0.0.1 and plays the AppView,
the PLC directory and the PDS. Timeouts and backoffs are tiny so faults cost little time.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import polars as pl
import pytest
from xrpc_server import HANDLE, TAKEDOWN, WEB_HANDLE, XrpcServer

import feedtools
from feedtools.cli import main
from feedtools.collect import FetchError

PAGE = 4  # items per page: the 13 items of the test feed make 4 pages
FAST = {"timeout": 0.5, "max_wait": 10.0, "backoff": 0.01, "page_size": PAGE}
KEY = ["post_id", "post_uri", "is_repost", "text", "created_at", "like_count", "source_format"]


@pytest.fixture
def server(samples):
    with XrpcServer(samples) as s:
        yield s


def _fetch(server, out, **options):
    return feedtools.fetch(HANDLE, out, appview=server.url, plc=server.url, **{**FAST, **options})


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def _table(folder) -> pl.DataFrame:
    return feedtools.read(folder).select(KEY)


def _feed_requests(server):
    return [p for path, p in server.requests if path.endswith("getAuthorFeed")]


def test_full_fetch_despite_429_and_502(server, tmp_path):
    out = tmp_path / "f"
    reset = str(int(time.time()) + 1)
    server.fault(
        "getAuthorFeed",
        server.page_cursor(2, PAGE),
        (
            "status",
            429,
            {"Retry-After": "1", "RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset},
            b'{"error":"RateLimitExceeded","message":"slow down"}',
        ),
    )
    server.fault(
        "getAuthorFeed",
        server.page_cursor(3, PAGE),
        ("status", 502, {}, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    )
    result = _fetch(server, out)
    assert result.stopped == "end" and result.items_added == 13 and len(result.pages_added) == 4
    assert result.retries == 2
    m = _manifest(out)
    run = m["runs"][0]
    assert run["status"] == "complete" and run["feedtools_version"] == feedtools.__version__
    assert [r["reason"] for r in run["retries"]] == ["HTTP 429, asked to wait 1 s", "HTTP 502"]
    assert run["retries"][0]["wait_s"] >= 1.0  # Retry-After honoured
    assert run["started_at"].endswith("Z") and run["finished_at"] >= run["started_at"]
    # every saved file: byte for byte what was served, with its size and hash in the manifest
    for rel, rec in m["files"].items():
        data = (out / rel).read_bytes()
        assert rec["size"] == len(data) and rec["sha256"] == hashlib.sha256(data).hexdigest(), rel
        assert rec["status"] == 200
    pages = [json.loads((out / p).read_bytes()) for p in run["pages_added"]]
    assert [len(p["feed"]) for p in pages] == [4, 4, 4, 1]
    assert m["files"][run["pages_added"][1]]["attempts"] == 2
    assert m["files"][run["pages_added"][0]]["params"] == {"actor": server.did, "limit": PAGE}
    # read back: every item once, with the author feed's handles and counts
    feed = feedtools.load(out)
    assert feed.meta["format"] == "fetchdir" and feed.meta["handle"] == HANDLE
    assert feed.posts.height == 13 and feed.posts["post_id"].n_unique() == 13
    assert feed.stats["records"] == 13 and feed.stats["rejected"] == 0
    assert int(feed.posts["is_repost"].sum()) == 9
    texts = {it["post"]["uri"]: it["post"]["record"]["text"] for it in server.items}
    assert dict(zip(feed.posts["post_uri"], feed.posts["text"], strict=True)) == texts
    assert feed.posts["like_count"].null_count() == 0


def test_dropped_connection_and_timeout_are_retried(server, tmp_path):
    server.fault("getAuthorFeed", None, ("drop",))
    server.fault("getAuthorFeed", server.page_cursor(2, PAGE), ("slow", 2.0))
    result = _fetch(server, tmp_path / "f")
    assert result.stopped == "end" and result.items_added == 13
    reasons = [r["reason"] for r in _manifest(tmp_path / "f")["runs"][0]["retries"]]
    assert reasons[0].startswith("RemoteProtocolError")
    assert reasons[1].startswith("ReadTimeout")
    assert _table(tmp_path / "f").height == 13


def test_a_wait_longer_than_max_wait_is_not_started(server, tmp_path):
    server.fault("getAuthorFeed", None, ("status", 429, {"Retry-After": "3600"}, b'{"error":"RateLimitExceeded"}'))
    start = time.monotonic()
    with pytest.raises(FetchError, match="gave up after 1 attempt in .*HTTP 429, asked to wait 3600 s"):
        _fetch(server, tmp_path / "f")
    assert time.monotonic() - start < 5


def test_retries_are_bounded(server, tmp_path):
    for _ in range(50):
        server.fault("getAuthorFeed", server.page_cursor(2, PAGE), ("status", 503, {}, b"<html>down</html>"))
    with pytest.raises(FetchError, match=r"getAuthorFeed page 2: gave up after \d+ attempts .*HTTP 503"):
        _fetch(server, tmp_path / "f", max_wait=0.5, backoff=0.05)
    m = _manifest(tmp_path / "f")
    assert m["runs"][0]["status"] == "error" and len(m["runs"][0]["pages_added"]) == 1


@pytest.mark.parametrize(
    "fault, message",
    [
        (("truncated",), "truncated or malformed JSON"),
        (("html200",), r"not JSON \(text/html"),
    ],
)
def test_unexpected_body_stops_keeps_what_was_saved_and_resumes(server, tmp_path, fault, message):
    out = tmp_path / "f"
    server.fault("getAuthorFeed", server.page_cursor(3, PAGE), fault)
    with pytest.raises(FetchError, match=message) as err:
        _fetch(server, out)
    assert "\n" not in str(err.value)
    m = _manifest(out)
    assert m["runs"][0]["status"] == "error" and m["runs"][0]["error"] == str(err.value)
    assert sorted(p.name for p in (out / "authorfeed").iterdir()) == ["page-00001.json", "page-00002.json"]
    assert _table(out).height == 8
    # the fault is gone: running again finishes the feed, ending as a clean fetch does
    again = _fetch(server, out)
    assert again.pages_added == ["authorfeed/page-00003.json", "authorfeed/page-00004.json"]
    clean = tmp_path / "clean"
    _fetch(server, clean)
    assert _table(out).equals(_table(clean))


def test_repeated_cursor_stops(server, tmp_path):
    server.fault("getAuthorFeed", server.page_cursor(2, PAGE), ("repeat_cursor",))
    with pytest.raises(FetchError, match="returned cursor .* again"):
        _fetch(server, tmp_path / "f")
    assert _table(tmp_path / "f").height == 8  # pages 1 and 2 kept
    assert len(_feed_requests(server)) == 2


def test_rate_limit_remaining_zero_pauses_until_reset(server, tmp_path):
    reset = time.time() + 1.0
    server.fault(
        "getAuthorFeed",
        None,
        (
            "status",
            200,
            {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(reset) + 1)},
            json.dumps(server.feed_page(None, PAGE)).encode(),
        ),
    )
    _fetch(server, tmp_path / "f")
    pauses = _manifest(tmp_path / "f")["runs"][0]["pauses"]
    assert len(pauses) == 1 and pauses[0]["event"] == "rate-limit pause" and pauses[0]["wait_s"] > 0.5


def test_second_fetch_adds_only_new_items_no_duplicate_rows(server, tmp_path):
    out = tmp_path / "f"
    server.items = server.all_items[3:]  # the 3 newest items are not posted yet
    first = _fetch(server, out)
    assert first.items_added == 10
    server.items = list(server.all_items)
    second = _fetch(server, out)
    assert second.items_added == 3 and second.pages_added == ["authorfeed/page-00004.json"]
    assert len(_feed_requests(server)) == 3 + 1  # stopped at the first page reaching saved items
    third = _fetch(server, out)
    assert third.stopped == "up to date" and third.pages_added == [] and third.items_added == 0
    m = _manifest(out)
    assert [r["pages_added"] for r in m["runs"]] == [
        ["authorfeed/page-00001.json", "authorfeed/page-00002.json", "authorfeed/page-00003.json"],
        ["authorfeed/page-00004.json"],
        [],
    ]
    table = _table(out)
    assert table.height == 13 and table["post_id"].n_unique() == 13
    # the overlap (the page on top repeats a saved item) is counted, not shown twice
    assert feedtools.load(out).stats["skipped_repeated"] == 1
    # newest first, as the feed is
    assert table["post_uri"].to_list() == [it["post"]["uri"] for it in server.all_items]


def test_limit_then_continue(server, tmp_path):
    out = tmp_path / "f"
    first = _fetch(server, out, limit=5)
    assert first.stopped == "limit" and first.items_added == 8  # whole pages are kept
    rest = _fetch(server, out)
    assert rest.stopped == "end" and rest.items_added == 5
    clean = tmp_path / "clean"
    _fetch(server, clean)
    assert _table(out).equals(_table(clean))


def test_since_stops_paging(server, tmp_path):
    since = server.all_items[5]["_t"][:10]
    result = _fetch(server, tmp_path / "f", since=since)
    assert result.stopped == "since" and result.items_added < 13


def test_repo_adds_posts_and_reposts(server, tmp_path):
    out = tmp_path / "f"
    result = _fetch(server, out, repo=True)
    assert result.repo_file == "runs/001/repo.car"
    assert (out / result.repo_file).read_bytes() == server.car
    asked = [path for path, _ in server.requests]
    assert f"/{server.did}" in asked and "/xrpc/com.atproto.sync.getRepo" in asked
    feed = feedtools.load(out)
    posts = feed.posts
    # the author feed's 13 items, then the repository's 2 posts and 1 repost the feed did not reach
    assert posts.height == 16 and posts["post_id"].n_unique() == 16
    from_car = posts.filter(pl.col("source_format") == "car")
    assert from_car.height == 3
    assert sorted(from_car["is_repost"].to_list()) == [False, False, True]
    assert from_car.filter(~pl.col("is_repost"))["author_handle"].to_list() == [HANDLE, HANDLE]
    # where both have a post, the author feed's copy wins (text of the reposted post, counts)
    assert feed.stats["skipped_in_authorfeed"] == 6
    both = posts.filter(pl.col("is_repost") & pl.col("post_id").str.contains("app.bsky.feed.repost"))
    assert both.height == 3 and both.filter(pl.col("source_format") == "authorfeed")["text"].null_count() == 0
    assert feed.stats["records"] == posts.height + feed.stats["rejected"] + feed.stats["skipped"]
    assert _manifest(out)["files"]["runs/001/repo.car"]["posts"] == 6


def test_pds_option_skips_did_resolution_and_did_web(server, tmp_path):
    feedtools.fetch(
        HANDLE, tmp_path / "a", appview=server.url, plc="http://127.0.0.1:9", pds=server.url, repo=True, **FAST
    )
    assert not any(path.startswith("/did:") for path, _ in server.requests)
    with pytest.raises(FetchError, match="the repository is 'did:plc:.*', not did:web:"):
        feedtools.fetch(WEB_HANDLE, tmp_path / "b", appview=server.url, repo=True, **FAST)
    assert ("/.well-known/did.json", {}) in server.requests


def test_tampered_page_is_a_reject_not_a_silent_change(server, tmp_path):
    out = tmp_path / "f"
    _fetch(server, out)
    page = out / "authorfeed" / "page-00002.json"
    page.write_bytes(page.read_bytes().replace(b'"likeCount"', b'"likeCount" '))  # still valid JSON
    feed = feedtools.load(out)
    assert feed.posts.height == 9 and feed.rejects.height == 1
    assert feed.rejects["location"][0] == "authorfeed/page-00002.json"
    assert "SHA-256 differs" in feed.rejects["reason"][0]


def test_other_account_or_non_fetch_folder_refused(server, tmp_path):
    out = tmp_path / "f"
    _fetch(server, out)
    with pytest.raises(FetchError, match="holds the feed of did:plc:"):
        feedtools.fetch(WEB_HANDLE, out, appview=server.url, **FAST)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FetchError, match="not empty and not a fetch folder"):
        _fetch(server, other)


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120, **kw)


@pytest.mark.parametrize(
    "handle, error",
    [
        ("nosuch.test", "InvalidRequest (Unable to resolve handle)"),
        (TAKEDOWN, "AccountTakedown (Account has been suspended)"),
    ],
)
def test_unavailable_account_one_line_exit_1(server, tmp_path, handle, error):
    out = tmp_path / "f"
    r = _cli("fetch", handle, "--out", str(out), "--appview", server.url)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("feedtools: error: ") and error in r.stderr
    assert not out.exists()  # nothing saved, no folder left


def test_cli_fetch_then_parse(server, tmp_path):
    out = tmp_path / "f"
    r = _cli(
        "fetch", HANDLE, "--out", str(out), "--appview", server.url, "--page-size", "4", "--repo", "--plc", server.url
    )
    assert r.returncode == 0, r.stderr
    assert "4 pages and 13 new items added" in r.stderr and "feed complete" in r.stderr
    assert "\r" not in r.stderr  # no progress bar off a terminal
    assert main(["parse", str(out), "-o", str(tmp_path / "posts.parquet")]) == 0
    assert pl.read_parquet(tmp_path / "posts.parquet").height == 16


def test_interrupted_fetch_resumes_to_the_same_table(server, tmp_path):
    out = tmp_path / "f"
    server.fault("getAuthorFeed", server.page_cursor(3, PAGE), ("stall",))
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    proc = subprocess.Popen(
        [exe, "fetch", HANDLE, "--out", str(out), "--appview", server.url, "--page-size", str(PAGE), "--timeout", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert server.stalled.wait(60), "the fetch never reached page 3"
        time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait(10)
    m = _manifest(out)
    assert m["runs"][0]["status"] == "running"  # killed: it never finished
    assert sorted(p.name for p in (out / "authorfeed").iterdir()) == ["page-00001.json", "page-00002.json"]
    assert not list(out.rglob("*.part"))
    resumed = _fetch(server, out)
    assert resumed.pages_added == ["authorfeed/page-00003.json", "authorfeed/page-00004.json"]
    m = _manifest(out)
    assert [r["status"] for r in m["runs"]] == ["interrupted", "complete"]
    clean = tmp_path / "clean"
    _fetch(server, clean)
    assert _table(out).equals(_table(clean))
    full = feedtools.read(out)
    assert full.drop("source").equals(feedtools.read(clean).drop("source"))


TINY_NOTEBOOK = """# %% [markdown]
# # Rows

# %% tags=["parameters"]
feed_path = "feed.txt"
languages = None

# %%
import feedtools

print("rows:", feedtools.load(feed_path).posts.height)
"""


def test_report_handle_fetches_then_reports_with_provenance(server, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "01_rows.py").write_text(TINY_NOTEBOOK)
    into, out = tmp_path / "raw" / HANDLE, tmp_path / "reports"
    r = _cli(
        "report",
        "--handle",
        HANDLE,
        "--repo",
        "--appview",
        server.url,
        "--plc",
        server.url,
        "--into",
        str(into),
        "--out",
        str(out),
        "--notebooks",
        str(notebooks),
        "--page-size",
        str(PAGE),
    )
    assert r.returncode == 0, r.stderr
    assert (into / "manifest.json").is_file() and (into / "runs" / "001" / "repo.car").is_file()
    assert "rows: 16" in (out / "01_rows.html").read_text()
    index = (out / "index.html").read_text()
    assert "<h2>Provenance</h2>" in index
    assert f"@{HANDLE} ({server.did})" in index and f"appview {server.url}" in index
    assert hashlib.sha256((into / "manifest.json").read_bytes()).hexdigest() in index
    car_sha = hashlib.sha256(server.car).hexdigest()
    assert f"SHA-256 {car_sha}" in index
    assert str(tmp_path) not in index  # no machine paths


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3", 3.0),
        ("0", 0.0),
        ("garbage", None),
        (None, None),
        ("Wed, 02 Dec 2026 10:00:05 GMT", 5.0),  # an HTTP date, 5 s after "now"
        ("1796205605", 5.0),  # an epoch time (Bluesky's RateLimit-Reset)
    ],
)
def test_wait_headers_are_read(value, expected):
    import email.utils

    from feedtools.collect.http import _seconds

    now = email.utils.parsedate_to_datetime("Wed, 02 Dec 2026 10:00:00 GMT").timestamp()
    if value == "1796205605":
        value = str(int(now) + 5)
    assert _seconds(value, now) == expected


def test_bad_arguments_exit_2(tmp_path):
    r = _cli("fetch", HANDLE, "--out", str(tmp_path / "f"), "--limit", "0")
    assert r.returncode == 2 and "not a positive whole number" in r.stderr


def test_actor_given_as_did_skips_handle_resolution(server, tmp_path):
    result = feedtools.fetch(server.did, tmp_path / "f", appview=server.url, **FAST)
    assert result.did == server.did and result.handle == HANDLE and result.items_added == 13
    assert not any(path.endswith("resolveHandle") for path, _ in server.requests)
    assert "runs/001/resolveHandle.json" not in _manifest(tmp_path / "f")["files"]


@pytest.mark.parametrize(
    "option, url, error",
    [
        ("--appview", "public.api.bsky.app", "appview 'public.api.bsky.app': not an http:// or https:// address"),
        ("--plc", "ftp://plc.directory", "plc 'ftp://plc.directory': not an http:// or https:// address"),
        ("--pds", "http://[::1", "pds 'http://[::1': not a valid URL (Invalid IPv6 URL)"),
        ("--appview", "http://host:port", "appview 'http://host:port': not a valid URL"),
    ],
)
def test_a_bad_service_address_is_one_line_before_any_request(tmp_path, capsys, option, url, error):
    out = tmp_path / "f"
    started = time.monotonic()
    code = main(["fetch", HANDLE, "--out", str(out), option, url, "--max-wait", "60"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith(f"feedtools: error: {error}")
    assert time.monotonic() - started < 10  # refused at once, not retried until --max-wait
    assert not out.exists()


def test_an_address_httpx_cannot_request_is_not_retried():
    from feedtools.collect.http import Http

    http = Http(max_wait=60, backoff=0.01)
    try:
        for url, error in [("ftp://example.org/x", "unsupported protocol"), ("http://exa\tmple.org/", "Invalid")]:
            with pytest.raises(FetchError, match="^DID document: cannot request this address") as e:
                http.get(url, None, "DID document")
            assert error in str(e.value) and "\t" not in str(e.value)  # one line, the tab shown as an escape
        assert http.log == []  # no retry, no wait
    finally:
        http.close()


@pytest.mark.parametrize(
    "edit, part",
    [
        (lambda m: m["feed"].update(segments=[{"pages": "authorfeed/page-00001.json"}]), "feed.segments"),
        (lambda m: m["feed"]["segments"][0].update(pages=[1, 2]), "feed.segments"),
        (lambda m: m.update(actor=["someone"]), "actor"),
        (lambda m: m.update(runs=["run 1"]), "runs"),
    ],
)
def test_a_manifest_of_another_shape_is_refused_in_one_line(server, tmp_path, capsys, edit, part):
    out = tmp_path / "f"
    _fetch(server, out, limit=1)
    m = _manifest(out)
    edit(m)  # edited by hand
    (out / "manifest.json").write_text(json.dumps(m))
    before = (out / "manifest.json").read_bytes()
    code = main(["fetch", HANDLE, "--out", str(out), "--appview", server.url, "--page-size", "4"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"feedtools: error: f/manifest.json: '{part}' is not as feedtools fetch writes it")
    assert (out / "manifest.json").read_bytes() == before  # left as it was
