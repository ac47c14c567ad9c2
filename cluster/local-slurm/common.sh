# Shared by start.sh and stop.sh (sourced, not run): pid files, messages, and stopping a daemon by its
# pid file (never by process name, so a site's own daemons are never touched).

CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_PID=/run/munge/munged.pid

log() { printf '[local-slurm] %s\n' "$*"; }
die() { printf '[local-slurm] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE: true when the pid file names a live process.
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
