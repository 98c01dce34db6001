"""Validation helpers shared by the families: clear errors for bad parameters.

Each helper reads one parameter, checks its type and bounds, and returns it in
canonical form (ints as ints, per-dimension values as lists of length `ndim`).
Errors name the parameter and say what is allowed.
"""

from __future__ import annotations

from typing import Any, Iterable

from quizsvc.errors import ParamError, TooLargeError

MAX_SIDE = 4096           # largest spatial size of a shape-only problem
MAX_CHANNELS = 1 << 16    # largest channel count of a shape-only problem
MAX_ARRAY_SIDE = 16       # largest side of a concrete input/kernel tensor
MAX_ARRAY_ENTRIES = 1024  # largest number of entries of any concrete tensor or matrix
MAX_ABS_VALUE = 10**6     # largest magnitude of a concrete tensor entry


def only_keys(params: dict[str, Any], required: Iterable[str], optional: Iterable[str] = ()) -> None:
    """Refuse missing and unknown parameter names."""
    if not isinstance(params, dict):
        raise ParamError("params must be a JSON object")
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [k for k in required if k not in params]
    unknown = sorted(k for k in params if k not in allowed)
    errors = {k: "missing" for k in missing} | {k: "unknown parameter" for k in unknown}
    if errors:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            parts.append("unknown " + ", ".join(unknown) + f" (allowed: {', '.join(sorted(allowed))})")
        raise ParamError("bad parameters: " + "; ".join(parts), errors=errors)


def integer(params: dict[str, Any], name: str, low: int, high: int, default: Any = None) -> int:
    """Return ``params[name]`` as an int in ``[low, high]``."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ParamError(f"{name} must be an integer, got {value!r}", errors={name: "not an integer"})
    if not low <= value <= high:
        err = TooLargeError if value > high and high >= 1000 else ParamError
        raise err(f"{name} must be between {low} and {high}, got {value}",
                  errors={name: f"out of range [{low}, {high}]"})
    return value


def number(params: dict[str, Any], name: str, low: float, high: float, default: Any = None) -> float:
    """Return ``params[name]`` as a float in ``[low, high]``."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ParamError(f"{name} must be a number, got {value!r}", errors={name: "not a number"})
    if not low <= value <= high:
        raise ParamError(f"{name} must be between {low} and {high}, got {value}",
                         errors={name: f"out of range [{low}, {high}]"})
    return value


def boolean(params: dict[str, Any], name: str, default: Any = None) -> bool:
    """Return ``params[name]`` as a bool."""
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise ParamError(f"{name} must be true or false, got {value!r}", errors={name: "not a boolean"})
    return value


def one_of(params: dict[str, Any], name: str, options: Iterable[str], default: Any = None) -> str:
    """Return ``params[name]`` if it is one of `options`."""
    options = tuple(options)
    value = params.get(name, default)
    if value not in options:
        raise ParamError(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}",
                         errors={name: "not an allowed value"})
    return value


def per_dim(params: dict[str, Any], name: str, ndim: int, low: int, high: int,
            default: Any = None) -> list[int]:
    """Return a per-dimension value (an int or a list of `ndim` ints) as a list of `ndim` ints."""
    value = params.get(name, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value] * ndim
    if not isinstance(value, (list, tuple)) or len(value) != ndim:
        raise ParamError(f"{name} must be an integer or a list of {ndim} integers, got {value!r}",
                         errors={name: f"expected {ndim} values"})
    return [integer({name: v}, name, low, high) for v in value]


def size_list(params: dict[str, Any], name: str, min_dims: int, max_dims: int, low: int,
              high: int) -> list[int]:
    """Return a list of 1..3 spatial sizes, e.g. ``in_size: [H, W]``."""
    value = params.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)) or not min_dims <= len(value) <= max_dims:
        raise ParamError(f"{name} must be a list of {min_dims} to {max_dims} integers, got {value!r}",
                         errors={name: f"expected {min_dims}-{max_dims} sizes"})
    return [integer({name: v}, name, low, high) for v in value]


def tensor(params: dict[str, Any], name: str, ndim: int, *, max_side: int = MAX_ARRAY_SIDE,
           integral: bool = True, min_side: int = 1) -> list:
    """Return a nested list of `ndim` dimensions (1 or 2), rectangular and bounded."""
    value = params.get(name)
    if ndim == 1:
        rows = [value]
    else:
        rows = value
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        raise ParamError(f"{name} must be a {'list' if ndim == 1 else 'list of rows'} of numbers",
                         errors={name: "not a tensor"})
    width = len(rows[0])
    if len(rows) > max_side or width > max_side:
        raise TooLargeError(f"{name} is too large: at most {max_side} per side",
                            errors={name: "too large"})
    if len(rows) < min_side or width < min_side:
        raise ParamError(f"{name} must be at least {min_side} per side", errors={name: "too small"})
    out = []
    for row in rows:
        if len(row) != width:
            raise ParamError(f"{name} must be rectangular: rows of {width} entries", errors={name: "ragged"})
        clean = []
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
                raise ParamError(f"{name} entries must be numbers, got {v!r}", errors={name: "not a number"})
            if abs(v) > MAX_ABS_VALUE:
                raise ParamError(f"{name} entries must be at most {MAX_ABS_VALUE} in magnitude",
                                 errors={name: "entry too large"})
            if integral:
                if isinstance(v, float) and not v.is_integer():
                    raise ParamError(f"{name} entries must be integers", errors={name: "not integers"})
                v = int(v)
            clean.append(v)
        out.append(clean)
    return out[0] if ndim == 1 else out


def window_fits(size: Iterable[int], kernel: Iterable[int], padding: Iterable[int],
                dilation: Iterable[int] | None = None, *, field: str = "kernel_size",
                what: str = "kernel", where: str = "input") -> None:
    """Refuse a (dilated) kernel that spans more positions than the padded input has."""
    size, kernel, padding = list(size), list(kernel), list(padding)
    dilation = [1] * len(size) if dilation is None else list(dilation)
    for i, (n, k, p, d) in enumerate(zip(size, kernel, padding, dilation)):
        span = d * (k - 1) + 1
        if span > n + 2 * p:
            raise ParamError(f"dimension {i}: the {what} spans {span} positions but the padded "
                             f"{where} has only {n + 2 * p}",
                             errors={field: "larger than the padded input"})


def limit_entries(count: int, what: str, limit: int = MAX_ARRAY_ENTRIES) -> None:
    """Refuse a problem whose matrix or tensor would have more than `limit` entries."""
    if count > limit:
        raise TooLargeError(f"{what} would have {count} entries; at most {limit} are allowed",
                            errors={"params": "problem too large"})
