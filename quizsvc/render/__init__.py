"""Markdown with $...$ and $$...$$ math to safe HTML, the math as MathML.

One module for the API, the pages and the exports: a prompt or worked solution
is rendered on the server, so reading a problem needs no JavaScript and no CDN,
and screen readers read the MathML. Raw HTML in the source is never passed
through (it shows as text), and the output goes through an allow-list sanitiser
(nh3) whatever produced it, so even a hostile prompt yields harmless markup.

    >>> render_inline("$x_1$ is **bold**")  # doctest: +ELLIPSIS
    Markup('<math ...><mrow><msub><mi>x</mi><mn>1</mn></msub></mrow></math> is <strong>bold</strong>')
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from quizsvc.render.math import to_mathml
from quizsvc.render.sanitize import clean

CACHE_SIZE = 4096  # distinct texts kept rendered (~2.4k chars each with its HTML: ~10-20 MB at most)


# Distinct formulas kept converted: a variant's text misses the text cache, but about half of
# its formulas (symbols, shapes, the formulas of a family's solution) appeared in other variants.
FORMULA_CACHE_SIZE = 16384


@functools.lru_cache(maxsize=FORMULA_CACHE_SIZE)
def _math(tex: str, display: bool) -> str:
    """Return `tex` as MathML, or the source marked as unreadable math when it cannot be read."""
    try:
        return to_mathml(tex, display=display)
    except Exception:  # noqa: BLE001 (latex2mathml raises many types; a bad formula must not break a page)
        return f'<span class="math-error"><code>{html.escape(tex)}</code></span>'


def _inline_math(self: RendererHTML, tokens: Sequence[Any], idx: int, options: Any,
                 env: Any) -> str:
    return _math(tokens[idx].content, display=False)


def _display_math(self: RendererHTML, tokens: Sequence[Any], idx: int, options: Any,
                  env: Any) -> str:
    return _math(tokens[idx].content, display=True)


def _block_math(self: RendererHTML, tokens: Sequence[Any], idx: int, options: Any,
                env: Any) -> str:
    return _math(tokens[idx].content, display=True) + "\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    # double_inline: "**Output:** $$...$$" in the middle of a line is display math too.
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.add_render_rule("math_inline", _inline_math)
    md.add_render_rule("math_inline_double", _display_math)
    md.add_render_rule("math_block", _block_math)
    md.add_render_rule("math_block_label", _block_math)
    return md


_MD = _parser()


@functools.lru_cache(maxsize=CACHE_SIZE)
def render_markdown(text: str) -> Markup:
    """Return Markdown `text` (math as $...$ / $$...$$) as sanitised HTML with MathML."""
    return Markup(clean(_MD.render(text or "")))


@functools.lru_cache(maxsize=CACHE_SIZE)
def render_inline(text: str) -> Markup:
    """Return one line of Markdown (a label, a feedback line) as sanitised HTML, no paragraph."""
    return Markup(clean(_MD.renderInline(text or "")))


def render_math(tex: str, *, display: bool = False) -> Markup:
    """Return one LaTeX formula (no dollars) as sanitised MathML."""
    return Markup(clean(_math(tex, display)))


from quizsvc.render.values import render_value, value_size, value_text

__all__ = ["CACHE_SIZE", "render_inline", "render_markdown", "render_math", "render_value",
           "value_size", "value_text"]
