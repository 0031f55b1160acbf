"""Every hook is documented: a hook without a docstring fails this test."""

from lienzo.registry.hookspecs import LienzoHookSpecs, hook_names


def test_every_hook_has_documentation() -> None:
    names = hook_names()
    assert {"lienzo_register_models", "lienzo_register_pages"} <= set(names)
    for name in names:
        doc = getattr(LienzoHookSpecs, name).__doc__ or ""
        assert len(doc.split()) >= 15, f"hook {name} needs documentation"
