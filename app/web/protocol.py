"""Check websocket frames against the protocol document, docs/asyncapi.yaml.

For tests and tools (bots, the benchmark, a third-party client's test suite): the server
itself does not validate its frames at run time, and nothing else in it reads docs/.
(The websocket endpoint keeps its own list of each client frame's top-level fields,
app/web/ws.py's CLIENT_FIELDS, which tests/unit/test_protocol_contract.py holds equal to
the payloads here, so that it refuses unknown fields as these schemas do.)
The document is found relative to the repository root, so this works from a checkout
(an installed wheel does not ship docs/).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from ruamel.yaml import YAML

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
DOC_URI = "urn:policymaker:asyncapi"


class ProtocolViolation(ValueError):
    """A frame does not match the protocol: which frame type, where, and why."""

    def __init__(self, frame_type: str | None, pointer: str, reason: str) -> None:
        self.frame_type = frame_type
        self.pointer = pointer
        self.reason = reason
        super().__init__(f"{frame_type or '<no type>'} frame at {pointer or '/'}: {reason}")


@dataclass(frozen=True, slots=True)
class Protocol:
    """The loaded document and a validator per frame type and direction."""

    document: dict[str, Any]
    client: dict[str, Draft202012Validator]  # frames the server receives
    server: dict[str, Draft202012Validator]  # frames the server sends


def load_document(path: Path = DOC_PATH) -> dict[str, Any]:
    """The AsyncAPI document as plain JSON-like data."""
    with path.open(encoding="utf-8") as f:
        data = YAML(typ="safe", pure=True).load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return data


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _message_pointers(document: dict[str, Any], action: str) -> list[str]:
    """JSON pointers of the component messages going one way.

    `action` is the server's: "send" gathers the messages of send operations and the
    replies to receive operations; "receive" the other way round.
    """
    pointers: list[str] = []
    for operation in document["operations"].values():
        if operation["action"] == action:
            refs = operation["messages"]
        else:
            refs = operation.get("reply", {}).get("messages", [])
        for ref in refs:
            message_ref = _resolve(document, ref["$ref"])["$ref"]  # channel -> component
            if message_ref not in pointers:
                pointers.append(message_ref)
    return pointers


def _validators(
    document: dict[str, Any], registry: Registry[Any], action: str
) -> dict[str, Draft202012Validator]:
    found: dict[str, Draft202012Validator] = {}
    for pointer in _message_pointers(document, action):
        payload = _resolve(document, pointer)["payload"]
        frame_type = payload["properties"]["type"]["const"]
        schema = {"$ref": f"{DOC_URI}{pointer}/payload"}
        found[frame_type] = Draft202012Validator(schema, registry=registry)
    return found


@cache
def protocol() -> Protocol:
    """The protocol, loaded once."""
    document = load_document()
    resource: Resource[Any] = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    return Protocol(
        document,
        client=_validators(document, registry, "receive"),
        server=_validators(document, registry, "send"),
    )


def json_pointer(error: ValidationError) -> str:
    """The JSON pointer (RFC 6901) of the part of the frame an error is about."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
    return "".join(f"/{p}" for p in parts)


def _validate(frame: Any, validators: dict[str, Draft202012Validator], side: str) -> None:
    if not isinstance(frame, dict):
        raise ProtocolViolation(None, "", "a frame must be a JSON object")
    kind = frame.get("type")
    validator = validators.get(kind) if isinstance(kind, str) else None
    if validator is None:
        known = ", ".join(sorted(validators))
        raise ProtocolViolation(
            kind if isinstance(kind, str) else None,
            "/type",
            f"not a {side} frame type (one of: {known})",
        )
    error = best_match(validator.iter_errors(frame))
    if error is not None:
        raise ProtocolViolation(kind, json_pointer(error), error.message)


def validate_server_frame(frame: dict[str, Any]) -> None:
    """Raise ProtocolViolation unless `frame` is a valid server→client frame."""
    _validate(frame, protocol().server, "server")


def validate_client_frame(frame: dict[str, Any]) -> None:
    """Raise ProtocolViolation unless `frame` is a valid client→server frame."""
    _validate(frame, protocol().client, "client")
