"""The bench's pure parts: markers, the action mix, percentiles, the report's target checks."""

from __future__ import annotations

import random
from pathlib import Path

from bench.markers import action_key, is_exact, marker_of, tag, view_keys
from bench.mix import DEFAULT_WEIGHTS, Playbook, TeamLedger, build_action, choose, playbook
from bench.report import cluster_table, markdown, saturation_ratio, target_checks, text_table
from bench.run import parse_args, plan_steps
from bench.stats import percentile, summarise
from bench.texts import FieldDoc, markers_in, text_of_update
from practicum.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_marker_survives_the_round_trip_through_a_text():
    text = tag("Check the contact mix", "c-g0a1")
    assert marker_of(text) == "c-g0a1"
    assert marker_of("no marker here") is None
    assert marker_of(None) is None


def test_view_keys_read_only_the_chat_after_the_watermark():
    view = {
        "chatCount": 3,
        "chat": [{"text": tag("a", "c-1")}, {"text": tag("b", "c-2")}, {"text": tag("c", "c-3")}],
        "texts": {"gap": tag("draft", "w-9")},
        "diagnostics": [{"diagnostic": "d_x"}],
        "evidence": [{"diagnostic": "d_x", "cause": "rc_y", "stance": -1}],
    }
    keys, watermark = view_keys(view, chat_seen=1)
    assert keys == ["c-2", "c-3", "w-9", "d:d_x", "e:d_x:rc_y:-1"]
    assert watermark == 3


def test_a_reference_relay_yields_the_key_of_the_relayed_action():
    payload = {"diagnostic": "d_x", "cause": "rc_y", "stance": 1}
    relay = {"relay": "mark_evidence", "team": "t_1", "data": payload}
    assert view_keys(relay, 0) == (["e:d_x:rc_y:1"], 0)
    assert action_key("mark_evidence", payload) == "e:d_x:rc_y:1"
    assert is_exact("c-1") and is_exact("d:d_x") and not is_exact("w-1")


def test_the_playbook_only_plans_diagnostics_the_round_one_budget_covers():
    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    book = playbook(scenario)
    chosen = [scenario.diagnostic(d) for d in book.diagnostics]
    budget = scenario.budget
    assert chosen, "the bench needs at least one affordable diagnostic"
    assert sum(d.cost.points for d in chosen) <= budget.points + scenario.rounds[0].budget.points
    assert sum(d.cost.days for d in chosen) <= budget.days + scenario.rounds[0].budget.days
    assert all(d.opens_in == scenario.rounds[0].id and not d.locked for d in chosen)
    assert {"chat", "write_text", "edit_text"} <= book.actions
    assert Playbook.from_dict(book.to_dict()) == book


def test_the_mix_never_picks_what_the_team_cannot_do():
    rng = random.Random(3)
    ledger = TeamLedger([], ("rc_a",))
    kinds = {choose(rng, DEFAULT_WEIGHTS, ledger) for _ in range(300)}
    assert kinds == {"chat", "edit_text"}
    ledger.holds("d_x", rng)
    kinds = {choose(rng, DEFAULT_WEIGHTS, ledger) for _ in range(300)}
    assert "mark_evidence" in kinds and "run_diagnostic" not in kinds


def test_built_actions_carry_their_marker_and_respect_field_limits():
    rng = random.Random(5)
    book = Playbook(("d_x",), ("rc_a",), (("gap", 40),), frozenset({"chat", "write_text"}))
    ledger = TeamLedger(["d_x"], ("rc_a",))
    text = build_action("write_text", rng, ledger, book, "w-7")
    assert len(text["text"]) <= 40 and marker_of(text["text"]) == "w-7"
    assert build_action("run_diagnostic", rng, ledger, book, "x") == {"diagnostic": "d_x"}
    assert ledger.diagnostics_left == []


def test_an_edit_text_is_known_by_its_update():
    payload = {"team": "t_1", "field": "gap", "update": "AQLx"}
    assert action_key("edit_text", payload) == "x:AQLx"
    relay = {"relay": "edit_text", "team": "t_1", "data": payload}
    assert view_keys(relay, 0) == (["x:AQLx"], 0)
    assert not is_exact("x:AQLx")


