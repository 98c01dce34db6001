"""Render results as plain-text tables (the same text goes into bench/RESULTS.md)."""

from __future__ import annotations

from typing import Any


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """Return a Markdown table whose columns line up in a terminal too."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _machine(m: dict[str, Any]) -> str:
    return (f"{m['date']} on {m['cpu_model']}, {m['usable_cores']} cores, {m['memory_gib']} GiB; "
            f"Python {m['python']}, NumPy {m['numpy']}, PostgreSQL {m['postgres'] or 'n/a'}, "
            f"SQLite {m['sqlite']}; load average {m['load_average_at_start']} at start, "
            f"{m.get('load_average_at_end', '?')} at end; commit {m['git_commit']}")


def headline(results: dict[str, Any]) -> str | None:
    """Return the one-line headline: grading throughput and p99 against the floor's."""
    api = results["sections"].get("api", {})
    for backend in ("postgresql", "sqlite"):
        res = api.get("backends", {}).get(backend)
        if res and "floor" in res:
            return (f"Headline ({backend}): POST /attempts does {res['attempts']['requests_per_s']:,.0f}"
                    f" req/s = {res['ratio_attempts_to_floor']:.2f} x the floor's "
                    f"{res['floor']['requests_per_s']:,.0f} req/s (the same SQL and grader on bare "
                    f"Flask), p99 {res['attempts']['p99_ms']} ms = "
                    f"{res['p99_attempts_over_floor']:.2f} x the floor's {res['floor']['p99_ms']} ms,"
                    f" at {api['connections']} connections.")
    return None


def render(results: dict[str, Any]) -> str:
    """Return every section's table, then the targets."""
    out = [f"Machine: {_machine(results['machine'])} ({results['mode']} run, "
           f"{results.get('total_seconds', '?')} s)"]
    m = results["machine"]
    if max(m["load_average_at_start"][0], (m.get("load_average_at_end") or [0])[0]) > 1:
        out.append("\nNote: other processes were using this machine during the run (load average "
                   "above 1): elapsed-time figures are lower than on an idle machine; the CPU-time "
                   "figures (engine, export, CPU ms) are less affected.")
    line = headline(results)
    if line:
        out.append("\n" + line)
    for name, section in results["sections"].items():
        out.append(f"\n### {name} ({section['seconds']} s)")
        if section["status"] != "ok":
            out.append(f"{section['status']}: {section['reason']}")
            continue
        for title, headers, rows in section.get("tables", []):
            out.append(f"\n{title}\n")
            out.append(table(headers, rows))
    if results["targets"]:
        out.append("\n### targets\n")
        out.append(table(["figure", "measured", "target", "met", "note"],
                         [[t["name"], None if t["measured"] is None else
                           f"{_fmt(t['measured'])} {t['unit']}",
                           f"{t['comparison']} {_fmt(t['goal'])} {t['unit']}", t["met"], t["note"]]
                          for t in results["targets"]]))
    return "\n".join(out)
