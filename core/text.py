"""Vietnamese text: diacritic-insensitive search keys and name collation."""

from __future__ import annotations

import unicodedata

# Vietnamese letter order (Thông tư 29/2018 alphabet), with f, j, w, z placed
# where the Latin alphabet puts them so foreign names still sort sensibly.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l",
    "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Letter codes start at 10 so that the separators below sort before any letter.
_LETTER_CODE = {letter: f"{index + 10:02d}" for index, letter in enumerate(_ALPHABET)}
_WORD_SEP = "01"
_LEVEL_SEP = "00"
# Tone marks: none < huyền < hỏi < ngã < sắc < nặng (dictionary order).
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Combining marks that make a different letter rather than a tone.
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def fold(text: str | None) -> str:
    """Lower-case, strip every diacritic, and map đ to d: the search form of a text."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def search_key(*parts: str | None) -> str:
    return " ".join(fold(part) for part in parts if part)


def _letters_and_tones(word: str) -> tuple[str, str]:
    """Primary (letters) and secondary (tones) keys of one word, as digit strings."""
    letters: list[str] = []
    tones: list[str] = []
    for char in word.lower():
        if char == "đ":
            letters.append(_LETTER_CODE["đ"])
            tones.append("0")
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        letter = base
        tone = "0"
        for mark in marks:
            if (letter, mark) in _LETTER_MARKS:
                letter = _LETTER_MARKS[(letter, mark)]
            elif mark in _TONES:
                tone = _TONES[mark]
        code = _LETTER_CODE.get(letter)
        if code is None:
            if letter.isdigit():
                code = f"{int(letter) + 2:02d}"  # digits sort before letters
            else:
                continue  # punctuation does not take part in ordering
        letters.append(code)
        tones.append(tone)
    return "".join(letters), "".join(tones)


def name_sort_key(full_name: str) -> str:
    """Collation key for a Vietnamese personal name.

    Vietnamese lists are ordered by given name (the last word), then the middle
    names, then the family name, with the Vietnamese alphabet and tones as a
    tie-break. The key uses digits only so that it sorts identically under any
    database collation (SQLite's binary one, PostgreSQL's locale-aware ones).
    """
    words = full_name.split()
    if not words:
        return ""
    ordered = [words[-1], *words[1:-1], words[0]] if len(words) > 1 else words
    primary: list[str] = []
    secondary: list[str] = []
    for word in ordered:
        letters, tones = _letters_and_tones(word)
        primary.append(letters)
        secondary.append(tones)
    return _WORD_SEP.join(primary) + _LEVEL_SEP + "0".join(secondary)


def text_sort_key(text: str) -> str:
    """Collation key for a unit or other name: word order kept, Vietnamese letter order."""
    primary: list[str] = []
    secondary: list[str] = []
    for word in text.split():
        letters, tones = _letters_and_tones(word)
        primary.append(letters)
        secondary.append(tones)
    return _WORD_SEP.join(primary) + _LEVEL_SEP + "0".join(secondary)
