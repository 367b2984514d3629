"""Conformance over the real captures in ../shared/bluesky-samples (read in place; skipped when absent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import libipld
import polars as pl
import pytest

from feedtools.readers import detect_format, read_raw

EXPECTED_SUMMARY = {
    "jetstream_expected_v1.jsonl": "152 records, 17 posts, 15 reposts, 15 placeholders, 0 duplicates, 0 rejected, "
    "120 skipped",
    "jetstream_repo.car": "23 records, 6 posts, 3 reposts, 3 placeholders, 0 duplicates, 0 rejected, 14 skipped",
    "twitwi_bluesky-firehose-posts.json": "9 records, 9 posts, 0 reposts, 0 placeholders, 0 duplicates, 0 rejected, "
    "0 skipped",
    "twitwi_bluesky-hydrated-firehose-posts.json": "9 records, 9 posts, 0 reposts, 0 placeholders, 0 duplicates, "
    "0 rejected, 0 skipped",
}
FORMAT = {
    "jetstream_expected_v1.jsonl": "jetstream",
    "jetstream_repo.car": "car",
    "twitwi_bluesky-firehose-posts.json": "jetstream",
    "twitwi_bluesky-hydrated-firehose-posts.json": "postviews",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SUMMARY))
def test_cli_parse_auto_matches_readme_counts(samples, tmp_path, name):
    assert detect_format(samples / name) == FORMAT[name]
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    out = tmp_path / "posts.parquet"
    r = subprocess.run(
        [exe, "parse", str(samples / name), "--format", "auto", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip().splitlines()[-1] == EXPECTED_SUMMARY[name] + "; no rejects"
    assert pl.read_parquet(out)["source_format"].unique().to_list() == [FORMAT[name]]


def test_jetstream_skips_by_kind(samples):
    s = read_raw(samples / "jetstream_expected_v1.jsonl").stats
    assert (s["skipped_like"], s["skipped_follow"], s["skipped_block"], s["skipped_delete"]) == (105, 6, 1, 4)
    assert (s["skipped_identity"], s["skipped_account"]) == (1, 1)
    assert s["records"] == s["posts"] + s["rejected"] + s["skipped"] == 152


def test_every_jetstream_post_and_repost(samples):
    """Each post create is a row with its record's text, langs and time; each repost points at its subject."""
    path = samples / "jetstream_expected_v1.jsonl"
    posts = read_raw(path).posts
    expected_posts, expected_reposts = [], []
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        ev = json.loads(line)
        c = ev.get("commit") or {}
        if c.get("operation") != "create":
            continue
        uri = f"at://{ev['did']}/{c['collection']}/{c['rkey']}"
        if c["collection"] == "app.bsky.feed.post":
            rec = c["record"]
            expected_posts.append((uri, line_no, rec["text"], rec["createdAt"], rec.get("langs", [])))
        elif c["collection"] == "app.bsky.feed.repost":
            expected_reposts.append((uri, c["record"]["subject"]["uri"], ev["did"]))
    own = posts.filter(~pl.col("is_repost"))
    got = list(
        zip(own["post_id"], own["source_line"], own["text"], own["created_at_raw"], own["langs_declared"].to_list())
    )
    assert got == expected_posts and len(got) == 17
    assert own["created_at"].null_count() == 0
    rep = posts.filter(pl.col("is_repost"))
    assert list(zip(rep["post_id"], rep["post_uri"], rep["reposted_by"])) == expected_reposts
    assert len(expected_reposts) == 15


def test_car_matches_independent_listing(samples):
    listing = [
        line.split("\t")
        for line in (samples / "jetstream_repo_car_expected_records.tsv").read_text().split("\n")
        if line.strip()
    ]
    commit = dict(
        line.split(": ", 1)
        for line in (samples / "jetstream_repo_car_expected_commit.txt").read_text().splitlines()
        if ": " in line
    )
    r = read_raw(samples / "jetstream_repo.car")
    did = commit["DID"]
    assert (r.meta["did"], r.meta["data_cid"], r.meta["rev"]) == (did, commit["Data CID"], commit["Revision"])
    assert str(r.meta["repo_version"]) == commit["ATProto Repo Spec Version"]
    wanted = [
        (f"at://{did}/{key}", f"block {cid}")
        for key, cid in listing
        if key.split("/")[0] in ("app.bsky.feed.post", "app.bsky.feed.repost")
    ]
    assert list(zip(r.posts["post_id"], r.posts["source_location"])) == wanted
    assert r.posts["is_repost"].sum() == 3 and r.posts.height == 9
    counts = {k: v for k, v in r.stats.items() if k.startswith("skipped_")}
    assert counts == {"skipped_like": 10, "skipped_follow": 3, "skipped_profile": 1}
    # the repost rows point at the subjects the records name
    blocks = libipld.decode_car((samples / "jetstream_repo.car").read_bytes())[1]
    subjects = {
        libipld.encode_cid(c): b["subject"]["uri"]
        for c, b in blocks.items()
        if isinstance(b, dict) and b.get("$type") == "app.bsky.feed.repost"
    }
    rep = r.posts.filter(pl.col("is_repost"))
    assert [subjects[loc.removeprefix("block ")] for loc in rep["source_location"]] == rep["post_uri"].to_list()


def test_firehose_and_hydrated_files_agree(samples):
    cols = [
        "post_uri",
        "text",
        "created_at",
        "created_at_raw",
        "langs_declared",
        "hashtags",
        "mentions",
        "urls",
        "reply_to",
        "quote_of",
    ]
    fire = read_raw(samples / "twitwi_bluesky-firehose-posts.json").posts.sort("post_uri")
    hyd = read_raw(samples / "twitwi_bluesky-hydrated-firehose-posts.json").posts.sort("post_uri")
    assert fire.height == hyd.height == 9
    assert fire.select(cols).equals(hyd.select(cols))
    # the German post's tag facets, read as UTF-8 byte offsets (ä and ü come before #Radio and #SRF)
    german = hyd.filter(pl.col("text").str.contains("Regionaljournal"))
    assert german["hashtags"].to_list() == [["Regionaljournal", "Radio", "SRF"]]
    assert german["facets_invalid"].to_list() == [0]
    # the hydrated file adds what the firehose lacks
    assert hyd["author_handle"].null_count() == 0 and hyd["like_count"].null_count() == 0
    assert fire["author_handle"].null_count() == 9 and fire["like_count"].null_count() == 9
