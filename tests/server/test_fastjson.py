"""JSON text for packets and log rows: orjson where it can, the standard encoder where not."""

from __future__ import annotations

import json

import pytest

from practicum.server import fastjson


def test_trees_read_back_as_the_standard_encoder_writes_them():
    tree = {
        "teamId": "t_1",
        "set": {"budget": {"left": 1250.5, "spent": 0}},
        "chat": [{"n": 3, "text": "Größe – 規模 ✎", "at": 1_800_000_000.25}],
        "textUpdates": [{"field": "gap", "update": "AQLm5", "by": None}],
        "ok": True,
        "tuple": (1, 2),
    }
    text = fastjson.dumps(tree)
    assert text == json.dumps(tree, separators=(",", ":"), ensure_ascii=False)
    assert fastjson.dumps_bytes(tree) == text.encode()


def test_non_string_keys_are_written_as_strings():
    assert fastjson.dumps({1: "a", "b": 2}) == '{"1":"a","b":2}'


def test_what_orjson_refuses_falls_back_to_the_standard_encoder():
    big = {"n": 2**70}
    assert fastjson.dumps(big) == '{"n":1180591620717411303424}'
    deep: list = []
    for _ in range(300):  # orjson stops at 254 levels; json goes on
        deep = [deep]
    assert json.loads(fastjson.dumps(deep)) == deep
    too_deep: list = []
    for _ in range(5000):
        too_deep = [too_deep]
    with pytest.raises(RecursionError):  # the guard answers payload/invalid
        fastjson.dumps_bytes(too_deep)
    with pytest.raises(TypeError):
        fastjson.dumps({"set": {1, 2}})
