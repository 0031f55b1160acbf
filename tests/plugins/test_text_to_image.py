"""The text-to-image model, reached the way pages and the workflow reach it: the registry."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from lienzo.plugins.text_to_image import CHECKPOINT, stable_diffusion
from lienzo.plugins.text_to_image.config import TextToImageTrainConfig
from lienzo.plugins.text_to_image.detector import adherence, detect, judge
from lienzo.plugins.text_to_image.model import PRETRAINED_STEM, ShapesTextToImage
from lienzo.plugins.text_to_image.prompt_set import expanded, fixed_prompt_set
from lienzo.plugins.text_to_image.shapes_data import draw_scene, make_dataset
from lienzo.plugins.text_to_image.vocabulary import (
    COLOURS,
    POSITIONS,
    SHAPES,
    SIZES,
    TEMPLATES,
    Scene,
    caption,
    parse_prompt,
)
from lienzo.registry import ConfigError, get, list_models
from lienzo.registry.generation import GenerationRequest, ImageGenerator

MODEL_ID = "txt2img-shapes"
# The committed checkpoint's figure is in its sidecar; a retrained one on another CPU may
# land a little lower, a broken one far lower.
ADHERENCE_FLOOR = 0.7
TINY = TextToImageTrainConfig(steps=4, batch_size=8, images=48, report_every=2, seed=3)


needs_checkpoint = pytest.mark.skipif(
    not CHECKPOINT.is_file(), reason="no trained checkpoint yet (the model is not registered)"
)


@pytest.fixture(scope="module")
def pretrained() -> ShapesTextToImage:
    if not CHECKPOINT.is_file():
        pytest.skip("no trained checkpoint yet (the model is not registered)")
    return get(MODEL_ID)


# -- registration ---------------------------------------------------------------------------


@needs_checkpoint
def test_registered_as_a_text_to_image_diffusion_model() -> None:
    spec = next(s for s in list_models(capability="text-to-image") if s.id == MODEL_ID)
    assert spec.family == "diffusion"
    assert {"text-to-image", "generate", "train", "onnx"} <= spec.capabilities
    assert spec.onnx.graphs == ("unet", "decoder")
    assert spec.default_config() == TextToImageTrainConfig()


@needs_checkpoint
def test_listing_models_does_not_import_torch_or_diffusers() -> None:
    code = (
        "import sys; import lienzo.registry as r; "
        f"assert any(s.id == {MODEL_ID!r} for s in r.list_models()); "
        "assert not {'torch', 'diffusers', 'transformers'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- data, captions and the detector ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_caption_reads_back_as_its_scene(lang: str) -> None:
    for shape in SHAPES:
        for colour in COLOURS:
            for position in POSITIONS:
                for size in SIZES:
                    scene = Scene(shape, colour, position, size)
                    for template in range(len(TEMPLATES[lang])):
                        parsed = parse_prompt(caption(scene, lang, template))
                        assert parsed.scene == scene and parsed.in_vocabulary


def test_prompts_outside_the_vocabulary_are_recognised() -> None:
    cat = parse_prompt("un gato astronauta en la luna")
    assert cat.scene.shape is None and not cat.in_vocabulary
    assert cat.unknown_words == ["gato", "astronauta", "luna"]
    odd = parse_prompt("A RED Circle with a hat")
    assert odd.scene.shape == "circle" and odd.scene.colour == "red"
    assert odd.unknown_words == ["hat"] and not odd.in_vocabulary
    assert parse_prompt("Círculo ROJO, arriba").scene == Scene("circle", "red", "top", None)


def test_data_set_is_drawn_from_its_seed() -> None:
    draw = make_dataset.__wrapped__  # skip the per-process cache
    first, again, other = draw(40, 7), draw(40, 7), draw(40, 8)
    assert first.images.shape == (40, 32, 32, 3) and first.images.dtype == np.uint8
    assert np.array_equal(first.images, again.images) and first.captions == again.captions
    assert not np.array_equal(first.images, other.images)
    assert all(len(row) == 4 for row in first.captions)
    spanish = [row[0] for row in first.captions]
    assert any(c.startswith(("un ", "una ")) for c in spanish)


@pytest.mark.slow
def test_detector_is_exact_on_the_ground_truth_images() -> None:
    data = make_dataset(1500)
    summary = adherence(list(data.images), list(data.scenes)).summary()
    assert summary["all_asked"] == 1.0, summary
    assert summary["images"] == 1500


def test_detector_says_no_to_what_is_not_there() -> None:
    red_circle = draw_scene(Scene("circle", "red", "top_left", "large"))
    verdict = judge(red_circle, Scene("square", "blue", "bottom_right", "small"))
    assert verdict.checks == {"shape": False, "colour": False, "position": False, "size": False}
    assert not verdict.all_correct and verdict.shape_and_colour is False
    blank = np.full((32, 32, 3), 245, dtype=np.uint8)
    assert detect(blank).objects == 0 and detect(blank).scene == Scene()
    assert judge(blank, Scene("circle")).checks == {"shape": False}
    black = blank.copy()
    black[10:22, 10:22] = (20, 20, 20)  # a square in a colour outside the palette
    assert detect(black).scene == Scene("square", None, "centre", "large")
    with pytest.raises(ValueError):
        detect(np.zeros((32, 32)))


def test_fixed_prompt_set_covers_every_shape_colour_and_position() -> None:
    prompts = fixed_prompt_set()
    assert len(prompts) == 30 and {p.lang for p in prompts} == {"es", "en"}
    assert {(p.scene.shape, p.scene.colour) for p in prompts} == {
        (s, c) for s in SHAPES for c in COLOURS
    }
    assert {p.scene.position for p in prompts} == set(POSITIONS)
    assert all(parse_prompt(p.text).scene == p.scene for p in prompts)
    repeated, seeds = expanded()
    assert len(repeated) == len(seeds) == 60 and len(set(seeds)) == 60


# -- the model: generation, determinism, the workflow's protocol --------------------------------


def test_pipeline_keeps_its_middle_steps(pretrained: ShapesTextToImage) -> None:
    run = pretrained.run("un círculo rojo", steps=6, snapshots=3, count=2, seed=11)
    assert run.images.shape == (2, 32, 32, 3) and run.images.dtype == np.uint8
    assert run.embedding_shape == (2, 32, 384) and run.latent_shape == (2, 4, 8, 8)
    assert run.tokens.pieces[0] == "[CLS]" and run.tokens.pieces[-1] == "[SEP]"
    assert run.timesteps[0] == 999 and len(run.timesteps) == 6
    assert [s.step for s in run.snapshots] == [0, 2, 4, 6]
    assert run.snapshots[0].predicted_image is None
    assert all(s.noisy_image.shape == (32, 32, 3) for s in run.snapshots)
    assert set(run.seconds) == {"text_encoder", "denoiser", "decoder"}
    assert run.seeds == [11, 12]
    # Padding positions after [SEP] are zeros (see MiniLMEncoder).
    assert np.all(run.embedding[len(run.tokens.pieces) :] == 0)


def test_same_seed_same_image_and_each_image_has_its_own_seed(
    pretrained: ShapesTextToImage,
) -> None:
    batch = pretrained.run("a blue square", steps=5, seed=40, count=3)
    again = pretrained.run("a blue square", steps=5, seed=40, count=3)
    alone = pretrained.run("a blue square", steps=5, seed=41, count=1)
    assert np.array_equal(batch.images, again.images)
    assert np.array_equal(batch.images[1], alone.images[0])
    assert not np.array_equal(batch.images[0], batch.images[1])


@pytest.mark.parametrize(
    "options",
    [{"steps": 0}, {"guidance": -1.0}, {"guidance": float("nan")}, {"sampler": "magic"},
     {"count": 0}],
)  # fmt: skip
def test_bad_settings_get_a_message_in_both_languages(
    pretrained: ShapesTextToImage, options: dict
) -> None:
    with pytest.raises(ConfigError) as caught:
        pretrained.run("a red circle", **options)
    assert caught.value.messages["es"] and caught.value.messages["en"]


def test_generate_through_a_generation_request(pretrained: ShapesTextToImage) -> None:
    assert isinstance(pretrained, ImageGenerator)
    assert {"prompt", "negative_prompt", "seed", "count"} <= pretrained.supported_fields
    request = GenerationRequest(
        prompt="un triángulo verde abajo",
        negative_prompt="rojo",
        seed=7,
        count=2,
        size="1024x1024",
        extras={"steps": 5, "guidance_scale": 3.0, "lora": "x"},
    )
    seen: list[float] = []
    result = pretrained.generate(request, progress=lambda fraction, status: seen.append(fraction))
    assert result.provider == MODEL_ID and result.cost_estimate_usd == 0.0
    assert result.unsupported_fields == ["size", "extras.lora"]
    assert [image.seed for image in result.images] == [7, 8]
    assert seen and seen[-1] == 1.0
    for image in result.images:
        assert image.format == "png"
        decoded = Image.open(io.BytesIO(image.data))
        assert decoded.size == (32, 32) and decoded.mode == "RGB"
    single = pretrained.generate(dataclasses.replace(request, seed=8, count=1))
    assert single.images[0].data == result.images[1].data  # a variant is reproducible alone
    with pytest.raises(ValueError):
        pretrained.generate(GenerationRequest(prompt="   "))
    with pytest.raises(ValueError):
        pretrained.generate(GenerationRequest(prompt="a circle", count=0))


# -- training ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_few_steps_on_tiny_data_are_deterministic_and_leave_the_shared_model_alone(
    pretrained: ShapesTextToImage,
) -> None:
    before = pretrained.state_dict()
    first, second = get(MODEL_ID), get(MODEL_ID)  # fresh objects, as the page makes them
    assert first is not pretrained
    seen = []
    result = first.train(dataclasses.replace(TINY, from_scratch=True), progress=seen.append)
    second.train(dataclasses.replace(TINY, from_scratch=True))
    assert result.steps == 4 and [p.epoch for p in seen] == [1, 2] and seen == result.history
    assert all(np.isfinite(p.loss) for p in result.history) and not result.diverged
    assert first.checkpoint_info is None
    one, two = first.state_dict(), second.state_dict()
    assert all(torch.equal(one[k], two[k]) for k in one)  # same seed, same weights
    after = pretrained.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    # "Train more" continues from the current weights instead of starting again.
    more = first.train(dataclasses.replace(TINY, steps=2))
    assert more.steps == 2
    assert any(not torch.equal(first.state_dict()[k], one[k]) for k in one)


@pytest.mark.slow
def test_training_stops_when_asked() -> None:
    import threading

    model = ShapesTextToImage()
    stop = threading.Event()
    stop.set()
    result = model.train(TINY, stop=stop)
    assert result.stopped_early and result.steps == 0


def test_out_of_bounds_training_settings_are_refused() -> None:
    with pytest.raises(ConfigError):
        ShapesTextToImage().train(dataclasses.replace(TINY, learning_rate=5.0))


# -- the committed checkpoint, ONNX and benchmark -------------------------------------------


@pytest.mark.slow
def test_pretrained_checkpoint_reaches_its_recorded_adherence(
    pretrained: ShapesTextToImage,
) -> None:
    sidecar = json.loads(PRETRAINED_STEM.with_suffix(".json").read_text("utf-8"))
    recorded = sidecar["metrics"]["adherence"]["shape_and_colour"]
    assert recorded >= ADHERENCE_FLOOR
    measured = pretrained.evaluate().report.summary()["shape_and_colour"]
    assert abs(measured - recorded) <= 0.05, (measured, recorded)
    size = sum(p.stat().st_size for p in PRETRAINED_STEM.parent.iterdir())
    assert size < 5 * 1024 * 1024


@pytest.mark.slow
def test_onnx_export_of_the_unet_and_decoder_validates(
    pretrained: ShapesTextToImage, tmp_path: Path
) -> None:
    from lienzo.registry import export_onnx

    report = export_onnx(pretrained, tmp_path, validation_batches=(1, 3))
    problems = {graph.name: graph.problems for graph in report.graphs}
    assert report.passed, problems
    assert {graph.name for graph in report.graphs} == {"unet", "decoder"}
    assert all(graph.max_abs_diff < 1e-3 for graph in report.graphs)


@pytest.mark.slow
@needs_checkpoint
def test_benchmark_figures() -> None:
    from lienzo.plugins.text_to_image.bench import measure_text_to_image

    figures = measure_text_to_image(repeats=1, every_scene=False)
    rate = figures["txt2img: adherence, shape and colour (60 images)"]
    assert 0.0 <= rate <= 1.0
    assert figures["txt2img: seconds per image (one image, 25 DDIM steps)"] > 0


# -- a real Stable Diffusion folder, made tiny ------------------------------------------------


def tiny_stable_diffusion(folder: Path) -> Path:
    """A randomly initialised StableDiffusionPipeline saved in diffusers format (no hub)."""
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    vocab.update({ch: len(vocab) + i for i, ch in enumerate(letters)})
    vocab.update({ch + "</w>": len(vocab) + i for i, ch in enumerate(letters)})
    (folder / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", "utf-8")  # no merges: letters
    tokenizer = CLIPTokenizer(
        vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"), model_max_length=16
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=len(vocab),
            max_position_embeddings=16,
        )
    )
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=4,
        attention_head_dim=2,
    )
    vae = AutoencoderKL(
        block_out_channels=[8, 16],
        down_block_types=["DownEncoderBlock2D"] * 2,
        up_block_types=["UpDecoderBlock2D"] * 2,
        latent_channels=4,
        norm_num_groups=4,
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipeline = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    out = folder / "tiny-sd"
    pipeline.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def sd_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_stable_diffusion(tmp_path_factory.mktemp("sd"))


def test_a_stable_diffusion_folder_runs_through_the_same_pipeline(
    sd_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pipeline = stable_diffusion.load_stable_diffusion(sd_folder)
    assert pipeline.encoder.name.startswith("CLIP") and pipeline.image_side == 16
    run = pipeline.run("a red circle", negative_prompt="blue", steps=3, snapshots=2, count=2)
    assert run.images.shape == (2, 16, 16, 3) and run.embedding_shape == (2, 16, 32)
    assert run.tokens.pieces[:2] == ["<|startoftext|>", "a</w>"]
    assert [s.step for s in run.snapshots] == [0, 2, 3] and run.flagged == [False, False]
    again = pipeline.run("a red circle", negative_prompt="blue", steps=3, count=2)
    assert np.array_equal(run.images, again.images)
    for sampler in ("ddpm", "dpm_solver"):
        assert pipeline.run("a circle", steps=2, sampler=sampler).images.shape == (1, 16, 16, 3)


def test_bad_stable_diffusion_folders_get_clear_messages(sd_folder: Path, tmp_path: Path) -> None:
    def message(path) -> str:
        with pytest.raises(stable_diffusion.StableDiffusionFolderError) as caught:
            stable_diffusion.load_stable_diffusion(path)
        assert caught.value.messages["es"]
        return caught.value.messages["en"]

    assert "Type the path" in message("  ")
    assert "does not exist" in message(tmp_path / "nope")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    assert "is a file" in message(tmp_path / "model.safetensors")
    assert "no model_index.json" in message(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text(
        (sd_folder / "model_index.json").read_text("utf-8"), "utf-8"
    )
    assert "unet, vae, text_encoder, tokenizer, scheduler" in message(broken)
    (broken / "model_index.json").write_text("{not json", "utf-8")
    assert "cannot be read" in message(broken)


def test_local_stable_diffusion_needs_the_teachers_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(stable_diffusion.ALLOW_ENV, raising=False)
    assert not stable_diffusion.allowed()
    assert stable_diffusion.allowed({stable_diffusion.ALLOW_ENV: "1"})
    monkeypatch.setenv(stable_diffusion.ALLOW_ENV, "yes")
    assert stable_diffusion.allowed()
    monkeypatch.setenv(stable_diffusion.ALLOW_ENV, "0")
    assert not stable_diffusion.allowed({stable_diffusion.ALLOW_ENV: "1"})
