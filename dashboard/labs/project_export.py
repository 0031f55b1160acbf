"""A project as one ZIP: the images, every parameter as JSON and CSV, a one-page summary.

The HTML summary is self-contained (images as data URIs, styles inline, no scripts,
no external address) so it opens offline, prints, and can be mailed as one file.
No streamlit here; texts come from the catalogues in the chosen language.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

from lienzo.dashboard.i18n import translate
from lienzo.dashboard.labs.gallery import GalleryEntry

# Columns every CSV row has, in this order; extra parameters follow alphabetically.
CSV_COLUMNS = (
    "image",
    "id",
    "project",
    "created",
    "provider",
    "model",
    "seed",
    "size",
    "prompt",
    "negative_prompt",
    "favourite",
    "note",
    "metadata_embedded",
)


def image_name(position: int, entry: GalleryEntry) -> str:
    """The file's name inside the ZIP: order, seed and provider, readable in a folder."""
    seed = "none" if entry.seed is None else str(entry.seed)
    return f"images/{position:02d}-seed{seed}-{entry.provider}.png"


def rows(entries: Sequence[GalleryEntry]) -> list[dict[str, object]]:
    return [{"image": image_name(i, entry), **entry.as_row()} for i, entry in enumerate(entries, 1)]


def parameters_json(project: str, entries: Sequence[GalleryEntry], exported: str) -> str:
    document = {"project": project, "exported": exported, "images": rows(entries)}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)


def parameters_csv(entries: Sequence[GalleryEntry]) -> str:
    table = rows(entries)
    extra = sorted({key for row in table for key in row} - set(CSV_COLUMNS))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*CSV_COLUMNS, *extra], extrasaction="ignore")
    writer.writeheader()
    for row in table:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False)
                if isinstance(value, list | dict)
                else value
                for key, value in row.items()
            }
        )
    return buffer.getvalue()


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1f2937}
h1{margin-bottom:.2rem}.meta{color:#6b7280;margin-top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}
figure{margin:0;border:1px solid #e5e7eb;border-radius:.5rem;padding:.5rem;
break-inside:avoid}
img{width:100%;height:auto;border-radius:.3rem}figcaption{font-size:.85rem}
dt{font-weight:600;margin-top:.3rem}dd{margin:0;overflow-wrap:anywhere}
.fav{color:#c2410c;font-weight:700}
"""


def summary_html(project: str, entries: Sequence[GalleryEntry], lang: str, exported: str) -> str:
    """One page: the brief's images with their prompt, seed, generator and notes."""

    def t(key: str, **values: object) -> str:
        return html.escape(translate(lang, f"project.summary_{key}", **values))

    figures = []
    for i, entry in enumerate(entries, 1):
        data = base64.b64encode(entry.path.read_bytes()).decode("ascii")
        seed = "—" if entry.seed is None else str(entry.seed)
        favourite = f'<p class="fav">★ {t("favourite")}</p>' if entry.favourite else ""
        note = f"<dt>{t('note')}</dt><dd>{html.escape(entry.note)}</dd>" if entry.note else ""
        negative = (
            f"<dt>{t('negative')}</dt><dd>{html.escape(entry.negative_prompt)}</dd>"
            if entry.negative_prompt
            else ""
        )
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(entry.prompt)}">'
            f"<figcaption>{favourite}<dl>"
            f"<dt>{t('image')}</dt><dd>{i} · {html.escape(image_name(i, entry))}</dd>"
            f"<dt>{t('prompt')}</dt><dd>{html.escape(entry.prompt)}</dd>{negative}"
            f"<dt>{t('generator')}</dt>"
            f"<dd>{html.escape(entry.provider)} · {html.escape(entry.model)}</dd>"
            f"<dt>{t('seed')}</dt><dd>{seed} · {html.escape(entry.size)}</dd>{note}"
            f"</dl></figcaption></figure>"
        )
    body = "".join(figures) or f"<p>{t('empty')}</p>"
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(project)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(project)}</h1>"
        f'<p class="meta">{t("meta", count=len(entries), exported=exported)}</p>'
        f'<div class="grid">{body}</div></body></html>'
    )


def build_zip(project: str, entries: Sequence[GalleryEntry], lang: str) -> bytes:
    """The whole project in memory as ZIP bytes (a download button takes bytes)."""
    exported = datetime.now(UTC).isoformat(timespec="seconds")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, entry in enumerate(entries, 1):
            # PNG is already compressed: store it, do not spend CPU deflating it again.
            archive.writestr(image_name(i, entry), entry.path.read_bytes(), zipfile.ZIP_STORED)
        for name, text in (
            ("parameters.json", parameters_json(project, entries, exported)),
            # A byte-order mark lets spreadsheet programs read the accents as UTF-8.
            ("parameters.csv", "\ufeff" + parameters_csv(entries)),
            ("summary.html", summary_html(project, entries, lang, exported)),
        ):
            archive.writestr(name, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def file_name(project: str) -> str:
    """A safe ZIP name from the project's name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in project).strip("-")
    return f"{safe or 'lienzo-project'}.zip"
