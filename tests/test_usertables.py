"""The shared reader of user-editable CSV tables: comments, optional trailing fields, errors naming the line."""

from __future__ import annotations

import pytest

from feedtools.usertables import read_user_table

COLS = ("key", "date", "notes")


def table(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_comments_blank_lines_bom_and_short_rows(tmp_path):
    path = table(tmp_path, '\ufeff# a comment\n\nKey, date ,notes\n A ,06-20\n  # indented comment\nB,06-21,"x, y"\n')
    assert read_user_table(path, columns=COLS, required=("key", "date")) == [
        (4, {"key": "A", "date": "06-20", "notes": ""}),
        (6, {"key": "B", "date": "06-21", "notes": "x, y"}),
    ]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("key,colour\n", "line 1: unknown column 'colour'"),
        ("key,key,date\n", "line 1: column 'key' appears twice"),
        ("key,notes\n", "line 1: header lacks the column 'date'"),
        ("key,date\nA,1,2\n", "line 2: 3 fields, the header (line 1) has 2"),
        ('key,date\nA,"06-20\n', "line 2: not a CSV row"),
        ("# only a comment\n", "no header line (expected key,date,notes)"),
    ],
)
def test_shape_errors_name_the_line(tmp_path, text, needle):
    with pytest.raises(ValueError) as err:
        read_user_table(table(tmp_path, text), columns=COLS, required=("key", "date"))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_not_utf8(tmp_path):
    with pytest.raises(ValueError, match="not UTF-8"):
        read_user_table(table(tmp_path, "key,date\nAé,1\n", "latin-1"), columns=COLS, required=("key",))
