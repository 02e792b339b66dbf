"""Panels that the apps add to a person's home in the back office (/gestione/).

The site's home shows one panel per role a person holds. Apps below the site (participation, the
work instruments, ...) cannot import it, so each registers a function that, given the signed-in
person, returns its panel (a title and the links to that person's work) or nothing; the site asks
every registered function and shows what they return, in the order the apps were loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomePanel:
    """One app's panel: `key` names it in the page (`panel-<key>`), `links` are (address, label)."""

    key: str
    title: str
    links: list[tuple[str, str]] = field(default_factory=list)
    #: Whether a role of the person's brought the panel; a panel every signed-in person gets
    #: (their own data, say) does not, so the home still tells a person without a role so.
    from_role: bool = True


# A provider is called as provider(user, secretariat=bool): the home knows already whether the
# person belongs to the secretariat, and each provider should cost one query at most.
_PANELS: list[Callable[..., HomePanel | None]] = []


def register_home_panel(provider: Callable[..., HomePanel | None]) -> None:
    if provider not in _PANELS:
        _PANELS.append(provider)


def home_panels(user, *, secretariat: bool) -> list[HomePanel]:
    """The panels the person's roles give them, each app asked once."""
    return [
        panel
        for provider in _PANELS
        if (panel := provider(user, secretariat=secretariat)) is not None
    ]
