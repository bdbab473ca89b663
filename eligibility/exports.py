"""Evaluations as JSON (the contract's shape, one entry per subject) and as a workbook."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from eligibility.engine import VERDICT_LABELS, Evaluation, SubjectResult


def results_json(subject: SubjectResult, *, verdicts: bool = True) -> list[dict[str, Any]]:
    """The contract's `results` (with `verdicts=False`, exactly its keys)."""
    out = []
    for r in subject.results:
        item: dict[str, Any] = {"award": r.award, "eligible": r.eligible}
        if verdicts:
            item["verdict"] = r.verdict.value
        item["conditions"] = [
            {
                "id": o.condition.id,
                "met": o.met,
                "kind": o.condition.kind,
                "citation": o.condition.citation,
                "explanation": o.explanation,
            }
            for o in r.conditions()
        ]
        out.append(item)
    return out


def subject_json(evaluation: Evaluation, subject: SubjectResult) -> dict[str, Any]:
    return {
        "subject": {"kind": subject.kind, "code": subject.code},
        "name": subject.name,
        "unit": evaluation.unit_names.get(subject.unit_id or 0, "") if subject.unit_id else "",
        "year": evaluation.year,
        "rule_set": {
            "id": evaluation.rule_set.id,
            "effective_from": evaluation.rule_set.effective_from.isoformat(),
        },
        "results": results_json(subject),
    }


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "year": evaluation.year,
        "rule_set": {
            "id": evaluation.rule_set.id,
            "effective_from": evaluation.rule_set.effective_from.isoformat(),
        },
        "people": [subject_json(evaluation, s) for s in sorted_subjects(evaluation.people)],
        "units": [subject_json(evaluation, s) for s in sorted_subjects(evaluation.units)],
    }


def sorted_subjects(subjects: dict[int, SubjectResult]) -> list[SubjectResult]:
    return sorted(subjects.values(), key=lambda s: (s.sort_key, s.code))


def _reasons(subject: SubjectResult, award: str) -> str:
    result = subject.result(award)
    if result is None:
        return ""
    if result.eligible:
        pending = result.pending_judgements()
        return "; ".join(c.text for c in pending)
    return "; ".join(c.text for c in result.unmet())


def evaluation_workbook(evaluation: Evaluation) -> bytes:
    """One sheet for people, one for units: a verdict column per title and, next to it,
    the unmet conditions (or the judgements still to make)."""
    workbook = Workbook(write_only=True)
    info = workbook.create_sheet("Thông tin")
    info.append(["Năm xét", evaluation.year])
    info.append(["Bộ quy tắc", f"{evaluation.rule_set.id} — {evaluation.rule_set.title}"])
    info.append(["Hiệu lực từ", evaluation.rule_set.effective_from.strftime("%d/%m/%Y")])
    for title, subjects, kind in (
        ("Cá nhân", evaluation.people, "person"),
        ("Tập thể", evaluation.units, "unit"),
    ):
        awards = evaluation.rule_set.award_codes(kind)
        sheet = workbook.create_sheet(title)
        headers = ["Mã", "Họ tên" if kind == "person" else "Tên đơn vị"]
        if kind == "person":
            headers.append("Đơn vị (31/12)")
        for code in awards:
            headers += [code, f"{code} — lý do / cần đánh giá"]
        for index, header in enumerate(headers, start=1):
            width = 40 if "lý do" in header or index == 2 else 16
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append(headers)
        for subject in sorted_subjects(subjects):
            row: list[Any] = [subject.code, subject.name]
            if kind == "person":
                row.append(evaluation.unit_names.get(subject.unit_id or 0, ""))
            for code in awards:
                result = subject.result(code)
                row.append(VERDICT_LABELS[result.verdict] if result else "")
                row.append(_reasons(subject, code))
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
