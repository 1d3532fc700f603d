#!/usr/bin/env bash
# Start throwaway Dovecot (IMAP/POP3/LMTP/SASL) and Postfix (SMTP submission)
# instances on 127.0.0.1 for the mail-kit test suite.
#
#   eval "$(tests/servers/start.sh)"     # exports MAILKIT_* variables
#   tests/servers/stop.sh                # stops them again
#
# Everything lives in ${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}, which is wiped on
# every start (fresh CA, certificates, mailboxes and queue). Only the
# `export MAILKIT_...` lines go to stdout; all other output goes to stderr.
# Must run as root (it installs packages and starts the daemons).
set -euo pipefail

exec 3>&1 1>&2 # fd 3 = real stdout (env lines only); chatter -> stderr
T0=$EPOCHREALTIME

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S=${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}

SMTP_PORT=${MAILKIT_SMTP_PORT:-10025}                       # plain MX-like, no AUTH
SUBMISSION_PORT=${MAILKIT_SMTP_SUBMISSION_PORT:-10587}      # STARTTLS + AUTH
SMTPS_PORT=${MAILKIT_SMTPS_PORT:-10465}                     # implicit TLS + AUTH
IMAP_PORT=${MAILKIT_IMAP_PORT:-10143}
IMAPS_PORT=${MAILKIT_IMAPS_PORT:-10993}
POP3_PORT=${MAILKIT_POP3_PORT:-10110}
POP3S_PORT=${MAILKIT_POP3S_PORT:-10995}
SMTP_NTLM_PORT=${MAILKIT_SMTP_NTLM_PORT:-10588}             # STARTTLS + AUTH NTLM (Cyrus SASL)
ALL_PORTS="$SMTP_PORT $SUBMISSION_PORT $SMTPS_PORT $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT $SMTP_NTLM_PORT"

USERS="alice bob carol"       # password of each is "<user>-secret"
MAIL_USER=${MAILKIT_MAIL_USER:-mail}  # system user owning all mailboxes
DOMAINS="localhost, example.org, example.com"
# Debian's Dovecot 2.3.19 has no built-in NTLM (only mech_winbind_ntlm, which needs Samba's
# ntlm_auth) nor SCRAM-SHA-512: adding "ntlm" or "scram-sha-512" here makes auth die with
# "Fatal: Unknown authentication mechanism" (see README.md).
AUTH_MECHS="plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256 apop"

