"""A small HTTP/1.1 load generator, used when wrk is not available.

Run as its own process (``python -m bench.loadgen SPEC.json``) so that it
does not share an interpreter with the server. `SPEC` names the host, port,
connections, duration and a list of requests; each connection keeps its
socket alive and sends the requests round-robin from its own offset. It
prints one JSON line with the same fields as the wrk script.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


def _encode(req: dict, host: str) -> bytes:
    body = req.get("body", "").encode()
    head = [f"{req['method']} {req['path']} HTTP/1.1", f"Host: {host}",
            f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in req.get("headers", {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _connection(spec: dict, offset: int, deadline: float, stats: dict) -> None:
    reqs = spec["_encoded"]
    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    i = offset
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(reqs[i % len(reqs)])
            i += 1
            status_line = await reader.readline()
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await reader.readexactly(length)
            stats["latencies"].append(time.perf_counter() - t0)
            stats["bytes"] += length
            status = int(status_line.split()[1]) if status_line else 0
            if not 200 <= status < 400:
                stats["status"] += 1
                stats["codes"][status] = stats["codes"].get(status, 0) + 1
                if len(stats["samples"]) < 3:
                    stats["samples"].append(body[:300].decode("utf-8", "replace"))
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
        stats["read"] += 1
    finally:
        writer.close()


async def _run(spec: dict) -> dict:
    spec["_encoded"] = [_encode(r, f"{spec['host']}:{spec['port']}") for r in spec["requests"]]
    stats = {"latencies": [], "bytes": 0, "status": 0, "read": 0, "codes": {}, "samples": []}
    n, conns = len(spec["_encoded"]), spec["connections"]
    started = time.perf_counter()
    deadline = started + spec["duration"]
    await asyncio.gather(*(_connection(spec, k * n // conns, deadline, stats) for k in range(conns)))
    elapsed = time.perf_counter() - started
    lat = sorted(stats["latencies"])

    def pct(p: float) -> int:
        return int(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e6) if lat else 0

    return {"requests": len(lat), "duration_us": int(elapsed * 1e6), "bytes": stats["bytes"],
            "connect": 0, "read": stats["read"], "write": 0, "status": stats["status"],
            "timeout": 0, "p50_us": pct(50), "p90_us": pct(90), "p99_us": pct(99),
            "max_us": pct(100), "mean_us": (sum(lat) / len(lat) * 1e6) if lat else 0.0,
            "error_statuses": stats["codes"], "error_samples": stats["samples"]}


def main() -> None:
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    print("LOADJSON " + json.dumps(asyncio.run(_run(spec))), flush=True)


if __name__ == "__main__":
    main()
