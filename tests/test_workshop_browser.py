"""The workshop page in a real browser: served on localhost, driven by headless Chromium through Playwright.

Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it) and Solara's browser assets in the local
cache (fetched once with npm by :mod:`sim.workshop.offline_assets`). The test skips only when there is no
Chromium; with Chromium present, anything else missing is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.goals import load_goals

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("WORKSHOP_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    from sim.workshop import offline_assets

    try:
        offline_assets.fetch()
    except RuntimeError as exc:
        pytest.fail(f"Solara's browser assets are missing and could not be fetched: {exc}")
    port = _free_port()
    env = {**os.environ, "WORKSHOP_WEIGHT": "200", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    log = (tmp_path_factory.mktemp("workshop") / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "solara", "run", "sim/workshop/app.py", "--host", "127.0.0.1",
                             "--port", str(port), "--no-open", "--production"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"the workshop server did not start; see {log.name}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


def test_page_loads_steps_changes_a_lever_and_switches_language(page_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_url)
    month = page.locator(".ws-month")
    month.wait_for(timeout=60_000)
    assert month.inner_text() == "2015-12"
    first = load_goals()[0]
    row = page.locator(f"tr[data-goal='{first.goal_id}']")
    assert first.name_zh in row.inner_text()
    value_before = row.locator(".ws-value").inner_text()

    # a lever changes: switch the stations off; the page says it waits for the next month
    page.locator(".ws-lever-stations input[type=checkbox]").click()
    page.locator(".ws-pending").wait_for(timeout=10_000)

    # Step (Mesa's controller) advances the month; the scorecard and the change log update
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("document.querySelector('.ws-month').innerText === '2016-01'", timeout=20_000)
    assert row.locator(".ws-value").inner_text() != value_before
    assert "2016-01" in page.locator(".ws-status-card").inner_text()  # the change's month in the log
    assert page.locator(".ws-trajectories line.ws-change").count() >= 1  # and on the charts

    # the language switch changes the labels
    page.locator(".ws-lang-en").click()
    page.wait_for_function(f"document.querySelector(\"tr[data-goal='{first.goal_id}']\").innerText"
                           f".includes({first.name_en!r})", timeout=10_000)
    assert "Month" in page.locator(".ws-status").inner_text()
    assert "Goal" in page.locator(".ws-scorecard thead").inner_text()
    page.screenshot(path=str(tmp_path / "workshop.png"), full_page=True)
    assert not errors, errors
