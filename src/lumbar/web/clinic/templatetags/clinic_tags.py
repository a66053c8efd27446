from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    """`mapping|get_item:key`: a dict's value by a key held in a variable (None when absent)."""
    return (mapping or {}).get(key)
