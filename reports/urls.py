from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/refresh/", views.report_refresh, name="refresh"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/docx/", views.report_docx, name="docx"),
    path("<int:pk>/xlsx/", views.report_xlsx, name="xlsx"),
    path("compiled/", views.compiled_list, name="compiled_list"),
    path("compile/", views.compile_page, name="compile"),
    path("compiled/<int:compiled_pk>/", views.compiled_detail, name="compiled_detail"),
    path("compiled/<int:compiled_pk>/edit/", views.compiled_edit, name="compiled_edit"),
    path("compiled/<int:compiled_pk>/submit/", views.compiled_submit, name="compiled_submit"),
    path("compiled/<int:compiled_pk>/docx/", views.compiled_docx, name="compiled_docx"),
    path("compiled/<int:compiled_pk>/xlsx/", views.compiled_xlsx, name="compiled_xlsx"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:review_pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:review_pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:review_pk>/docx/", views.review_docx, name="review_docx"),
    path("reviews/<int:review_pk>/xlsx/", views.review_xlsx, name="review_xlsx"),
    path("conferences/", views.conference_list, name="conference_list"),
    path("conferences/new/", views.conference_create, name="conference_create"),
    path("conferences/<int:conference_pk>/", views.conference_detail, name="conference_detail"),
    path(
        "conferences/<int:conference_pk>/quotas/",
        views.conference_quotas,
        name="conference_quotas",
    ),
    path(
        "conferences/<int:conference_pk>/propose/",
        views.conference_propose,
        name="conference_propose",
    ),
    path(
        "conferences/<int:conference_pk>/candidates/<int:candidate_pk>/withdraw/",
        views.candidate_withdraw,
        name="candidate_withdraw",
    ),
    path(
        "conferences/<int:conference_pk>/select/",
        views.conference_select,
        name="conference_select",
    ),
    path("conferences/<int:conference_pk>/docx/", views.conference_docx, name="conference_docx"),
    path("conferences/<int:conference_pk>/xlsx/", views.conference_xlsx, name="conference_xlsx"),
]
