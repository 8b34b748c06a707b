"""Read YAML safely, remembering line numbers and catching duplicate keys.

PyYAML keeps the last of two equal keys without a word; an instrument with two scales of the
same id must be an error instead. Mappings come back as :class:`LineDict`, which knows the line
it started on, so that problems can point into the file.

Anchors and aliases let a file of a few hundred bytes stand for a hundred million values (a
"billion laughs"). PyYAML shares the aliased objects, but anything that walks the result (the
checks, a message quoting a value) pays for the expanded size. So the node graph is measured
before anything is constructed: at most :data:`MAX_VALUES` values once every alias is
expanded, at most :data:`MAX_DEPTH` levels of nesting, and no alias inside itself.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Most values (texts, numbers, lists, mappings; an alias counts each time it is used) that a
#: YAML file read by colead may expand to. The bundled instruments hold fewer than 5,000.
MAX_VALUES = 200_000
#: Deepest nesting of lists and mappings (an instrument needs fewer than 10 levels).
MAX_DEPTH = 50


class YAMLTooLarge(yaml.YAMLError):
    """A YAML file that expands beyond :data:`MAX_VALUES` or nests beyond :data:`MAX_DEPTH`."""


class LineDict(dict):  # type: ignore[type-arg]
    """A dict that remembers the (1-based) line of the YAML mapping it was read from."""

    line: int = 0


class _Loader(_Base):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[Any, int]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            ) from None
        if key in data:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        data[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(text: str) -> tuple[Any, list[tuple[Any, int]]]:
    """Parse ``text``; return the data and the duplicate keys found as ``(key, line)``.

    Raises ``yaml.YAMLError`` for text that is not YAML, and :class:`YAMLTooLarge` for YAML
    that expands beyond :data:`MAX_VALUES` values or nests beyond :data:`MAX_DEPTH` levels.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the pure-Python parser on deep nesting
            raise YAMLTooLarge(f"nests deeper than {MAX_DEPTH} levels") from None
        if node is None:
            return None, []
        check_size(node)
        return loader.construct_document(node), loader.duplicate_keys
    finally:
        loader.dispose()


def check_size(root: yaml.Node) -> None:
    """Raise :class:`YAMLTooLarge` unless the document under ``root`` expands to at most
    MAX_VALUES values, nests at most MAX_DEPTH levels and has no alias inside itself.

    Sizes are summed over the node graph once per node (an alias is a second reference to the
    same node), so a document claiming 10^8 values is measured in a few hundred steps.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()  # the node being measured and its ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_VALUES:
                raise YAMLTooLarge(
                    f"expands to more than {MAX_VALUES:,} values (anchors and aliases "
                    f"included) at line {node.start_mark.line + 1}"
                )
            if depth[key] > MAX_DEPTH:
                raise YAMLTooLarge(
                    f"nests deeper than {MAX_DEPTH} levels at line {node.start_mark.line + 1}"
                )
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise YAMLTooLarge(
                f"an alias refers to a value that contains it (line {node.start_mark.line + 1})"
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML syntax error, with its line when known."""
    if isinstance(exc, YAMLTooLarge):
        return f"too large to read: {exc}"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"not valid YAML: {problem}"
