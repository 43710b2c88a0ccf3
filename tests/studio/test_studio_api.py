"""The studio's JSON API: who may use it, size limits, located findings, preview, play, Save."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from practicum.scenario.loader import MAX_BYTES
from practicum.server.studio_local import create_studio_app
from tests.studio.conftest import CSRF, ROOT


def post(client: Any, path: str, body: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(f"/studio/api/{path}", json=body, **kwargs)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# --- who may use it -------------------------------------------------------------------------------


def test_signed_out_is_refused(app: Any, foundry_text: str) -> None:
    answer = post(app.test_client(), "check", {"text": foundry_text})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "auth/forbidden"
    assert app.test_client().get("/studio").status_code == 302  # to the sign-in form


@pytest.mark.parametrize("role", ["author", "facilitator", "admin"])
def test_studio_roles_may_check(client_as: Any, role: str, foundry_text: str) -> None:
    client = client_as(role)
    answer = post(client, "check", {"text": foundry_text})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["loads"] is True
    assert client.get("/studio").status_code == 200


def test_observer_and_assessor_are_refused(client_as: Any, foundry_text: str) -> None:
    for role in ("observer", "assessor"):
        client = client_as(role)
        answer = post(client, "check", {"text": foundry_text})
        assert answer.status_code == 403
        assert answer.get_json()["code"] == "auth/role"
        assert client.get("/studio").status_code == 403


def test_cookie_without_csrf_header_is_refused(client_as: Any, foundry_text: str) -> None:
    answer = post(client_as("author", csrf=False), "check", {"text": foundry_text})
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "auth/csrf"


def test_bearer_token_needs_no_csrf(app: Any, foundry_text: str) -> None:
    client = app.test_client()
    token = client.post("/api/login", json={"password": "letmein"}).get_json()["token"]
    answer = post(
        client, "check", {"text": foundry_text}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200


def test_author_role_exists_and_cannot_create_sessions(client_as: Any) -> None:
    client = client_as("author")
    answer = client.post("/api/sessions", json={"scenarioId": "foundry"})
    assert answer.status_code in (401, 403)


# --- input ---------------------------------------------------------------------------------------


def test_request_over_the_size_limit_is_413_json(client_as: Any) -> None:
    answer = post(client_as("author"), "check", {"text": "x" * (300 * 1024)})
    assert answer.status_code == 413
    assert answer.get_json()["code"] == "payload/too_large"


def test_text_over_the_scenario_limit_is_refused(tmp_path: Path) -> None:
    client = local_client(tmp_path)
    answer = post(client, "check", {"text": " " * (MAX_BYTES + 10)})
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "payload/invalid"


@pytest.mark.parametrize(
    "body", [{"text": 3}, {"text": "{}", "extra": 1}, {}, {"text": "{}", "round": "1"}]
)
def test_malformed_bodies_are_400(client_as: Any, body: dict[str, Any]) -> None:
    path = "preview" if "round" in body else "check"
    answer = post(client_as("author"), path, body)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "payload/invalid"


def test_not_json_at_all_is_400(client_as: Any) -> None:
    answer = client_as("author").post("/studio/api/check", data="text", content_type="text/plain")
    assert answer.status_code == 400


# --- findings ------------------------------------------------------------------------------------


def test_bad_json_gives_a_finding_at_its_line(client_as: Any, foundry_text: str) -> None:
    # A missing comma after the first round's minutes.
    broken = foundry_text.replace('"minutes": 40,', '"minutes": 40', 1)
    answer = post(client_as("author"), "check", {"text": broken})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["loads"] is False
    [finding] = body["findings"]
    assert finding["rule"] == "json-syntax"
    assert finding["line"] == line_of(broken, '"minutes": 40') + 1  # where json notices it


def test_schema_problem_is_located_at_its_key(client_as: Any, foundry_text: str) -> None:
    broken = foundry_text.replace('"minutes": 40,', '"minutes": "forty",', 1)
    findings = post(client_as("author"), "check", {"text": broken}).get_json()["findings"]
    [finding] = [f for f in findings if f["path"] == "rounds[0].minutes"]
    assert finding["line"] == line_of(broken, '"minutes": "forty"')
    assert broken[finding["start"] : finding["end"]] == '"minutes": "forty"'


def test_lint_finding_is_located(client_as: Any, foundry_text: str) -> None:
    data = json.loads(foundry_text)
    data["rounds"][0]["minutes"] = 0  # lint: round-playable
    text = json.dumps(data, indent=2, ensure_ascii=False)
    body = post(client_as("author"), "check", {"text": text}).get_json()
    assert body["loads"] is True
    [finding] = [f for f in body["findings"] if f["rule"] == "round-playable"]
    assert finding["source"] == "lint"
    assert finding["line"] == line_of(text, '"minutes": 0')


def test_check_without_lint_answers_the_loader_only(client_as: Any, foundry_text: str) -> None:
    data = json.loads(foundry_text)
    data["rounds"][0]["minutes"] = 0
    text = json.dumps(data, indent=2)
    client = client_as("author")
    quick = post(client, "check", {"text": text, "lint": False}).get_json()
    assert quick["loads"] is True and quick["linted"] is False and quick["findings"] == []
    full = post(client, "check", {"text": text}).get_json()
    assert full["linted"] is True and full["findings"]


# --- preview and play ----------------------------------------------------------------------------


def test_preview_shows_the_rounds_content(client_as: Any, foundry_text: str) -> None:
    data = json.loads(foundry_text)
    client = client_as("author")
    for index, round_ in enumerate(data["rounds"]):
        body = post(client, "preview", {"text": foundry_text, "round": index}).get_json()
        assert body["round"]["name"] == round_["name"]
        assert body["round"]["brief"] == round_["brief"]
        [current] = [r for r in body["view"]["team"]["rounds"] if r["current"]]
        assert [f["id"] for f in current["deliverable"]] == [f["id"] for f in round_["deliverable"]]
        # Learners never see the answers: no truth or gap share in the catalogue.
        assert "truth" not in json.dumps(body["catalogue"]["causes"])


def test_preview_of_a_missing_round_and_of_a_broken_scenario(client_as: Any) -> None:
    client = client_as("author")
    text = (ROOT / "scenarios" / "foundry.json").read_text()
    answer = post(client, "preview", {"text": text, "round": 40})
    assert answer.status_code == 400 and answer.get_json()["code"] == "round/unknown"
    answer = post(client, "preview", {"text": "{", "round": 0})
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "scenario/invalid"
    assert answer.get_json()["findings"][0]["rule"] == "json-syntax"


def test_play_expert_sponsor_and_custom(client_as: Any, foundry_text: str) -> None:
    client = client_as("author")
    expert = post(client, "play", {"text": foundry_text, "plan": "expert"}).get_json()
    assert expert["autoTotal"] == pytest.approx(expert["autoMax"])
    assert expert["budget"]["fits"] is True
    assert set(expert["outcome"]["plan"]["kpis"]) == {k["id"] for k in expert["kpis"]}
    sponsor = post(client, "play", {"text": foundry_text, "plan": "sponsor"}).get_json()
    assert sponsor["autoTotal"] < expert["autoTotal"]
    empty = post(client, "play", {"text": foundry_text, "plan": {}}).get_json()
    assert empty["outcome"]["cost"] == 0


def test_play_with_a_bad_plan_is_422(client_as: Any, foundry_text: str) -> None:
    client = client_as("author")
    answer = post(client, "play", {"text": foundry_text, "plan": {"interventions": [{"id": "x"}]}})
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "plan/invalid"
    answer = post(client, "play", {"text": foundry_text, "plan": 7})
    assert answer.status_code == 400


def test_shipped_scenario_text(client_as: Any) -> None:
    body = client_as("author").get("/studio/api/shipped/foundry").get_json()
    assert json.loads(body["text"])["id"] == "foundry"
    assert client_as("facilitator").get("/studio/api/shipped/nope").status_code == 404


def test_account_mode_does_not_write_files(client_as: Any, foundry_text: str) -> None:
    answer = post(client_as("admin"), "file", {"text": foundry_text, "base": "x"})
    assert answer.status_code == 404
    assert answer.get_json()["code"] == "studio/no_file"


# --- the local studio: the file on disk ---------------------------------------------------------


def local_client(tmp_path: Path, text: str | None = None) -> Any:
    file = tmp_path / "mine.json"
    file.write_text(text if text is not None else (ROOT / "scenarios/foundry.json").read_text())
    app = create_studio_app(file)
    app.config["TESTING"] = True
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "127.0.0.1:5555"
    assert client.get("/studio").status_code == 403  # no key, no studio
    assert client.get(f"/studio?key={app.config['STUDIO_KEY']}").status_code == 302
    with client.session_transaction() as session:
        session["csrf_token"] = CSRF
    client.environ_base["HTTP_X_CSRF_TOKEN"] = CSRF
    client.studio_file = file
    return client


def test_local_save_is_atomic_with_a_backup_and_detects_conflicts(tmp_path: Path) -> None:
    client = local_client(tmp_path, '{"old": true}')
    file = client.studio_file
    opened = client.get("/studio/api/file").get_json()
    assert opened["text"] == '{"old": true}'
    saved = post(client, "file", {"text": '{"new": 1}', "base": opened["version"]}).get_json()
    assert saved["ok"] is True
    assert file.read_text() == '{"new": 1}'
    assert (tmp_path / "mine.json.bak").read_text() == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mine")] == []
    # Another editor writes the file: a save based on the old version is a conflict...
    file.write_text('{"theirs": 2}')
    answer = post(client, "file", {"text": '{"mine": 3}', "base": saved["version"]})
    assert answer.status_code == 409 and answer.get_json()["code"] == "file/conflict"
    assert file.read_text() == '{"theirs": 2}'
    assert client.get("/studio/api/file/version").get_json()["version"] != saved["version"]
    # ...unless the author chooses to overwrite.
    assert post(
        client, "file", {"text": '{"mine": 3}', "base": saved["version"], "force": True}
    ).get_json()["ok"]
    assert file.read_text() == '{"mine": 3}'


def test_local_studio_refuses_other_hosts_and_missing_csrf(tmp_path: Path) -> None:
    client = local_client(tmp_path)
    answer = client.get("/studio/api/file", headers={"Host": "evil.example:5555"})
    assert answer.status_code == 403 and answer.get_json()["code"] == "studio/host"
    answer = post(client, "check", {"text": "{}"}, headers={"X-CSRF-Token": "nope"})
    assert answer.status_code == 403 and answer.get_json()["code"] == "auth/csrf"
    other = create_studio_app(client.studio_file).test_client()
    answer = other.get("/studio/api/file", headers={"Host": "127.0.0.1:1"})
    assert answer.status_code == 401


def test_local_studio_lists_the_repository_scenarios(tmp_path: Path) -> None:
    client = local_client(tmp_path)
    page = client.get("/studio").get_data(as_text=True)
    assert 'value="foundry"' in page and 'data-mode="file"' in page


def test_studio_command_refuses_a_directory(tmp_path: Path) -> None:
    import io

    from practicum.cli import main

    out = io.StringIO()
    assert main(["studio", str(tmp_path)], out) == 2
    assert "not a file" in out.getvalue()
