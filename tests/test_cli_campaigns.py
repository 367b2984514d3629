"""`feedtools campaigns`: outputs, alias table from a file a researcher edits, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import networkx as nx
import polars as pl
import pytest
from conftest import ROOT, SEED, write_feed

from feedtools.cli import main

SHIPPED = ROOT / "data" / "campaigns.csv"


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would (separate process, real exit code)."""
    exe = os.path.join(os.path.dirname(sys.executable), "feedtools")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def test_campaigns_on_seed_all_outputs(tmp_path):
    out, posts, sugg, pairs, net = (tmp_path / n for n in ("c.csv", "p.csv", "s.csv", "x.parquet", "g.gexf"))
    r = run(
        "campaigns",
        str(SEED),
        "-o",
        str(out),
        "--posts",
        str(posts),
        "--suggestions",
        str(sugg),
        "--pairs",
        str(pairs),
        "--network",
        str(net),
    )
    assert r.returncode == 0, r.stderr
    assert (
        r.stderr.strip() == "53 campaigns (4 from the alias table campaigns.csv) in 59 of 66 loaded posts; "
        "11 alias suggestions"
    )
    c = pl.read_csv(out)
    lrgs = c.filter(pl.col("campaign_id") == "lrgs").row(0, named=True)
    assert lrgs["hashtags"] == "LRGs:6|GLRs:3" and lrgs["lang_shares"] == "en:0.667|fr:0.222|es:0.111"
    assert c["posts"].to_list() == sorted(c["posts"].to_list(), reverse=True)
    p = pl.read_csv(posts)
    assert p.height == 80  # every input row, placeholders included
    assert p.filter(pl.col("position") == 42)["campaigns"][0] == "uclgmeets|lrgs"
    s = pl.read_csv(sugg)
    assert ("LocalGov", "LocalGovs") in set(zip(s["tag_a"], s["tag_b"], strict=True))
    top = pl.read_parquet(pairs).head(3)
    assert (40, 42) in set(zip(top["position_a"], top["position_b"], strict=True))  # Executive Bureau, en / es
    g = nx.read_gexf(net)
    assert g.nodes["campaign:lrgs"]["kind"] == "campaign"


def test_output_is_deterministic(tmp_path):
    for i in (1, 2):
        assert (
            main(
                [
                    "campaigns",
                    str(SEED),
                    "-o",
                    str(tmp_path / f"c{i}.csv"),
                    "--network",
                    str(tmp_path / f"g{i}.graphml"),
                    "--pairs",
                    str(tmp_path / f"x{i}.csv"),
                ]
            )
            == 0
        )
    for name in ("c{}.csv", "g{}.graphml", "x{}.csv"):
        assert (tmp_path / name.format(1)).read_bytes() == (tmp_path / name.format(2)).read_bytes()


def test_researcher_adds_an_alias_row_without_code_change(tmp_path):
    """Copy the shipped table, add #LocalGov to a new campaign with #LocalGovs: the CLI merges them."""
    before = tmp_path / "before.csv"
    assert main(["campaigns", str(SEED), "-o", str(before), "--aliases", str(SHIPPED)]) == 0
    ids = pl.read_csv(before)["campaign_id"].to_list()
    assert "localgov" in ids and "localgovs" in ids
    edited = tmp_path / "my_aliases.csv"
    edited.write_text(
        SHIPPED.read_text(encoding="utf-8")
        + "local-govs,Local governments,en,LocalGovs,\nlocal-govs,,en,LocalGov,singular\n",
        encoding="utf-8",
    )
    after, sugg = tmp_path / "after.csv", tmp_path / "s.csv"
    r = run("campaigns", str(SEED), "-o", str(after), "--aliases", str(edited), "--suggestions", str(sugg))
    assert r.returncode == 0, r.stderr
    assert "5 from the alias table my_aliases.csv" in r.stderr
    c = pl.read_csv(after)
    row = c.filter(pl.col("campaign_id") == "local-govs").row(0, named=True)
    assert row["posts"] == 5 and row["hashtags"] == "LocalGovs:4|LocalGov:1" and row["label"] == "Local governments"
    assert "localgov" not in c["campaign_id"].to_list()
    s = pl.read_csv(sugg)
    assert ("LocalGov", "LocalGovs") not in set(zip(s["tag_a"], s["tag_b"], strict=True))


def test_no_aliases_keeps_languages_apart(tmp_path):
    out = tmp_path / "c.csv"
    assert main(["campaigns", str(SEED), "-o", str(out), "--no-aliases"]) == 0
    c = pl.read_csv(out)
    assert {"lrgs", "glrs", "sdgs", "ods", "uclgmeets"} <= set(c["campaign_id"])
    assert c.filter(pl.col("campaign_id") == "uclgmeets")["posts"][0] == 18  # case folding still joins


