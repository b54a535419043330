from django.urls import path

from clientela.core.views import account, auth, search
from clientela.core.views import settings as settings_views

app_name = "core"
urlpatterns = [
    path("", auth.home, name="home"),
    path("search/", search.search, name="search"),
    # login, logout, password reset
    path("account/login/", auth.LoginView.as_view(), name="login"),
    path("account/logout/", auth.LogoutView.as_view(), name="logout"),
    path("account/password-reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path(
        "account/password-reset/done/",
        auth.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "account/reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    # two-factor login (the middleware lets every /account/2fa… URL through)
    path("account/2fa/setup/", auth.two_factor_setup, name="2fa-setup"),
    path("account/2fa/verify/", auth.two_factor_verify, name="2fa-verify"),
    path("account/2fa/disable/", auth.two_factor_disable, name="2fa-disable"),
    # the user's own account
    path("account/preferences/", account.preferences, name="profile"),
    path("account/tokens/", account.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="token-revoke"),
    # admin settings
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/two-factor/", settings_views.settings_two_factor, name="settings-two-factor"),
    path("settings/roles/", settings_views.settings_roles, name="settings-roles"),
    path(
        "settings/custom-fields/",
        settings_views.settings_custom_field_create,
        name="settings-custom-field-create",
    ),
]
