"""Drive an HTTP server from a separate load process: wrk when available, else bench.loadgen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import ROOT, Context

LUA = ROOT / "bench" / "requests.lua"


def ensure_wrk(ctx: Context) -> str | None:
    """Return wrk's path, installing Debian's package first when running as root."""
    found = shutil.which("wrk")
    if found or os.environ.get("QUIZSVC_BENCH_NO_WRK"):
        return None if os.environ.get("QUIZSVC_BENCH_NO_WRK") else found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        ctx.log("wrk is not installed and this is not root: using the Python load generator")
        return None
    ctx.log("installing wrk (apt-get install -y wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "wrk"]):
        try:
            subprocess.run(cmd, env=env, capture_output=True, timeout=180)
        except (OSError, subprocess.SubprocessError):
            break
        if shutil.which("wrk"):
            return shutil.which("wrk")
    ctx.log("could not install wrk: using the Python load generator")
    return None


def write_requests(path: Path, requests: list[dict[str, Any]]) -> None:
    """Write requests (method, path, auth, body) one a line for requests.lua."""
    with open(path, "w") as fh:
        for r in requests:
            body = r.get("body", "")
            if not isinstance(body, str):
                body = json.dumps(body, separators=(",", ":"))
            fields = [r["method"], r["path"], r.get("auth", ""), body]
            assert not any("\t" in f or "\n" in f for f in fields), "requests.lua reads tab-separated lines"
            fh.write("\t".join(fields) + "\n")


def drive(ctx: Context, wrk: str | None, port: int, requests: list[dict[str, Any]], *,
          connections: int, seconds: float, name: str) -> dict[str, Any]:
    """Send `requests` round-robin for `seconds` over `connections`; return throughput and latency."""
    listing = ctx.workdir / f"{name}.tsv"
    write_requests(listing, requests)
    if wrk:
        threads = 1  # one wrk thread saturates this server and leaves the cores to gunicorn
        cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "5s", "-s", str(LUA), f"http://127.0.0.1:{port}", "--",
               str(listing), str(threads)]
        marker, tool = "WRKJSON ", "wrk"
    else:
        spec = ctx.workdir / f"{name}.json"
        spec.write_text(json.dumps({
            "host": "127.0.0.1", "port": port, "connections": connections, "duration": seconds,
            "requests": [{"method": r["method"], "path": r["path"],
                          "headers": {"Content-Type": "application/json",
                                      **({"Authorization": r["auth"]} if r.get("auth") else {})},
                          "body": r["body"] if isinstance(r.get("body", ""), str)
                          else json.dumps(r["body"], separators=(",", ":"))}
                         for r in requests]}))
        cmd = [sys.executable, "-m", "bench.loadgen", str(spec)]
        marker, tool = "LOADJSON ", "python bench.loadgen (asyncio)"
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(marker)), None)
    if line is None:
        raise RuntimeError(f"{tool} printed no summary: {proc.stdout[-500:]} {proc.stderr[-500:]}")
    raw = json.loads(line[len(marker):])
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    duration = raw["duration_us"] / 1e6
    return {"tool": tool, "connections": connections, "seconds": round(duration, 2),
            "requests": raw["requests"], "errors": errors, "non_2xx": raw["status"],
            "requests_per_s": round(raw["requests"] / duration, 1) if duration else 0.0,
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p90_ms": round(raw["p90_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "max_ms": round(raw["max_us"] / 1000, 2),
            **({"error_statuses": raw["error_statuses"], "error_samples": raw["error_samples"]}
               if raw.get("error_statuses") else {})}
