"""The notebooks in a real JupyterLab, driven by headless Chromium, with nothing but 127.0.0.1 to talk to.

One JupyterLab server for the module, started from this Python environment as ``make lab``
starts it (the project's ``jupyter-config/`` on ``JUPYTER_CONFIG_PATH``), with HOME, the
Jupyter config/data/runtime folders, IPython's folder and JupyterLab's settings and
workspaces in a temporary folder (nothing reaches the user's profile), a free port and a
token. It serves a copy of ``notebooks/`` beside the project's ``data/`` (the seed copied).

* **Stored outputs, trusted** (``jupyter trust`` in the isolated profile): each committed
  notebook opens, without running, with every chart drawn (``<svg>``/``<canvas>``).
* **Stored outputs, untrusted**: every chart shows its static image.
* **Run All**: each numbered notebook runs in its kernel (after the kernel is really
  attached: "No Kernel" gone and the indicator idle); saved, the file has every code cell
  executed, no error output, and as many charts as the committed one; each chart is drawn.
* **Progress widget**: the bar ``feedtools.load`` shows on big feeds renders as a widget.
* **Offline**: no request or websocket from the page goes anywhere but 127.0.0.1.

Screenshots of a failing page are saved in the test's temporary folder (the path is in the
failure message). Chromium: Debian's ``chromium`` and ``chromium-driver`` via Selenium, as in
tests/test_report_browser.py (no extra dependency); without them the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, ROOT, SEED, chromium_skip_reason

import feedtools

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHART = "feedtools-chart"  # class of every chart container the feedtools renderer writes
RUN_TIMEOUT = 600

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _charts_in_file(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(
        str(o.get("data", {}).get("text/html", "")).count(f'class="{CHART}"')
        for c in nb.cells
        for o in c.get("outputs", [])
    )


class Lab:
    """A running JupyterLab: its URL, token, folders and log."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.root = tmp / "root"
        self.port = _free_port()
        self.token = os.urandom(16).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        profile = tmp / "profile"
        self.env = {
            **os.environ,
            "HOME": str(profile / "home"),
            "JUPYTER_CONFIG_DIR": str(profile / "config"),
            "JUPYTER_DATA_DIR": str(profile / "data"),
            "JUPYTER_RUNTIME_DIR": str(profile / "runtime"),
            "IPYTHONDIR": str(profile / "ipython"),
            "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config"),  # as `make lab`
            "JUPYTER_PLATFORM_DIRS": "1",
            # the server extension and the kernels import the feedtools this test imports
            "PYTHONPATH": os.pathsep.join([str(Path(feedtools.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]),
        }
        self.env.pop("JUPYTER_PATH", None)
        self.settings = profile / "lab-settings"
        self.workspaces = profile / "lab-workspaces"
        for d in ("home", "config", "data", "runtime", "ipython", "lab-settings", "lab-workspaces"):
            (profile / d).mkdir(parents=True, exist_ok=True)
        notification = self.settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True)
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        self.log = tmp / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self.shots: Path | None = None  # screenshots of failures

    def start(self) -> None:
        args = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self.settings}",
            f"--LabApp.workspaces_dir={self.workspaces}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")  # CI and these machines run as root
        self.proc = subprocess.Popen(
            args, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 240  # 3-10 s on a quiet machine; a minute seen with both cores busy
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.proc.returncode}); log: {self.log}")
            try:
                with urllib.request.urlopen(self.api("status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer in 240 s; log: {self.log}")

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path}?token={self.token}"

    def stop(self) -> None:
        """POST /api/shutdown (server and kernels), then make sure the process is gone."""
        if self.proc is None:
            return
        try:
            urllib.request.urlopen(urllib.request.Request(self.api("shutdown"), method="POST"), timeout=10).close()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def trust(self, *paths: Path) -> None:
        """``jupyter trust`` in the isolated profile (its signatures live in the temporary data folder)."""
        subprocess.run(
            [sys.executable, "-m", "jupyter", "trust", *map(str, paths)],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = chromium_skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("jupyterlab")
    server = Lab(tmp)
    # the server's root: notebooks/ (copies of the committed .ipynb) beside data/ (links; the seed copied)
    nbdir = server.root / "notebooks"
    nbdir.mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, nbdir / name)
    data = server.root / "data"
    (data / "raw").mkdir(parents=True)
    (data / "processed").mkdir()
    for entry in (ROOT / "data").iterdir():
        if entry.name not in ("raw", "processed"):
            (data / entry.name).symlink_to(entry)
    shutil.copy(SEED, data / "raw" / SEED.name)
    server.trust(*(nbdir / name for name in NOTEBOOKS))  # the committed copies; Run All tests reopen them
    start = time.monotonic()
    server.start()
    print(f"\nJupyterLab ready in {time.monotonic() - start:.1f} s at {server.url} (log {server.log})")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
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
        "--window-size=1400,1000",
        f"--user-data-dir={lab.tmp / 'chromium'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.set_script_timeout(30)
    driver.requests = []  # every URL the pages asked for (HTTP and websockets), from the performance log
    yield driver
    driver.quit()


