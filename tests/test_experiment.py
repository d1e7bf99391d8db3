"""Experiments: statistics against scipy, paired comparisons, budget brackets, launchers, resume, bad input.

The end-to-end tests run the real apps at a small scale (one row per 1,000 households, 3 replications).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import simulate
from sim.experiment import stats as xstats
from sim.experiment.analysis import least_budget, paired, summarise
from sim.experiment.budget import allocation_overrides
from sim.experiment.store import RUNS_DIR, replication_seeds
from sim.run import ROOT

SMALL = ["scenarios=[no_program,plan]", "replications=3", "population.weight=2000", "report=false",
         "progress=false"]
N_RUNS = 6
TABLES = ("summary.csv", "paired.csv")


def run_app(kind: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, f"experiments/{kind}.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def read_tables(exp: Path) -> dict[str, pd.DataFrame]:
    out = {name: pd.read_csv(exp / name) for name in TABLES}
    runs = pd.read_parquet(exp / "runs.parquet")
    # wall time is not a result; run keys include the code version, which others' commits may move meanwhile
    out["runs"] = runs[runs["name"] != "wall_time_s"].drop(columns="run_key").reset_index(drop=True)
    out["summary"] = out["summary.csv"][out["summary.csv"]["goal_id"] != "wall_time_s"].reset_index(drop=True)
    del out["summary.csv"]
    return out


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = read_tables(a), read_tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=False, rtol=1e-12, obj=name)


# ---------------------------------------------------------------- statistics against scipy
DATA = np.array([3.1, 2.7, 4.4, 3.9, 2.2, 3.3, 5.0, 3.6])


def test_mean_ci_matches_scipy():
    mean, low, high = xstats.mean_ci(DATA, 0.95)
    ref = stats.t.interval(0.95, len(DATA) - 1, loc=DATA.mean(), scale=stats.sem(DATA))
    assert mean == pytest.approx(DATA.mean())
    assert (low, high) == pytest.approx(ref, rel=1e-12)
    _, low90, high90 = xstats.mean_ci(DATA, 0.90)
    assert low < low90 < high90 < high


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (17, 50), (49, 50), (1, 2)])
def test_proportion_ci_matches_scipy(k, n):
    for method, scipy_method in (("wilson", "wilson"), ("clopper_pearson", "exact")):
        p, low, high = xstats.proportion_ci(k, n, 0.95, method)
        ref = stats.binomtest(k, n).proportion_ci(0.95, method=scipy_method)
        assert p == k / n
        assert (low, high) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_bounded_mean_ci_known_answers():
    """Worked by hand: t(0.975, 2) = 4.302653; the delta method's standard error on the logit and log scales."""
    # shares 0.2, 0.4, 0.6: logit(0.4) -/+ 4.302653 * (0.2 / sqrt 3) / (0.4 * 0.6), back through the logistic
    mean, low, high, method = xstats.bounded_mean_ci(np.array([0.2, 0.4, 0.6]), 0.95, share=True)
    assert method == "logit_t" and mean == pytest.approx(0.4)
    assert (low, high) == pytest.approx((0.0775880, 0.8408612), rel=1e-6)
    # counts 1, 2, 4: log(7/3) -/+ 4.302653 * (sd / sqrt 3) / (7/3), back through exp
    mean, low, high, method = xstats.bounded_mean_ci(np.array([1.0, 2.0, 4.0]), 0.95)
    assert method == "log_t" and mean == pytest.approx(7 / 3)
    assert (low, high) == pytest.approx((0.4588867, 11.864464), rel=1e-6)
    # values of both signs keep the plain t interval
    assert xstats.bounded_mean_ci(DATA - 3.5, 0.95)[1:] == pytest.approx((*xstats.mean_ci(DATA - 3.5, 0.95)[1:], "t"))


def test_intervals_stay_in_range_where_the_t_interval_leaves_it():
    coverage = np.array([0.97, 1.0, 1.0, 1.0, 0.99])  # village coverage near its ceiling
    assert xstats.mean_ci(coverage)[2] > 1
    mean, low, high, _ = xstats.bounded_mean_ci(coverage, 0.95, share=True)
    assert 0 < low < mean < high < 1
    blank = np.array([0.0, 0.0, 0.0, 12.0, 5.0])  # blank villages: a count near 0
    assert xstats.mean_ci(blank)[1] < 0
    mean, low, high, _ = xstats.bounded_mean_ci(blank, 0.95)
    assert 0 < low < mean < high
    assert xstats.bounded_mean_ci(np.ones(4), 0.95, share=True)[1:3] == (1.0, 1.0)  # all met: nothing to vary
    assert xstats.bounded_mean_ci(np.zeros(4), 0.95)[1:3] == (0.0, 0.0)


