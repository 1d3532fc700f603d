#!/usr/bin/env bash
# Stop the Postfix and Dovecot instances started by tests/servers/start.sh in
# ${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}. Finds them only through their pid files
# (never by process name). Idempotent: exits 0 when nothing is running.
set -euo pipefail

S=${MAILKIT_SERVERS_DIR:-/tmp/mk-srv}

log() { echo "mk-servers: $*" >&2; }

# read_pid FILE -> pid (Postfix pads it with spaces), or nothing
read_pid() { [ -r "$1" ] && tr -dc '0-9' <"$1" || true; }

# ours NAME PID: PID is a live (non-zombie) master of *this* instance, not a
# stale pid file whose pid was reused. Postfix's master runs with its queue
# directory as cwd; Dovecot's has our config path on its command line.
ours() {
  local name=$1 pid=$2 line
  [ -n "$pid" ] && { read -r line <"/proc/$pid/stat"; } 2>/dev/null || return 1
  line=${line##*) }
  [ "${line%% *}" != Z ] || return 1
  case $name in
    postfix) [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$S/postfix/spool" ] ;;
    dovecot) tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $S/dovecot/dovecot.conf" ;;
  esac
}

# group_alive PGID: is any live (non-zombie) process left in that process group?
group_alive() {
  local f line st pgrp
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r st _ pgrp _ <<<"${line##*) }"
    [ "$pgrp" = "$1" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

# stop_master NAME PIDFILE: SIGTERM the master (what `postfix stop` and
# `doveadm stop` do), wait up to 10 s, then SIGKILL. Both masters lead their own
# process group, so children still alive after that are killed via the group.
stop_master() {
  local name=$1 pid _i
  pid=$(read_pid "$2")
  ours "$name" "$pid" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _i in $(seq 100); do ours "$name" "$pid" || break; sleep 0.1; done
  if ours "$name" "$pid"; then
    log "$name did not exit, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for _i in $(seq 50); do group_alive "$pid" || return 0; sleep 0.1; done
  log "$name left processes in process group $pid, killing them"
  kill -KILL -- "-$pid" 2>/dev/null || true
}

# Postfix first: it delivers into Dovecot's LMTP socket.
stop_master postfix "$S/postfix/spool/pid/master.pid"
stop_master dovecot "$S/dovecot/run/master.pid"
exit 0
