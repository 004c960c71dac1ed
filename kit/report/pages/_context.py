"""The context every report page starts from: configuration, data, period, language."""

from __future__ import annotations

import copy
import hashlib
import html
import inspect
import json
import os
import pickle
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit.data.config import AnalysisConfig, load_config, override_thresholds
from kit.data.contract import LoyaltyData
from kit.data.io import read_data
from kit.data.periods import Period
from kit.data.privacy import customer_ids, pseudonymise_quality, pseudonymise_text
from kit.errors import ConfigError, KitWarning
from kit.labels import table_name, text
from kit.metrics.outcomes import survey_outcome
from kit.plan.scorecards import resolve_period as scorecard_period
from kit.report.pages._section import Section
from kit.report.pages._tables import (
    TableRef,
    TablesOnDisk,
    arrow_files,
    loaded_table,
    return_memory,
    table_file,
    table_token,
    write_tables,
)
from kit.report.plots._inline import flush_before_redraw
from kit.sample import sample_config_path

__all__ = ["Context", "context", "resolve_config_path", "resolve_period", "share", "release", "map_shared",
           "config_fingerprint", "SHARED_FILE", "DRIVER_OUTCOMES"]

#: Survey scores the key-driver analysis can explain (``driver_outcome``).
DRIVER_OUTCOMES: tuple[str, ...] = ("nps", "csat", "ces", "rating")

#: The file in a run folder that hands the parent's context to the notebook kernels (see :func:`share`).
SHARED_FILE = ".shared-context.pkl"
_SHARED_FORMAT = 3   # 3: tables Arrow IPC files where exact (kit.report.pages._tables)


def resolve_config_path(config_path: str | Path | None) -> Path:
    """The configuration to use: ``config_path``, else the bundled sample's (``kit.sample_config_path()``).

    Parameters
    ----------
    config_path : str, Path or None

    Returns
    -------
    Path

    Examples
    --------
    >>> resolve_config_path("/tmp/analysis.yaml")
    PosixPath('/tmp/analysis.yaml')
    """
    if config_path is not None:
        return Path(config_path)
    return sample_config_path()


def resolve_period(data: LoyaltyData, config: AnalysisConfig, period: str | Period) -> Period | None:
    """The reporting period, as :func:`kit.plan.scorecards.resolve_period` resolves it.

    ``"latest"`` is the latest complete period of the data.

    Raises
    ------
    ConfigError
        When ``period`` is not a period label.
    """
    if isinstance(period, Period):
        return period
    return scorecard_period(data, config, period)


