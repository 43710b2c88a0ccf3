"""Load scenario and plan files: read, parse, validate with the schemas, check every reference.

Every failure becomes a `Problem` with the file and a JSON path; all problems found in one pass
are raised together in a `ScenarioError`. No exception other than `ScenarioError` leaves
`load_scenario`, `load_scenario_text`, `load_plan` or `load_directory`: an author never sees a
traceback.
"""

from __future__ import annotations

import difflib
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields

from practicum.scenario.errors import Problem, ScenarioError
from practicum.scenario.model import DEFAULT_TAXONOMY, Plan, Scenario
from practicum.scenario.rule_params import RULE_PARAM_SPECS, param_problems
from practicum.scenario.schema import (
    ID_PREFIXES,
    NOUNS,
    PlanSchema,
    ScenarioSchema,
    json_key,
    path_join,
)
from practicum.scenario.versions import pitch_problems, share_problems, version_problems

BOM = b"\xef\xbb\xbf"  # accepted everywhere a scenario or plan loads; `load_notes` says so
MAX_BYTES = 1024 * 1024  # a scenario is a few dozen KiB; anything near 1 MiB is a mistake
INJECT_TEXT_PREFIX = "inject:"
_MISSING = object()
Located = tuple[str, str]  # (JSON path, message)


# --- public entry points -------------------------------------------------------------------------


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and check a scenario file; raise ScenarioError listing every problem."""
    name = str(path)
    return _guarded(name, lambda: _scenario_from_bytes(_read(path, name), name))


def load_scenario_text(text: str | bytes, name: str = "<text>") -> Scenario:
    """Load and check a scenario from JSON text; ``name`` is used in messages."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _guarded(name, lambda: _scenario_from_bytes(data, name))


def load_plan(path: str | os.PathLike[str], scenario: Scenario) -> Plan:
    """Load a plan file (same JSON shape as a scenario's expertPlan) and check its references."""
    name = str(path)
    return _guarded(name, lambda: _plan_from_bytes(_read(path, name), name, scenario))


