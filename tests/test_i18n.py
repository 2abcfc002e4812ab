"""Vietnamese first, English one click away."""

import pytest

from egovexperts import settings as project_settings


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
def test_every_message_of_the_project_has_a_vietnamese_translation():
    from pathlib import Path

    catalogue = (Path(project_settings.BASE_DIR) / "locale/vi/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = catalogue.split("\n\n")[1:]
    untranslated = [entry for entry in entries if entry.rstrip().endswith('msgstr ""') and "#~" not in entry]
    assert untranslated == []
