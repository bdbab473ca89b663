"""URLs of the council sessions, ballots, decisions, certificates and verification.

commendations/urls.py concatenates `urlpatterns` into the app's namespace
("commendations"). `verify` is the one public page (the certificate's QR code).
"""

from django.urls import path

from commendations import views_council as views

urlpatterns = [
    path("rounds/<int:round>/council/", views.round_council, name="round_council"),
    path("rounds/<int:round>/sessions/new/", views.session_create, name="session_create"),
    path("rounds/<int:round>/decisions/new/", views.decision_create, name="decision_create"),
    path("sessions/<int:session>/", views.session_detail, name="session"),
    path(
        "sessions/<int:session>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    path("sessions/<int:session>/open/", views.session_open, name="session_open"),
    path("sessions/<int:session>/close/", views.session_close, name="session_close"),
    path("sessions/<int:session>/written/", views.session_written, name="session_written"),
    path("sessions/<int:session>/tally/", views.session_tally, name="session_tally"),
    path("sessions/<int:session>/minutes.docx", views.session_minutes, name="session_minutes"),
    path("ballot/", views.ballot_index, name="ballots"),
    path("sessions/<int:session>/ballot/", views.ballot, name="ballot"),
    path("sessions/<int:session>/ballot/vote/", views.ballot_vote, name="ballot_vote"),
    path("decisions/<int:decision>/", views.decision_detail, name="decision"),
    path(
        "decisions/<int:decision>/decision.docx",
        views.decision_docx_view,
        name="decision_docx",
    ),
    path("decisions/<int:decision>/list.xlsx", views.decision_xlsx_view, name="decision_xlsx"),
    path(
        "decisions/<int:decision>/certificates.pdf",
        views.decision_certificates_pdf,
        name="decision_certificates_pdf",
    ),
    path(
        "awards/<int:award>/certificate/",
        views.award_certificate,
        name="award_certificate",
    ),
    path("certificates/<int:certificate>/", views.certificate_detail, name="certificate"),
    path(
        "certificates/<int:certificate>/certificate.pdf",
        views.certificate_pdf_view,
        name="certificate_pdf",
    ),
    path(
        "certificates/<int:certificate>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("verify/<uuid:token>/", views.verify, name="verify"),
]

council_patterns = urlpatterns
