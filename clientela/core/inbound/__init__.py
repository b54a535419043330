"""Inbound e-mail, built once for every app: IMAP mailboxes polled by the worker
(``polling``), the API for mail servers that pipe mail (``core.api.inbound``), one
path for both (``services.inbound_receive``), the parser (``parsing``) and the
handlers apps register (``core.registry.register_inbound_handler``)."""