def test_malformed_alias_table_one_line_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "# my table\ncampaign_id,label,lang,hashtag\nsdg,SDG,en,SDGs\npeace,Peace,en,sdgs\n", encoding="utf-8"
    )
    r = run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), "--aliases", str(bad))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert (
        r.stderr.startswith("feedtools: error: ")
        and "bad.csv, line 4: hashtag 'sdgs' is already listed in campaign 'sdg' (line 3)" in r.stderr
    )
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.parametrize(
    "args, words, code",
    [
        (["-o", "{tmp}/c.xlsx"], "unknown output type '.xlsx'", 2),
        (["-o", "{tmp}/c.csv", "--network", "{tmp}/g.json"], "unknown output type '.json'", 2),
        (["-o", "{tmp}/c.csv", "--aliases", "{tmp}/missing.csv"], "No such file or directory", 1),
    ],
)
def test_bad_arguments_one_line(tmp_path, args, words, code):
    r = run("campaigns", str(SEED), *[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == code and r.stderr.count("\n") == 1 and words in r.stderr


def test_unreadable_input_and_usage_errors(tmp_path):
    r = run("campaigns", str(write_feed(tmp_path, b"")), "-o", str(tmp_path / "c.csv"))
    assert r.returncode == 1 and "the file is empty" in r.stderr and r.stderr.count("\n") == 1
    r = run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), "--aliases", str(SHIPPED), "--no-aliases")
    assert r.returncode == 2


def test_csv_output_is_neutralised(tmp_path):
    table = tmp_path / "a.csv"
    table.write_text('campaign_id,label,lang,hashtag\nx,=HYPERLINK("http://evil"),en,UCLGMeets\n', encoding="utf-8")
    out = tmp_path / "c.csv"
    assert main(["campaigns", str(SEED), "-o", str(out), "--aliases", str(table)]) == 0
    labels = pl.read_csv(out).filter(pl.col("campaign_id") == "x")["label"].to_list()
    assert labels == ['\'=HYPERLINK("http://evil")']


def test_other_input_format(tmp_path):
    """An author feed (JSON pages) gives the same campaigns as a scrape would: any input format works."""
    from feedtools.readers import FORMATS

    if "authorfeed" not in FORMATS:
        pytest.skip("author-feed reader not available")

    def item(rkey, text, langs, repost=False):
        post = {
            "uri": f"at://did:plc:abc/app.bsky.feed.post/{rkey}",
            "cid": f"bafy{rkey}",
            "author": {"did": "did:plc:abc", "handle": "org.example.com", "displayName": "Org"},
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": "2025-02-20T10:00:00Z",
                "langs": langs,
            },
            "indexedAt": "2025-02-20T10:00:01Z",
        }
        out = {"post": post}
        if repost:
            out["reason"] = {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": "did:plc:me", "handle": "me.example.com"},
                "indexedAt": "2025-02-21T10:00:00Z",
            }
        return out

    feed = {
        "feed": [
            item("a1", "The #LRGs are meeting in Seville today to discuss local finance and housing", ["en"]),
            item(
                "a2",
                "Les #GLRs se réunissent aujourd'hui à Séville pour parler de finances locales",
                ["fr"],
                repost=True,
            ),
        ]
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    out = tmp_path / "c.jsonl"
    assert main(["campaigns", str(path), "-o", str(out)]) == 0
    rows = pl.read_ndjson(out)
    row = rows.filter(pl.col("campaign_id") == "lrgs").row(0, named=True)
    assert (row["posts"], row["own_posts"], row["reposts"]) == (2, 1, 1)
    assert row["langs"] == ["en", "fr"] and row["first_date"] is not None


def test_pair_window_options(tmp_path):
    """--pair-window bounds how far apart (in positions) the compared posts of an undated feed are; the help
    states PairParams' defaults; bad values are one-line usage errors."""
    from feedtools.campaigns import DEFAULT_PAIR_PARAMS

    wide, near = tmp_path / "wide.parquet", tmp_path / "near.parquet"
    assert run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), "--pairs", str(wide)).returncode == 0
    r = run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), "--pairs", str(near), "--pair-window", "1")
    assert r.returncode == 0, r.stderr
    gaps = {
        w: (pl.read_parquet(p)["position_b"] - pl.read_parquet(p)["position_a"]) for w, p in ((12, wide), (1, near))
    }
    assert gaps[1].len() > 0 and gaps[1].max() == 1  # only neighbours
    assert gaps[12].max() > 1 and gaps[12].max() <= DEFAULT_PAIR_PARAMS.window and gaps[1].len() < gaps[12].len()
    flat = " ".join(run("campaigns", "--help").stdout.split())
    hours = DEFAULT_PAIR_PARAMS.time_window.total_seconds() / 3600
    assert f"(default {hours:g}); 0 compares by position" in flat
    assert f"(default {DEFAULT_PAIR_PARAMS.window})" in flat
    for bad in (["--pair-hours", "-1"], ["--pair-hours", "nan"], ["--pair-window", "0"]):
        r = run("campaigns", str(SEED), "-o", str(tmp_path / "c.csv"), *bad)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
