"""The analysis configuration: ``analysis.yaml`` as a validated, typed, immutable object.

Unknown keys and wrong types are :class:`~kit.errors.ConfigError` s that name the key,
the value found and the allowed values. Paths resolve relative to the YAML file.

The sections' models live in :mod:`kit.data._config_sections` and are re-exported here; this
module puts them together (:class:`AnalysisConfig`) and reads and validates the file
(:func:`load_config`), turning pydantic's errors into messages that name the key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from kit.data._config_sections import (
    GERMAN_STATES,
    OUTCOMES,
    Action,
    Addresses,
    Business,
    BusinessHours,
    CLVSettings,
    CsvOptions,
    DataSources,
    Drivers,
    LocalText,
    Periods,
    Privacy,
    RowFilter,
    TableSource,
    Target,
    Thresholds,
    Winback,
    _KeyError,
    _Model,
    _unknown,
    localise,
)
from kit.definitions import DEFINITIONS, KPI_IDS
from kit.errors import ConfigError

__all__ = [
    "AnalysisConfig", "Business", "Target", "Periods", "BusinessHours", "Thresholds", "CLVSettings", "Drivers",
    "Action", "Addresses", "Privacy", "CsvOptions", "TableSource", "DataSources", "load_config",
    "GERMAN_STATES", "OUTCOMES", "read_yaml", "override_thresholds", "THRESHOLD_OVERRIDES", "LocalText", "localise",
    "RowFilter", "Winback",
]

#: The thresholds an analyst most often varies, overridable per run (``loyalty-kit run -p inactivity_days=90``)
#: or per notebook (its ``parameters`` cell) without editing the YAML.
THRESHOLD_OVERRIDES: tuple[str, ...] = ("inactivity_days", "sla_hours", "min_n")


class AnalysisConfig(_Model):
    """The whole analysis configuration. Build it with :func:`load_config`.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    >>> cfg.thresholds.inactivity_days
    180
    """

    business: Business
    periods: Periods = Periods()
    targets: dict[str, Target] = Field(default_factory=dict)
    thresholds: Thresholds = Thresholds()
    clv: CLVSettings = CLVSettings()
    drivers: Drivers = Drivers()
    actions: tuple[Action, ...] = ()
    privacy: Privacy = Privacy()
    winback: Winback = Winback()
    data: DataSources
    source: Path | None = Field(None, description="The YAML file this was read from (set by load_config)")

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: dict[str, Target]) -> dict[str, Target]:
        for kpi in value:
            if kpi not in DEFINITIONS:
                raise _KeyError(_unknown("KPI id", kpi, KPI_IDS), kpi)
        return value

    @field_validator("actions")
    @classmethod
    def _unique_actions(cls, value: tuple[Action, ...]) -> tuple[Action, ...]:
        ids = [a.id for a in value]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"action ids must be unique; repeated: {', '.join(dupes)}")
        return value

    def direction(self, kpi: str) -> Literal["higher", "lower"]:
        """Which direction is better for ``kpi`` under this configuration."""
        target = self.targets.get(kpi)
        if target and target.direction:
            return target.direction
        better = DEFINITIONS[kpi].better
        if better == "configured":
            return "higher" if self.thresholds.ces_higher_is_better else "lower"
        return better


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """Walk ``loc`` through nested models to list the keys allowed at its parent."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            args = getattr(current, "__args__", ())
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if not models:
                return None
            current = models[0]
            if isinstance(part, str) and part in current.model_fields:
                current = current.model_fields[part].annotation
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    args = getattr(current, "__args__", ())
    models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
    return list(models[0].model_fields) if models else None


def _describe(error: dict[str, Any], file: str) -> tuple[str, str]:
    loc = tuple(p for p in error["loc"])
    subkey = getattr((error.get("ctx") or {}).get("error"), "subkey", None)
    if subkey is not None:
        loc = (*loc, subkey)
    key = ".".join(str(p) for p in loc) or "(top level)"
    if error["type"] == "extra_forbidden":
        allowed = [k for k in _allowed_keys(AnalysisConfig, loc) or [] if k != "source"]
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return key, f"{file}, key '{key}': unknown key.{hint} Allowed keys here: {', '.join(allowed)}."
    if error["type"] == "missing":
        return key, f"{file}, key '{key}': required but missing. Add it to the configuration."
    msg = error["msg"].removeprefix("Value error, ")
    found = error.get("input")
    shown = f" (found {found!r})" if not isinstance(found, (dict, list)) else ""
    return key, f"{file}, key '{key}': {msg}{shown}."


