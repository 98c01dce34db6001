"""PDF papers: every mode for a bank of every family, typeset math, version codes and their QR codes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
import typst
from click.testing import CliRunner

from quizsvc import families
from quizsvc.cli import main
from quizsvc.exporters import Options, Paper, build_items, export
from quizsvc.exporters import pdf as pdf_format
from quizsvc.exporters import texmath, typeset
from quizsvc.exporters.markup import plain_number
from tests.conftest import SECRET
from tests.exporters.helpers import REPO, available_families, entries

BUILD = REPO / "build" / "pdf"
RAW_LATEX = re.compile(r"\\[A-Za-z]+|\$|\\\\")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
TITLE = "Midterm: CNN shapes & <strides>"


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _pages(data: bytes) -> list[str]:
    # Typst writes a minus as U+2212 and math letters in the mathematical italic block.
    return [page.extract_text().replace("\u2212", "-") for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _papers_text(data: bytes) -> list[tuple[str, str]]:
    """Return (version code, text) of each paper of a PDF: a paper starts at its cover page."""
    out: list[tuple[str, list[str]]] = []
    for text in _pages(data):
        m = re.search(r"Version code: (\S+)", text)
        if m:
            out.append((m.group(1), []))
        out[-1][1].append(text)
    return [(code, "\n".join(texts)) for code, texts in out]


def _problems_text(paper_text: str) -> list[str]:
    return re.split(r"Problem \d+ 1 point", paper_text)[1:]


def _check_paper(text: str, problems, key: bool) -> None:
    """Each problem's section shows every number of its prompt (and of its key), no raw LaTeX."""
    bad = RAW_LATEX.search(text)
    assert not bad, text[max(0, bad.start() - 300):bad.end() + 100]
    sections = _problems_text(text)
    assert len(sections) == len(problems)
    for p, section in zip(problems, sections):
        missing = _numbers(p.prompt) - _numbers(section)
        assert not missing, f"{p.family} seed {p.seed}: numbers {missing} not printed"
        if key:
            values = [v for v in entries(p.answer_spec, p.answer) if not isinstance(v, (str, list))]
            shown = _numbers(section)
            assert all(NUMBER.search(plain_number(abs(v))).group(0) in shown for v in values), p.family
            assert "Worked solution." in section
        else:
            assert "Worked solution." not in section
            for f in p.answer_spec:  # the key is nowhere on a student's paper
                value = p.answer[f["name"]]
                if (f["kind"] in ("integer", "number") and abs(value) >= 1000
                        and plain_number(value) not in p.prompt):
                    assert plain_number(value) not in section.replace(",", ""), p.family


def _save_pngs(name: str, problems_by_paper, mode: str, pages: int) -> list[bytes]:
    """Render the same document as PNG pages under build/pdf/ for people to look at."""
    options = Options(title=TITLE, mode=mode,
                      papers=[Paper(code, build_items(ps)[0], student) for code, student, ps in problems_by_paper])
    pngs = pdf_format.preview([], options, ppi=90)
    assert len(pngs) == pages, "the preview has the PDF's layout"
    BUILD.mkdir(parents=True, exist_ok=True)
    for i, png in enumerate(pngs[:6]):
        (BUILD / f"{name}-{i + 1}.png").write_bytes(png)
    return pngs


