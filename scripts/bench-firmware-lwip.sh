#!/usr/bin/env bash
# Figures of the emulated board's network path over lwIP (see
# benches/README.md, "Firmware over lwIP"): the same mutual-TLS demo
# firmware against Mosquitto once over lwIP sockets on the LAN9118
# (freertos_tls_board_lwip.elf) and once over UART0
# (freertos_tls_board_demo_runstats.elf, the UART demo with the same
# run-time statistics), under QEMU -icount shift=0 so that the firmware
# counts instructions. Reports the size of lwIP and the driver (linker
# maps), the FreeRTOS heap and TLS task stack, lwIP's own memory, and the
# handshake's instructions over both paths; writes the table to
# benches/results/firmware-lwip.md. A benchmark, not a test: not run by CI.
#
# Knobs (environment): BENCH_LWIP_RUNS (runs of each firmware, default 5);
# BENCH_LWIP_CARGO_TARGET_DIR (cargo's target directory for the library,
# e.g. build/test-cross/cargo to reuse the tests' build; default:
# inside the CMake build tree).
# Work files stay in build/bench-firmware-lwip/.
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/demo-helpers.sh"
source "$root/scripts/lib/bench-helpers.sh"
ensure_packages "${DEMO_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
ensure_cross_rust
demo_require_cargo

runs=$(bench_positive BENCH_LWIP_RUNS "${BENCH_LWIP_RUNS:-5}")
work=$root/build/bench-firmware-lwip
results=$root/benches/results
mkdir -p "$work"
trap 'demo_stop_broker "$work/broker"' EXIT
trap 'exit 130' INT TERM

step "PKI and build (FREERTOS_DEMO_BOARD_NET=lwip; the first build of the library takes minutes)"
KEY_TYPE=ec "$root/scripts/demo-pki.sh" "$work/pki" >/dev/null
demo_board_build "$root" "$work/build" "$work/pki" -DFREERTOS_DEMO_BOARD_NET=lwip \
    ${BENCH_LWIP_CARGO_TARGET_DIR:+-DFREERTOS_TLS_CARGO_TARGET_DIR="$BENCH_LWIP_CARGO_TARGET_DIR"}
board=$work/build/boards/mps2-an386

port=$(demo_free_port)
demo_start_broker "$work/broker" "$port" "$work/pki/client-ca.pem" "$work/pki/broker-chain.pem" \
    "$work/pki/broker.key" >&2

rm -rf "$work/run"
mkdir -p "$work/run"
for i in $(seq 1 "$runs"); do
    step "run $i of $runs: lwIP, then UART0 (-icount shift=0)"
    mkdir -p "$work/run/proxy-$i"
    demo_board_run "$board/freertos_tls_board_lwip.elf" null "$work/run/lwip-$i.log" 120 \
        "port=$port utc=$(date +%s)" -icount shift=0 \
        -nic "user,model=lan9118,restrict=on,guestfwd=tcp:10.0.2.100:8883-cmd:python3 $root/scripts/lwip-guestfwd-proxy.py --port $port --state $work/run/proxy-$i" \
        >/dev/null
    demo_board_run "$board/freertos_tls_board_demo_runstats.elf" "tcp:127.0.0.1:$port" "$work/run/uart-$i.log" 120 \
        "port=$port utc=$(date +%s)" -icount shift=0 >/dev/null
done

step "report"
mkdir -p "$results"
commit=$(git -C "$root" rev-parse --short HEAD)
dirty=$(git -C "$root" status --porcelain --untracked-files=no -- freertos-demo benches scripts | head -1)
python3 - "$work/run" "$runs" "$commit${dirty:+ (uncommitted changes)}" \
    "$board/freertos_tls_board_lwip.map" "$board/freertos_tls_board_demo.map" \
    "$root/benches/firmware/lwip_sizes.py" > "$results/firmware-lwip.md" <<'PY'
import re, statistics, subprocess, sys
run_dir, runs, commit, lwip_map, uart_map, sizes_py = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

def fields(line):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", line)}

def grab(path):
    text = open(path).read()
    if "exit status 0" not in text:
        sys.exit(f"{path}: the run failed")
    out = {"hs": [fields(l) for l in re.findall(r"^\[board\] HANDSHAKE-RUNTIME (.*)$", text, re.M)]}
    m = re.search(r"^\[board\] heap: \d+ bytes, minimum ever free \d+ \(peak use (\d+)\)", text, re.M)
    out["heap_peak"] = int(m.group(1))
    m = re.search(r"^\[board\] TLS task stack: \d+ bytes, .*\(peak use (\d+)\)", text, re.M)
    out["stack"] = int(m.group(1))
    m = re.search(r"^\[board\] HEAP-LWIP (.*)$", text, re.M)
    out["heap_lwip"] = fields(m.group(1)) if m else {}
    m = re.search(r"^\[lwip\] LWIP-MEM (.*)$", text, re.M)
    out["lwip_mem"] = fields(m.group(1)) if m else {}
    out["resumed"] = text.count("[tls] handshake: resumed session")
    return out

