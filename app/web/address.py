"""The address other devices use to reach this server: for links, QR codes and warnings.

A trainer usually opens the console on the laptop that runs the server, at
http://127.0.0.1:8000, but the phones at the tables cannot open 127.0.0.1: that is each
phone itself. So when no PUBLIC_URL is set and the server listens on every interface,
links name the machine's address on the local network instead. Finding that address
never sends a packet and never needs the internet.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

# Addresses meaning "listen on every interface", as uvicorn and `--host` take them.
EVERY_INTERFACE = frozenset({"0.0.0.0", "::", ""})
# Reserved for documentation (RFC 5737), so no VPN or container bridge claims a route to
# it: connecting there picks the interface of the default route, which on a laptop is the
# wifi or cable it joined. A UDP "connect" only chooses a route and a source address;
# nothing is sent.
ROUTE_PROBE = ("198.51.100.1", 9)


@dataclass(frozen=True)
class Reach:
    """Where links point, and whether only this machine can open them."""

    base: str  # scheme://host[:port], no trailing slash
    local_only: bool


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 possibly in brackets) is this machine only."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def listens_everywhere(host: str) -> bool:
    return host.strip().strip("[]") in EVERY_INTERFACE


def usable(address: str) -> bool:
    """An IPv4 address another device on the network could open."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (
        ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast
    )


def lan_address() -> str | None:
    """This machine's IPv4 address on its network, or None when it has only loopback."""
    routed = _routed_source()
    if routed is not None and usable(routed):
        return routed
    return next((a for a in interface_addresses() if usable(a)), None)


def _routed_source() -> str | None:
    """The source address the kernel would use for outgoing traffic (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            source: str = probe.getsockname()[0]
            return source
    except OSError:  # no route at all: no network
        return None


def interface_addresses() -> list[str]:
    """The IPv4 addresses of this machine's interfaces, asked of the kernel (Linux only).

    For a network with no default route (a router with no uplink). Not the host name's
    addresses: resolving it may wait on a DNS server, inside a request.
    """
    if not sys.platform.startswith("linux"):
        return []
    import fcntl  # Unix only: imported here so the module loads everywhere
    import struct

    siocgifaddr = 0x8915
    addresses: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(sock.fileno(), siocgifaddr, request)
            except OSError:  # an interface without an IPv4 address
                continue
            addresses.append(socket.inet_ntoa(answer[20:24]))
    return addresses


def reach(public_url: str | None, listen_host: str, request_base: str, lan: str | None) -> Reach:
    """Where links should point.

    `request_base` is the address this request (or the server itself) was reached at;
    `lan` the machine's network address, if it has one. PUBLIC_URL wins; a request that
    came in over loopback to a server listening on every interface is given the network
    address; otherwise links use the address the request came in on.
    """
    if public_url:
        base = public_url.rstrip("/")
        return Reach(base, is_loopback(urlsplit(base).hostname or ""))
    parts = urlsplit(request_base.rstrip("/"))
    host = parts.hostname or ""
    if is_loopback(host) and listens_everywhere(listen_host) and lan is not None:
        port = f":{parts.port}" if parts.port else ""
        path = parts.path.rstrip("/")
        return Reach(f"{parts.scheme}://{lan}{port}{path}", False)
    return Reach(request_base.rstrip("/"), is_loopback(host))


def for_request(request: Request) -> Reach:
    """Where links made for this request should point (the server's settings decide)."""
    settings = request.app.state.settings
    return reach(settings.public_url, settings.host, str(request.base_url), lan_address())
