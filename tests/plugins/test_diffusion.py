"""The diffusion plugin through the registry: schedules, samplers, training, ONNX, checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch

import lienzo.registry as registry
from lienzo.plugins.diffusion.config import DiffusionTrainConfig
from lienzo.plugins.diffusion.model import PRETRAINED_STEM, SCHEDULE, DigitDiffusion, onnx_noise_fn
from lienzo.plugins.diffusion.sampling import (
    SPACINGS,
    check_dtype,
    make_scheduler,
    sample,
    scheduler_timesteps,
    timestep_batch,
)
from lienzo.plugins.diffusion.schedules import (
    ScheduleConfig,
    add_noise,
    measured_snr,
    noise_schedule,
    noisy_sequence,
)
from lienzo.registry import ConfigError

MODEL_ID = "diffusion-digits"
TINY = DiffusionTrainConfig(steps=3, batch_size=16, judge_every=3, report_every=1)


def messages_of(error: ConfigError) -> dict[str, str]:
    assert error.messages["es"] and error.messages["en"]
    assert error.messages["es"] != error.messages["en"]
    return error.messages


@pytest.fixture(scope="module")
def pretrained() -> DigitDiffusion:
    return registry.default_registry().get(MODEL_ID).pretrained()


# -- registration ----------------------------------------------------------------------


def test_registered_with_a_valid_spec():
    reg = registry.default_registry()
    spec = reg.spec(MODEL_ID)
    assert spec.problems() == []
    assert spec.family == "diffusion"
    assert {"generate", "train", "onnx"} <= spec.capabilities
    assert isinstance(reg.get(MODEL_ID), DigitDiffusion)


def test_registering_does_not_import_torch_or_diffusers():
    code = (
        "import sys, lienzo.plugins.diffusion; "
        "print(any(m in sys.modules for m in ('torch', 'diffusers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the forward process -------------------------------------------------------------------


def test_linear_schedule_runs_from_beta_1_to_beta_T():
    schedule = noise_schedule(ScheduleConfig(100, "linear", 1e-3, 0.05))
    assert schedule.T == 100
    assert schedule.betas[0] == pytest.approx(1e-3)
    assert schedule.betas[-1] == pytest.approx(0.05)
    assert np.allclose(schedule.alphas_cumprod, np.cumprod(1 - schedule.betas), rtol=1e-5)


@pytest.mark.parametrize("name", ["linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid"])
def test_every_schedule_takes_the_image_away(name):
    schedule = noise_schedule(ScheduleConfig(1000, name))
    abar = schedule.alphas_cumprod
    assert abar[0] > 0.99 and abar[-1] < 0.01
    assert np.all(np.diff(abar) < 0)  # always less of x_0 left
    snr = schedule.snr()
    assert np.all(np.diff(snr) < 0)


def test_zero_terminal_snr_leaves_nothing_of_x0():
    schedule = noise_schedule(ScheduleConfig(rescale_betas_zero_snr=True))
    assert schedule.alphas_cumprod[-1] == pytest.approx(0.0, abs=1e-6)
    assert schedule.snr(schedule.T - 1) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "config",
    [
        ScheduleConfig(beta_start=0.02, beta_end=0.01),
        ScheduleConfig(beta_start=0.0),
        ScheduleConfig(beta_end=1.5),
        ScheduleConfig(beta_start=float("nan")),
        ScheduleConfig(num_train_timesteps=1),
        ScheduleConfig(num_train_timesteps=10**6),
        ScheduleConfig(beta_schedule="exponential"),
    ],
)
def test_bad_schedules_are_refused_in_both_languages(config):
    with pytest.raises(ConfigError) as caught:
        noise_schedule(config)
    messages_of(caught.value)


def test_cosine_schedule_ignores_the_beta_range():
    a = noise_schedule(ScheduleConfig(beta_schedule="squaredcos_cap_v2", beta_start=0.5))
    b = noise_schedule(ScheduleConfig(beta_schedule="squaredcos_cap_v2"))
    assert np.array_equal(a.betas, b.betas)


def test_x_t_follows_the_closed_form():
    config = ScheduleConfig(200, "linear", 1e-4, 0.02)
    schedule = noise_schedule(config)
    rng = np.random.default_rng(0)
    x0, z = rng.uniform(-1, 1, (6, 5, 3)), rng.standard_normal((6, 5, 3))
    for t in (0, 50, 199):
        want = (
            np.sqrt(schedule.alphas_cumprod[t]) * x0 + np.sqrt(1 - schedule.alphas_cumprod[t]) * z
        )
        assert np.allclose(add_noise(x0, t, z, config), want, atol=1e-5)
    sequence = noisy_sequence(x0, [0, 50, 199], z, config)
    assert sequence.shape == (3, 6, 5, 3)
    assert np.allclose(sequence[1], add_noise(x0, 50, z, config))
    assert measured_snr(x0, sequence[0], 0, schedule) > measured_snr(x0, sequence[2], 199, schedule)
    with pytest.raises(ConfigError):
        add_noise(x0, 200, z, config)


# -- samplers ----------------------------------------------------------------------------------


def expected_timesteps(spacing: str, steps: int, T: int = 1000) -> list[int]:  # noqa: N803
    """What each spacing means, written out independently of diffusers."""
    if spacing == "leading":
        return [i * (T // steps) for i in range(steps)][::-1]
    if spacing == "trailing":
        return [round(T - i * T / steps) - 1 for i in range(steps)]
    return [round(x) for x in np.linspace(0, T - 1, steps)][::-1]


@pytest.mark.parametrize("steps", [50, 10])
@pytest.mark.parametrize("spacing", SPACINGS)
def test_ddim_uses_the_timesteps_each_spacing_promises(steps, spacing):
    used = scheduler_timesteps("ddim", steps, SCHEDULE, spacing)
    assert used.dtype == np.int64
    assert used.tolist() == expected_timesteps(spacing, steps)


def test_spacings_differ_where_the_lab_says():
    leading = scheduler_timesteps("ddim", 50, SCHEDULE, "leading")
    trailing = scheduler_timesteps("ddim", 50, SCHEDULE, "trailing")
    assert leading[0] == 980 and leading[-1] == 0  # never starts at T - 1
    assert trailing[0] == 999 and trailing[-1] == 19


@pytest.mark.parametrize("steps", [0, -1, -50, 1001, 2.5, "ten"])
@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "dpm_solver"])
def test_bad_step_counts_are_refused_with_a_message(sampler, steps):
    with pytest.raises(ConfigError) as caught:
        make_scheduler(sampler, steps, SCHEDULE)
    messages_of(caught.value)


def test_unknown_sampler_and_spacing_are_refused():
    with pytest.raises(ConfigError):
        make_scheduler("euler_a", 10)
    with pytest.raises(ConfigError):
        make_scheduler("ddim", 10, spacing="random")


def test_step_is_never_called_before_set_timesteps():
    from diffusers import DDIMScheduler

    calls: list[str] = []

    class Spy(DDIMScheduler):
        def set_timesteps(self, *args, **kwargs):
            calls.append("set_timesteps")
            return super().set_timesteps(*args, **kwargs)

        def step(self, *args, **kwargs):
            assert "set_timesteps" in calls, "step() before set_timesteps()"
            calls.append("step")
            return super().step(*args, **kwargs)

    zeros = lambda x, t, c: torch.zeros_like(x)  # noqa: E731
    with pytest.raises(RuntimeError, match="set_timesteps"):
        sample(zeros, Spy(), (1, 1, 8, 8))  # a scheduler nobody prepared
    assert calls == []
    spy = Spy()
    spy.set_timesteps(5)
    sample(zeros, spy, (1, 1, 8, 8))
    assert calls[:2] == ["set_timesteps", "set_timesteps"] and calls.count("step") == 5


@pytest.mark.parametrize(
    "given", [7, np.array(7), np.int64(7), torch.tensor(7), torch.tensor([7]), 7.0]
)
def test_any_timestep_becomes_an_int64_batch(given):
    batch = timestep_batch(given, 3)
    assert batch.dtype == torch.int64 and batch.tolist() == [7, 7, 7]


def test_float16_on_cpu_is_refused():
    with pytest.raises(ConfigError) as caught:
        check_dtype("float16", "cpu")
    assert "float16" in messages_of(caught.value)["en"]
    assert check_dtype("float32") == torch.float32


# -- the model ---------------------------------------------------------------------------------


def test_generate_is_seeded_and_shaped():
    model = registry.default_registry().get(MODEL_ID)
    a = model.generate([1, 2, 3], "ddim", 5, seed=4, record=3)
    b = model.generate([1, 2, 3], "ddim", 5, seed=4)
    c = model.generate([1, 2, 3], "ddim", 5, seed=5)
    assert a.digits.shape == (3, 8, 8) and a.digits.dtype == np.float32
    assert 0 <= a.digits.min() and a.digits.max() <= 16
    assert np.array_equal(a.digits, b.digits)
    assert not np.array_equal(a.digits, c.digits)
    assert [s[1] for s in a.steps] == [a.timesteps[i] for i in (0, 2, 4)]
    assert all(x_t.shape == (3, 8, 8) and x0.shape == (3, 8, 8) for _, _, x_t, x0 in a.steps)
    ddpm = model.generate([0, 10], "ddpm", 4, seed=1)
    assert np.array_equal(ddpm.digits, model.generate([0, 10], "ddpm", 4, seed=1).digits)


@pytest.mark.parametrize(
    "call",
    [
        dict(steps=0),
        dict(steps=-3),
        dict(labels=[11]),
        dict(labels=[]),
        dict(guidance_scale=float("nan")),
        dict(dtype="float16"),
        dict(sampler="pndm"),
    ],
)
def test_generate_refuses_bad_requests(call):
    model = registry.default_registry().get(MODEL_ID)
    options = dict(labels=[3], sampler="ddim", steps=5) | call
    with pytest.raises(ConfigError) as caught:
        model.generate(**options)
    messages_of(caught.value)


@pytest.mark.slow
def test_training_reports_judged_previews_and_is_deterministic():
    reg = registry.default_registry()
    first, second = reg.get(MODEL_ID), reg.get(MODEL_ID)
    seen = []
    result = first.train(TINY, progress=seen.append)
    second.train(TINY)
    assert result.steps == 3 and not result.diverged and not result.stopped_early
    assert [p.epoch for p in seen] == [1, 2, 3]
    judged = [p for p in seen if p.judged]
    assert [p.epoch for p in judged] == [3]
    assert judged[-1].samples.shape == (64, 8, 8)
    assert 0 <= judged[-1].extra["confident_share"] <= 1
    assert all(np.isfinite(p.loss) for p in seen)
    for name, tensor in first.state_dict().items():
        assert torch.equal(tensor, second.state_dict()[name]), name


def test_stop_before_the_first_step_changes_nothing():
    model = registry.default_registry().get(MODEL_ID)
    before = model.state_dict()
    stop = threading.Event()
    stop.set()
    result = model.train(TINY, stop=stop)
    assert result.stopped_early and result.steps == 0
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), name  # seed 0 drew the same start


@pytest.mark.slow
def test_stop_mid_run_ends_on_a_judged_report():
    model = registry.default_registry().get(MODEL_ID)
    stop = threading.Event()

    def stop_after_two(record) -> None:
        if record.epoch >= 2:
            stop.set()

    config = DiffusionTrainConfig(steps=50, batch_size=8, judge_every=1000, report_every=1)
    result = model.train(config, progress=stop_after_two, stop=stop)
    assert result.stopped_early and result.steps == 2
    assert result.history[-1].judged


@pytest.mark.parametrize(
    "bad", [dict(batch_size=0), dict(learning_rate=float("nan")), dict(label_dropout=1.5)]
)
def test_bad_training_config_is_refused(bad):
    model = registry.default_registry().get(MODEL_ID)
    with pytest.raises(ConfigError):
        model.train(DiffusionTrainConfig(**bad))


@pytest.mark.slow
def test_training_a_clone_leaves_the_original_alone():
    original = registry.default_registry().get(MODEL_ID)
    original.is_fresh = False  # as if loaded: training would fine-tune it in place
    before = original.state_dict()
    twin = original.clone()
    twin.train(DiffusionTrainConfig(steps=2, batch_size=8, judge_every=1000))
    after = original.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert any(not torch.equal(before[k], twin.state_dict()[k]) for k in before)


# -- ONNX --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_onnx_export_validates_and_samples_like_pytorch(tmp_path, pretrained):
    from lienzo.registry.onnx_export import export_onnx
    from lienzo.registry.onnx_session import OnnxSession

    report = export_onnx(pretrained, tmp_path)
    assert report.passed, report.to_dict()
    graph = report.graphs[0]
    assert graph.batches_checked == [1, 4, 7]
    session = OnnxSession(graph.path)
    declared = {i.name: (i.type, i.shape) for i in session.session.get_inputs()}
    assert declared["timestep"][0] == "tensor(int64)" and len(declared["timestep"][1]) == 1
    assert declared["sample"][1][0] == declared["timestep"][1][0]  # the same dynamic batch

    # Any kind of timestep gives the graph's declared int64 (B,) and the same noise.
    x = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 3, 7, 10])
    predict = onnx_noise_fn(session)
    with torch.no_grad():
        want = pretrained.ema(x, torch.full((4,), 321), class_labels=labels).sample
    for given in (321, np.array(321), torch.tensor(321, dtype=torch.int64), torch.tensor([321])):
        assert torch.allclose(predict(x, given, labels), want, atol=1e-4)

    for batch in (1, 4, 7):
        wanted = np.arange(batch) % 10
        eager = pretrained.generate(wanted, "ddim", 20, seed=batch)
        onnx = pretrained.generate(wanted, "ddim", 20, seed=batch, onnx_session=session)
        assert onnx.runtime == "onnxruntime"
        assert np.abs(eager.digits - onnx.digits).max() < 0.05  # on the 0..16 scale


# -- the committed checkpoint -------------------------------------------------------------------


def test_checkpoint_is_small_and_describes_itself():
    weights = PRETRAINED_STEM.with_suffix(".safetensors")
    assert weights.stat().st_size < 1_000_000
    sidecar = json.loads(PRETRAINED_STEM.with_suffix(".json").read_text("utf-8"))
    assert sidecar["model_id"] == MODEL_ID
    assert sidecar["command"] == "python -m lienzo.plugins.diffusion.train_pretrained"
    rows = {(r["sampler"], r["steps"]): r for r in sidecar["metrics"]["comparison"]}
    assert set(rows) == {("ddpm", 1000), ("ddim", 50), ("ddim", 20), ("dpm_solver", 20)}
    for row in rows.values():  # measured when it was made: 0.996-1.0 confident, FD 2.6-5.1
        assert row["n"] == 256 and row["classes_present"] == 10
        assert row["confident_share"] >= 0.95 and row["frechet_distance"] < 10
    assert rows[("ddim", 20)]["seconds"] < rows[("ddpm", 1000)]["seconds"]


@pytest.mark.slow
def test_pretrained_draws_the_digit_asked_for(pretrained):
    """Re-measured now: guidance makes the judge read the requested class.

    Measured at commit time: guidance 2 -> confident 1.0, FD 7.4, 100% read as asked;
    guidance 0 (label ignored) -> 10% read as asked, i.e. chance.
    """
    from lienzo.registry.judge import DigitJudge

    judge = DigitJudge.default()
    labels = np.arange(100) % 10
    guided = pretrained.generate(labels, "ddim", 20, guidance_scale=2.0, seed=0)
    report = judge.score(guided.digits)
    read = judge.classifier.predict(guided.digits).labels
    assert report.confident_share >= 0.9 and report.classes_present == 10
    assert report.frechet_distance < 20  # real digits ~2.4, uniform noise 115
    assert (read == labels).mean() >= 0.9
    unguided = pretrained.generate(labels, "ddim", 20, guidance_scale=0.0, seed=0)
    assert (judge.classifier.predict(unguided.digits).labels == labels).mean() < 0.3


def test_digit_grids_keep_every_pixel():
    from lienzo.plugins.diffusion.figures import GAP, digit_grid, grid

    digits = np.zeros((10, 8, 8), dtype=np.float32)
    digits[3, 2, 5] = 16.0
    image = digit_grid(digits, columns=4, scale=3)
    assert image.dtype == np.uint8
    assert image.shape == (3 * 24 + 2 * GAP, 4 * 24 + 3 * GAP)
    # digit 3 sits in row 0, column 3; its pixel (2, 5) becomes a 3x3 white block
    top, left = 2 * 3, 3 * (24 + GAP) + 5 * 3
    assert (image[top : top + 3, left : left + 3] == 255).all()
    assert grid(np.zeros((2, 4, 4, 3), dtype=np.uint8), 2).shape == (4, 8 + GAP, 3)
    with pytest.raises(ValueError):
        grid(np.zeros((0, 4, 4), dtype=np.uint8), 2)
