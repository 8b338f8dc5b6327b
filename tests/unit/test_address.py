"""Where links point (app/web/address.py): the address phones at the tables can open."""

from __future__ import annotations

import ipaddress

import pytest

from app.web import address
from app.web.address import Reach, is_loopback, listens_everywhere, reach, usable

LAN = "192.168.1.20"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.1.1", "localhost", "LOCALHOST", "::1", "[::1]", "app.localhost"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["192.168.1.20", "10.0.0.3", "laptop.local", "0.0.0.0", "::"])
def test_hosts_other_devices_may_reach(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", ""])
def test_every_interface(host: str) -> None:
    assert listens_everywhere(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "192.168.1.20", "localhost"])
def test_one_interface(host: str) -> None:
    assert not listens_everywhere(host)


@pytest.mark.parametrize("value", ["192.168.1.20", "10.1.2.3", "172.20.0.5", "203.0.113.9"])
def test_usable_addresses(value: str) -> None:
    assert usable(value)


@pytest.mark.parametrize(
    "value",
    ["127.0.0.1", "127.0.1.1", "0.0.0.0", "169.254.10.1", "224.0.0.1", "::1", "fe80::1", "x"],
)
def test_unusable_addresses(value: str) -> None:
    assert not usable(value)


def test_public_url_wins_over_everything() -> None:
    got = reach("https://game.example.org/", "0.0.0.0", "http://127.0.0.1:8000/", LAN)
    assert got == Reach("https://game.example.org", local_only=False)


def test_a_public_url_naming_this_computer_is_still_local_only() -> None:
    assert reach("http://localhost:8000", "0.0.0.0", "http://127.0.0.1:8000/", LAN).local_only


def test_loopback_request_to_a_server_on_every_interface_gets_the_lan_address() -> None:
    got = reach(None, "0.0.0.0", "http://127.0.0.1:8000/", LAN)
    assert got == Reach(f"http://{LAN}:8000", local_only=False)


def test_localhost_and_ipv6_loopback_requests_too() -> None:
    assert reach(None, "::", "http://localhost:9000/", LAN).base == f"http://{LAN}:9000"
    assert reach(None, "0.0.0.0", "http://[::1]:9000/", LAN).base == f"http://{LAN}:9000"


def test_a_root_path_is_kept() -> None:
    got = reach(None, "0.0.0.0", "http://127.0.0.1:8000/game/", LAN)
    assert got.base == f"http://{LAN}:8000/game"


def test_a_request_on_the_network_keeps_its_own_address() -> None:
    # The trainer opened the console by the laptop's name: that name is what others use.
    got = reach(None, "0.0.0.0", "http://laptop.local:8000/", LAN)
    assert got == Reach("http://laptop.local:8000", local_only=False)


def test_a_server_on_loopback_only_is_local_only() -> None:
    # Bound to 127.0.0.1: the LAN address would not answer, so links stay and warn.
    got = reach(None, "127.0.0.1", "http://127.0.0.1:8000/", LAN)
    assert got == Reach("http://127.0.0.1:8000", local_only=True)


def test_no_network_address_is_local_only() -> None:
    got = reach(None, "0.0.0.0", "http://127.0.0.1:8000/", None)
    assert got == Reach("http://127.0.0.1:8000", local_only=True)


def test_the_machines_lan_address_is_one_of_its_own() -> None:
    """On this machine: the address found is usable and belongs to one of its interfaces."""
    found = address.lan_address()
    own = [a for a in address.interface_addresses() if usable(a)]
    if not own:
        assert found is None
        return
    assert found is not None and usable(found)
    assert ipaddress.ip_address(found).version == 4
    assert found in own, (found, own)


def test_without_a_route_the_interfaces_are_enumerated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(address, "_routed_source", lambda: None)
    monkeypatch.setattr(address, "interface_addresses", lambda: ["127.0.0.1", "169.254.3.3", LAN])
    assert address.lan_address() == LAN


def test_only_loopback_means_no_lan_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(address, "_routed_source", lambda: None)
    monkeypatch.setattr(address, "interface_addresses", lambda: ["127.0.0.1", "127.0.1.1"])
    assert address.lan_address() is None


def test_a_loopback_route_falls_back_to_the_interfaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(address, "_routed_source", lambda: "127.0.0.1")
    monkeypatch.setattr(address, "interface_addresses", lambda: [LAN])
    assert address.lan_address() == LAN
