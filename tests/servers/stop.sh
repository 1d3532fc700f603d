#!/usr/bin/env bash
# Stop the Postfix and Dovecot instances started by tests/servers/start.sh in
# ${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}. Uses only their pid files (never process
# names). Idempotent: exits 0 when nothing is running.
set -euo pipefail

S=${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}
PF_PIDFILE=$S/postfix/spool/pid/master.pid
DV_PIDFILE=$S/dovecot/run/master.pid

log() { echo "mk-servers: $*" >&2; }

# read_pid FILE -> pid (Postfix pads it with spaces) or nothing
read_pid() { [ -r "$1" ] && tr -dc '0-9' <"$1" || true; }

# alive PID COMM: process exists, is not a zombie, and has the expected name
# (guards against a stale pid file whose pid was reused).
alive() {
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# group_alive PGID: any live, non-zombie process left in that process group?
group_alive() {
  local f line st ppid pgrp
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r st ppid pgrp _ <<<"${line##*) }"
    [ "$pgrp" = "$1" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

# stop_master NAME PID COMM: TERM, wait up to 10 s, then KILL. Both masters are
# process-group leaders, so their leftover children are signalled via the group.
stop_master() {
  local name=$1 pid=$2 comm=$3 i
  alive "$pid" "$comm" || return 0
  log "stopping $name (pid $pid)"
  if [ "$name" != postfix ] || ! postfix -c "$S/postfix/etc" stop >/dev/null 2>&1; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for i in $(seq 100); do alive "$pid" "$comm" || break; sleep 0.1; done
  if alive "$pid" "$comm"; then
    log "$name did not exit, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for i in $(seq 50); do group_alive "$pid" || return 0; sleep 0.1; done
  log "$name leftovers in process group $pid, killing"
  kill -KILL -- "-$pid" 2>/dev/null || true
}

stop_master postfix "$(read_pid "$PF_PIDFILE")" master
stop_master dovecot "$(read_pid "$DV_PIDFILE")" dovecot
exit 0
