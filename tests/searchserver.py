"""`gongkai serve` as an operator starts it: a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


class Served:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.process = process
        self.log_file = log

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")


@contextmanager
def gongkai_serve(output: Path, settings: Path, tmp: Path, *extra: str) -> Iterator[Served]:
    """Run ``gongkai serve --port 0`` for the block; its stderr goes to a file the test
    can read (a traceback there is a failure of the service)."""
    log = tmp / "serve.log"
    said = tmp / "serve.out"  # stdout to a file too: an access log must never fill a pipe
    tmp.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as err, said.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", "--port", "0", "--output", str(output),
             "--settings", str(settings), *extra],
            cwd=ROOT, stdout=out, stderr=err, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while not (match := re.search(r"http://[^/]+/", said.read_text(encoding="utf-8"))):
            assert time.monotonic() < deadline and process.poll() is None, \
                f"gongkai serve did not start: {log.read_text(encoding='utf-8')}"
            time.sleep(0.1)
        url = match.group(0)
        while True:  # the socket is bound before uvicorn accepts: wait until it answers
            try:
                httpx.get(url + "api/search?q=", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.1)
        yield Served(url, process, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
