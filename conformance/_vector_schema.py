"""Validating a vector file against ``vectors/schema.json``, with or without ``jsonschema``.

gradspec does not depend on ``jsonschema``. When it is installed it does the validation;
otherwise `validate` covers the subset of JSON Schema that ``schema.json`` uses:
``type``, ``enum``, ``const``, ``pattern``, ``minimum``, ``minItems``, ``maxItems``,
``required``, ``properties``, ``additionalProperties``, ``items``, ``anyOf`` and local
``$ref`` to ``#/$defs/...``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_schema", "validate", "validate_file"]

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


@cache
def load_schema() -> dict[str, Any]:
    """The shipped ``schema.json``."""
    text = (resources.files("gradspec.conformance") / "vectors" / "schema.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list:
    """The problems of ``value`` against ``schema`` (empty when valid), each naming its path."""
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref!r}")
        return validate(value, root["$defs"][ref[len("#/$defs/") :]], root, path)
    if "anyOf" in schema:
        attempts = [validate(value, option, root, path) for option in schema["anyOf"]]
        if all(attempts):
            best = min(attempts, key=len)
            return [f"{path}: matches none of the allowed forms; closest: {best[0]}"]
        return []
    problems: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is_type(value, k) for k in kinds):
            return [f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: must be {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        problems.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if "minimum" in schema and _is_type(value, "number") and value < schema["minimum"]:
        problems.append(f"{path}: {value!r} is below the minimum {schema['minimum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(f"{path}: needs at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{path}: allows at most {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                problems += validate(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(f"{path}: missing required key {key!r}")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                problems += validate(item, properties[key], root, f"{path}.{key}")
            elif extra is False:
                problems.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                problems += validate(item, extra, root, f"{path}.{key}")
    return problems


def validate_file(document: Any, *, use_jsonschema: bool | None = None) -> list[str]:
    """The problems of a whole vector file (empty when valid).

    ``use_jsonschema``: None uses it when installed, True requires it, False never uses it.
    """
    schema = load_schema()
    if use_jsonschema is not False:
        try:
            import jsonschema
        except ImportError:
            if use_jsonschema:
                raise
        else:
            validator = jsonschema.Draft202012Validator(schema)
            return [
                f"$.{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
                for error in validator.iter_errors(document)
            ]
    return validate(document, schema, schema)
