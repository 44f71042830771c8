"""Layout and geometry of the animated flow chart.

Outside sources (where staff come from) sit in a column on the left, outside
destinations (where leavers go) on the right and the sectors in the middle.
Coordinates are in "chart units": the drawing area is ``WIDTH`` x ``HEIGHT``.

Every line is routed round the circles it does not belong to (:func:`route`):
a line from the local job market to social care must not look as if it went
through general practice on its way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.style import DESTINATION_ORDER, SOURCE_ORDER

WIDTH, HEIGHT = 16.0, 7.2
SOURCE_X, DESTINATION_X = 3.0, 13.0
OUTSIDE_RADIUS = 0.3
MAX_SECTOR_RADIUS = 1.0
LOOP_RADIUS = 0.26
CURVE_POINTS = 48
CLEARANCE = 0.12  # chart units kept between a line and a circle it passes
DESTINATION_SUFFIX = ">"  # the key of a destination that has the name of a source


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "in" (from outside), "out" (to outside), "between", "within"


def column(keys: list[str], x: float, top: float, bottom: float) -> dict[str, np.ndarray]:
    ys = np.linspace(top, bottom, len(keys)) if len(keys) > 1 else [(top + bottom) / 2]
    return {k: np.array([x, y]) for k, y in zip(keys, ys, strict=True)}


def node_positions(sectors: list[str], sources: list[str], destinations: list[str]):
    """Centre of every node, and for sectors the outward direction for labels and loops."""
    pos = column(sources, SOURCE_X, 6.3, 0.9)
    pos |= column(destinations, DESTINATION_X, 5.8, 1.4)
    outward = {}
    n = len(sectors)
    if n <= 4:
        grid = [(6.5, 5.0), (9.5, 5.0), (6.5, 2.2), (9.5, 2.2)]
        for s, (x, y) in zip(sectors, grid[:n], strict=True):
            pos[s] = np.array([x, y])
            outward[s] = np.array([0.0, 1.0 if y > HEIGHT / 2 else -1.0])
    else:  # more sectors: an ellipse round the middle
        angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
        for s, a in zip(sectors, angles, strict=True):
            pos[s] = np.array([8.0 + 2.7 * np.cos(a), 3.5 + 1.8 * np.sin(a)])
            outward[s] = np.array([0.0, 1.0 if np.sin(a) >= 0 else -1.0])
    return pos, outward


def max_radius(n_sectors: int) -> float:
    """Radius of the largest sector circle: smaller when more sectors share the middle."""
    return MAX_SECTOR_RADIUS if n_sectors <= 4 else 0.8 * MAX_SECTOR_RADIUS


def edges(sectors: list[str], sources: list[str], destinations: list[str]) -> list[Edge]:
    out = [Edge(src, s, "in") for src in sources for s in sectors]
    out += [Edge(s, dst, "out") for s in sectors for dst in destinations]
    out += [Edge(a, b, "between") for a in sectors for b in sectors if a != b]
    out += [Edge(s, s, "within") for s in sectors]
    return out


def curve(p0: np.ndarray, p1: np.ndarray, bend: float, n: int = CURVE_POINTS) -> np.ndarray:
    """Quadratic Bezier from p0 to p1, bowed to the right of the direction of travel.

    Bowing to the right keeps the two directions between a pair of nodes apart.
    """
    d = p1 - p0
    normal = np.array([d[1], -d[0]])
    control = (p0 + p1) / 2 + bend * normal
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p1


def route(p0: np.ndarray, p1: np.ndarray, bend: float,
          obstacles: list[tuple[np.ndarray, float]], n: int = CURVE_POINTS,
          gap: float = CLEARANCE) -> np.ndarray:
    """A smooth line from p0 to p1 that keeps ``gap`` off every obstacle circle
    (centre, radius): the bowed curve, with the points that fall inside a circle pushed
    out to its rim (to the side the curve already bows to) and the line smoothed again,
    until no point is inside."""
    poly = curve(p0, p1, bend, n)
    d = p1 - p0
    right = np.array([d[1], -d[0]]) / max(float(np.hypot(*d)), 1e-9)
    for _ in range(400):
        moved = False
        for centre, radius in obstacles:
            need = radius + gap
            off = poly[1:-1] - centre
            dist = np.hypot(off[:, 0], off[:, 1])
            inside = dist < need
            if not inside.any():
                continue
            moved = True
            # all of a line goes round one side of a circle: the side it already passes on
            # (a line through the very centre goes to its right, as lines bow)
            lean = float(np.dot(off[inside].mean(axis=0), right))
            side = 1.0 if lean >= -1e-6 else -1.0
            direction = off[inside] + side * right * need
            direction /= np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-9)[:, None]
            poly[1:-1][inside] = centre + direction * (need + 0.02)
        if not moved:
            break
        for _ in range(3):  # spread the push along the line, so it bends rather than kinks
            poly[1:-1] = 0.5 * poly[1:-1] + 0.25 * (poly[:-2] + poly[2:])
    return poly


def clearance(poly: np.ndarray, obstacles: list[tuple[np.ndarray, float]]) -> float:
    """The least distance between the line's inner points and the rim of an obstacle."""
    if not obstacles:
        return np.inf
    return min(float(np.hypot(*(poly[1:-1] - c).T).min() - r) for c, r in obstacles)


def loop(centre: np.ndarray, radius: float, outward: np.ndarray,
         n: int = CURVE_POINTS) -> np.ndarray:
    """A small clockwise loop sitting on the edge of a sector circle."""
    c = centre + outward * (radius + LOOP_RADIUS * 0.55)
    start = np.arctan2(-outward[1], -outward[0])
    angles = start - np.linspace(0.0, 2 * np.pi, n)
    return c + LOOP_RADIUS * np.column_stack([np.cos(angles), np.sin(angles)])


def cumulative_length(poly: np.ndarray) -> np.ndarray:
    seg = np.hypot(*np.diff(poly, axis=0).T)
    return np.concatenate([[0.0], np.cumsum(seg)])


def points_along(poly: np.ndarray, cum: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points at fractions ``s`` (0..1) of the way along a polyline."""
    d = s * cum[-1]
    return np.column_stack([np.interp(d, cum, poly[:, 0]), np.interp(d, cum, poly[:, 1])])


def bend_for(edge: Edge) -> float:
    return {"in": 0.06, "out": 0.06, "between": 0.16}.get(edge.kind, 0.0)


def destination_key(name: str, sources) -> str:
    """The node key of a destination: its name, unless a source has that name (people
    leaving to study are not the newly qualified coming in)."""
    return name + DESTINATION_SUFFIX if name in sources else name


def node_name(key: str) -> str:
    return key[:-len(DESTINATION_SUFFIX)] if key.endswith(DESTINATION_SUFFIX) else key


def outside_nodes(sectors: list[str], flows) -> tuple[list[str], list[str]]:
    """Outside sources and destinations that appear in ``flows`` (a frame with source and
    target columns), in the standard order, then any others alphabetically. Node names
    the simulator adds later are shown too, never dropped."""
    sources = set(flows["source"]) - set(sectors)
    targets = set(flows["target"]) - set(sectors)
    src = [s for s in SOURCE_ORDER if s in sources] + sorted(sources - set(SOURCE_ORDER))
    dst = [d for d in DESTINATION_ORDER if d in targets] + sorted(targets - set(DESTINATION_ORDER))
    return src, [destination_key(d, src) for d in dst]