def _qr(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


# -- LaTeX to Typst --------------------------------------------------------------
def test_every_formula_of_every_family_level_and_seed_converts_and_compiles():
    formulas = set()
    for name in available_families():
        fam = families.get(name)
        for level in fam.levels:
            for seed in range(12):
                p = fam.generate(seed, level)
                for text in (p.prompt, p.solution):
                    formulas |= {m.group(1) or m.group(2) for m in MATH.finditer(text)}
    assert len(formulas) > 500
    converted = {tex: typeset.math(tex) for tex in formulas}
    for tex, out in converted.items():
        assert not re.search(r"\\[A-Za-z]", out), (tex, out)  # no LaTeX command left
        assert _numbers(tex) <= _numbers(out), (tex, out)
    # Typst refuses unknown names and bad syntax: the whole set must compile (text is checked
    # on the papers below; reading back thousands of formulas would take a minute).
    source = pdf_format.PREAMBLE + "\n\n".join(f"${out}$" for out in converted.values())
    assert typst.compile(source.encode(), format="pdf")[:5] == b"%PDF-"


@pytest.mark.parametrize("tex,typst_math", [
    (r"\frac{a}{b}", "frac(a, b)"), (r"\left\lfloor x/2 \right\rfloor", r"⌊ x \/ 2 ⌋"),
    (r"x \odot m", "x dot.o m"), (r"\gamma\Big(a - b\Big)", "gamma ( a - b )"),
    (r"\begin{bmatrix} 1 & -2 \\ 0 & 3 \end{bmatrix}", 'mat(delim: "[", 1 , - 2 ; 0 , 3)'),
    (r"n_{out} = \text{output\_padding} + \sigma^2", 'n_(o u t) = "output_padding" + sigma^(2)'),
    (r"\frac{\partial L}{\partial x_i}, \sqrt{\sigma^2 + \epsilon}",
     r"frac(partial L, partial x_(i)) \, sqrt(sigma^(2) + epsilon.alt)"),
    (r"k[a, b]\, x \cdot y \times z \dots \implies \hat x", r"k [ a \, b ] thin x dot.op y times z dots.h ==> hat(x)"),
])
def test_the_constructs_the_families_emit(tex, typst_math):
    assert typeset.math(tex) == typst_math


@pytest.mark.parametrize("tex", [r"\mathcal{L}", r"\begin{array}{cc} 1 \end{array}", r"\frac{1}{2"])
def test_unknown_latex_is_an_error_not_raw_text(tex):
    with pytest.raises(texmath.TexError):
        texmath.convert(tex)


def test_text_that_typst_reads_as_syntax_is_escaped():
    hard = "a*b_c `x` $5 #x <l> @ref [c] ~ // not a comment /* nor this */ = - + 'q' \"q\" \\"
    source = f"#set page(width: 30cm)\n{typeset.text(hard)}"
    (page,) = _pages(typst.compile(source.encode(), format="pdf"))
    assert page.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace(
        "\u2018", "'").strip() == hard


# -- papers of a stored bank -------------------------------------------------------
@pytest.fixture
def every_family_bank(client, instructor, make_account):
    items = [{"family": n, "level": families.get(n).levels[min(1, len(families.get(n).levels) - 1)],
              "count": 1} for n in available_families()]
    r = client.post("/api/v1/banks", json={"title": TITLE, "items": items}, headers=instructor.headers)
    assert r.status_code == 201, r.json
    bank = r.json
    students = [make_account("student", name="Ada Lovelace"), make_account("student", name="Alan Turing")]
    for s in students:  # banks belong to a course: its students are enrolled first
        r = client.post(f"/api/v1/courses/{bank['course_id']}/enrollments", json={"email": s.email},
                        headers=instructor.headers)
        assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/banks/{bank['id']}/assign", json={"user_ids": [s.id for s in students]},
                    headers=instructor.headers)
    assert r.status_code == 200, r.json
    return bank, students


def _get(client, who, bank_id, **query):
    return client.get(f"/api/v1/banks/{bank_id}/export", query_string={"format": "pdf", **query},
                      headers=who.headers)


def _bank_papers(app, bank_id, mode):
    from quizsvc.extensions import db
    from quizsvc.services import papers
    from quizsvc.services.exports import load_bank

    with app.app_context():
        return [p.as_tuple() for p in papers.bank_papers(db.session, load_bank(db.session, bank_id),
                                                         SECRET, mode)]


def test_worksheet_and_its_key(app, client, instructor, every_family_bank):
    bank, _ = every_family_bank
    (paper,) = _bank_papers(app, bank["id"], "worksheet")
    code, _, problems = paper
    for mode, key in (("worksheet", False), ("key", True)):
        r = _get(client, instructor, bank["id"], mode=mode)
        assert r.status_code == 200 and r.mimetype == "application/pdf", r.data[:300]
        assert int(r.headers["X-Quizsvc-Items"]) == len(problems) == len(available_families())
        ((printed_code, text),) = _papers_text(r.data)
        assert printed_code == code and re.fullmatch(rf"{bank['id']}-0-[A-Z2-7]{{6}}", code)
        assert "Worksheet" in text or key
        _check_paper(text, problems, key)
        pages = _pages(r.data)
        assert all(f"Page {i + 1} of {len(pages)}" in t for i, t in enumerate(pages))
        pngs = _save_pngs(mode, [paper], mode, len(pages))
        assert _qr(pngs[0]) == [code]


