"""One error hierarchy (feedtools.errors): every error the package raises on purpose is a FeedtoolsError, the
old names still import from where they did, and messages are one line safe for a terminal."""

from __future__ import annotations

import pytest

from feedtools import errors
from feedtools.errors import FeedtoolsError


def test_the_old_names_are_the_new_classes():
    import feedtools
    from feedtools.collect.http import FetchError
    from feedtools.readers import FeedError
    from feedtools.readers.atproto import RecordError
    from feedtools.report import ReportError
    from feedtools.safeio import UsageError

    assert (FeedError, RecordError, ReportError, UsageError, FetchError) == (
        errors.FeedError,
        errors.RecordError,
        errors.ReportError,
        errors.UsageError,
        errors.FetchError,
    )
    assert feedtools.FeedError is errors.FeedError and feedtools.FeedtoolsError is FeedtoolsError


@pytest.mark.parametrize(
    "cls, code",
    [
        (errors.FeedError, 1),
        (errors.RecordError, 1),
        (errors.TableError, 1),
        (errors.OptionError, 1),
        (errors.ReportError, 1),
        (errors.FetchError, 1),
        (errors.UsageError, 2),
    ],
)
def test_every_error_is_a_feedtools_error_with_its_exit_code(cls, code):
    assert issubclass(cls, FeedtoolsError) and cls.exit_code == code
    err = cls("feed\x1b[31m.txt: line\nbreak \u202eevil")
    assert str(err) == "feed\\x1b[31m.txt: line\\nbreak \\u202eevil"  # one line, nothing acts on a terminal
    assert cls(str(err)).args == err.args  # neutralising twice changes nothing


def test_bad_input_classes_are_input_errors_and_old_valueerror_catches_still_work():
    assert issubclass(errors.FeedError, errors.InputError) and issubclass(errors.RecordError, errors.InputError)
    assert not issubclass(errors.FeedError, ValueError)  # as before: FeedError was never a ValueError
    for cls in (errors.RecordError, errors.TableError, errors.ReportError, errors.UsageError, errors.OptionError):
        assert issubclass(cls, ValueError)


def test_user_tables_raise_table_errors_naming_file_and_line(tmp_path):
    from feedtools.campaigns import load_aliases
    from feedtools.dates import load_observances

    aliases = tmp_path / "a.csv"
    aliases.write_text("campaign_id,label,lang,hashtag\nok,x,en,\n", encoding="utf-8")
    with pytest.raises(errors.TableError, match=r"a\.csv, line 2: empty hashtag"):
        load_aliases(aliases)
    calendar = tmp_path / "c.csv"
    calendar.write_text("key,date,hashtags,names\nk,02-30,t,n\n", encoding="utf-8")
    with pytest.raises(errors.TableError, match=r"c\.csv, line 2: date '02-30' is not a valid MM-DD"):
        load_observances(calendar)
    calendar.write_bytes(b"key,date,hashtags,names\n\xff\n")
    with pytest.raises(errors.TableError, match="not UTF-8"):
        load_observances(calendar)


def test_bench_options_raise_option_errors():
    from feedtools.bench import parse_sizes

    with pytest.raises(errors.OptionError, match="bad size 'x'"):
        parse_sizes("x")
    assert parse_sizes("100k,2") == [("100k", 100_000), ("2", 2)]


def test_spark_split_size_below_one_is_an_option_error(seed_path):
    from feedtools.spark import read_feed

    for bad in (0, -5, 1.5):
        with pytest.raises(
            errors.OptionError, match=f"split_bytes must be a whole number of bytes, at least 1, not {bad}"
        ):
            read_feed(None, seed_path, split_bytes=bad)  # refused before Spark is touched


def test_spark_task_that_cannot_open_its_byte_range_reports_one_line(tmp_path):
    from feedtools.spark._tasks import run_task

    gone = tmp_path / "capture.jsonl"
    task = {"input": 0, "range": 1, "path": str(gone), "format": "jetstream", "start": 700, "end": 1400, "split": True}
    rows = run_task(task, None, ())
    errors_ = rows.filter(rows["_rec"] == 4)["notes"].to_list()
    assert errors_ == ["capture.jsonl: cannot read it (No such file or directory)"]  # the driver raises it as FeedError
