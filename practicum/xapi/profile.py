"""The Practicum xAPI profile: every verb, activity type and extension IRI (docs/xapi.md)."""

from __future__ import annotations

import uuid
from typing import Any

# The profile's own namespace: verbs, activity types and extensions Practicum defines. Fixed,
# not per deployment, so an LRS holding statements from several Practicum servers can query
# them together. Activity *ids* are per deployment (under the configured BASE_URL).
PROFILE = "https://w3id.org/practicum/xapi"
VERSION_HEADER = "1.0.3"
PLATFORM = "Practicum"
# Statement ids and registrations are name-based UUIDs in this namespace (see statements.py).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROFILE)

ADL = "http://adlnet.gov/expapi/verbs"

# verb key -> (IRI, English display)
VERBS: dict[str, tuple[str, str]] = {
    "joined": (f"{PROFILE}/verbs/joined", "joined"),
    "formed": (f"{PROFILE}/verbs/formed", "formed"),
    "ran": (f"{PROFILE}/verbs/ran", "ran"),
    "declared": (f"{PROFILE}/verbs/declared", "declared"),
    "chose": (f"{PROFILE}/verbs/chose", "chose"),
    "submitted": (f"{PROFILE}/verbs/submitted", "submitted"),
    "scored": (f"{ADL}/scored", "scored"),
    "completed": (f"{ADL}/completed", "completed"),
}

# activity kind -> type IRI
ACTIVITY_TYPES: dict[str, str] = {
    "scenario": "http://adlnet.gov/expapi/activities/simulation",
    "session": f"{PROFILE}/activities/session",
    "round": f"{PROFILE}/activities/round",
    "team": f"{PROFILE}/activities/team",
    "diagnostic": f"{PROFILE}/activities/diagnostic",
    "cause": f"{PROFILE}/activities/cause",
    "intervention": f"{PROFILE}/activities/intervention",
    "metric": f"{PROFILE}/activities/metric",
}

# extension key -> IRI (context or result extensions)
EXTENSIONS: dict[str, str] = {
    "confidence": f"{PROFILE}/extensions/confidence",
    "cell": f"{PROFILE}/extensions/cell",
    "start-week": f"{PROFILE}/extensions/start-week",
    "target": f"{PROFILE}/extensions/target",
    "automatic": f"{PROFILE}/extensions/automatic",
    "reason": f"{PROFILE}/extensions/reason",
    "cost": f"{PROFILE}/extensions/cost",
}


def verb(key: str) -> dict[str, Any]:
    """Return the verb object for a verb key."""
    iri, display = VERBS[key]
    return {"id": iri, "display": {"en-US": display}}
