"""The named scenarios of ``configs/scenario/``: the one place that lists them.

``python -m sim.scenarios`` prints them with their descriptions. The folder is read on each call, so a
scenario added while a long-running process (the workshop) runs shows up; a file is parsed again only
when it changes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "configs" / "scenario"
FIRST = ("plan", "no_program")  # the plan, and what happens without it


def scenarios(lang: str = "en") -> dict[str, str]:
    """Scenario name -> one-line description in ``lang``: ``plan`` and ``no_program`` first, then by name.

    The Chinese description is the file's ``scenario.description_zh`` if it has one, else the strings table's
    ``scenario_desc_<name>`` (:mod:`sim.i18n`), else the English one.
    """
    paths = sorted(SCENARIO_DIR.glob("*.yaml"), key=lambda p: (p.stem not in FIRST, FIRST.index(p.stem)
                                                                if p.stem in FIRST else 0, p.stem))
    out = {}
    for p in paths:
        en, zh = _description(p, p.stat().st_mtime_ns)
        if lang == "zh" and not zh:
            from sim.i18n import t

            key = f"scenario_desc_{p.stem}"
            zh = t(key, "zh") if t(key, "zh") != key else en
        out[p.stem] = zh if lang == "zh" else en
    return out


def names() -> list[str]:
    """The scenario names, in the order of :func:`scenarios`."""
    return list(scenarios())


@cache
def _description(path: Path, mtime_ns: int) -> tuple[str, str]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return "", ""
    block = doc.get("scenario") or {}
    return str(block.get("description", "")), str(block.get("description_zh", ""))


def main() -> None:
    """Print the scenarios and how to run one."""
    items = scenarios()
    width = max(map(len, items))
    for name, description in items.items():
        print(f"{name:<{width}}  {description}")
    print("\nrun one with: python -m sim scenario=NAME")


if __name__ == "__main__":
    main()
