"""Search folding and the Vietnamese name order that every list of people uses."""

from __future__ import annotations

import random
import unicodedata

import pytest

from core.text import fold, name_sort_key, search_key, text_sort_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Á", "nguyen van a"),
        ("Đặng", "dang"),
        ("đặng thị ĐÀO", "dang thi dao"),
        ("  Trần   Thị\tHương  ", "tran thi huong"),
        ("Sở Tài nguyên và Môi trường Sóc Trăng", "so tai nguyen va moi truong soc trang"),
        ("ƯỚC ƠN", "uoc on"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_strips_diacritics_case_and_spacing(text: str | None, folded: str) -> None:
    assert fold(text) == folded


def test_fold_reads_decomposed_text_like_composed() -> None:
    composed = "Nguyễn Đức Thắng"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "nguyen duc thang"


def test_search_key_lets_a_plain_query_find_a_diacritic_name() -> None:
    key = search_key("Nguyễn Văn Á", "P001", None, "Chuyên viên")
    assert fold("nguyen van a") in key
    assert fold("NGUYỄN VĂN") in key
    assert fold("p001") in key
    assert fold("chuyen vien") in key


def _sorted(names: list[str]) -> list[str]:
    return sorted(names, key=name_sort_key)


def test_given_name_comes_first_then_middle_then_family() -> None:
    # "An" is a prefix of "Anh", so An sorts first although Lê < Nguyễn.
    assert _sorted(["Lê Anh", "Nguyễn Văn An"]) == ["Nguyễn Văn An", "Lê Anh"]
    # Same given name: the middle name decides (Thị < Văn) before the family name.
    assert _sorted(["Lê Văn Đức", "Phạm Thị Đức"]) == ["Phạm Thị Đức", "Lê Văn Đức"]
    # Same given and middle names: the family name decides.
    assert _sorted(["Trần Văn Đức", "Lê Văn Đức"]) == ["Lê Văn Đức", "Trần Văn Đức"]


def test_a_name_without_middle_name_sorts_before_one_with() -> None:
    # The empty middle of "Võ Anh" is compared with "Văn", not the family name "Võ".
    assert _sorted(["Bùi Văn Anh", "Võ Anh"]) == ["Võ Anh", "Bùi Văn Anh"]
    assert _sorted(["Trần Văn Minh", "Minh"]) == ["Minh", "Trần Văn Minh"]


def test_several_middle_names_compare_word_by_word() -> None:
    # Middle "Văn" is a prefix of "Văn Thanh": the shorter middle comes first,
    # whatever the family names are.
    assert _sorted(["Âu Văn Thanh Tùng", "Vương Văn Tùng"]) == [
        "Vương Văn Tùng",
        "Âu Văn Thanh Tùng",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a", "ă"),
        ("ă", "â"),
        ("â", "b"),
        ("d", "đ"),
        ("đ", "e"),
        ("e", "ê"),
        ("o", "ô"),
        ("ô", "ơ"),
        ("ơ", "p"),
        ("u", "ư"),
        ("ư", "v"),
    ],
)
def test_vietnamese_letter_order(first: str, second: str) -> None:
    assert name_sort_key(f"Lê {first}") < name_sort_key(f"Lê {second}")
    assert text_sort_key(first) < text_sort_key(second)


def test_letter_order_beats_latin_code_points() -> None:
    # By code point "Đ" (U+0110) would sort after every ASCII letter, and "Ư" after "V".
    assert _sorted(["Lê Văn Em", "Lê Văn Đức", "Lê Văn Dũng"]) == [
        "Lê Văn Dũng",
        "Lê Văn Đức",
        "Lê Văn Em",
    ]
    assert _sorted(["Mai Văn Vinh", "Hà Thị Ưng", "Hà Thị Uyên"]) == [
        "Hà Thị Uyên",
        "Hà Thị Ưng",
        "Mai Văn Vinh",
    ]


