"""Export throughput: 10,000 items per format, against text2qti converting the same bank.

The bank is 10,000 generated problems, round-robin over every family and level,
with distinct prompts (text2qti refuses duplicate questions). Our exporters
start from the `Problem` objects; text2qti starts from the equivalent quiz
text: per problem a title naming the variant, the prompt, the worked solution
as feedback and the answer (numerical when it is one number, otherwise
multiple choice between the key and the catalogued mistakes' answers, as our
"choice" style does). Generating the bank and writing the text are not timed.
Rates count CPU time of this process, so they are rates per core.
"""

from __future__ import annotations

import time
from typing import Any

from bench.common import Context, Skip, family_cells

GOAL_RATIO = 2.0
LETTERS = "abcdefghij"


def bank(size: int) -> list:
    """Return `size` problems with distinct prompts, round-robin over families and levels."""
    cells = family_cells()
    if not cells:
        raise Skip("no problem family could be loaded")
    out, prompts, seed = [], set(), 0
    while len(out) < size:
        for fam, level in cells:
            p = fam.generate(seed, level)
            if p.prompt not in prompts:
                prompts.add(p.prompt)
                out.append(p)
                if len(out) == size:
                    break
        seed += 1
    return out


def _typed(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "; ".join(" ".join(str(v) for v in row) for row in value)
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _indent(text: str, width: int) -> str:
    lines = text.split("\n")
    pad = " " * width
    return "\n".join([lines[0]] + [pad + line if line.strip() else "" for line in lines[1:]])


def text2qti_quiz(problems: list) -> str:
    """Return the text2qti quiz equivalent to `problems` (see the module docstring)."""
    from quizsvc import families
    out = ["Quiz title: quizsvc bench bank", "Quiz description: 10,000 generated problems", ""]
    for i, p in enumerate(problems, 1):
        fam = families.get(p.family)
        spec = p.answer_spec
        head = f"{i}.  "
        out.append(f"Title: {p.family}-v{p.version}-s{p.seed}-{p.level}")
        out.append(head + _indent(p.prompt, len(head)))
        out.append("... " + _indent(p.solution, 4))
        key = {f["name"]: p.answer[f["name"]] for f in spec}
        value = key[spec[0]["name"]]
        if (len(spec) == 1 and spec[0]["kind"] in ("integer", "number")
                and isinstance(value, (int, float)) and abs(value) >= 1e-4):
            out.append(f"=   {value}" if spec[0]["kind"] == "integer"
                       else f"=   {value} +- {max(0.01, 0.01 * abs(value)):.6g}")
        else:
            shown = [_typed(key) if len(spec) > 1 else _typed(value)]
            for m in fam.misconceptions:
                buggy = m.solve(p.params)
                if not buggy or len(shown) == 4:
                    continue
                wrong = {k: buggy.get(k, v) for k, v in key.items()}
                text = _typed(wrong) if len(spec) > 1 else _typed(wrong[spec[0]["name"]])
                if text not in shown:
                    shown.append(text)
            if len(shown) == 1:
                shown.append("none of the other answers")
            for j, text in enumerate(shown):
                out.append(f"{'*' if j == 0 else ''}{LETTERS[j]})  {text.replace(chr(10), ' ')}")
        out.append("")
    return "\n".join(out)


def _timed(fn) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.process_time() - c0, time.perf_counter() - w0


def run_text2qti(text: str, workdir) -> dict[str, Any]:
    """Convert `text` to a QTI zip with text2qti's own Python API; return the timings."""
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    def convert():
        quiz = Quiz(text, config=Config(), source_name="bench.txt")  # Config() reads no files
        QTI(quiz).save(workdir / "text2qti-bench.zip")
        return sum(1 for q in quiz.questions_and_delims if type(q).__name__ == "Question")

    count, cpu, wall = _timed(convert)
    return {"items": count, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
            "items_per_s": round(count / cpu, 1), "bytes": (workdir / "text2qti-bench.zip").stat().st_size}


def run(ctx: Context) -> dict[str, Any]:
    try:
        from quizsvc import exporters
    except ImportError as exc:
        raise Skip(f"quizsvc.exporters does not import yet: {exc}") from None
    size = 200 if ctx.quick else 10_000
    problems = bank(size)
    ctx.log(f"export: bank of {len(problems)} problems ready")
    rows: list[dict[str, Any]] = []
    for fmt in exporters.FORMATS:
        result, cpu, wall = _timed(lambda: exporters.export(problems, fmt, title="bench bank"))
        rows.append({"format": fmt, "items": result.count, "left_out": len(result.skipped),
                     "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                     "items_per_s": round(result.count / cpu, 1), "bytes": len(result.data)})
        ctx.log(f"export: {fmt}: {result.count} items in {cpu:.2f} s CPU")
    try:
        import text2qti  # noqa: F401
    except ImportError:
        baseline = None
        reason = "text2qti is not installed (pip install text2qti)"
    else:
        text = text2qti_quiz(problems)
        baseline = run_text2qti(text, ctx.workdir)
        reason = ""
        ctx.log(f"export: text2qti: {baseline['items']} items in {baseline['cpu_s']} s CPU")
    for r in rows:
        r["ratio_vs_text2qti"] = (round(r["items_per_s"] / baseline["items_per_s"], 2)
                                  if baseline else None)
        ctx.target(f"export: {r['format']} items/s vs text2qti", r["ratio_vs_text2qti"], GOAL_RATIO,
                   "x", note=f"{r['items_per_s']:,.0f} items/s" + (
                       f" vs {baseline['items_per_s']:,.0f}" if baseline else f"; {reason}"))
    table = [[r["format"], r["items"], r["left_out"], r["cpu_s"], r["items_per_s"],
              r["ratio_vs_text2qti"]] for r in rows]
    if baseline:
        table.append(["text2qti (QTI zip)", baseline["items"], 0, baseline["cpu_s"],
                      baseline["items_per_s"], 1.0])
    return {"bank_size": len(problems), "rows": rows, "text2qti": baseline,
            "text2qti_skipped": reason or None,
            "tables": [(f"Export of a {len(problems):,}-problem bank (CPU time, one process)",
                        ["format", "items", "left out", "CPU s", "items/s", "x text2qti"], table)]}
