"""The named scenarios of ``configs/scenario/``: ``python -m sim.scenarios`` lists them with their descriptions."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "configs" / "scenario"


def scenarios() -> dict[str, str]:
    """Scenario name -> one-line description, in file-name order (``plan`` and ``no_program`` first)."""
    out = {}
    for path in sorted(SCENARIO_DIR.glob("*.yaml"), key=lambda p: (p.stem not in ("plan", "no_program"), p.stem)):
        node = OmegaConf.load(path)
        out[path.stem] = str(OmegaConf.select(node, "scenario.description", default=""))
    return out


def main() -> None:
    """Print the scenarios and how to run one."""
    items = scenarios()
    width = max(map(len, items))
    for name, description in items.items():
        print(f"{name:<{width}}  {description}")
    print("\nrun one with: python -m sim scenario=NAME")


if __name__ == "__main__":
    main()
