"""The reports in a real browser: headless Chromium opens every page from file:// with the network off.

Checks, per page: every Altair chart container drew an <svg> or <canvas>; the console
shows no errors; no request went anywhere but the local file (and inline data:
URLs); no alert/confirm/prompt ran. On the hostile feed: the literal `<script>` text
is visible on the page and in a chart tooltip; on every page a chart tooltip shows
text when a bar is hovered.

Chromium comes from Debian's `chromium` and `chromium-driver` packages
(scripts/ensure-chromium.sh, called by `make test`); without them the tests skip and
say why.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
REMOTE_SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "headless Chromium not installed (/usr/bin/chromium; run scripts/ensure-chromium.sh)"
    if not Path(CHROMEDRIVER).exists():
        return "chromedriver not installed (Debian package chromium-driver; run scripts/ensure-chromium.sh)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1200,900", f"--user-data-dir={profile}",
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
        {"source": "window.__dialogs = []; for (const f of ['alert', 'confirm', 'prompt']) "
                   "{ window[f] = (m) => { window.__dialogs.push(f + ':' + m); }; }"},
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
        state = json.loads(driver.execute_script(
            "const c = Array.from(document.querySelectorAll('div[id^=\"altair-viz-\"]'));"
            "return JSON.stringify({charts: c.length,"
            " drawn: c.filter(e => e.querySelector('svg, canvas')).length,"
            " errors: c.filter(e => e.querySelector('.error')).map(e => e.innerText),"
            " ready: document.readyState});"))
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
            "return t && t.classList.contains('visible') ? t.innerText : '';")
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
    assert "uclgmeets" in _hover_tooltip(browser, 1)  # the hashtag chart's first bar


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
    for page in pages:
        _check_page(browser, page)
