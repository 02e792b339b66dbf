"""Progress that rolls up: a tree of milestones and sub-projects, weights normalised at each level.

Pure computation on plain records (no Django): the projects app builds the tree from its
rows, calls :func:`roll_up`, and stores the result with its explanation, which the pages word
("50% of the weight: 3 of 4 milestones done").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    """One part of a project's progress.

    ``kind`` is "milestone" (done or not; with children, its progress is theirs rolled up),
    "project" (a sub-project, whose own progress, rolled up the same way, is ``value``) or
    "indicator" (``value`` is the share of the way to the target, in percent, not clipped).
    ``weight`` is relative to the node's siblings: only the proportions matter.
    """

    key: str
    label: str
    kind: str
    weight: float = 1.0
    done: bool = False
    value: float | None = None
    children: tuple[Node, ...] = field(default=())


@dataclass(frozen=True)
class Part:
    """A direct part of the whole: its normalised share of the weight (0 to 1), its progress
    (0 to 100), and for milestones how many of the milestones under it are done."""

    key: str
    label: str
    kind: str
    share: float
    progress: float | None
    done: int
    total: int


@dataclass(frozen=True)
class Rollup:
    """The rolled-up progress (0 to 100) with its parts; ``reason`` names why there is no
    figure ("no_parts": nothing to roll up, "no_weight": every weight is zero, "no_value":
    no part has a value)."""

    progress: float | None
    parts: tuple[Part, ...]
    reason: str = ""


def _clip(value: float) -> float:
    return min(100.0, max(0.0, value))


def _count(node: Node) -> tuple[int, int]:
    """Milestones done and in all under ``node`` (the node itself when it is a leaf)."""
    if node.kind != "milestone":
        return 0, 0
    if not node.children:
        return int(node.done), 1
    done = total = 0
    for child in node.children:
        d, t = _count(child)
        done, total = done + d, total + t
    return done, total


def _progress(node: Node) -> float | None:
    if node.kind == "milestone":
        if not node.children:
            return 100.0 if node.done else 0.0
        return roll_up(node.children).progress
    if node.value is None or not math.isfinite(node.value):
        return None
    return _clip(node.value)


def roll_up(nodes: Sequence[Node]) -> Rollup:
    """The weighted mean of the nodes' progress, weights normalised to sum to one.

    Parameters
    ----------
    nodes : sequence of Node
        The direct parts; a milestone's children roll up first, at any depth.

    Returns
    -------
    Rollup
        ``progress`` is :math:`\\sum_i w_i p_i / \\sum_i w_i` over the parts that have a
        progress, each :math:`p_i` clipped to [0, 100] (an indicator past its target counts
        as done, one moving away as not started); parts without a value keep their share on
        the page but are left out of the sum, so their weight goes to the others.

    Examples
    --------
    >>> r = roll_up([Node("a", "A", "milestone", 1, children=(
    ...     Node("a1", "", "milestone", done=True), Node("a2", "", "milestone", done=True),
    ...     Node("a3", "", "milestone", done=True), Node("a4", "", "milestone"))),
    ...     Node("b", "B", "project", 1, value=25.0)])
    >>> r.progress, r.parts[0].share, (r.parts[0].done, r.parts[0].total)
    (50.0, 0.5, (3, 4))
    """
    if not nodes:
        return Rollup(None, (), "no_parts")
    weights = [max(0.0, float(n.weight)) if math.isfinite(n.weight) else 0.0 for n in nodes]
    total = math.fsum(weights)
    if total <= 0:
        return Rollup(
            None,
            tuple(Part(n.key, n.label, n.kind, 0.0, _progress(n), *_count(n)) for n in nodes),
            "no_weight",
        )
    parts, counted, weighted = [], 0.0, 0.0
    for node, weight in zip(nodes, weights, strict=True):
        progress = _progress(node)
        parts.append(Part(node.key, node.label, node.kind, weight / total, progress, *_count(node)))
        if progress is not None and weight > 0:
            counted += weight
            weighted += weight * progress
    if counted <= 0:
        return Rollup(None, tuple(parts), "no_value")
    return Rollup(weighted / counted, tuple(parts))
