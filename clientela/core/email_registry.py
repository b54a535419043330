"""What higher apps offer the e-mail features of ``activities`` (the composer and the
contact-history log), registered in their ``AppConfig.ready()`` so that ``activities``
uses them without importing a higher app:

* template sources: e-mail templates a user may start an e-mail from (``marketing``);
* the lead maker: "Create lead" from an e-mail of an unknown sender (``sales``).

Templates:
A source lists the templates a user may read (``options``) and fills one in for a
person (``render``): the subject and the plain-text body, merge fields filled through
``core.merge_fields``. ``render`` raises ``NotFound`` for a template the user may not
read and ``TemplateProblem`` for one that cannot be filled in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clientela.core.errors import NotFound


@dataclass(frozen=True)
class FilledTemplate:
    subject: str
    text: str


@dataclass(frozen=True)
class TemplateSource:
    key: str
    #: (user) -> [(template id, name)] of the templates the user may read.
    options: Callable[[Any], list[tuple[int, str]]]
    #: (user, template id, person id or None) -> the template filled in.
    render: Callable[[Any, int, int | None], FilledTemplate]


template_sources: dict[str, TemplateSource] = {}


def register_template_source(source: TemplateSource) -> None:
    template_sources[source.key] = source


def template_choices(user: Any) -> list[tuple[str, str]]:
    """("<source>:<id>", name) of every template ``user`` may start an e-mail from."""
    return [
        (f"{key}:{pk}", name)
        for key, source in sorted(template_sources.items())
        for pk, name in source.options(user)
    ]


def fill_template(user: Any, choice: str, person_id: int | None) -> FilledTemplate:
    """The template ``choice`` ("<source>:<id>") filled in for the person; ``NotFound``
    when there is no such template for this user."""
    key, _colon, raw_id = choice.partition(":")
    source = template_sources.get(key)
    if source is None or not raw_id.isdecimal():
        raise NotFound()
    return source.render(user, int(raw_id), person_id)


# --- leads from unknown senders -------------------------------------------------------


@dataclass(frozen=True)
class LeadMaker:
    """``make(actor, name, address, subject)`` creates a lead for an e-mail's unknown
    sender and returns (its resource, its id); ``url_name`` is its page (``pk``)."""

    make: Callable[[Any, str, str, str], tuple[str, int]]
    url_name: str


lead_makers: dict[str, LeadMaker] = {}


def register_lead_maker(maker: LeadMaker) -> None:
    lead_makers["lead"] = maker


def lead_maker() -> LeadMaker | None:
    return lead_makers.get("lead")
