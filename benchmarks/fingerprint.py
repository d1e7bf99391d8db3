"""A run's fingerprint: one hash of everything it measured, to show that a speed-up left results unchanged.

Hashes the monthly metrics, the equity table, the ledger and the scorecard of one run, bit for bit, and
prints it with the goals met. Run it before and after a change that should not move results:

    python benchmarks/fingerprint.py                       # plan, seed 0, default scale
    python benchmarks/fingerprint.py scenario=no_program seed=3 population.weight=1

Two fingerprints that differ mean some value moved, however little; the per-table hashes say where.
"""

from __future__ import annotations

import hashlib
import sys

import pandas as pd

from sim import simulate


def table_hash(df: pd.DataFrame) -> str:
    """A short hash of a table's values, index and column names."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(repr(list(df.columns)).encode())
    return h.hexdigest()[:12]


def main(overrides: list[str]) -> None:
    """Print the run's per-table hashes and their combined fingerprint."""
    result = simulate(overrides)
    tables = {"monthly": result.monthly, "equity": result.equity, "ledger": result.ledger,
              "scorecard": result.scorecard}
    parts = {name: table_hash(df) for name, df in tables.items()}
    combined = hashlib.sha256("".join(parts.values()).encode()).hexdigest()[:16]
    met = int(result.scorecard["met"].sum())
    print(f"fingerprint {combined}  ({', '.join(f'{k} {v}' for k, v in parts.items())})  "
          f"goals met {met}/{len(result.scorecard)}  overrides: {' '.join(overrides) or '(none)'}")


if __name__ == "__main__":
    main(sys.argv[1:])
