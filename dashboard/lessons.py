"""The course map: every lesson page, its section and what it needs to work.

The navigation and the home page's map are both built from this list, so a lesson
appears in one place only when it can run (its model's plugin loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Not "pages": a folder of that name beside app.py switches Streamlit into its old
# folder-based multipage mode, and then a deep link opened first (e.g. /convolution on
# a freshly started server) runs the lesson without app.py, its navigation or language.
PAGES_DIR = Path(__file__).parent / "views"


@dataclass(frozen=True)
class Lesson:
    key: str  # catalogue key under nav.* and the page's file stem
    section: str  # catalogue key under nav.* for the navigation group
    icon: str
    syllabus: str  # syllabus section number(s) it teaches
    runs_locally: bool = True
    needs_model: str | None = None  # registry model id that must be loaded

    @property
    def path(self) -> Path:
        return PAGES_DIR / f"{self.key}.py"

    @property
    def url_path(self) -> str:
        return self.key.replace("_", "-")


GENERATIVE = "section_generative"

LESSONS: tuple[Lesson, ...] = (
    Lesson("home", "section_start", ":material/home:", "1"),
    Lesson("images_numbers", "section_numbers", ":material/grid_on:", "4"),
    Lesson("convolution", "section_numbers", ":material/filter:", "5"),
    Lesson("pooling", "section_numbers", ":material/compress:", "6"),
    Lesson("cnn", "section_networks", ":material/neurology:", "6", needs_model="cnn-lenet5"),
    Lesson("gan", GENERATIVE, ":material/swords:", "7", needs_model="gan-dcgan-digits"),
    Lesson("autoencoders", GENERATIVE, ":material/compress:", "8", needs_model="ae-vae"),
    Lesson("attention", GENERATIVE, ":material/hub:", "9", needs_model="transformer-minilm"),
    Lesson("diffusion", GENERATIVE, ":material/blur_on:", "10", needs_model="diffusion-digits"),
    Lesson("text_to_image", GENERATIVE, ":material/draw:", "10", needs_model="txt2img-shapes"),
    Lesson("project", "section_practice", ":material/work:", "3, 13"),
    Lesson("tools", "section_practice", ":material/storefront:", "12"),
    Lesson("registry", "section_tools", ":material/extension:", "11"),
)


def available_lessons(loaded_model_ids: set[str]) -> list[Lesson]:
    """Lessons whose page exists and whose model (if any) is loaded."""
    return [
        lesson
        for lesson in LESSONS
        if lesson.path.is_file()
        and (lesson.needs_model is None or lesson.needs_model in loaded_model_ids)
    ]
