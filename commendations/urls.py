"""URLs of the commendation procedure, in the "commendations" namespace.

The rounds, proposals, appraisal, dossier documents and the public posting are
here; the council sessions, ballots, decisions and certificates come from
commendations/urls_council.py.
"""

from django.urls import URLPattern, path

from commendations import views_proposals as views
from commendations.urls_council import urlpatterns as council_patterns

app_name = "commendations"

P = "proposals/<int:proposal>/"
ITEM = P + "items/<int:item>/"

proposal_patterns: list[URLPattern] = [
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:round>/", views.round_detail, name="round"),
    path("rounds/<int:round>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:round>/proposals/new/", views.proposal_create, name="proposal_create"),
    path("posting/<int:round>/", views.posting, name="posting"),
    path("rounds/<int:round>/comments/", views.posting_comments, name="posting_comments"),
    path(
        "rounds/<int:round>/comments/<int:comment>/",
        views.posting_comment_handle,
        name="posting_comment_handle",
    ),
    path(P, views.proposal_detail, name="proposal"),
    path(P + "edit/", views.proposal_edit, name="proposal_edit"),
    path(P + "delete/", views.proposal_delete, name="proposal_delete"),
    path(P + "submit/", views.proposal_submit, name="proposal_submit"),
    path(P + "take/", views.proposal_take, name="proposal_take"),
    path(P + "accept/", views.proposal_accept, name="proposal_accept"),
    path(P + "return/", views.proposal_return, name="proposal_return"),
    path(P + "items/new/", views.item_add, name="item_add"),
    path(P + "items/people/", views.item_people, name="item_people"),
    path(P + "items/initiatives/", views.item_initiatives, name="item_initiatives"),
    path(ITEM + "edit/", views.item_edit, name="item_edit"),
    path(ITEM + "delete/", views.item_delete, name="item_delete"),
    path(ITEM + "override/", views.item_override, name="item_override"),
    path(ITEM + "return/", views.item_return, name="item_return"),
    path(ITEM + "reject/", views.item_reject, name="item_reject"),
    path(ITEM + "report.docx", views.report_docx, name="item_report_docx"),
    path(P + "cover.docx", views.cover_docx, name="cover_docx"),
    path(P + "minutes.docx", views.minutes_docx, name="minutes_docx"),
    path(P + "dossier/", views.dossier_generate, name="dossier_generate"),
    path(P + "documents/new/", views.document_add, name="document_add"),
    path(P + "documents/<int:document>/", views.document_file, name="document"),
    path(P + "documents/<int:document>/delete/", views.document_delete, name="document_delete"),
]

urlpatterns = [*proposal_patterns, *council_patterns]
