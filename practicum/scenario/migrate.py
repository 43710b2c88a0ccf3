"""``practicum migrate``: rewrite a scenario file in the newest format (v2), keeping its content.

A v1 file becomes v2 by its version number alone: every key v2 added defaults to what v1 did
(see practicum/scenario/versions.py), so nothing else needs to change and outcomes stay the same.
The output puts keys in the order the schemas declare them (``$schema`` first), which makes it
stable and the command idempotent: migrating a migrated file gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from marshmallow import Schema, fields

from practicum.scenario.errors import Problem, ScenarioError
from practicum.scenario.loader import load_scenario_text
from practicum.scenario.model import SCHEMA_VERSION
from practicum.scenario.schema import ScenarioSchema, json_key

EXIT_OK, EXIT_PROBLEMS = 0, 1
WIDTH = 100  # an object or array this short (with its indent) stays on one line


def migrate_text(text: str | bytes, name: str = "<text>") -> str:
    """Return the scenario as v2 JSON text; raise ScenarioError if it does not load."""
    load_scenario_text(text, name)  # only a file that loads is rewritten
    raw = json.loads(text.decode("utf-8-sig") if isinstance(text, bytes) else text.lstrip("\ufeff"))
    raw["schemaVersion"] = SCHEMA_VERSION
    migrated = render(ordered(ScenarioSchema, raw)) + "\n"
    load_scenario_text(migrated, name)  # the result must load too: never write a broken file
    return migrated


def render(value: Any, indent: int = 0, column: int = 0, in_list: bool = False) -> str:
    """Return JSON text, two-space indented, as the shipped scenarios are written.

    An object or array stays on one line when it fits in WIDTH columns from where it starts,
    and so does an array item that is a flat object (a timeline entry, an evidence weight).
    """
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or column + len(flat) <= WIDTH:
        return flat
    if (
        in_list
        and isinstance(value, dict)
        and not any(isinstance(v, dict | list) for v in value.values())
    ):
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            head = f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            items.append(head + render(item, indent + 2, len(head)))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + render(item, indent + 2, len(inner), in_list=True) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def ordered(schema_class: type[Schema], raw: dict[str, Any]) -> dict[str, Any]:
    """Return ``raw`` with keys in the schema's declared order, nested objects likewise."""
    result: dict[str, Any] = {}
    for name, schema_field in schema_class._declared_fields.items():
        key = json_key(schema_field, name)
        if key in raw:
            result[key] = _ordered_value(schema_field, raw[key])
    for key, value in raw.items():  # the loader refuses unknown keys; kept here all the same
        result.setdefault(key, value)
    return result


def _ordered_value(schema_field: fields.Field, value: Any) -> Any:
    if isinstance(schema_field, fields.Nested) and isinstance(value, dict):
        return ordered(schema_field.nested, value)  # type: ignore[arg-type]
    if isinstance(schema_field, fields.List) and isinstance(value, list):
        return [_ordered_value(schema_field.inner, item) for item in value]
    return value


def add_migrate_command(subparsers: Any) -> None:
    """Add ``practicum migrate FILE [-o OUT]`` to the command line."""
    command = subparsers.add_parser(
        "migrate",
        help="rewrite a scenario file in format v2",
        description="Load a scenario file (v1 or v2) and write it as format v2 with the same "
        "content and outcomes, keys in a stable order. Without -o the file is rewritten in place.",
    )
    command.add_argument("file", metavar="FILE")
    command.add_argument("-o", "--output", metavar="OUT", help="write here instead of FILE")
    command.set_defaults(func=run_migrate)


def run_migrate(args: argparse.Namespace, out: TextIO) -> int:
    """Migrate one file; report problems instead of writing when it does not load."""
    source = Path(args.file)
    try:
        try:
            data = source.read_bytes()
        except OSError as error:
            raise ScenarioError(
                args.file,
                [Problem(args.file, "", (f"cannot read the file: {error.strerror or error}"))],
            ) from None
        migrated = migrate_text(data, args.file)
    except ScenarioError as error:
        out.write(error.render() + "\n")
        return EXIT_PROBLEMS
    target = Path(args.output) if args.output else source
    target.write_text(migrated, encoding="utf-8")
    out.write(f"{args.file}: written as format v{SCHEMA_VERSION} to {target}\n")
    return EXIT_OK
