"""The instance IRI scheme (docs/model.md, "IRIs"): every instance lives under its plan,
``https://w3id.org/ecokg/id/{code}/{kind}/{slug}``, where ``{code}`` is the county's
six-digit administrative division code (GB/T 2260; 上高县 = 360923).

Release 0.1 named the bundled plan's instances without a code
(``https://w3id.org/ecokg/id/{kind}/{slug}``). Release 0.2 accepts those legacy IRIs
wherever a user types one (query parameters, ``ask``, ``serve``, the site, ``--data`` files)
and reads them as the bundled plan's; they will be removed in a later release. This module
is the one place that knows the shape of an instance IRI: nothing else string-hacks them.

>>> current_iri("https://w3id.org/ecokg/id/township/sixi")
'https://w3id.org/ecokg/id/360923/township/sixi'
>>> current_iri("https://w3id.org/ecokg/id/361001/township/sixi")
'https://w3id.org/ecokg/id/361001/township/sixi'
>>> current_iri("https://w3id.org/ecokg/def#Project")
'https://w3id.org/ecokg/def#Project'
>>> code_of("https://w3id.org/ecokg/id/360923/project/forest-tending")
'360923'
>>> code_of("https://w3id.org/ecokg/id/project/forest-tending") is None
True
>>> plan_namespace("361001")
'https://w3id.org/ecokg/id/361001/'
>>> is_legacy("https://w3id.org/ecokg/id/section/box-2-1/notes")
True
>>> is_legacy("https://w3id.org/ecokg/id/360923/section/box-2-1/notes")
False
"""

from __future__ import annotations

import re
from typing import Final

from ecokg.rdf.namespaces import BUNDLED_CODE, ID, INSTANCE_KINDS

# A county-level division code: six digits (GB/T 2260), the first not 0.
_CODE: Final = re.compile(r"[1-9]\d{5}")
# The kinds release 0.1 named instances by (township, protected-area, …): only these are
# legacy, so a made-up ``…/id/test/x`` of the user's own stays the user's.
_KINDS: Final = frozenset(kind for _prefix, kind in INSTANCE_KINDS)


def plan_namespace(code: str) -> str:
    """The IRI space of county ``code``'s plan: every instance of that plan starts with it.

    >>> plan_namespace("360923")
    'https://w3id.org/ecokg/id/360923/'
    """
    if not _CODE.fullmatch(code):
        raise ValueError(f"not a six-digit division code: {code!r}")
    return f"{ID}{code}/"


def code_of(iri: str) -> str | None:
    """The division code of an instance IRI ``…/id/{code}/…``; None for any other IRI
    (a legacy IRI, an ontology term, a plan-less ``…/id/x``)."""
    if not iri.startswith(ID):
        return None
    head, sep, _rest = iri[len(ID) :].partition("/")
    return head if sep and _CODE.fullmatch(head) else None


def is_legacy(iri: str) -> bool:
    """True for a release 0.1 instance IRI ``…/id/{kind}/{slug}`` (no code, a known kind).

    >>> is_legacy("https://w3id.org/ecokg/id/test/x")
    False
    """
    if not iri.startswith(ID):
        return False
    kind, sep, slug = iri[len(ID) :].partition("/")
    return bool(sep and slug and kind in _KINDS)


def current_iri(iri: str) -> str:
    """The IRI to use today: a legacy IRI becomes the bundled plan's
    ``…/id/360923/{kind}/{slug}``; every other IRI is returned unchanged."""
    if is_legacy(iri):
        return plan_namespace(BUNDLED_CODE) + iri[len(ID) :]
    return iri


def legacy_iri(iri: str) -> str | None:
    """The release 0.1 IRI that named a bundled plan's instance, if it had one (the inverse
    of :func:`current_iri`, for redirects from old addresses).

    >>> legacy_iri("https://w3id.org/ecokg/id/360923/township/sixi")
    'https://w3id.org/ecokg/id/township/sixi'
    >>> legacy_iri("https://w3id.org/ecokg/id/361001/township/sixi") is None
    True
    """
    bundled = plan_namespace(BUNDLED_CODE)
    if not iri.startswith(bundled):
        return None
    old = ID + iri[len(bundled) :]
    return old if is_legacy(old) else None
