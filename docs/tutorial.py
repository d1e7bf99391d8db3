# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial: runs, comparisons, sensitivity and budgets
#
# A worked example for researchers new to the Taizhou inclusive-finance simulator. It runs top to bottom in a
# couple of minutes at a coarse scale (one model row per 2,000 households, 3 replications), which is enough
# to see how things work but not to draw conclusions: for a study, use the default scale and 30 or more
# replications (see README.md, section Experiments).
#
# The four steps:
#
# 1. one run of the plan and its scorecard of the 19 goals for 2020;
# 2. a comparison of two scenarios, paired seed by seed;
# 3. the sensitivity of the goals to one behavioural parameter;
# 4. a budget question: how much money meets a goal with a given probability.
#
# This notebook is `docs/tutorial.ipynb`, paired with `docs/tutorial.py` (jupytext, percent format); edit
# either and run `jupytext --sync docs/tutorial.py` to update the other. `tests/test_tutorial.py` executes it.

# %%
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim import simulate
from sim.goals import load_goals
from sim.run import ROOT

pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 12)
pd.set_option("display.float_format", lambda v: f"{v:,.3f}")  # 877,067,700.000 rather than 8.77e+08
# Where the experiments of this tutorial write their folders (the tests point it to a temporary folder).
OUT = Path(os.environ.get("TUTORIAL_OUT", ROOT / "results" / "tutorial"))
COARSE = ["population.weight=2000"]  # one row per 2,000 real households: fast, noisy

# %% [markdown]
# ## 1. One run and its scorecard
#
# `simulate` takes the same overrides as the command line (`python -m sim scenario=plan seed=1 ...`) and
# returns the scorecard, the monthly values and the money ledger as pandas tables. Counts and money are
# always in real units, whatever the scale.

# %%
run = simulate(["scenario=plan", "seed=1", *COARSE])
card = run.scorecard[["goal_id", "name_en", "value", "target", "unit", "attainment", "met"]]
card

# %%
print(f"{int(card['met'].sum())} of {len(card)} goals met in this run")
run.ledger.head()

# %% [markdown]
# ## 2. Two scenarios compared, paired seed by seed
#
# One run is one draw of a stochastic model. `experiments/compare.py` replicates each scenario with the same
# seeds (common random numbers), so the difference between two scenarios is taken seed by seed and most of
# the shared noise cancels. Here: the plan against no programme, 3 replications each.

