"""The benchmark scripts work together: what one prints, the other reads (times themselves are never asserted)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ab_script_reads_every_figure_the_full_scale_benchmark_prints():
    ab = _module("ab")
    done = subprocess.run([sys.executable, "benchmarks/full_scale.py", "--no-outputs", "--kernel-repeats", "1",
                           "--build", "population.weight=2000"], cwd=BENCHMARKS.parent, capture_output=True,
                          text=True, check=True)
    got = ab.figures(done.stdout)
    assert set(got) == set(ab.FIGURES) and all(v > 0 for v in got.values())
    assert got["model s"] == pytest.approx(got["build s"] + got["months s"], abs=0.011)  # each rounded to 0.01
    with pytest.raises(ValueError, match="model s"):
        ab.figures(done.stdout.replace("total:", "sum:"))
    # the build's stages: the world, the spin-up, the breakdown's set-up and the rest add up to the build
    stages = dict(re.findall(r"^  (\S.*?)\s+([\d.]+) s$", done.stdout, re.MULTILINE))
    parts = ("the world, the above included", "the year of spin-up", "the breakdown by group's set-up",
             "the rest: agents, the end-2015 measurements")
    assert set(parts) <= set(stages) and float(stages["the rest: agents, the end-2015 measurements"]) >= 0
    assert sum(float(stages[p]) for p in parts) == pytest.approx(got["build s"], abs=0.03)


def test_the_ab_summary_gives_each_figures_range_and_median():
    ab = _module("ab")
    rows = [dict.fromkeys(ab.FIGURES, v) for v in (1.0, 3.0, 2.5)]
    summary = ab.summary(rows)
    assert "model s 1.00–3.00 (median 2.50)" in summary and summary.count("median") == len(ab.FIGURES)
