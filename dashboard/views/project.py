"""Practical project: from a business brief to a set of images with all their parameters.

Six visible steps (sector, prompt, generator, variants, comparison, export) and the
gallery of everything generated. Logic lives in dashboard/labs (prompts, generators,
generation_job, gallery, project_export); this page only draws and stores choices.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import streamlit as st

from lienzo.dashboard.components.language import current_language, option_labels, t
from lienzo.dashboard.components.messages import show_problem
from lienzo.dashboard.components.model_cache import shared_pretrained
from lienzo.dashboard.labs import generators as gen
from lienzo.dashboard.labs import project_export, prompts
from lienzo.dashboard.labs.errors import LabError, bilingual, number
from lienzo.dashboard.labs.gallery import DATA_DIR_ENV, Gallery, GalleryEntry
from lienzo.dashboard.labs.generation_job import GenerationJob
from lienzo.registry import default_registry

JOB_KEY = "project_job"
PENDING_DELETE = "project_pending_delete"
GALLERY_LIMIT = 24  # newest images drawn in the gallery grid
ASPECTS = tuple(gen.ASPECT_SIZES)
lang = current_language()


KNOWN_FIELDS = ("prompt", "negative_prompt", "seed", "aspect_ratio", "size", "count", "style")


def field_labels(names: list[str]) -> str:
    """Request field names as the learner reads them (unknown ones as they are)."""
    return ", ".join(t(f"project.field_{n}") if n in KNOWN_FIELDS else n for n in names)


if "project_session_id" not in st.session_state:
    st.session_state["project_session_id"] = uuid.uuid4().hex  # budget per browser session
session_id: str = st.session_state["project_session_id"]

st.title(t("project.title"))
st.markdown(t("project.intro"))

# --- Settings: where the gallery lives, metadata switch, project name -------------------
gallery = Gallery()
with st.expander(t("project.settings_header"), icon=":material/settings:"):
    st.markdown(t("project.settings_folder", folder=str(gallery.root), env=DATA_DIR_ENV))
    st.toggle(t("project.metadata_toggle"), value=True, key="project_embed_metadata")
    st.caption(t("project.metadata_help"))
if "project_swept" not in st.session_state:
    st.session_state["project_swept"] = True
    try:
        gallery.sweep()  # leftovers of a crash, once per session
    except (OSError, sqlite3.Error):
        pass  # the gallery section below reports an unusable folder
st.session_state.setdefault(
    "project_name", t("project.default_name", date=dt.date.today().isoformat())
)
st.text_input(t("project.name_label"), key="project_name", max_chars=80)
project_name = st.session_state["project_name"].strip() or t(
    "project.default_name", date=dt.date.today().isoformat()
)

# --- 1. Sector and use case -------------------------------------------------------------
st.header(t("project.step1_header"))
sector_names = {s.id: s.name[lang] for s in prompts.sectors()}
sector_id = st.selectbox(
    t("project.sector_label"),
    list(sector_names),
    format_func=sector_names.__getitem__,
    key="project_sector",
)
sector = prompts.sector(sector_id)
st.caption(sector.summary[lang])
case_names = {case.id: case.name[lang] for case in sector.use_cases}
case_id = st.radio(
    t("project.use_case_label"),
    list(case_names),
    format_func=case_names.__getitem__,
    horizontal=True,
    key=f"project_case_{sector.id}",  # one per sector: each sector has its own cases
)
case = sector.use_case(case_id)
field_cols = st.columns(len(case.fields))
values = {
    field.id: column.text_input(
        field.label[lang],
        value=field.example[lang],
        key=f"project_field_{sector.id}_{case.id}_{field.id}",
        max_chars=200,
    )
    for field, column in zip(case.fields, field_cols, strict=True)
}
filled = prompts.fill_use_case(case, values, lang)
st.markdown(t("project.template_result"))
st.code(filled, language=None, wrap_lines=True)


def use_template() -> None:
    st.session_state["project_subject"] = filled
    st.session_state["project_negative"] = case.negative[lang]


st.button(t("project.use_template"), key="project_use_template", on_click=use_template)

# --- 2. The prompt from parts -----------------------------------------------------------
st.header(t("project.step2_header"))
st.markdown(t("project.step2_intro"))
if "project_subject" not in st.session_state:  # a first visit starts from the template
    use_template()
style_names = {s.id: s.name[lang] for s in prompts.styles()}
light_names = {o.id: o.name[lang] for o in prompts.lighting_options()}
composition_names = {o.id: o.name[lang] for o in prompts.composition_options()}


def inspire_me() -> None:
    number = int(st.session_state.get("project_inspiration", 0)) + 1
    idea = prompts.inspire(number, st.session_state["project_sector"], current_language())
    st.session_state.update(
        project_inspiration=number,
        project_subject=idea.subject,
        project_style=idea.style,
        project_lighting=idea.lighting,
        project_composition=idea.composition,
    )


st.text_area(t("project.subject_label"), key="project_subject", height=90, max_chars=1000)
cols = st.columns([2, 2, 2, 1.3])
cols[0].selectbox(
    t("project.style_label"),
    list(style_names),
    format_func=style_names.__getitem__,
    key="project_style",
)
cols[1].selectbox(
    t("project.lighting_label"),
    list(light_names),
    format_func=light_names.__getitem__,
    key="project_lighting",
)
cols[2].selectbox(
    t("project.composition_label"),
    list(composition_names),
    format_func=composition_names.__getitem__,
    key="project_composition",
)
cols[3].button(
    t("project.inspire"), key="project_inspire", on_click=inspire_me, icon=":material/casino:"
)
if st.session_state.get("project_inspiration"):
    st.caption(t("project.inspiration_number", number=st.session_state["project_inspiration"]))
st.text_area(t("project.negative_label"), key="project_negative", height=70, max_chars=1000)

built: prompts.BuiltPrompt | None = None
try:
    built = prompts.build_prompt(
        prompts.PromptParts(
            subject=st.session_state["project_subject"],
            style=st.session_state["project_style"],
            lighting=st.session_state["project_lighting"],
            composition=st.session_state["project_composition"],
            negative=st.session_state["project_negative"],
        ),
        lang,
    )
    st.markdown(t("project.final_prompt"))
    st.code(built.prompt, language=None, wrap_lines=True)
    if built.negative_prompt:
        st.markdown(t("project.final_negative"))
        st.code(built.negative_prompt, language=None, wrap_lines=True)
except LabError as error:
    show_problem(error.messages)

# --- 3. The generator -------------------------------------------------------------------
st.header(t("project.step3_header"))
st.markdown(t("project.step3_intro"))
registry = default_registry()
specs = gen.specs(registry)


def typed_key(spec_id: str) -> str | None:
    value = st.session_state.get(f"project_key_{spec_id}", "")
    return value.strip() or None


def build_generator(spec):  # noqa: ANN001, ANN202 - a ModelSpec in, an ImageGenerator out
    if gen.is_hosted(spec):
        return gen.build_hosted(spec, typed_key(spec.id), session_id)
    with st.spinner(t("project.loading_local", name=spec.title[current_language()])):
        return shared_pretrained(spec.id)  # local: loaded once per process, inference only


statuses: dict[str, gen.GeneratorStatus] = {}
objects: dict = {}
for spec in specs:
    try:
        objects[spec.id] = build_generator(spec)
        statuses[spec.id] = gen.describe(spec, objects[spec.id], typed_key(spec.id))
    except Exception as error:  # noqa: BLE001 - one broken generator must not hide the rest
        statuses[spec.id] = gen.failed_status(spec, error)

generator = None
status: gen.GeneratorStatus | None = None
if not specs:
    st.warning(t("project.no_generator"), icon=":material/block:")
else:
    if not any(s.ready for s in statuses.values()):
        st.warning(t("project.none_ready"), icon=":material/key_off:")
    labels = {
        sid: f"{s.title[lang]} · "
        + t("project.gen_" + ("ready" if s.ready else "needs_key" if s.hosted else "broken"))
        for sid, s in statuses.items()
    }
    first_ready = next((i for i, s in enumerate(statuses.values()) if s.ready), 0)
    chosen = st.radio(
        t("project.generator_label"),
        list(statuses),
        index=first_ready,  # a ready generator first: the workflow runs without any choice
        format_func=labels.__getitem__,
        key="project_generator",
    )
    status = statuses[chosen]
    st.caption(t("project.gen_kind_hosted" if status.hosted else "project.gen_kind_local"))
    if status.problem is not None:
        show_problem(status.problem)
    if status.hosted:
        names = " / ".join(f"`{name}`" for name in status.secrets)
        if status.key_source is None:
            st.warning(t("project.key_missing", names=names), icon=":material/key:")
            st.markdown(
                t("project.key_how", name=status.secrets[0] if status.secrets else "API_KEY")
            )
        else:
            st.success(t(f"project.key_from_{status.key_source}"), icon=":material/key:")
        st.text_input(
            t("project.key_input"),
            type="password",
            key=f"project_key_{chosen}",
            help=t("project.key_input_help"),
            autocomplete="off",
        )
        money = (
            t("project.price", price=number(status.price_usd, lang, digits=3))
            if status.price_usd is not None
            else t("project.price_unknown")
        )
        st.caption(t("project.model_line", model=status.model) + " · " + money)
        if status.budget_limited:
            st.metric(t("project.generations_left"), status.budget_left)
        else:
            st.caption(t("project.no_budget"))
    if status.problem is None:
        generator = objects.get(chosen)
        applies = {
            name: name in status.supported_fields
            for name in ("negative_prompt", "seed", "aspect_ratio", "size")
        }
        st.markdown(
            t("project.fields_intro")
            + " "
            + " · ".join(
                (":material/check_circle: " if ok else ":material/block: ") + field_labels([n])
                for n, ok in applies.items()
            )
        )

# --- 4. Variants with seeds -------------------------------------------------------------
st.header(t("project.step4_header"))
st.markdown(t("project.step4_intro"))
cols = st.columns(3)
count = cols[0].number_input(
    t("project.variants_label"), 1, gen.MAX_VARIANTS, gen.MAX_VARIANTS, key="project_variants"
)
seed_base = cols[1].number_input(
    t("project.seed_label"), 0, gen.SEED_LIMIT - gen.MAX_VARIANTS, 42, key="project_seed"
)
aspect = cols[2].selectbox(t("project.aspect_label"), ASPECTS, key="project_aspect")
st.caption(t("project.seeds_used", first=int(seed_base), last=int(seed_base) + int(count) - 1))

requests = []
if built is not None and generator is not None and status is not None:
    base_request = gen.request_for(
        status.supported_fields, built.prompt, built.negative_prompt, aspect, int(seed_base)
    )
    requests = gen.variants(base_request, int(count), int(seed_base))
    skipped = gen.not_applied(generator, requests[0])
    if skipped:
        st.info(
            t("project.not_applied_before", fields=field_labels(skipped)), icon=":material/info:"
        )
    if status.budget_limited and status.budget_left is not None and status.budget_left < count:
        st.warning(t("project.budget_short", left=status.budget_left, asked=int(count)))

job: GenerationJob | None = st.session_state.get(JOB_KEY)
running = job is not None and job.running


def start_generation() -> None:
    """Button callback: runs before the page, so the page already sees the job."""
    if not requests or generator is None:
        return
    context = {
        "sector": sector.id,
        "use_case": case.id,
        "style": st.session_state["project_style"],
        "lighting": st.session_state["project_lighting"],
        "composition": st.session_state["project_composition"],
        "language": current_language(),
    }
    typed = {sid: key for sid in statuses if (key := typed_key(sid))}
    st.session_state[JOB_KEY] = GenerationJob(
        generator=generator,
        requests=requests,
        gallery=gallery,
        project=project_name,
        context=context,
        embed_metadata=bool(st.session_state.get("project_embed_metadata", True)),
        redact=gen.redactor(gen.known_secret_values(specs, typed)),
    ).start()


ready = bool(requests) and status is not None and status.ready
st.button(
    t("project.generate", count=int(count)),
    key="project_generate",
    type="primary",
    disabled=running or not ready,
    on_click=start_generation,
    icon=":material/auto_awesome:",
)
if not ready and specs:
    st.caption(t("project.generate_disabled"))


def stage_text(stage: str) -> str:
    known = ("sending", "queued", "generating", "downloading", "done")
    return t(f"project.stage_{stage}") if stage in known else t("project.stage_working")


@st.fragment(run_every=1.0 if running else None)
def progress_view() -> None:
    current: GenerationJob | None = st.session_state.get(JOB_KEY)
    if current is None:
        return
    total = len(current.requests)
    if current.running:
        number = min(len(current.outcomes) + 1, total)  # the variant in flight
        st.progress(
            current.fraction,
            text=t("project.progress", n=number, total=total, stage=stage_text(current.stage)),
        )
        st.button(
            t("project.stop"),
            key="project_stop",
            on_click=current.stop,
            disabled=current.stopping,
            icon=":material/stop_circle:",
        )
    if running and not current.running:
        st.rerun()  # finished: redraw the whole page with the results


progress_view()

# --- 5. Compare and keep favourites -----------------------------------------------------
st.header(t("project.step5_header"))


def toggle_favourite(entry_id: int) -> None:
    gallery.set_favourite(entry_id, bool(st.session_state[f"project_fav_{entry_id}"]))


def save_note(entry_id: int) -> None:
    gallery.set_note(entry_id, str(st.session_state[f"project_note_{entry_id}"]))


def draw_variant(column, entry: GalleryEntry) -> None:  # noqa: ANN001 - a Streamlit column
    column.image(str(entry.path), width="stretch")
    seed = "—" if entry.seed is None else entry.seed
    column.caption(t("project.variant_caption", seed=seed, model=entry.model, size=entry.size))
    if entry.params.get("revised_prompt"):
        column.caption(t("project.revised_prompt", text=entry.params["revised_prompt"]))
    fav_key, note_key = f"project_fav_{entry.id}", f"project_note_{entry.id}"
    st.session_state.setdefault(fav_key, entry.favourite)
    st.session_state.setdefault(note_key, entry.note)
    column.checkbox(
        t("project.favourite"), key=fav_key, on_change=toggle_favourite, args=(entry.id,)
    )
    column.text_input(
        t("project.note"), key=note_key, on_change=save_note, args=(entry.id,), max_chars=300
    )


if job is None:
    st.info(t("project.nothing_yet"))
elif job.running:
    st.info(t("project.generating_now"), icon=":material/hourglass_top:")
elif not job.running:
    st.caption(t("project.batch_summary", count=len(job.entry_ids), seconds=f"{job.seconds:.1f}"))
    skipped_after = sorted({f for o in job.outcomes for f in o.not_applied})
    if skipped_after:
        st.info(t("project.not_applied_after", fields=field_labels(skipped_after)))
    for outcome in job.outcomes:
        if outcome.error is not None:
            st.error(
                t("project.variant_failed", n=outcome.index + 1, message=outcome.error[lang]),
                icon="⚠️",
            )
    try:
        shown = [e for i in job.entry_ids if (e := gallery.get(i)) is not None and e.path.is_file()]
    except (OSError, sqlite3.Error):
        shown = []
        show_problem("project.error_gallery_read")
    if shown:
        for column, entry in zip(st.columns(len(shown)), shown, strict=True):
            draw_variant(column, entry)

# --- 6. Export the project --------------------------------------------------------------
st.header(t("project.step6_header"))
st.markdown(t("project.step6_intro"))
scope = st.radio(
    t("project.export_scope"),
    ["favourites", "all"],
    format_func=option_labels("project.export_scope_"),
    horizontal=True,
    key="project_export_scope",
)
try:
    to_export = gallery.entries(project_name, favourites_only=scope == "favourites")
except (OSError, sqlite3.Error):
    to_export = []
    show_problem("project.error_gallery_read")
st.caption(t("project.export_count", count=len(to_export), project=project_name))


def prepare_export() -> None:
    st.session_state.pop("project_export", None)
    st.session_state.pop("project_export_error", None)
    try:
        chosen = gallery.entries(
            project_name, favourites_only=st.session_state["project_export_scope"] == "favourites"
        )
        if chosen:
            data = project_export.build_zip(project_name, chosen, current_language())
            name = project_export.file_name(project_name)
            st.session_state["project_export"] = (name, data, len(chosen))
    except (OSError, sqlite3.Error) as error:
        st.session_state["project_export_error"] = f"{type(error).__name__}: {error}"


st.button(
    t("project.export_button"),
    key="project_export_button",
    disabled=not to_export,
    on_click=prepare_export,
    icon=":material/folder_zip:",
)
if "project_export_error" in st.session_state:
    show_problem(bilingual("project.error_export", detail=st.session_state["project_export_error"]))
prepared = st.session_state.get("project_export")
if prepared is not None:
    name, data, exported_count = prepared
    st.success(t("project.export_ready", count=exported_count, mb=f"{len(data) / 1e6:.1f}"))
    st.download_button(
        t("project.download", name=name),
        data=data,
        file_name=name,
        mime="application/zip",
        key="project_download",
        on_click="ignore",
        icon=":material/download:",
    )

# --- Gallery and history ----------------------------------------------------------------
st.header(t("project.gallery_header"))


def ask_delete(entry_id: int) -> None:
    st.session_state[PENDING_DELETE] = entry_id


def confirm_delete() -> None:
    entry_id = st.session_state.pop(PENDING_DELETE, None)
    if entry_id is not None and gallery.delete(entry_id):
        st.session_state["project_deleted"] = entry_id
        st.session_state.pop("project_export", None)  # a prepared ZIP may hold it


def cancel_delete() -> None:
    st.session_state.pop(PENDING_DELETE, None)


def gallery_card(column, entry: GalleryEntry, pending: int | None) -> None:  # noqa: ANN001
    """One saved image: thumbnail, details, and a delete that asks first, in place."""
    column.image(str(entry.path), width="stretch")
    star = "★ " if entry.favourite else ""
    seed = "—" if entry.seed is None else entry.seed
    column.caption(
        t("project.gallery_caption", star=star, id=entry.id, seed=seed, provider=entry.provider)
    )
    with column.popover(t("project.details"), width="stretch"):
        st.markdown(t("project.details_prompt", prompt=entry.prompt))
        if entry.negative_prompt:
            st.markdown(t("project.details_negative", negative=entry.negative_prompt))
        st.caption(
            t(
                "project.details_meta",
                project=entry.project,
                created=entry.created,
                model=entry.model,
                size=entry.size,
                metadata=t("project.yes" if entry.metadata_embedded else "project.no"),
            )
        )
        if entry.note:
            st.caption(t("project.details_note", note=entry.note))
    if pending == entry.id:
        column.warning(t("project.delete_confirm", id=entry.id), icon=":material/delete_forever:")
        column.button(
            t("project.delete_yes"),
            key="project_delete_yes",
            type="primary",
            on_click=confirm_delete,
            width="stretch",
        )
        column.button(
            t("project.delete_no"), key="project_delete_no", on_click=cancel_delete, width="stretch"
        )
    else:
        column.button(
            t("project.delete"),
            key=f"project_delete_{entry.id}",
            on_click=ask_delete,
            args=(entry.id,),
            disabled=pending is not None,  # one question at a time
            icon=":material/delete:",
        )


try:
    projects = gallery.projects()
    everything = gallery.entries()
except (OSError, sqlite3.Error):
    projects, everything = [], []
    show_problem("project.error_gallery_read")
st.caption(t("project.gallery_intro", count=len(everything), folder=str(gallery.root)))
if projects:
    filter_options = ["__all__", *projects]
    filter_labels = {"__all__": t("project.gallery_all"), **{p: p for p in projects}}
    picked = st.selectbox(
        t("project.gallery_filter"),
        filter_options,
        format_func=filter_labels.__getitem__,
        key="project_gallery_filter",
    )
    listed = [e for e in everything if picked == "__all__" or e.project == picked]
    if len(listed) > GALLERY_LIMIT:
        st.caption(t("project.gallery_limited", shown=GALLERY_LIMIT, total=len(listed)))
    pending = st.session_state.get(PENDING_DELETE)
    if "project_deleted" in st.session_state:
        st.toast(t("project.deleted", id=st.session_state.pop("project_deleted")))
    shown_entries = listed[:GALLERY_LIMIT]
    for row in range(0, len(shown_entries), 4):  # one st.columns per row keeps rows aligned
        for column, entry in zip(st.columns(4), shown_entries[row : row + 4], strict=False):
            gallery_card(column, entry, pending)
else:
    st.info(t("project.gallery_empty"))
