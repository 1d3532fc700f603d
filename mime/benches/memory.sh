#!/usr/bin/env bash
# Peak memory of `mailkit parse --summary` on a generated 1 GiB message with attachments.
#
# The message is streamed to a temporary file (never held in memory): a text part, an HTML part
# and base64 attachments of random bytes. Then `mailkit parse --summary FILE` runs under
# `/usr/bin/time -v` and the peak RSS is compared with the target (64 MiB). Not run by CI.
#
# Usage: mime/benches/memory.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/../.."
size_mib="${1:-1024}"
limit_kib=$((64 * 1024))

command -v /usr/bin/time >/dev/null || { apt-get install -y time >/dev/null; }
cargo build --release --quiet -p mail-kit --features cli --bin mailkit
bin="${CARGO_TARGET_DIR:-target}/release/mailkit"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/big.eml"

# Attachments of 256 MiB of encoded data each until the size is reached.
attachment_mib=256
count=$(( (size_mib + attachment_mib - 1) / attachment_mib ))
raw_bytes=$(( attachment_mib * 1024 * 1024 * 3 / 4 ))
{
  printf 'From: Memory Test <memory@example.org>\r\nTo: you@example.org\r\n'
  printf 'Subject: =?utf-8?Q?A_1_GiB_message?=\r\nDate: Fri, 04 Dec 2026 18:00:00 +0000\r\n'
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n'
  printf -- '--outer\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n'
  printf -- '--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n'
  printf -- '--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello.</p>\r\n--inner--\r\n'
  for i in $(seq 1 "$count"); do
    printf -- '--outer\r\nContent-Type: application/octet-stream; name="part-%d.bin"\r\n' "$i"
    printf 'Content-Disposition: attachment; filename="part-%d.bin"\r\n' "$i"
    printf 'Content-Transfer-Encoding: base64\r\n\r\n'
    head -c "$raw_bytes" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
  done
  printf -- '--outer--\r\n'
} > "$file"

bytes=$(stat -c %s "$file")
report=$(/usr/bin/time -v "$bin" parse --summary "$file" 2>&1 >"$dir/summary")
peak_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' <<<"$report")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' <<<"$report")
cat "$dir/summary"
printf 'input: %d MiB; peak RSS: %d KiB (%.1f MiB); wall: %s; target: <= 64 MiB\n' \
  $((bytes / 1024 / 1024)) "$peak_kib" "$(awk "BEGIN { print $peak_kib / 1024 }")" "$wall"
if [ "$peak_kib" -gt "$limit_kib" ]; then
  echo "FAILED: peak RSS above 64 MiB"
  exit 1
fi
