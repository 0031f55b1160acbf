"""The ``lienzo`` command: dashboard, plugins, train, export, bench."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lienzo.registry.catalog import UnknownModelError, default_registry

app = typer.Typer(help="Lienzo: a teaching lab for AI image generation.", no_args_is_help=True)
console = Console()


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = True,
) -> None:
    """Start the Streamlit dashboard on http://localhost:PORT."""
    import lienzo.dashboard
    from lienzo.dashboard.labs.image_loading import MAX_UPLOAD_MB

    app_path = Path(lienzo.dashboard.__file__).parent / "app.py"
    # Streamlit reads .streamlit/config.toml from the working directory: run from the
    # checkout when there is one, and pass the upload limit explicitly in any case so
    # the limit the pages state is the limit the server enforces.
    checkout = app_path.parent.parent
    cwd = checkout if (checkout / ".streamlit" / "config.toml").is_file() else None
    console.print(f"Lienzo: http://localhost:{port}")
    command = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port)]
    command += ["--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false"]
    command += ["--server.maxUploadSize", str(MAX_UPLOAD_MB)]
    raise typer.Exit(subprocess.call(command, cwd=cwd))


@app.command()
def plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every plugin: name, family, package, version, capabilities, status, error."""
    registry = default_registry()
    rows = []
    for record in registry.plugins():
        specs = [registry.spec(model_id) for model_id in record.model_ids]
        rows.append(
            {
                "name": record.name,
                "families": sorted({spec.family for spec in specs}),
                "models": record.model_ids,
                "package": record.package,
                "version": record.version,
                "capabilities": sorted({c for spec in specs for c in spec.capabilities}),
                "hooks": record.hooks,
                "status": record.status,
                "error": f"[{record.stage}] {record.error}" if record.error else "",
            }
        )
    if as_json:
        import json

        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Lienzo plugins")
    for column in ("name", "family", "package", "version", "capabilities", "status", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        colour = {"loaded": "green", "failed": "red"}.get(row["status"], "yellow")
        table.add_row(
            row["name"] + (f" ({', '.join(row['models'])})" if row["models"] else ""),
            ", ".join(row["families"]),
            row["package"],
            row["version"],
            ", ".join(row["capabilities"]),
            f"[{colour}]{row['status']}[/{colour}]",
            escape(row["error"]),
        )
    console.print(table)


def _model_or_exit(model_id: str, pretrained: bool) -> tuple[Any, Any]:
    """The spec and a model object, or a clear message and exit code 2."""
    try:
        spec = default_registry().spec(model_id)
    except UnknownModelError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        raise typer.Exit(2) from None
    model = spec.factory()
    if pretrained and hasattr(type(model), "pretrained"):
        model = type(model).pretrained()
    return spec, model


def _parse_overrides(config: Any, overrides: list[str]) -> Any:
    """Apply ``name=value`` pairs to a config dataclass, converting to each field's type."""
    fields = {f.name: f for f in dataclasses.fields(config)}
    changes = {}
    for pair in overrides:
        name, _, raw = pair.partition("=")
        if name not in fields or not raw:
            known = ", ".join(fields)
            console.print(f"[red]--set expects name=value with name in: {known}[/red]")
            raise typer.Exit(2)
        kind = type(getattr(config, name))
        try:
            value = float(raw) if kind in (int, float) else raw
            if kind is int and not float(value).is_integer():
                raise ValueError("not a whole number")
            changes[name] = kind(value)
        except ValueError:
            console.print(f"[red]--set {name}={raw}: expected a {kind.__name__}[/red]")
            raise typer.Exit(2) from None
    return dataclasses.replace(config, **changes)


@app.command()
def train(
    model_id: str,
    out: Annotated[
        Path | None, typer.Option(help="Checkpoint stem (writes .safetensors + .json).")
    ] = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="Config override, e.g. --set epochs=5.")
    ] = [],  # noqa: B006
) -> None:
    """Train a local model with a progress bar and save a checkpoint."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lienzo.registry.checkpoints import CheckpointInfo, save_checkpoint
    from lienzo.registry.spec import ConfigError

    spec, model = _model_or_exit(model_id, pretrained=False)
    config = _parse_overrides(spec.default_config(), set_)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(model_id, total=getattr(config, "epochs", None), status="")

        def report(progress: Any) -> None:
            status = f"loss {progress.loss:.4f}"
            if progress.val_accuracy is not None:
                status += f"  val acc {progress.val_accuracy:.3f}"
            bar.update(task, completed=progress.epoch, status=status)

        try:
            result = model.train(config, progress=report, stop=threading.Event())
        except ConfigError as error:
            console.print(f"[red]{error.messages['en']}[/red]")
            raise typer.Exit(2) from None
    stem = out or Path("checkpoints") / model_id
    metrics = {}
    if hasattr(model, "evaluate"):
        metrics["test_accuracy"] = float(model.evaluate().accuracy)
    if getattr(result, "diverged", False):
        console.print(
            "[red]Training diverged (the loss became NaN or infinite); nothing saved.[/red]"
        )
        raise typer.Exit(1)
    info = CheckpointInfo(
        model_id=model_id,
        config=dataclasses.asdict(config),
        data=getattr(model, "data_description", "") or spec.summary["en"],
        seed=int(getattr(config, "seed", 0)),
        metrics=metrics,
        command=" ".join(
            ["lienzo train", model_id, *(f"--set {p}" for p in set_), f"--out {stem}"]
        ),
    )
    weights = save_checkpoint(stem, model.state_dict(), info)
    console.print(f"Saved {weights} and {Path(stem).with_suffix('.json')}  {metrics}")


@app.command()
def export(
    model_id: str,
    out: Annotated[Path, typer.Option(help="Folder for the .onnx files.")] = Path("onnx"),
    pretrained: Annotated[bool, typer.Option(help="Export the shipped checkpoint.")] = True,
) -> None:
    """Export a local model to ONNX and validate it against PyTorch."""
    _, model = _model_or_exit(model_id, pretrained)
    from lienzo.registry.onnx_export import export_onnx

    report = export_onnx(model, out)
    for graph in report.graphs:
        verdict = "[green]passed[/green]" if graph.passed else "[red]FAILED[/red]"
        diff = "n/a" if graph.max_abs_diff is None else f"{graph.max_abs_diff:.2e}"
        console.print(
            f"{graph.name}: {verdict}  {graph.path}  opset {graph.opset}  "
            f"{(graph.file_bytes or 0) / 1024:.1f} KiB  export {graph.export_seconds or 0:.2f} s  "
            f"max |diff| {diff} (tolerance {graph.tolerance:.0e})"
        )
        for problem in graph.problems:
            console.print(f"  - {escape(problem)}")
    if not report.graphs:
        console.print("[red]Nothing was exported.[/red]")
    raise typer.Exit(0 if report.passed else 1)


@app.command()
def bench(
    repeats: Annotated[int, typer.Option(help="Timed calls per figure.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    only: Annotated[str, typer.Option(help="Lessons to measure, e.g. gan,diffusion.")] = "",
) -> None:
    """Print every lesson's latency, training and quality figures, measured in one run."""
    from lienzo.registry.bench import main

    main(["--repeats", str(repeats), "--only", only, *(["--json"] if as_json else [])])


def main() -> None:  # pragma: no cover - `python -m lienzo.registry.cli`
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    main()
