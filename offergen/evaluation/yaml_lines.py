"""Where a field of a YAML file is: the line of the node a validation error points at."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import yaml


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """1-based line of the deepest node of `loc` found in `text` (None if the YAML is not a
    mapping or sequence). Parts of `loc` that are not keys (union tags) are skipped."""
    node = _compose(text)
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            continue
        node, line = child, child.start_mark.line + 1
    return line


@lru_cache(maxsize=4)
def _compose(text: str) -> yaml.Node | None:
    """The node tree, parsed once per text (a suite asks for many lines of the same file)."""
    try:
        node: yaml.Node | None = yaml.compose(text)
    except yaml.YAMLError:
        return None
    return node


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                found: yaml.Node = value
                return found
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        item: yaml.Node = node.value[part]
        return item
    return None
