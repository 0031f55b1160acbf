"""Model registry: every plugin with its status; ONNX export, validation and latency."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.components.messages import show_unexpected
from lienzo.dashboard.components.model_cache import shared_pretrained
from lienzo.registry import default_registry

lang = current_language()
registry = default_registry()

st.title(t("registry.title"))
st.markdown(t("registry.intro"))

st.header(t("registry.plugins_header"))
rows = []
for record in registry.plugins():
    specs = [registry.spec(model_id) for model_id in record.model_ids]
    rows.append(
        {
            t("registry.col_plugin"): record.name,
            t("registry.col_models"): ", ".join(spec.title[lang] for spec in specs),
            t("registry.col_family"): ", ".join(sorted({spec.family for spec in specs})),
            t("registry.col_package"): f"{record.package} {record.version}",
            t("registry.col_capabilities"): ", ".join(
                t(f"registry.capability_{c.replace('-', '_')}")
                for c in sorted({c for s in specs for c in s.capabilities})
            ),
            t("registry.col_status"): t(f"registry.status_{record.status}"),
        }
    )
st.dataframe(rows, hide_index=True, width="stretch")
for record in registry.plugins():
    if record.status == "failed":
        st.error(
            t("common.plugin_failed", name=record.name, error=f"[{record.stage}] {record.error}")
        )
st.caption(t("registry.plugins_note"))

st.header(t("registry.export_header"))
st.markdown(t("registry.export_intro"))
exportable = [spec for spec in registry.list() if spec.onnx.exportable]
if not exportable:
    st.info(t("registry.nothing_exportable"))
    st.stop()

model_id = st.selectbox(
    t("registry.model_label"),
    [spec.id for spec in exportable],
    format_func={spec.id: f"{spec.title[lang]} ({spec.id})" for spec in exportable}.__getitem__,
    key="registry_model",
)

if st.button(t("registry.export_button"), key="registry_export", type="primary"):
    try:
        from lienzo.registry.bench import compare_latency
        from lienzo.registry.onnx_export import export_onnx

        with st.spinner(t("registry.exporting")):
            out_dir = Path(tempfile.mkdtemp(prefix="lienzo-onnx-"))
            model = shared_pretrained(model_id)
            report = export_onnx(model, out_dir)
            latency = (
                compare_latency(model, report.graphs[0].path, (1, 64)) if report.passed else []
            )
        st.session_state["registry_result"] = (model_id, report, latency)
    except Exception as error:  # noqa: BLE001
        show_unexpected(error)

result = st.session_state.get("registry_result")
if result and result[0] == model_id:
    _, report, latency = result
    for graph in report.graphs:
        st.subheader(t("registry.graph_header", name=graph.name))
        if graph.passed:
            st.success(t("registry.validation_passed", tolerance=f"{graph.tolerance:.0e}"))
        else:
            st.error(t("registry.validation_failed", problems="; ".join(graph.problems)))
        cols = st.columns(5)
        cols[0].metric(t("registry.opset"), graph.opset)
        cols[1].metric(t("registry.file_size"), f"{(graph.file_bytes or 0) / 1024:.1f} KiB")
        cols[2].metric(t("registry.export_time"), f"{graph.export_seconds or 0:.2f} s")
        max_diff = "—" if graph.max_abs_diff is None else f"{graph.max_abs_diff:.1e}"
        cols[3].metric(t("registry.max_diff"), max_diff)
        cols[4].metric(t("registry.batches"), ", ".join(str(b) for b in graph.batches_checked))
        if Path(graph.path).is_file():
            st.download_button(
                t("registry.download"),
                Path(graph.path).read_bytes(),
                file_name=Path(graph.path).name,
                key=f"registry_download_{graph.name}",
            )
    if latency:
        st.subheader(t("registry.latency_header"))
        st.dataframe(
            [
                {
                    t("registry.col_batch"): row.batch,
                    "PyTorch (ms)": round(row.torch_ms, 3),
                    "ONNX Runtime (ms)": round(row.onnx_ms, 3),
                    t("registry.col_speedup"): f"{row.torch_ms / row.onnx_ms:.2f}×",
                }
                for row in latency
            ],
            hide_index=True,
        )
        st.caption(t("registry.latency_note", provider=latency[0].provider))
