"""A scenario's own translations: its text in the learner's language where the author gave one.

A scenario names the language it is written in (``language``) and may carry ``translations``:
language tag -> {path -> text}. A path walks the scenario's JSON with dots; a step into a list
picks the item with that ``id`` (``causes.rc_tools.label``), or the item at that position
for lists without ids (``brief.timeline.0.event``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from practicum.scenario.model import Scenario


def primary(tag: str) -> str:
    """Return the language of a tag, lower-case: "de" for "de-AT"."""
    return tag.replace("_", "-").split("-")[0].lower()


def translations_for(scenario: Scenario, locale: str) -> Mapping[str, str]:
    """Return the scenario's translations for a locale (exact tag first, then its language)."""
    if not locale or primary(locale) == primary(scenario.language):
        return {}
    by_tag = {tag.lower(): texts for tag, texts in scenario.translations.items()}
    exact = by_tag.get(locale.lower())
    if exact is not None:
        return exact
    for tag, texts in by_tag.items():
        if primary(tag) == primary(locale):
            return texts
    return {}


def _step(node: Any, key: str) -> tuple[Any, Any] | None:
    """Return (container, key) one step down a path, or None when the path leaves the view."""
    if isinstance(node, dict):
        return (node, key) if key in node else None
    if isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict) and item.get("id") == key:
                return node, index
        if key.isdigit() and int(key) < len(node):
            return node, int(key)
    return None


def apply_path(view: Any, path: str, text: str) -> bool:
    """Put `text` at `path` in a view (in place) when the path names a string there."""
    node = view
    steps = path.split(".")
    for position, key in enumerate(steps):
        found = _step(node, key)
        if found is None:
            return False
        container, slot = found
        if position == len(steps) - 1:
            if not isinstance(container[slot], str):
                return False
            container[slot] = text
            return True
        node = container[slot]
    return False


def localise(view: dict[str, Any], scenario: Scenario, locale: str) -> dict[str, Any]:
    """Return a copy of a scenario view with the scenario's text in `locale` where translated.

    Paths the view does not hold (hidden parts, or a text the view leaves out) are skipped, so
    one set of translations serves every view of the scenario.
    """
    texts = translations_for(scenario, locale)
    if not texts:
        return view
    localised = copy.deepcopy(view)
    for path, text in texts.items():
        apply_path(localised, path, text)
    return localised


def unknown_paths(scenario_json: Mapping[str, Any]) -> list[str]:
    """Return the translation paths that name no string in the scenario file (for authors)."""
    problems = []
    probe = copy.deepcopy(dict(scenario_json))
    for tag, texts in (probe.get("translations") or {}).items():
        for path in texts:
            if not apply_path(probe, path, ""):
                problems.append(f"translations.{tag}: {path!r} names no text in the scenario")
    return problems
