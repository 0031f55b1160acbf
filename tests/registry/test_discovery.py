"""Plugins are found through entry points and one broken plugin breaks nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lienzo.registry import ModelSpec, UnknownModelError, default_registry, list_models
from lienzo.registry.discovery import DISABLED, FAILED, LOADED, discover


def records_by_name() -> dict:
    return {record.name: record for record in default_registry().plugins()}


def test_builtin_cnn_plugin_loads_through_the_entry_point() -> None:
    record = records_by_name()["cnn"]
    assert record.status == LOADED, record.error
    assert record.package == "lienzo"
    assert "cnn-lenet5" in record.model_ids
    assert "lienzo_register_models" in record.hooks


def test_list_and_filters() -> None:
    ids = [spec.id for spec in list_models()]
    assert "cnn-lenet5" in ids
    assert [s.id for s in list_models(family="cnn")] == ["cnn-lenet5"]
    assert "cnn-lenet5" in [s.id for s in list_models(capability="classify")]
    assert list_models(family="diffusion", capability="classify") == []


def test_unknown_model_names_the_loaded_ones() -> None:
    with pytest.raises(UnknownModelError, match="cnn-lenet5"):
        default_registry().get("no-such-model")


def test_broken_plugins_are_recorded_and_the_rest_load(third_party_plugins: Path) -> None:
    records = records_by_name()
    assert records["cnn"].status == LOADED
    assert records["demo-good"].status == LOADED
    assert records["demo-good"].version == "0.1.0"
    assert records["demo-import-error"].status == FAILED
    assert records["demo-import-error"].stage == "import"
    assert "not installed" in records["demo-import-error"].error
    invalid = records["demo-invalid-spec"]
    assert invalid.status == FAILED and invalid.stage == "lienzo_register_models"
    assert "banana" in invalid.error and "'en'" in invalid.error
    half = records["demo-hook-raises"]
    assert half.status == FAILED and "half way" in half.error

    ids = {spec.id for spec in list_models()}
    assert {"cnn-lenet5", "demo-good"} <= ids
    # Nothing of a failed plugin stays, not even what it registered before failing.
    assert "demo-invalid" not in ids and "demo-half-registered" not in ids
    assert default_registry().get("demo-good").describe().startswith("a demo model")
    assert [page.title["en"] for page in default_registry().pages()] == ["Demo page"]


def test_allow_list_disables_the_others(
    third_party_plugins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIENZO_PLUGINS", "cnn,demo-good")
    found = discover()
    statuses = {record.name: record.status for record in found.records}
    assert statuses["demo-import-error"] == DISABLED
    assert statuses["demo-good"] == LOADED
    assert set(found.models) >= {"cnn-lenet5", "demo-good"}


def test_strict_mode_reraises(third_party_plugins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIENZO_STRICT_PLUGINS", "1")
    # Plugins load in name order: demo-hook-raises is the first to fail.
    with pytest.raises(RuntimeError, match="half way"):
        discover()


def test_duplicate_model_id_is_refused() -> None:
    from dataclasses import dataclass
    from importlib.metadata import EntryPoint

    @dataclass
    class Config:
        pass

    spec = ModelSpec(
        "same-id",
        "cnn",
        {"es": "a", "en": "a"},
        {"es": "a", "en": "a"},
        frozenset(),
        Config,
        Config,
    )

    class Plugin:
        @staticmethod
        def lienzo_register_models(register):
            register(spec)

    from lienzo.registry import hookimpl

    hookimpl(Plugin.lienzo_register_models)
    module = type(sys)("dup_plugin")
    module.lienzo_register_models = Plugin.lienzo_register_models
    sys.modules["dup_plugin_a"] = module
    sys.modules["dup_plugin_b"] = type(sys)("dup_plugin_b")
    sys.modules["dup_plugin_b"].lienzo_register_models = Plugin.lienzo_register_models
    try:
        found = discover(
            [EntryPoint("a", "dup_plugin_a", "lienzo"), EntryPoint("b", "dup_plugin_b", "lienzo")]
        )
    finally:
        del sys.modules["dup_plugin_a"], sys.modules["dup_plugin_b"]
    assert [r.status for r in found.records] == [LOADED, FAILED]
    assert "already registered" in found.records[1].error


def run_cli(*args: str, plugins: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if plugins is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugins), env.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "lienzo.registry.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_cli_plugins_lists_broken_ones_without_crashing(third_party_plugins: Path) -> None:
    done = run_cli("plugins", "--json", plugins=third_party_plugins)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["cnn"]["status"] == "loaded" and rows["cnn"]["families"] == ["cnn"]
    assert "classify" in rows["cnn"]["capabilities"]
    assert rows["demo-import-error"]["status"] == "failed"
    assert rows["demo-import-error"]["error"].startswith("[import] ImportError")
    table = run_cli("plugins", plugins=third_party_plugins)
    assert table.returncode == 0 and "demo-good" in table.stdout and "failed" in table.stdout


def test_cli_unknown_model_is_a_clear_message() -> None:
    done = run_cli("export", "no-such-model")
    assert done.returncode == 2
    assert "unknown model" in done.stdout


def test_cli_refuses_a_malformed_setting_without_a_traceback() -> None:
    done = run_cli("train", "cnn-lenet5", "--set", "epochs=abc")
    assert done.returncode == 2
    assert "expected a int" in done.stdout and "Traceback" not in done.stdout + done.stderr
    done = run_cli("train", "cnn-lenet5", "--set", "epochs=2.7")
    assert done.returncode == 2


def test_cli_train_writes_a_checkpoint_with_its_data_and_command(tmp_path: Path) -> None:
    stem = tmp_path / "mine"
    done = run_cli("train", "cnn-lenet5", "--set", "epochs=1", "--out", str(stem))
    assert done.returncode == 0, done.stdout + done.stderr
    sidecar = json.loads(stem.with_suffix(".json").read_text())
    assert "digits" in sidecar["data"] and sidecar["seed"] == 0
    assert sidecar["command"].endswith(f"--out {stem}")
    assert 0 < sidecar["metrics"]["test_accuracy"] <= 1


def test_cli_export_into_a_file_fails_cleanly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_cli("export", "cnn-lenet5", "--out", str(blocker))
    assert done.returncode == 1
    assert "FAILED" in done.stdout or "Nothing was exported" in done.stdout
    assert "TypeError" not in done.stdout + done.stderr  # the report is printed, not a crash