def load_plan_text(text: str | bytes, scenario: Scenario, name: str = "<plan>") -> Plan:
    """Load a plan from JSON text and check its references against ``scenario``."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    return _guarded(name, lambda: _plan_from_bytes(data, name, scenario))


def load_directory(directory: str | os.PathLike[str]) -> list[Scenario]:
    """Load every ``*.json`` scenario in a directory, sorted by id; raise on any problem."""
    name = str(directory)
    folder = Path(directory)
    if not folder.is_dir():
        raise ScenarioError(name, [Problem(name, "", "not a directory")])
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    for file in sorted(folder.glob("*.json")):
        if file.name.startswith("."):
            continue
        try:
            scenarios.append(load_scenario(file))
        except ScenarioError as error:
            problems.extend(error.problems)
    first_file: dict[str, str] = {}
    for scenario in scenarios:
        if scenario.id in first_file:
            problems.append(Problem(scenario.source_file, "id", (
                f"scenario id '{scenario.id}' is also used by {first_file[scenario.id]}; "
                "scenario ids must be unique"
            )))
        first_file.setdefault(scenario.id, scenario.source_file)
    if problems:
        raise ScenarioError(name, problems)
    return sorted(scenarios, key=lambda scenario: scenario.id)


def scenario_problems(scenario: Scenario) -> list[Located]:
    """Return (path, message) for duplicate ids and unresolved references in a built Scenario."""
    index = _Index(scenario)
    found = _duplicate_ids(scenario)
    found += _walk_references(ScenarioSchema, scenario, "", index)
    found += version_problems(scenario) + pitch_problems(scenario) + share_problems(scenario)
    return found


def rule_param_problems(scenario: Scenario) -> list[Located]:
    """Return (path, message) for automatic components whose params have the wrong type or name
    a KPI, intervention or inject the scenario lacks (a live scoring would fail on them).

    A text field the scenario lacks is left to lint's `rule-params`: the rule reads it as empty.
    """
    found: list[Located] = []
    index = _Index(scenario)
    for position, component in enumerate(scenario.rubric):
        if component.kind != "auto" or component.rule is None:
            continue
        wrong = dict(param_problems(component.rule, component.params))
        for param, message in wrong.items():
            found.append((f"rubric[{position}].params.{param}", message))
        for param, spec in RULE_PARAM_SPECS.get(component.rule, {}).items():
            value = component.params.get(param)
            if param in wrong or value is None or spec.ref in (None, "text_field"):
                continue
            path = f"rubric[{position}].params.{param}"
            values = value if isinstance(value, list) else [value]
            for item, ref_id in enumerate(values):
                where = path_join(path, item) if isinstance(value, list) else path
                if problem := index.check(spec.ref, ref_id, where):
                    found.append(problem)
    return found


def load_notes(data: bytes) -> list[str]:
    """Return notes on what a file contains that loads but an author may not know about."""
    if data.startswith(BOM):
        return ["the file starts with a UTF-8 byte-order mark (BOM); it was accepted and "
                "ignored, but some tools mind it: save as UTF-8 without BOM to drop it"]
    return []


def file_notes(path: str | os.PathLike[str]) -> list[str]:
    """Return `load_notes` for the start of a file (none if it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return load_notes(handle.read(len(BOM)))
    except OSError:
        return []


def plan_problems(scenario: Scenario, plan: Plan, root: str = "") -> list[Located]:
    """Return (path, message) for references in ``plan`` that ``scenario`` does not define."""
    return _walk_references(PlanSchema, plan, root, _Index(scenario))


# --- pipeline ------------------------------------------------------------------------------------


def _guarded(name: str, load: Any) -> Any:
    """Run a load step, turning anything unexpected into a Problem instead of a traceback."""
    try:
        return load()
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError(name, [Problem(name, "", "the JSON is nested too deeply")]) from None
    except Exception as error:  # noqa: BLE001 - the author must get a message, not a traceback
        raise ScenarioError(name, [Problem(name, "", (
            f"internal error while loading ({type(error).__name__}: {error}); "
            "please report this with the file"
        ))]) from error


def _scenario_from_bytes(data: bytes, name: str) -> Scenario:
    raw = _parse(data, name, what="scenario")
    try:
        scenario = _validate(ScenarioSchema(), raw, name)
    except ScenarioError as error:
        # Report the dangling references of the parts that did parse too, so an author sees
        # every problem in one run instead of meeting the reference errors only once the
        # schema errors are fixed.
        extra = _raw_reference_problems(raw, name, error.problems)
        raise ScenarioError(name, error.problems + extra) from None
    located = scenario_problems(scenario) + rule_param_problems(scenario)
    problems = [Problem(name, path, message) for path, message in located]
    if problems:
        raise ScenarioError(name, problems)
    return _with_source(scenario, name)


def _plan_from_bytes(data: bytes, name: str, scenario: Scenario) -> Plan:
    raw = _parse(data, name, what="plan")
    plan = _validate(PlanSchema(), raw, name)
    problems = [Problem(name, path, message) for path, message in plan_problems(scenario, plan)]
    if problems:
        raise ScenarioError(name, problems)
    return plan


def _with_source(scenario: Scenario, name: str) -> Scenario:
    return replace(scenario, source_file=name)


def _read(path: str | os.PathLike[str], name: str) -> bytes:
    """Read a file, refusing missing files, directories and anything over MAX_BYTES."""
    def fail(message: str) -> ScenarioError:
        return ScenarioError(name, [Problem(name, "", message)])

    if os.path.isdir(path):
        raise fail("is a directory, not a JSON file")
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise fail(_too_big(size))  # refuse before reading a huge file into memory
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise fail("file not found") from None
    except PermissionError:
        raise fail("permission denied") from None
    except OSError as error:
        raise fail(f"cannot read the file: {error.strerror or error}") from None


def _too_big(size: int) -> str:
    return (
        f"the file is {size:,} bytes; a scenario file may be at most 1 MiB ({MAX_BYTES:,} bytes)"
        " - is this the right file?"
    )


def _parse(data: bytes, name: str, what: str) -> Any:
    """Decode and parse JSON text; check the top level is an object with no duplicate keys."""
    def fail(message: str, **where: Any) -> ScenarioError:
        return ScenarioError(name, [Problem(name, "", message, **where)])

    if len(data) > MAX_BYTES:
        raise fail(_too_big(len(data)))
    if b"\x00" in data:
        raise fail(f"this looks like a binary file, not JSON text; a {what} file is UTF-8 JSON")
    try:
        text = data.decode("utf-8-sig")  # tolerate the byte-order mark some editors write
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise fail(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded); "
            "save it as UTF-8",
            line=line, column=column,
        ) from None
    if not text.strip():
        raise fail(f"the file is empty; a {what} file is a JSON object, starting with {{")
    try:
        raw = json.loads(text, object_pairs_hook=_KeyedObject.from_pairs)
    except json.JSONDecodeError as error:
        # Only when the parser ran off the end: an error in the middle is json's to explain.
        unclosed = unclosed_bracket(text) if error.pos >= len(text.rstrip()) else None
        if unclosed is not None:
            line, column, message = unclosed
            raise fail(message, line=line, column=column) from None
        raise fail(_syntax_message(error), line=error.lineno, column=error.colno) from None
    except ValueError as error:  # e.g. an integer literal with thousands of digits
        raise fail(f"invalid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise fail(
            f"the top level is {_describe(raw)}; a {what} file must be a JSON object "
            "({ ... }) at the top level"
        )
    problems = [Problem(name, path, message) for path, message in _raw_issues(raw, "")]
    if problems:
        raise ScenarioError(name, problems)
    return raw


