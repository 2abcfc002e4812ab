"""Vietnamese text: folding for accent-insensitive search, keys for alphabetical sort.

Imports no app. Folded and sort keys are stored on rows (see Trainee.search_text) because
neither SQLite nor a default PostgreSQL has a Vietnamese collation or `unaccent`.
"""

import functools
import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")

# The Vietnamese alphabet: đ sorts after d, ă and â after a, and so on.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)


def fold(text: str) -> str:
    """Lower case without diacritics or punctuation: "Nguyễn Văn Á" -> "nguyen van a"."""
    return _SPACES.sub(" ", " ".join(_fold_word(word) for word in (text or "").split())).strip()


@functools.lru_cache(maxsize=20_000)
def _fold_word(word: str) -> str:
    # Cached like _word_key below: imports fold thousands of names made of the same words.
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _PUNCTUATION.sub(" ", stripped.lower())


def _split_letters(word: str) -> list[tuple[str, int]]:
    """Each letter of a word as (letter with its own marks, tone number)."""
    letters: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES and letters:
            base, _ = letters[-1]
            letters[-1] = (base, _TONES[ch])
        elif unicodedata.combining(ch) and letters:
            base, tone = letters[-1]
            if ch in _LETTER_MARKS:
                base = unicodedata.normalize("NFC", base + ch)
            letters[-1] = (base, tone)
        else:
            letters.append((ch, 0))
    return letters


@functools.lru_cache(maxsize=20_000)
def _word_key(word: str) -> tuple[str, str]:
    """Letters and tones of one word. Cached: names share a few hundred words (an import of
    10,000 trainees computes 10,000 keys from them)."""
    letters = _split_letters(word)
    primary = "".join(chr(0x30 + _LETTER_RANK[base]) if base in _LETTER_RANK else base for base, _ in letters)
    return primary, "".join(str(tone) for _, tone in letters)


def sort_key(text: str) -> str:
    """A string whose plain ordering is Vietnamese dictionary order of `text`.

    Letters are compared first (a < ă < â < b ...), tones only between otherwise equal texts.
    """
    keys = [_word_key(word) for word in (text or "").split()]
    return " ".join(primary for primary, _ in keys) + "\x01" + "".join(tones for _, tones in keys)


def person_sort_key(full_name: str) -> str:
    """Vietnamese lists sort by given name (the last word), then family name, then middle names."""
    words = (full_name or "").split()
    if len(words) < 2:
        return sort_key(full_name)
    given, family, middle = words[-1], words[0], words[1:-1]
    return sort_key(" ".join([given, family, *middle]))