def test_concurrent_typing_converges_and_keeps_every_marker():
    rng = random.Random(7)
    copies = [FieldDoc() for _ in range(3)]
    relayed: list[str] = []  # the server's order: every copy merges every update
    for round_ in range(40):
        # All three type at once from the same state, then everyone merges everything.
        fresh = [
            doc.type_fragment(f" w [#k-{round_}-{n}]", 10_000, rng)[0]
            for n, doc in enumerate(copies)
        ]
        relayed.extend(fresh)
        for doc in copies:
            for update in fresh:
                doc.receive(update)
    texts = {str(doc) for doc in copies}
    assert len(texts) == 1
    merged = texts.pop()
    assert sorted(markers_in(merged)) == sorted(f"k-{r}-{n}" for r in range(40) for n in range(3))
    rebuilt = FieldDoc()
    for update in relayed:
        rebuilt.receive(update)
    assert str(rebuilt) == merged


def test_a_long_text_loses_whole_old_fragments_and_says_which():
    rng = random.Random(1)
    doc = FieldDoc()
    deleted: list[str] = []
    typed = []
    for number in range(60):
        marker = f"k-{number}"
        typed.append(marker)
        deleted += doc.type_fragment(f" word [#{marker}]", 200, rng)[1]
    text = str(doc)
    assert len(text) <= 0.6 * 200 and deleted
    assert sorted(markers_in(text) + deleted) == sorted(typed)
    assert text.startswith(" word [#")  # whole fragments only
    assert text_of_update("") == ""


