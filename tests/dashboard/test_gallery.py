"""The SQLite gallery: metadata in PNG chunks, atomic saves, crashes, concurrency, deletes."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PIL import Image

from lienzo.dashboard.labs import png_metadata
from lienzo.dashboard.labs.errors import LabError
from lienzo.dashboard.labs.gallery import DATA_DIR_ENV, Gallery, ImageRecord, default_data_dir
from tests.dashboard.fake_generators import png_for

ROOT = Path(__file__).parent.parent.parent


def record(prompt: str = "un faro al atardecer", seed: int | None = 7, **extra) -> ImageRecord:
    return ImageRecord(
        prompt=prompt,
        negative_prompt="texto, marca de agua",
        seed=seed,
        provider="test-fake",
        model="fake-model-1",
        project=extra.pop("project", "Proyecto A"),
        params={"sector": "marketing", "style": "neon", **extra},
    )


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_saved_png_carries_the_parameters_and_reads_back(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    source = png_for(3)
    entry = gallery.add(source, "png", record())
    assert entry.path.is_file() and entry.path.parent == gallery.images_dir
    assert (entry.prompt, entry.seed, entry.size, entry.favourite) == (
        "un faro al atardecer",
        7,
        "24x24",
        False,
    )
    texts = png_metadata.read_text(entry.path.read_bytes())
    assert texts["prompt"] == "un faro al atardecer"  # UTF-8 survives (iTXt)
    assert texts["negative_prompt"] == "texto, marca de agua"
    assert (texts["seed"], texts["model"], texts["provider"], texts["size"]) == (
        "7",
        "fake-model-1",
        "test-fake",
        "24x24",
    )
    assert pixels(entry.path.read_bytes()) == pixels(source)
    again = Gallery(tmp_path).get(entry.id)  # a new object (another session) sees it
    assert again is not None and again.params == {"sector": "marketing", "style": "neon"}


def test_metadata_switch_off_leaves_no_text_at_all(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    source = png_for(3, text="made with a secret recipe")  # the generator's own chunk too
    assert png_metadata.read_text(source) == {"Comment": "made with a secret recipe"}
    entry = gallery.add(source, "png", record(), embed_metadata=False)
    saved = entry.path.read_bytes()
    assert png_metadata.read_text(saved) == {}
    assert b"un faro" not in saved and b"secret recipe" not in saved
    assert pixels(saved) == pixels(source)
    assert entry.metadata_embedded is False
    assert entry.prompt == "un faro al atardecer"  # the gallery still knows


def test_metadata_replaces_a_generators_chunk_of_the_same_name(tmp_path: Path) -> None:
    source = png_metadata.with_text(png_for(1), {"prompt": "old prompt", "Comment": "kept"})
    entry = Gallery(tmp_path).add(source, "png", record(prompt="new prompt"))
    texts = png_metadata.read_text(entry.path.read_bytes())
    assert texts["prompt"] == "new prompt" and texts["Comment"] == "kept"


def test_jpeg_from_a_provider_is_stored_as_png_with_metadata(tmp_path: Path) -> None:
    entry = Gallery(tmp_path).add(png_for(5, fmt="JPEG"), "jpeg", record(seed=None))
    saved = entry.path.read_bytes()
    assert saved.startswith(png_metadata.SIGNATURE)
    assert png_metadata.read_text(saved)["seed"] == ""
    assert entry.seed is None


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", png_for(1)[:60], b"\x89PNG\r\n\x1a\n" + b"\0" * 40],
    ids=["empty", "text", "truncated-png", "signature-only"],
)
def test_bad_bytes_are_refused_and_nothing_is_saved(tmp_path: Path, data: bytes) -> None:
    gallery = Gallery(tmp_path)
    with pytest.raises(LabError) as refused:
        gallery.add(data, "png", record())
    assert refused.value.messages["es"] and refused.value.messages["en"]
    assert gallery.entries() == [] and files_in(gallery.images_dir) == []


def test_reading_an_absent_gallery_creates_nothing(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path / "nowhere")
    assert gallery.entries() == [] and gallery.projects() == [] and gallery.get(1) is None
    assert gallery.sweep(0) == 0 and not gallery.delete(1)
    assert not (tmp_path / "nowhere").exists()


def test_data_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "aula"))
    assert default_data_dir() == tmp_path / "aula"
    assert Gallery().root == tmp_path / "aula"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert default_data_dir() == Path.home() / ".lienzo"


def test_favourites_notes_projects_and_filters(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    a = gallery.add(png_for(1), "png", record(project="A"))
    b = gallery.add(png_for(2), "png", record(project="B"))
    c = gallery.add(png_for(3), "png", record(project="A"))
    gallery.set_favourite(c.id, True)
    gallery.set_note(c.id, "  la mejor para la campaña  ")
    assert [e.id for e in gallery.entries()] == [c.id, b.id, a.id]  # newest first
    assert [e.id for e in gallery.entries("A", favourites_only=True)] == [c.id]
    assert gallery.get(c.id).note == "la mejor para la campaña"
    assert gallery.projects() == ["A", "B"]  # most recently used first
    gallery.set_favourite(c.id, False)
    assert gallery.entries("A", favourites_only=True) == []


def test_delete_removes_the_row_and_then_the_file(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    keep = gallery.add(png_for(1), "png", record())
    gone = gallery.add(png_for(2), "png", record())
    assert gallery.delete(gone.id)
    assert not gone.path.exists() and gallery.get(gone.id) is None
    assert not gallery.delete(gone.id)  # twice: nothing left to delete
    assert [e.id for e in gallery.entries()] == [keep.id] and keep.path.exists()


def test_a_row_whose_file_vanished_is_not_listed(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    entry = gallery.add(png_for(1), "png", record())
    entry.path.unlink()
    assert gallery.entries() == []


def test_a_failed_insert_leaves_no_file_behind(tmp_path: Path) -> None:
    gallery = Gallery(tmp_path)
    gallery.add(png_for(1), "png", record())
    before = files_in(gallery.images_dir)
    with pytest.raises(sqlite3.IntegrityError):  # NOT NULL refuses the row after the write
        gallery.add(png_for(2), "png", record(project=None))
    assert files_in(gallery.images_dir) == before and len(gallery.entries()) == 1


CRASH_SCRIPT = """
import os, sys
from pathlib import Path
from lienzo.dashboard.labs import gallery as g
from tests.dashboard.fake_generators import png_for