def test_exam_a_version_per_student_in_one_pdf_or_one_each(app, client, instructor, every_family_bank):
    bank, students = every_family_bank
    papers = _bank_papers(app, bank["id"], "exam")
    assert [student for _, student, _ in papers] == ["Ada Lovelace", "Alan Turing"]
    assert papers[0][2] != papers[1][2], "each student has their own variants"
    r = _get(client, instructor, bank["id"], mode="exam")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    printed = _papers_text(r.data)
    assert [c for c, _ in printed] == [c for c, _, _ in papers]
    for (code, text), (_, student, problems) in zip(printed, papers):
        assert student in text
        _check_paper(text, problems, key=False)
    pages = _pages(r.data)
    assert "Page 1 of" in pages[0] and sum("Page 1 of" in t for t in pages) == 2, "numbered per paper"
    pngs = _save_pngs("exam", papers, "exam", len(pages))
    covers = [i for i, t in enumerate(pages) if "Version code:" in t]
    assert [_qr(pngs[i]) for i in covers] == [[c] for c, _, _ in papers]

    r = _get(client, instructor, bank["id"], mode="exam", split="true")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        names = zf.namelist()
        assert names == [f"{s.replace(' ', '-')}-{c}.pdf" for c, s, _ in papers]
        for name, (code, _, problems) in zip(names, papers):
            ((one_code, text),) = _papers_text(zf.read(name))
            assert one_code == code
            _check_paper(text, problems, key=False)