class _KeyedObject(dict):  # type: ignore[type-arg]
    """A parsed JSON object that remembers keys written more than once."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _KeyedObject:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return obj


def _raw_issues(value: Any, path: str) -> Iterator[Located]:
    """Find what json.loads accepts but JSON forbids or an author never means."""
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            yield path_join(path, key), "key written twice in the same object; the last one wins"
        for key, item in value.items():
            yield from _raw_issues(item, path_join(path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _raw_issues(item, path_join(path, position))
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, "NaN and Infinity are not valid JSON numbers"


_CLOSERS = {"{": "}", "[": "]"}
_NOUN = {"{": "object", "[": "array"}


def unclosed_bracket(text: str) -> tuple[int, int, str] | None:
    """Find an object or array that is never closed; return its line, column and a message.

    json.loads reports a missing closing brace where it gave up (often "missing comma" at the
    last line), far from the mistake. Brackets are matched outside strings; in an indented
    file the first closer whose line is indented unlike its opener's line shows which opener
    lost its closer, else the innermost opener still open at the end is reported.
    """
    stack: list[tuple[str, int]] = []  # (bracket, offset)
    mismatched: int | None = None
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _CLOSERS:
            stack.append((char, offset))
        elif char in ("}", "]"):
            if not stack or _CLOSERS[stack[-1][0]] != char:
                return None  # a stray closer: json's own message is the better one
            _, opened = stack.pop()
            if mismatched is None and _indent(text, opened) != _indent(text, offset) and (
                _line_start(text, offset) != _line_start(text, opened)
            ) and text[_line_start(text, offset):offset].strip() == "":
                mismatched = opened
    if not stack:
        return None
    opened = mismatched if mismatched is not None else stack[-1][1]
    bracket = text[opened]
    line = text.count("\n", 0, opened) + 1
    column = opened - _line_start(text, opened) + 1
    return line, column, (
        f"invalid JSON: the {_NOUN[bracket]} opened here with {bracket} is never closed "
        f"(add the missing {_CLOSERS[bracket]} where the {_NOUN[bracket]} ends)"
    )


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _indent(text: str, offset: int) -> int:
    start = _line_start(text, offset)
    line = text[start:offset + 1]
    return len(line) - len(line.lstrip(" \t"))


def _syntax_message(error: json.JSONDecodeError) -> str:
    """Explain a JSON syntax error, with a hint for the mistakes people make by hand."""
    text, position = error.doc, error.pos
    here = text[position: position + 1]
    before = text[:position].rstrip()[-1:]
    hint = ""
    if here in ("/", "#"):
        hint = "JSON does not allow comments"
    elif here == "'":
        hint = "JSON strings and keys need double quotes"
    elif before == "," and here in ("}", "]"):
        hint = "remove the trailing comma before " + here
    elif error.msg.startswith("Expecting property name"):
        hint = "keys must be in double quotes"
    elif error.msg == "Extra data":
        hint = "there is text after the end of the top-level object"
    elif error.msg.startswith("Invalid control character"):
        hint = "a line break or tab inside a string must be written as \\n or \\t"
    elif error.msg.startswith("Expecting ',' delimiter"):
        hint = "a comma is missing between two items"
    elif error.msg == "Expecting value" and text[position:position + 4] in ("True", "Fals", "None"):
        hint = "JSON writes true, false and null in lower case"
    message = f"invalid JSON: {error.msg}"
    return f"{message} ({hint})" if hint else message


def _validate(schema: Schema, raw: dict[str, Any], name: str) -> Any:
    try:
        return schema.load(raw)
    except ValidationError as error:
        located = _explain_errors(error.messages, schema, raw, "")
        problems = [Problem(name, path, message) for path, message in located]
        raise ScenarioError(name, problems) from None


# --- marshmallow errors -> JSON paths ------------------------------------------------------------


def _explain_errors(messages: Any, node: Schema | fields.Field | None, raw: Any,
                    path: str) -> list[Located]:
    """Flatten marshmallow's nested error dict into (path, message), walking the schema along."""
    if isinstance(messages, list | tuple):
        return [(path, _explain(str(message), raw)) for message in messages]
    if not isinstance(messages, dict):
        return [(path, _explain(str(messages), raw))]
    found: list[Located] = []
    for key, sub in messages.items():
        if key == "_schema":
            found += _explain_errors(sub, None, raw, path)
        elif isinstance(node, Schema):
            found += _explain_schema_key(node, key, sub, raw, path)
        elif isinstance(node, fields.Nested):
            found += _explain_errors({key: sub}, node.schema, raw, path)
        elif isinstance(node, fields.List) and isinstance(key, int):
            item = raw[key] if isinstance(raw, list) and key < len(raw) else _MISSING
            found += _explain_errors(sub, node.inner, item, path_join(path, key))
        elif isinstance(node, fields.Dict) and isinstance(sub, dict):
            item = raw.get(key, _MISSING) if isinstance(raw, dict) else _MISSING
            child = path_join(path, str(key))
            for part, part_messages in sub.items():
                if part == "key":
                    found += [(child, f"key: {message}") for message in part_messages]
                else:
                    found += _explain_errors(part_messages, node.value_field, item, child)
        else:
            found += _explain_errors(sub, None, _MISSING, path_join(path, key))
    return found


