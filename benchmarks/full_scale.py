"""Full-scale benchmark: one row per household (population.weight=1), 60 months, one process.

Prints, in this order:

1. the reference kernel (benchmarks/kernel.py: a trivial adoption rule over 2.35 M rows x 60 months),
   timed first in this process so that the model's ratio to it holds under any load;
2. the model: import, config, build, the 60 months (time per month), peak memory, goals met;
3. the ratio model time / kernel time (model time = build + 60 months; goal: at most 6x), in wall-clock
   and in CPU time of this process (steadier when other processes share the cores), and the kernel timed
   once more after the model, to show whether the load changed meanwhile;
4. a second run through ``sim.run.run_config`` and the time to write every output file
   (``Result.save``), with its peak memory.

Peak memory is the resident high-water mark (VmHWM), reset after the kernel and again before the second
run, so that each figure is that of its own part (imported modules included).

Budget (docs/architecture.md, issue 13): at most 6 s of model time, 9 s from the shell, 6x the kernel and
1.5 GB peak on one core of the 2-core machine. The script prints figures; it asserts nothing about time.

    python benchmarks/full_scale.py [--kernel-repeats R] [--profile N] [--build] [--rules] [--passes]
                                    [--no-outputs] [overrides...]

``--build`` times the build's stages, ``--rules`` each rule of the months, ``--passes`` each compiled pass.

Overrides are Hydra overrides added after ``population.weight=1``, e.g. ``population.weight=10``.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402

from kernel import FULL_SCALE_ROWS, MONTHS, reference_kernel_times  # noqa: E402

T_IMPORT_SIM = time.perf_counter()
import sim  # noqa: E402
import sim.run  # noqa: E402
from sim import parallel  # noqa: E402

T_IMPORTED = time.perf_counter()


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM) since the start or the last :func:`reset_peak`, in MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the peak to the current resident memory (Linux: ``5`` into /proc/self/clear_refs).

    Returns:
        Whether it could be reset (if not, later peaks include what came before).
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def time_passes() -> dict[str, list[float]]:
    """Time every compiled pass of ``sim`` from now on: returns {module.pass: [seconds, calls]}, filled as they run.

    Each pass (a Numba dispatcher bound to a module-level name) is replaced by a wrapper that times the call;
    the rules look their passes up by name when they call them, so they call the wrapper. Inlined helpers
    (``sim.streams.uniform``) are not counted apart: their time is inside the passes that inline them.
    """
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    totals: dict[str, list[float]] = {}
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        if ".workshop" in info.name or ".experiment" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, obj in list(vars(module).items()):
            if isinstance(obj, CPUDispatcher) and getattr(obj, "__module__", "") == info.name \
                    and name != "uniform":
                key = f"{info.name}.{name}"
                totals[key] = [0.0, 0]

                def timed(*a, _f=obj, _t=totals[key]):
                    t = time.perf_counter()
                    out = _f(*a)
                    _t[0] += time.perf_counter() - t
                    _t[1] += 1
                    return out

                setattr(module, name, timed)
    return totals


def time_calls(owner, name: str, totals: dict[str, float], label: str) -> Callable:
    """Replace ``owner.name`` by a wrapper adding each call's wall-clock seconds to ``totals[label]``.

    Returns:
        The original, to put back.
    """
    f = getattr(owner, name)
    totals[label] = 0.0

    def timed(*a, **k):
        t = time.perf_counter()
        out = f(*a, **k)
        totals[label] += time.perf_counter() - t
        return out

    setattr(owner, name, timed)
    return f


def time_rules(model: sim.TaizhouModel, totals: dict[str, float]) -> None:
    """Time each rule of the model's months from now on (wall clock) into ``totals``: {rule: seconds}.

    The rules are the behaviour of households and firms (``sim.behaviour``), each lever's step, the month's
    metrics (with the grouping of the loan book) and the breakdown by group; a rule's time includes its compiled
    passes, on every thread they use.
    """
    import sim.model
    from sim import behaviour

    for name in ("digital_adoption", "household_credit", "enterprise_credit", "ebank_share"):
        time_calls(behaviour, name, totals, f"behaviour.{name}")
    for lever in model.levers:
        time_calls(lever, "step", totals, f"lever {lever.name}")
    time_calls(model.world, "update_peers", totals, "world.update_peers")
    time_calls(sim.model, "month_metrics", totals, "metrics (and the loan book's groups)")
    time_calls(model.equity, "measure", totals, "breakdown by group (sim.equity)")


def time_build(totals: dict[str, float]) -> Callable[[], None]:
    """Time the build's stages (wall clock) into ``totals``: {stage: seconds}, in the build's order.

    A stage's time includes what it calls: the world's includes the stages listed before it. What the three
    parts (the world, the spin-up, the breakdown's set-up) leave of the build is the agents and the end-2015
    measurements.

    Returns:
        A function that puts the original functions back (call it once the model is built: some stages, the
        index of villages for one, run again in the months).
    """
    import sim.model
    import sim.world
    from sim.equity import Equity

    stages = (
        (sim.world, "build_places", "  places (villages, communities)"),
        (sim.world, "build_households", "  households (the first compiled call: Numba's set-up)"),
        (sim.world, "build_enterprises", "  enterprises"),
        (sim.world.World, "index_villages", "  rows by village, places, visit priorities"),
        (sim.world.World, "_build_grids", "  grids"),
        (sim.world.World, "_screen_first_book", "  the first loan book screened"),
        (sim.world.World, "_campaigns_before_2016", "  campaigns before 2016"),
        (sim.world.World, "__init__", "the world, the above included"),
        (sim.model.TaizhouModel, "_spin_up", "the year of spin-up"),
        (Equity, "__init__", "the breakdown by group's set-up"),
    )
    originals = [(owner, name, time_calls(owner, name, totals, label)) for owner, name, label in stages]

    def restore() -> None:
        for owner, name, f in originals:
            setattr(owner, name, f)

    return restore


def run_model(cfg: sim.SimConf, profile: int, rules: dict | None = None,
              after_build: Callable[[], None] | None = None) -> tuple[sim.TaizhouModel, float, list[float], float]:
    """Build the model and step it to the end, timing the build and each month.

    Args:
        cfg: the validated config.
        profile: if positive, profile the months and print this many functions by own time.
        rules: if a dict, filled with each rule's seconds in the months (:func:`time_rules`).
        after_build: called once the model is built, before the months.

    Returns:
        The model, the build time in seconds, the list of month times in seconds, and the CPU seconds of
        build and months together.
    """
    c0 = time.process_time()
    t0 = time.perf_counter()
    model = sim.TaizhouModel(cfg)
    t_build = time.perf_counter() - t0
    if after_build is not None:
        after_build()
    if rules is not None:
        time_rules(model, rules)
    prof = cProfile.Profile(time.process_time) if profile > 0 else None  # CPU time: steadier under load
    steps = []
    while model.t < cfg.months:
        s = time.perf_counter()
        if prof is None:
            model.step()
        else:
            prof.runcall(model.step)
        steps.append(time.perf_counter() - s)
    if prof is not None:
        print(f"profile of the {len(steps)} months in CPU seconds (profiling slows them a little):")
        pstats.Stats(prof).sort_stats("tottime").print_stats(profile)
    return model, t_build, steps, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("overrides", nargs="*", help="Hydra overrides after population.weight=1")
    parser.add_argument("--kernel-repeats", type=int, default=2,
                        help="runs of the reference kernel; the fastest counts (default %(default)s)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the months and print the N functions with most own time")
    parser.add_argument("--no-outputs", action="store_true", help="skip the second run that writes the output files")
    parser.add_argument("--rules", action="store_true",
                        help="time each rule of the months: behaviour, levers, metrics, breakdown by group")
    parser.add_argument("--build", action="store_true",
                        help="time the build's stages: population, places, grids, spin-up, breakdown's set-up")
    parser.add_argument("--passes", action="store_true",
                        help="time each compiled pass in the months (a wrapper per call: adds a little)")
    args = parser.parse_args()
    overrides = ["population.weight=1", *args.overrides]

    t_kernel, c_kernel = reference_kernel_times(FULL_SCALE_ROWS, MONTHS, repeats=args.kernel_repeats)
    print(f"reference kernel: {FULL_SCALE_ROWS:,} rows x {MONTHS} months: {t_kernel:.2f} s, CPU {c_kernel:.2f} s "
          f"(best of {args.kernel_repeats}); peak memory of the process so far {peak_mb():,.0f} MB")
    since = "since the kernel" if reset_peak() else "of the process, kernel included"
    base = peak_mb()
    gc.freeze()  # as ``python -m sim`` does before its run: collections then skip the imported stack

    t0 = time.perf_counter()
    cfg = sim.load_config(overrides)
    t_config = time.perf_counter() - t0
    passes = time_passes() if args.passes else None
    rules: dict[str, float] | None = {} if args.rules else None
    build: dict[str, float] | None = {} if args.build else None
    restore = time_build(build) if build is not None else None
    model, t_build, steps, c_model = run_model(cfg, args.profile, rules, restore)
    t_months = sum(steps)
    t_model = t_build + t_months
    peak_model = peak_mb()
    managers = getattr(model, "n_managers", None)
    print(f"overrides: {' '.join(overrides)}")
    print(f"households rows: {model.households.n:,}  enterprise rows: {model.enterprises.n:,}  "
          + (f"managers: {managers:,}  " if managers is not None else "")
          + f"agents: {len(model.agents):,}")
    print(f"threads of the row passes: {parallel.threads()} (SIM_THREADS; blocks of {parallel.BLOCK_ROWS:,} rows)")
    print(f"import: {T_IMPORTED - T_START:.2f} s (sim {T_IMPORTED - T_IMPORT_SIM:.2f} s)  config: {t_config:.2f} s")
    print(f"build: {t_build:.2f} s  run: {t_months:.2f} s  total: {t_model:.2f} s")
    print(f"per month: mean {1000 * t_months / len(steps):.0f} ms, max {1000 * max(steps):.0f} ms")
    print(f"peak memory (max RSS) {since}: {peak_model:,.0f} MB (resident before the build: {base:,.0f} MB; "
          f"goal <= 1,500 MB)")
    print(f"goals met: {int(model.scorecard()['met'].sum())} / {len(model.scorecard())}")
    print(f"model CPU time (build + months): {c_model:.2f} s")
    print(f"model / kernel: {t_model / t_kernel:.1f}x (build + months; goal <= 6x)  "
          f"months only: {t_months / t_kernel:.1f}x  CPU time: {c_model / c_kernel:.1f}x"
          + ("  (the kernel is full scale: compare at population.weight=1)"
             if model.households.n < FULL_SCALE_ROWS // 2 else ""))
    if build is not None:
        print("the build by stage (wall clock; a stage includes what it calls):")
        for label, seconds in build.items():
            print(f"  {label:<55} {seconds:6.2f} s")
        rest = t_build - sum(v for k, v in build.items() if not k.startswith(" "))
        print(f"  {'the rest: agents, the end-2015 measurements':<55} {rest:6.2f} s")
    if rules is not None:
        print(f"the 60 months by rule (wall clock; a rule's compiled passes included, on {parallel.threads()} "
              f"thread(s)):")
        for label, seconds in sorted(rules.items(), key=lambda kv: -kv[1]):
            if seconds >= 0.005:
                print(f"  {label:<50} {seconds:6.2f} s  {100 * seconds / t_months:5.1f}%")
        rest = t_months - sum(rules.values())
        label = "the rest: each month's set-up, the bank, agents"
        print(f"  {label:<50} {rest:6.2f} s  {100 * rest / t_months:5.1f}%")
    if passes is not None:
        spent = sorted(((v[0], v[1], k) for k, v in passes.items() if v[1]), reverse=True)
        print(f"compiled passes, build and months: {sum(s for s, _, _ in spent):.2f} s in all (a pass on blocks of "
              f"rows: the blocks' times added, whichever of the {parallel.threads()} thread(s) ran them)")
        for seconds, calls, key in spent:
            print(f"  {key:<42} {seconds:6.3f} s  {calls:4d} calls  {1000 * seconds / calls:7.2f} ms a call")
    t_after, c_after = reference_kernel_times(FULL_SCALE_ROWS, MONTHS, repeats=1)
    steady = abs(t_after / t_kernel - 1) <= 0.2
    print(f"reference kernel again, after the model: {t_after:.2f} s, CPU {c_after:.2f} s "
          + ("(close to the first: the load held steady)" if steady else
             "(far from the first: the load changed during the run; the CPU-time ratio is the steadier one)"))
    print(f"model / the kernel's mean before and after it: {t_model / ((t_kernel + t_after) / 2):.1f}x "
          f"(a drift of the load during the run shared between the two)")

    if args.no_outputs:
        return
    del model
    gc.collect()
    reset_peak()
    t0 = time.perf_counter()
    result = sim.run.run_config(cfg)
    t_run = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="full-scale-") as tmp:
        t0 = time.perf_counter()
        out = result.save(tmp)
        t_save = time.perf_counter() - t0
        files = sorted(p.name for p in out.iterdir())
    print(f"run_config (second run, same config): {t_run:.2f} s  "
          f"writing all output files: {t_save:.2f} s ({len(files)} files: {', '.join(files)})")
    shell = (T_IMPORTED - T_START) + t_config + t_model + t_save
    print(f"import + config + model + outputs: {shell:.2f} s (goal <= 9 s from the shell, interpreter start-up aside)")
    print(f"peak memory (max RSS) of run_config + save: {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