lw = [grab(f"{run_dir}/lwip-{i}.log") for i in range(1, runs + 1)]
ua = [grab(f"{run_dir}/uart-{i}.log") for i in range(1, runs + 1)]
for r in lw:
    if len(r["hs"]) != 2 or r["resumed"] != 1:
        sys.exit("an lwIP run did not make one full and one resumed handshake")

def med(values):
    return statistics.median(values)

def rng(values):
    return f"{min(values):,}–{max(values):,}".replace(",", " ")

def num(v):
    return f"{v:,.0f}".replace(",", " ")

def mi(v):
    return f"{v / 1e6:.2f} M"

full_lw = [int(r["hs"][0]["tls_task_ns"]) for r in lw]
net_lw = [int(r["hs"][0]["lwip_tasks_ns"]) for r in lw]
res_lw = [int(r["hs"][1]["tls_task_ns"]) for r in lw]
res_net = [int(r["hs"][1]["lwip_tasks_ns"]) for r in lw]
full_ua = [int(r["hs"][0]["tls_task_ns"]) for r in ua]
print(f"# Firmware over lwIP: figures (commit {commit})")
print()
print(f"Written by `scripts/bench-firmware-lwip.sh`: {runs} runs of each firmware under QEMU `-icount shift=0`, "
      "mutual TLS 1.2 (ECDHE-ECDSA P-256, device key in the test token) with Mosquitto on 127.0.0.1; "
      "medians, ranges in brackets.")
print()
print("| figure | over lwIP (LAN9118) | over UART0 |")
print("| --- | ---: | ---: |")
print(f"| full handshake, TLS task instructions | {mi(med(full_lw))} ({mi(min(full_lw))}–{mi(max(full_lw))}) "
      f"| {mi(med(full_ua))} ({mi(min(full_ua))}–{mi(max(full_ua))}) |")
print(f"| full handshake, lwIP's tcpip + Ethernet receive tasks meanwhile | {num(med(net_lw))} ({rng(net_lw)}) | — |")
print(f"| resumed handshake, TLS task instructions | {mi(med(res_lw))} ({mi(min(res_lw))}–{mi(max(res_lw))}) | — (one connection) |")
print(f"| resumed handshake, lwIP tasks meanwhile | {num(med(res_net))} ({rng(res_net)}) | — |")
conn = [int(r["heap_lwip"]["connection_peak"]) for r in lw]
sock = [int(r["heap_lwip"]["socket"]) for r in lw]
tls = [int(r["heap_lwip"]["tls"]) for r in lw]
print(f"| FreeRTOS heap, peak of a connection above the running system | {num(med(conn))} B | |")
print(f"| … of which the lwIP socket (netconn mailbox + semaphore) | {num(med(sock))} B | |")
print(f"| … of which TLS | {num(med(tls))} B | |")
print(f"| FreeRTOS heap, peak use of the whole run (task stacks included) | {num(med([r['heap_peak'] for r in lw]))} B "
      f"| {num(med([r['heap_peak'] for r in ua]))} B |")
print(f"| TLS task stack, peak use | {num(med([r['stack'] for r in lw]))} B | {num(med([r['stack'] for r in ua]))} B |")
m = lw[0]["lwip_mem"]
print(f"| lwIP's own heap (static, `MEM_SIZE`), peak use | {num(max(int(r['lwip_mem']['heap_peak']) for r in lw))} of "
      f"{num(int(m['heap_bytes']))} B | |")
print(f"| lwIP's pools (static), peak use | {num(max(int(r['lwip_mem']['pools_peak']) for r in lw))} of "
      f"{num(int(m['pools_bytes']))} B | |")
print()
print("Size (linker maps, `--gc-sections`, bytes; flash = .text + .rodata + .data, RAM = .data + .bss; "
      "lwIP's .bss holds its heap and pools):")
print()
print(subprocess.run([sys.executable, sizes_py, lwip_map, uart_map], capture_output=True, text=True, check=True).stdout,
      end="")
PY
cat "$results/firmware-lwip.md"
