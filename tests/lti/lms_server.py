"""A local LMS for the browser tests: course pages on an origin of their own that post a launch
into an iframe (as a platform does), and the deep-linking answers it receives."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.hardening.servers import free_port


class Lms:
    """The LMS: serves pages that post launches into a frame, and takes deep linking answers."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.answers: list[str] = []
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # noqa: ANN401
                pass

            def _send(self, body: str, status: int = 200) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                page = lms.pages.get(self.path.lstrip("/"))
                self._send(page or "not found", 200 if page else 404)

            def do_POST(self) -> None:  # noqa: N802
                size = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(size).decode())
                lms.answers.append(form.get("JWT", [""])[0])
                self._send("<!doctype html><html lang='en'><head><title>LMS</title></head>"
                           "<link rel='icon' href='data:,'><body><h1 id='received'>The LMS received the bank</h1></body></html>")

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, name: str, launch_url: str, id_token: str, state: str, *,
             height: int = 600, title: str = "quizsvc") -> str:
        """Write the course page that posts a launch into its iframe; return its URL."""
        self.pages[name] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Local LMS</title>
<link rel="icon" href="data:,">
<style>body{{margin:0;font-family:sans-serif}} header{{background:#333;color:#fff;padding:8px 12px}}
iframe{{border:0;width:100%;height:{height}px;display:block}}</style></head><body>
<header>Local LMS: Deep Learning 101</header>
<form id="launch" method="post" action="{html.escape(launch_url)}" target="tool">
<input type="hidden" name="id_token" value="{html.escape(id_token)}">
<input type="hidden" name="state" value="{html.escape(state)}"></form>
<iframe name="tool" title="{html.escape(title)}"></iframe>
<script>
window.addEventListener("message", function (e) {{
  var d; try {{ d = JSON.parse(e.data); }} catch (x) {{ return; }}
  if (d.subject === "lti.frameResize") {{ document.querySelector("iframe").style.height = d.height + "px"; }}
}});
document.getElementById("launch").submit();
</script></body></html>"""
        return f"{self.origin}/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
