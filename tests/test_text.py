from egovexperts.core.text import fold, person_sort_key, sort_key


def test_fold_drops_diacritics_punctuation_and_case():
    assert fold("Nguyễn Văn Á") == "nguyen van a"
    assert fold("TP. Hồ Chí Minh") == "tp ho chi minh"
    assert fold("Đắk Lắk") == "dak lak"
    assert fold("Bộ TT&TT") == "bo tt tt"


def test_sort_key_follows_the_vietnamese_alphabet():
    words = ["đa", "da", "ăn", "an", "ân", "ba", "ơn", "on", "ôn", "ưa", "ua"]
    assert sorted(words, key=sort_key) == ["an", "ăn", "ân", "ba", "da", "đa", "on", "ôn", "ơn", "ua", "ưa"]


def test_tones_only_break_ties_between_equal_letters():
    assert sorted(["Anh", "Ánh", "Ảnh", "Ạnh", "Àn"], key=sort_key) == ["Àn", "Anh", "Ảnh", "Ánh", "Ạnh"]


def test_people_sort_by_given_name_then_family_name():
    names = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Văn Anh", "Ngô An"]
    assert sorted(names, key=person_sort_key) == ["Ngô An", "Nguyễn Văn An", "Lê Văn Anh", "Trần Thị Ánh"]
