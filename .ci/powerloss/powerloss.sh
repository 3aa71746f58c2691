#!/usr/bin/env bash
# Models a power cut under an application with LazyFS: a FUSE file system that keeps every write
# in its own cache until the file is fsync()ed / fdatasync()ed, and can drop what was not.
#
#   powerloss.sh mount DIR    mount LazyFS on DIR; the data ("the disk") lives in DIR.lazyfs/root,
#                             the config, fifos, log and pid in DIR.lazyfs/. Prints key=value lines:
#                             mount=, root=, fifo=, done_fifo=, log=.
#   powerloss.sh cut DIR      the power cut: drop every write to DIR not yet fsynced
#                             (lazyfs::clear-cache) and wait until LazyFS says it is done.
#                             Exit 3: done, but the cache had filled up, so some unsynced writes
#                             had already gone to disk: the test was weaker than a real cut.
#   powerloss.sh remount DIR  the reboot: unmount and mount DIR again over the same root, so every
#                             process and the kernel start from what reached the disk.
#   powerloss.sh umount DIR   unmount; DIR.lazyfs/root is kept for inspection (rm -r it yourself).
#
# A faithful test: stop the application (SIGKILL) first, then cut, then remount, then start it
# and check. Unmounting drops unsynced data too (LazyFS never writes its cache back on exit).
#
# Environment: LAZYFS_BIN (default: what build.sh built, see LAZYFS_BUILD_DIR there),
# POWERLOSS_CACHE_SIZE (LazyFS cache, preallocated in RAM, default 256mb; when it is full LazyFS
# writes straight through and stops losing data), POWERLOSS_TIMEOUT_S (default 60).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
lazyfs_bin="${LAZYFS_BIN:-${LAZYFS_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chargeyard/lazyfs}/src/lazyfs/build/lazyfs}"
cache_size="${POWERLOSS_CACHE_SIZE:-256mb}"
timeout_s="${POWERLOSS_TIMEOUT_S:-60}"

die() { printf 'powerloss.sh: %s\n' "$*" >&2; exit 1; }

usage() {
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2
    exit 2
}

# Sets mount_dir (absolute), state_dir, root_dir, fifo, done_fifo, pid_file, log_file.
resolve_paths() {
    local dir="$1"
    [ -n "$dir" ] || usage
    mkdir -p "$dir"
    mount_dir=$(cd "$dir" && pwd -P)
    case "$mount_dir" in
        # FUSE -o options are comma separated; the TOML config quotes paths.
        *,* | *'"'* | *\\*) die "DIR must not contain a comma, quote or backslash: $mount_dir" ;;
    esac
    state_dir="$mount_dir.lazyfs"
    root_dir="$state_dir/root"
    fifo="$state_dir/faults.fifo"
    done_fifo="$state_dir/faults-done.fifo"
    pid_file="$state_dir/lazyfs.pid"
    log_file="$state_dir/lazyfs.log"
}

# Read from the mount table, not with stat(): a mount whose LazyFS died cannot be stat()ed.
is_mounted() {
    # /proc/mounts writes a space as \040; ENVIRON, unlike awk -v, keeps backslashes as they are.
    mount_field="${mount_dir// /\\040}" \
        awk '$2 == ENVIRON["mount_field"] { found = 1 } END { exit !found }' /proc/mounts
}

# The pid in the pid file, if that process is still our LazyFS.
lazyfs_pid() {
    local pid
    [ -f "$pid_file" ] || return 1
    pid=$(cat "$pid_file")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$mount_dir --config-path" || return 1
    printf '%s\n' "$pid"
}

write_config() {
    cat > "$state_dir/lazyfs.toml" <<EOF
# Written by powerloss.sh.
[faults]
fifo_path="$fifo"
fifo_path_completed="$done_fifo"

[cache]
apply_eviction=false

[cache.simple]
custom_size="$cache_size"
blocks_per_page=1

[filesystem]
log_all_operations=false
logfile=""
EOF
}

