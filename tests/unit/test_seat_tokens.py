"""Seat tokens carry the seat's epoch: how often the facilitator had given the seat away."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from app.rooms.tokens import BadToken, SeatClaim, read_seat, sign_seat

KEY = "k" * 32


def signed(data: dict[str, object]) -> str:
    """A token signed with KEY around any body, as a forger with the key could make one."""
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    mac = hmac.new(KEY.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_first_holders_token_has_epoch_zero_and_reads_back() -> None:
    token = sign_seat(SeatClaim("t1", "parent"), KEY)
    assert read_seat(token, KEY) == SeatClaim("t1", "parent", 0)
    # Tokens signed before epochs existed are the same bytes: they keep working.
    assert token == signed({"t": "t1", "s": "parent"})


def test_a_later_holders_token_carries_its_epoch_and_differs_from_the_first() -> None:
    first = sign_seat(SeatClaim("t1", "parent"), KEY)
    later = sign_seat(SeatClaim("t1", "parent", 2), KEY)
    assert later != first
    assert read_seat(later, KEY).epoch == 2


@pytest.mark.parametrize("epoch", ["2", True, 1.5, None])
def test_an_epoch_that_is_not_a_whole_number_is_refused(epoch: object) -> None:
    with pytest.raises(BadToken):
        read_seat(signed({"t": "t1", "s": "parent", "e": epoch}), KEY)
