"""The reports in a real browser: headless Chromium opens every page from file:// with the network off.

Checks, per page: every Altair chart container drew an <svg> or <canvas>; the console
shows no errors; no request went anywhere but the local file (and inline data:
URLs); no alert/confirm/prompt ran. On the hostile feed: the literal `<script>` text
is visible on the page, in a chart tooltip and in the sortable tables (also after
sorting and searching); on every page a chart tooltip shows text when a bar is
hovered. Page looks: no `word-break: break-all` in any stylesheet the page applies,
tables scroll inside their own box with one-line headers, every legend lists only
categories present in its chart's data, and tables sort and filter offline.

Chromium comes from Debian's `chromium` and `chromium-driver` packages
(scripts/ensure-chromium.sh, called by `make test`); without them the tests skip and
say why.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import CHROMEDRIVER, CHROMIUM, FIXTURES, SEED, chromium_skip_reason

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REMOTE_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    # Count every dialog a page would open, instead of opening it.
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__dialogs = []; for (const f of ['alert', 'confirm', 'prompt']) "
            "{ window[f] = (m) => { window.__dialogs.push(f + ':' + m); }; }"
        },
    )
    yield driver
    driver.quit()


def _build(feed: Path, out: Path) -> list[Path]:
    from feedtools.report import build_reports

    return build_reports(feed, out, progress=None)


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory) -> list[Path]:
    return _build(SEED, tmp_path_factory.mktemp("seed-reports"))


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> list[Path]:
    return _build(FIXTURES / "hostile_feed.txt", tmp_path_factory.mktemp("hostile-reports"))


def _open(driver, page: Path) -> dict:
    """Open ``page`` offline; wait for the charts; return what the page did."""
    driver.get_log("browser")  # drop earlier entries
    driver.get_log("performance")
    driver.get(page.as_uri())
    deadline = time.monotonic() + 30
    state = {}
    while time.monotonic() < deadline:
        state = json.loads(
            driver.execute_script(
                "const c = Array.from(document.querySelectorAll('div[id^=\"altair-viz-\"]'));"
                "return JSON.stringify({charts: c.length,"
                " drawn: c.filter(e => e.querySelector('svg, canvas')).length,"
                " errors: c.filter(e => e.querySelector('.error')).map(e => e.innerText),"
                " ready: document.readyState});"
            )
        )
        if state["ready"] == "complete" and (state["drawn"] == state["charts"] or state["errors"]):
            break
        time.sleep(0.2)
    requests = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            requests.append(msg["params"]["request"]["url"])
    state["remote_requests"] = [u for u in requests if u.lower().startswith(REMOTE_SCHEMES)]
    state["console_errors"] = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    state["dialogs"] = driver.execute_script("return window.__dialogs || []")
    return state


def _hover_tooltip(driver, chart_index: int = 0) -> str:
    """Hover the first bar of the ``chart_index``-th chart; return the tooltip's text ('' if none)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    charts = driver.find_elements(By.CSS_SELECTOR, "div[id^='altair-viz-']")
    marks = charts[chart_index].find_elements(By.CSS_SELECTOR, ".mark-rect path")
    if not marks:
        return ""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", marks[0])
    ActionChains(driver).move_to_element(marks[0]).perform()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = driver.execute_script(
            "const t = document.getElementById('vg-tooltip-element');"
            "return t && t.classList.contains('visible') ? t.innerText : '';"
        )
        if text:
            return text
        time.sleep(0.1)
    return ""


def _check_page(driver, page: Path) -> dict:
    state = _open(driver, page)
    assert state["remote_requests"] == [], f"{page.name} requested {state['remote_requests'][:3]}"
    assert state["console_errors"] == [], f"{page.name} console errors: {state['console_errors'][:3]}"
    assert state["dialogs"] == [], f"{page.name} ran {state['dialogs']}"
    assert state["errors"] == [], f"{page.name} chart errors: {state['errors'][:2]}"
    assert state["drawn"] == state["charts"], f"{page.name}: {state['drawn']} of {state['charts']} charts drawn"
    return state


def test_seed_reports_draw_every_chart_offline(browser, seed_reports):
    pages = [p for p in seed_reports if p.name != "index.html"]
    assert pages
    for page in pages:
        state = _check_page(browser, page)
        if state["charts"]:
            assert _hover_tooltip(browser, 0), f"{page.name}: no tooltip on hovering the first chart"
    _check_page(browser, seed_reports[-1])  # index.html


def test_exploration_report_has_charts_and_tooltips(browser, seed_reports):
    page = next(p for p in seed_reports if p.name.startswith("01_"))
    state = _check_page(browser, page)
    assert state["charts"] >= 6
    from selenium.webdriver.common.by import By

    charts = browser.find_elements(By.CSS_SELECTOR, "div[id^='altair-viz-']")
    tips = [_hover_tooltip(browser, i) for i in range(len(charts))]
    assert any("uclgmeets" in t for t in tips), tips  # the hashtag chart's first bar


