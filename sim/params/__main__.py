"""``python -m sim.params``: the parameter table as CSV; ``--markdown`` writes docs/parameters.md's text."""

from __future__ import annotations

import sys

from sim.params import markdown, parameters


def main(argv: list[str] | None = None) -> None:
    """Print the table (CSV by default, Markdown with ``--markdown``)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--markdown" in argv:
        sys.stdout.write(markdown() + "\n")
    else:
        parameters().to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main()