def test_percentiles_use_the_nearest_rank():
    samples = list(range(1, 101))
    assert percentile(samples, 50) == 50 and percentile(samples, 99) == 99
    assert summarise([]) == {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    assert summarise([5.0, 1.0])["max"] == 5.0


def _step(target: str, mode: str, learners: int, throughput: float, p99: float) -> dict:
    latency = {"count": 10, "p50": 1.0, "p95": 2.0, "p99": p99, "max": p99}
    return {
        "target": target,
        "mode": mode,
        "learners": learners,
        "joined": learners,
        "sessions": 1,
        "offeredPerSecond": 1.0,
        "throughputPerSecond": throughput,
        "ack": latency,
        "teammate": latency,
        "board": latency,
        "errors": 0,
        "rejections": 0,
        "unacked": 0,
        "lostUpdates": 0,
        "server": {
            "cpuPercent": 50.0,
            "rssIdleMB": 80.0,
            "rssConnectedMB": 200.0,
            "rssEndMB": 201.0,
            "rssPerLearnerKB": 120.0,
        },
        "generatorCpuPercent": [10.0],
        "otherCpuPercent": 0.0,
        "connectSeconds": 1.0,
    }


def test_the_report_checks_each_target_against_the_measurement():
    results = {
        "startedAt": "now",
        "elapsedSeconds": 1.0,
        "settings": {
            "async_mode": "eventlet",
            "session_size": 40,
            "interval": 5.0,
            "duration": 20.0,
            "warmup": 5.0,
            "generators": 2,
        },
        "steps": [
            _step("practicum", "paced", 2000, 200.0, 250.0),
            _step("practicum", "saturate", 200, 300.0, 900.0),
            _step("reference", "saturate", 200, 1000.0, 90.0),
        ],
        "failures": [],
    }
    assert saturation_ratio(results) == 0.3
    met = {name: ok for name, _, ok in target_checks(results)}
    assert met["2000 learners: ack p99 <= 100 ms"] is False
    assert met["RSS <= 100 KB per learner above idle"] is False
    assert met["saturation throughput >= 75% of the reference"] is False
    assert not any("under way" in name for name in met)  # no backlog in this run
    text = markdown(results)
    assert "| practicum | 2000/2000 |" in text and "**30%**" in text
    results["settings"]["chat_backlog"] = 200
    results["steps"].append(_step("practicum", "paced", 1000, 200.0, 80.0))
    met = {name: ok for name, _, ok in target_checks(results)}
    under_way = "1000 learners, a session under way (200 chat messages per team, long drafts)"
    assert met[f"{under_way}: ack p99 <= 100 ms"] is True
    assert "## Shared text edits" not in text  # no step typed


def test_the_report_lists_text_edits_and_their_end_check():
    step = _step("practicum", "paced", 1000, 200.0, 50.0)
    step["kinds"] = {"chat": 10, "edit_text": 40}
    step["counts"] = {
        "text_acked": 40,
        "text_fields_checked": 6,
        "text_markers_expected": 35,
        "text_markers_missing": 0,
    }
    latency = {"count": 40, "p50": 7.0, "p95": 20.0, "p99": 30.0, "max": 31.0}
    step["ackByKind"] = {"edit_text": latency, "chat": {**latency, "p99": 12.0}}
    step["teammateByKind"] = {"edit_text": latency}
    rows = text_table({"steps": [step]})
    assert (
        rows[2]
        == "| practicum | paced | 1000 | 40 / 40 / 0 | 7 / 30 | 7 / 30 | 12 | 6 | 0 | 0 | 0 / 35 |"
    )


def test_the_cluster_mode_runs_one_and_two_processes_and_one_without_redis():
    steps = plan_steps(parse_args(["--cluster", "--cluster-ladder", "500,1000"]))
    labels = [(s.label, s.mode, s.learners) for s in steps]
    assert labels == [
        ("cluster 1p", "paced", 500),
        ("cluster 2p", "paced", 500),
        ("cluster 1p", "paced", 1000),
        ("cluster 2p", "paced", 1000),
        ("cluster 1p no-redis", "paced", 500),
        ("cluster 1p", "saturate", 200),
        ("cluster 2p", "saturate", 200),
    ]
    assert all(s.target == "cluster" for s in steps)


def test_the_cluster_table_shows_where_the_cpu_goes():
    step = _step("cluster", "paced", 1000, 200.0, 50.0)
    step["label"] = "cluster 2p"
    step["server"].update(
        cpuPercent=60.0,
        appCpuPercent=[31.0, 29.0],
        partsCpuPercent={"haproxy": 10.0, "redis": 4.0, "postgres": 6.0},
    )
    row = cluster_table({"steps": [step]})[2]
    # 60% of a core over 200 actions a second is 3 ms each; with the rest 80% is 4 ms.
    assert row == (
        "| cluster 2p | paced | 1000 | 200.0 | 1 / 50 | 50 | 0 | 0 | 60.0 (31.0 + 29.0) "
        "| 10.0 | 4.0 | 6.0 | 3.00 | 4.00 |"
    )


def test_another_async_mode_runs_practicums_steps_again_without_touching_the_targets():
    steps = plan_steps(
        parse_args(["--ladder", "1000", "--also-async-mode", "gevent", "--no-reference"])
    )
    assert [(s.label, s.mode, s.learners) for s in steps] == [
        ("practicum", "paced", 1000),
        ("practicum gevent", "paced", 1000),
        ("practicum", "saturate", 200),
        ("practicum gevent", "saturate", 200),
    ]
    fast = _step("practicum", "saturate", 200, 900.0, 50.0)
    fast["asyncMode"] = "gevent"
    results = {
        "settings": {"async_mode": "eventlet"},
        "steps": [
            _step("practicum", "saturate", 200, 300.0, 50.0),
            fast,
            _step("reference", "saturate", 200, 1000.0, 50.0),
        ],
    }
    assert saturation_ratio(results) == 0.3  # the main mode's run, not gevent's


def test_the_report_shows_what_a_session_holds_in_memory():
    results = {
        "startedAt": "now",
        "elapsedSeconds": 1.0,
        "settings": {"async_mode": "eventlet", "session_size": 40, "interval": 5.0,
                     "duration": 20.0, "warmup": 5.0, "generators": 2},
        "steps": [_step("practicum", "paced", 1000, 200.0, 80.0),
                  _step("reference", "paced", 1000, 200.0, 80.0)],
        "failures": [],
    }
    assert "## Memory per session" not in markdown(results)  # nothing measured: no table
    results["steps"][0]["server"]["sessionMemory"] = {
        "events": 812, "stateKB": 410.2, "viewsKB": 301.0, "crdtKB": 96.0, "totalKB": 807.2,
    }
    text = markdown(results)
    assert "## Memory per session" in text
    assert "| practicum | paced | 1000 | 812 | 410 | 301 | 96 | 807 |" in text
    assert "| reference | paced" not in text.split("## Memory per session")[1]


def test_session_memory_measures_a_logged_session(tmp_path):
    """Fold a played session into a log, then measure it the way a bench step does."""
    from bench.restart import play_session
    from bench.session_memory import measure_in_subprocess
    from practicum.server.store import EventStore, SessionRow

    scenario = load_scenario(ROOT / "scenarios" / "harbor.json")
    game = play_session(scenario, 3, 400, 1_800_000_000.0)
    store = EventStore(f"sqlite:///{tmp_path / 'practicum.db'}")
    try:
        rows = [(e.type, e.team, e.data) for e in game.events]
        store.create_session(SessionRow("s_mem", "harbor", "MEM234", 0.0, "live"), rows)
    finally:
        store.dispose()
    memory = measure_in_subprocess(tmp_path / "practicum.db")
    assert "error" not in memory, memory
    (session,) = memory["sessions"]
    assert session["events"] == len(game.events)
    # Chat, the feed and the texts of three teams are in the state; their views hold copies.
    assert session["stateKB"] > 20 and session["viewsKB"] > 20, session
    assert memory["totalKB"] >= session["stateKB"] + session["viewsKB"]