cmd_mount() {
    resolve_paths "${1:-}"
    [ -x "$lazyfs_bin" ] || die "no LazyFS binary at $lazyfs_bin: run build.sh first"
    is_mounted && die "$mount_dir is already mounted"
    mkdir -p "$root_dir"
    rm -f "$fifo" "$done_fifo" "$pid_file"
    write_config

    local -a options=(-o modules=subdir -o "subdir=$root_dir")
    # allow_other lets other users (say, a service account) use the mount; only root may ask
    # for it without user_allow_other in /etc/fuse.conf.
    if [ "$(id -u)" -eq 0 ]; then
        options+=(-o allow_other)
    fi
    # LazyFS ignores a --config-path that contains "-o", so it gets a relative one; it runs in
    # the foreground (-f) so that the pid we record is its own. No core file on its exit abort.
    (
        cd "$state_dir"
        ulimit -c 0
        exec setsid "$lazyfs_bin" "$mount_dir" --config-path lazyfs.toml -f "${options[@]}"
    ) < /dev/null >> "$log_file" 2>&1 &
    local started_pid=$!
    printf '%s\n' "$started_pid" > "$pid_file"

    local waited_ds=0
    until is_mounted; do
        # kill -0, not lazyfs_pid: until the subshell has exec()ed, its command line is ours.
        if ! kill -0 "$started_pid" 2> /dev/null; then
            tail -n 20 "$log_file" >&2
            die "LazyFS exited, see $log_file"
        fi
        [ "$waited_ds" -lt $((timeout_s * 10)) ] || die "LazyFS did not mount in ${timeout_s}s"
        sleep 0.1
        waited_ds=$((waited_ds + 1))
    done
    printf 'mount=%s\nroot=%s\nfifo=%s\ndone_fifo=%s\nlog=%s\n' \
        "$mount_dir" "$root_dir" "$fifo" "$done_fifo" "$log_file"
}

# LazyFS's cache never shrinks on fsync; once it is full, writes go straight to the root and
# survive a cut. Ask for the usage (it goes to the log) so a full cache cannot pass unnoticed.
# Commands must go one at a time: LazyFS reads the fifo in one read() and two would merge.
cache_usage_percent() {
    local pattern='cache usage (%pages) is' before after waited_ds=0
    before=$(grep -cF "$pattern" "$log_file" || true)
    printf 'lazyfs::display-cache-usage\n' 1<> "$fifo"
    while after=$(grep -cF "$pattern" "$log_file" || true) && [ "$after" -le "$before" ]; do
        [ "$waited_ds" -lt $((timeout_s * 10)) ] || die "no cache usage report from LazyFS"
        sleep 0.1
        waited_ds=$((waited_ds + 1))
    done
    grep -F "$pattern" "$log_file" | tail -n 1 | sed 's/.* is \([0-9.]*\)%.*/\1/'
}

cmd_cut() {
    resolve_paths "${1:-}"
    if ! is_mounted || ! lazyfs_pid > /dev/null; then
        die "LazyFS is not running on $mount_dir"
    fi
    local usage reply=""
    # Open the completion fifo first: LazyFS reads no command until a reader has opened it, and
    # writes its "finished" line only to a reader that is there. Opening read-write never blocks.
    exec 3<> "$done_fifo"
    while read -r -t 0.05 reply <&3; do :; done # drop a late reply to an earlier, timed-out cut
    reply=""
    usage=$(cache_usage_percent)
    printf 'lazyfs::clear-cache\n' 1<> "$fifo"
    read -r -t "$timeout_s" reply <&3 || true
    exec 3<&-
    [ "$reply" = "finished::clear-cache" ] || die "no completion from LazyFS in ${timeout_s}s"
    LC_ALL=C printf 'cut: dropped unsynced writes under %s (cache was %.3g%% full)\n' \
        "$mount_dir" "$usage"
    if awk -v usage="$usage" 'BEGIN { exit !(usage >= 100) }'; then
        printf '%s\n' "powerloss.sh: the LazyFS cache was full: writes made after it filled went" \
            "straight to disk and survived this cut. Raise POWERLOSS_CACHE_SIZE and rerun." >&2
        exit 3
    fi
}

cmd_umount() {
    resolve_paths "${1:-}"
    local pid="" waited_ds=0
    pid=$(lazyfs_pid) || true
    if is_mounted; then
        fusermount3 -u "$mount_dir" ||
            die "cannot unmount $mount_dir (still in use? see: fuser -vm $mount_dir)"
    elif [ -n "$pid" ]; then
        kill -TERM "$pid" 2> /dev/null || true # started but not (yet) mounted
    fi
    if [ -n "$pid" ]; then
        while kill -0 "$pid" 2> /dev/null; do
            if [ "$waited_ds" -ge $((timeout_s * 10)) ]; then
                kill -KILL "$pid" 2> /dev/null || true
                break
            fi
            sleep 0.1
            waited_ds=$((waited_ds + 1))
        done
    fi
    # A LazyFS that died leaves a dead mount ("Transport endpoint is not connected").
    if is_mounted; then
        fusermount3 -u "$mount_dir" 2> /dev/null || fusermount3 -uz "$mount_dir"
    fi
    rm -f "$pid_file"
}

cmd_remount() {
    cmd_umount "${1:-}"
    cmd_mount "${1:-}"
}

main() {
    local command="${1:-}"
    shift || true
    case "$command" in
        mount) cmd_mount "$@" ;;
        cut) cmd_cut "$@" ;;
        remount) cmd_remount "$@" ;;
        umount | unmount) cmd_umount "$@" ;;
        *) usage ;;
    esac
}

main "$@"
