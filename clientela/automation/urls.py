"""The automation pages."""

from clientela.automation.views.rules import urlpatterns as rule_patterns
from clientela.automation.views.webhooks import urlpatterns as webhook_patterns

app_name = "automation"
urlpatterns = [*webhook_patterns, *rule_patterns]
