#!/usr/bin/env bash
# A single-node Slurm cluster on this machine for the batch tests (issue 16;
# docs/cluster.md): Debian's munge, slurmctld and slurmd, configured in a
# folder of their own, listening on loopback only, no systemd, no cgroups,
# no accounting.
#
#   slurm_cluster.sh start DIR   start munged, slurmctld, slurmd; write DIR/env
#                                (source it: SLURM_CONF for sbatch and friends)
#   slurm_cluster.sh stop DIR    stop exactly the daemons DIR's pid files name
#
# start fails (non-zero, the reason on one line) when a daemon cannot start or
# the node does not come up; it never leaves a daemon running then.
set -euo pipefail

cmd=${1:-} dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

stop() {
  local d=$1 f pid
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [[ -f "$d/$f" ]] || continue
    pid=$(cat "$d/$f")
    # Only a daemon this script started: the pid file is ours and the process is that daemon.
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "${f%.pid}" "/proc/$pid/comm" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$d/$f"
  done
}

if [[ "$cmd" == stop ]]; then
  stop "$dir"
  exit 0
fi
[[ "$cmd" == start ]] || { echo "$0: unknown command '$cmd': use start or stop" >&2; exit 2; }

for t in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$t" >/dev/null || { echo "slurm_cluster: $t is not installed: install Debian's slurmctld slurmd slurm-client munge (make deps does)" >&2; exit 1; }
done
if [[ $(id -u) != 0 ]]; then
  echo "slurm_cluster: slurmd must run as root to start jobs as their user: run as root" >&2
  exit 1
fi

dir=$(realpath -m "$dir")
mkdir -p "$dir"/{munge,state,spool,log}
chmod 755 "$dir" "$dir/munge"
trap 'stop "$dir"' ERR

fail() {
  echo "slurm_cluster: $1 (logs in $dir/log)" >&2
  stop "$dir"
  exit 1
}

# A free TCP port on loopback, starting at $1.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))

dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/munge.socket.2" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
  || fail "munged did not start"

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat > "$dir/slurm.conf" <<EOF
# Written by tests/slurm_cluster.sh: a single-node test cluster on loopback.
ClusterName=taxonn-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket.2
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups on a test machine: processes tracked by their parent, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour (there is no sacct without accounting).
MinJobAge=3600
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
cat > "$dir/env" <<EOF
export SLURM_CONF=$dir/slurm.conf
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
  [[ "$state" == idle ]] && break
  sleep 0.2
done
[[ "$state" == idle ]] || fail "the node did not come up (state '${state:-none}')"
trap - ERR
echo "slurm_cluster: up in $dir (slurmctld port $ctld_port, slurmd port $slurmd_port, $cpus CPUs); source $dir/env"
