"""Vietnamese first, English one click away, and a catalogue with nothing left untranslated."""

import re
import shutil
import subprocess  # nosec B404: msgfmt, a fixed program on a file of the repository
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from egovexperts import settings as project_settings

CATALOGUE = Path(project_settings.BASE_DIR) / "locale/vi/LC_MESSAGES/django.po"


def test_the_interface_language_is_vietnamese_by_default_in_vietnam_time():
    assert project_settings.LANGUAGE_CODE == "vi"
    assert project_settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert [code for code, _ in project_settings.LANGUAGES] == ["vi", "en"]


@pytest.mark.django_db
def test_pages_are_in_vietnamese_unless_english_is_chosen(client, settings):
    settings.LANGUAGE_CODE = "vi"
    page = client.get("/accounts/login/").content.decode()
    assert "Đăng nhập" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_english_browser_gets_vietnamese_first_then_english_once_chosen_and_remembered(client, settings):
    settings.LANGUAGE_CODE = "vi"
    first = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in first.content.decode()
    assert first["Content-Language"] == "vi"

    chosen = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    cookie = chosen.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["max-age"] == django_settings.LANGUAGE_COOKIE_AGE  # remembered for a year

    # the next visits follow the choice, whatever the browser says
    for accept in ("en", "vi", ""):
        page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept)
        assert "Sign in" in page.content.decode()
        assert page["Content-Language"] == "en"

    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"})
    assert "Đăng nhập" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.django_db
def test_a_language_cookie_the_site_does_not_speak_gives_vietnamese(client, settings):
    settings.LANGUAGE_CODE = "vi"
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Đăng nhập" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr,en").content.decode()


@pytest.mark.django_db
def test_a_refused_request_speaks_vietnamese_to_an_english_browser(client, settings):
    settings.LANGUAGE_CODE = "vi"
    response = client.get("/accounts/login/?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and "control characters" not in response.content.decode()


# --- The catalogue ----------------------------------------------------------------

PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifrxXeEgGc%])")


def _unquote(lines: list[str]) -> str:
    return "".join(line.strip()[1:-1] for line in lines).replace('\\"', '"').replace("\\n", "\n")


def catalogue_entries(text: str) -> list[dict]:
    """Entries of a .po file: flags, msgid, msgid_plural, msgstr (a list: one per plural form).
    The header and obsolete (#~) entries are left out."""
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        if not lines or all(line.startswith("#~") or line.startswith("#") for line in lines):
            continue
        entry = {"flags": set(), "msgid": [], "msgid_plural": [], "msgstr": {}}
        current = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                current = entry["msgid_plural"] = [line[len("msgid_plural ") :]]
            elif line.startswith("msgid "):
                current = entry["msgid"] = [line[len("msgid ") :]]
            elif line.startswith("msgstr"):
                key, _, rest = line.partition(" ")
                index = int(key[len("msgstr[") : -1]) if "[" in key else 0
                current = entry["msgstr"][index] = [rest]
            elif line.startswith('"') and current is not None:
                current.append(line)
        msgid = _unquote(entry["msgid"])
        if not msgid:
            continue  # the header
        entries.append(
            {
                "flags": entry["flags"],
                "msgid": msgid,
                "msgid_plural": _unquote(entry["msgid_plural"]),
                "msgstr": [_unquote(entry["msgstr"][key]) for key in sorted(entry["msgstr"])],
            }
        )
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(name or f"%{kind}" for name, kind in PLACEHOLDER.findall(text) if kind != "%")


def catalogue_problems(text: str) -> list[str]:
    """Untranslated and fuzzy entries, and translations whose %-placeholders differ from the English."""
    problems = []
    for entry in catalogue_entries(text):
        msgid = entry["msgid"]
        if not entry["msgstr"] or any(not msgstr for msgstr in entry["msgstr"]):
            problems.append(f"untranslated: {msgid!r}")
            continue
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {msgid!r}")
        if "python-format" in entry["flags"]:
            # Vietnamese has one plural form: it stands for the plural English sentence
            english = _placeholders(entry["msgid_plural"] or msgid)
            for msgstr in entry["msgstr"]:
                if _placeholders(msgstr) != english:
                    problems.append(f"placeholders differ: {msgid!r} -> {msgstr!r}")
    return problems


def test_every_message_of_the_project_has_a_vietnamese_translation_neither_fuzzy_nor_misformatted():
    assert catalogue_problems(CATALOGUE.read_text(encoding="utf-8")) == []


def test_the_catalogue_check_finds_untranslated_fuzzy_and_misformatted_entries():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Plural-Forms: nplurals=1; plural=0;\\n"',
            "",
            "#: a.py:1",
            'msgid "Cohort"',
            'msgstr ""',
            "",
            "#, fuzzy",
            'msgid "Course"',
            'msgstr "Khóa học"',
            "",
            "#, python-format",
            'msgid "%(count)s trainees of %(cohort)s"',
            'msgstr "%(count)s học viên của %(cohot)s"',
            "",
            "#, python-format",
            'msgid "One trainee"',
            'msgid_plural "%(count)s trainees"',
            'msgstr[0] "học viên"',
            "",
            "#, python-format",
            'msgid "%(name)s left"',
            'msgstr ""',
            '"%(name)s đã rời"',
            "",
            '#~ msgid "Old"',
            '#~ msgstr ""',
        ]
    )
    assert catalogue_problems(sample) == [
        "untranslated: 'Cohort'",
        "fuzzy: 'Course'",
        "placeholders differ: '%(count)s trainees of %(cohort)s' -> '%(count)s học viên của %(cohot)s'",
        "placeholders differ: 'One trainee' -> 'học viên'",
    ]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalogue_formats():
    result = subprocess.run(  # nosec B603: fixed arguments
        ["msgfmt", "--check-format", "--check-domain", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
