"""An SMTP server on loopback for the notification tests (Debian's python3-aiosmtpd).

    smtp_sink.py PORT DIRECTORY

Each message received is written to DIRECTORY as N.eml (as received) and N.json: the envelope,
the decoded Subject and every MIME part (content type, file name, size, first bytes), parsed
with Python's email package, so a message that does not parse as MIME shows as such. Writes
DIRECTORY/ready once listening, and exits by itself after LIFETIME_S at the latest.
"""
import email
import email.header
import email.policy
import json
import os
import sys
import time

from aiosmtpd.controller import Controller

LIFETIME_S = 300


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in parsed.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            parts.append({
                "content_type": part.get_content_type(),
                "filename": part.get_filename() or "",
                "size": len(payload),
                "head": payload[:8].decode("latin-1"),
                "text": payload.decode("utf-8", "replace") if part.get_content_maintype() == "text" else "",
            })
            if part.get_filename():
                with open(base + "-" + part.get_filename(), "wb") as out:
                    out.write(payload)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(parsed["subject"]),
            "from": str(parsed["from"]),
            "message_id": str(parsed["turno-message-id"]),
            "is_multipart": parsed.is_multipart(),
            "parts": parts,
        }
        with open(base + ".eml", "wb") as out:
            out.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as out:
            json.dump(summary, out, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    with open(os.path.join(directory, "ready"), "w") as out:
        out.write("ready\n")
    deadline = time.monotonic() + LIFETIME_S
    try:
        while time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