def test_hostile_feed_is_shown_as_text_and_nothing_runs(browser, hostile_reports):
    from selenium.webdriver.common.by import By

    for page in hostile_reports:
        state = _check_page(browser, page)
        assert state["dialogs"] == []
        text = browser.find_element(By.TAG_NAME, "body").text
        assert browser.execute_script("return document.querySelectorAll('img[src=x], a[href^=javascript]').length") == 0
        if page.name.startswith("01_"):
            assert "<script>alert(1)</script>" in text
            assert "<img src=x onerror=alert(1)>" in text
            assert '<b>Evil</b> Org <script>alert("name")</script>' in text
            assert "عربي" in text  # right-to-left hashtag, in the hashtag table
            # the longest-posts chart carries excerpts in its tooltips: the hostile text shows as text
            charts = browser.find_elements(By.CSS_SELECTOR, "div[id^='altair-viz-']")
            tips = [_hover_tooltip(browser, i) for i in range(len(charts))]
            assert any("<b>bold?</b>" in t for t in tips), tips


def test_only_placeholders_feed_reports_open(browser, tmp_path):
    pages = _build(FIXTURES / "only_placeholders.txt", tmp_path)
    empty = 0
    for page in pages:
        _check_page(browser, page)
        for text, has_tools in browser.execute_script(  # a table without rows says so, with no search box
            "return Array.from(document.querySelectorAll('td.feedtools-empty')).map(td => [td.innerText,"
            " !!td.closest('.feedtools-table-box').previousElementSibling?.matches('.feedtools-table-tools')]);"
        ):
            assert (text, has_tools) == ("No rows.", False)
            empty += 1
    assert empty >= 3  # nothing is loaded, so the per-post tables have no rows


# --- page looks: wrapping, legends, sortable tables ------------------------------------------------------------

#: A chart's spec in its script: Altair's default renderer (``…, {"mode": "vega-lite"});``) or the feedtools
#: renderer (``…, "altair-viz-N", "feedtools/vega.js");``, see feedtools.charts.render).
_SPEC = re.compile(r'\}\)\((\{"config".*?\}), (?:\{"mode": "vega-lite"\}|"[^"]*", "feedtools/vega\.js")\);\n')


def _specs(page: Path) -> list[dict]:
    """The Vega-Lite spec of each chart of ``page``, in page order (Altair writes one per chart script)."""
    return [json.loads(m.group(1)) for m in _SPEC.finditer(page.read_text(encoding="utf-8"))]


def _drawn_values(spec: dict) -> set[str]:
    """Every text value a chart can draw: the strings in its data, and the constants its layers compute."""
    values: set[str] = set()
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            values.update(str(v) for v in row.values() if v is not None)

    def walk(unit: dict) -> None:
        for t in unit.get("transform", []):
            if "calculate" in t:
                try:
                    values.add(str(json.loads(t["calculate"])))
                except ValueError:
                    pass
        for key in ("layer", "hconcat", "vconcat"):
            for sub in unit.get(key, []):
                walk(sub)

    walk(spec)
    return values


def _legend_labels(driver, index: int) -> list[str]:
    return driver.execute_script(
        "const c = document.querySelectorAll('div[id^=\"altair-viz-\"]')[arguments[0]];"
        "return Array.from(c.querySelectorAll('.role-legend-label text')).map(t => t.textContent);",
        index,
    )


def test_page_css_never_breaks_words_and_tables_scroll_in_their_box(browser, seed_reports):
    for page in seed_reports:
        _check_page(browser, page)
        found = browser.execute_script(
            "const bad = [];"
            "for (const sheet of document.styleSheets) { for (const rule of sheet.cssRules) {"
            "  if (rule.style && rule.style.wordBreak === 'break-all') bad.push(rule.selectorText); } }"
            "for (const el of document.querySelectorAll('pre, p, td, th, li')) {"
            "  if (getComputedStyle(el).wordBreak === 'break-all') { bad.push(el.tagName); break; } }"
            "return bad;"
        )
        assert found == [], f"{page.name}: word-break: break-all on {found[:3]}"
        assert "break-all" not in page.read_text(encoding="utf-8").split("</head>")[0], page.name
        if page.name == "index.html":
            continue
        boxes = browser.execute_script(
            "return Array.from(document.querySelectorAll('.feedtools-table-box')).map(b => {"
            " const th = b.querySelector('th'); const cs = getComputedStyle(b);"
            " return [cs.overflowX, th ? getComputedStyle(th).whiteSpace : 'nowrap',"
            "         b.querySelector('table').getBoundingClientRect().width > b.clientWidth + 1 ? 'wide' : 'fits'];});"
        )
        assert boxes, f"{page.name}: no tables"
        assert all(b[0] == "auto" and b[1] == "nowrap" for b in boxes), f"{page.name}: {boxes[:3]}"
    # the campaigns page has tables wider than the page: they scroll sideways instead of wrapping headers
    _open(browser, next(p for p in seed_reports if p.name.startswith("02_")))
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('.feedtools-table-box')).map(b => [b.scrollWidth, b.clientWidth]);"
    )
    assert any(sw > cw for sw, cw in widths)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_legends_list_only_categories_present_in_the_chart(browser, seed_reports):
    checked = 0
    for page in (p for p in seed_reports if p.name != "index.html"):
        state = _check_page(browser, page)
        specs = _specs(page)
        assert len(specs) == state["charts"], f"{page.name}: {len(specs)} specs for {state['charts']} charts"
        for i, spec in enumerate(specs):
            labels = [t for t in _legend_labels(browser, i) if not re.fullmatch(r"[\d.,\s-]+", t)]
            absent = [t for t in labels if t not in _drawn_values(spec)]
            assert absent == [], f"{page.name} chart {i + 1} ({spec.get('title')}): legend shows {absent}"
            checked += len(labels)
    assert checked >= 10  # the pages do have categorical legends


