"""Which area a point lies in: point-in-polygon on GeoJSON geometries, in plain Python.

Used to store the municipality of a point drawn for a project when the point is saved
(pages then read it, never compute it). Coordinates are GeoJSON's ``[longitude, latitude]``
in WGS84; at the scale of a municipality the plane approximation is exact enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Ring = Sequence[Sequence[float]]


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Ray casting: a ray from the point to the east crosses the ring's edges an odd number
    of times when the point is inside (W. R. Franklin's PNPOLY)."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    if kind == "GeometryCollection":
        return [p for g in geometry.get("geometries", []) for p in _polygons(g)]
    return []


def contains(geometry: dict[str, Any], longitude: float, latitude: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon holds the point (holes excluded).

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    >>> contains(square, 1, 1), contains(square, 3, 1)
    (True, False)
    """
    for rings in _polygons(geometry):
        if rings and _in_ring(longitude, latitude, rings[0]) and not any(
                _in_ring(longitude, latitude, hole) for hole in rings[1:]):
            return True
    return False


@dataclass(frozen=True)
class Area:
    """An area to search: its key, its geometry and its bounding box (west, south, east,
    north), which rules most areas out without looking at their edges."""

    key: Any
    geometry: dict[str, Any]
    box: tuple[float, float, float, float]


def area(key: Any, geometry: dict[str, Any]) -> Area | None:
    """An :class:`Area` for a geometry; None when it has no polygon."""
    points = [pt for rings in _polygons(geometry) for ring in rings[:1] for pt in ring]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Area(key, geometry, (min(xs), min(ys), max(xs), max(ys)))


def locate(areas: Iterable[Area], longitude: float, latitude: float) -> Any | None:
    """The key of the first area holding the point, or None when none does.

    Examples
    --------
    >>> a = area("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    >>> locate([a], 0.9, 0.1), locate([a], 0.1, 0.9)
    ('a', None)
    """
    for candidate in areas:
        west, south, east, north = candidate.box
        if west <= longitude <= east and south <= latitude <= north \
                and contains(candidate.geometry, longitude, latitude):
            return candidate.key
    return None
