"""Put the browser assets Solara loads from a CDN into its local cache, so the page works with no network.

Solara's page loads its Vue app, RequireJS and Font Awesome from ``/_solara/cdn/<package>@<version>/...``; the
server answers from its cache folder and, on a miss, downloads from jsdelivr. Offline, a miss is a blank page.
This script fills the cache once, while a network is available, with ``npm pack`` of exactly the versions the
installed Solara's page template and grid widget name.
Run ``python -m sim.workshop.offline_assets`` (``make workshop`` does).
Without npm, opening the page once while online fills the same cache.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# '{{cdn}}/name@1.2.3/' in the page template, '${this.getCdn()}/name@1.2.3-alpha.2/' in widgets' Vue files
PIN = re.compile(r"(?:cdn\s*}}|getCdn\(\)})/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+[\w.+-]*)/")
# Vue files of the widgets the page uses that load code through the proxy (SolaraViz's draggable grid)
WIDGET_FILES = ("widgets/vue/gridlayout.vue", "widgets/vue/gridlayout_v3.vue")


def cache_dir() -> Path:
    """Solara's CDN cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR`` or ``<venv>/share/solara/cdn``)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def required_packages() -> list[tuple[str, str]]:
    """(npm name, exact version) of every package the installed Solara's page loads through its CDN proxy."""
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    found: dict[tuple[str, str], None] = {}
    for rel in ("server/templates/solara.html.j2", *WIDGET_FILES):
        if (root / rel).exists():
            found.update(dict.fromkeys(PIN.findall((root / rel).read_text(encoding="utf-8"))))
    if settings.assets.fontawesome_enabled:
        name, _, rest = settings.assets.fontawesome_path.strip("/").partition("@")
        found[(name, rest.split("/", 1)[0])] = None
    return list(found)


def missing(cache: Path | None = None) -> list[tuple[str, str]]:
    """Packages not in the cache yet."""
    cache = cache or cache_dir()
    return [(n, v) for n, v in required_packages() if not (cache / f"{n}@{v}" / "package.json").exists()]


def fetch(cache: Path | None = None) -> list[str]:
    """Fetch every missing package with ``npm pack`` into the cache.

    Returns:
        The packages fetched, as ``name@version``.

    Raises:
        RuntimeError: if npm is missing or a download fails.
    """
    cache = cache or cache_dir()
    todo = missing(cache)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js, or open the page once while online to fill "
                           f"{cache}")
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, version in todo:
            spec = f"{name}@{version}"
            out = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp], check=False,
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()[-400:]}")
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            target = cache / spec
            staging = Path(tmp) / "x"
            shutil.rmtree(staging, ignore_errors=True)
            with tarfile.open(tgz) as tar:
                tar.extractall(staging, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(str(staging / "package"), target)  # npm tarballs hold one folder, 'package'
            done.append(spec)
    return done


def main() -> int:
    """Fill the cache; print what was done. Exit code 1 if assets are still missing."""
    try:
        done = fetch()
    except RuntimeError as exc:
        print(f"workshop assets: {exc}", file=sys.stderr)
        return 1
    where = cache_dir()
    print(f"workshop assets: {', '.join(done) if done else 'all present'} in {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