# %%
def experiment(kind: str, *args: str) -> Path:
    """Run experiments/<kind>.py in one process and return its folder."""
    name = f"tutorial_{kind}"
    cmd = [sys.executable, f"experiments/{kind}.py", *args, f"out_root={OUT}", f"name={name}",
           "hydra/launcher=basic", "progress=false", "lang=en"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    print(done.stdout.strip().splitlines()[-2])  # the closing line: runs planned, done, computed
    return OUT / name


compare_dir = experiment("compare", "scenarios=[no_program,plan]", "reference=no_program", "replications=3",
                         *COARSE)
sorted(p.name for p in compare_dir.iterdir())

# %% [markdown]
# `summary.csv` has, per scenario and goal, the mean with its interval and the probability of meeting the
# goal (the share of replications that met it) with its interval.

# %%
summary = pd.read_csv(compare_dir / "summary.csv")
goals = summary[summary["kind"] == "goal"]
goals.pivot(index="goal_id", columns="scenario", values="p_met").reindex(goals["goal_id"].drop_duplicates())

# %% [markdown]
# `paired.csv` has the plan minus no programme, seed by seed: the mean difference and its interval. An
# interval that excludes zero is a clear difference; one that includes zero could be chance. The cost per
# unit divides the extra money by the extra goal value.

# %%
pairs = pd.read_csv(compare_dir / "paired.csv")
cols = ["goal_id", "diff_mean", "diff_ci_low", "diff_ci_high", "share_better", "p_met_diff", "cost_per_unit_cny"]
paired_goals = pairs[pairs["kind"] == "goal"][cols].copy()
paired_goals["clear"] = (paired_goals["diff_ci_low"] > 0) | (paired_goals["diff_ci_high"] < 0)
paired_goals

# %% [markdown]
# The same judgement in words is what `report.html` (in the same folder) opens with; the sentences come from
# `sim.experiment.findings`, as pure functions of these two tables, in Chinese (`zh`) or English (`en`).

# %%
from sim.experiment.findings import compare_findings  # noqa: E402

for paragraph in compare_findings(summary, pairs, "en"):
    print("-", paragraph, end="\n\n")

# %% [markdown]
# ## 3. Sensitivity to one parameter
#
# Behavioural parameters live under `uncertainties` (`configs/uncertainties/central.yaml`; their ranges and
# sources are in `configs/data/behaviour_priors.csv`). `bass_q`, the imitation coefficient of digital-platform
# adoption, has the range 0.30-0.50 around 0.40. Runs with the same seed share their random draws, so the
# differences below come from the parameter, not from chance.

# %%
digital = ["fengshou_customers", "ebank_substitution"]
rows = []
for q in (0.30, 0.40, 0.50):
    card = simulate(["scenario=plan", "seed=1", f"uncertainties.bass_q={q}", *COARSE]).scorecard
    rows.append(card.set_index("goal_id").loc[digital, "value"].rename(q))
sensitivity = pd.DataFrame(rows).rename_axis("bass_q")
targets = {g.goal_id: g.target for g in load_goals()}
print("2020 targets:", {g: targets[g] for g in digital})
sensitivity

# %% [markdown]
# One seed shows the direction; how much of the spread is chance needs replications: the same loop with
# `experiments/compare.py ... uncertainties.bass_q=0.3` (a model override applied to every run) gives
# intervals.
#
# ## 4. A budget question
#
# How much money does the plan need to meet a goal with probability at least 0.8? `experiments/budget.py`
# sweeps total budgets (and, if asked, named allocations), every cell with the same seeds, and answers per
# goal where the sweep brackets it. Here two totals, 300 and 900 million CNY.

# %%
budget_dir = experiment("budget", "scenarios=[plan]", "budget.total_cny=[3e8,9e8]", "replications=3",
                        "p_goal=0.8", *COARSE)
least = pd.read_csv(budget_dir / "least_budget.csv")
least[["goal_id", "status", "least_total_cny", "bracket_low_cny", "interpolated_cny"]]

# %% [markdown]
# `status` says how to read a row: `bracketed` means 300 million fell short and 900 million reached the
# probability (the least budget lies between, `interpolated_cny` is a linear guess), `at_or_below_sweep`
# means even the smallest total reached it, `not_reached` means no total swept did. With 3 replications the
# probabilities are coarse; more replications and more totals make the answer sharper.
#
# # 5. Who is reached
#
# Every run also writes `equity.parquet` (`Result.equity`): each month, each group of a dimension (county,
# rural income quintile, household kind, distance band, terrain, remoteness, enterprise kind) and each metric
# (households, with a line, with a loan, digital customers, average line relative to income, ...). Here the
# share of farm households with a loan by income quintile at the end of 2020, with and without the programme.

# %%
def loans_by_quintile(scenario: str) -> pd.Series:
    """The share of households with a loan in each rural income quintile, December 2020."""
    eq = simulate([f"scenario={scenario}", "seed=1", *COARSE]).equity
    last = eq[(eq["month"] == eq["month"].max()) & (eq["dimension"] == "income_quintile")]
    return last[last["metric"] == "share_with_loan"].set_index("group")["value"]


pd.DataFrame({s: loans_by_quintile(s) for s in ("no_program", "plan")})

# %% [markdown]
# `experiments/compare.py` pairs these gaps seed by seed too (`equity.csv` in its folder, and a section of
# its report).
#
# ## Where next
#
# * `report.html` in each experiment folder: findings, tables and figures in one file (`lang=zh` or `lang=en`).
# * README.md: scenarios, levers and budgets; experiments at scale, on all cores or on a Slurm cluster.
# * `docs/model.md`: what the model assumes and where its numbers come from.