def _explain_schema_key(schema: Schema, key: str, sub: Any, raw: Any, path: str) -> list[Located]:
    by_key = {json_key(f, name): f for name, f in schema.load_fields.items()}
    child_path = path_join(path, key)
    item = raw.get(key, _MISSING) if isinstance(raw, dict) else _MISSING
    if key not in by_key:
        return [(child_path, _unknown_key(key, list(by_key)))]
    return _explain_errors(sub, by_key[key], item, child_path)


def _unknown_key(key: str, allowed: list[str]) -> str:
    if key == "sourceFile":
        return "unknown key: sourceFile is set by the loader, remove it"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:
        close = [name for name in allowed if name.lower() == key.lower()]
    guess = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key{guess} (allowed here: {', '.join(allowed)})"


def _explain(message: str, raw: Any) -> str:
    """Append what was found to type errors ("expected a number, got text "12"")."""
    if message.startswith("expected") and raw is not _MISSING:
        return f"{message}, got {_describe(raw)}"
    return message


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {json.dumps(shown)}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- reference checks ----------------------------------------------------------------------------

_COLLECTIONS = {
    "kpi": "kpis",
    "stakeholder": "stakeholders",
    "cause": "causes",
    "cell": "taxonomy",
    "diagnostic": "diagnostics",
    "intervention": "interventions",
    "metric": "metrics",
    "isolation": "isolation_methods",
    "round": "rounds",
    "inject": "injects",
    "component": "rubric",
    "objective": "objectives",
}


