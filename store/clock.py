"""Local time: the time zone every time is shown in and every day and week is cut in.

Stored times stay UTC (`models.utcnow`). What a person sees, and where the metrics draw the line
between one day (or ISO week) and the next, follows the `timezone` setting (an IANA name such as
`Asia/Shanghai`), else the system's zone (TZ, else /etc/localtime), else UTC:

    clock.set_zone("Asia/Shanghai")
    clock.local_day(done_at)   # the day a team in Beijing calls it
    clock.shown(changed_at)    # "2026-12-02 19:30"

Zones come from the system's zoneinfo database or, where it has none, the `tzdata` package.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .i18n import _

_zone: tzinfo | None = None
_zone_name = "UTC"
_LOCALTIME = Path("/etc/localtime")


class UnknownZone(ValueError):
    """A `timezone` setting that names no zone this machine knows; the message says which."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; raises UnknownZone when there is none (or the name is not a zone name)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZone(_("{name!r} is not a time zone (an IANA name such as Asia/Shanghai or Europe/Berlin)").format(
            name=name)) from None


def system_zone() -> tuple[str, tzinfo]:
    """The machine's zone and its name: TZ if it names a zone, else what /etc/localtime links to,
    else that file's rules, else UTC."""
    tz = os.environ.get("TZ", "").removeprefix(":")
    if tz:
        try:
            return tz, zone_named(tz)
        except UnknownZone:
            pass  # a POSIX rule such as "CST-8": not an IANA name; fall back to the system's file
    try:
        target = os.readlink(_LOCALTIME)
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        try:
            return name, zone_named(name)
        except UnknownZone:
            pass
    try:
        with _LOCALTIME.open("rb") as file:
            return "localtime", ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return "UTC", UTC


def set_zone(name: str | None) -> None:
    """Show times and cut days in zone `name` (None: the system's, looked up when first needed).
    Raises UnknownZone for a name that is no zone (the previous zone stays)."""
    global _zone, _zone_name
    if name:
        _zone, _zone_name = zone_named(name), name
    else:
        _zone = None  # the system's, looked up when first needed (a few ms start-up need not pay)


def zone() -> tzinfo:
    """The zone in force (the system's until `set_zone` says otherwise)."""
    global _zone, _zone_name
    if _zone is None:
        _zone_name, _zone = system_zone()
    return _zone


def zone_name() -> str:
    zone()
    return _zone_name


def local(moment: datetime) -> datetime:
    """`moment` (UTC, or naive meaning UTC) in the local zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def local_day(moment: datetime) -> date:
    """The local calendar day `moment` falls on."""
    return local(moment).date()


def today() -> date:
    """Today, locally."""
    return datetime.now(zone()).date()


def shown(moment: datetime, *, seconds: bool = False, zone_abbreviation: bool = False) -> str:
    """`moment` as a person reads it, local: `2026-12-02 19:30` (with `:05` seconds, and the zone's
    abbreviation, `2026-12-02 19:30 CST`, if asked: where a time stands alone, in a report's header)."""
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return local(moment).strftime(pattern + (" %Z" if zone_abbreviation else ""))
