"""YAML front matter: safe, YAML 1.2 core types, no duplicate keys, bounded once expanded.

No Django here.
"""

import re

import yaml

from . import limits
from .errors import PostError

# Real front matter uses no aliases. With k aliases a "billion laughs" nesting can expand
# to about e**(k/e) nodes: 20 keeps that near 1,600, so walking the data stays cheap.
MAX_ALIASES = 20

BaseLoader = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader
YAML_BOOL, YAML_INT, YAML_FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))
YAML_STR = "tag:yaml.org,2002:str"
# Keys whose values are text whatever they look like: 'title: yes', 'title: 010' and
# 'tags: [2022]' are the text written, as js-yaml (Hexo's parser) gives them.
TEXT_KEYS = {"title", "author", "slug", "permalink", "excerpt", "description"}
TEXT_LIST_KEYS = {"tags", "tag", "categories", "category"}


class UniqueKeyLoader(BaseLoader):
    """Safe YAML, resolved as YAML 1.2's core schema (js-yaml's, so Hexo's), refusing
    duplicate keys instead of silently keeping the last one.

    PyYAML follows YAML 1.1, where 'yes' and 'on' are booleans, '010' is octal 8 and '12:30'
    is the base-60 number 750. Only the resolvers change: libyaml still parses.
    """

    yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in (YAML_BOOL, YAML_INT, YAML_FLOAT)
        ]
        for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node, deep=False):
        # PyYAML's own constructors raise plain Python errors on values that look like their
        # type but are not: 'date: 1900-02-30' (ValueError), '!!bool maybe' (KeyError),
        # '!!timestamp x' (AttributeError), a 5,000-digit integer (ValueError). Each crashed
        # the whole run; here it becomes this file's error, at the value's line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
            raise PostError(
                f"front matter value {shown(node)} is not a valid {short_tag(node.tag)}"
                + (f" ({str(error).split(';')[0]})" if isinstance(error, ValueError) else ""),
                line=node.start_mark.line + 1,
            ) from error

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # '<<: *base' (keys merged below)
                continue
            if key_node.tag == YAML_STR and isinstance(key_node, yaml.ScalarNode):
                key = key_node.value  # what constructing it gives, without the call
            else:
                key = self.construct_object(key_node, deep=deep)
            marker = key.lower() if isinstance(key, str) else key
            try:
                duplicate = marker in seen
            except TypeError:  # a list as a key: super() refuses it, with its line
                continue
            if duplicate:
                raise PostError(f"duplicate key '{key}'", line=key_node.start_mark.line + 1)
            seen.add(marker)
        # A key written beside '<<' overrides the merged one: that is the merge key's point,
        # not a duplicate.
        self.flatten_mapping(node)
        return super().construct_mapping(node, deep=deep)

    def construct_core_bool(self, node):
        return {"true": True, "false": False}[node.value.lower()]  # KeyError: '!!bool maybe'

    def construct_core_int(self, node):
        text = node.value.replace("_", "")
        sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
        base = {"0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
        return sign * int(digits[2:] if base != 10 else digits, base)

    def construct_core_float(self, node):
        text = node.value.lower()
        if text.endswith((".inf", ".nan")):
            return float(text.replace(".", ""))
        return float(text)


UniqueKeyLoader.add_constructor(YAML_BOOL, UniqueKeyLoader.construct_core_bool)
UniqueKeyLoader.add_constructor(YAML_INT, UniqueKeyLoader.construct_core_int)
UniqueKeyLoader.add_constructor(YAML_FLOAT, UniqueKeyLoader.construct_core_float)
UniqueKeyLoader.add_implicit_resolver(
    YAML_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
UniqueKeyLoader.add_implicit_resolver(
    YAML_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
UniqueKeyLoader.add_implicit_resolver(
    YAML_FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def as_written(node, depth=0):
    """Plain scalars of text fields keep the text written ('yes', '010'), not a number."""
    if isinstance(node, yaml.ScalarNode):
        if not node.style and node.tag in (YAML_BOOL, YAML_INT, YAML_FLOAT):  # plain: ""
            node.tag = YAML_STR
    elif isinstance(node, yaml.SequenceNode) and depth < 2:  # [[a, b], [c]] for categories
        for item in node.value:
            as_written(item, depth + 1)


def expanded_size(root):
    """Characters plus nodes of the data once every alias is expanded, without expanding
    them: an alias shares its anchor's node, so each node's size is summed once."""
    sizes, stack = {}, [(root, False)]
    in_progress = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1 + len(node.value)
            continue
        children = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        if children_done:
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            in_progress.discard(key)
            continue
        if key in in_progress:
            raise PostError("YAML refers to itself (an alias inside its own anchor)", line=1)
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def short_tag(tag):
    return tag.removeprefix("tag:yaml.org,2002:")


def shown(node):
    value = node.value if isinstance(node.value, str) else f"<{short_tag(node.tag)}>"
    return repr(value if len(value) <= 40 else value[:40] + "…")


def load_yaml(text, first_line):
    if "*" in text:
        aliases = sum(
            isinstance(t, yaml.AliasToken) for t in yaml.scan(text, Loader=yaml.SafeLoader)
        )
        if aliases > MAX_ALIASES:
            raise PostError(f"YAML uses {aliases} aliases; refusing a possible alias bomb")
    loader = UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Without an alias every node is written out in the text, so the size stays within a
        # small multiple of the text's length (1.5 for '?', the most found): no walk needed.
        most = limits.current().front_matter_size
        size = 0 if "*" not in text and 4 * (len(text) + 1) <= most else expanded_size(node)
        if size > most:
            raise PostError(
                f"front matter expands to {size:,} characters and nodes "
                f"(limit {most:,}); refusing a possible alias bomb",
                line=1,
            )
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value.strip().lower() if key_node.tag == YAML_STR else None
                if key in TEXT_KEYS or key in TEXT_LIST_KEYS:
                    as_written(value_node, 0 if key in TEXT_LIST_KEYS else 2)
        return loader.construct_document(node)
    except PostError as error:
        error.line = (error.line or 0) + first_line - 1
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and start and mark and start.line != mark.line:
            # 'found unexpected end of stream' points at the fence; say where it began.
            problem += f" {context} that starts on line {start.line + first_line}"
        raise PostError(f"front matter is not valid YAML: {problem}", line=line) from error
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # What construct_object() below cannot see: the top-level mapping itself.
        raise PostError(f"front matter cannot be read: {error}", line=first_line) from error
    finally:
        loader.dispose()