class _Index:
    """The ids a scenario defines, by kind, for resolving references."""

    def __init__(self, scenario: Scenario) -> None:
        self.ids: dict[str, list[str]] = {
            kind: [item.id for item in getattr(scenario, attribute)]
            for kind, attribute in _COLLECTIONS.items()
        }
        self.ids["text_field"] = list(dict.fromkeys(
            field.id for round_ in scenario.rounds for field in round_.deliverable
            if field.kind == "text"
        ))

    def check(self, kind: str, value: str, path: str) -> Located | None:
        if kind == "text_field" and value.startswith(INJECT_TEXT_PREFIX):
            # A team's answer to an inject is kept as the text "inject:<inject id>".
            return self.check("inject", value.removeprefix(INJECT_TEXT_PREFIX), path)
        known = self.ids[kind]
        if value in known:
            return None
        noun = NOUNS[kind]
        if not known:
            return path, f"unknown {noun} '{value}' (the scenario defines none)"
        close = closest(value, known)
        guess = f"; did you mean '{close}'?" if close else ""
        shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
        return path, f"unknown {noun} '{value}'{guess} (known: {shown})"


def closest(value: str, known: list[str]) -> str | None:
    """Return the known id an author most likely meant, or None.

    Ids share their collection's prefix, which would make every pair look alike, so the words
    after the prefix are compared; a known id that extends what was typed also counts.
    """
    def words(item: str) -> str:
        return item.split("_", 1)[1] if "_" in item else item

    by_words = {words(item): item for item in known}
    close = difflib.get_close_matches(words(value), list(by_words), n=1, cutoff=0.6)
    if close:
        return by_words[close[0]]
    if len(words(value)) < 2:
        return None  # too short to guess from
    extended = [item for item in known if item.startswith(value) or value.startswith(item)]
    return extended[0] if len(extended) == 1 else None


class _RawObject:
    """A parsed JSON object seen through a schema's attribute names, for the reference walk."""

    def __init__(self, schema_class: type[Schema], raw: dict[str, Any]) -> None:
        self._keys = {name: json_key(f, name) for name, f in schema_class._declared_fields.items()}
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        key = self.__dict__["_keys"].get(name)
        if key is None:
            raise AttributeError(name)
        return self.__dict__["_raw"].get(key)


class _RawIndex(_Index):
    """Ids found in raw JSON; kinds whose collection the schema refused resolve anything."""

    broken: set[str]

    def check(self, kind: str, value: str, path: str) -> Located | None:
        if kind in self.broken:
            return None  # the collection itself is wrong: its references would only echo that
        return super().check(kind, value, path)


def _raw_index(raw: dict[str, Any], schema_problems: list[Problem]) -> _Index:
    """Build the id index from raw JSON, skipping items too broken to have an id."""
    index = _RawIndex.__new__(_RawIndex)
    keys = {name: json_key(f, name) for name, f in ScenarioSchema._declared_fields.items()}

    def ids(items: Any) -> list[str]:
        if not isinstance(items, list):
            return []
        return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]

    index.ids = {kind: ids(raw.get(keys[attribute])) for kind, attribute in _COLLECTIONS.items()}
    if "taxonomy" not in raw:
        index.ids["cell"] = [cell["id"] for cell in DEFAULT_TAXONOMY]
    rounds = raw.get("rounds") if isinstance(raw.get("rounds"), list) else []
    index.ids["text_field"] = list(dict.fromkeys(
        f["id"] for r in rounds if isinstance(r, dict) and isinstance(r.get("deliverable"), list)
        for f in r["deliverable"]
        if isinstance(f, dict) and f.get("kind") == "text" and isinstance(f.get("id"), str)
    ))
    taken = [p.path for p in schema_problems]
    index.broken = {
        kind for kind, attribute in _COLLECTIONS.items()
        if any(t == keys[attribute] or t.startswith((keys[attribute] + "[", keys[attribute] + "."))
               for t in taken)
    }
    if "round" in index.broken:
        index.broken.add("text_field")
    return index


