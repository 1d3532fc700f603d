#!/usr/bin/env bash
# The POP3 retrieval benchmark (issue 4): starts a Dovecot + Postfix of its own (a separate
# state directory and ports, so it never disturbs a running test instance), fills carol's
# Maildir with 1,000 deterministic messages of 10 KB to 1 MB (log-uniform sizes, printable
# lines up to 998 octets, some starting with '.'), then runs
# `cargo bench -p mail-kit-tests --bench pop3_retrieve`: mail-kit tokio and blocking
# (pipelined `retrieve_many`), Python's poplib and a plain rustls read of the same bytes, side
# by side, printing MB/s and ratios. Stops the servers at the end. Not run by CI.
#
#   tests/benches/pop3_retrieve.sh            # 1,000 messages
#   MESSAGES=200 tests/benches/pop3_retrieve.sh
#   CRLF=1 tests/benches/pop3_retrieve.sh     # store the messages with CRLF line ends
#                                             # (Dovecot then skips its LF->CRLF conversion)
set -euo pipefail
cd "$(dirname "$0")/../.."

MESSAGES=${MESSAGES:-1000}
# Ports BASE025, BASE587... (BENCH_BASE_PORT=19 by default: 19025, 19110, 19995...).
base=${BENCH_BASE_PORT:-19}
export MAILKIT_SERVERS_DIR=${BENCH_SERVERS_DIR:-/tmp/mk-bench-pop3}
export MAILKIT_SMTP_PORT=${base}025 MAILKIT_SMTP_SUBMISSION_PORT=${base}587
export MAILKIT_SMTPS_PORT=${base}465 MAILKIT_IMAP_PORT=${base}143 MAILKIT_IMAPS_PORT=${base}993
export MAILKIT_POP3_PORT=${base}110 MAILKIT_POP3S_PORT=${base}995

eval "$(tests/servers/start.sh)"
trap 'tests/servers/stop.sh' EXIT

maildir="$MAILKIT_MAILDIR_ROOT/carol/Maildir"
echo "== filling $maildir with $MESSAGES messages" >&2
python3 - "$maildir" "$MESSAGES" "${CRLF:-0}" <<'PY'
import os, random, sys
maildir, count, crlf = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
eol = "\r\n" if crlf else "\n"
rng = random.Random(20261204)
for sub in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(maildir, sub), exist_ok=True)
total = 0
printable = "".join(chr(c) for c in range(0x21, 0x7f)) + " " * 16
for i in range(count):
    size = int(10_000 * 100 ** rng.random())  # 10 KB to 1 MB, log-uniform
    lines = [f"From: <alice@example.org>", f"To: <carol@example.org>",
             f"Subject: benchmark message {i}", f"Message-ID: <bench.{i}@mail-kit.test>", ""]
    length = sum(len(l) + len(eol) for l in lines)
    while length < size:
        n = rng.choice((998, rng.randrange(0, 999), rng.randrange(40, 100), rng.randrange(40, 100)))
        line = "".join(rng.choices(printable, k=n))
        if rng.random() < 1 / 12:
            line = "." + line[1:] if line else "."
        lines.append(line)
        length += len(line) + len(eol)
    data = (eol.join(lines) + eol).encode()
    total += len(data)
    name = f"{1700000000 + i}.M{i}P1.bench,S={len(data)}"
    with open(os.path.join(maildir, "new", name), "wb") as f:
        f.write(data)
print(f"{count} messages, {total / 1e6:.1f} MB stored ({'CRLF' if crlf else 'LF'})", file=sys.stderr)
PY
chown -R mail:mail "$maildir"

echo "== cargo bench -p mail-kit-tests --bench pop3_retrieve" >&2
MAILKIT_BENCH_USER=carol cargo bench -p mail-kit-tests --bench pop3_retrieve
