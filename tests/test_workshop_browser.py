"""The workshop page in a real browser: served on localhost, driven by headless Chromium through Playwright.

Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it) and Solara's browser assets in the local
cache (fetched once with npm by :mod:`sim.workshop.offline_assets`). The test skips only when there is no
Chromium; with Chromium present, anything else missing is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.goals import load_goals

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # the fixture below skips then
    PlaywrightTimeout, expect = TimeoutError, None
from sim.i18n import t
from sim.population import COUNTIES, COUNTIES_EN

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


SHOTS = Path(os.environ.get("WORKSHOP_SHOTS", ROOT / "results" / "workshop_screens"))
# ASCII words a Chinese page may show: the language switch's own name; everything else must be translated
ALLOWED_ASCII = {"english", "a4"}  # the switch's own name; the paper size (Vuetify capitalises buttons)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(".ws-scorecard tr.ws-goal").first.wait_for(timeout=60_000)
    return page, errors, time.perf_counter() - t0


def _month(page, label: str, timeout: int = 60_000) -> None:
    page.wait_for_function(f"document.querySelector('.ws-month').innerText === {label!r}", timeout=timeout)


def _visible_text(page) -> str:
    """The page's visible text, including what an SVG says (county names) but not hover tooltips."""
    return page.evaluate("document.body.innerText")


def _shot(page, name: str, height: int = 3000) -> None:
    """A screenshot of the whole page: the page scrolls inside its own frame, so the window is made tall."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.mouse.move(0, 0)  # no tooltip from the last click
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    page.set_viewport_size(size)


def test_the_page_speaks_chinese_before_it_has_loaded(page_url):
    # what the browser shows while the page's scripts load: the tab's title and the loading screen
    html = urllib.request.urlopen(page_url, timeout=10).read().decode()
    assert f"<title>{t('title', 'zh')}</title>" in html
    loading = re.search(r'<h1 class="ws-loading">(.*?)</h1>', html)
    assert loading and loading[1].startswith("正在载入"), html[:2000]


def test_page_loads_in_chinese_with_the_map_and_plays_the_five_years(page_url, browser):
    page, errors, load_s = _open(browser, page_url)
    print(f"\nworkshop: scorecard visible {load_s:.1f} s after opening the page")
    assert page.locator(".ws-month").inner_text() == "2015-12"
    assert page.title() == t("title", "zh")

    # the map: the 9 county shapes of the boundary file, and every village as a dot
    assert page.locator(".ws-map path.ws-county").count() == 9
    hover = page.locator(".ws-map svg g title").first.text_content()
    assert hover.startswith(COUNTIES[0]) and "空白村" in hover

    # nothing in English but the language switch itself: Mesa's cards are gone, the controller speaks Chinese
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", _visible_text(page))}
    assert words <= ALLOWED_ASCII, words - ALLOWED_ASCII
    for gone in ("Play Interval", "Render Interval", "Use Threads", "Model Parameters", "Information"):
        assert gone not in page.content()
    _shot(page, "workshop_zh_start.png")

    t0 = time.perf_counter()
    page.locator(".ws-play").click()
    _month(page, "2020-12", timeout=180_000)
    play_s = time.perf_counter() - t0
    print(f"workshop: Play of the 60 months {play_s:.1f} s ({play_s / 60 * 1000:.0f} ms per month shown)")
    assert page.locator(".ws-map path.ws-villages-station").count() == 1  # stations opened over five years
    _shot(page, "workshop_zh_2020.png")

    # the map can also show where whole-village credit has reached
    page.locator(".ws-map-credit").click()
    page.locator(".ws-map[data-mode='credit']").wait_for(timeout=10_000)
    assert t("credit_done", "zh") in page.locator(".ws-map-legend").inner_text()
    assert page.locator(".ws-map path.ws-county").count() == 9

    # who is reached: the counties coloured by the chosen measure, the gaps now against the plan reference
    equity = page.locator(".ws-equity")
    assert equity.get_attribute("data-metric") == "share_with_loan"
    assert equity.locator("path.ws-eq-county").count() == 9
    fills = {equity.locator("path.ws-eq-county").nth(i).get_attribute("fill") for i in range(9)}
    assert len(fills) > 1  # the counties differ by 2020
    assert equity.locator("tr.ws-eq-gap").count() == 4
    assert t("eq_remote_near_gap", "zh") in equity.locator("table.ws-eq-gaps").inner_text()
    assert t("equity_plan", "zh") in equity.locator("table.ws-eq-gaps").inner_text()
    page.locator(".ws-eq-share_digital").click()
    page.locator(".ws-equity[data-metric='share_digital']").wait_for(timeout=10_000)
    assert t("eq_share_digital", "zh") in page.locator(".ws-eq-legend").inner_text()
    _shot(page, "workshop_zh_equity.png")
    assert not errors, errors


def test_lever_change_step_and_language_switch(page_url, browser):
    page, errors, _ = _open(browser, page_url)
    first = load_goals()[0]
    row = page.locator(f"tr[data-goal='{first.goal_id}']")
    assert first.name_zh in row.inner_text()
    value_before = row.locator(".ws-value").inner_text()

    # a lever changes: switch the stations off; the page says it waits for the next month
    page.locator(".ws-lever-stations input[type=checkbox]").click()
    page.locator(".ws-pending").wait_for(timeout=10_000)

    # Step advances the month; the scorecard and the change log update
    page.locator(".ws-step").click()
    _month(page, "2016-01", timeout=20_000)
    # each view is its own widget and they arrive one after the other: wait for each, do not sample once
    expect(row.locator(".ws-value")).not_to_have_text(value_before)
    expect(page.locator(".ws-status-card")).to_contain_text("2016-01")  # the change's month in the log
    expect(page.locator(".ws-trajectories line.ws-change").first).to_be_attached()  # and on the charts
    zh_text = _visible_text(page)

    # English: every label changes; what stays Chinese is only the switch's own "中文"
    page.locator(".ws-lang-en").click()
    page.wait_for_function(f"document.querySelector(\"tr[data-goal='{first.goal_id}']\").innerText"
                           f".includes({first.name_en!r})", timeout=10_000)
    # the widgets update one by one as the server redraws: wait until the last Chinese label is gone
    no_chinese = "!/[\\u4e00-\\u9fff]/.test(document.body.innerText.replaceAll('中文', ''))"
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(no_chinese, timeout=15_000)
    en_text = _visible_text(page)
    assert set(CJK.findall(en_text)) <= set("中文"), set(CJK.findall(en_text))
    assert page.title() == t("title", "en")
    assert "Month" in page.locator(".ws-status").inner_text()
    assert "Goal" in page.locator(".ws-scorecard thead").inner_text()
    assert COUNTIES_EN[0] in page.locator(".ws-map").inner_text()
    assert en_text != zh_text
    _shot(page, "workshop_en.png")
    assert not errors, errors


def _set_split_to_zero(page, lever: str) -> None:
    """Open the split and move one lever's share slider to 0 with the keyboard, as a user can."""
    split = page.locator(f".ws-split-{lever}")
    if not split.is_visible():
        page.get_by_text(t("split", "zh")).click()
    thumb = split.locator("[role=slider]")
    thumb.focus()
    thumb.press("Home")


