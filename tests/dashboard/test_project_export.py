"""Project export: ZIP with images, JSON and CSV of every parameter, self-contained HTML."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from lienzo.dashboard.labs import project_export
from lienzo.dashboard.labs.gallery import Gallery, GalleryEntry, ImageRecord
from tests.dashboard.fake_generators import png_for


def make_entries(root: Path) -> list[GalleryEntry]:
    gallery = Gallery(root)
    prompts = ["logotipo de «Olea», símbolo de una rama", 'a <script>alert("x")</script> "poster"']
    for i, prompt in enumerate(prompts):
        entry = gallery.add(
            png_for(i),
            "png",
            ImageRecord(
                prompt=prompt,
                negative_prompt="texto" if i == 0 else "",
                seed=None if i == 1 else 42 + i,
                provider="test-fake",
                model="fake-model-1",
                project="Campaña otoño",
                params={"sector": "design", "style": "minimalist", "not_applied": ["seed"]},
            ),
        )
        if i == 0:
            gallery.set_favourite(entry.id, True)
            gallery.set_note(entry.id, "Para el cliente; ñ y tildes")
    return list(reversed(gallery.entries()))


@pytest.fixture
def exported(tmp_path: Path) -> tuple[list[GalleryEntry], zipfile.ZipFile]:
    entries = make_entries(tmp_path)
    data = project_export.build_zip("Campaña otoño", entries, "es")
    return entries, zipfile.ZipFile(io.BytesIO(data))


def test_zip_holds_every_image_byte_for_byte_and_three_documents(exported) -> None:  # noqa: ANN001
    entries, archive = exported
    names = set(archive.namelist())
    images = sorted(n for n in names if n.startswith("images/"))
    assert images == ["images/01-seed42-test-fake.png", "images/02-seednone-test-fake.png"]
    assert names - set(images) == {"parameters.json", "parameters.csv", "summary.html"}
    for name, entry in zip(images, entries, strict=True):
        assert archive.read(name) == entry.path.read_bytes()


def test_json_has_every_parameter_of_every_image(exported) -> None:  # noqa: ANN001
    entries, archive = exported
    document = json.loads(archive.read("parameters.json"))
    assert document["project"] == "Campaña otoño" and len(document["images"]) == 2
    first = document["images"][0]
    assert first["prompt"] == entries[0].prompt and first["seed"] == 42
    assert first["favourite"] is True and first["note"] == "Para el cliente; ñ y tildes"
    assert first["sector"] == "design" and first["not_applied"] == ["seed"]
    assert first["image"] in archive.namelist()
    assert {"provider", "model", "size", "negative_prompt", "created"} <= set(first)


def test_csv_opens_in_a_spreadsheet_with_the_same_rows(exported) -> None:  # noqa: ANN001
    _, archive = exported
    raw = archive.read("parameters.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert list(rows[0])[: len(project_export.CSV_COLUMNS)] == list(project_export.CSV_COLUMNS)
    assert rows[0]["prompt"] == "logotipo de «Olea», símbolo de una rama"
    assert rows[1]["seed"] == "" and rows[0]["not_applied"] == '["seed"]'


def test_html_summary_is_self_contained_and_escaped(exported) -> None:  # noqa: ANN001
    entries, archive = exported
    page = archive.read("summary.html").decode("utf-8")
    assert '<html lang="es">' in page and "Campaña otoño" in page
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert [base64.b64decode(d) for d in embedded] == [e.path.read_bytes() for e in entries]
    # no network: nothing to fetch, nothing to run
    assert "http://" not in page and "https://" not in page and "url(" not in page
    assert not re.search(r'(?:src|href)="(?!data:)', page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "&lt;script&gt;" in page  # the prompt is text, not markup
    assert "Favorita" in page and "Para el cliente" in page


def test_english_summary_and_empty_export(tmp_path: Path) -> None:
    page = project_export.summary_html("Empty", [], "en", "2026-12-01T10:00:00+00:00")
    assert '<html lang="en">' in page and "There are no images in this export." in page
    archive = zipfile.ZipFile(io.BytesIO(project_export.build_zip("Empty", [], "en")))
    assert json.loads(archive.read("parameters.json"))["images"] == []


def test_file_name_is_safe() -> None:
    assert project_export.file_name("Campaña / otoño: 2026") == "Campaña---otoño--2026.zip"
    assert project_export.file_name("../..") == "lienzo-project.zip"
