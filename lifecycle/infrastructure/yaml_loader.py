"""YAML that remembers line numbers, and a checker that reports "line N: field: problem".

Templates and frameworks are imported from YAML written by people. Every problem is reported with
the line and the dotted path of the field, all at once, and nothing is imported while any remain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import yaml


class YamlFormatError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class Node(dict):
    """A mapping that knows the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class NodeList(list):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> NodeList:
    result = NodeList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def load(text: str) -> Node:
    """Parse one YAML document whose top level is a mapping, or raise YamlFormatError."""
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise YamlFormatError([f"line 1: the file is larger than {MAX_DOCUMENT_BYTES // 1024} KB"])
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlFormatError([f"line {line}: {e.problem or e.context or 'invalid YAML'}"]) from None
    except yaml.YAMLError as e:
        raise YamlFormatError([f"line 1: invalid YAML: {e}"]) from None
    if not isinstance(doc, Node):
        raise YamlFormatError(["line 1: the document must be a mapping (key: value lines)"])
    return doc


SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class Checker:
    """Reads fields from Nodes and collects every problem with its line and path."""

    def __init__(self, errors: list[str] | None = None):
        self.errors: list[str] = errors if errors is not None else []

    def error(self, line: int, path: str, problem: str) -> None:
        self.errors.append(f"line {line}: {path}: {problem}")

    def mapping(self, parent: Node | NodeList, key: Any, path: str, *, required: bool = True) -> Node | None:
        value, line = self._get(parent, key)
        if value is None:
            if required:
                self.error(line, path, "is required")
            return None
        if not isinstance(value, Node):
            self.error(line, path, "must be a mapping")
            return None
        return value

    def sequence(self, parent: Node, key: str, path: str, *, required: bool = True) -> NodeList:
        value, line = self._get(parent, key)
        if value is None:
            if required:
                self.error(line, path, "is required")
            return _empty_list(line)
        if not isinstance(value, NodeList):
            self.error(line, path, "must be a list")
            return _empty_list(line)
        return value

    def text(self, node: Node, key: str, path: str, *, required: bool = True, max_len: int = 200, default: str = "") -> str:
        value, line = self._get(node, key)
        if value is None or value == "":
            if required:
                self.error(line, path, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(line, path, "must be text")
            return default
        value = str(value).strip()
        if len(value) > max_len:
            self.error(line, path, f"must be at most {max_len} characters (it has {len(value)})")
        return value

    def slug(self, node: Node, key: str, path: str, *, required: bool = True, max_len: int = 80) -> str:
        value = self.text(node, key, path, required=required, max_len=max_len)
        if value and not SLUG.match(value):
            self.error(node.line_of(key), path, "must use lower-case letters, digits, dashes or underscores")
        return value

    def integer(self, node: Node, key: str, path: str, *, minimum: int, maximum: int, default: int | None = None) -> int:
        value, line = self._get(node, key)
        if value is None:
            if default is None:
                self.error(line, path, "is required")
                return minimum
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.error(line, path, f"must be a whole number from {minimum} to {maximum}")
            return default if default is not None else minimum
        return value

    def boolean(self, node: Node, key: str, path: str, *, default: bool = False) -> bool:
        value, line = self._get(node, key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(line, path, "must be true or false")
            return default
        return value

    def choice(self, node: Node, key: str, path: str, choices: Iterable[str], *, required: bool = True, default: str = "") -> str:
        allowed = list(choices)
        value, line = self._get(node, key)
        if value is None:
            if required:
                self.error(line, path, f"is required (one of {', '.join(allowed)})")
            return default
        if not isinstance(value, str) or value not in allowed:
            self.error(line, path, f"must be one of {', '.join(allowed)}, not {value!r}")
            return default
        return value

    def a_date(self, node: Node, key: str, path: str, *, required: bool = True) -> date | None:
        value, line = self._get(node, key)
        if value is None:
            if required:
                self.error(line, path, "is required (YYYY-MM-DD)")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(line, path, "must be a date (YYYY-MM-DD)")
            return None

    def strings(self, node: Node, key: str, path: str, *, pattern: re.Pattern | None = None, max_len: int = 100) -> list[str]:
        value, line = self._get(node, key)
        if value is None:
            return []
        if not isinstance(value, NodeList):
            self.error(line, path, "must be a list")
            return []
        result = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or len(item) > max_len or (pattern and not pattern.match(item)):
                self.error(value.line_of(i), f"{path}[{i}]", f"{item!r} is not valid here")
                continue
            result.append(item)
        return result

    def unknown_keys(self, node: Node, allowed: Iterable[str], path: str) -> None:
        known = set(allowed)
        for key in node:
            if key not in known:
                self.error(node.line_of(key), f"{path}.{key}" if path else key, "is not a known field")

    @staticmethod
    def _get(parent: Node | NodeList, key: Any) -> tuple[Any, int]:
        if isinstance(parent, NodeList):
            return (parent[key] if key < len(parent) else None), parent.line_of(key)
        return parent.get(key), parent.line_of(key)


def _empty_list(line: int) -> NodeList:
    empty = NodeList()
    empty.line = line
    empty.item_lines = []
    return empty
