from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="users"),
    path("new/", views.user_create, name="create"),
    path("<int:pk>/", views.user_detail, name="detail"),
    path("<int:pk>/grants/", views.grant_add, name="grant_add"),
    path("<int:pk>/grants/<int:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("<int:pk>/active/", views.user_set_active, name="set_active"),
    path("<int:pk>/password-email/", views.password_email, name="password_email"),
    path("<int:pk>/tokens/new/", views.token_issue, name="token_issue"),
    path("<int:pk>/tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
