"""Vietnamese text: diacritic-insensitive search keys and name collation."""

from __future__ import annotations

import unicodedata

# Vietnamese letter order (Thông tư 29/2018 alphabet), with f, j, w, z placed
# where the Latin alphabet puts them so foreign names still sort sensibly.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
# Every symbol is a two-digit code: separators 00-02, digits 10-19, letters from 20,
# so that separators sort before digits and digits before letters without overlap.
_LETTER_CODE = {letter: f"{index + 20:02d}" for index, letter in enumerate(_ALPHABET)}
_LEVEL_SEP = "00"  # between the letters key and the tones key
_FIELD_SEP = "01"  # between given name, middle names and family name
_WORD_SEP = "02"  # between words of one field
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
    # Text typed with a "combining" (tổ hợp) keyboard arrives decomposed; compose it
    # so that each letter and its marks are read together.
    for char in unicodedata.normalize("NFC", word.lower()):
        if char == "đ":
            letters.append(_LETTER_CODE["đ"])
            tones.append("0")
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        letter = base
        tone = "0"
        for mark in marks:
            if (letter, mark) in _LETTER_MARKS:
                letter = _LETTER_MARKS[(letter, mark)]
            elif mark in _TONES:
                tone = _TONES[mark]
        code = _LETTER_CODE.get(letter)
        if code is None:
            if letter in "0123456789":
                code = f"{int(letter) + 10:02d}"  # digits sort before letters
            else:
                continue  # punctuation does not take part in ordering
        letters.append(code)
        tones.append(tone)
    return "".join(letters), "".join(tones)


def _word_key(word: str) -> str:
    # A syllable compares whole (letters, then its tone) before the next word
    # is looked at: "Trần Anh" < "Lê Ánh" because Anh < Ánh.
    letters, tones = _letters_and_tones(word)
    return letters + _LEVEL_SEP + tones


def name_sort_key(full_name: str) -> str:
    """Collation key for a Vietnamese personal name.

    Vietnamese lists are ordered by given name (the last word), then the middle
    names, then the family name, each word by the Vietnamese alphabet and then
    its tone. The key uses digits only so that it sorts identically under any
    database collation (SQLite's binary one, PostgreSQL's locale-aware ones).
    """
    words = full_name.split()
    if not words:
        return ""
    # Three fields always, so that a name without middle names ("Võ Anh") compares
    # its empty middle with the other's middle, not its family name with it.
    fields = [[words[-1]], words[1:-1], words[:1] if len(words) > 1 else []]
    return _FIELD_SEP.join(_WORD_SEP.join(_word_key(w) for w in field) for field in fields)


def text_sort_key(text: str) -> str:
    """Collation key for a unit or other name: word order kept, Vietnamese letter order."""
    return _WORD_SEP.join(_word_key(word) for word in text.split())
