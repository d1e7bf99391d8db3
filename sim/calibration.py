"""Calibration targets: what the end-2015 state must look like, from evidence independent of the 2020 goals.

Each target names its evidence (a fact of ``configs/data/``), the band the model's end-2015 state (after the
spin-up) must fall in, and how the model measures it. No target is a 2020 goal. ``python -m sim.calibration``
prints the model's values against the bands; ``--markdown`` writes ``docs/calibration.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.population import FIRM, INDIVIDUAL_BUSINESS, URBAN


@dataclass(frozen=True)
class Target:
    """One calibration target.

    Attributes:
        name: short id.
        what: what is measured, in words.
        evidence: the fact or prior it comes from (ids of ``configs/data/*.csv`` in brackets).
        low: lowest value the model may show.
        high: highest value the model may show.
        measure: the model's value, from a model built (and spun up) to the end of 2015.
    """

    name: str
    what: str
    evidence: str
    low: float
    high: float
    measure: Callable

    def met(self, value: float) -> bool:
        """Whether the value lies in the band."""
        return bool(self.low <= value <= self.high)


def _rural_with_loan(m) -> float:
    hh, n = m.households, m.world.n_active_rows
    rural = hh.kind[:n] != URBAN
    return float(np.mean(hh.product[:n][rural] > 0))


def _line_use(m) -> float:
    hh, n = m.households, m.world.n_active_rows
    lines = hh.line[:n] > 0
    return float(np.mean(hh.product[:n][lines] > 0)) if lines.any() else 0.0


def _approval(m) -> float:
    f = m.spinup_flows
    return f["approved"] / f["applications"] if f["applications"] else 0.0


def _sme_borrowers(m) -> float:
    ent, ne = m.enterprises, m.world.n_active_ent
    small = np.isin(ent.kind[:ne], (FIRM, INDIVIDUAL_BUSINESS)) & (ent.product[:ne] > 0)
    return float(np.count_nonzero(small)) * m.weight / 239_873


def _sme_balance(m) -> float:
    ent, ne = m.enterprises, m.world.n_active_ent
    small = np.isin(ent.kind[:ne], (FIRM, INDIVIDUAL_BUSINESS))
    return float(ent.loan[:ne][small].sum(dtype=np.float64)) * m.weight / 231_315_000_000


TARGETS: tuple[Target, ...] = (
    Target("npl_ratio_2015", "non-performing share of the loan book, end-2015",
           "[npl_ratio_all_banks_2015] 1.58% for all banks of Taizhou; rural banks usually above", 0.008, 0.03,
           lambda m: m.state_2015["npl_ratio"]),
    Target("rural_borrowing_2015", "share of farm households holding a loan from the bank, end-2015",
           "[formal_credit_use_rural_2015] 19.8% of rural households used formal credit (CHFS 2011, national); "
           "Zhejiang above, one bank below all lenders", 0.10, 0.35, _rural_with_loan),
    Target("line_use_2015", "share of households with a credit line who hold a loan on it or another, end-2015",
           "[p_draw_within_12m_given_line] 25% drew within 12 months nationally (农村金融服务报告 2016); up to 55%",
           0.15, 0.65, _line_use),
    Target("approval_2015", "share of household applications approved in the spin-up",
           "[credit_constrained_share] a third of rural households constrained, half of them by the supply side",
           0.30, 0.85, _approval),
    Target("ebank_share_2015", "share of transactions on electronic channels, end-2015",
           "[ebank_substitution_2015] prior 0.60-0.75", 0.60, 0.75, lambda m: m.state_2015["ebank_substitution"]),
    Target("file_rate_2015", "share of households with an information file, end-2015",
           "prior: files were common in villages, rare in towns (national 172 million filed farm households)",
           0.35, 0.75, lambda m: m.state_2015["info_file_rate"]),
    Target("sme_borrowers_share_2015", "the bank's small firms and individual businesses with a loan, as a share "
           "of all banks' small-business borrowers", "[sme_borrowers_all_banks_2015] 239,873 borrowers of all "
           "banks: one bank holds a part", 0.03, 0.5, _sme_borrowers),
    Target("sme_balance_share_2015", "the bank's loans to small firms and individual businesses, as a share of "
           "all banks' small-business loans", "[sme_loan_balance_all_banks_2015] 2,313亿 for all banks", 0.02, 0.5,
           _sme_balance),
)


def calibration_table(model) -> pd.DataFrame:
    """Every target with the model's end-2015 value and whether it lies in its band.

    Args:
        model: a :class:`sim.model.TaizhouModel` (built: its spin-up has run).
    """
    rows = []
    for tg in TARGETS:
        v = float(tg.measure(model))
        rows.append({"target": tg.name, "what": tg.what, "evidence": tg.evidence, "low": tg.low, "high": tg.high,
                     "model": v, "in_band": tg.met(v)})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, command: str) -> str:
    """``docs/calibration.md`` from a calibration table."""
    out = ["# Calibration", "",
           "The model is calibrated to evidence about Taizhou and its banks at the end of 2015 that is independent",
           "of the plan's 2020 goals: no parameter is set from a goal, and these targets are the only numbers the",
           "model is fitted to. Each band is what the evidence allows; the model's value is its end-2015 state after",
           "the spin-up of 2015 practice. `tests/test_calibration.py` checks every band at the test scale.", "",
           f"Regenerate: `{command}`", "",
           "| target | what | evidence | band | model | in band |", "|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        out.append(f"| `{r.target}` | {r.what} | {r.evidence} | {r.low:.3g} – {r.high:.3g} | {r.model:.3g} | "
                   f"{'yes' if r.in_band else 'NO'} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.calibration [overrides] [--markdown]``: the model's end-2015 state against the bands."""
    from sim import TaizhouModel, load_config

    argv = sys.argv[1:] if argv is None else argv
    overrides = [a for a in argv if not a.startswith("--")]
    model = TaizhouModel(load_config(overrides))
    table = calibration_table(model)
    if "--markdown" in argv:
        cmd = " ".join(["python -m sim.calibration", *overrides, "--markdown > docs/calibration.md"])
        sys.stdout.write(markdown(table, cmd))
    else:
        print(table[["target", "low", "high", "model", "in_band"]].to_string(index=False))


if __name__ == "__main__":
    main()
