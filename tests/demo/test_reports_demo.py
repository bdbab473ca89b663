"""The reports demo builds on the foundation demo and leaves a coherent picture."""

from __future__ import annotations

import pytest

from reports.models import AnnualReport, CandidateStatus, CompiledReport, Conference, ReportStatus


@pytest.mark.django_db
def test_demo_builds_reports_compilation_and_conference(demo_loaded: str) -> None:
    # core.demo runs reports.demo.build after the foundation and the other apps
    assert AnnualReport.objects.filter(year=2024).count() == 6
    assert AnnualReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 4
    compiled = CompiledReport.objects.get(unit__code="KTTV", year=2024)
    assert compiled.sources.count() == 2
    conference = Conference.objects.get()
    quotas = {q.unit.code: q.quota for q in conference.quotas.select_related("unit")}
    for quota in conference.quotas.all():
        assert conference.candidates.filter(unit=quota.unit).count() <= quota.quota
    assert quotas["KTTV_TTDB"] == 2
    assert conference.candidates.filter(status=CandidateStatus.SELECTED).exists()