def test_exam_key_and_the_qr_code_gives_back_the_same_key(app, client, instructor, every_family_bank,
                                                         database_url, monkeypatch, tmp_path):
    bank, _ = every_family_bank
    papers = _bank_papers(app, bank["id"], "exam")
    r = _get(client, instructor, bank["id"], mode="exam-key")
    assert r.status_code == 200
    keys = _papers_text(r.data)
    for (code, text), (_, _, problems) in zip(keys, papers, strict=True):
        _check_paper(text, problems, key=True)
    _save_pngs("exam-key", papers, "exam-key", len(_pages(r.data)))
    # The second student's exam paper: its QR code, read off its cover, is its key's code.
    cover = pdf_format.preview([], Options(title=TITLE, mode="exam", papers=[
        Paper(c, build_items(ps)[0], s) for c, s, ps in papers[1:]]), ppi=110)[0]
    (code,) = _qr(cover)
    assert code == papers[1][0]
    # REST: the staff route turns the code into the very key the exam key printed for that paper
    # (split, each paper is a PDF of its own: byte for byte the same document).
    got = client.get(f"/api/v1/banks/papers/{code}/key", headers=instructor.headers)
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    split = _get(client, instructor, bank["id"], mode="exam-key", split="1")
    with zipfile.ZipFile(io.BytesIO(split.data)) as zf:
        assert got.data == zf.read(zf.namelist()[1])
    assert _papers_text(got.data)[0][0] == code
    # CLI: quizsvc key CODE writes the same key, and lists it as text without -o.
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", SECRET)
    out = tmp_path / "key.pdf"
    result = CliRunner().invoke(main, ["key", code, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == got.data, "the same paper, the same bytes"
    listing = CliRunner().invoke(main, ["key", code.lower()], catch_exceptions=False)
    assert listing.exit_code == 0 and "Alan Turing" in listing.output
    for n, p in enumerate(papers[1][2], 1):
        assert f"{n:>3}. [{p.family} {p.level} seed {p.seed}]" in listing.output


def test_codes_that_name_no_paper_are_refused(client, instructor, other_instructor, student,
                                              every_family_bank, database_url, monkeypatch):
    bank, _ = every_family_bank
    code = _papers_text(_get(client, instructor, bank["id"], mode="worksheet").data)[0][0]
    assert client.get(f"/api/v1/banks/papers/{code}/key", headers=other_instructor.headers).status_code == 404  # another course: as if it did not exist
    assert client.get(f"/api/v1/banks/papers/{code}/key", headers=student.headers).status_code == 403
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for bad, status in ((forged, 404), ("nonsense", 404), (f"999-0-{code[-6:]}", 404)):
        r = client.get(f"/api/v1/banks/papers/{bad}/key", headers=instructor.headers)
        assert r.status_code == status and r.json["message"], bad
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", SECRET)
    result = CliRunner().invoke(main, ["key", forged])
    assert result.exit_code == 2 and "does not match" in result.output and "Traceback" not in result.output


def test_an_exam_needs_assigned_students(client, instructor):
    r = client.post("/api/v1/banks", json={"title": "t", "items": [{"family": "conv_param_count"}]},
                    headers=instructor.headers)
    got = _get(client, instructor, r.json["id"], mode="exam")
    assert got.status_code == 422 and "assign" in got.json["message"]


# -- ad-hoc papers from the CLI ------------------------------------------------------
def test_cli_worksheet_of_families(tmp_path):
    out = tmp_path / "w.pdf"
    result = CliRunner().invoke(main, ["export", "--format", "pdf", "--family", "conv_forward",
                                       "--family", "transpose_conv", "--count", "2", "--level",
                                       "hard", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and "wrote 4 items" in result.output
    ((code, text),) = _papers_text(out.read_bytes())
    assert code.startswith("X-")
    problems = [families.get(n).generate(s, "hard") for n in ("conv_forward", "transpose_conv")
                for s in (0, 1)]
    _check_paper(text, problems, key=False)
    refused = CliRunner().invoke(main, ["export", "--format", "pdf", "--family", "conv_forward",
                                        "--mode", "exam", "-o", str(out)])
    assert refused.exit_code == 2 and "--bank" in refused.output


def _red(png: bytes) -> int:
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return int(((rgb[:, 0] > 240) & (rgb[:, 1] < 20) & (rgb[:, 2] < 20)).sum())


def test_figures_are_drawn_on_the_paper(hard):
    from quizsvc.families.problem import Figure

    red = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
           '<rect x="0" y="0" width="200" height="100" fill="#ff0000"/></svg>')
    p = hard[0]
    p.figures = [Figure("grid.svg", red, "A red rectangle"), Figure("bad.svg", "<svg", "broken")]
    result = export([p], "pdf", title="figures")
    assert any("bad.svg is not valid SVG" in n for n in result.notes)
    page2 = pdf_format.preview(build_items([p])[0], Options(title="figures"), ppi=40)[1]
    without = pdf_format.preview(build_items([hard[1]])[0], Options(title="figures"), ppi=40)[1]
    assert _red(page2) > 500 and _red(without) == 0
    Path(BUILD).mkdir(parents=True, exist_ok=True)
    (BUILD / "figure.png").write_bytes(page2)


def _concept_with_math_choices() -> tuple[int, str]:
    """Return (seed, level) of a single-answer concept question whose options hold $math$."""
    fam = families.get("concepts")
    for seed in range(400):
        p = fam.generate(seed, "hard")
        (spec, *rest) = p.answer_spec
        if not rest and any("$" in c for c in spec["choices"]):
            return seed, "hard"
    raise AssertionError("no concept question with math in its options")


def test_a_key_of_symbolic_and_concept_questions_builds():
    """Expression keys print as typed; concept options with $math$ are typeset, not raw LaTeX."""
    sym = families.get("first_last_symbolic")
    problems = [sym.generate(0, "easy"), sym.generate(1, "hard")]
    seed, level = _concept_with_math_choices()
    problems.append(families.get("concepts").generate(seed, level))
    multiple = next(p for p in (families.get("concepts").generate(s, "medium") for s in range(200))
                    if len(p.answer_spec) > 1)
    problems.append(multiple)
    for mode, key in (("key", True), ("worksheet", False)):
        result = export(problems, "pdf", title="Symbols and concepts", mode=mode)
        assert not result.skipped and result.count == len(problems)
        ((_, text),) = _papers_text(result.data)
        assert not RAW_LATEX.search(text), text[:2000]
        flat = re.sub(r"\s+", "", text)
        for p in problems[:2]:  # the two expression keys, as a student types them
            for name in ("first", "last"):
                assert (re.sub(r"\s+", "", p.answer[name]) in flat) is key, (mode, p.answer[name])
        # The concept question's options are printed with their formulas' numbers.
        options = problems[2].answer_spec[0]["choices"]
        assert all(n in text for c in options for n in _numbers(c)), options
