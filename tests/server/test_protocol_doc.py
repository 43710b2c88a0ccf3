"""docs/protocol.md is generated from the schemas and error tables and must stay current."""

from __future__ import annotations

from pathlib import Path

from practicum.engine.commands import FACILITATOR_COMMANDS, LEARNER_COMMANDS
from practicum.engine.errors import ERRORS
from practicum.server import protocol_doc
from practicum.server.messages import FACILITATOR_ROUTES, LEARNER_ROUTES, SERVER_ERRORS

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_committed_protocol_doc_is_current():
    assert DOC.read_text() == protocol_doc.render(), (
        "docs/protocol.md is stale: run `.venv/bin/python -m practicum.server.protocol_doc "
        "> docs/protocol.md`"
    )


def test_every_event_field_and_error_code_is_documented():
    text = DOC.read_text()
    for route in LEARNER_ROUTES + FACILITATOR_ROUTES:
        assert f"#### `{route.event}`" in text
        for name, field in route.schema._declared_fields.items():
            assert f"`{field.data_key or name}`" in text
    for code in list(ERRORS) + list(SERVER_ERRORS):
        assert f"`{code}`" in text


def test_routes_cover_every_engine_command_in_the_right_namespace():
    learner = {r.command for r in LEARNER_ROUTES if r.command}
    facilitator = {r.command for r in FACILITATOR_ROUTES if r.command}
    assert learner == set(LEARNER_COMMANDS)
    assert facilitator == set(FACILITATOR_COMMANDS)
