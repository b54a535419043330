from django.urls import path

from clientela.core.views import (
    account,
    auth,
    company,
    mailboxes,
    roles,
    search,
    sms,
    teams,
    trash,
    users,
)
from clientela.core.views import settings as settings_views

app_name = "core"
urlpatterns = [
    path("", auth.home, name="home"),
    path("search/", search.search, name="search"),
    # the trash of every kind
    path("trash/", trash.trash_page, name="trash"),
    path("trash/restore/", trash.trash_restore_many, name="trash-restore"),
    path("trash/purge/", trash.trash_purge_many, name="trash-purge"),
    path(
        "trash/<str:resource>/<int:pk>/restore/",
        trash.trash_restore_one,
        name="trash-restore-one",
    ),
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
    # the settings area (admins only; one page per section)
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/company/", company.company_profile, name="company-profile"),
    path("settings/company/logo/", company.company_logo, name="company-logo"),
    path("settings/users/", users.user_list, name="user-list"),
    path("settings/users/invite/", users.user_invite, name="user-invite"),
    path("settings/users/<int:pk>/", users.user_detail, name="user-detail"),
    path("settings/users/<int:pk>/deactivate/", users.user_deactivate, name="user-deactivate"),
    path("settings/users/<int:pk>/reactivate/", users.user_reactivate, name="user-reactivate"),
    path(
        "settings/users/<int:pk>/two-factor-reset/",
        users.user_two_factor_reset,
        name="user-two-factor-reset",
    ),
    path(
        "settings/users/<int:pk>/password-link/",
        users.user_password_link,
        name="user-password-link",
    ),
    path("settings/teams/", teams.team_list, name="team-list"),
    path("settings/teams/<int:pk>/", teams.team_rename, name="team-rename"),
    path("settings/teams/<int:pk>/delete/", teams.team_delete, name="team-delete"),
    path("settings/roles/", roles.role_list, name="role-list"),
    path("settings/roles/<int:pk>/", roles.role_detail, name="role-detail"),
    path("settings/roles/<int:pk>/rename/", roles.role_rename, name="role-rename"),
    path("settings/roles/<int:pk>/delete/", roles.role_delete, name="role-delete"),
    path("settings/two-factor/", settings_views.settings_two_factor, name="settings-two-factor"),
    path("settings/custom-fields/", settings_views.custom_fields, name="custom-field-list"),
    path("settings/background/", settings_views.settings_background, name="settings-background"),
    # inbound e-mail: the mailboxes polled and the messages an admin should look at
    path("settings/mailboxes/", mailboxes.mailbox_list, name="mailbox-list"),
    path("settings/mailboxes/new/", mailboxes.mailbox_new, name="mailbox-create"),
    path("settings/mailboxes/<int:pk>/", mailboxes.mailbox_edit, name="mailbox-edit"),
    path("settings/mailboxes/<int:pk>/test/", mailboxes.mailbox_test, name="mailbox-test"),
    path("settings/mailboxes/<int:pk>/delete/", mailboxes.mailbox_remove, name="mailbox-delete"),
    path("settings/inbound/", mailboxes.inbound_message_list, name="inbound-messages"),
    path("settings/inbound/<int:pk>/raw/", mailboxes.inbound_message_raw, name="inbound-raw"),
    # the SMS provider's webhook: replies and delivery reports (public, signed)
    path("sms/inbound/<str:backend>/", sms.sms_inbound, name="sms-inbound"),
]