def _refuse_repeated_keys(node: yaml.Node, file: str, where: str = "") -> None:
    """Raise a ConfigError for a key written twice in one mapping (YAML would keep the last silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key != "<<":
                line = key_node.start_mark.line + 1
                if key in seen:
                    full = f"{where}.{key}" if where else key
                    raise ConfigError(
                        f"{file}, key '{full}': written twice (lines {seen[key]} and {line}); YAML would silently "
                        f"keep only the second. Remove one of them or merge their values.", key=full)
                seen[key] = line
            _refuse_repeated_keys(value_node, file, f"{where}.{key}" if where and key else (key or where))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_repeated_keys(item, file, f"{where}[{i}]")


def read_yaml(path: Path, *, missing: str) -> Any:
    """Parse a YAML file; a missing file or a syntax error is a :class:`ConfigError`.

    Parameters
    ----------
    path : Path
        The file.
    missing : str
        The whole message when the file does not exist (say which setting points at it).

    Returns
    -------
    object
        The parsed document.

    Raises
    ------
    ConfigError
        The file is missing, or not YAML (the message gives line and column), or a key is written
        twice in one mapping (the message names the key and both lines).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = p.write_text("a: [1, 2")
    >>> try:
    ...     read_yaml(p, missing="no file")
    ... except ConfigError as err:
    ...     print(str(err).split(":")[0])
    x.yaml
    """
    if not path.is_file():
        raise ConfigError(missing)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _refuse_repeated_keys(node, path.name)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path.name}: not valid YAML{where}: {getattr(exc, 'problem', exc)}. "
                          "Check the indentation and quotes around that line.") from None


def load_config(path: str | Path) -> AnalysisConfig:
    """Read and validate an ``analysis.yaml``.

    Parameters
    ----------
    path : str or Path
        The YAML file. Relative paths inside it resolve against its folder.

    Returns
    -------
    AnalysisConfig

    Raises
    ------
    ConfigError
        When the file is missing, is not YAML, or does not validate. The message
        names the key, the value found and the allowed values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "analysis.yaml"
    >>> _ = p.write_text("business: {name: Shop}\\ndata: {tables: {orders: {file: orders.csv}}}\\n")
    >>> load_config(p).data.tables["orders"].file.name
    'orders.csv'
    """
    path = Path(path)
    raw = read_yaml(path, missing=f"configuration file {str(path)!r} does not exist. Pass --config PATH "
                                  "with the path of your analysis.yaml (the sample's is data/analysis.yaml).")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a mapping of sections (business:, data:, …), "
                          f"found {type(raw).__name__}.")
    if "source" in raw:
        raise ConfigError(f"{path.name}, key 'source': unknown key. It is set by the kit to the file's own path; "
                          "remove it.", key="source")
    raw = {**raw, "source": str(path.resolve())}
    try:
        return AnalysisConfig.model_validate(raw, context={"base": path.resolve().parent})
    except ValidationError as exc:
        # unknown keys first: a misspelt key also makes its correct name "missing"
        ordered = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        errors = [_describe(e, path.name) for e in ordered]
        first_key, first = errors[0]
        more = "" if len(errors) == 1 else "\n" + "\n".join(m for _, m in errors[1:6])
        raise ConfigError(first + more, key=first_key) from None


def override_thresholds(config: AnalysisConfig, **values: float | None) -> AnalysisConfig:
    """``config`` with some ``thresholds:`` replaced, validated like the YAML; None keeps the configured value.

    Parameters
    ----------
    config : AnalysisConfig
    **values : int, float or None
        Any of :data:`THRESHOLD_OVERRIDES` (``inactivity_days``, ``sla_hours``, ``min_n``).

    Returns
    -------
    AnalysisConfig
        A new configuration (``config`` is not changed); ``config`` itself when nothing is overridden.

    Raises
    ------
    ConfigError
        An unknown name (the message lists the valid ones) or a value the YAML would not accept either.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    >>> override_thresholds(cfg, inactivity_days=90, min_n=None).thresholds.inactivity_days
    90
    """
    unknown = sorted(set(values) - set(THRESHOLD_OVERRIDES))
    if unknown:
        raise ConfigError(f"unknown threshold {unknown[0]!r}; the ones you can override are "
                          f"{', '.join(THRESHOLD_OVERRIDES)}. Others are set in analysis.yaml (thresholds:).",
                          key=f"thresholds.{unknown[0]}")
    changed = {k: v for k, v in values.items() if v is not None}
    if not changed:
        return config
    try:
        thresholds = Thresholds.model_validate({**config.thresholds.model_dump(), **changed})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "thresholds"
        raise ConfigError(f"threshold {name!r} = {changed.get(name)!r}: {error['msg']} "
                          f"({Thresholds.model_fields[name].description if name in Thresholds.model_fields else ''}). "
                          f"Pass a valid value, or None to keep {getattr(config.thresholds, name, '?')!r} from "
                          "analysis.yaml.", key=f"thresholds.{name}") from None
    return config.model_copy(update={"thresholds": thresholds})
