"""What the schema allows, read from the pydantic models themselves (`sim.config`, each
programme's `Params`), so that a key added to the schema later is fuzzed without an edit here.

`leaves(raw, model)` walks a composed config (a plain dict) alongside its schema and lists every
value the schema types as a number, a flag, a pair, a date or an optional, with the range its
field constraints give. Fields the config leaves at their default are listed too.
"""
from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class Number:
    kind: type                      # int or float
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False


@dataclass(frozen=True)
class Flag:
    pass


@dataclass(frozen=True)
class Pair:
    item: Number


@dataclass(frozen=True)
class Date:
    pass


@dataclass(frozen=True)
class Optional:
    inner: Any


@dataclass(frozen=True)
class Model:
    cls: type[BaseModel]


@dataclass(frozen=True)
class Mapping:
    value: Any


@dataclass(frozen=True)
class Other:
    """Text, lists and free-form values: fuzzed by the generator's own rules, if at all."""

    annotation: Any


def _constraints(metadata: list) -> dict:
    out: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, FieldInfo):
            out.update(_constraints(m.metadata))
        elif isinstance(m, at.Ge):
            out.update(lo=m.ge, lo_open=False)
        elif isinstance(m, at.Gt):
            out.update(lo=m.gt, lo_open=True)
        elif isinstance(m, at.Le):
            out.update(hi=m.le, hi_open=False)
        elif isinstance(m, at.Lt):
            out.update(hi=m.lt, hi_open=True)
    return out


def spec(annotation: Any, metadata: list | None = None) -> Any:
    """The fuzzing spec of a type annotation (with its field's constraint metadata)."""
    metadata = list(metadata or [])
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return spec(base, metadata + extra)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = spec(args[0], metadata) if len(args) == 1 else Other(annotation)
        return Optional(inner) if type(None) in typing.get_args(annotation) else inner
    if annotation is bool:
        return Flag()
    if annotation in (int, float):
        return Number(annotation, **_constraints(metadata))
    if annotation is dt.date:
        return Date()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Model(annotation)
    if origin is dict:
        return Mapping(spec(typing.get_args(annotation)[1]))
    if origin is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and all(spec(a) == Number(int) for a in args):
            return Pair(Number(int))
    return Other(annotation)


def field_spec(field: FieldInfo) -> Any:
    return spec(field.annotation, field.metadata)


def leaves(raw: Any, node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, spec) of every fuzzable value under `raw`, typed by `node` (a spec)."""
    if isinstance(node, Model):
        out = []
        raw = raw if isinstance(raw, dict) else {}
        for name, field in node.cls.model_fields.items():
            out += leaves(raw.get(name, field.default), field_spec(field), (*path, name))
        return out
    if isinstance(node, Mapping):
        if not isinstance(raw, dict):
            return []
        return [leaf for key in raw for leaf in leaves(raw[key], node.value, (*path, key))]
    if isinstance(node, Optional) and isinstance(node.inner, Model | Mapping):
        return leaves(raw, node.inner, path) if raw is not None else []
    if isinstance(node, Other):
        return [(path, node)]
    return [(path, node)]


def get(raw: dict, path: tuple) -> Any:
    for key in path:
        raw = raw[key]
    return raw


def put(raw: dict, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(raw.get(key), dict):
            raw[key] = {}
        raw = raw[key]
    raw[path[-1]] = value
