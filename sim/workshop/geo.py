"""The nine counties of Taizhou as shapes for an inline SVG map, and seeded village positions inside them.

The boundaries are ``configs/data/taizhou_counties.geojson``: DataV.GeoAtlas administrative boundaries (Aliyun),
adcode 331000, as mirrored in the public repository tnnevol/gmap (file ``331000.json``); the file's own
``source`` field says the same. The model's counties (:data:`sim.population.COUNTIES`, e.g. ``椒江``) are
matched to the features by name prefix (``椒江区``).

The model has no village coordinates, so each village is put at a random point of its county's polygon
(rejection sampling with a generator seeded from the run's seed): the same seed gives the same map in every
frame and every run, and a village never lands in the sea or in the wrong county.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sim.population import COUNTIES
from sim.run import CONFIG_DIR

GEOJSON = Path(CONFIG_DIR) / "data" / "taizhou_counties.geojson"
WIDTH = 560.0  # SVG user units across the map; the page scales it to the card
PAD = 6.0


@dataclass(frozen=True)
class County:
    """One county in map units: its polygons (rings of x, y) and a point for its label."""

    name: str
    rings: tuple[np.ndarray, ...]  # every ring of every polygon, outer and holes alike (even-odd fill)
    label_xy: tuple[float, float]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) around all rings."""
        pts = np.vstack(self.rings)
        return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())

    def path(self) -> str:
        """The county's outline as an SVG path (one closed sub-path per ring)."""
        return " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z" for ring in self.rings)

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point is inside the county (even-odd rule over all rings, so holes are outside)."""
        inside = np.zeros(np.shape(x), bool)
        for ring in self.rings:
            x1, y1 = ring[:, 0], ring[:, 1]
            x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
            # a ray to the right of each point crosses the edge (x1,y1)-(x2,y2)
            crosses = (y1[None, :] > y[:, None]) != (y2[None, :] > y[:, None])
            with np.errstate(divide="ignore", invalid="ignore"):
                x_at = x1[None, :] + (y[:, None] - y1[None, :]) * (x2 - x1)[None, :] / (y2 - y1)[None, :]
            inside ^= (np.sum(crosses & (x[:, None] < x_at), axis=1) % 2).astype(bool)
        return inside


@dataclass(frozen=True)
class CountyMap:
    """The nine counties in the model's order, in map units ``width`` x ``height``."""

    counties: tuple[County, ...]
    width: float
    height: float


@cache
def county_map() -> CountyMap:
    """The counties projected for drawing, in the order of :data:`sim.population.COUNTIES`.

    An equirectangular projection with longitudes scaled by the cosine of the mean latitude: at Taizhou's
    28.7°N over 150 km this keeps shapes within a fraction of a percent of true, with no map library.

    Raises:
        ValueError: if a county of the model has no feature in the file.
    """
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    by_name = {}
    for feat in doc["features"]:
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        by_name[feat["properties"]["name"]] = (feat["properties"], [np.asarray(r, float) for p in polys for r in p])
    lonlat = []
    for county in COUNTIES:
        match = [k for k in by_name if k.startswith(county)]
        if len(match) != 1:
            raise ValueError(f"county {county!r}: {len(match)} features in {GEOJSON.name} start with it")
        lonlat.append(by_name[match[0]])
    allpts = np.vstack([r for _, rings in lonlat for r in rings])
    lat0 = float(allpts[:, 1].mean())
    kx = math.cos(math.radians(lat0))
    lon_min, lat_max = float(allpts[:, 0].min()), float(allpts[:, 1].max())
    span_x = (float(allpts[:, 0].max()) - lon_min) * kx
    span_y = lat_max - float(allpts[:, 1].min())
    scale = (WIDTH - 2 * PAD) / span_x

    def project(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return np.column_stack([PAD + (lon - lon_min) * kx * scale, PAD + (lat_max - lat) * scale])

    counties = []
    for name, (props, rings) in zip(COUNTIES, lonlat, strict=True):
        projected = tuple(project(r[:, 0], r[:, 1]) for r in rings)
        lon, lat = props.get("centroid") or props.get("center") or rings[0].mean(axis=0)
        label = project(np.array([lon]), np.array([lat]))[0]
        counties.append(County(name, projected, (float(label[0]), float(label[1]))))
    return CountyMap(tuple(counties), WIDTH, span_y * scale + 2 * PAD)


def _sample_in(county: County, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points uniformly inside a county, by rejection from its bounding box."""
    x0, y0, x1, y1 = county.bbox
    out = np.empty((0, 2))
    while len(out) < n:
        k = max(64, 3 * (n - len(out)))  # the counties fill 30-60% of their boxes
        x, y = x0 + (x1 - x0) * rng.random(k), y0 + (y1 - y0) * rng.random(k)
        keep = county.contains(x, y)
        out = np.vstack([out, np.column_stack([x[keep], y[keep]])])
    return out[:n]


@cache
def _positions(seed: int, county_of_village: bytes) -> np.ndarray:
    county = np.frombuffer(county_of_village, dtype=np.int64)
    rng = np.random.default_rng([int(seed), 331000])  # the map's own stream: drawing it never moves the model
    xy = np.empty((county.size, 2))
    for c, shape in enumerate(county_map().counties):
        idx = np.flatnonzero(county == c)
        xy[idx] = _sample_in(shape, idx.size, rng)
    xy.setflags(write=False)
    return xy


def village_positions(seed: int, village_county: np.ndarray) -> np.ndarray:
    """Map (x, y) of each village, inside its county; the same for the same seed and villages (cached).

    Args:
        seed: the run's seed.
        village_county: the county index (0..8) of each village, as in ``model.places.village_county``.

    Returns:
        A read-only array of shape (villages, 2) in the units of :func:`county_map`.
    """
    return _positions(int(seed), np.asarray(village_county, np.int64).tobytes())
