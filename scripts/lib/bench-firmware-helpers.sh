# shellcheck shell=bash
# Shared by scripts/bench-firmware.sh and scripts/bench-firmware-p256.sh:
# one run of a firmware benchmark image on QEMU mps2-an386 against a fresh
# uart_peer.py, so both benchmarks measure the same way.
# Needs: $root (the repository), step(); sets and clears $peer_pid (the
# caller's EXIT trap kills it if the run is interrupted).

# bench_fw_run ELF RUN PAIRS: RUN gets pki/, port, peer.log, console.txt.
# -icount shift=0: one instruction per virtual nanosecond, so the counts
# the firmware prints do not depend on the host's load.
bench_fw_run() {
    local elf=$1 run=$2 pairs=$3
    : "${root:?bench_fw_run needs \$root}"
    python3 "$root/benches/firmware/uart_peer.py" --dir "$run/pki" --port-file "$run/port" 2>"$run/peer.log" &
    peer_pid=$!
    for _ in $(seq 100); do
        [ -s "$run/port" ] && break
        kill -0 "$peer_pid" 2>/dev/null || { cat "$run/peer.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -s "$run/port" ] || { echo "the peer did not start" >&2; exit 1; }
    step "QEMU mps2-an386 (${elf#"$root"/}), -icount shift=0: 2 warm-up + $((4 * pairs)) measured handshakes"
    local status=0
    timeout $((120 + 30 * pairs)) qemu-system-arm -M mps2-an386 -kernel "$elf" -display none -monitor none \
        -serial "tcp:127.0.0.1:$(cat "$run/port")" -serial "file:$run/console.txt" \
        -semihosting-config enable=on,target=native -icount shift=0 \
        -append "pairs=$pairs utc=$(date +%s)" || status=$?
    wait "$peer_pid" || true
    peer_pid=""
    if [ "$status" -ne 0 ]; then
        echo "QEMU exited with status $status; console:" >&2
        tail -n 20 "$run/console.txt" >&2
        exit 1
    fi
}
