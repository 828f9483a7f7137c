"""The translation catalogues (locale/): every message the code can answer with is in
both languages, the compiled `.mo` files are the `.po` files of now, and the code has
no message the catalogues lack (`make messages` would change nothing)."""

import gettext
import os
import re
import shutil
from pathlib import Path

import pytest
import rest_framework
import rest_framework_simplejwt
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation

from cafe.floor.models import TableStatus
from cafe.orders.models import OrderStatus
from core import messages
from core.management.commands.messages import MAKEMESSAGES, SOURCE_LANGUAGE, catalogue, compile_po, read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in django_settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[\w:]*\}")


def needs_gettext() -> None:
    if shutil.which("msgfmt") is None or shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but GNU gettext (msgfmt, xgettext) is not installed")
        pytest.skip("GNU gettext is not installed")


def test_russian_by_default_english_on_request():
    assert django_settings.LANGUAGE_CODE == "ru"
    assert LANGUAGES == ["ru", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in django_settings.MIDDLEWARE
    assert Path(django_settings.LOCALE_PATHS[0]) == ROOT / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = read_po(catalogue(language))
    header, messages_ = entries[0], entries[1:]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert f"Language: {language}\n" in header.msgstr[0]
    assert len(messages_) > 50
    for entry in messages_:
        assert entry.msgstr, f"{language}: {entry.msgid!r} is not translated"
        assert all(entry.msgstr), f"{language}: {entry.msgid!r} is not translated"
        assert "fuzzy" not in entry.flags, f"{language}: {entry.msgid!r} is fuzzy"


def test_both_catalogues_have_the_same_messages_and_english_is_the_source():
    russian, english = ({e.msgid for e in read_po(catalogue(language))} for language in ("ru", "en"))
    assert russian == english
    for entry in read_po(catalogue(SOURCE_LANGUAGE))[1:]:
        assert entry.msgstr == [entry.msgid], entry.msgid


def test_translations_keep_every_placeholder():
    for entry in read_po(catalogue("ru"))[1:]:
        assert sorted(PLACEHOLDER.findall(entry.msgstr[0])) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_the_po_files_of_now(language, tmp_path):
    needs_gettext()
    fresh = tmp_path / "django.mo"
    compile_po(catalogue(language), fresh)
    with catalogue(language, suffix="mo").open("rb") as shipped, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(compiled)._catalog, (
            "run `make messages` and commit locale/"
        )


def test_the_code_has_no_message_the_catalogues_lack(tmp_path, monkeypatch, settings):
    """`makemessages`, run as `make messages` runs it on a copy of the code, finds the
    same messages as the checked-in catalogues have."""
    needs_gettext()
    copy = tmp_path / "code"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".*", "__pycache__", "staticfiles", "node_modules"))
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", **MAKEMESSAGES, verbosity=0)
    for language in LANGUAGES:
        now = {entry.msgid for entry in read_po(catalogue(language, copy))}
        shipped = {entry.msgid for entry in read_po(catalogue(language, ROOT))}
        assert now - shipped == set(), f"new messages: run `make messages`, translate them in {language}"
        assert shipped - now == set(), "messages the code no longer has: run `make messages`"


def test_the_libraries_messages_listed_for_translation_are_theirs():
    """core.messages lists messages of SimpleJWT and DRF word for word."""

    def source(package) -> str:
        return "".join(path.read_text() for path in Path(package.__file__).parent.glob("*.py"))

    simplejwt, drf = source(rest_framework_simplejwt), source(rest_framework)
    for text in messages.SIMPLEJWT:
        assert f'"{text}"' in simplejwt, text
    for text in messages.DRF:
        assert f"'{text}'" in drf or f'"{text}"' in drf, text


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("ru", ["Свободен", "Занят", "Забронирован", "Открыт", "Закрыт", "Отменён", "Объединён"]),
        ("en", ["Free", "Busy", "Reserved", "Open", "Closed", "Cancelled", "Merged"]),
    ],
)
def test_status_labels(language, labels):
    with translation.override(language):
        assert [str(label) for label in [*TableStatus.labels, *OrderStatus.labels]] == labels
