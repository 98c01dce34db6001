"""Schemas several resources share: pagination."""

from __future__ import annotations

from collections.abc import Sequence

from marshmallow import Schema, fields, validate

MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000  # keeps (page - 1) * page_size inside a 64-bit OFFSET


class PageArgs(Schema):
    """Query arguments of a paginated list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "Page number, from 1."})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
                               metadata={"description": f"Items per page (at most {MAX_PAGE_SIZE})."})


class PageMeta(Schema):
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer(metadata={"description": "Items in all pages."})
    pages = fields.Integer()


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """Return the envelope schema of a list of `item`: the same `PageMeta` every list answers with."""
    return type(name, (PageMeta,), {"items": fields.List(fields.Nested(item)),
                                    "__doc__": f"One page of {item.__name__} items."})


def page_slice(items: Sequence, args: dict) -> dict:
    """Return the envelope of one page of a list already in memory (a short, bounded list)."""
    start = (args["page"] - 1) * args["page_size"]
    return page_of(list(items[start:start + args["page_size"]]), len(items), args)


def page_of(items: list, total: int, args: dict) -> dict:
    """Return the envelope of one page: items plus where it sits."""
    size = args["page_size"]
    return {"items": items, "page": args["page"], "page_size": size, "total": total,
            "pages": (total + size - 1) // size}