def _raw_reference_problems(raw: dict[str, Any], name: str,
                            schema_problems: list[Problem]) -> list[Problem]:
    """Return reference problems in raw JSON, except where the schema already reported one."""
    try:
        found = _walk_references(ScenarioSchema, raw, "", _raw_index(raw, schema_problems))
    except Exception:  # noqa: BLE001 - a best-effort extra; the schema errors stand alone
        return []
    taken = [p.path for p in schema_problems]
    return [
        Problem(name, path, message) for path, message in found
        if not any(path == t or path.startswith((t + ".", t + "[")) or not t for t in taken)
    ]


def _duplicate_ids(scenario: Scenario) -> list[Located]:
    """Ids are unique across all collections: one id names one thing."""
    first: dict[str, str] = {}
    found: list[Located] = []
    schema_fields = ScenarioSchema._declared_fields
    for attribute in _COLLECTIONS.values():
        key = json_key(schema_fields[attribute], attribute)
        for position, item in enumerate(getattr(scenario, attribute)):
            path = path_join(path_join(key, position), "id")
            if item.id in first:
                found.append((path, f"duplicate id '{item.id}': also used at {first[item.id]}"))
            else:
                first[item.id] = path
    return found


def _walk_references(schema_class: type[Schema], obj: Any, path: str,
                     index: _Index) -> list[Located]:
    """Check every field marked ``ref``/``key_ref`` in the schemas against the scenario's ids."""
    found: list[Located] = []
    if isinstance(obj, dict):
        obj = _RawObject(schema_class, obj)
    elif isinstance(obj, list | str | int | float | bool):
        return found  # raw JSON of the wrong shape: the schema reports it
    for name, schema_field in schema_class._declared_fields.items():
        if not hasattr(obj, name):
            continue  # schema-only keys such as "$schema"
        found += _check_value(schema_field, getattr(obj, name),
                              path_join(path, json_key(schema_field, name)), obj, index)
    return found


def _check_value(schema_field: fields.Field, value: Any, path: str, owner: Any,
                 index: _Index) -> list[Located]:
    if value is None:
        return []
    if isinstance(schema_field, fields.Nested):
        return _walk_references(schema_field.nested, value, path, index)  # type: ignore[arg-type]
    if isinstance(schema_field, fields.List):
        found: list[Located] = []
        seen: set[Any] = set()
        if not isinstance(value, list | tuple):
            return found
        for position, item in enumerate(value):
            item_path = path_join(path, position)
            if isinstance(item, str):
                if item in seen:
                    found.append((item_path, f"'{item}' is listed twice"))
                seen.add(item)
            found += _check_value(schema_field.inner, item, item_path, owner, index)
        return found
    if isinstance(schema_field, fields.Dict):
        found = []
        if not isinstance(value, Mapping):
            return found
        key_kind = schema_field.metadata.get("key_ref")
        for key, item in value.items():
            item_path = path_join(path, key)
            if key_kind and (problem := index.check(key_kind, key, item_path)):
                found.append(problem)
            if schema_field.value_field is not None:
                found += _check_value(schema_field.value_field, item, item_path, owner, index)
        return found
    kind = _ref_kind(schema_field, owner)
    if kind is None:
        prefixed = schema_field.metadata.get("ref_if_prefixed")
        if prefixed and isinstance(value, str) and value.startswith(ID_PREFIXES[prefixed]):
            kind = prefixed
    if kind and isinstance(value, str):
        problem = index.check(kind, value, path)
        return [problem] if problem else []
    return []


def _ref_kind(schema_field: fields.Field, owner: Any) -> str | None:
    kind = schema_field.metadata.get("ref")
    if isinstance(kind, Mapping):  # the collection depends on the object's ``type``
        return kind.get(getattr(owner, "type", None))
    return kind
