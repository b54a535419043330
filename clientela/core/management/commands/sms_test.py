"""``clientela sms-test +34600123456``: send one text message through the configured
SMS backend (``CLIENTELA_SMS_URL``) to check the set-up; prints the provider's id of
it, or its error and exits non-zero."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from clientela.core import sms
from clientela.core.management.base import ClientelaCommand


class Command(ClientelaCommand):
    help = "Send one test SMS through the configured SMS backend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("to", help="the number to send to, in E.164 (+34600123456)")
        parser.add_argument("--body", default="", help="the text (default: a test line)")
        parser.add_argument("--from", dest="sender", default="", help="the sender")

    def handle(self, *args: Any, **options: Any) -> None:
        body = options["body"] or _("Clientela test message: the SMS gateway works.")
        message = sms.SmsMessage(to=options["to"], body=body, sender=options["sender"])
        try:
            backend = sms.get_backend()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        (result,) = backend.send_messages([message])
        if not result.ok:
            raise CommandError(result.error)
        length = sms.segments(body)
        self.stdout.write(
            _("Sent through %(backend)s: %(id)s (%(encoding)s, %(segments)s segment(s)).")
            % {
                "backend": backend.name,
                "id": result.provider_id,
                "encoding": length.encoding,
                "segments": length.segments,
            }
        )
