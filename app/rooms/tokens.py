"""Signed seat tokens: a seat id bound to its table, with an HMAC nobody can forge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeatClaim:
    table_id: str
    seat_id: str
    # How often the facilitator had given the seat away when the token was signed: a
    # token of an earlier holder no longer opens it. 0 (the first holder) is not written.
    epoch: int = 0


class BadToken(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_seat(claim: SeatClaim, key: str) -> str:
    data: dict[str, object] = {"t": claim.table_id, "s": claim.seat_id}
    if claim.epoch:
        data["e"] = claim.epoch
    body = _b64(json.dumps(data).encode())
    mac = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def read_seat(token: str, key: str) -> SeatClaim:
    """The claim in a token; BadToken when it was not signed with this key."""
    body, _, mac = token.partition(".")
    try:
        # Inside the try: text that is not valid Unicode (a lone surrogate) cannot encode.
        expected = hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()
        given = _unb64(mac)
        data = json.loads(_unb64(body))
    except ValueError as exc:  # also UnicodeError and json.JSONDecodeError
        raise BadToken("malformed seat token") from exc
    if not hmac.compare_digest(expected, given):
        raise BadToken("the seat token's signature does not match")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise BadToken("malformed seat token")
    epoch = data.get("e", 0)
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        raise BadToken("malformed seat token")
    return SeatClaim(table_id=data["t"], seat_id=str(data.get("s")), epoch=epoch)
