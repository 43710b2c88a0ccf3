"""A scenario's own translations: the schema reads them, the learner's view shows them."""

from __future__ import annotations

from typing import Any

from practicum import engine
from practicum.scenario.translate import localise, translations_for, unknown_paths

from .helpers import load_data, minimal_data, problems_of, variant

GERMAN = {
    "company.name": "Brightdesk Haushaltsgeräte",
    "rounds.r_cause.name": "Lücke und Ursachen",
    "causes.rc_search.label": "Die Suche findet keine Artikel",
    "brief.timeline.0.event": "Die Wissensdatenbank ist auf eine neue Plattform umgezogen.",
    "diagnostics.d_kpi_trend.finding": "Ein Befund, den niemand vor dem Kauf sehen darf.",
}


def translated(**extra: Any) -> dict[str, Any]:
    def mutate(data: dict[str, Any]) -> None:
        data["language"] = "en"
        data["translations"] = {"de": dict(GERMAN), **extra}

    return variant(mutate)


def test_a_scenario_without_a_language_is_english_and_untranslated() -> None:
    scenario = load_data(minimal_data())
    assert scenario.language == "en"
    assert scenario.translations == {}
    view = engine.scenario_public(scenario)
    assert localise(view, scenario, "de") is view


def test_learners_see_the_translation_for_their_language_and_the_original_otherwise() -> None:
    scenario = load_data(translated())
    view = engine.scenario_public(scenario)
    german = localise(view, scenario, "de")
    assert german["company"]["name"] == "Brightdesk Haushaltsgeräte"
    assert german["rounds"][0]["name"] == "Lücke und Ursachen"
    assert german["causes"][0]["label"] == "Die Suche findet keine Artikel"
    assert german["brief"]["timeline"][0]["event"].startswith("Die Wissensdatenbank")
    # What has no translation stays as written; the original view is not changed.
    assert german["company"]["industry"] == view["company"]["industry"]
    assert view["company"]["name"] == "Brightdesk Appliances"
    # A regional tag finds its language; English learners and other languages see the original.
    assert localise(view, scenario, "de-AT")["company"]["name"] == "Brightdesk Haushaltsgeräte"
    assert localise(view, scenario, "en") == view
    assert localise(view, scenario, "fr") == view


def test_a_translation_never_adds_hidden_text_to_a_view() -> None:
    scenario = load_data(translated())
    german = localise(engine.scenario_public(scenario), scenario, "de")
    assert "finding" not in german["diagnostics"][0]
    assert "Befund, den niemand" not in repr(german)


def test_an_exact_regional_translation_wins_over_the_language() -> None:
    scenario = load_data(translated(**{"de-CH": {"company.name": "Brightdesk Haushaltgeräte"}}))
    assert translations_for(scenario, "de-CH")["company.name"] == "Brightdesk Haushaltgeräte"
    assert translations_for(scenario, "de-DE")["company.name"] == "Brightdesk Haushaltsgeräte"


def test_a_scenario_written_in_german_is_not_translated_for_german_learners() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["language"] = "de"
        data["translations"] = {"de": {"company.name": "Anders"}}

    scenario = load_data(variant(mutate))
    assert translations_for(scenario, "de") == {}


def test_bad_language_tags_are_refused_with_a_clear_message() -> None:
    found = problems_of(variant(lambda d: d.update(language="German")))
    assert any("not a language tag" in p for p in found), found
    found = problems_of(variant(lambda d: d.update(translations={"deutsch!": {"x": "y"}})))
    assert any("not a language tag" in p for p in found), found


def test_paths_that_name_no_text_are_listed_for_the_author() -> None:
    data = translated()
    data["translations"]["de"]["causes.rc_nothing.label"] = "Nichts"
    data["translations"]["de"]["budget.points"] = "drei"  # a number, not a text
    assert unknown_paths(data) == [
        "translations.de: 'causes.rc_nothing.label' names no text in the scenario",
        "translations.de: 'budget.points' names no text in the scenario",
    ]
