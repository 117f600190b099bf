"""Content negotiation: pick the response media type from the ``Accept`` header (RFC 9110, section 12.5.1)."""

from __future__ import annotations

from collections.abc import Sequence

from service.domain.errors import ServiceError


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights q; a range with an invalid q counts as q = 0."""
    ranges = []
    for part in accept.split(","):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                q = q if 0.0 <= q <= 1.0 else 0.0
        if media_range:
            ranges.append((media_range.lower(), q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The weight of ``media_type``: that of the most specific matching range (type/subtype, type/*, */*)."""
    main_type = media_type.split("/", 1)[0]
    specificity = {media_type: 2, f"{main_type}/*": 1, "*/*": 0}
    matches = [(specificity[media_range], q) for media_range, q in ranges if media_range in specificity]
    return max(matches)[1] if matches else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type the client prefers; ``offered[0]`` without an Accept header or on a tie.

    Raises
    ------
    ServiceError
        406 when the header accepts none of ``offered``.
    """
    if accept is None or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    q, _, media_type = max((_quality(offer, ranges), -index, offer) for index, offer in enumerate(offered))
    if q <= 0.0:
        raise ServiceError(
            406,
            f"This endpoint answers {' or '.join(offered)}; the Accept header {accept[:100]!r} accepts neither.",
            type_="/problems/not-acceptable",
        )
    return media_type
