"""Prompt data (sectors, styles, inspiration) and the prompt builder."""

from __future__ import annotations

import pytest

from lienzo.dashboard.labs import prompts
from lienzo.dashboard.labs.errors import LabError

LANGS = ("es", "en")
SYLLABUS_SECTORS = {
    "marketing",
    "design",
    "product",
    "education",
    "entertainment",
    "architecture",
    "fashion",
    "medicine",
}


def test_the_eight_sectors_each_with_use_cases_in_both_languages() -> None:
    sectors = prompts.sectors()
    assert {s.id for s in sectors} == SYLLABUS_SECTORS
    for sector in sectors:
        assert len(sector.use_cases) >= 2, sector.id
        for lang in LANGS:
            assert sector.name[lang].strip() and sector.summary[lang].strip()
        for case in sector.use_cases:
            field_ids = {f.id for f in case.fields}
            for lang in LANGS:
                # every slot has a field and every field a slot, in both languages
                assert prompts.slots(case.template[lang]) == field_ids, (sector.id, case.id, lang)
                assert case.name[lang].strip() and case.negative[lang].strip()
                for f in case.fields:
                    assert f.label[lang].strip() and f.example[lang].strip()


def test_logo_template_has_symbol_brand_style_industry_and_a_negative_prompt() -> None:
    logo = prompts.sector("design").use_case("logo")
    assert {f.id for f in logo.fields} == {"symbol", "brand", "style", "industry"}
    filled = prompts.fill_use_case(logo, {"brand": "Olea", "symbol": "olive branch"}, "en")
    assert "Olea" in filled and "olive branch" in filled
    assert "natural cosmetics" in filled  # an empty field takes its example
    assert "photograph" in logo.negative["en"]


def test_fill_use_case_tidies_spaces_and_keeps_braces_in_values() -> None:
    case = prompts.sector("education").use_case("illustration")
    filled = prompts.fill_use_case(case, {"topic": "  el  {ciclo}\n del agua "}, "es")
    assert "el {ciclo} del agua" in filled
    assert "  " not in filled and "\n" not in filled


def test_style_presets_are_data_with_a_prompt_slot() -> None:
    styles = {s.id: s for s in prompts.styles()}
    assert {"none", "vibrant", "minimalist", "vintage", "neon", "3d"} <= set(styles)
    assert len(styles) >= 10
    for preset in styles.values():
        for lang in LANGS:
            assert preset.template[lang].count("{prompt}") == 1, preset.id
            assert prompts.slots(preset.template[lang]) == {"prompt"}
            assert preset.name[lang].strip()
    assert styles["none"].template == {"es": "{prompt}", "en": "{prompt}"}


def test_build_prompt_joins_parts_inside_the_style_and_merges_negatives() -> None:
    built = prompts.build_prompt(
        prompts.PromptParts(
            subject="a lighthouse on a cliff",
            style="neon",
            lighting="golden_hour",
            composition="wide",
            negative="people",
        ),
        "en",
    )
    assert built.prompt.startswith("a lighthouse on a cliff, warm golden-hour light, wide")
    assert "neon lights" in built.prompt
    assert built.negative_prompt == "people, daylight, pastel colours"


def test_no_style_no_extras_gives_the_subject_itself() -> None:
    built = prompts.build_prompt(prompts.PromptParts(subject=" un faro "), "es")
    assert built == prompts.BuiltPrompt(prompt="un faro", negative_prompt="")


def test_empty_subject_and_too_long_prompt_have_bilingual_messages() -> None:
    with pytest.raises(LabError) as empty:
        prompts.build_prompt(prompts.PromptParts(subject="   "), "es")
    assert "sujeto" in empty.value.messages["es"] and "subject" in empty.value.messages["en"]
    with pytest.raises(LabError) as long:
        prompts.build_prompt(prompts.PromptParts(subject="x" * 2500), "en")
    assert "2000" in long.value.messages["en"]


def test_inspire_is_reproducible_varied_and_language_independent() -> None:
    first = prompts.inspire(7, "marketing", "es")
    assert first == prompts.inspire(7, "marketing", "es")
    ideas = {prompts.inspire(n, "marketing", "es") for n in range(1, 30)}
    assert len({i.subject for i in ideas}) >= 4 and len({i.style for i in ideas}) >= 4
    style_ids = {s.id for s in prompts.styles()}
    light_ids = {o.id for o in prompts.lighting_options()}
    for idea in ideas:
        assert idea.style in style_ids - {"none"} and idea.lighting in light_ids - {"none"}
    # The same number gives the same idea in the other language (same list position).
    english = prompts.inspire(7, "marketing", "en")
    es_ideas, en_ideas = (prompts.subject_ideas("marketing", lang) for lang in LANGS)
    assert es_ideas.index(first.subject) == en_ideas.index(english.subject)
    assert (first.style, first.lighting) == (english.style, english.lighting)


def test_subject_ideas_exist_for_every_sector_in_both_languages() -> None:
    for sector in prompts.sectors():
        es, en = (prompts.subject_ideas(sector.id, lang) for lang in LANGS)
        assert len(es) == len(en) >= 4, sector.id