def _collect_requests(driver) -> list[str]:
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            driver.requests.append(msg["params"]["request"]["url"])
        elif msg["method"] == "Network.webSocketCreated":
            driver.requests.append(msg["params"]["url"])
    return driver.requests


def _outside(urls: list[str]) -> list[str]:
    """The network requests (http, ws, ftp) in ``urls`` to anywhere but 127.0.0.1 (data:, blob:, chrome: stay)."""
    return [
        u
        for u in urls
        if urlparse(u).scheme in ("http", "https", "ws", "wss", "ftp") and urlparse(u).hostname != "127.0.0.1"
    ]


def _screenshot(driver, lab: Lab, name: str) -> Path:
    """Save what the page shows in a folder of its own (pytest's temporary folders are rotated away)."""
    if lab.shots is None:
        lab.shots = Path(tempfile.mkdtemp(prefix="feedtools-jupyterlab-failures-"))
    path = lab.shots / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def _wait(driver, lab: Lab, name: str, what: str, script: str, timeout: float):
    """Poll ``script`` (returning JSON with ``done``) until done; on time-out, screenshot and fail."""
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = json.loads(driver.execute_script(script))
        if state.get("done"):
            return state
        time.sleep(0.5)
    shot = _screenshot(driver, lab, name)
    pytest.fail(f"{name}: {what} not reached in {timeout:.0f} s: {state}; screenshot {shot}; log {lab.log}")


def _chart_state(expected: int, drawn: bool) -> str:
    """JS: the charts in the page; done when at least ``expected`` are there, all drawn (or all static images)."""
    return f"""
const c = Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output .{CHART}'));
const drawn = c.filter(e => e.querySelector('svg, canvas'));
const statics = c.filter(e => e.querySelector('img.feedtools-static[src^="data:image/svg+xml"]'));
return JSON.stringify({{charts: c.length, drawn: drawn.length, statics: statics.length,
  because: c.map(e => e.getAttribute('data-static-because')).filter(Boolean).slice(0, 2),
  done: c.length >= {expected} && {"drawn" if drawn else "statics"}.length === c.length}});
"""


_KERNEL_READY = """
const name = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName');
const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
const kernel = name ? name.innerText.trim() : '';
const status = ind ? ind.getAttribute('data-status') : '';
return JSON.stringify({kernel, status, done: !!kernel && kernel !== 'No Kernel' && status === 'idle'});
"""

_RUN_STATE = """
const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt'))
  .map(p => p.textContent.trim());  // innerText is '' for cells the browser skips rendering off screen
const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
const status = ind ? ind.getAttribute('data-status') : '';
const pending = prompts.filter(p => !/^\\[\\d+\\]:$/.test(p));
return JSON.stringify({cells: prompts.length, pending: pending.length, status,
  done: prompts.length > 0 && pending.length === 0 && status === 'idle'});
"""


def _open(driver, lab: Lab, name: str) -> None:
    driver.get(f"{lab.url}/lab/tree/notebooks/{name}?reset&token={lab.token}")
    _wait(
        driver,
        lab,
        name,
        "notebook shown",
        "return JSON.stringify({done: !!document.querySelector('.jp-NotebookPanel .jp-Cell')});",
        90,
    )


