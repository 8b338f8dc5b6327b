"""What an English text left in a Danish rendering looks like, read from the catalog."""

from __future__ import annotations

import re
from functools import cache

from app.i18n import catalog_strings


@cache
def english_fragments() -> frozenset[str]:
    """The English words of every authoring message Danish words differently: each stretch
    between placeholders of two words or more."""
    fragments: set[str] = set()
    for msgid, text in catalog_strings("da").items():
        if text == msgid:
            continue
        for part in re.split(r"\{[^{}]*\}", msgid):
            part = part.strip(" ,.;:()'\"")
            if " " in part and len(part) >= 8:
                fragments.add(part)
    return frozenset(fragments)
