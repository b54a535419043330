"""The bounces that are no RFC 3464 report: plain-text bodies in the shapes mail servers
have written for decades (qmail and Yahoo, Exim, Sendmail, Postfix before DSNs, Gmail's
and Exchange's older notices). Each names the failed recipients its own way; this
module finds them and the server's words about each, and leaves the status and the
hard/soft decision to ``bounces``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: An e-mail address as bounces write it (a domain with at least one dot).
ADDR = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+"
)
ADDRESS = re.compile(rf"(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-]){ADDR}")

#: Where the copy of the returned message starts in a text bounce.
ORIGINAL_STARTS = re.compile(
    r"(?im)^[ \t]*(?:-{2,}[ \t]*(?:(?:this is a |below this line is a )?copy of the message"
    r"|original message|the header of the original message|message headers? follows?"
    r"|undelivered message|returned message)[^\n]*"
    r"|original message headers:[ \t]*)$"
)

#: Words of a notice about a delay, not a failure: the server keeps trying.
DELAYED = re.compile(
    r"(?i)\b(?:has been delayed|delivery (?:is|has been) delayed|will (?:keep|continue) "
    r"(?:trying|to try)|has not yet been delivered|could not send message for past|"
    r"delivery incomplete|temporary (?:failure|problem))"
)

#: The signature lines that tell the servers apart (for the report's ``format``).
SIGNATURES = (
    ("qmail", re.compile(r"(?i)this is the qmail-send program")),
    ("yahoo", re.compile(r"(?i)sorry, we were unable to deliver your message")),
    ("exim", re.compile(r"(?i)created automatically by mail delivery software")),
    ("postfix", re.compile(r"(?i)this is the mail system at host")),
    ("sendmail", re.compile(r"(?i)had permanent fatal errors|transcript of session follows")),
    ("gmail", re.compile(r"(?i)delivery to the following recipients? (?:failed|has been)")),
    (
        "exchange",
        re.compile(
            r"(?i)delivery has failed to these recipients|did not reach some or all of the "
            r"intended recipients|could not be delivered to the following recipients|"
            r"the following recipient\(s\) cannot be reached"
        ),
    ),
)

#: Where an explanation for every recipient follows (Gmail, Exchange).
DETAILS = re.compile(
    r"(?is)(?:technical details of (?:permanent|temporary) failure:|the error that the "
    r"other server returned was:|diagnostic information for administrators:|"
    r"remote server returned )(.{0,2000})"
)
#: A line that holds an SMTP reply or an enhanced status code.
CODE_LINE = re.compile(r"(?m)^.*(?:(?<![\d.])[45]\d\d(?![\d.])|#?[245]\.\d{1,3}\.\d{1,3}).*$")
#: Most text scanned: a bounce's notice is short; past this lies only the copy.
MAX_TEXT = 200_000


@dataclass(frozen=True)
class Finding:
    """A failed recipient as a text bounce names it, with what the server said."""

    recipient: str
    diagnostic: str


def split_original(text: str) -> tuple[str, str]:
    """The notice and the copy of the returned message after it ("" when none)."""
    text = text[:MAX_TEXT]
    found = ORIGINAL_STARTS.search(text)
    if found is None:
        return text, ""
    return text[: found.start()], text[found.end() :].lstrip("\r\n")


def format_of(text: str, sender: str) -> str:
    for name, signature in SIGNATURES:
        if signature.search(text):
            return name
    if sender.endswith(("yahoo.com", "yahoo.es", "aol.com")):
        return "yahoo"
    return "text"


def is_delay(text: str) -> bool:
    return DELAYED.search(text) is not None


def _squash(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())[:1000]


def _angle_blocks(notice: str) -> list[Finding]:
    """``<user@example.com>:`` then the server's words up to a blank line (qmail,
    Yahoo, Postfix's text bounce); ``<user@example.com>`` then ``(reason: …)``
    (Sendmail)."""
    found: list[Finding] = []
    lines = notice.splitlines()
    start = re.compile(rf"^[ \t]*<({ADDR})>:?[ \t]*(.*)$")
    for index, line in enumerate(lines):
        match = start.match(line)
        if match is None:
            continue
        words = [match.group(2)]
        for following in lines[index + 1 : index + 40]:
            if not following.strip() or start.match(following):
                break
            words.append(following)
        found.append(Finding(match.group(1), _squash(words)))
    return found


def _lone_addresses(notice: str) -> list[Finding]:
    """An address alone on its line, the lines indented under it its explanation
    (Exim: "  user@example.com" then "    host … said: 550 …"; Gmail and Exchange
    name the address alone and explain it below)."""
    found: list[Finding] = []
    lines = notice.splitlines()
    alone = re.compile(rf"^([ \t]*)<?({ADDR})>?:?[ \t]*$")
    for index, line in enumerate(lines):
        match = alone.match(line)
        if match is None:
            continue
        indent = len(match.group(1).expandtabs())
        words: list[str] = []
        for following in lines[index + 1 : index + 40]:
            if not following.strip():
                if words:
                    break
                continue
            if len(following) - len(following.lstrip(" \t")) <= indent:
                break
            words.append(following)
        found.append(Finding(match.group(2), _squash(words)))
    return found


def details(notice: str) -> str:
    """The explanation a notice gives once for all its recipients."""
    match = DETAILS.search(notice)
    if match:
        lines = [line for line in match.group(1).splitlines() if line.strip()]
        coded = [line for line in lines if CODE_LINE.match(line)]
        return _squash(coded[:3] or lines[:3])
    coded_lines = CODE_LINE.findall(notice)
    return _squash(coded_lines[:2])


def _unique(findings: list[Finding], ignored: set[str]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for finding in findings:
        address = finding.recipient.lower()
        if address in ignored:
            continue
        if address not in seen or (finding.diagnostic and not seen[address].diagnostic):
            seen[address] = Finding(address, finding.diagnostic)
    return list(seen.values())


def text_findings(notice: str, *, ignored: set[str], failed: list[str]) -> list[Finding]:
    """The failed recipients of a text bounce's ``notice`` (the part before the copy):
    by the shapes above, else the ``X-Failed-Recipients`` header's ``failed``. Addresses
    in ``ignored`` (the bounce's own sender and recipient) are never a failed recipient."""
    findings = _unique(_angle_blocks(notice), ignored)
    if not findings:
        findings = _unique(_lone_addresses(notice), ignored)
    if not findings:
        findings = _unique([Finding(address, "") for address in failed], ignored)
    if any(not finding.diagnostic for finding in findings):
        shared = details(notice)
        findings = [Finding(f.recipient, f.diagnostic or shared) for f in findings]
    return findings


def addresses_in(text: str) -> list[str]:
    return [address.lower() for address in ADDRESS.findall(text)]
