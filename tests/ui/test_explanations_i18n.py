"""Every sentence the scoring rules can write reads a "server:" template, in English and German.

The browser translates a score explanation sentence by sentence (static/js/explain.js): these
tests score every shipped scenario for many plans and run that same code under node over every
explanation, so a sentence pattern added to `practicum/domain/scoring.py` without a template
(which a German learner would read in English) fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from practicum.domain.scoring import RULE_FUNCTIONS, auto_score, score_component
from practicum.server.i18n import JS_CATALOGUES
from tests.scenarios.shipped import SHIPPED, scenario
from tests.services import node as node_path
from tests.ui.explanation_plans import scored_plans, synthetic_cases

# What practicum/engine/scores.py writes for a component that has no result or level yet.
UNSCORED = {"No rule result.", "Not scored yet."}
ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
EXPLAIN = ROOT / "static" / "js" / "explain.js"
# Reads {"templates", "messages", "texts"} on stdin; prints each text's [sentence, German|null].
SENTENCES = """
const { makeExplainer } = await import(process.argv[1]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { templates, messages, texts } = JSON.parse(input);
const explainer = makeExplainer(templates, messages);
console.log(JSON.stringify(texts.map((text) => explainer.sentences(text))));
"""


def catalogue(locale: str) -> dict[str, Any]:
    """Return a JS catalogue as stored."""
    return json.loads((JS_CATALOGUES / f"{locale}.json").read_text(encoding="utf-8"))


def server_templates() -> dict[str, str]:
    """Return the English "server:" templates, as a page embeds them."""
    return {k: v for k, v in catalogue("en").items() if k.startswith("server:")}


@cache
def explanations() -> dict[str, set[str]]:
    """Return every explanation the rules write for the plans scored, by rule name."""
    found: dict[str, set[str]] = {}
    for _, _, case, plan in scored_plans():
        rules = {c.id: c.rule for c in case.rubric}
        for component, result in auto_score(case, plan).items():
            found.setdefault(str(rules[component]), set()).add(result.explanation)
    for case, plan, component in synthetic_cases():
        found[str(component.rule)].add(score_component(case, plan, component).explanation)
    return found


def words(text: str) -> set[str]:
    """Return the words of a text, lower case."""
    return {w.lower() for w in re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text)}


def english_words() -> set[str]:
    """Return the words of the English explanation templates that no German one uses."""
    english, german = set(), set()
    for key, text in server_templates().items():
        if key.startswith("server:["):
            english |= words(PLACEHOLDER.sub(" ", text))
            german |= words(PLACEHOLDER.sub(" ", catalogue("de")[key]))
    return english - german


def sentences(texts: list[str], templates: dict[str, str], messages: dict[str, Any]) -> list:
    """Run explain.js under node: each text's sentences with their translations (or None)."""
    node = node_path()
    done = subprocess.run(
        [node, "--input-type=module", "-e", SENTENCES, EXPLAIN.as_uri()],
        input=json.dumps({"templates": templates, "messages": messages, "texts": texts}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def unread(texts: list[str], templates: dict[str, str], messages: dict[str, Any]) -> list[str]:
    """Return the sentences of `texts` that no template reads (with their explanation)."""
    missing = []
    for text, parts in zip(texts, sentences(texts, templates, messages), strict=True):
        assert " ".join(english for english, _ in parts) == text  # cut, not changed
        missing += [f"{english!r} (in {text!r})" for english, german in parts if german is None]
    return missing


def test_the_unscored_texts_are_what_the_engine_writes() -> None:
    source = (ROOT / "practicum" / "engine" / "scores.py").read_text(encoding="utf-8")
    assert all(f'"{text}"' in source for text in UNSCORED)


def test_the_plans_reach_every_rule_and_many_explanations() -> None:
    found = explanations()
    assert set(found) == set(RULE_FUNCTIONS)
    assert sum(len(texts) for texts in found.values()) > 1000


def test_every_sentence_of_every_explanation_reads_a_server_template() -> None:
    texts = sorted(set().union(UNSCORED, *explanations().values()))
    german = catalogue("de")
    missing = unread(texts, server_templates(), german)
    assert not missing, f"{len(missing)} sentences read no template:\n" + "\n".join(missing[:20])
    # German differs from the English in every sentence, no placeholder is left unfilled, and
    # no English word of a template is left over (a list read wrong leaves a stretch English).
    # Quoted names and the KPI names (unquoted in the gap statement's) are scenario text.
    kpis = sorted({k.name for s in SHIPPED for k in scenario(s).kpis}, key=len, reverse=True)
    leftover = english_words()
    assert {"and", "cell", "two", "causes"} <= leftover
    for text, parts in zip(texts, sentences(texts, server_templates(), german), strict=True):
        for english, translated in parts:
            assert translated != english, text
            assert not PLACEHOLDER.search(translated), translated
            bare = re.sub("\u201e[^\u201c]*\u201c", " ", translated)
            for name in kpis:
                bare = bare.replace(name, " ")
            assert not words(bare) & leftover, f"English left in {translated!r}"


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        ("server:[missed] the primary cause in the {missedCell} cell", "missed the primary cause"),
        (
            "server:[score] You ran {ranCount} of the {usefulCount} diagnostics that could settle "
            "a question about the causes, and {sharePercent} of your spending went to them.",
            "You ran ",
        ),
        ("server:[need] targets for {untargetedLabels}", "needs "),
    ],
)
def test_a_missing_template_is_found_and_its_sentence_stays_english(
    key: str, sentence: str
) -> None:
    templates = server_templates()
    del templates[key]
    texts = sorted(set().union(*explanations().values()))
    missing = unread(texts, templates, catalogue("de"))
    assert missing
    # Only the sentences that need the removed template stay English.
    assert all(sentence.lower() in m.split(" (in ")[0].lower() for m in missing)


def test_german_has_every_server_template_with_the_same_placeholders() -> None:
    german = catalogue("de")
    assert not [key for key in server_templates() if not german.get(key)]
    for key, english in server_templates().items():
        names, translated = set(PLACEHOLDER.findall(english)), set(PLACEHOLDER.findall(german[key]))
        # A translation never invents a name; an explanation's part keeps every one it reads.
        assert translated <= names, key
        if key.startswith("server:["):
            assert translated == names, key