def test_paired_proportion_difference_known_answer():
    """Cavo et al. (2012) as in Fagerland, Lydersen & Laake (2017), ch. 8: 59 both, 6 only before, 16 only after,
    80 neither; Newcombe's square-and-add interval for the paired difference is -0.0621 (-0.1186 to -0.0046)."""
    a = np.array([1] * 59 + [1] * 6 + [0] * 16 + [0] * 80)
    b = np.array([1] * 59 + [0] * 6 + [1] * 16 + [0] * 80)
    d = xstats.paired_proportion_diff(a, b, 0.95)
    assert d["diff_mean"] == pytest.approx(-0.0621, abs=5e-5)
    assert (d["diff_ci_low"], d["diff_ci_high"]) == pytest.approx((-0.1186, -0.0046), abs=5e-5)
    # two replications, one met only by the scenario: the t interval spans [-5.9, 6.9], this one stays in [-1, 1]
    few = xstats.paired_proportion_diff(np.array([1, 0]), np.array([0, 0]), 0.95)
    assert xstats.paired_diff(np.array([1, 0]), np.array([0, 0]))["diff_ci_high"] > 1
    assert -1 <= few["diff_ci_low"] < few["diff_mean"] < few["diff_ci_high"] <= 1


def test_summary_states_the_interval_method():
    runs = _toy_runs()
    share = runs[runs["name"] == "lectures_cum"].assign(name="village_coverage", target=1.0)
    share["value"] = np.where(share["replication"] % 2 == 0, 0.97, 1.0)  # near the ceiling: t would pass 1
    summary = summarise(pd.concat([runs, share]), ["scenario"], 0.95, "wilson").set_index(["scenario", "goal_id"])
    assert summary.loc[("A", "village_coverage"), "ci_method"] == "logit_t"
    assert summary.loc[("A", "lectures_cum"), "ci_method"] == "log_t"
    assert summary.loc[("A", "lectures_cum"), "p_met_method"] == "wilson"
    assert (summary["ci_low"] >= 0).all()
    cov = summary.loc[("A", "village_coverage")]
    assert 0 < cov["ci_low"] < cov["mean"] < cov["ci_high"] < 1
    pairs = paired(runs, "scenario", "A", 0.95)
    assert set(pairs.loc[pairs["kind"] == "goal", "p_met_diff_method"]) == {"newcombe_paired"}


def test_paired_toy_case_known_answer():
    """B = A + 1 seed by seed: the paired interval is exactly [1, 1] although A alone is very noisy."""
    rng = np.random.default_rng(0)
    a = rng.normal(0, 10, size=30)
    d = xstats.paired_diff(a + 1.0, a, 0.95)
    assert d["diff_mean"] == pytest.approx(1.0)
    assert d["diff_ci_low"] == pytest.approx(1.0) and d["diff_ci_high"] == pytest.approx(1.0)
    b = a + 1.0 + rng.normal(0, 0.1, 30)
    noisy = xstats.paired_diff(b, a, 0.95)
    assert noisy["diff_ci_low"] < 1.0 < noisy["diff_ci_high"] and noisy["diff_ci_high"] - noisy["diff_ci_low"] < 0.2
    assert noisy["p_value"] == pytest.approx(stats.ttest_rel(b, a).pvalue)
    unpaired = xstats.mean_ci(b, 0.95)[2] - xstats.mean_ci(b, 0.95)[1]
    assert unpaired > 50 * (noisy["diff_ci_high"] - noisy["diff_ci_low"])  # what pairing buys


