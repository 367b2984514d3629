"""The partner network: campaigns and mentioned accounts as a graph, its layout, and its export."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from feedtools.campaigns.aliases import UND
from feedtools.campaigns.core import _campaign_rows, _cap_per_post, _labels, _loaded, _tag_rows, _with_row
from feedtools.campaigns.params import DEFAULT_CAPS, UNSET, CampaignCaps
from feedtools.errors import UsageError
from feedtools.safeio import atomic_open, atomic_path

__all__ = ["GRAPH_SUFFIXES", "graph_layout", "partner_graph", "write_graph"]


def partner_graph(
    posts: pl.DataFrame,
    aliases: pl.DataFrame | None = None,
    *,
    caps: CampaignCaps = DEFAULT_CAPS,
    max_tags_per_post: int | None = UNSET,
    max_mentions_per_post: int | None = UNSET,
    stats: dict | None = None,
):
    """Accounts and campaigns as an undirected weighted ``networkx.Graph``.

    Nodes: ``campaign:<id>`` (attributes ``kind="campaign"``, ``label``, ``posts``,
    ``langs`` joined with ``|``) and ``account:<handle>`` (``kind="account"``,
    ``label`` = handle, ``posts`` = posts mentioning it). Edges (attribute ``kind``,
    ``weight`` = number of posts): ``mention`` (a campaign's posts mention the
    account), ``cooccurrence`` (two campaigns in one post), ``comention`` (two
    accounts mentioned in one post). Only loaded posts count; nodes and edges are
    added in sorted order so exports are byte-for-byte reproducible.
    Edges consider the first ``max_tags_per_post`` campaigns and the first
    ``max_mentions_per_post`` mentions of each post (the fields of ``caps``,
    :class:`~feedtools.campaigns.params.CampaignCaps`, which the keywords override; None: all), so one post with
    thousands of tags cannot make millions of edges; node ``posts`` counts use every
    tag and mention. ``stats`` (a dict) receives what the caps left out
    (``posts_over_tags_cap``, ``tags_over_cap``, ``posts_over_mentions_cap``, ``mentions_over_cap``).
    """
    import networkx as nx

    caps = caps.but(max_tags_per_post=max_tags_per_post, max_mentions_per_post=max_mentions_per_post)
    camp_nodes, acc_nodes, mention, cooc, comen = _network_tables(posts, aliases, caps, stats)
    g: nx.Graph = nx.Graph(name="feedtools partner network")
    for r in camp_nodes.iter_rows(named=True):
        g.add_node(
            f"campaign:{r['campaign_id']}",
            kind="campaign",
            label=r["label"],
            posts=int(r["posts"]),
            langs=r["langs"] or "",
        )
    for r in acc_nodes.iter_rows(named=True):
        g.add_node(f"account:{r['m']}", kind="account", label=r["m"], posts=int(r["posts"]), langs="")
    for r in mention.iter_rows(named=True):
        g.add_edge(f"campaign:{r['campaign_id']}", f"account:{r['m']}", kind="mention", weight=int(r["weight"]))
    for r in cooc.iter_rows(named=True):
        g.add_edge(f"campaign:{r['campaign_id']}", f"campaign:{r['c2']}", kind="cooccurrence", weight=int(r["weight"]))
    for r in comen.iter_rows(named=True):
        g.add_edge(f"account:{r['m']}", f"account:{r['m2']}", kind="comention", weight=int(r["weight"]))
    return g


def _network_tables(
    posts: pl.DataFrame, aliases: pl.DataFrame | None, caps: CampaignCaps, stats: dict | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The sorted node and edge tables of :func:`partner_graph`: campaign nodes (``campaign_id, posts, langs,
    label, in_table``), account nodes (``m, posts``), and the ``weight`` of mention (``campaign_id, m``),
    co-occurrence (``campaign_id, c2``) and co-mention (``m, m2``) edges, the edges within ``caps``."""
    base = _with_row(posts).filter(_loaded(posts))
    rows = _campaign_rows(posts, aliases).select("_row", "campaign_id")
    ment = base.select("_row", m=pl.col("mentions")).explode("m").drop_nulls("m").unique(maintain_order=True)
    rows_e = _cap_per_post(rows, caps.max_tags_per_post, stats)
    ment_e = _cap_per_post(ment, caps.max_mentions_per_post, stats, "mentions")
    labels = _labels(_tag_rows(posts, aliases), aliases)
    camp_nodes = (
        rows.join(base.select("_row", "lang"), on="_row")
        .group_by("campaign_id")
        .agg(posts=pl.len(), langs=pl.col("lang").filter(pl.col("lang") != UND).unique().sort().str.join("|"))
        .join(labels, on="campaign_id")
        .sort("campaign_id")
    )
    acc_nodes = ment.group_by("m").agg(posts=pl.len()).sort("m")
    mention = rows_e.join(ment_e, on="_row").group_by("campaign_id", "m").agg(weight=pl.len()).sort("campaign_id", "m")
    cooc = rows_e.join(rows_e.rename({"campaign_id": "c2"}), on="_row").filter(pl.col("campaign_id") < pl.col("c2"))
    cooc = cooc.group_by("campaign_id", "c2").agg(weight=pl.len()).sort("campaign_id", "c2")
    comen = ment_e.join(ment_e.rename({"m": "m2"}), on="_row").filter(pl.col("m") < pl.col("m2"))
    comen = comen.group_by("m", "m2").agg(weight=pl.len()).sort("m", "m2")
    return camp_nodes, acc_nodes, mention, cooc, comen