def _menu(driver, menu: str, label: str) -> None:
    """Click ``menu`` in the menu bar, then its item labelled ``label`` (as a person would)."""
    from selenium.webdriver.common.by import By

    for item in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item"):
        if item.text.strip() == menu:
            item.click()
            break
    else:
        raise AssertionError(f"no {menu} menu")
    for _ in range(20):
        for item in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-item .lm-Menu-itemLabel"):
            if item.text.strip() == label:
                item.click()
                return
        time.sleep(0.25)
    raise AssertionError(f"no {label!r} in the {menu} menu")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_charts_draw_when_trusted(lab, browser, name):
    """A committed notebook, trusted, opened without running: every stored chart is drawn, offline."""
    path = lab.root / "notebooks" / name
    expected = _charts_in_file(path)
    _open(browser, lab, name)
    assert expected > 0, f"{name} stores no chart of the feedtools renderer: regenerate it (make notebooks)"
    state = _wait(browser, lab, f"stored-{name}", "every stored chart drawn", _chart_state(expected, True), 60)
    assert state["charts"] == expected
    assert _outside(_collect_requests(browser)) == []


def test_untrusted_stored_charts_show_their_static_image(lab, browser, tmp_path):
    """Untrusted, JupyterLab runs no script: each stored chart shows its SVG image instead (not a blank)."""
    name = NOTEBOOKS[-1]
    copy = lab.root / "notebooks" / f"untrusted_{name}"
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    nb.metadata["untrusted_copy"] = True  # trust is by content: a byte-identical copy of a trusted file is trusted
    nbformat.write(nb, copy)
    expected = _charts_in_file(copy)
    assert expected > 0
    _open(browser, lab, copy.name)
    state = _wait(
        browser, lab, f"untrusted-{name}", "every chart's static image shown", _chart_state(expected, False), 60
    )
    assert (state["charts"], state["drawn"]) == (expected, 0)
    assert _outside(_collect_requests(browser)) == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_runs_every_cell_and_draws_every_chart(lab, browser, name):
    """Run All in a fresh kernel: every code cell ran, no error, every chart drawn, nothing fetched from outside."""
    path = lab.root / "notebooks" / name
    expected = _charts_in_file(ROOT / "notebooks" / name)
    _open(browser, lab, name)
    # "No Kernel" shows for a moment while the indicator already says idle: a Run All then is dropped
    _wait(browser, lab, f"kernel-{name}", "kernel attached and idle", _KERNEL_READY, 120)
    before = path.stat().st_mtime_ns
    _menu(browser, "Run", "Run All Cells")
    _wait(browser, lab, f"run-{name}", "every cell run and the kernel idle", _RUN_STATE, RUN_TIMEOUT)
    _wait(browser, lab, f"charts-{name}", "every chart drawn", _chart_state(expected, True), 60)
    _menu(browser, "File", "Save Notebook")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.3)
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "a code cell did not run"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == [], f"{name}: {errors[0].ename}: {errors[0].evalue}" if errors else ""
    assert _charts_in_file(path) == expected
    assert _outside(_collect_requests(browser)) == []


def test_progress_bar_renders_as_a_widget(lab, browser):
    """The progress bar ``feedtools.load`` shows on big feeds (tqdm.auto) is a live widget in JupyterLab."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from feedtools.pipeline import _progress_bar\nbar = _progress_bar(1000, 'feed.jsonl')\nbar.update(250)\n"
            "bar.refresh()"
        )
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, lab.root / "notebooks" / "progress.ipynb")
    _open(browser, lab, "progress.ipynb")
    _wait(browser, lab, "kernel-progress", "kernel attached and idle", _KERNEL_READY, 120)
    _menu(browser, "Run", "Run All Cells")
    _wait(browser, lab, "run-progress", "the cell run", _RUN_STATE, 120)
    state = _wait(
        browser,
        lab,
        "progress-widget",
        "a progress widget",
        """
const bar = document.querySelector('.jp-OutputArea-output .widget-hprogress, .jp-OutputArea-output progress');
const out = document.querySelector('.jp-OutputArea-output .jupyter-widgets');
return JSON.stringify({done: !!bar, text: out ? out.textContent : ''});""",
        30,
    )
    text = " ".join(state["text"].split())  # tqdm pads with figure spaces (U+2007)
    assert "enriching feed.jsonl:" in text and "250/1.00k" in text
    assert _outside(_collect_requests(browser)) == []