def test_two_teams_the_odds_and_the_printable_handout(page_url, browser, tmp_path):
    page, errors, _ = _open(browser, page_url)
    # a second team, named by its table; it takes all station money elsewhere (share 0)
    page.locator(".ws-add-team").click()
    page.locator(".ws-team-1").wait_for(timeout=10_000)
    page.locator(".ws-team-name input").fill("台州队")
    page.locator(".ws-team-name input").press("Enter")
    page.wait_for_function("document.querySelector('.ws-scorecard thead').innerText.includes('台州队')",
                           timeout=10_000)
    _set_split_to_zero(page, "stations")
    page.locator(".ws-pending").wait_for(timeout=10_000)
    page.locator(".ws-review").click()
    _month(page, "2018-06")

    # both teams side by side, on the same seed; the split shows in the scorecard and the difference in goals
    expect(page.locator(".ws-scorecard td.ws-value[data-team='1']")).to_have_count(len(load_goals()))
    coverage = page.locator("tr[data-goal='village_coverage']")
    team_a, team_b = (coverage.locator(f"td.ws-value[data-team='{i}']") for i in (0, 1))
    # the scorecard widget may arrive just after the month: wait until it shows the teams apart
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "() => { const r = document.querySelector(\"tr[data-goal='village_coverage']\");"
            " const v = [...r.querySelectorAll('td.ws-value')].map(c => c.innerText); return v[0] !== v[1]; }",
            timeout=20_000)
    assert team_a.inner_text() != team_b.inner_text(), (team_a.inner_text(), team_b.inner_text())
    expect(page.locator(".ws-diff")).to_have_count(1)

    # the odds: computed in the background from an ensemble of seeds; the controls stay live meanwhile
    page.locator(".ws-odds-switch input").click()
    page.locator(".ws-step").click()  # not blocked by the ensemble
    _month(page, "2018-07", timeout=20_000)
    page.locator(".ws-odds-head").first.wait_for(timeout=120_000)
    assert page.locator(".ws-odds").count() == 2 * len(load_goals())
    _shot(page, "workshop_zh_teams_odds.png")

    # the export: one self-contained file with both teams, in Chinese, that prints on A4
    with page.expect_download(timeout=30_000) as dl:
        page.locator(".ws-export button").click()
    path = tmp_path / "handout.html"
    dl.value.save_as(path)
    handout = path.read_text(encoding="utf-8")
    assert "台州队" in handout and t("team_0", "zh") in handout
    assert "@page { size: A4" in handout and t("odds", "zh") in handout
    assert "http" not in re.sub(r"xmlns='[^']*'", "", handout)
    sheet = browser.new_page(viewport={"width": 711, "height": 1000})  # A4 less the handout's margins, at 96 dpi
    sheet.goto(path.as_uri())
    sheet.emulate_media(media="print")
    # nothing cut off at the right edge of the paper
    assert sheet.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    sheet.pdf(path=str(tmp_path / "handout.pdf"), format="A4")
    SHOTS.mkdir(parents=True, exist_ok=True)
    sheet.screenshot(path=str(SHOTS / "handout_zh_print.png"), full_page=True)
    assert not errors, errors
