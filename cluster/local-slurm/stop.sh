#!/usr/bin/env bash
# Stop the single-node Slurm cluster started by cluster/local-slurm/start.sh:
# slurmd, slurmctld and munged, each found by its pid file (never by process name).
# Running jobs are killed with the node. Job state in /var/spool/slurmctld is kept, so the next
# start.sh resumes with the same job-id sequence. Safe to run when nothing is running.
set -euo pipefail

CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_PID=/run/munge/munged.pid

log() { printf '[local-slurm] %s\n' "$*"; }
die() { printf '[local-slurm] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || die "must run as root (uid 0), running as uid $(id -u)"

pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile PIDFILE NAME: SIGTERM the process in PIDFILE, wait up to 15 s, then SIGKILL.
stop_pidfile() {
    local pidfile="$1" name="$2" pid
    if ! pid_alive "$pidfile"; then
        rm -f "$pidfile"
        log "$name not running"
        return 0
    fi
    pid="$(cat "$pidfile")"
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.5
    done
    log "$name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# slurmd first (it reports job ends to slurmctld), then the controller, then authentication.
stop_pidfile "$SLURMD_PID" slurmd
stop_pidfile "$CTLD_PID" slurmctld
stop_pidfile "$MUNGE_PID" munged
log "stopped"
