"""The catalogue of titles and forms (shared/domain/LAW.md), loaded by a data migration.

Prize coefficients are multiples of the base salary (Decree 152/2025, Art. 50, 54);
council vote thresholds count the council's whole membership (Decree 98/2023,
Art. 30.7 — Decree 152 unverified).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

D = Decimal
HEAD = "Thủ trưởng cơ quan, đơn vị"
MINISTER = "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Chủ tịch UBND cấp tỉnh"
PM = "Thủ tướng Chính phủ"
PRESIDENT = "Chủ tịch nước"

# code, name, kind, recipient, level, decided_by, citation,
# coefficient (individual), coefficient (collective), council vote threshold %, yearly
CATALOGUE: list[tuple[Any, ...]] = [
    ("LDTT", "Lao động tiên tiến", "TITLE", "INDIVIDUAL", "CO_SO", HEAD,
     "Luật TĐKT 2022, Điều 24", D("0.3"), None, None, True),
    ("CSTDCS", "Chiến sĩ thi đua cơ sở", "TITLE", "INDIVIDUAL", "CO_SO", HEAD,
     "Luật TĐKT 2022, Điều 23", D("1.0"), None, 80, True),
    ("CSTD_BO", "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh", "TITLE", "INDIVIDUAL", "BO_TINH",
     MINISTER, "Luật TĐKT 2022, Điều 22", D("3.0"), None, 90, True),
    ("CSTD_TQ", "Chiến sĩ thi đua toàn quốc", "TITLE", "INDIVIDUAL", "NHA_NUOC", PM,
     "Luật TĐKT 2022, Điều 21", D("4.5"), None, 90, True),
    ("TTLDTT", "Tập thể lao động tiên tiến", "TITLE", "COLLECTIVE", "CO_SO", HEAD,
     "Luật TĐKT 2022, Điều 28", None, D("0.8"), None, True),
    ("TTLDXS", "Tập thể lao động xuất sắc", "TITLE", "COLLECTIVE", "BO_TINH", MINISTER,
     "Luật TĐKT 2022, Điều 27", None, D("1.5"), None, True),
    ("CO_BO", "Cờ thi đua cấp bộ, ban, ngành, tỉnh", "TITLE", "COLLECTIVE", "BO_TINH", MINISTER,
     "Luật TĐKT 2022, Điều 26", None, D("8"), 80, True),
    ("CO_CP", "Cờ thi đua của Chính phủ", "TITLE", "COLLECTIVE", "NHA_NUOC", PM,
     "Luật TĐKT 2022, Điều 25", None, D("12"), 80, True),
    ("GIAY_KHEN", "Giấy khen", "FORM", "BOTH", "CO_SO", HEAD,
     "Luật TĐKT 2022, Điều 75", None, D("0.6"), None, False),
    ("BK_BO", "Bằng khen cấp bộ, ban, ngành, tỉnh", "FORM", "BOTH", "BO_TINH", MINISTER,
     "Luật TĐKT 2022, Điều 74", D("1.5"), D("3"), None, False),
    ("BK_TTG", "Bằng khen của Thủ tướng Chính phủ", "FORM", "BOTH", "NHA_NUOC", PM,
     "Luật TĐKT 2022, Điều 73", D("3.5"), D("7"), None, False),
    ("HCLD3", "Huân chương Lao động hạng Ba", "FORM", "BOTH", "NHA_NUOC", PRESIDENT,
     "Luật TĐKT 2022, Điều 44", None, None, None, False),
]  # fmt: skip


def sync_catalogue(award_type_model: Any) -> None:
    """Create or update the catalogue rows (used by the data migration)."""
    for order, row in enumerate(CATALOGUE, start=1):
        code, name, kind, recipient, level, decided_by, citation, c_ind, c_col, vote, yearly = row
        award_type_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "recipient": recipient,
                "level": level,
                "decided_by": decided_by,
                "citation": citation,
                "coefficient_individual": c_ind,
                "coefficient_collective": c_col,
                "council_vote": vote is not None,
                "vote_threshold": vote,
                "yearly": yearly,
                "order": order * 10,
            },
        )