def test_tones_break_ties_within_a_syllable() -> None:
    # Identical letters: the tone decides (none < huyền < hỏi < ngã < sắc < nặng).
    assert _sorted(["Lê Văn Ánh", "Lê Văn Anh", "Lê Văn Ảnh"]) == [
        "Lê Văn Anh",
        "Lê Văn Ảnh",
        "Lê Văn Ánh",
    ]
    assert _sorted(
        ["Lê Thị Hạ", "Lê Thị Hà", "Lê Thị Hả", "Lê Thị Hã", "Lê Thị Há", "Lê Thị Ha"]
    ) == [
        "Lê Thị Ha",
        "Lê Thị Hà",
        "Lê Thị Hả",
        "Lê Thị Hã",
        "Lê Thị Há",
        "Lê Thị Hạ",
    ]
    # A tone never outweighs a letter of the same syllable: "Ánh" (a, n, h) sorts
    # before "Ao" (a, o) because n < o.
    assert _sorted(["Lê Ao", "Lê Ánh"]) == ["Lê Ánh", "Lê Ao"]
    assert _sorted(["Lê Văn Ăn", "Lê Văn Ạn"]) == ["Lê Văn Ạn", "Lê Văn Ăn"]


def test_each_syllable_is_compared_whole_before_the_next() -> None:
    # As in a dictionary, and as name lists group people by given name: every "Anh"
    # comes before every "Ánh", whatever the middle and family names.
    assert _sorted(["Bùi Văn Ánh", "Lê Văn Anh"]) == ["Lê Văn Anh", "Bùi Văn Ánh"]
    assert _sorted(["Trần Thị Ánh", "Vũ Văn Anh"]) == ["Vũ Văn Anh", "Trần Thị Ánh"]
    # Same for middle names once the given names are equal: Thành < Thạnh.
    assert _sorted(["Âu Thạnh Tâm", "Vương Thành Tâm"]) == ["Vương Thành Tâm", "Âu Thạnh Tâm"]


def test_case_and_decomposed_input_do_not_change_the_order() -> None:
    name = "Đặng Thị Ấn"
    assert name_sort_key(name.upper()) == name_sort_key(name)
    assert name_sort_key(unicodedata.normalize("NFD", name)) == name_sort_key(name)
    assert name_sort_key("  Đặng   Thị Ấn ") == name_sort_key(name)


def test_digits_sort_before_letters_and_do_not_collide_with_them() -> None:
    assert text_sort_key("Đội 8") != text_sort_key("Đội a")
    assert text_sort_key("Đội 9") != text_sort_key("Đội ă")
    assert text_sort_key("Đội 9") < text_sort_key("Đội a")
    assert text_sort_key("Đội 1") < text_sort_key("Đội 2")


def test_text_sort_key_keeps_word_order_for_unit_names() -> None:
    names = ["Văn phòng Sở", "Vụ Tổ chức cán bộ", "Ban Thi đua", "Đài Khí tượng", "Cục Biển"]
    assert sorted(names, key=text_sort_key) == [
        "Ban Thi đua",
        "Cục Biển",
        "Đài Khí tượng",
        "Văn phòng Sở",
        "Vụ Tổ chức cán bộ",
    ]


def test_a_list_of_names_sorts_in_vietnamese_order() -> None:
    # Expected order, worked out by hand:
    #   An                        – "an" is a prefix of "anh"
    #   Anh (no middle): Lê < Võ   – an empty middle sorts before any middle name
    #   Anh, middle Văn            – all "Anh" before any "Ánh" (syllable by syllable)
    #   Ánh                        – same letters as "anh", higher tone
    #   Ân                         – â comes after a
    #   Bình
    #   Dũng                       – d before đ
    #   Đức: Phạm Thị < Lê Văn      – middle name first (Thị < Văn) …
    #        Lê Văn < Trần Văn       – … then the family name
    #   Oanh < Ôn < Ơn             – o < ô < ơ
    #   Uyên < Ưng                 – u < ư
    expected = [
        "Nguyễn Văn An",
        "Lê Anh",
        "Võ Anh",
        "Bùi Văn Anh",
        "Trần Thị Ánh",
        "Hoàng Ân",
        "Đỗ Bình",
        "Vũ Văn Dũng",
        "Phạm Thị Đức",
        "Lê Văn Đức",
        "Trần Văn Đức",
        "Ngô Thị Oanh",
        "Đinh Văn Ôn",
        "Lương Thị Ơn",
        "Hà Thị Uyên",
        "Mai Văn Ưng",
    ]
    shuffled = expected[:]
    random.Random(2025).shuffle(shuffled)
    assert shuffled != expected
    assert _sorted(shuffled) == expected


def test_empty_name_has_an_empty_key() -> None:
    assert name_sort_key("") == ""
    assert name_sort_key("   ") == ""
