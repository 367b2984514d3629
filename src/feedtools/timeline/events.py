"""Events: runs of posts that share a campaign hashtag, an event name, a place or narrow dates
(:func:`find_events`), with their labels. The days of each event the feed gives (:func:`resolve_event_days`,
:func:`event_spans`) are in :mod:`feedtools.timeline.event_days`, re-exported here."""

from __future__ import annotations

import re

import polars as pl

from feedtools.text import EVENT_NOUNS, alternation, fold_tags, fold_text, fold_text_expr
from feedtools.timeline.core import EVENTS_SCHEMA, _col
from feedtools.timeline.event_days import event_spans, resolve_event_days  # noqa: F401 (re-exported)
from feedtools.timeline.params import DEFAULT_EVENT_PARAMS, EventParams

#: Event words that link posts into one event (:data:`feedtools.text.EVENT_NOUNS`, less "week": a week names
#: a period, not a meeting).
_EVENT_WORDS = {word: kind for word, kind in EVENT_NOUNS.items() if kind != "week"}
_EVENT_ALT = "|".join(sorted(map(re.escape, _EVENT_WORDS), key=len, reverse=True))
_WORD_RE = r"(?i)(?:^|[^\p{L}])(" + _EVENT_ALT + r")(?:$|[^\p{L}])"
_PHRASE_LEAD = 2  # capitalised words an event-name phrase may carry before the event word ("UCLG Executive Bureau")
_PHRASE_RE = (
    r"(?:^|[^\p{L}@.])((?:\p{Lu}[\p{L}\p{N}’'-]*\s+){0,"
    + str(_PHRASE_LEAD)
    + r"}(?i:"
    + _EVENT_ALT
    + r"))(?:$|[^\p{L}])"
)
_PLACE_RE = r"(?:^|\s)(?:in|en|à|at|a)\s+#?(\p{Lu}\p{Ll}{3,})"
_PLACE_STOP = {
    "this",
    "these",
    "that",
    "nuestro",
    "nuestra",
    "nuestras",
    "nuestros",
    "todas",
    "todos",
    "their",
    "the",
    "cette",
    "notre",
    "nous",
    "order",
    "partnership",
}


_fold = fold_text_expr  # case and accents folded (for keys only)


def _tag_keys(tags: pl.DataFrame) -> pl.DataFrame:
    """``tags`` (column ``tag``) with ``key``: ``#`` + the hashtag's key (:func:`feedtools.text.fold_tag`, the
    key campaigns use), a trailing year dropped (``#IWD2025`` ~ ``#IWD``)."""
    return tags.with_columns(key=pl.lit("#") + fold_tags(tags["tag"]).str.replace(r"20\d\d$", ""))


