"""Workshop speed: model time per month, the page's time per month, and (with --browser) Play in Chromium.

    python benchmarks/workshop_step.py             # model step and page frame, default workshop scale
    python benchmarks/workshop_step.py --browser   # also serve the page and time Play of 60 months

Prints milliseconds per step. The budget: a step at most 50 ms of model time; the scorecard within 5 s of opening
the page; Play of the five years under 8 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import solara

from sim.i18n import t as text
from sim.workshop import odds, views
from sim.workshop.model import DEFAULT_WEIGHT, WorkshopModel, reference_records

ROOT = Path(__file__).resolve().parent.parent


def _summary(name: str, ms: list[float]) -> None:
    print(f"{name:<34} mean {statistics.mean(ms):7.1f} ms   median {statistics.median(ms):7.1f}   "
          f"max {max(ms):7.1f}   n={len(ms)}")


def model_steps(weight: float) -> None:
    t0 = time.perf_counter()
    m = WorkshopModel(scenario="plan", seed=0, weight=weight)
    print(f"build model (weight {weight:g}, {m.households.n:,} household rows): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    reference_records(0, weight)
    print(f"plan reference run (once per seed): {time.perf_counter() - t0:.2f} s")
    ms = []
    for _ in range(m.cfg.months):
        t = time.perf_counter()
        m.step()
        ms.append((time.perf_counter() - t) * 1000)
    _summary("model step (one month)", ms)
    frame = []
    for _ in range(5):
        t = time.perf_counter()
        for f in (views.status_html, views.scorecard_html, views.trajectories_html, views.money_html,
                  views.map_html):
            f(m, "zh")
        frame.append((time.perf_counter() - t) * 1000)
    _summary("views (HTML of one frame)", frame)


def ensemble_odds() -> None:
    t0 = time.perf_counter()
    odds.ensemble("plan", ())
    print(f"odds: {len(odds.SEEDS)} seeds at weight {odds.WEIGHT:g} to 2020-12 in one process: "
          f"{time.perf_counter() - t0:.1f} s")


def page_frames(weight: float) -> None:
    from sim.workshop import app  # imported here: it warms the plan reference up, which model_steps times

    app.WEIGHT = weight
    with contextlib.redirect_stdout(io.StringIO()):  # see below
        _box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    step = rc.find(v.Btn, children=[text("step", "zh")]).widget
    ms = []
    # outside a notebook, ipywidgets prints the repr of each element it would display: not a figure
    with contextlib.redirect_stdout(io.StringIO()):
        for _ in range(60):
            t = time.perf_counter()
            step.click()
            ms.append((time.perf_counter() - t) * 1000)
    _summary("page Step (model + re-render)", ms)
    print(f"  -> 60 months of Play take about {sum(ms) / 1000 + 60 * app.DEFAULT_INTERVAL_MS / 1000:.1f} s "
          f"at the default {app.DEFAULT_INTERVAL_MS} ms interval (server side, before the browser draws)")
    rc.close()


def browser_play(weight: float) -> None:
    from playwright.sync_api import sync_playwright

    port = 8799
    env = {**os.environ, "WORKSHOP_WEIGHT": str(weight), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "solara", "run", "sim/workshop/app.py", "--host", "127.0.0.1",
                             "--port", str(port), "--no-open", "--production"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            page = b.new_page(viewport={"width": 1600, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url)
            page.locator(".ws-scorecard tr.ws-goal").first.wait_for(timeout=60_000)
            print(f"page load to first scorecard: {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            page.locator(".ws-play").click()
            page.wait_for_function("document.querySelector('.ws-month').innerText === '2020-12'", timeout=180_000)
            play = time.perf_counter() - t0
            from sim.workshop.app import DEFAULT_INTERVAL_MS

            print(f"Play 2016-01..2020-12 in Chromium: {play:.1f} s ({play / 60 * 1000:.0f} ms per month shown, "
                  f"{DEFAULT_INTERVAL_MS} ms of it the play interval)")
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weight", type=float, default=DEFAULT_WEIGHT, help="households per row (default %(default)s)")
    parser.add_argument("--browser", action="store_true", help="also time Play in headless Chromium")
    args = parser.parse_args()
    model_steps(args.weight)
    ensemble_odds()
    page_frames(args.weight)
    if args.browser:
        browser_play(args.weight)


if __name__ == "__main__":
    main()