def _toy_runs() -> pd.DataFrame:
    """Two scenarios x 4 seeds: B raises the goal value by 2 and spends 100 more, seed by seed."""
    rows = []
    for rep in range(4):
        base = 10.0 + 5 * rep
        for scen, value, spend in (("A", base, 1000.0 + rep), ("B", base + 2.0, 1100.0 + rep)):
            met = value >= 17
            rows.append({"scenario": scen, "replication": rep, "seed": 100 + rep, "run_key": f"{scen}{rep}",
                         "kind": "goal", "name": "lectures_cum", "value": value, "target": 17.0,
                         "comparison": ">=", "attainment": value / 17, "met": met})
            rows.append({"scenario": scen, "replication": rep, "seed": 100 + rep, "run_key": f"{scen}{rep}",
                         "kind": "metric", "name": "spent_cny", "value": spend, "target": np.nan,
                         "comparison": "", "attainment": np.nan, "met": pd.NA})
    return pd.DataFrame(rows)


def test_paired_table_and_cost_per_unit_on_toy_runs():
    runs = _toy_runs()
    pairs = paired(runs, "scenario", "A", 0.95).set_index("goal_id")
    g = pairs.loc["lectures_cum"]
    assert g["diff_mean"] == pytest.approx(2.0)
    assert g["diff_ci_low"] == pytest.approx(2.0) and g["diff_ci_high"] == pytest.approx(2.0)
    assert g["share_better"] == 1.0
    assert g["cost_per_unit_cny"] == pytest.approx(100.0 / 2.0)
    assert g["p_met"] - g["p_met_reference"] == pytest.approx(g["p_met_diff"])
    summary = summarise(runs, ["scenario"], 0.95, "wilson").set_index(["scenario", "goal_id"])
    s = summary.loc[("B", "lectures_cum")]
    assert s["p_met"] == pytest.approx(3 / 4)  # values 12, 17, 22, 27 against at least 17
    ref = stats.binomtest(3, 4).proportion_ci(0.95, method="wilson")
    assert (s["p_met_low"], s["p_met_high"]) == pytest.approx((ref.low, ref.high))


def _sweep(p_met: list[float], p_low: list[float] | None = None) -> pd.DataFrame:
    totals = [1e8, 3e8, 6e8, 9e8]
    return pd.DataFrame({"scenario": "plan", "allocation": "as_planned", "total_cny": totals, "kind": "goal",
                         "goal_id": "g", "p_met": p_met, "p_met_low": p_low or [x - 0.2 for x in p_met]})


@pytest.mark.parametrize(
    ("p_met", "status", "least", "interp"),
    [
        ([0.1, 0.5, 0.9, 1.0], "bracketed", 6e8, 3e8 + (0.8 - 0.5) / (0.9 - 0.5) * 3e8),
        ([0.85, 0.9, 0.95, 1.0], "at_or_below_sweep", 1e8, np.nan),
        ([0.1, 0.2, 0.3, 0.7], "not_reached", np.nan, np.nan),
        ([0.9, 0.5, 0.85, 0.95], "bracketed", 6e8, 3e8 + (0.8 - 0.5) / (0.85 - 0.5) * 3e8),  # must stay met
    ],
)
def test_least_budget(p_met, status, least, interp):
    row = least_budget(_sweep(p_met), ["scenario", "allocation"], 0.8).iloc[0]
    assert row["status"] == status
    np.testing.assert_allclose([row["least_total_cny"], row["interpolated_cny"]], [least, interp])


def test_allocation_overrides_keep_named_shares_and_proportions():
    scen = {"stations": 0.4, "fee_waivers": 0.2, "lectures": 0.4}
    pairs = (o.removeprefix("budget.allocation.").split("=") for o in allocation_overrides(scen, {"stations": 0.6}))
    shares = {k: float(v) for k, v in pairs}
    assert shares["stations"] == pytest.approx(0.6)
    assert shares["fee_waivers"] == pytest.approx(0.4 * 0.2 / 0.6)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert allocation_overrides(scen, {}) == []
    assert "+budget.allocation.devices=0.1" in allocation_overrides(scen, {"devices": 0.1})