log() { echo "mk-servers: $*"; }
die() { echo "mk-servers: ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case "$S" in /*) ;; *) die "MAILKIT_SERVERS_DIR must be absolute: $S" ;; esac
case "$S" in *[[:space:]]* | / ) die "unusable MAILKIT_SERVERS_DIR: '$S'" ;; esac
# Longest unix socket we create is $S/dovecot/run/auth-postfix (+ Dovecot's own).
[ ${#S} -le 60 ] || die "MAILKIT_SERVERS_DIR too long (unix sockets must stay < 108 bytes): $S"

# --- 1. packages ------------------------------------------------------------
# sasl2-bin: saslpasswd2; libsasl2-modules: Cyrus SASL's NTLM plugin (for Postfix's NTLM port).
PKGS="dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl sasl2-bin libsasl2-modules"

missing_pkgs() {
  local p st out=""
  for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$st" = "install ok installed" ] || out="$out $p"
  done
  echo "$out"
}

# True while some process holds an apt/dpkg lock (dpkg uses fcntl locks,
# which show up in /proc/locks by inode; flock(1) cannot see them).
apt_locked() {
  local f ino
  for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
    [ -e "$f" ] || continue
    ino=$(stat -c %i "$f")
    grep -qE "[0-9a-f]+:[0-9a-f]+:${ino} " /proc/locks && return 0
  done
  return 1
}

wait_apt() {
  local i
  for i in $(seq 900); do
    apt_locked || return 0
    [ $((i % 15)) = 1 ] && log "waiting for a running apt/dpkg to finish (see /tmp/apt.log)..."
    sleep 1
  done
  die "apt/dpkg lock still held after 15 minutes"
}

if [ -n "$(missing_pkgs)" ]; then
  wait_apt # a background install may be bringing them in right now
  need=$(missing_pkgs)
  if [ -n "$need" ]; then
    log "installing:$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $need >/dev/null
  fi
fi

id "$MAIL_USER" >/dev/null 2>&1 ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$MAIL_USER"
MAIL_UID=$(id -u "$MAIL_USER")
MAIL_GID=$(id -g "$MAIL_USER")

# --- 2. state dir -----------------------------------------------------------
if [ -e "$S" ] && [ ! -e "$S/.mailkit-servers" ] && [ -n "$(ls -A "$S" 2>/dev/null)" ]; then
  die "$S exists, is not empty and was not created by this script; refusing to wipe it"
fi
mkdir -p "$S"
touch "$S/.mailkit-servers"
chmod 755 "$S"
# Dovecot's unprivileged users must be able to traverse every parent.
d=$(dirname "$S")
while [ "$d" != / ]; do
  [ "$(( 0$(stat -c %a "$d") & 1 ))" = 1 ] || { log "chmod o+x $d"; chmod o+x "$d"; }
  d=$(dirname "$d")
done

# Serialise concurrent start.sh runs on the same directory.
exec 9>"$S/.lock"
flock 9

MAILKIT_SERVERS_DIR="$S" "$HERE/stop.sh"
find "$S" -mindepth 1 -maxdepth 1 ! -name .mailkit-servers ! -name .lock -exec rm -rf {} +

for p in $ALL_PORTS; do
  if (exec 4<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p on 127.0.0.1 is already in use by something else"
  fi
done

mkdir -p "$S/logs" "$S/ca/newcerts" "$S/certs" "$S/dovecot" "$S/postfix/etc" "$S/postfix/spool" "$S/mail"
chmod 755 "$S/logs" "$S/certs" "$S/dovecot" "$S/postfix" "$S/postfix/etc" "$S/postfix/spool" "$S/mail"
chmod 700 "$S/ca"

# --- 3. certificates --------------------------------------------------------
C=$S/certs
cat >"$S/ca/openssl.cnf" <<EOF
[ ca ]
default_ca = mk
[ mk ]
dir = $S/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
copy_extensions = none
[ pol ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_localhost ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1
[ leaf_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1
[ leaf_other ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:other.example.org
EOF
: >"$S/ca/index.txt"
openssl rand -hex 8 >"$S/ca/serial"
CNF=$S/ca/openssl.cnf

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# sign NAME CN EXTENSIONS STARTDATE ENDDATE  -> $C/NAME.pem, $C/NAME.key
sign() {
  newkey "$C/$1.key"
  openssl req -new -config "$CNF" -key "$C/$1.key" -subj "/CN=$2" -out "$S/ca/$1.csr"
  openssl ca -batch -notext -config "$CNF" -cert "$C/ca.pem" -keyfile "$S/ca/ca.key" \
    -extensions "$3" -startdate "$4" -enddate "$5" -in "$S/ca/$1.csr" -out "$C/$1.pem" 2>/dev/null
}
YESTERDAY=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
NEXT_YEAR=$(date -u -d '+1 year' +%Y%m%d%H%M%SZ)

# CA, backdated so that it also covers the validity of expired.pem.
newkey "$S/ca/ca.key"
openssl req -new -config "$CNF" -key "$S/ca/ca.key" -subj "/CN=mail-kit test CA $(date -u +%Y%m%dT%H%M%S)" -out "$S/ca/ca.csr"
openssl ca -batch -notext -selfsign -config "$CNF" -keyfile "$S/ca/ca.key" -extensions v3_ca \
  -startdate 20190101000000Z -enddate 20391231235959Z -in "$S/ca/ca.csr" -out "$C/ca.pem" 2>/dev/null

sign server     localhost         leaf_localhost "$YESTERDAY"     "$NEXT_YEAR"
sign wrong-host other.example.org leaf_other     "$YESTERDAY"     "$NEXT_YEAR"
sign expired    localhost         leaf_localhost 20200101000000Z 20210101000000Z
newkey "$C/self-signed.key"
openssl req -new -x509 -config "$CNF" -extensions leaf_self -key "$C/self-signed.key" \
  -subj "/CN=localhost" -days 365 -out "$C/self-signed.pem"
# Throwaway keys: readable so non-root test processes can use them too.
chmod 644 "$C"/*.pem "$C"/*.key
chmod 600 "$S/ca/ca.key"

# --- 4. Dovecot -------------------------------------------------------------
DV=$S/dovecot
RUN=$DV/run # base_dir: sockets + master.pid
mkdir -p "$DV/lib"
for u in $USERS; do
  echo "$u:{PLAIN}$u-secret:$MAIL_UID:$MAIL_GID::$S/mail/$u::"
  install -d -o "$MAIL_UID" -g "$MAIL_GID" -m 700 "$S/mail/$u" \
    "$S/mail/$u/Maildir" "$S/mail/$u/Maildir/cur" "$S/mail/$u/Maildir/new" "$S/mail/$u/Maildir/tmp"
done >"$DV/users"
chown root:dovecot "$DV/users"
chmod 640 "$DV/users"

cat >"$DV/dovecot.conf" <<EOF
# Generated by tests/servers/start.sh -- throwaway test instance (Dovecot $(dovecot --version | cut -d' ' -f1)).
protocols = imap pop3 lmtp
listen = 127.0.0.1
base_dir = $RUN
state_dir = $DV/lib
log_path = $S/logs/dovecot.log
info_log_path = $S/logs/dovecot.log
auth_verbose = yes

ssl = yes
ssl_cert = <$C/server.pem
ssl_key = <$C/server.key
ssl_dh = </usr/share/dovecot/dh.pem
# Dovecot 2.3 name (2.4: auth_allow_cleartext = yes)
disable_plaintext_auth = no

auth_mechanisms = $AUTH_MECHS
auth_failure_delay = 0
# "alice@example.org" (LMTP recipients, logins) -> "alice"
auth_username_format = %Ln
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/users
}
userdb {
  driver = passwd-file
  args = $DV/users
}

first_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_location = maildir:~/Maildir
pop3_uidl_format = %g
postmaster_address = postmaster@example.org
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}
protocol imap {
  mail_max_userip_connections = 500
}
protocol pop3 {
  mail_max_userip_connections = 500
}

service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
# Postfix delivers through LMTP and authenticates SMTP clients through this socket.
service lmtp {
  unix_listener lmtp {
    user = postfix
    group = postfix
    mode = 0600
  }
}
# No auth penalty (up to 15 s delays per IP after failed logins): tests fail
# logins on purpose, all from 127.0.0.1.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    user = postfix
    group = postfix
    mode = 0600
  }
}
EOF

# Daemons must not inherit our stdout/stderr (callers capture them and would
# wait for EOF forever) nor the lock on fd 9.
dovecot -c "$DV/dovecot.conf" </dev/null >>"$S/logs/dovecot-start.log" 2>&1 3>&- 9>&- || {
  tail -n 30 "$S/logs/dovecot-start.log" "$S/logs/dovecot.log" 2>/dev/null
  die "dovecot failed to start"
}

# --- 5. Postfix -------------------------------------------------------------
PF=$S/postfix
PFC=$PF/etc
for u in $USERS; do echo "$u ok"; done >"$PFC/recipients"

cat >"$PFC/main.cf" <<EOF
# Generated by tests/servers/start.sh -- throwaway test instance (Postfix $(postconf -h mail_version)).
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
maillog_file_prefixes = /var, /dev/stdout, $S/logs
maillog_file = $S/logs/postfix.log

inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = localhost
mydomain = example.org
myorigin = \$myhostname
mydestination = $DOMAINS
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP mail-kit test server
smtpd_peername_lookup = no
biff = no

# Local domains go to Dovecot over LMTP; unknown users are refused at RCPT.
local_transport = lmtp:unix:$RUN/lmtp
local_recipient_maps = texthash:$PFC/recipients
alias_maps =
alias_database =
recipient_delimiter = +
# Never send anything off this machine.
default_transport = discard:outbound mail is discarded by the mail-kit test server
relay_transport = \$default_transport

# Deliver what clients send as-is: no added Date/Message-ID/From, no address
# rewriting (by default Postfix "fixes" mail from 127.0.0.1, which would hide
# client bugs). Only a Received: header is prepended.
local_header_rewrite_clients =
always_add_missing_headers = no

message_size_limit = 31457280
mailbox_size_limit = 0

smtpd_tls_chain_files = $C/server.key, $C/server.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $RUN/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination

# Tests hammer the server: no rate limits, no tarpitting, no flow-control delays.
default_process_limit = 200
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_client_auth_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 10000
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
EOF

# Cyrus SASL for the NTLM port (Dovecot has no NTLM): smtpd reads
# $config_directory/sasl/$smtpd_sasl_path.conf (Debian's Postfix ignores
# cyrus_sasl_config_path) and a sasldb with plaintext passwords, which NTLM needs.
# smtpd_sasl_local_domain fixes the realm the sasldb entries are stored under.
SASL=$PFC/sasl
mkdir -m 755 "$SASL"
cat >"$SASL/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $SASL/sasldb2
mech_list: NTLM
EOF
for u in $USERS; do
  printf '%s' "$u-secret" | saslpasswd2 -p -c -f "$SASL/sasldb2" -u example.org "$u"
done
chown root:postfix "$SASL/sasldb2"
chmod 640 "$SASL/sasldb2"

# No chroot anywhere ("n" in the 5th column) so smtpd/lmtp reach Dovecot's sockets.
cat >"$PFC/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$SMTP_NTLM_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission-ntlm
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=cyrus
  -o smtpd_sasl_path=smtpd
  -o smtpd_sasl_local_domain=example.org
127.0.0.1:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

# Postfix re-reads (sleeping 0.3 s each time) any table/config file modified
# within the last couple of seconds; backdate ours to skip that ~2 s wait.
touch -d '-1 minute' "$PFC/main.cf" "$PFC/master.cf" "$PFC/recipients"
postfix -c "$PFC" start </dev/null >>"$S/logs/postfix-start.log" 2>&1 3>&- 9>&- || {
  tail -n 30 "$S/logs/postfix-start.log" "$S/logs/postfix.log" 2>/dev/null
  die "postfix failed to start"
}

# --- 6. wait for every port -------------------------------------------------
deadline=$((SECONDS + 20))
for p in $ALL_PORTS; do
  until (exec 4<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      for f in "$S"/logs/*.log; do echo "==> $f <=="; tail -n 30 "$f"; done
      die "port $p never came up"
    fi
    sleep 0.1
  done
done
for sock in "$RUN/lmtp" "$RUN/auth-postfix"; do
  [ -S "$sock" ] || die "missing Dovecot socket $sock"
done
# Dovecot's auth process only starts on demand: make sure it actually works.
doveadm -c "$DV/dovecot.conf" auth test alice alice-secret >/dev/null 2>&1 </dev/null 3>&- 9>&- || {
  tail -n 30 "$S/logs/dovecot.log"
  die "Dovecot authentication does not work"
}

# --- 7. environment ---------------------------------------------------------
cat >"$S/env" <<EOF
export MAILKIT_SMTP_HOST=127.0.0.1
export MAILKIT_SMTP_PORT=$SMTP_PORT
export MAILKIT_SMTP_SUBMISSION_PORT=$SUBMISSION_PORT
export MAILKIT_SMTPS_PORT=$SMTPS_PORT
export MAILKIT_IMAP_PORT=$IMAP_PORT
export MAILKIT_IMAPS_PORT=$IMAPS_PORT
export MAILKIT_POP3_PORT=$POP3_PORT
export MAILKIT_POP3S_PORT=$POP3S_PORT
export MAILKIT_SMTP_NTLM_PORT=$SMTP_NTLM_PORT
export MAILKIT_CA_FILE=$C/ca.pem
export MAILKIT_CERTS_DIR=$C
export MAILKIT_MAILDIR_ROOT=$S/mail
export MAILKIT_TEST_USERS="$(for u in $USERS; do printf '%s:%s-secret ' "$u" "$u"; done | sed 's/ $//')"
export MAILKIT_SERVERS_DIR=$S
EOF
log "servers up in $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $T0 }")s (state: $S, logs: $S/logs)"
cat "$S/env" >&3
