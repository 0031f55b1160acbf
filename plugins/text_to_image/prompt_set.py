"""The fixed prompt set the adherence rate is measured on (the checkpoint's headline figure).

Every shape in every colour, once in Spanish and once in English, each with a position
(all nine appear) and half of them with a size: 30 prompts, 2 seeds each = 60 images.
Fixed forever, so rates from different checkpoints and runs compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from lienzo.plugins.text_to_image.vocabulary import COLOURS, POSITIONS, SHAPES, Scene, caption

SEEDS_PER_PROMPT = 2
FIRST_SEED = 1000


@dataclass(frozen=True)
class SetPrompt:
    text: str
    lang: str
    scene: Scene  # what the prompt asks for


def fixed_prompt_set() -> list[SetPrompt]:
    """30 prompts: 3 shapes x 5 colours x {es, en}, positions and sizes spread evenly."""
    prompts = []
    index = 0
    for shape in SHAPES:
        for colour in COLOURS:
            for lang in ("es", "en"):
                scene = Scene(
                    shape=shape,
                    colour=colour,
                    position=POSITIONS[(index * 4) % len(POSITIONS)],  # 4 is coprime with 9
                    size=("small", None, "large", None)[index % 4],
                )
                prompts.append(SetPrompt(caption(scene, lang, template=index % 2), lang, scene))
                index += 1
    return prompts


def expanded(seeds_per_prompt: int = SEEDS_PER_PROMPT) -> tuple[list[SetPrompt], list[int]]:
    """Each prompt repeated ``seeds_per_prompt`` times, with its fixed seeds."""
    prompts, seeds = [], []
    for number, prompt in enumerate(fixed_prompt_set()):
        for k in range(seeds_per_prompt):
            prompts.append(prompt)
            seeds.append(FIRST_SEED + number * seeds_per_prompt + k)
    return prompts, seeds
