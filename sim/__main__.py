"""``python -m sim``: one run with Hydra overrides, e.g. ``python -m sim scenario=no_program seed=3``.

Bad input stops the run before any work or any file is written: a one-paragraph error naming the key,
the value and what is allowed, and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.run import CONFIG_DIR, load_config, print_summary, run_config, to_sim_conf

EXIT_BAD_INPUT = 2


def _fail(exc: ConfigError) -> None:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _hydra_main(cfg: DictConfig) -> None:
    try:
        conf = to_sim_conf(cfg)
    except ConfigError as exc:
        _fail(exc)
    out = Path(HydraConfig.get().runtime.output_dir)
    # a folder reused by this run must not look finished while it runs (or if it fails)
    (out / "manifest.json").unlink(missing_ok=True)
    result = run_config(conf)
    if conf.write_outputs:
        result.save(out)
    if not conf.quiet:
        print_summary(result, out if conf.write_outputs else None)


def main() -> None:
    """Validate the overrides first (so nothing is created for bad input), then hand over to Hydra."""
    args = sys.argv[1:]
    flags = [a for a in args if a.startswith("-")]
    if not flags:  # a plain single run: check everything before Hydra makes its run folder
        try:
            load_config(args)
        except ConfigError as exc:
            _fail(exc)
    _hydra_main()


if __name__ == "__main__":
    main()
