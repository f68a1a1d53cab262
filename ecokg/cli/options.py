"""The options the verbs share, declared once.

A verb names the shared options it takes with :func:`shared`; they are added to its
signature for Typer and handed to it as one :class:`Shared` value (merged with the same
options given before the verb, ``ecokg --data X audit``). A new shared option is one entry
in :data:`_OPTIONS` and one field of :class:`Shared`.

``--format`` differs per verb: :func:`format_option` builds it from the verb's
:class:`ecokg.rdf.formats.Choices`, so its help lists exactly the formats the verb writes.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ecokg.errors import UsageError, check_choice
from ecokg.stores.base import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from ecokg.rdf.formats import Choices
    from ecokg.stores.base import Store
    from ecokg.stores.local import Dataset
    from ecokg.stores.remote import Auth

LANG_CHOICES = ("zh", "en")
# The environment variable holding a bearer token for the SPARQL server (--token-env).
TOKEN_ENV = "ECOKG_TOKEN"

DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Also load this RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) "
        "into the plan graph. Repeatable.",
        metavar="FILE",
    ),
]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="ECOKG_STORE",
        help="Read the dataset from this store (built with: ecokg store load DIR) instead of "
        "parsing files; cannot be combined with --data, --no-bundled or --endpoint.",
        metavar="DIR",
        show_envvar=True,
    ),
]
NoBundledOption = Annotated[
    bool, typer.Option("--no-bundled", help="Do not load the bundled plan (ontology still loads).")
]
NoInferredOption = Annotated[
    bool, typer.Option("--no-inferred", help="Do not load or reason the inferred graph.")
]
ReasonLimitOption = Annotated[
    int | None,
    typer.Option(
        "--reason-limit",
        help="Reason over --data only up to N asserted triples (0: no limit) "
        "[default: $ECOKG_REASON_LIMIT, else 50000].",
        metavar="N",
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Labels and messages in this language: zh or en.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE (atomically); - for stdout.", metavar="FILE"
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="The SPARQL 1.1 query endpoint of a server holding the graphs (see ecokg push), "
        "e.g. http://localhost:7878/query, instead of the embedded graph.",
        metavar="URL",
    ),
]


def _timeout_option(default_note: str) -> Any:
    """``--timeout``, its help naming the default of the verbs that take it."""
    return Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help=f"Seconds a query may take, locally or on the server [default: {default_note}].",
            metavar="S",
        ),
    ]


TimeoutOption = _timeout_option(f"{DEFAULT_TIMEOUT:g}; push: 120 per upload")
PlanOption = Annotated[
    str | None,
    typer.Option(
        "--plan",
        help="Only this plan, of a store holding several: its county code (360923), the "
        "plan's or county's IRI or CURIE, or the county's name (上高县, 上高, Shanggao).",
        metavar="PLAN",
    ),
]
UserOption = Annotated[
    str | None, typer.Option("--user", help="HTTP basic-auth user for the server.")
]
PasswordOption = Annotated[
    str | None, typer.Option("--password", help="HTTP basic-auth password for the server.")
]
TokenEnvOption = Annotated[
    str,
    typer.Option(
        "--token-env",
        help="Environment variable holding a bearer token for the server (sent only when set).",
        metavar="NAME",
    ),
]

# name → (annotated type, default)
_OPTIONS: dict[str, tuple[Any, Any]] = {
    "data": (DataOption, None),
    "store": (StoreOption, None),
    "no_bundled": (NoBundledOption, False),
    "no_inferred": (NoInferredOption, False),
    "reason_limit": (ReasonLimitOption, None),
    "endpoint": (EndpointOption, None),
    "timeout": (TimeoutOption, None),
    "user": (UserOption, None),
    "password": (PasswordOption, None),
    "token_env": (TokenEnvOption, TOKEN_ENV),
    "plan": (PlanOption, None),
    "debug": (DebugOption, False),
}
DATASET = ("data", "store", "no_bundled", "no_inferred", "reason_limit")
_CONTEXT = "_typer_context"
REMOTE = ("endpoint", "timeout", "user", "password", "token_env")
# One plan of several (ecokg.stores.scope), for the verbs that query.
SCOPE = ("plan",)


@dataclass(frozen=True)
class Shared:
    """The values of the shared options a verb was given (before or after the verb)."""

    data: list[Path] = field(default_factory=list)
    store: Path | None = None
    no_bundled: bool = False
    no_inferred: bool = False
    reason_limit: int | None = None
    endpoint: str | None = None
    timeout: float | None = None
    user: str | None = None
    password: str | None = None
    token_env: str = TOKEN_ENV
    plan: str | None = None
    debug: bool = False
    output_format: str | None = None

    @property
    def bundled(self) -> bool:
        return not self.no_bundled

    @property
    def inferred(self) -> bool:
        return not self.no_inferred

    def load(self) -> Dataset:
        """The embedded dataset these options describe (from the --store, if given)."""
        from ecokg.kb import load_dataset

        if self.store is not None:
            from ecokg.stores.ondisk import check_store_options, open_stored

            check_store_options(
                self.store, data=self.data, bundled=self.bundled, endpoint=self.endpoint
            )
            return open_stored(self.store)
        return load_dataset(
            self.data,
            bundled=self.bundled,
            inferred=self.inferred,
            reason_limit=self.reason_limit,
        )

    def auth(self) -> Auth | None:
        from ecokg.stores.remote import Auth

        return Auth.from_options(self.user, self.password, self.token_env)

    def open_store(self, *, allow_service: bool = False) -> Store:
        """The store to query: the endpoint given with --endpoint, else the loaded dataset."""
        from ecokg.kb import open_store

        return open_store(
            allow_service=allow_service,
            endpoint=self.endpoint,
            timeout=check_timeout(self.timeout),
            auth=self.auth() if self.endpoint else None,
            data=self.data,
            bundled=self.bundled,
            inferred=self.inferred,
            reason_limit=self.reason_limit,
            store=self.store,
        )


Verb = TypeVar("Verb", bound=Callable[..., Any])


def shared(
    *names: str,
    formats: Choices | None = None,
    format_note: str = "",
    timeout_default: float | None = None,
) -> Callable[[Verb], Verb]:
    """Give a verb the shared options ``names`` (see :data:`DATASET`, :data:`REMOTE`) and,
    with ``formats``, a ``--format`` listing exactly those; it receives them as
    ``shared: Shared``. ``--debug`` is always added. ``timeout_default``: the verb's own
    default for an unset ``--timeout`` (its help then shows it; the verb applies it)."""
    wanted = tuple(dict.fromkeys((*names, "debug")))
    unknown = [name for name in wanted if name not in _OPTIONS]
    if unknown:
        raise ValueError(f"unknown shared options: {unknown}")
    options = {name: _OPTIONS[name] for name in wanted}
    if timeout_default is not None and "timeout" in options:
        options["timeout"] = (_timeout_option(f"{timeout_default:g}"), None)
    if formats is not None:
        options["output_format"] = (_format_option(formats, format_note), None)

    def decorate(verb: Verb) -> Verb:
        signature = inspect.signature(verb, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name not in ("shared", _CONTEXT)]
        # A verb's own option of the same flag wins (push's --store is a Graph Store URL):
        # the verb then does not take the shared one, nor its value given before the verb.
        taken = {flag for p in own for flag in _flags(p.annotation)}
        for name in [n for n in options if n != "output_format"]:
            if set(_flags(options[name][0])) & taken:
                del options[name]
        context = inspect.Parameter(
            _CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
        )
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=value)
            for name, (kind, value) in options.items()
        ]

        @functools.wraps(verb)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in options if name in kwargs}
            root = kwargs.pop(_CONTEXT).find_root().obj
            return verb(*args, shared=_merged(root, given, options), **kwargs)

        parameters = [*own, context, *added]
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {
            **{k: v for k, v in verb.__annotations__.items() if k != "shared"},
            _CONTEXT: typer.Context,
            **{name: annotation for name, (annotation, _) in options.items()},
        }
        return wrapper  # type: ignore[return-value]

    return decorate


def _flags(annotation: Any) -> tuple[str, ...]:
    """The flags (``--store``) a parameter's ``Annotated[…, typer.Option(…)]`` declares."""
    for extra in getattr(annotation, "__metadata__", ()):
        if isinstance(extra, typer.models.OptionInfo):
            # In Annotated form Typer reads the first flag from the ``default`` slot.
            first = (extra.default,) if isinstance(extra.default, str) else ()
            return (*first, *(extra.param_decls or ()))
    return ()


