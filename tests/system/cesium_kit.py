"""CesiumJS in headless Chromium: serve a tileset and the page tools/validate/cesium.html from
a loopback HTTP server, open it in Debian's chromium (WebGL through ANGLE on Mesa's EGL,
docs/design ENVIRONMENT), wait for the page's #result through the DevTools protocol and take a
screenshot. Used by test_export_cesium.py and scripts/bench_export.py."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "validate"
CESIUM = TOOLS / "node_modules" / "cesium" / "Build" / "Cesium"
# Mesa's llvmpipe is on Chromium's GPU blocklist: without --ignore-gpu-blocklist WebGL is
# refused ("WebGL2 blocklisted") and CesiumJS stops at "initialization failed".
CHROMIUM_FLAGS = ["--headless", "--use-gl=angle", "--use-angle=gl-egl", "--ignore-gpu-blocklist",
                  "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-dev-shm-usage", "--window-size=800,640"]


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(tileset: Path) -> Iterator[str]:
    """A loopback HTTP server of the page, CesiumJS and ``tileset``'s folder; yields the
    page's URL."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "cesium").symlink_to(CESIUM)
        (site / "tileset").symlink_to(tileset.parent.resolve())
        shutil.copy(TOOLS / "cesium.html", site / "index.html")
        handler = functools.partial(_Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
        finally:
            server.shutdown()
            server.server_close()


async def _session(ws_url: str, timeout: float) -> tuple[dict[str, Any], bytes]:
    import websockets

    async with websockets.connect(ws_url, max_size=64 * 1024 * 1024) as ws:
        ids = iter(range(1, 1_000_000))

        async def call(method: str, **params: Any) -> dict[str, Any]:
            n = next(ids)
            await ws.send(json.dumps({"id": n, "method": method, "params": params}))
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("id") == n:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return dict(msg["result"])

        end = time.monotonic() + timeout
        text = ""
        while time.monotonic() < end:
            got = await call("Runtime.evaluate", expression="document.getElementById("
                             "'result') ? document.getElementById('result').textContent : ''",
                             returnByValue=True)
            text = got["result"].get("value") or ""
            if text:
                break
            await asyncio.sleep(1.0)
        if not text:
            raise TimeoutError(f"the page wrote no result in {timeout:.0f} s")
        shot = await call("Page.captureScreenshot", format="png")
        return json.loads(text), base64.b64decode(shot["data"])


def run_page(tileset: Path, timeout: float = 180.0) -> tuple[dict[str, Any], bytes]:
    """Open the tileset in CesiumJS; the page's result and a PNG screenshot."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium is not installed")
    # Chromium's helper processes (crashpad, GPU) may still write into the profile as the
    # browser ends: removing it then failed once with "Directory not empty" after the
    # page had passed. A leftover profile in the temporary folder is no test failure.
    with served(tileset) as url, tempfile.TemporaryDirectory(
            ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                 "--remote-debugging-port=0", url],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            end = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text().strip():
                if proc.poll() is not None or time.monotonic() > end:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    raise RuntimeError(f"chromium did not start: {err[-2000:]}")
                time.sleep(0.2)
            port = int(port_file.read_text().split()[0])
            pages: list[dict[str, Any]] = []
            while not pages and time.monotonic() < end:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
                    pages = [p for p in json.load(r) if p.get("type") == "page"]
                time.sleep(0.2)
            return asyncio.run(_session(pages[0]["webSocketDebuggerUrl"], timeout))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