where = sys.argv[2]

def die(*args, **kwargs):
    os._exit(17)  # like a killed process: no cleanup, no finally blocks

if where == "before-rename":
    g.os.replace = die
elif where == "half-written":
    real_open = open
    class Half:
        def __init__(self, path, mode):
            self.f = real_open(path, mode)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.f.close()
        def write(self, data):
            self.f.write(data[: len(data) // 2]); self.f.flush(); die()
    g.open = lambda path, mode: Half(path, mode)
elif where == "before-commit":
    g._transaction = die
g.Gallery(Path(sys.argv[1])).add(png_for(99), "png", g.ImageRecord(
    prompt="lost", negative_prompt="", seed=99, provider="p", model="m", project="A"))
"""


@pytest.mark.parametrize("where", ["half-written", "before-rename", "before-commit"])
def test_a_crash_mid_save_loses_nothing_and_lists_no_partial_file(
    tmp_path: Path, where: str
) -> None:
    gallery = Gallery(tmp_path)
    kept = gallery.add(png_for(1), "png", record())
    crashed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASH_SCRIPT), str(tmp_path), where],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert crashed.returncode == 17, crashed.stderr
    leftovers = set(files_in(gallery.images_dir)) - {kept.path.name}
    assert len(leftovers) == 1  # the crash left exactly one stray file...
    stray = gallery.images_dir / leftovers.pop()
    if where in ("half-written", "before-rename"):
        assert stray.name.endswith(".part")  # ...never under a real image name
    # ...which is never listed; the earlier image is intact and the database sound.
    assert [e.id for e in gallery.entries()] == [kept.id]
    assert png_metadata.read_text(kept.path.read_bytes())["prompt"] == "un faro al atardecer"
    assert gallery.integrity() == "ok"
    assert gallery.sweep() == 0  # too young: it might be another session's save in flight
    assert gallery.sweep(older_than_s=0) == 1
    assert files_in(gallery.images_dir) == [kept.path.name]
    gallery.add(png_for(2), "png", record())  # and the gallery keeps working
    assert len(gallery.entries()) == 2


def test_concurrent_sessions_write_at_once_without_corruption(tmp_path: Path) -> None:
    writers, per_writer = 6, 8
    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)

    def write(n: int) -> None:
        gallery = Gallery(tmp_path)  # each session has its own object and connections
        try:
            start.wait()
            for i in range(per_writer):
                entry = gallery.add(png_for(n * 100 + i), "png", record(project=f"S{n}"))
                gallery.set_favourite(entry.id, i % 2 == 0)
        except BaseException as error:  # noqa: BLE001 - collected for the assert
            errors.append(error)

    def read() -> None:
        gallery = Gallery(tmp_path)
        try:
            start.wait()
            for _ in range(40):
                for entry in gallery.entries():
                    assert entry.path.is_file()  # a listed image is always a whole file
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    gallery = Gallery(tmp_path)
    entries = gallery.entries()
    assert len(entries) == writers * per_writer
    assert len({e.path for e in entries}) == len(entries)
    assert sum(e.favourite for e in entries) == writers * per_writer // 2
    assert gallery.integrity() == "ok"
    with sqlite3.connect(gallery.db_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not [n for n in os.listdir(gallery.images_dir) if n.endswith(".part")]