def test_seeds_come_from_one_seed_sequence():
    seeds = replication_seeds(7, 5)
    children = np.random.SeedSequence(7).spawn(5)
    assert seeds == [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert replication_seeds(7, 8)[:5] == seeds  # more replications keep the runs already done
    assert len(set(seeds)) == 5


# ---------------------------------------------------------------- the apps end to end
@pytest.fixture(scope="module")
def sequential(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seq")
    r = run_app("compare", *SMALL, f"out_root={root}", "name=x", "hydra/launcher=basic", "report=true")
    assert r.returncode == 0, r.stderr
    return root / "x"


def test_compare_writes_tables_report_and_provenance(sequential):
    for name in ("runs.parquet", "monthly.parquet", "summary.csv", "paired.csv", "equity.csv", "runs_index.csv",
                 "report.html", "config.yaml", "seeds.csv", "provenance.json", "figures/attainment.png",
                 "figures/trajectories.png", "figures/paired.png"):
        assert (sequential / name).exists(), name
    summary = pd.read_csv(sequential / "summary.csv")
    assert {"scenario", "goal_id", "mean", "ci_low", "ci_high", "p_met", "p_met_low", "p_met_high"} <= set(summary)
    assert ((summary["ci_low"] <= summary["mean"] + 1e-9) & (summary["mean"] <= summary["ci_high"] + 1e-9)).all()
    runs = pd.read_parquet(sequential / "runs.parquet")
    assert runs["run_key"].nunique() == N_RUNS
    # common random numbers: every scenario ran the same seeds, the ones of seeds.csv
    seeds = runs.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds["plan"] == seeds["no_program"] == sorted(pd.read_csv(sequential / "seeds.csv")["seed"])
    # the equity gaps at the end of 2020: 12 per run, summarised per scenario and paired against the reference
    assert runs[runs["kind"] == "equity"].groupby("run_key").size().eq(12).all()
    equity = pd.read_csv(sequential / "equity.csv").set_index(["scenario", "measure"])
    for scenario in ("plan", "no_program"):
        for measure in ("remote_near_gap_loan", "bottom_top_gap_loan", "remote_near_gap_line", "bottom_top_gap_line"):
            row = equity.loc[(scenario, measure)]
            assert row["ci_low"] <= row["mean"] <= row["ci_high"], (scenario, measure)
    paired_ = equity.loc["no_program"]
    assert (paired_["reference"] == "plan").all()
    assert (paired_["diff_ci_low"] <= paired_["diff_mean"]).all()
    assert (paired_["diff_mean"] <= paired_["diff_ci_high"]).all()
    gap = runs[runs["name"] == "remote_near_gap_loan"].pivot(index="seed", columns="scenario", values="value")
    assert paired_.loc["remote_near_gap_loan", "diff_mean"] == pytest.approx((gap["no_program"] - gap["plan"]).mean())
    html = (sequential / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and "src=\"figures/" not in html
    assert "code_version" in (sequential / "provenance.json").read_text()


def _report_text(path: Path) -> str:
    """report.html without its embedded images, tags and styles: what a reader reads."""
    import html as html_lib
    import re

    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text())
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "\n", text))


def _no_scientific_notation(text: str) -> None:
    import re

    # the provenance at the end repeats the command and config as typed; tables and findings come before it
    body = text.split("来源与版本")[0].split("Provenance")[0]
    assert not re.search(r"\d[eE][+-]?\d", body), re.search(r".{40}\d[eE][+-]?\d.{20}", body)


def test_compare_report_opens_with_findings_in_chinese(sequential):
    text = _report_text(sequential / "report.html")
    headings = [line for line in text.split("\n") if line in ("主要发现", "方法说明", "各目标的达标概率")]
    assert headings == ["主要发现", "各目标的达标概率", "方法说明"]  # findings first, method notes last
    findings = text.split("主要发现")[1].split("各目标的达标概率")[0]
    assert "规划（plan）：" in findings and "逐种子配对比较" in findings
    assert "偏远村与近村之差（有贷款的家庭占比）" in findings  # who is reached, against the reference
    assert "普惠到谁：2020 年末的差距" in text
    assert "普惠金融讲堂" in text and "lectures_cum" in text  # the name, and the id in small print
    assert "≥ 9 亿元" in text and "≥ 100 亿元" in text  # targets of 9e8 and 1e10 CNY
    _no_scientific_notation(text)


def test_compare_report_in_english(sequential):
    out_root = sequential.parent
    r = run_app("compare", *SMALL, f"out_root={out_root}", "name=en", "hydra/launcher=basic", "report=true",
                "lang=en")
    assert r.returncode == 0, r.stderr
    text = _report_text(out_root / "en" / "report.html")
    assert text.index("Findings") < text.index("Probability of meeting each goal") < text.index("Method notes")
    assert "Financial-literacy lectures held 2016-2020" in text and "≥ 900 million CNY" in text
    assert "普惠金融讲堂" not in text
    assert "remote–near gap in households with a loan" in text and "Who is reached" in text
    _no_scientific_notation(text)


