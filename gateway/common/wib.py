"""WIB (Asia/Jakarta), the zone citizens and staff read times in, and its formatters.

Times are stored in UTC; these turn them into what a citizen's SMS or USSD screen shows.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = {
    "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


def date_time(moment: datetime) -> str:
    """``28-11-2026 13:04``, in WIB (an SMS adds `WIB` after it)."""
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M")


def day(moment: datetime) -> str:
    """``28-11-2026``, in WIB."""
    return moment.astimezone(WIB).strftime("%d-%m-%Y")


def short_label(moment: datetime, lang: str) -> str:
    """``12 Des 09.00`` (id) / ``12 Dec 09:00`` (en), in WIB: a meeting on a USSD screen."""
    local = moment.astimezone(WIB)
    month = MONTHS.get(lang, MONTHS["id"])[local.month - 1]
    sep = ":" if lang == "en" else "."
    return f"{local.day} {month} {local.hour:02d}{sep}{local.minute:02d}"
