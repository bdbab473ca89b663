from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from accounts.access import mark_checked
from accounts.forms import LoginForm
from config.api import api
from core import views as core_views

auth_patterns = [
    path(
        "login/",
        mark_checked(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            ),
            None,
        ),
        name="login",
    ),
    path("logout/", mark_checked(auth_views.LogoutView.as_view(), None), name="logout"),
    path(
        "password-reset/",
        mark_checked(auth_views.PasswordResetView.as_view(), None),
        name="password_reset",
    ),
    path(
        "password-reset/done/",
        mark_checked(auth_views.PasswordResetDoneView.as_view(), None),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        mark_checked(auth_views.PasswordResetConfirmView.as_view(), None),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        mark_checked(auth_views.PasswordResetCompleteView.as_view(), None),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include(auth_patterns)),
    path("i18n/setlang/", mark_checked(set_language, None), name="set_language"),
    path("units/", include("organizations.urls")),
    path("people/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("users/", include("accounts.urls")),
    path("awards/", include("awards.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("plans/", include("plans.urls")),
    path("notifications/", include("notifications.urls")),
    path("movements/", include("movements.urls")),
    path("inspections/", include("inspections.urls")),
    path("propagation/", include("propagation.urls")),
    path("portal/", include("propagation.urls_portal")),
    path("reports/", include("reports.urls")),
    path("exemplars/", include("exemplars.urls")),
    path("commendations/", include("commendations.urls")),
    path("api/v1/", api.urls),
    # Django's admin checks is_staff on every page itself; only superusers get it.
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
