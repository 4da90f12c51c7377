"""Spanish ships complete: every message in django.po is translated and compiled into django.mo."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "portico" / "locale" / "es" / "LC_MESSAGES"


def _po_msgids() -> set[str]:
    text = (LOCALE / "django.po").read_text()
    ids = set()
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            raise AssertionError(f"fuzzy entry left in django.po:\n{block}")
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if match and re.search(r'^msgstr(\[\d\])? ""$(?!\n")', block, re.M) and match.group(1) != '""\n':
            raise AssertionError(f"untranslated entry in django.po:\n{block}")
        if match:
            msgid = "".join(ast.literal_eval(f'"{part}"') for part in re.findall(r'"(.*)"', match.group(1)))
            if msgid:
                ids.add(msgid)
    return ids


def test_every_spanish_message_is_translated_and_compiled():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    # Keys are "msgid", (msgid, plural index) or "context\x04msgid".
    compiled = {
        (key[0] if isinstance(key, tuple) else key).split("\x04")[-1] for key, value in catalog.items() if value
    }
    missing = sorted(_po_msgids() - compiled)
    assert not missing, f"untranslated or not compiled (run make messages): {missing[:10]}"
