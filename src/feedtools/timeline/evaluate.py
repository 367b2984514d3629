"""How wrong are the inferred dates? Measured on a dated feed with its timestamps hidden."""

from __future__ import annotations

import polars as pl

from feedtools.series import scalar_float
from feedtools.timeline.build import build_timeline
from feedtools.timeline.core import _base, _check_timezone, _timestamp_bounds, has_timestamps


def hidden_timestamp_error(posts: pl.DataFrame, *, timezone: str = "UTC", **options) -> dict:
    """How wrong is the inference on a dated feed when its timestamps are hidden?

    Runs :func:`build_timeline` with ``use_timestamps=False`` (evidence and order only) and
    compares each post's ``date_est`` and window with its true day (``created_at``, or
    ``reposted_at`` for reposts, in ``timezone``). Returns a dict: ``n_posts``, ``n_dated``
    (posts with a true day), ``n_estimated`` (with a ``date_est``), ``median_error_days``,
    ``p90_error_days`` (90th percentile, nearest rank), ``worst_error_days``, ``mean_error_days``
    (absolute, over estimated posts; None when none),
    ``coverage`` (share of dated posts whose window holds the true day, open bounds counting
    as holding), ``median_window_days``, and ``per_post`` (frame: position, true_date,
    date_min, date_max, date_est, error_days). Raises ``ValueError`` when no post has a timestamp.
    """
    _check_timezone(timezone)
    truth = _timestamp_bounds(_base(posts), timezone).select("position", true_date="ts_max")
    if truth["true_date"].null_count() == truth.height:
        raise ValueError("no post has a timestamp (created_at/reposted_at): nothing to measure against")
    tl = build_timeline(posts, timezone=timezone, use_timestamps=False, **options)
    per = (
        tl.posts.join(truth, on="position")
        .filter(pl.col("true_date").is_not_null())
        .select(
            "position",
            "true_date",
            "date_min",
            "date_max",
            "date_est",
            "window_days",
            error_days=(pl.col("date_est") - pl.col("true_date")).dt.total_days().abs(),
        )
    )
    held = (pl.col("date_min").is_null() | (pl.col("date_min") <= pl.col("true_date"))) & (
        pl.col("date_max").is_null() | (pl.col("date_max") >= pl.col("true_date"))
    )
    err = per["error_days"].drop_nulls()
    return {
        "n_posts": posts.height,
        "n_dated": per.height,
        "n_estimated": err.len(),
        "median_error_days": scalar_float(err.median()) if err.len() else None,
        "p90_error_days": scalar_float(err.quantile(0.9, "nearest")) if err.len() else None,
        "worst_error_days": int(scalar_float(err.max())) if err.len() else None,
        "mean_error_days": scalar_float(err.mean()) if err.len() else None,
        "coverage": float(per.select(held.mean()).item()) if per.height else None,
        "median_window_days": scalar_float(per["window_days"].drop_nulls().median())
        if per["window_days"].drop_nulls().len()
        else None,
        "per_post": per.drop("window_days"),
    }


def estimate_error(posts: pl.DataFrame, *, timezone: str = "UTC", **options) -> dict:
    """The measured error of the timeline's estimates for the feed at hand, for a page to show.

    When the feed is dated (some post has ``created_at``/``reposted_at``), runs
    :func:`hidden_timestamp_error` (timestamps hidden, dates inferred from evidence and order,
    compared with the true days) and returns its figures without ``per_post``, plus
    ``status``: ``'measured'`` (some post got an estimate), ``'no_estimate'`` (dated, but no
    post got a point estimate with its timestamp hidden: nothing to measure) or
    ``'undated'`` (no timestamps: the error cannot be measured on this feed; the other
    figures are then None, ``n_posts`` set). ``options`` go to :func:`build_timeline`.
    Raises ``ValueError`` for a bad time zone or option.
    """
    keys = (
        "n_dated",
        "n_estimated",
        "median_error_days",
        "p90_error_days",
        "worst_error_days",
        "mean_error_days",
        "coverage",
        "median_window_days",
    )
    if not has_timestamps(posts):
        _check_timezone(timezone)
        return dict(status="undated", n_posts=posts.height, **dict.fromkeys(keys))
    r = hidden_timestamp_error(posts, timezone=timezone, **options)
    r.pop("per_post")
    return dict(status="measured" if r["n_estimated"] else "no_estimate", **r)