def find_events(
    posts: pl.DataFrame,
    evidence: pl.DataFrame | None = None,
    *,
    tag_gap: int | None = None,
    word_gap: int | None = None,
    min_tag_density: float | None = None,
    min_posts: int | None = None,
    windows: pl.DataFrame | None = None,
    params: EventParams = DEFAULT_EVENT_PARAMS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Group posts into events: runs of posts that share a key and sit close in the feed.

    Keys (compared case- and accent-folded): *campaign hashtags* (a trailing year dropped,
    so ``#IWD2025`` ~ ``#IWD``) whose uses are concentrated in the feed (uses / span of
    positions >= ``min_tag_density``; spread-out tags such as an organisation's standing
    tags do not link), linking posts at most ``tag_gap`` text posts apart; *event names*
    (retreat/retiro/séminaire, forum/foro, bureau, summit, academy, assembly, town hall,
    course...) and *places* (a capitalised name after in/en/à/at; first ``place_prefix``
    letters, so Sevilla/Seville/Séville agree), linking posts at most ``word_gap`` apart;
    *close dates*: neighbouring posts whose own evidence windows (from ``evidence``) are at
    most ``close_window_days`` wide and overlap. Groups that share a key and interleave in
    the feed are merged (up to ``merge_passes`` passes). Linked posts form an event when
    there are ``min_posts``. The numbers are the fields of ``params`` (:class:`EventParams`,
    defaults there); ``tag_gap``, ``word_gap``, ``min_tag_density`` and ``min_posts``, when
    given, override the fields of the same name.

    ``posts`` needs ``position, post_id, text/text_clean, hashtags``; ``mentions`` and
    ``lang`` are used when present. ``windows`` (from :func:`infer_windows`) fills the
    events' date windows. Returns ``(events, membership)``: ``events`` follows
    :data:`EVENTS_SCHEMA` (``event_id`` ``E01``... from the oldest event, i.e. the highest
    positions, to the newest); ``membership`` has ``position, event_id`` for member posts.
    """
    params = params.but(tag_gap=tag_gap, word_gap=word_gap, min_tag_density=min_tag_density, min_posts=min_posts)
    empty = (pl.DataFrame(schema=EVENTS_SCHEMA), pl.DataFrame(schema={"position": pl.Int64, "event_id": pl.String}))
    p = _text_posts(posts)
    if p.height == 0:
        return empty
    keys = _event_keys(p, posts, params)
    edges = _key_edges(keys)
    if evidence is not None and evidence.height:
        edges = pl.concat([edges, _close_date_edges(p, evidence, params).cast(edges.schema)])
    p = p.with_columns(comp=pl.Series(_components(p.height, edges, keys, params), dtype=pl.Int64))
    sizes = p.group_by("comp").agg(n=pl.len(), last=pl.col("position").max())
    sizes = sizes.filter(pl.col("n") >= params.min_posts).sort("last", descending=True)
    if sizes.height == 0:
        return empty
    width = max(2, len(str(sizes.height)))
    sizes = sizes.with_row_index("i").with_columns(
        event_id=pl.lit("E") + (pl.col("i") + 1).cast(pl.String).str.zfill(width)
    )
    members = p.join(sizes.select("comp", "event_id"), on="comp")
    membership = members.select("position", "event_id").sort("position")
    events = _event_table(
        members, sizes, keys.join(members.select("rank", "event_id"), on="rank"), membership, evidence, windows, posts
    )
    return events, membership


#: Rows of text at a time :func:`find_events` reads its keys from (keys are per post: the result does not depend
#: on it, the working memory does).
KEY_CHUNK_ROWS = 50_000


def _text_expr(posts: pl.DataFrame) -> pl.Expr:
    """A post's text: ``text_clean``, else ``text``."""
    return pl.coalesce(pl.col("text_clean"), pl.col("text")) if "text_clean" in posts.columns else pl.col("text")


def _text_posts(posts: pl.DataFrame) -> pl.DataFrame:
    """The posts with text, in feed order: ``rank`` (0.. over these posts), ``position``, ``tags``, ``mentions``
    (lists, never null) and ``lang``. The text itself is not copied (:func:`_texts` gives it for some rows)."""
    if "text_clean" in posts.columns:  # the length of coalesce(text_clean, text), without materialising it
        n_chars = (
            pl.when(pl.col("text_clean").is_not_null())
            .then(pl.col("text_clean").str.len_chars())
            .otherwise(pl.col("text").str.len_chars())
        )
    else:
        n_chars = pl.col("text").str.len_chars()
    return (
        posts.select(  # columns first, then rows: a filter copies every column it is given
            "position",
            tags=_col(posts, "hashtags", [], pl.List(pl.String)).fill_null([]),
            mentions=_col(posts, "mentions", [], pl.List(pl.String)).fill_null([]),
            lang=_col(posts, "lang", None, pl.String),
            keep=n_chars.fill_null(0) > 0,
        )
        .filter("keep")
        .drop("keep")
        .sort("position")
        .with_row_index("rank")
    )


def _texts(posts: pl.DataFrame, positions: pl.Series) -> pl.DataFrame:
    """``position, t``: the text of the posts at ``positions`` (only those rows' strings are copied)."""
    cols = [c for c in ("position", "text_clean", "text") if c in posts.columns]
    return (
        posts.select(cols).filter(pl.col("position").is_in(positions.implode())).select("position", t=_text_expr(posts))
    )


def _event_keys(p: pl.DataFrame, posts: pl.DataFrame, params: EventParams) -> pl.DataFrame:
    """``rank, key, gap``: the keys each post of ``p`` (:func:`_text_posts` of ``posts``) carries and how far each
    links: concentrated campaign hashtags (``#key``, ``tag_gap``), event names (``event:kind``) and places
    (``place:prefix``), both ``word_gap``. Read :data:`KEY_CHUNK_ROWS` posts at a time; only the density of a
    hashtag needs the whole feed."""
    tag_chunks: list[pl.DataFrame] = []
    word_keys: list[pl.DataFrame] = []
    for chunk in p.iter_slices(KEY_CHUNK_ROWS):
        chunk = chunk.join(_texts(posts, chunk["position"]), on="position", maintain_order="left")
        tag_chunks.append(
            _tag_keys(chunk.select("rank", tag="tags").explode("tag").drop_nulls("tag"))
            .filter(pl.col("key").str.len_chars() > 1)
            .unique(subset=["rank", "key"])
        )
        word_keys.append(_word_keys(chunk, params))
    tags = pl.concat(tag_chunks)
    dens = tags.group_by("key").agg(n=pl.len(), span=pl.col("rank").max() - pl.col("rank").min() + 1)
    keep = dens.filter((pl.col("n") >= 2) & (pl.col("n") / pl.col("span") >= params.min_tag_density))["key"]
    tag_keys = tags.filter(pl.col("key").is_in(keep.implode())).select("rank", "key", gap=pl.lit(params.tag_gap))
    return pl.concat([tag_keys, pl.concat(word_keys)])


def _word_keys(p: pl.DataFrame, params: EventParams) -> pl.DataFrame:
    """``rank, key, gap``: the event-name and place keys of the posts of ``p`` (with their text ``t``)."""
    words = (
        p.select("rank", w=pl.col("t").str.extract_all(_WORD_RE))
        .explode("w")
        .drop_nulls("w")
        .with_columns(w=pl.col("w").str.extract(_WORD_RE, 1).str.to_lowercase())
        .select("rank", key=pl.lit("event:") + pl.col("w").replace_strict(_EVENT_WORDS, default=None))
    )
    tag_words = p.select("rank", tag="tags").explode("tag").drop_nulls("tag")
    folded_words = {fold_text(w): v for w, v in _EVENT_WORDS.items() if " " not in w}
    tag_words = (
        tag_words.with_columns(w=fold_tags(tag_words["tag"]).str.extract(f"({alternation(folded_words)})", 1))
        .drop_nulls("w")
        .select("rank", key=pl.lit("event:") + pl.col("w").replace_strict(folded_words, default=None))
    )
    words = pl.concat([words, tag_words.drop_nulls("key")])
    places = (
        p.select("rank", w=pl.col("t").str.extract_all(_PLACE_RE))
        .explode("w")
        .drop_nulls("w")
        .with_columns(w=_fold(pl.col("w").str.extract(_PLACE_RE, 1)))
        .filter(~pl.col("w").is_in(list(_PLACE_STOP)))
        .select("rank", key=pl.lit("place:") + pl.col("w").str.slice(0, params.place_prefix))
    )
    return pl.concat([words, places]).unique().select("rank", "key", gap=pl.lit(params.word_gap))


def _key_edges(keys: pl.DataFrame) -> pl.DataFrame:
    """``a, b``: ranks of consecutive posts carrying the same key at most its ``gap`` apart."""
    return (
        keys.sort("key", "rank")
        .with_columns(prev=pl.col("rank").shift(1).over("key"))
        .filter(pl.col("prev").is_not_null() & (pl.col("rank") - pl.col("prev") <= pl.col("gap")))
        .select(a="prev", b="rank")
    )


def _close_date_edges(p: pl.DataFrame, evidence: pl.DataFrame, params: EventParams) -> pl.DataFrame:
    """``a, b``: ranks of neighbouring posts whose own evidence windows are at most ``close_window_days`` wide
    and overlap."""
    own = (
        evidence.filter(pl.col("post_min").is_not_null() & pl.col("post_max").is_not_null())
        .group_by("position")
        .agg(lo=pl.col("post_min").max(), hi=pl.col("post_max").min())
        .filter((pl.col("hi") - pl.col("lo")).dt.total_days().is_between(0, params.close_window_days - 1))
    )
    return (
        p.select("rank", "position")
        .join(own, on="position")
        .sort("rank")
        .with_columns(prank=pl.col("rank").shift(1), plo=pl.col("lo").shift(1), phi=pl.col("hi").shift(1))
        .filter(
            (pl.col("rank") - pl.col("prank") == 1) & (pl.col("lo") <= pl.col("phi")) & (pl.col("plo") <= pl.col("hi"))
        )
        .select(a="prank", b="rank")
    )


def _components(n: int, edges: pl.DataFrame, keys: pl.DataFrame, params: EventParams) -> list[int]:
    """The group of each of ``n`` posts (by rank; a group is named by its lowest rank): connected components
    over ``edges`` (a small union-find over the few edges), then groups that share a key and interleave in the
    feed (another group's posts sit between theirs) merged, up to ``merge_passes`` passes."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(pairs: pl.DataFrame) -> None:
        for a, b in pairs.iter_rows():
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

    union(edges)
    ranks = pl.Series(range(n), dtype=pl.UInt32)
    for _ in range(params.merge_passes):
        comp = pl.Series("comp", [find(i) for i in range(n)], dtype=pl.Int64)
        pairs = _interleaved(keys, pl.DataFrame({"rank": ranks, "comp": comp}))
        if pairs.height == 0:
            break
        union(pairs)
    return [find(i) for i in range(n)]


def _interleaved(keys: pl.DataFrame, comps: pl.DataFrame) -> pl.DataFrame:
    """``comp, comp_b``: pairs of groups (of two posts or more; ``comps``: ``rank, comp``) that share a key and
    interleave: per key, its groups sorted by first rank, a group starting before the running end of the
    previous ones interleaves with them (interval merging: linear, not pairwise)."""
    spans = (
        keys.join(comps, on="rank")
        .join(comps.group_by("comp").len().filter(pl.col("len") >= 2), on="comp")
        .group_by("key", "comp")
        .agg(lo=pl.col("rank").min(), hi=pl.col("rank").max())
    )
    spans = spans.join(comps.group_by("comp").agg(clo=pl.col("rank").min(), chi=pl.col("rank").max()), on="comp")
    return (
        spans.sort("key", "clo", "comp")
        .with_columns(prev=pl.col("comp").shift(1).over("key"), run_end=pl.col("chi").cum_max().shift(1).over("key"))
        .filter(pl.col("prev").is_not_null() & (pl.col("clo") <= pl.col("run_end")))
        .select(comp="prev", comp_b="comp")
        .unique()
    )


def _top_values(members: pl.DataFrame, col: str) -> pl.DataFrame:
    """``event_id, <col>``: the values of ``col`` (a list column is exploded) over each event's posts, commonest
    first (ties: alphabetical), nulls and ``und`` left out."""
    x = (
        members.select("event_id", v=pl.col(col)).explode("v")
        if members.schema[col] == pl.List(pl.String)
        else members.select("event_id", v=pl.col(col))
    )
    x = x.drop_nulls("v").filter(pl.col("v") != "und")
    return (
        x.group_by("event_id", "v")
        .len()
        .sort(["event_id", "len", "v"], descending=[False, True, False])
        .group_by("event_id", maintain_order=True)
        .agg(pl.col("v").alias(col))
    )


def _event_table(
    members: pl.DataFrame,
    sizes: pl.DataFrame,
    keys_ev: pl.DataFrame,
    membership: pl.DataFrame,
    evidence: pl.DataFrame | None,
    windows: pl.DataFrame | None,
    posts: pl.DataFrame,
) -> pl.DataFrame:
    """The events frame (:data:`EVENTS_SCHEMA`) from the member posts, their keys, the dates their evidence
    names and their windows (when given); ``posts`` gives the members' texts."""
    ev_dates = pl.DataFrame(schema={"event_id": pl.String, "event_date_min": pl.Date, "event_date_max": pl.Date})
    if evidence is not None and evidence.height:
        ev_dates = (
            evidence.filter(
                pl.col("kind").is_in(["date", "date_range", "weekday", "observance"]) & pl.col("date_min").is_not_null()
            )
            .join(membership, on="position")
            .group_by("event_id")
            .agg(event_date_min=pl.col("date_min").min(), event_date_max=pl.col("date_max").max())
        )
    win = pl.DataFrame(schema={"event_id": pl.String, "date_min": pl.Date, "date_max": pl.Date})
    if windows is not None:
        win = (
            windows.join(membership, on="position")
            .group_by("event_id")
            .agg(
                date_min=pl.when(pl.col("date_min").null_count() == 0).then(pl.col("date_min").min()),
                date_max=pl.when(pl.col("date_max").null_count() == 0).then(pl.col("date_max").max()),
            )
        )
    return (
        sizes.select("event_id", n_posts=pl.col("n").cast(pl.Int64))
        .join(members.group_by("event_id").agg(positions=pl.col("position").sort()), on="event_id")
        .join(_top_values(members, "lang"), on="event_id", how="left")
        .join(_top_values(members, "tags").rename({"tags": "hashtags"}), on="event_id", how="left")
        .join(_top_values(members, "mentions").rename({"mentions": "partners"}), on="event_id", how="left")
        .join(keys_ev.group_by("event_id").agg(keys=pl.col("key").unique().sort()), on="event_id", how="left")
        .join(_labels(members, keys_ev, posts), on="event_id", how="left")
        .join(win, on="event_id", how="left")
        .join(ev_dates, on="event_id", how="left")
        .rename({"lang": "languages"})
        .with_columns(pl.col("languages", "hashtags", "partners", "keys").fill_null([]))
        .select(list(EVENTS_SCHEMA))
        .cast(EVENTS_SCHEMA)
        .sort("event_id")
    )


def _labels(members: pl.DataFrame, keys_ev: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """Label: the commonest event-name phrase, campaign hashtag and place of the event, joined by ' · '. The
    members' texts (from ``posts``) are read :data:`KEY_CHUNK_ROWS` posts at a time."""
    found, named = [], []
    for chunk in members.select("position", "event_id").iter_slices(KEY_CHUNK_ROWS):
        chunk = chunk.join(_texts(posts, chunk["position"]), on="position")
        found.append(
            chunk.select("event_id", ph=pl.col("t").str.extract_all(_PHRASE_RE)).explode("ph").drop_nulls("ph")
        )
        named.append(chunk.select("event_id", w=pl.col("t").str.extract_all(_PLACE_RE)).explode("w").drop_nulls("w"))
    ids = members.select("event_id").unique()
    out = (
        ids.join(_best_phrase(pl.concat(found)), on="event_id", how="left")
        .join(_label_tag(members, keys_ev), on="event_id", how="left")
        .join(_label_place(pl.concat(named)), on="event_id", how="left")
    )
    return out.select(
        "event_id",
        label=pl.concat_str(["ph", "tag", "place"], separator=" · ", ignore_nulls=True).fill_null(pl.lit("(unnamed)")),
    )


def _best_phrase(found: pl.DataFrame) -> pl.DataFrame:
    """``event_id, ph``: each event's name phrase from the phrase matches ``found`` (``event_id, ph``): each
    phrase and its shorter endings counted ("UCLG Executive Bureau" also counts for "Executive Bureau"), then the
    longest phrase used at least half as often as the commonest."""
    phrases = found.with_columns(ph=pl.col("ph").str.extract(_PHRASE_RE, 1).str.strip_chars()).with_columns(
        fold=pl.col("ph").str.to_lowercase()
    )
    words = phrases.with_columns(w=pl.col("ph").str.split(" "))
    suffixes = pl.concat(
        [
            words.filter(pl.col("w").list.len() > k).select("event_id", ph=pl.col("w").list.slice(k).list.join(" "))
            for k in range(_PHRASE_LEAD + 1)
        ]
    ).with_columns(fold=pl.col("ph").str.to_lowercase(), nw=pl.col("ph").str.count_matches(" ") + 1)
    counted = (
        suffixes.group_by("event_id", "fold")
        .agg(n=pl.len(), ph=pl.col("ph").sort().first(), nw=pl.col("nw").first())
        .with_columns(m=pl.col("n").max().over("event_id"))
    )
    return (
        counted.filter(pl.col("n") * 2 >= pl.col("m"))
        .sort(["event_id", "nw", "n", "fold"], descending=[False, True, True, False])
        .group_by("event_id", maintain_order=True)
        .first()
        .select("event_id", "ph")
    )


def _label_tag(members: pl.DataFrame, keys_ev: pl.DataFrame) -> pl.DataFrame:
    """``event_id, tag``: each event's commonest campaign hashtag among its keys (``keys_ev``), written as its
    posts most often write it."""
    return (
        _tag_keys(members.select("event_id", tag="tags").explode("tag").drop_nulls("tag"))
        .join(keys_ev.select("event_id", "key").unique(), on=["event_id", "key"])
        .group_by("event_id", "key")
        .agg(n=pl.len(), tag=pl.col("tag").mode().sort().first())
        .sort(["event_id", "n", "key"], descending=[False, True, False])
        .group_by("event_id", maintain_order=True)
        .first()
        .select("event_id", tag=pl.lit("#") + pl.col("tag"))
    )


def _label_place(named: pl.DataFrame) -> pl.DataFrame:
    """``event_id, place``: each event's commonest place from the place matches ``named`` (``event_id, w``)."""
    return (
        named.with_columns(w=pl.col("w").str.extract(_PLACE_RE, 1))
        .filter(~_fold(pl.col("w")).is_in(list(_PLACE_STOP)))
        .group_by("event_id", "w")
        .len()
        .sort(["event_id", "len", "w"], descending=[False, True, False])
        .group_by("event_id", maintain_order=True)
        .first()
        .select("event_id", place="w")
    )