def _merged(root: object, given: dict[str, Any], taken: Iterable[str]) -> Shared:
    """This verb's options on top of those given before the verb (``ecokg --data X …``);
    a dataset option the verb does not take (``taken``) keeps its default."""
    base = root if isinstance(root, Shared) else Shared()
    if "store" not in taken:
        base = replace(base, store=None)
    data = [*base.data, *(given.pop("data", None) or [])]
    check_timeout(given.get("timeout"))  # every verb that takes it, whether it uses it or not
    for flag in ("no_bundled", "no_inferred", "debug"):
        given[flag] = bool(given.get(flag)) or getattr(base, flag)
    for name in ("reason_limit", "store"):
        if given.get(name) is None:
            given[name] = getattr(base, name)
    return replace(base, data=data, **given)


def _format_option(choices: Choices, default_note: str) -> Any:
    """``--format/-f`` for a verb, listing exactly the formats it writes."""
    note = f" ({default_note})" if default_note else ""
    return Annotated[
        str | None, typer.Option("--format", "-f", help=f"{choices.help()}{note}.", metavar="FMT")
    ]


def check_timeout(seconds: float | None) -> float | None:
    """--timeout must be a positive, finite number of seconds."""
    if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
        raise UsageError(f"--timeout {seconds:g}: give a positive number of seconds")
    return seconds


def check_lang(lang: str | None, default: str | None = None) -> str | None:
    """--lang is zh or en (or unset, where a verb has no default)."""
    if lang is None:
        return default
    return check_choice("--lang", lang, LANG_CHOICES)
