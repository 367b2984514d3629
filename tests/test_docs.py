"""The documentation a newcomer reads: README.md and docs/. Every relative link leads to a file that exists
(and, for a link to a heading, to that heading); every page of docs/ can be reached from the README; the
posts-table reference is the one scripts/schema_doc.py generates from feedtools.schema.COLUMNS; source
comments cite documents that are in the repository."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
_FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _schema_doc():
    spec = importlib.util.spec_from_file_location("schema_doc", ROOT / "scripts" / "schema_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prose(text: str) -> str:
    """The text without code blocks and code spans (a link inside code is not a link)."""
    return _CODE.sub("", _FENCE.sub("", text))


def _links(page) -> list[str]:
    return _LINK.findall(_prose(page.read_text(encoding="utf-8")))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page) -> set[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:…


def test_every_relative_link_points_to_an_existing_file_and_heading():
    broken = []
    for page in PAGES:
        for target in filter(_relative, _links(page)):
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_link_checker_sees_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](page.md#title) [gone](missing.md) `[code](not-a-link.md)`\n", encoding="utf-8")
    assert _links(page) == ["page.md#title", "missing.md"]
    assert _anchors(page) == {"title"}
    assert _slug("Charts in JupyterLab") == "charts-in-jupyterlab"
    assert _slug("The post record (`app.bsky.feed.post`)") == "the-post-record-appbskyfeedpost"


def test_every_docs_page_is_reachable_from_the_readme():
    seen, todo = set(), [ROOT / "README.md"]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".md" or not page.exists():
            continue
        seen.add(page)
        todo += [
            (page.parent / t.partition("#")[0]).resolve()
            for t in filter(_relative, _links(page))
            if t.partition("#")[0]
        ]
    unreachable = [p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md") if p.resolve() not in seen]
    assert not unreachable, f"docs pages no link leads to: {unreachable}"


def test_posts_table_reference_is_generated_from_the_schema():
    from feedtools.schema import COLUMNS

    text = _schema_doc().render()
    assert (DOCS / "posts-table.md").read_text(encoding="utf-8") == text, (
        "docs/posts-table.md is out of date: run python scripts/schema_doc.py"
    )
    for c in COLUMNS:
        assert f"| `{c.name}` | `{c.dtype}` | {c.filled_by} |" in text


def test_schema_doc_check_fails_on_a_stale_page(tmp_path, monkeypatch):
    module = _schema_doc()
    stale = tmp_path / "posts-table.md"
    stale.write_text(module.render().replace("| `post_id` |", "| `post_key` |"), encoding="utf-8")
    monkeypatch.setattr(module, "PAGE", stale)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0  # rewrites it
    assert module.main(["--check"]) == 0
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "schema_doc.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr


def test_comments_cite_documents_in_the_repository():
    """No citation of the shared "domain notes" (a document outside the repository) by section number, and every
    ``docs/….md`` named in the source, scripts or tests exists."""
    stale, missing = [], []
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "scripts").glob("*.py"), *(ROOT / "tests").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "test_docs.py" and re.search(r"domain notes §|§\d", text):
            stale.append(path.relative_to(ROOT).as_posix())
        missing += [
            f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"docs/[\w./-]+\.md", text) if not (ROOT / m).exists()
        ]
    assert not stale, f"cite a page of docs/ instead of the domain notes: {stale}"
    assert not missing, f"cited pages that do not exist: {missing}"
