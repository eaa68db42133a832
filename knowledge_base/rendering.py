"""Markdown to sanitized HTML: managers write Markdown, agents' browsers never run it."""

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"img"}) | {"table", "thead", "tbody", "tr", "th", "td", "mark"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)
