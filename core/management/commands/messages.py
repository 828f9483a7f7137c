"""``manage.py messages`` (``make messages``): brings the translation catalogues in
``locale/`` up to date with the code and compiles them.

Messages are written in English in the code (``gettext``); ``makemessages`` adds
new ones to every catalogue and drops the ones the code no longer has; the
English catalogue translates each message to itself (``msgen``); each ``.po`` is
compiled to its ``.mo``. New Russian entries are left empty: the command lists
them; translate them in ``locale/ru/LC_MESSAGES/django.po`` and run it again.
Needs GNU gettext (``xgettext``, ``msgmerge``, ``msgen``, ``msgfmt``).
"""

import ast
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# The language messages are written in, translated to itself.
SOURCE_LANGUAGE = "en"
# What `makemessages` is run with; the tests run it the same way.
MAKEMESSAGES = {
    "locale": ["ru", "en"],
    "no_location": True,  # no line numbers: editing code does not touch the catalogues
    "no_obsolete": True,
    "ignore_patterns": ["staticfiles/*", "bench/*", "docs/*", "*/tests/*"],
}


def catalogue(language: str, root: Path | None = None, suffix: str = "po") -> Path:
    locale = root / "locale" if root is not None else Path(settings.LOCALE_PATHS[0])
    return locale / language / "LC_MESSAGES" / f"django.{suffix}"


@dataclass
class Entry:
    msgid: str
    msgstr: list[str] = field(default_factory=list)  # one per plural form
    msgid_plural: str | None = None
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, the header (``msgid ""``) first; obsolete ones
    (``#~``) are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif not line or line.startswith("#"):
            continue
        elif line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{path}: a string outside an entry: {line}")
            text = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, getattr(entry, name) + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
                entry = Entry(msgid="", flags=flags)
                entries.append(entry)
                flags = set()
            assert entry is not None
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr.append(text)
                target = ("msgstr", index)
            else:
                setattr(entry, keyword, text)
                target = (keyword, 0)
    return entries


def untranslated(entries: list[Entry]) -> list[Entry]:
    """Entries with an empty translation, or marked fuzzy (which gettext ignores)."""
    return [e for e in entries if e.msgid and (not e.msgstr or not all(e.msgstr) or "fuzzy" in e.flags)]


def compile_po(po: Path, mo: Path) -> None:
    """``compilemessages`` for one catalogue (it runs this same ``msgfmt``)."""
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


class Command(BaseCommand):
    help = "Adds the code's new messages to locale/ and compiles the catalogues (README, 'Languages')."

    def handle(self, *args, **options) -> None:
        os.chdir(settings.BASE_DIR)  # makemessages reads the code under the current directory
        call_command("makemessages", **MAKEMESSAGES, verbosity=options["verbosity"])
        english = catalogue(SOURCE_LANGUAGE)
        subprocess.run(["msgen", "--output-file", str(english), str(english)], check=True)
        left = 0
        for language, _name in settings.LANGUAGES:
            po = catalogue(language)
            compile_po(po, catalogue(language, suffix="mo"))
            missing = untranslated(read_po(po))
            left += len(missing)
            for entry in missing:
                self.stdout.write(f"{po}: translate {entry.msgid!r}")
        if left:
            raise CommandError(f"{left} messages to translate; then run `make messages` again.")
        self.stdout.write("The catalogues are up to date and compiled.")
