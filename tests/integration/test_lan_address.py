"""Phones reach the game: with no PUBLIC_URL, a server listening on every interface gives out
links on this machine's own network address, and answers there; a server only this
computer can open says so on the join sheet and the console, and in the terminal.

The machine's addresses are read from the kernel's table (/proc/net/fib_trie), not from
app/web/address.py, so the test does not take the module's word for them.
"""

from __future__ import annotations

import io
import os
import re
import selectors
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import segno

from tests.integration.server import POLICYMAKER, Server, free_port

FIB_TRIE = Path("/proc/net/fib_trie")
# The demo workshop is made at start-up, after migrations: a slow CI machine gets time.
DEMO_TIMEOUT = 60.0
WARNING_EN = "Phones cannot open these links"
WARNING_DA = "Telefonerne kan ikke åbne disse links"


def own_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback, as the kernel lists them."""
    if not FIB_TRIE.exists():
        return set()
    found: set[str] = set()
    last = ""
    for line in FIB_TRIE.read_text().splitlines():
        leaf = re.match(r"\s*\|-- (\d+\.\d+\.\d+\.\d+)$", line)
        if leaf:
            last = leaf.group(1)
        elif "/32 host LOCAL" in line and last and not last.startswith("127."):
            found.add(last)
    return found


@pytest.fixture
def addresses() -> set[str]:
    found = own_addresses()
    if not found:
        reason = "this machine has no network address besides loopback"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this is a failure)")
        pytest.skip(reason)
    return found


@pytest.fixture
def lan_server(tmp_path: Path) -> Iterator[Server]:
    """`policymaker serve --host 0.0.0.0` with no PUBLIC_URL."""
    server = Server(tmp_path, host="0.0.0.0", env={"PUBLIC_URL": ""}).start()
    yield server
    server.stop()


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[Server]:
    """`policymaker serve --host 127.0.0.1`: only this computer can open it."""
    server = Server(tmp_path, env={"PUBLIC_URL": ""}).start()
    yield server
    server.stop()


def create(base: str) -> dict[str, object]:
    body = {"scenario": "school-committee", "tables": 2, "language": "en"}
    response = httpx.post(f"{base}/api/workshops", json=body, timeout=30)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def svg_qr(url: str) -> bytes:
    """The SVG the server should send for a code of `url` (the same encoder and options)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue()


def test_links_name_the_machines_network_address_and_it_answers(
    lan_server: Server, addresses: set[str]
) -> None:
    # The trainer's browser is on the laptop itself: it asks over loopback.
    created = create(lan_server.base)
    facilitator = urlsplit(str(created["facilitator_url"]))
    assert facilitator.hostname in addresses, (created["facilitator_url"], addresses)
    assert facilitator.port == lan_server.port
    host = str(facilitator.hostname)
    base = f"http://{host}:{lan_server.port}"
    tables = created["tables"]
    assert isinstance(tables, list)
    for table in tables:
        assert table["join_url"] == f"{base}/join/{table['code']}"

    sheet = httpx.get(f"{lan_server.base}/facilitator/{created['workshop_id']}/sheet?lang=en")
    assert sheet.status_code == 200
    assert f'data-join-base="{base}"' in sheet.text
    assert WARNING_EN not in sheet.text
    console = httpx.get(f"{lan_server.base}/facilitator/{created['workshop_id']}?lang=en")
    assert WARNING_EN not in console.text
    # The projector, on the same laptop, prints the join link the phones must open.
    wall = httpx.get(f"{lan_server.base}/table/{tables[0]['code']}")
    assert f'data-join-base="{base}"' in wall.text

    code = tables[0]["code"]
    qr = httpx.get(f"{lan_server.base}/qr/{code}.svg")
    assert qr.status_code == 200
    assert qr.content == svg_qr(f"{base}/join/{code}")

    # The terminal said so at start, before the server answered its first request.
    assert f"Phones on the same network as this computer open {base}" in lan_server.log()

    # And the address answers: what a phone on the same network would open.
    with httpx.Client(timeout=10) as phone:
        assert phone.get(f"{base}/healthz").json()["status"] == "ok"
        joined = phone.get(tables[0]["join_url"])
        assert joined.status_code == 200
        assert code in joined.text


def test_a_server_only_this_computer_can_open_warns(loopback_server: Server) -> None:
    created = create(loopback_server.base)
    tables = created["tables"]
    assert isinstance(tables, list)
    assert tables[0]["join_url"].startswith(f"{loopback_server.base}/join/")

    workshop = created["workshop_id"]
    for lang, warning in (("en", WARNING_EN), ("da", WARNING_DA)):
        sheet = httpx.get(f"{loopback_server.base}/facilitator/{workshop}/sheet?lang={lang}")
        assert 'id="reach-warning"' in sheet.text
        assert warning in sheet.text, lang
        assert f'data-join-base="{loopback_server.base}"' in sheet.text
        console = httpx.get(f"{loopback_server.base}/facilitator/{workshop}?lang={lang}")
        assert warning in console.text, lang
        new = httpx.get(f"{loopback_server.base}/facilitator?lang={lang}")
        assert warning in new.text, lang

    log = loopback_server.log()
    assert "WARNING: phones cannot open" in log, log


class Output:
    """A child's output, read line by line as it comes, with a deadline for each wait."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.pending = b""
        self.seen: list[str] = []

    def until(self, pattern: str, timeout: float = DEMO_TIMEOUT) -> str:
        """The first line from here on that matches `pattern`."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            while True:
                while b"\n" in self.pending:
                    raw, self.pending = self.pending.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace")
                    self.seen.append(line)
                    if re.search(pattern, line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise AssertionError(f"no line matching {pattern!r} in:\n{self.text()}")
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise AssertionError(f"the server exited ({self.proc.wait()}):\n{self.text()}")
                self.pending += chunk

    def text(self) -> str:
        return "\n".join(self.seen)


def test_the_demo_prints_the_network_address(tmp_path: Path, addresses: set[str]) -> None:
    """`make run` (`serve --demo`): the printed links and the QR name the network address."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'pm.db'}", "PUBLIC_URL": ""}
    env.pop("HOST", None)
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [str(POLICYMAKER), "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = Output(proc)
    try:
        line = output.until(r"join code")
        join_url = re.search(r"\((http://[^)]+)\)", line)
        assert join_url is not None, line
        url = urlsplit(join_url.group(1))
        assert url.hostname in addresses, (line, addresses)
        assert url.port == port
        assert url.path.startswith("/join/")
        phones = output.until(r"^Phones on the same network")
        assert f"http://{url.hostname}:{port}" in phones
        # The QR code follows, drawn in half blocks; then the server listens everywhere.
        assert re.fullmatch(r"[▀▄█ ]{21,}", output.until(r"[▀▄█]"))
        output.until(r"Uvicorn running on http://0\.0\.0\.0:")
        assert "WARNING" not in output.text()
        assert httpx.get(join_url.group(1), timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