@dataclass
class Context:
    """What every page of one report run works on.

    Attributes
    ----------
    config : AnalysisConfig
    data : LoyaltyData
        Read once by ``kit.read_data``.
    period : Period or None
        The reporting period (None when the data hold no dates).
    lang : {"en", "de"}
        Report language (``business.language``).
    smoke : bool
        Small, fast run: kit calls that take ``smoke`` get it.
    config_path : Path
    notes : list of str
        Things the page should say up front (e.g. a capability not there yet).
    config_sha256 : str or None
        SHA-256 of the configuration file as it was read (see :func:`config_fingerprint`).
    segment_by : str
        Customer column the pages compare groups by (NPS by segment).
    driver_outcome : str or None
        Survey score the key drivers and the comment contrast explain (one of :data:`DRIVER_OUTCOMES`): the
        ``driver_outcome`` setting, else ``drivers.outcome`` of the configuration, else the first of nps, csat,
        rating, ces with answers; None without any.
    """

    config: AnalysisConfig
    data: LoyaltyData
    period: Period | None
    lang: str = "en"
    smoke: bool = False
    config_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    config_sha256: str | None = None
    segment_by: str = "segment"
    driver_outcome: str | None = "nps"
    _cache: dict[str, tuple[Any, list[tuple[type[Warning], str]], tuple[str, ...]]] = field(
        default_factory=dict, repr=False)
    _replayed: set[str] = field(default_factory=set, repr=False, init=False)
    _making: list[set[str]] = field(default_factory=list, repr=False, init=False)
    _shared_names: tuple[tuple[Any, ...], tuple[Any, ...], dict[Any, str]] | None = field(
        default=None, repr=False, init=False, compare=False)

    @property
    def period_label(self) -> str:
        """The period as written by users, or a dash."""
        return self.period.label if self.period is not None else "–"

    def t(self, key: str, **values: object) -> str:
        """A UI string in the report language."""
        return text(key, self.lang, **values)

    def section(self, key: str, **values: object) -> Section:
        """A new section titled with the UI string ``key``; its anchor in the page is ``kit-<key>``."""
        return Section(self.t(key, **values), lang=self.lang, anchor=f"kit-{key}")

    def cached(self, key: str, make: Any, *, replay: bool = True) -> Any:
        """Compute ``make()`` once per context (the scorecard is shown on several pages).

        The warnings ``make()`` raised are kept with the value, with the cached values it used,
        and raised again the first time the value is used in this process, its ingredients'
        warnings first. So the section that shows a value first also shows its caveats, whether
        the value was computed here or handed over by :func:`share`, and in the same order.
        ``replay=False`` keeps them for that section (:meth:`reuse` shows them in its cell without using them up).
        """
        if self._making:  # the value being computed uses this one
            self._making[-1].add(key)
        if key not in self._cache:
            self._making.append(set())
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    value = make()
            finally:
                uses = self._making.pop()
            raised = dict.fromkeys((w.category, str(w.message)) for w in caught)  # each distinct one once
            self._cache[key] = (value, list(raised), tuple(sorted(uses)))
        if not self._making and replay:
            self._replay(key)
        return self._cache[key][0]

    def _warn_again(self, key: str) -> None:
        """Raise the warnings of ``key`` and of the values it used, without using up the section's replay."""
        _, raised, uses = self._cache[key]
        for used in uses:
            self._warn_again(used)
        for category, message in raised:
            warnings.warn(message, category, stacklevel=4)

    def _replay(self, key: str) -> None:
        """Raise the warnings of ``key`` and of the values it used, each value's once per process."""
        if key in self._replayed:
            return
        self._replayed.add(key)
        _, raised, uses = self._cache[key]
        for used in uses:
            self._replay(used)
        for category, message in raised:
            warnings.warn(message, category, stacklevel=4)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_replayed"] = set()  # a kernel that loads the context has shown nothing yet
        state["_making"] = []
        state["_shared_names"] = None  # worked out again where it is loaded (see _shared_call_names)
        return state

    def has(self, table: str, *columns: str) -> bool:
        """True when the data hold ``table`` with every one of ``columns`` and the run has a period.

        The notebooks' work cells start with it (``if ctx.has("surveys", "nps"):``): a report on data without
        that table or column runs on, and the section below says what is missing.

        Examples
        --------
        >>> ctx = context(smoke=True)  # doctest: +SKIP
        >>> ctx.has("surveys", "nps"), ctx.has("surveys", "no_such_column")  # doctest: +SKIP
        (True, False)
        """
        frame = getattr(self.data, table, None)
        return self.period is not None and isinstance(frame, pd.DataFrame) and all(c in frame for c in columns)

    def reuse(self, func: Any, /, *args: Any, **kwargs: Any) -> Any:
        """``func(*args, **kwargs)``, computed once: the run's shared result when it is the same call.

        ``loyalty-kit run`` computes the scorecard, the customer values and the key drivers once and hands them
        to every notebook (:func:`share`). A work cell that makes one of those calls with the same arguments
        (``ctx.reuse(kit.scorecard, data, config, period=p, lang=ctx.lang)``) gets that result instead of
        computing it again; with any other argument (``period=p.previous()``, ``n_boot=50``) it is computed
        here, and kept for the next identical call. The page's sections make their calls through here too, so a
        section shows the result its work cell computed when the call is the same (``kit.lifetime_table``, the
        Cox model, the theme tables), and computes its own from the configuration when an argument was changed.
        Arguments are told apart by what they are: the context's own tables and settings by name, other tables by
        their content, plain values by value; an argument is the same whether passed by position or by name, and
        one left out is the same as one given its default. A call with an argument that cannot be told apart that
        way (a fitted model, a figure) is simply computed.

        Parameters
        ----------
        func : callable
            A public kit function (or a model's ``fit``, e.g. ``kit.KeyDrivers(n_boot=500).fit``).
        *args, **kwargs
            Its arguments, as in a direct call.

        Returns
        -------
        Any
            What ``func(*args, **kwargs)`` returns. Warnings it raised are raised again in this cell, each time,
            and still become notes of the first section that shows the result.

        Raises
        ------
        Exception
            What the call raises (a shared call that failed in the run raises its error here).
        """
        key = self._call_key(func, args, kwargs)
        if key is None:
            return func(*args, **kwargs)
        name = _shared_call_names(self).get(key, f"reuse {key!r}")
        value = self.cached(name, lambda: func(*args, **kwargs), replay=False)
        self._warn_again(name)  # in this cell; the page's section still notes them
        if isinstance(value, Exception):  # a shared model that could not be fitted: kept as its error
            raise value
        return value

    def reuse_or_none(self, func: Any, /, *args: Any, **kwargs: Any) -> Any:
        """:meth:`reuse` for a model these data may not identify: None (and its message printed) instead of a
        :class:`kit.errors.ModelFitError`, as the page's section says "not available" and goes on.

        Examples
        --------
        >>> ctx.reuse_or_none(kit.customer_value, data.orders, as_of=as_of, settings=config.clv)  # doctest: +SKIP
        """
        from kit.errors import ModelFitError

        try:
            return self.reuse(func, *args, **kwargs)
        except ModelFitError as err:
            print(f"{getattr(func, '__name__', func)}: not available: {err}")
            return None

    def _call_key(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
        """What identifies a call of ``func``: its name and its arguments as :meth:`_arg_key` tells them apart."""
        owner = getattr(func, "__self__", None)
        if owner is not None:  # a model's method: the model's settings (n_boot, seed, ...) count as arguments
            settings = self._arg_key(dict(vars(owner)))
            if settings is None:
                return None
            name: tuple[Any, ...] = (type(owner).__module__, type(owner).__qualname__, func.__name__, settings)
        else:
            name = (getattr(func, "__module__", None), getattr(func, "__qualname__", repr(func)))
        keyed = self._arg_key(_bound_arguments(func, args, kwargs))
        return None if keyed is None else (*name, keyed)

    def _arg_key(self, value: Any) -> Any:
        """A hashable stand-in for ``value``, or None when it cannot be told apart from another safely."""
        if isinstance(value, TableRef):
            return ("data", value.name)
        for name in self.data.available():   # a table passed here is in memory: the others are not looked at
            if value is loaded_table(self.data, name):
                return ("data", name)
        if value is self.data:
            return ("data",)
        if value is self.config:
            return ("config",)
        for name in type(self.config).model_fields:
            part = getattr(self.config, name)
            if value is part and not isinstance(part, (str, int, float, bool, type(None))):
                return ("config", name)
        if value is None or isinstance(value, (str, int, float, bool)):
            return (type(value).__name__, value)
        if isinstance(value, Period):
            return ("period", value.label)
        if isinstance(value, pd.Timestamp):
            return ("timestamp", value.isoformat())
        if isinstance(value, Path):
            return ("path", str(value))
        if hasattr(value, "model_dump_json"):  # a settings or codebook model: told apart by its content
            return (type(value).__qualname__, hashlib.sha256(value.model_dump_json().encode()).hexdigest())
        if isinstance(value, (pd.DataFrame, pd.Series)):
            try:
                content = int(pd.util.hash_pandas_object(value, index=True).sum())
            except TypeError:  # unhashable cells (lists): not told apart by content
                return None
            columns = tuple(map(str, value.columns)) if isinstance(value, pd.DataFrame) else (str(value.name),)
            return ("frame", value.shape, columns, content)
        if isinstance(value, (list, tuple)):
            items = [self._arg_key(v) for v in value]
            return None if any(i is None for i in items) else (type(value).__name__, tuple(items))
        if isinstance(value, dict):
            items = [(str(k), self._arg_key(v)) for k, v in value.items()]
            return None if any(i is None for _, i in items) else ("dict", tuple(sorted(items)))
        return None

    def _tables_read(self) -> str:
        """The tables read, by their display names in the report language."""
        return ", ".join(table_name(t, self.lang) for t in self.data.available()) or "–"

    def __repr__(self) -> str:
        return (f"Context({self.config.business.name!r}, period={self.period_label!r}, "
                f"tables={self.data.available()}, smoke={self.smoke})")

    def __str__(self) -> str:
        lines = [f"{self.config.business.name} — {self.t('period')} {self.period_label}"]
        lines.append(f"{self.t('tables_read')}: {self._tables_read()}")
        if self.smoke:
            lines.append(self.t("smoke"))
        lines.extend(f"! {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        span = ""
        if self.period is not None:
            last = self.period.end - pd.Timedelta(days=1)
            span = f" ({self.period.start:%d.%m.%Y} – {last:%d.%m.%Y})"
        out = ["<div class='kit-context'>",
               f"<p><strong>{esc(self.config.business.name)}</strong> · {esc(self.t('period'))} "
               f"<strong>{esc(self.period_label)}</strong>{esc(span)}</p>",
               f"<p><small>{esc(self.t('tables_read'))}: {esc(self._tables_read())}"
               "</small></p>"]
        if self.smoke:
            out.append(f"<p><small><em>{esc(self.t('smoke'))}</em></small></p>")
        for n in self.notes:
            out.append("<p class='kit-missing' style='color:#8a5a00;background:#fff6e0;padding:4px 8px;"
                       f"border-left:3px solid #e0a800'>{esc(n)}</p>")
        out.append("</div>")
        return "\n".join(out)


def _bound_arguments(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The arguments of a call by parameter name, as ``func`` receives them, without those that are given as
    their default (``f(x, n=5)``, ``f(x=x)`` and ``f(x)`` with default ``n=5`` are one call); as given when
    ``func`` has no signature or does not take them (the call itself then says why).

    Examples
    --------
    >>> def f(x, *, n=5, by=None): ...
    >>> _bound_arguments(f, (1,), {"n": 5}) == _bound_arguments(f, (), {"x": 1}) == {"x": 1}
    True
    >>> _bound_arguments(f, (1,), {"n": 6})
    {'x': 1, 'n': 6}
    """
    try:
        signature = inspect.signature(func)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return [list(args), dict(kwargs)]
    out = {}
    for name, value in bound.arguments.items():
        default = signature.parameters[name].default
        plain = isinstance(default, (str, int, float, bool)) and type(value) is type(default) and value == default
        if value is default or plain:
            continue
        out[name] = value
    return out


def _shared_call_names(ctx: Context) -> dict[tuple[Any, ...], str]:
    """The calls whose results ``loyalty-kit run`` shares (see ``kit.report.pages.prepare``), keyed as
    :meth:`Context.reuse` keys a call, with the name the result is kept under in the context.

    Each entry repeats the page's own call exactly (``tests/test_notebooks.py`` checks that it gives the
    page's result); a call not listed here is computed in the notebook. Worked out once for what the keys
    rest on (about 8 ms on the sample: the drivers' answers are keyed by content), not at every reuse.
    """
    settings = (ctx.period.label if ctx.period is not None else None, ctx.lang, ctx.smoke, ctx.driver_outcome)
    objects = (ctx.data, ctx.config, *(table_token(ctx.data, t) for t in ctx.data.available()),
               *(ctx._cache.get(n, (None,))[0] for n in ("codebook", "interviews", "customer_value")))
    kept = getattr(ctx, "_shared_names", None)
    if kept is not None and kept[0] == settings and len(kept[1]) == len(objects) \
            and all(a is b or (isinstance(a, tuple) and a == b) for a, b in zip(kept[1], objects, strict=True)):
        return kept[2]
    names = _shared_call_keys(ctx)
    ctx._shared_names = (settings, objects, names)
    return names


def _shared_call_keys(ctx: Context) -> dict[tuple[Any, ...], str]:
    """:func:`_shared_call_names`, worked out."""
    from kit.models.clv import customer_value
    from kit.models.drivers import KeyDrivers
    from kit.plan.lists import advocates, watch_list, winback_list
    from kit.plan.scorecards import scorecard
    from kit.text.codebook import read_codebook
    from kit.text.coding import code_texts
    from kit.text.interviews import read_interviews

    if ctx.period is None:
        return {}
    calls: dict[str, Any] = {"scorecard": ctx._call_key(scorecard, (ctx.data, ctx.config),
                                                         {"period": ctx.period, "lang": ctx.lang})}
    # the tables stand in by name (TableRef): a kernel loads only the tables its page reads (kit.report.pages._tables)
    tables, surveys, outcome = ctx.data.available(), ctx.data.surveys, ctx.driver_outcome
    if "orders" in tables:
        calls["customer_value"] = ctx._call_key(customer_value, (TableRef("orders"),), {
            "as_of": ctx.period.end - pd.Timedelta(days=1), "settings": ctx.config.clv})
    if surveys is not None and outcome in surveys:
        drivers = [c for c in surveys.columns if c.startswith("driver_")]
        model = KeyDrivers(n_boot=50 if ctx.smoke else 500, seed=0, lang=ctx.lang)
        calls["drivers"] = ctx._call_key(model.fit, (surveys[surveys["responded_at"] < ctx.period.end],),
                                         {"outcome": outcome, "drivers": drivers})
    path, folder = ctx.config.data.codebook, ctx.config.data.interviews
    book = ctx._cache.get("codebook", (None,))[0]
    if path is not None:
        calls["codebook"] = ctx._call_key(read_codebook, (path,), {})
    if ctx.data.interviews is None and folder is not None and book is not None:
        customers = TableRef("customers") if "customers" in tables else None
        calls["interviews"] = ctx._call_key(read_interviews, (folder,), {"customers": customers, "codebook": book})
    notes = ctx.data.interviews if ctx.data.interviews is not None else ctx._cache.get("interviews", (None,))[0]
    if isinstance(notes, pd.DataFrame) and book is not None:
        calls["coded_interviews"] = ctx._call_key(code_texts, (notes, book), {})
    as_of = ctx.period.end - pd.Timedelta(days=1)
    values = ctx._cache.get("customer_value", (None,))[0]
    values = values if isinstance(values, pd.DataFrame) else None
    calls["list_watch_list"] = ctx._call_key(watch_list, (ctx.data, ctx.config),
                                             {"as_of": as_of, "customer_values": values})
    calls["list_advocates"] = ctx._call_key(advocates, (ctx.data, ctx.config), {"as_of": as_of})
    calls["list_winback_full"] = ctx._call_key(winback_list, (ctx.data, ctx.config), {"as_of": as_of})
    return {key: name for name, key in calls.items() if key is not None}


def config_fingerprint(path: Path) -> str:
    """SHA-256 of a configuration file: taken right after it is read, so that a notebook of a run can tell
    whether it is looking at the configuration the run read."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict[str, str | int]:
    """What must be the same in the process that pickles a context and the one that unpickles it."""
    import platform

    import kit

    return {"format": _SHARED_FORMAT, "kit": kit.__version__, "pandas": pd.__version__,
            "python": platform.python_version()}


def _settings(ctx: Context) -> dict[str, Any]:
    """The analyst's settings a context was made with (thresholds as used, segment column, driver outcome)."""
    th = ctx.config.thresholds
    return {"inactivity_days": th.inactivity_days, "sla_hours": th.sla_hours, "min_n": th.min_n,
            "segment_by": ctx.segment_by, "driver_outcome": ctx.driver_outcome}


def _stamp(ctx: Context) -> dict[str, Any]:
    return {"config": str(Path(ctx.config_path).resolve()) if ctx.config_path else None,
            "fingerprint": ctx.config_sha256, "period": ctx.period.label if ctx.period is not None else "latest",
            "smoke": ctx.smoke, "settings": _settings(ctx), **_versions()}


def share(ctx: Context, run_dir: str | Path) -> Path:
    """Hand ``ctx`` (data read, period, everything computed so far) to the notebooks of a run.

    ``loyalty-kit run`` reads the data and computes the scorecard, customer values, drivers
    and action plan once, then writes them here; each notebook's
    ``pages.context(..., run_dir=run_dir)`` loads them instead of computing them again.
    The file is removed when the run ends; it is a cache, never a result. It holds the data
    as read (not pseudonymised), so only its owner may read it (mode 0600).

    The file is a one-line JSON stamp (configuration file and its SHA-256, period, smoke flag,
    kit/pandas/Python versions) followed by the pickled context: a notebook compares the stamp
    before it unpickles anything. Each table is a file of its own beside it (``<SHARED_FILE>.<table>``,
    also mode 0600), which a notebook loads only when its page reads that table
    (:class:`kit.report.pages._tables.TablesOnDisk`).

    Parameters
    ----------
    ctx : Context
        Made by :func:`context` or ``loyalty-kit run`` (it needs ``config_path`` and ``config_sha256``).
    run_dir : str or Path
        The folder of the run being written (the notebooks' ``run_dir`` parameter).

    Returns
    -------
    Path
        The file written (:data:`SHARED_FILE` in ``run_dir``).
    """
    if ctx.config_path is None or ctx.config_sha256 is None:
        raise ValueError("share() needs a context with config_path and config_sha256 (made by pages.context or "
                         "loyalty-kit run)")
    target = Path(run_dir).resolve() / SHARED_FILE
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    files = write_tables(ctx.data, target)   # first: a kernel starts reading once the context file is there
    light = copy.copy(ctx)
    light.data = TablesOnDisk(ctx.data, files)
    try:
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(json.dumps(_stamp(ctx)).encode("utf-8") + b"\n")
            pickle.dump(light, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)  # a kernel never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    return target


def release(ctx: Context, run_dir: str | Path) -> bool:
    """Drop ``ctx``'s tables from memory once :func:`share` wrote them to ``run_dir``: a table is loaded again from
    its file if it is used (the run's results are computed by then, so it is not). The run does this while the
    kernels work, so that its copy of the data does not add to theirs.

    Returns
    -------
    bool
        False (and nothing dropped) when a table's file is missing.
    """
    prefix = Path(run_dir).resolve() / SHARED_FILE
    files = {name: str(table_file(prefix, name)) for name in ctx.data.available()}
    if not all(Path(f).is_file() for f in files.values()):
        return False
    ctx.data = TablesOnDisk(ctx.data, files)
    ctx._shared_names = None   # held the tables
    return_memory()
    return True


def map_shared(ctx: Context, run_dir: str | Path) -> list[str]:
    """Swap ``ctx``'s tables for the ones :func:`share` wrote to ``run_dir`` as Arrow files, mapped now: the run
    and its kernels then hold one copy of those tables, in the page cache, instead of one each.

    ``loyalty-kit run`` does this after sharing the first results, while it computes the others beside the first
    kernel. The values are the same (the file gives each table back exactly); a table kept as a pickle stays as
    it is. Results computed before are kept (they are cached by the tables' names, not their memory).

    Returns
    -------
    list of str
        The tables swapped.
    """
    prefix = Path(run_dir).resolve() / SHARED_FILE
    files = {name: str(table_file(prefix, name)) for name in ctx.data.available()}
    mapped = arrow_files({n: f for n, f in files.items() if Path(f).is_file()})
    if not mapped:
        return []
    ctx.data = TablesOnDisk(ctx.data, mapped)
    for name in mapped:
        getattr(ctx.data, name)   # mapped now: a file the run removes later is no longer needed
    ctx._shared_names = None   # held the old tables
    return_memory()
    return sorted(mapped)


def _shared(run_dir: str | Path, config_path: Path, period: str | Period, smoke: bool,
            overrides: dict[str, Any]) -> Context | None:
    """The context :func:`share` wrote into ``run_dir``; None when there is none (the run could not share it).

    Raises
    ------
    ReportError
        When the file is there but was made for another configuration (file or content), period or smoke
        flag, or by another kit/pandas/Python, or is not private to its owner: the pages would
        contradict the run's summary, so the notebook stops and says why.
    """
    from kit.errors import ReportError

    source = Path(run_dir).resolve() / SHARED_FILE
    if not source.is_file():
        return None
    info = source.stat()
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        raise ReportError(f"{source} is not a private file of this user (mode {info.st_mode & 0o777:o}); it is not "
                          "loaded. Delete it and run the report again.")
    label = period.label if isinstance(period, Period) else period
    asked = {"config": str(config_path.resolve()), "fingerprint": config_fingerprint(config_path), "period": label,
             "smoke": smoke}
    with source.open("rb") as f:
        try:
            stamp = json.loads(f.readline())
        except ValueError as err:
            raise ReportError(f"{source} has no readable stamp ({err}); delete it and run the report again.") from None
        expected = {**asked, **_versions()}
        differ = [f"{k}: run {stamp.get(k)!r}, this notebook {v!r}" for k, v in expected.items() if stamp.get(k) != v]
        used = stamp.get("settings") or {}
        differ += [f"{k}: run {used.get(k)!r}, this notebook {v!r}" for k, v in overrides.items()
                   if v is not None and used.get(k) != v]
        if differ:
            raise ReportError("this notebook does not match the report run that started it ("
                              + "; ".join(differ).replace("fingerprint: ", "configuration content (SHA-256): ")
                              + "). Was the configuration edited during the run? Run the report again.")
        return pickle.load(f)  # noqa: S301 - a private file of this user, stamped by this run (see share)


def context(config_path: str | Path | None = None, period: str = "latest", smoke: bool = False,
            run_dir: str | Path | None = None, *, memory_check: bool | None = None,
            inactivity_days: int | None = None, sla_hours: float | None = None,
            min_n: int | None = None, segment_by: str | None = None, driver_outcome: str | None = None) -> Context:
    """Load the configuration, read the data once and resolve the period for a report page.

    Parameters
    ----------
    config_path : str, Path or None
        The ``analysis.yaml``; None = the bundled sample's.
    period : str
        ``2026-Q3``, ``2026-10``, ``2026`` or ``"latest"`` (latest complete period of the data).
    smoke : bool
        Small, fast run (fewer bootstrap draws where the kit supports it).
    run_dir : str, Path or None
        The folder of a ``loyalty-kit run``: when it holds the context the run shared
        (:func:`share`) for the same configuration, period and smoke flag, that is used and
        nothing is read or computed again. None (working interactively): read and compute here.
    memory_check : bool or None
        Estimate, before reading, whether this process can hold the data, and refuse with a
        :class:`~kit.report.memory.MemoryShortError` if it clearly cannot (:mod:`kit.report.memory`): a kernel the
        system stops for lack of memory says only "kernel died". None: check when working interactively
        (``run_dir`` None); in a run, the run has decided (``loyalty-kit run --no-memory-check``).
    inactivity_days, sla_hours, min_n : int, float or None
        Override ``thresholds:`` of the configuration for this context (None: as configured);
        see :func:`kit.data.config.override_thresholds`.
    segment_by : str or None
        Customer column to compare groups by (None: ``segment``).
    driver_outcome : str or None
        Survey score the key drivers explain, one of :data:`DRIVER_OUTCOMES` (None: ``drivers.outcome`` of the
        configuration, else the first of nps, csat, rating, ces with answers).

    Returns
    -------
    Context

    Raises
    ------
    ConfigError
        Invalid configuration, period or setting (the message lists the valid values).
    DataError
        A data file cannot be used (raised by ``kit.read_data``).

    Examples
    --------
    >>> ctx = context()  # doctest: +SKIP
    >>> ctx.period.label  # doctest: +SKIP
    '2026-Q3'
    """
    flush_before_redraw()   # a notebook's inline figures are drawn once for their picture (kit.report.plots._inline)
    path = resolve_config_path(config_path)
    overrides = {"inactivity_days": inactivity_days, "sla_hours": sla_hours, "min_n": min_n,
                 "segment_by": segment_by, "driver_outcome": driver_outcome}
    if run_dir is not None and path.is_file():
        shared = _shared(run_dir, path, period, smoke, overrides)
        if shared is not None:
            return shared
    config = override_thresholds(load_config(path), inactivity_days=inactivity_days, sla_hours=sla_hours,
                                 min_n=min_n)
    if memory_check or (memory_check is None and run_dir is None):   # a run decides for its notebooks
        from kit.report.memory import check_memory

        verdict = check_memory(config, command="kernel")
        if verdict.warn:
            warnings.warn(verdict.warn, KitWarning, stacklevel=2)
    fingerprint = config_fingerprint(path)
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = read_data(config)
        resolved = resolve_period(data, config, period)
    ids: set[str] = set()
    if config.privacy.pseudonymise:   # the quality examples and notes quote ids: the pages, notebooks and run.log
        ids = customer_ids(getattr(data, name) for name in data.available())
        data.quality = pseudonymise_quality(data.quality, ids=ids, salt=config.privacy.salt)
    for w in caught:
        if issubclass(w.category, KitWarning):  # about the data (e.g. a period only partly covered): on the page
            notes.append(str(pseudonymise_text(str(w.message), ids, config.privacy.salt)))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return Context(config=config, data=data, period=resolved, lang=config.business.language, smoke=smoke,
                   config_path=path, notes=notes, config_sha256=fingerprint,
                   segment_by=_segment_by(data, segment_by), driver_outcome=_driver_outcome(data, driver_outcome,
                                                                                          config))


def _segment_by(data: LoyaltyData, name: str | None) -> str:
    """``name`` when it is a column of the customers table (or there is none), else a ConfigError."""
    if name is None:
        return "segment"
    customers = data.customers
    if customers is not None and name not in customers.columns:
        valid = [c for c in customers.columns if c != "customer_id"]
        raise ConfigError(f"segment_by = {name!r}: the customers table has no such column. "
                          f"Use one of {', '.join(valid) or '(no columns besides customer_id)'}.", key="segment_by")
    return name


def _driver_outcome(data: LoyaltyData, name: str | None, config: AnalysisConfig) -> str | None:
    """``name`` when it is a survey score (:data:`DRIVER_OUTCOMES`) the surveys hold, else a ConfigError; without
    ``name``, ``drivers.outcome`` of the configuration or the first score with answers (may be None)."""
    if name is None:
        return survey_outcome(data.surveys, config.drivers.outcome)
    surveys = data.surveys
    present = [c for c in DRIVER_OUTCOMES if surveys is None or c in surveys.columns]
    if name not in present:
        raise ConfigError(f"driver_outcome = {name!r}: not a survey score of these data. "
                          f"Use one of {', '.join(present) or '(no survey scores)'}.", key="driver_outcome")
    return name
