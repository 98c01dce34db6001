"""Rendering: every family's prompts and solutions leave no raw LaTeX or Markdown; hostile text is harmless."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from quizsvc import families
from quizsvc.render import render_inline, render_markdown, render_math

SEEDS = range(50)
RAW = ("$", "\\begin", "\\end", "`", "**", "\\frac", "\\text")


class _Reader(HTMLParser):
    """Collect the text nodes and the (tag, attributes) of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.prose: list[str] = []  # text outside <code>
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._code += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self._code -= tag == "code"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if not self._code:
            self.prose.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def tag_names(html: str) -> set[str]:
    return {t for t, _ in read(html).tags}


@pytest.mark.parametrize("name", families.names())
def test_every_variant_renders_without_raw_markup(name: str) -> None:
    family = families.get(name)
    for level in family.levels:
        for seed in SEEDS:
            problem = family.generate(seed, level)
            for part, source in (("prompt", problem.prompt), ("solution", problem.solution)):
                html = str(render_markdown(source))
                reader = read(html)
                text = "".join(reader.text)
                left = [r for r in RAW if r in text]
                assert not left, f"{name} {level} seed {seed} {part}: {left} left in {text!r}"
                # No LaTeX command latex2mathml passed through as an identifier (e.g. <mi>\foo</mi>).
                commands = re.findall(r"\\[A-Za-z]+", "".join(reader.prose))
                assert not commands, f"{name} {level} seed {seed} {part}: {commands}"
                assert "math-error" not in html, f"{name} {level} seed {seed} {part}: unreadable math"
                if "$" in source:
                    assert "math" in tag_names(html)


def test_matrices_fractions_and_scripts_are_mathml() -> None:
    html = str(render_markdown(
        r"$$k = \begin{bmatrix} 1 & -2 \\ 3 & 4 \end{bmatrix}$$ and "
        r"$\begin{pmatrix} a \\ b \end{pmatrix}$, $\frac{a}{b}$, $x_{i}^{2}$, $C_{out}$, $x^T$"))
    names = tag_names(html)
    assert {"mtable", "mtr", "mtd", "mfrac", "msubsup", "msub", "msup"} <= names
    reader = read(html)
    rows = [t for t, _ in reader.tags if t == "mtr"]
    assert len(rows) == 4  # two rows of the bmatrix, two of the pmatrix


def test_bmatrix_keeps_its_rows_and_entries() -> None:
    reader = read(str(render_math(r"\begin{bmatrix} 1 & -2 & 0 \\ 3 & 4 & 5 \end{bmatrix}")))
    assert [t for t, _ in reader.tags].count("mtr") == 2
    assert [t for t, _ in reader.tags].count("mtd") == 6
    assert "".join(reader.text).replace("\u2212", "-") == "[1-20345]"


def test_display_and_inline_math() -> None:
    block = read(str(render_markdown("$$x = 1$$")))
    inline = read(str(render_markdown("a $x = 1$ b")))
    assert ("math", {"xmlns": "http://www.w3.org/1998/Math/MathML", "display": "block"}) in block.tags
    assert ("math", {"xmlns": "http://www.w3.org/1998/Math/MathML", "display": "inline"}) in inline.tags


@pytest.mark.parametrize("tex, symbol", [
    (r"\partial L/\partial x", "\u2202"), (r"\sum_j g_j", "\u2211"), (r"a \times b", "\u00d7"),
    (r"a \cdot b", "\u00b7"), (r"\left\lfloor x \right\rfloor", "\u230a"),
    (r"\sqrt{\sigma^2 + \epsilon}", "\u03c3"), (r"\hat x", "^"), (r"a \implies b", "\u27f9"),
])
def test_symbols_the_families_use(tex: str, symbol: str) -> None:
    assert symbol in "".join(read(str(render_math(tex))).text)


def test_text_escapes_are_resolved_and_escaped() -> None:
    reader = read(str(render_math(r"\text{output\_padding} + \text{a<b & c}")))
    assert "output_padding" in "".join(reader.text)
    assert "a<b\u00a0&\u00a0c" in "".join(reader.text)
    assert {t for t, _ in reader.tags} <= {"math", "mrow", "mtext", "mo"}


def test_markdown_code_emphasis_and_tables() -> None:
    html = str(render_markdown("`nn.Conv2d(1, 2)` is **unpadded**, *really*\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    names = tag_names(html)
    assert {"code", "strong", "em", "table", "th", "td"} <= names
    assert "`" not in "".join(read(html).text)


def test_inline_has_no_paragraph() -> None:
    assert "p" not in tag_names(str(render_inline("a **b** $c$")))


@pytest.mark.parametrize("tex", [r"\frac{1}{", r"x^", r"\left( x", r"\begin{bmatrix} 1"])
def test_unreadable_math_is_shown_as_its_source(tex: str) -> None:
    reader = read(str(render_markdown(f"before ${tex}$ after")))
    assert ("span", {"class": "math-error"}) in reader.tags
    assert "".join(reader.text).strip() == f"before {tex} after"


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<p style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</p>",
    r"$\href{javascript:alert(1)}{x}$",
    r"$\text{<script>alert(1)</script>}$",
    r"$\text{<img src=x onerror=alert(1)>}$",
    "<math><mi href=\"javascript:alert(1)\">x</mi><maction actiontype=\"statusline\">y</maction></math>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"https://example.org\"></iframe>",
    "<style>body{display:none}</style>",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("render", [render_markdown, render_inline])
def test_hostile_text_is_sanitised(text: str, render) -> None:
    reader = read(str(render(text)))
    for tag, attrs in reader.tags:
        assert tag not in {"script", "img", "iframe", "style", "svg", "maction"}
        for attr, value in attrs.items():
            assert not attr.startswith("on")
            assert attr not in {"style", "src", "srcdoc"}
            if attr == "href":
                assert tag == "a" and not (value or "").lower().startswith("javascript")


def test_links_keep_safe_schemes_only() -> None:
    reader = read(str(render_markdown("[docs](https://pytorch.org/docs) [bad](data:text/html,x)")))
    hrefs = [a.get("href") for t, a in reader.tags if t == "a"]
    assert hrefs == ["https://pytorch.org/docs"]


def test_rendering_is_cached() -> None:
    text = "a fresh text $x^2$ for the cache test"
    assert render_markdown(text) is render_markdown(text)


def test_each_matrix_keeps_its_brackets_to_itself() -> None:
    """Brackets stretch to their mrow: a small matrix beside a tall one must get its own mrow."""
    html = str(render_math(r"x = \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}, "
                           r"k = \begin{pmatrix} 4 & 5 \end{pmatrix}^T"))
    assert html.count("<mrow><mo>[</mo><mtable>") == 1
    assert html.count("<mrow><mo>(</mo><mtable>") == 1
    assert "<msup><mrow><mo>(</mo><mtable>" in html  # the transpose applies to the whole matrix


def test_the_command_check_would_catch_an_unknown_command() -> None:
    """Positive control for the family test: an unknown command reaches the text as itself."""
    reader = read(str(render_markdown(r"$\notacommand{x}$ and `\code`")))
    (found,) = re.findall(r"\\[A-Za-z]+", "".join(reader.prose))
    assert found.startswith(r"\notacommand")
