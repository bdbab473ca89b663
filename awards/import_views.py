"""Pages for importing award history, initiatives and yearly ratings from Excel.

Each import has three pages, as the foundation's imports do: the upload page
(which lists every bad row when the file is refused), the blank template, and
the full error list of the user's last refused file as a workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import Perm, access
from awards import imports
from core.xlsx import Column, error_report_response, stash_error_report
from people.forms import ImportForm

IMPORT_ERRORS_SHOWN = 500


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


@dataclass(frozen=True)
class _Page:
    """What differs between the import pages."""

    title: Any
    intro: Any
    columns: list[Column]
    run: Callable[[Any, IO[bytes]], imports.ImportResult]
    template_url: str
    errors_url: str  # url name taking the page's kwargs plus `token`
    done: Callable[[imports.ImportResult], str]
    crumb: tuple[str, Any]  # (url name of the list this import feeds, its label)


def _render(
    request: HttpRequest, page: _Page, url_kwargs: dict[str, str] | None = None
) -> HttpResponse:
    result = None
    errors_token = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = page.run(request.user, form.cleaned_data["file"])
            if result.ok:
                messages.success(request, page.done(result))
                # Back to a fresh form: reloading the result page must not import twice.
                return redirect(request.path)
            errors_token = stash_error_report(request.user, result.errors)
    else:
        form = ImportForm()
    try:
        crumb_url = reverse(page.crumb[0])
    except NoReverseMatch:  # that list page is not mounted (yet): no link rather than a crash
        crumb_url = ""
    errors_link = (
        reverse(page.errors_url, kwargs={**(url_kwargs or {}), "token": errors_token})
        if errors_token
        else ""
    )
    return render(
        request,
        "awards/import.html",
        {
            "page": page,
            "form": form,
            "result": result,
            "errors_shown": result.errors[:IMPORT_ERRORS_SHOWN] if result else [],
            "errors_link": errors_link,
            "columns": page.columns,
            "crumb_url": crumb_url,
        },
    )


# --- award history ----------------------------------------------------------------------


def _awards_done(result: imports.ImportResult) -> str:
    return _("Đã nhập %(n)s khen thưởng.") % {"n": _n(result.created)}


@access(Perm.MANAGE_RECORDS)
def award_import(request: HttpRequest) -> HttpResponse:
    page = _Page(
        title=gettext_lazy("Nhập lịch sử khen thưởng từ Excel"),
        intro=gettext_lazy(
            "Mỗi dòng là một danh hiệu hoặc hình thức khen thưởng của một cá nhân hay tập thể "
            "trong phạm vi bạn quản lý, trong một năm."
        ),
        columns=imports.award_columns(),
        run=lambda user, upload: imports.import_awards(actor=user, upload=upload),
        template_url=reverse("awards:import_template"),
        errors_url="awards:import_errors",
        done=_awards_done,
        crumb=("awards:list", gettext_lazy("Khen thưởng")),
    )
    return _render(request, page)


@access(Perm.MANAGE_RECORDS)
def award_import_template(request: HttpRequest) -> HttpResponse:
    return imports.award_template_response()


@access(Perm.VIEW)
def award_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The full error list of the user's own last refused file (kept for an hour)."""
    return error_report_response(request.user, token, "loi-nhap-khen-thuong.xlsx")


# --- initiatives ------------------------------------------------------------------------


def _initiatives_done(result: imports.ImportResult) -> str:
    return _("Đã nhập %(n)s sáng kiến, đề tài.") % {"n": _n(result.created)}


@access(Perm.MANAGE_RECORDS)
def initiative_import(request: HttpRequest) -> HttpResponse:
    page = _Page(
        title=gettext_lazy("Nhập sáng kiến, đề tài từ Excel"),
        intro=gettext_lazy(
            "Mỗi dòng là một sáng kiến hoặc đề tài đã được công nhận, với một hoặc nhiều tác giả."
        ),
        columns=imports.initiative_columns(),
        run=lambda user, upload: imports.import_initiatives(actor=user, upload=upload),
        template_url=reverse("awards:initiative_import_template"),
        errors_url="awards:initiative_import_errors",
        done=_initiatives_done,
        crumb=("awards:initiatives", gettext_lazy("Sáng kiến, đề tài")),
    )
    return _render(request, page)


@access(Perm.MANAGE_RECORDS)
def initiative_import_template(request: HttpRequest) -> HttpResponse:
    return imports.initiative_template_response()


@access(Perm.VIEW)
def initiative_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    return error_report_response(request.user, token, "loi-nhap-sang-kien.xlsx")


# --- yearly ratings ---------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in imports.RATING_KINDS:
        raise Http404


def _ratings_done(result: imports.ImportResult) -> str:
    return _("Đã nhập xếp loại: %(c)s mới, %(u)s thay thế xếp loại cũ, %(s)s không thay đổi.") % {
        "c": _n(result.created),
        "u": _n(result.updated),
        "s": _n(result.unchanged),
    }


# Ratings are kept by whoever manages people (the rating pages of people and units ask the same).
@access(Perm.MANAGE_PEOPLE)
def rating_import(request: HttpRequest, kind: str) -> HttpResponse:
    _check_kind(kind)
    if kind == "person":
        title = gettext_lazy("Nhập xếp loại cán bộ từ Excel")
        intro = gettext_lazy(
            "Mỗi dòng là xếp loại chất lượng một năm của một cán bộ trong phạm vi bạn quản lý. "
            "Năm đã có xếp loại thì xếp loại trong tệp thay thế (có ghi nhật ký)."
        )
    else:
        title = gettext_lazy("Nhập xếp loại đơn vị từ Excel")
        intro = gettext_lazy(
            "Mỗi dòng là xếp loại chất lượng một năm của một đơn vị trong phạm vi bạn quản lý. "
            "Năm đã có xếp loại thì xếp loại trong tệp thay thế (có ghi nhật ký)."
        )
    page = _Page(
        title=title,
        intro=intro,
        columns=imports.rating_columns(kind),
        run=lambda user, upload: imports.import_ratings(actor=user, kind=kind, upload=upload),
        template_url=reverse("awards:rating_import_template", kwargs={"kind": kind}),
        errors_url="awards:rating_import_errors",
        done=_ratings_done,
        crumb=(
            ("people:list", gettext_lazy("Cán bộ"))
            if kind == "person"
            else ("organizations:list", gettext_lazy("Đơn vị"))
        ),
    )
    return _render(request, page, {"kind": kind})


@access(Perm.MANAGE_PEOPLE)
def rating_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _check_kind(kind)
    return imports.rating_template_response(kind)


@access(Perm.VIEW)
def rating_import_errors(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    _check_kind(kind)
    name = "loi-nhap-xep-loai-can-bo.xlsx" if kind == "person" else "loi-nhap-xep-loai-don-vi.xlsx"
    return error_report_response(request.user, token, name)
