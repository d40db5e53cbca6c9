"""Parse one YAML document once, with the C parser when available, into data plus a line for every path.

YAML that could mean something other than what it shows is refused with its line: duplicate keys (YAML
says last wins, so a trailing `rules: []` would silently drop every rule), aliases (`*name`, which can
expand exponentially: an alias bomb), nesting deeper than `MAX_YAML_DEPTH` and more than `MAX_YAML_NODES`
nodes. The node tree is composed here from the parser's events without recursion, so a deeply nested file
is refused before anything recurses, and the line index is a walk of that same tree (no second parse).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from brinkmanship.errors import InputError
from brinkmanship.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML was built with libyaml

Lines = dict[tuple[Any, ...], int]


class SafeYamlLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader (C parser when available) with YAML 1.2 booleans, so a rule's `on:` key stays a string."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Turn a value Python cannot hold (e.g. the date 2018-02-30) into a YAML error at its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {getattr(node, 'value', '')!r} ({exc})", node.start_mark) from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """Refuse a key given twice in one mapping (YAML would keep the last one silently)."""
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue  # a collection as a key is refused by the constructor itself
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise _DuplicateKeyError(key, line, seen[key])
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKeyError(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


SafeYamlLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
SafeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _refuse(message: str, file: str | None, line: int | None, fix: str) -> InputError:
    return InputError(message, file=file, line=line, fix=fix)


def _compose(loader: Any, file: str | None) -> Node | None:
    """The document's node tree, built from the parser's events with an explicit stack (no recursion)."""
    loader.get_event()  # stream start
    if loader.check_event(StreamEndEvent):
        return None
    loader.get_event()  # document start
    root: Node | None = None
    stack: list[Node] = []
    count = 0
    while True:
        event = loader.get_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise _refuse(f"YAML alias '*{event.anchor}' is not allowed", file, line,
                          "write the value out in full instead of referring to an anchor")
        if isinstance(event, CollectionEndEvent):
            stack.pop().end_mark = event.end_mark
            if not stack:
                break
            continue
        count += 1
        if count > MAX_YAML_NODES:
            raise _refuse(f"more than {MAX_YAML_NODES:,} YAML nodes", file, line,
                          f"keep the file under {MAX_YAML_NODES:,} values")
        tag = event.tag
        node: Node
        if isinstance(event, ScalarEvent):
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        elif isinstance(event, SequenceStartEvent | MappingStartEvent):
            kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise _refuse(f"unexpected YAML event {type(event).__name__}", file, line, "check the file")
        if stack:
            parent = stack[-1]
            if isinstance(parent, SequenceNode):
                parent.value.append(node)
            elif parent.value and len(parent.value[-1]) == 1:
                parent.value[-1] = (parent.value[-1][0], node)
            else:
                parent.value.append((node,))
        else:
            root = node
        if isinstance(node, ScalarNode):
            if not stack:
                break
        else:
            stack.append(node)
            if len(stack) > MAX_YAML_DEPTH:
                raise _refuse(f"nesting deeper than {MAX_YAML_DEPTH} levels", file, line,
                              f"flatten the structure to at most {MAX_YAML_DEPTH} levels")
    loader.get_event()  # document end
    if not loader.check_event(StreamEndEvent):
        event = loader.get_event()
        raise _refuse("more than one YAML document in the file", file, event.start_mark.line + 1,
                      "remove the `---` separator and everything after it")
    return root


def _line_index(root: Node | None) -> Lines:
    """Map each YAML path (keys and list indexes) to its 1-based line (an iterative walk of the tree)."""
    lines: Lines = {}
    todo: list[tuple[Node, tuple[Any, ...]]] = [(root, ())] if root is not None else []
    while todo:
        node, path = todo.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            for key, value in node.value:
                k = key.value if isinstance(key, ScalarNode) else None
                lines[(*path, k)] = key.start_mark.line + 1
                todo.append((value, (*path, k)))
        elif isinstance(node, SequenceNode):
            todo.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return lines


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, Lines]:
    """Parse `text` (one YAML document) into plain data and a line for every key path; refuse tricks."""
    loader = SafeYamlLoader(text)
    try:
        root = _compose(loader, file)
        lines = _line_index(root)
        data = None if root is None else loader.construct_document(root)
    except _DuplicateKeyError as dup:
        raise InputError(f"key '{dup.key}' appears twice in one mapping (first on line {dup.first})",
                         file=file, field=str(dup.key), line=dup.line,
                         fix="keep one of the two entries: YAML would silently drop the first") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"malformed YAML: {problem}", file=file, line=mark.line + 1 if mark else None,
                         fix="check indentation, colons and quotes on that line") from None
    finally:
        loader.dispose()
    return data, lines
