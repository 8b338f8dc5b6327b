"""CLI failures against a server: one line on stderr with the server's reason, and an exit code.

The codes are documented (README's Commands, the commands' --help): 2 when the server
refused the request, 3 when it could not be reached or failed.
"""

from __future__ import annotations

import os
import socket
import subprocess

from tests.integration.server import POLICYMAKER, Server

TIMEOUT = 60
REFUSED, UNREACHABLE = 2, 3


def policymaker(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in an English locale: its own words (`error: ...`) follow the locale."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    return subprocess.run(
        [str(POLICYMAKER), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env={**env, "LANG": "C.UTF-8"},
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single `error: ...` line a failed command printed, after checking it is alone."""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert done.stdout == ""
    return lines[0]


def closed_port() -> str:
    """The address of a port nothing listens on: bound and released, never listened on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_workshop_create_on_an_unknown_scenario_prints_the_servers_reason(
    live_server: Server,
) -> None:
    done = policymaker(
        "workshop", "create", "--url", live_server.base, "--scenario", "no-such-case"
    )

    assert done.returncode == REFUSED
    assert one_error_line(done) == "error: no scenario 'no-such-case' on this server"


def test_a_refused_body_prints_fastapis_messages_on_one_line(live_server: Server) -> None:
    # A scenario id longer than the server takes: FastAPI's 422, a list of {loc, msg}.
    done = policymaker("workshop", "create", "--url", live_server.base, "--scenario", "x" * 65)

    assert done.returncode == REFUSED
    # The msg, not the raw list of {loc, msg, type}.
    assert one_error_line(done) == "error: String should have at most 64 characters"


def test_a_language_the_cli_does_not_speak_is_refused_before_the_server_is_asked() -> None:
    # A closed port: had the command gone to a server, it would say it cannot reach it.
    done = policymaker("workshop", "create", "--url", closed_port(), "--lang", "xx")

    assert done.returncode == REFUSED
    assert one_error_line(done) == "error: unknown language 'xx'; choose one of da, en"


def test_workshop_create_against_a_closed_port_cannot_reach_it() -> None:
    base = closed_port()

    done = policymaker("workshop", "create", "--url", base)

    assert done.returncode == UNREACHABLE
    assert one_error_line(done).startswith(f"error: cannot reach {base}: ")


def test_workshop_create_with_a_url_that_is_no_url_says_why() -> None:
    done = policymaker("workshop", "create", "--url", "127.0.0.1-no-scheme")

    assert done.returncode == UNREACHABLE
    line = one_error_line(done)
    assert line.startswith("error: cannot reach 127.0.0.1-no-scheme: ")
    assert "http://" in line  # httpx's reason: the URL lacks its scheme


def test_bots_on_an_unknown_code_print_the_servers_reason(live_server: Server) -> None:
    done = policymaker("bots", "--url", live_server.base, "--code", "ZZZZZZ")

    assert done.returncode == REFUSED
    # The reason, not `join failed: 404 {"detail": ...}`.
    assert one_error_line(done) == "error: no table with that code"


def test_bots_against_a_closed_port_cannot_reach_it() -> None:
    base = closed_port()

    done = policymaker("bots", "--url", base, "--code", "ABCDEF")

    assert done.returncode == UNREACHABLE
    assert one_error_line(done).startswith(f"error: cannot reach {base}: ")


def test_the_exit_codes_are_in_the_commands_help() -> None:
    for command in (["workshop", "create"], ["bots"]):
        done = policymaker(*command, "--help")

        assert done.returncode == 0
        text = " ".join(done.stdout.replace("│", " ").split())
        assert "2 the server refused the request" in text, command
        assert "3 the server could not be reached or failed" in text, command