def _table_state(driver, index: int) -> dict:
    return driver.execute_script(
        "const t = document.querySelectorAll('table.feedtools-table')[arguments[0]];"
        "const rows = Array.from(t.tBodies[0].rows);"
        "return {headers: Array.from(t.tHead.rows[0].cells).map(c => c.textContent),"
        " rows: rows.filter(r => !r.hidden).map(r => Array.from(r.cells).map(c => c.textContent))};",
        index,
    )


def _click_header(driver, index: int, column: int) -> None:
    from selenium.webdriver.common.by import By

    table = driver.find_elements(By.CSS_SELECTOR, "table.feedtools-table")[index]
    header = table.find_elements(By.CSS_SELECTOR, "thead th")[column]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", header)
    header.click()


def _search(driver, index: int, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    table = driver.find_elements(By.CSS_SELECTOR, "table.feedtools-table")[index]
    box = driver.execute_script(  # the search box the page put just above this table's box
        "return arguments[0].closest('.feedtools-table-box').previousElementSibling.querySelector('input');", table
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)  # typed, so the page sees an input event as from a reader
    if text:
        box.send_keys(text)


def test_tables_sort_and_search_offline(browser, seed_reports):
    page = next(p for p in seed_reports if p.name.startswith("01_"))
    _check_page(browser, page)
    tables = browser.execute_script("return document.querySelectorAll('table.feedtools-table').length")
    with_rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('table.feedtools-table'))"
        ".filter(t => !t.querySelector('td.feedtools-empty')).length"
    )
    assert with_rows == browser.execute_script(
        "return document.querySelectorAll('.feedtools-table-tools input').length"
    )
    index = next(i for i in range(tables) if _table_state(browser, i)["headers"][:2] == ["hashtag", "posts"])
    before = _table_state(browser, index)["rows"]
    assert [int(r[1]) for r in before] == sorted((int(r[1]) for r in before), reverse=True)  # as the frame is
    _click_header(browser, index, 0)
    by_tag = _table_state(browser, index)["rows"]
    assert [r[0] for r in by_tag] == sorted(r[0] for r in before) != [r[0] for r in before]
    _click_header(browser, index, 1)  # numbers sort as numbers, ascending first
    ascending = [int(r[1]) for r in _table_state(browser, index)["rows"]]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    _click_header(browser, index, 1)
    assert [int(r[1]) for r in _table_state(browser, index)["rows"]] == sorted(ascending, reverse=True)
    assert (
        browser.execute_script(
            "return document.querySelectorAll('table.feedtools-table')[arguments[0]].tHead.rows[0].cells[1]"
            ".getAttribute('aria-sort')",
            index,
        )
        == "descending"
    )
    _search(browser, index, "LRGS")
    found = _table_state(browser, index)["rows"]
    assert found and all("lrgs" in " ".join(r).lower() for r in found) and len(found) < len(before)
    _search(browser, index, "")
    assert len(_table_state(browser, index)["rows"]) == len(before)


def test_hostile_text_stays_text_in_sortable_tables(browser, hostile_reports):
    evil = "<script>alert(1)</script>"
    seen = 0
    for page in (p for p in hostile_reports if p.name != "index.html"):
        _check_page(browser, page)
        tables = browser.execute_script("return document.querySelectorAll('table.feedtools-table').length")
        for index in range(tables):
            state = _table_state(browser, index)
            if not any(evil in cell for row in state["rows"] for cell in row):
                continue
            seen += 1  # textContent shows the tags themselves: the cell holds text, not an element
            for column in range(len(state["headers"])):
                _click_header(browser, index, column)
                _click_header(browser, index, column)
                assert any(evil in cell for row in _table_state(browser, index)["rows"] for cell in row)
            _search(browser, index, "<script>")
            rows = _table_state(browser, index)["rows"]
            assert rows and all("<script>" in " ".join(r) for r in rows)
            _search(browser, index, "")
        assert (
            browser.execute_script(
                "return document.querySelectorAll('table.feedtools-table script, table.feedtools-table img').length"
            )
            == 0
        )
        assert browser.execute_script("return window.__dialogs") == []
    assert seen >= 1