def test_a_recorded_command_reproduces_its_run(sequential):
    index = pd.read_csv(sequential / "runs_index.csv")
    row = index[index["scenario"] == "plan"].iloc[1]
    overrides = shlex.split(row["command"])[3:]  # after "python -m sim"
    card = simulate(overrides).scorecard.set_index("goal_id")["value"]
    runs = pd.read_parquet(sequential / "runs.parquet")
    got = runs[(runs["run_key"] == row["run_key"]) & (runs["kind"] == "goal")].set_index("name")["value"]
    pd.testing.assert_series_equal(got.sort_index(), card.sort_index(), check_names=False)


def test_joblib_launcher_gives_the_sequential_numbers(sequential, tmp_path):
    r = run_app("compare", *SMALL, f"out_root={tmp_path}", "name=x", "hydra/launcher=joblib",
                "hydra.launcher.n_jobs=2", "runs_per_job=1")
    assert r.returncode == 0, r.stderr
    assert "launcher joblib" in r.stdout
    assert_same_tables(sequential, tmp_path / "x")


def test_an_interrupted_sweep_resumes_without_loss_or_double_counting(sequential, tmp_path):
    cmd = [sys.executable, "experiments/compare.py", *SMALL, f"out_root={tmp_path}", "name=x",
           "hydra/launcher=basic", "runs_per_job=1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    store = tmp_path / RUNS_DIR
    deadline = time.time() + 90
    while time.time() < deadline and len(list(store.glob("*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # as hard as a crash or a lost node: no clean-up runs
    proc.wait()
    done_before = len(list(store.glob("*.parquet")))
    assert 2 <= done_before < N_RUNS, "the sweep should have been killed partway"
    (store / ".deadbeef.parquet.tmp").write_bytes(b"PAR1 half a file")  # what a killed writer leaves
    assert not (tmp_path / "x" / "summary.csv").exists()

    r = run_app("compare", *SMALL, f"out_root={tmp_path}", "name=x", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    assert f"{N_RUNS} planned, {done_before} already done, {N_RUNS - done_before} computed" in r.stdout
    assert len(list(store.glob("*.parquet"))) == N_RUNS
    assert_same_tables(sequential, tmp_path / "x")


def test_budget_sweep_end_to_end(tmp_path):
    r = run_app("budget", "scenarios=[plan]", "replications=2", "population.weight=2000", "progress=false",
                "budget.total_cny=[0,9e8]", "budget.allocations={as_planned:{},stations_heavy:{stations:0.6}}",
                f"out_root={tmp_path}", "name=b", "hydra/launcher=basic")
    assert r.returncode == 0, r.stderr
    exp = tmp_path / "b"
    least = pd.read_csv(exp / "least_budget.csv")
    assert set(least["allocation"]) == {"as_planned", "stations_heavy"}
    assert set(least["status"]) <= {"bracketed", "at_or_below_sweep", "not_reached"}
    summary = pd.read_csv(exp / "summary.csv")
    assert set(summary["total_cny"]) == {0.0, 9e8}
    lectures = summary[(summary["goal_id"] == "lectures_cum") & (summary["allocation"] == "as_planned")]
    assert lectures.sort_values("total_cny")["mean"].is_monotonic_increasing
    assert (exp / "report.html").exists() and (exp / "figures" / "p_met_vs_budget.png").exists()
    text = _report_text(exp / "report.html")
    assert text.index("主要发现") < text.index("方法说明")
    assert "总预算从 0 元 增至 9 亿元" in text  # what the extra money buys, paired seed by seed
    # the equity gaps per cell and total; the largest total paired against the smallest
    equity = pd.read_csv(exp / "equity.csv")
    assert set(equity["total_cny"]) == {0.0, 9e8} and equity["measure"].nunique() == 12
    assert equity["diff_mean"].notna().eq(equity["total_cny"] == 9e8).all()
    assert "偏远村与近村之差" in text
    _no_scientific_notation(text)


def test_figures_fall_back_to_english_with_one_warning_without_a_cjk_font(monkeypatch, capsys, tmp_path):
    from sim.experiment import report

    monkeypatch.setattr(report, "cjk_font", lambda: None)
    monkeypatch.setattr(report, "_WARNED", [])
    assert report.figure_lang("zh") == "en" and report.figure_lang("zh") == "en"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fonts-noto-cjk" in err[0]
    assert report.figure_lang("en") == "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_axes_print_no_exponent(lang, monkeypatch, tmp_path):
    """Tick labels and the offset above an axis never read 1e6 or 1e+10, whatever the goal's magnitude."""
    import re

    from sim.experiment import report
    from sim.goals import load_goals

    figures = []
    monkeypatch.setattr(report, "_save", lambda fig, path: figures.append(fig) or path)
    rows = [{"scenario": "plan", "replication": r, "name": g.goal_id, "month": m, "value": g.target * k}
            for g in load_goals() for r in range(2) for m, k in (("2016-01", 0.3), ("2020-12", 1.1))]
    report.trajectories_figure(pd.DataFrame(rows), "scenario", tmp_path / "t.png", lang)
    fig = figures[0]
    fig.canvas.draw()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        texts.append(ax.yaxis.get_offset_text().get_text())
        assert not any(re.search(r"\d[eE][+-]?\d|^1e", x) for x in texts), (ax.get_title(), texts)


def test_chinese_figures_find_the_cjk_font():
    from sim.experiment import report

    if report.cjk_font() is None:
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    assert report.figure_lang("zh") == "zh"
    import matplotlib.pyplot as plt

    assert plt.rcParams["font.sans-serif"][0] == report.CJK_FAMILY


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kind", "arg", "key"),
    [
        ("compare", "replications=1", "replications"),
        ("compare", "scenarios=[plan,nowhere]", "scenarios"),
        ("compare", "population.weight=abc", "population.weight"),
        ("compare", "confidence=1.5", "confidence"),
        ("compare", "reference=nowhere", "reference"),
        ("compare", "replicatons=3", "replicatons"),
        ("compare", "-m", "-m"),
        ("compare", "scenario=plan", "scenario"),
        ("compare", "lang=fr", "lang"),
        ("budget", "lang=EN", "lang"),
        ("budget", "budget.total_cny=[-1]", "budget.total_cny"),
        ("budget", "budget.allocations={x:{nowhere:0.5}}", "budget.allocations.x.nowhere"),
    ],
)
def test_bad_input_one_line_exit_2_no_files(kind, arg, key, tmp_path, monkeypatch, capsys):
    from sim.experiment import budget, compare

    module = {"compare": compare, "budget": budget}[kind]
    monkeypatch.setattr(sys, "argv", [f"experiments/{kind}.py", arg, f"out_root={tmp_path}"])
    with pytest.raises(SystemExit) as exc:
        module.prepare_argv(kind, module.plan)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"'{key}'" in err and "allowed" in err
    assert not any(tmp_path.iterdir())


def test_bad_input_from_the_shell(tmp_path):
    r = run_app("compare", "replications=0", f"out_root={tmp_path}")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "'replications'" in r.stderr and "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())


def test_submitit_local_launcher(sequential, tmp_path):
    r = run_app("compare", *SMALL, f"out_root={tmp_path}", "name=x", "hydra/launcher=submitit_local",
                "hydra.launcher.timeout_min=5", "runs_per_job=3")
    assert r.returncode == 0, r.stderr
    assert_same_tables(sequential, tmp_path / "x")


def test_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_dir

    from sim.experiment.conf import EXPERIMENT_CONF_DIR, compose_experiment

    compose_experiment("compare", ["hydra/launcher=slurm", "hydra.launcher.partition=short"])
    with initialize_config_dir(str(EXPERIMENT_CONF_DIR), version_base="1.3"):
        cfg = compose("compare", ["hydra/launcher=slurm", "hydra.launcher.partition=short"], return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")
    assert cfg.hydra.launcher.partition == "short" and cfg.hydra.launcher.array_parallelism == 256


def test_defaults_discover_scenarios_and_pick_the_reference():
    from sim.experiment.conf import compose_experiment, default_scenario, scenario_names

    main = default_scenario()
    conf = compose_experiment("compare", [])
    assert conf.scenarios == scenario_names() and conf.reference == main
    others = [s for s in scenario_names() if s != main][:2]
    assert compose_experiment("compare", [f"scenarios=[{','.join(others)}]"]).reference == others[0]
    assert compose_experiment("budget", []).scenarios == [main]
