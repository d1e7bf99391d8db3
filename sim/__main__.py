"""``python -m sim``: one run with Hydra overrides, e.g. ``python -m sim scenario=no_program seed=3``.

Bad input stops the run before any work or any file is written: a one-paragraph error naming the key,
the value and what is allowed, and exit code 2. An output folder that cannot be written is bad input too;
a disk that fills up while the outputs are written is a failure (exit code 1), and the folder then has no
``manifest.json``: it does not look finished.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim import parallel
from sim.config import ConfigError
from sim.run import CONFIG_DIR, ROOT, load_config, print_summary, run_config, to_sim_conf

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
DEFAULT_RUNS_DIR = ROOT / "results" / "runs"  # configs/config.yaml's hydra.run.dir lives here


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
    # a folder reused by this run must not look finished while it runs (or if it fails), and keeps no
    # temporary files of an earlier run that was killed while writing
    (out / "manifest.json").unlink(missing_ok=True)
    if any(out.glob(".*.tmp")):
        from sim.experiment.store import clean_temporary

        clean_temporary(out)
    result = run_config(conf)
    if conf.write_outputs:
        try:
            result.save(out)
        except OSError as exc:
            print(f"error: cannot write {exc.filename or out}: {exc.strerror or exc}", file=sys.stderr)
            sys.exit(EXIT_FAILED)
    if not conf.quiet:
        print_summary(result, out if conf.write_outputs else None)


def main() -> None:
    """Validate the overrides first (so nothing is created for bad input), then hand over to Hydra."""
    # the imported stack (about 240,000 objects) never becomes garbage: out of the collector's sight, each full
    # collection of the run and of writing the figures walks only what they made (0.25 s less a run)
    gc.freeze()
    args = sys.argv[1:]
    flags = [a for a in args if a.startswith("-")]
    if not flags:  # a plain single run: check everything before Hydra makes its run folder
        try:
            load_config(args)
            parallel.threads()  # SIM_THREADS, from the environment
            run_dir = next((a.split("=", 1)[1] for a in args if a.startswith("hydra.run.dir=")), None)
            check_output_dir(Path(run_dir) if run_dir else DEFAULT_RUNS_DIR, "hydra.run.dir")
        except ConfigError as exc:
            _fail(exc)
    _hydra_main()
    # the interpreter's last collections would walk every object made since (about 0.6 s after a full-scale
    # run); everything is written and closed here, so they are skipped
    gc.freeze()


def check_output_dir(path: Path, key: str) -> None:
    """Refuse an output folder that cannot be made or written, before anything is written.

    Raises:
        ConfigError: naming the key, the folder and why it cannot be used.
    """
    path = path if path.is_absolute() else Path.cwd() / path
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(key, str(path), f"a folder that can be made: {probe} is a file")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(key, str(path), f"a folder that can be written: {probe} is not writable")
    try:
        stat = os.statvfs(probe)
    except OSError as exc:
        raise ConfigError(key, str(path), f"a folder on a file system that can be read: {exc.strerror}") from None
    if stat.f_flag & os.ST_RDONLY:
        raise ConfigError(key, str(path), f"a folder that can be written: {probe} is on a read-only file system")
    try:  # the checks above pass: making it is the one test left (nothing is written into it here)
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(key, str(path), f"a folder that can be made ({exc.strerror})") from None


if __name__ == "__main__":
    main()