def graph_layout(graph, *, max_nodes: int = 40, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Positions for drawing: ``(nodes, edges)`` frames for the ``max_nodes`` nodes with most weighted degree.

    Only the largest connected part of those nodes is laid out: a spring layout
    pushes isolated nodes and small separate parts to the edges of the drawing
    (the exported graph keeps everything). ``nodes``: ``id, name`` (id without its ``campaign:``/``account:``
    prefix), ``kind, label, posts, degree, x, y``; ``edges``: ``source, target,
    kind, weight, x, y, x2, y2``. Layout: ``networkx.spring_layout`` with a fixed
    seed on the kept subgraph (deterministic), rounded to 4 decimals.
    """
    import networkx as nx

    deg = dict(graph.degree(weight="weight"))
    keep = sorted((v for v in graph.nodes if deg[v] > 0), key=lambda v: (-deg[v], v))[:max_nodes]
    sub = graph.subgraph(sorted(keep))
    if sub.number_of_nodes():
        parts = sorted(nx.connected_components(sub), key=lambda c: (-len(c), min(c)))
        sub = sub.subgraph(sorted(parts[0]))
    h: nx.Graph = nx.Graph()
    h.add_nodes_from(sorted(sub.nodes(data=True)))
    h.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in sub.edges(data=True)))
    pos = nx.spring_layout(h, seed=seed, weight="weight") if h.number_of_nodes() else {}

    def xy(v: str) -> tuple[float, float]:
        return round(float(pos[v][0]), 4), round(float(pos[v][1]), 4)

    nodes = pl.DataFrame(
        [(v, v.split(":", 1)[1], d["kind"], d["label"], d["posts"], deg[v], *xy(v)) for v, d in h.nodes(data=True)],
        schema=_LAYOUT_NODES,
        orient="row",
    )
    edges = pl.DataFrame(
        [(u, v, d["kind"], d["weight"], *xy(u), *xy(v)) for u, v, d in h.edges(data=True)],
        schema=_LAYOUT_EDGES,
        orient="row",
    )
    return nodes.sort("id"), edges.sort("source", "target")


_LAYOUT_NODES = pl.Schema(
    {
        "id": pl.String,
        "name": pl.String,
        "kind": pl.String,
        "label": pl.String,
        "posts": pl.Int64,
        "degree": pl.Int64,
        "x": pl.Float64,
        "y": pl.Float64,
    }
)
_LAYOUT_EDGES = pl.Schema(
    {
        "source": pl.String,
        "target": pl.String,
        "kind": pl.String,
        "weight": pl.Int64,
        "x": pl.Float64,
        "y": pl.Float64,
        "x2": pl.Float64,
        "y2": pl.Float64,
    }
)

GRAPH_SUFFIXES = (".gexf", ".graphml")


def write_graph(graph, path: str | Path) -> str:
    """Write ``graph`` as GEXF (``.gexf``) or GraphML (``.graphml``), chosen by suffix; return the format name.

    The output is deterministic: GEXF's ``lastmodifieddate`` (today's date, which
    networkx writes) is removed. The file appears whole or not at all
    (:func:`feedtools.safeio.atomic_path`). Raises :class:`~feedtools.errors.UsageError` (a ``ValueError``) for
    another suffix.
    """
    import networkx as nx
    from networkx.readwrite.gexf import GEXFWriter

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise UsageError(f"unknown graph type {path.suffix or '(none)'!r} for {path.name}; use .gexf or .graphml")
    if suffix == ".graphml":
        with atomic_path(path) as tmp:
            nx.write_graphml(graph, tmp)
        return "graphml"
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(graph)
    with atomic_open(path, "wb") as fh:
        writer.write(fh)
    return "gexf"
