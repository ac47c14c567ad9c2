#!/usr/bin/env bash
# Stop the single-node Slurm cluster started by cluster/local-slurm/start.sh:
# slurmd, slurmctld and munged, each found by its pid file (never by process name).
# Running jobs are killed with the node. Job state in /var/spool/slurmctld is kept, so the next
# start.sh resumes with the same job-id sequence. Safe to run when nothing is running.
set -euo pipefail

# shellcheck source=cluster/local-slurm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"   # pid files, log/die, pid_alive, stop_pidfile

[[ "$(id -u)" == 0 ]] || die "must run as root (uid 0), running as uid $(id -u)"

# slurmd first (it reports job ends to slurmctld), then the controller, then authentication.
stop_pidfile "$SLURMD_PID" slurmd
stop_pidfile "$CTLD_PID" slurmctld
stop_pidfile "$MUNGE_PID" munged
log "stopped"
