"""Test data of the marketing kinds of this part for the generic tests in
``core.testing``: a segment (everyone, by default) and a static list, made by their
owner through the services."""

from __future__ import annotations

from clientela.core.testing.kinds import KindFactory, register_kind_factory
from clientela.marketing.models import Segment, StaticList
from clientela.marketing.services import segments

SEGMENTS = register_kind_factory(
    KindFactory(
        resource=Segment.RESOURCE,
        make=lambda owner, label: segments.segment_create(
            actor=owner, data={"name": label, "rules": {"all": []}}
        ),
        api_body=lambda actor, label: {"name": label, "rules": {"all": []}},
        change={"name": "Renamed"},
        required_field="name",
    )
)

LISTS = register_kind_factory(
    KindFactory(
        resource=StaticList.RESOURCE,
        make=lambda owner, label: segments.list_create(actor=owner, data={"name": label}),
        api_body=lambda actor, label: {"name": label},
        change={"name": "Renamed"},
        required_field="name",
    )
)
