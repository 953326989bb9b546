#!/usr/bin/env python3
"""Turn the raw samples of scripts/bench.sh into benches/results/report.md
and handshake.svg.   usage: report.py RAW_DIR RESULTS_DIR
                       or: report.py --entropy-only RAW_DIR (BENCH_ONLY=entropy)

Every number in the report comes from the files in RAW_DIR; the targets are
the only constants (issue 7).
"""
import math
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

HANDSHAKE_RATIO_MAX = 1.05
THROUGHPUT_RATIO_MIN = 0.95
PEAK_HEAP_EXTRA_MAX = 2048
ENTROPY_RATIO_MIN = 0.8

# Issue 12 targets.
HANDSHAKE_CPU_RATIO_MAX = 1.03  # paired client-CPU ratio, full handshake
NAGLE_RATIO_MAX = 1.1  # connect + first echo, Nagle on / TCP_NODELAY
RESUME_CPU_GAIN_MIN = 5.0  # full / resumed reconnect, client CPU
RESUME_WALL_GAIN_MIN = 3.0  # full / resumed reconnect, wall clock
RAM_4K_MAX = 18000  # bytes per open connection, 4 KiB profile
RAM_EXTRA_MAX = 1024  # bytes per open connection over raw mbedTLS, every profile

# Key-exchange labels; the negotiated group is filled in from the run
# (raw/groups.txt: what the peer chose for this client's offer).
KINDS = {"ecdsa": "ECDHE-ECDSA (P-256 certificate)", "rsa": "ECDHE-RSA (RSA-2048 certificate)"}
MTLS = {"mtls": "mutual TLS, ECDHE-ECDSA (P-256 server and device keys)"}


def load_groups(raw):
    path = os.path.join(raw, "groups.txt")
    if not os.path.exists(path):
        return
    for line in open(path):
        parts = line.split(None, 2)
        table = KINDS if parts[1] in KINDS else MTLS
        if len(parts) == 3 and parts[1] in table:
            # s_client says "X25519, 253 bits" or "ECDH, prime256v1, 256 bits".
            fields = [f.strip() for f in parts[2].split(",")]
            group = fields[1] if fields[0] == "ECDH" and len(fields) > 1 else fields[0]
            group = {"prime256v1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(group, group)
            table[parts[1]] += f", group {group}"


def pct(xs, q):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def p10_p90(xs):
    return f"{pct(xs, 0.1):.3f}–{pct(xs, 0.9):.3f}" if xs else "-"


def paired_handshake_ratios(path):
    """Client-CPU and wall ratios ours/baseline of adjacent handshakes in
    one process (bench_client alternates them), per kind and build."""
    cpu, wall, pending = defaultdict(list), defaultdict(list), {}
    for _, kind, impl, usec, _peak, _steady, _allocs, c in lines(path, "HS"):
        build = "stub" if impl.endswith("_stub") else "main"
        side = impl.split("_")[0]
        key = (kind, build)
        if key in pending and pending[key][0] != side:
            other_side, ou, oc = pending.pop(key)
            (ours_u, ours_c), (base_u, base_c) = ((int(usec), int(c)), (ou, oc)) if side == "ours" else ((ou, oc), (int(usec), int(c)))
            cpu[key].append(ours_c / base_c)
            wall[key].append(ours_u / base_u)
        else:
            pending[key] = (side, int(usec), int(c))
    return cpu, wall


def reconnect_section(raw, w):
    """Rows of issue 12: Nagle vs TCP_NODELAY, resumed vs full, paired per round."""
    path = os.path.join(raw, "reconnect.txt")
    rows = lines(path, "RC") if os.path.exists(path) else []
    if not rows:
        w("Reconnect rows: not measured in this run.\n")
        return {}
    by = defaultdict(dict)  # (kind, round) -> {(mode, tcp): (usec, cpu)}
    for _, kind, mode, tcp, usec, cpu, rnd in rows:
        by[(kind, int(rnd))][(mode, tcp)] = (int(usec), int(cpu))
    out = {}
    w("## Reconnect: connect + first echo, full vs resumed, Nagle on vs TCP_NODELAY (ours)\n")
    w("One round = for each TCP setting (order flipped every round): a full handshake (session cache emptied "
      "first), then a resumed one (checked with `TLS_IsSessionResumed`). Timed from before the TCP connect to the "
      "first 32-byte answer of the peer; *client CPU* over the same interval. Ratios are per round (paired), "
      "median with 10th–90th percentile. PKCS#11 stub build (no token lookup).\n")
    w("| key exchange | handshake | TCP | n | median ms | client CPU median ms |")
    w("|---|---|---|---:|---:|---:|")
    kinds = sorted({k for k, _ in by})
    for kind in kinds:
        for mode in ("full", "resumed"):
            for tcp in ("nodelay", "nagle"):
                us = [v[(mode, tcp)][0] for v in (by[(kind, r)] for r in sorted(r for k, r in by if k == kind)) if (mode, tcp) in v]
                cs = [v[(mode, tcp)][1] for v in (by[(kind, r)] for r in sorted(r for k, r in by if k == kind)) if (mode, tcp) in v]
                w(f"| {KINDS.get(kind, kind)} | {mode} | {'TCP_NODELAY' if tcp == 'nodelay' else 'Nagle on'} | {len(us)} "
                  f"| {statistics.median(us) / 1000:.2f} | {statistics.median(cs) / 1000:.2f} |")
    w("")
    w("| key exchange | ratio | paired median | 10th–90th pct | target | verdict |")
    w("|---|---|---:|---:|---|---|")
    for kind in kinds:
        rounds = [by[(k, r)] for k, r in sorted(by) if k == kind]
        def ratios(f):
            return [f(v) for v in rounds if len(v) == 4]
        nagle_full = ratios(lambda v: v[("full", "nagle")][0] / v[("full", "nodelay")][0])
        nagle_res = ratios(lambda v: v[("resumed", "nagle")][0] / v[("resumed", "nodelay")][0])
        gain_cpu = ratios(lambda v: v[("full", "nodelay")][1] / max(1, v[("resumed", "nodelay")][1]))
        gain_wall = ratios(lambda v: v[("full", "nodelay")][0] / v[("resumed", "nodelay")][0])
        for name, xs, target, ok in (
            ("Nagle on / TCP_NODELAY, full, wall", nagle_full, f"≤ {NAGLE_RATIO_MAX}", lambda m: m <= NAGLE_RATIO_MAX),
            ("Nagle on / TCP_NODELAY, resumed, wall", nagle_res, f"≤ {NAGLE_RATIO_MAX}", lambda m: m <= NAGLE_RATIO_MAX),
            ("full / resumed, client CPU (TCP_NODELAY)", gain_cpu, f"≥ {RESUME_CPU_GAIN_MIN}", lambda m: m >= RESUME_CPU_GAIN_MIN),
            ("full / resumed, wall (TCP_NODELAY)", gain_wall, f"≥ {RESUME_WALL_GAIN_MIN}", lambda m: m >= RESUME_WALL_GAIN_MIN),
        ):
            m = statistics.median(xs)
            out[(kind, name)] = (m, ok(m))
            w(f"| {KINDS.get(kind, kind)} | {name} | {m:.3f} | {p10_p90(xs)} | {target} | {verdict(ok(m))} |")
    w("\nCPU of a resumed connect is small (a few hundred µs) and measured with the process clock's "
      "resolution; the wall-clock gain includes the peer's own work, which resumption also saves.\n")
    return out


def ram_section(raw, w):
    path = os.path.join(raw, "ram.txt")
    rows = lines(path, "RAM") if os.path.exists(path) else []
    if not rows:
        w("RAM per open connection: not measured in this run.\n")
        return {}
    cache = {label: int(b) for _, label, b in lines(path, "CACHE")}
    got = {}
    for _, kind, in_len, out_len, impl, k, per in rows:
        got[(int(in_len), kind, impl)] = (int(per), int(k), int(out_len))
    w("## RAM per open connection, by record buffer profile (C heap, bytes)\n")
    w("k connections to the peer open at once; heap held (malloc_usable_size) divided by k. Session tickets "
      "and resumption off on both sides, so only the connection is counted; what one session-cache entry "
      "holds is its own column (ours with resumption on: the cache keeps one entry per destination, not per "
      "connection). PKCS#11 stub build; baseline = the same profile's mbedTLS called directly.\n")
    w("| profile (in/out buffer) | key exchange | k | baseline | ours | ours − baseline | session-cache entry |")
    w("|---|---|---:|---:|---:|---:|---:|")
    out = {}
    for in_len in sorted({i for i, _, _ in got}, reverse=True):
        for kind in ("ecdsa", "rsa"):
            if (in_len, kind, "ours") not in got:
                continue
            o, k, out_len = got[(in_len, kind, "ours")]
            b = got[(in_len, kind, "baseline")][0]
            out[(in_len, kind)] = (o, b)
            w(f"| {in_len}/{out_len} | {KINDS.get(kind, kind)} | {k} | {b} | {o} | {o - b:+d} | {cache.get(kind, '-')} |")
    w("")
    return out


def p90(xs):
    s = sorted(xs)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def lines(path, tag):
    with open(path) as f:
        return [l.split() for l in f if l.startswith(tag + " ")]


def verdict(ok):
    return "met" if ok else "**missed**"


# ------------------------------------------------------------------ code size


def member_group(member):
    """Which part of the archive an object file belongs to."""
    # mbedTLS's objects, as the cc crate names them: "<hash>-ssl_tls.o".
    if member.endswith(".c.o") or re.fullmatch(r"[0-9a-f]{16}-[a-z0-9_]+\.o", member):
        return "mbedTLS (C)"
    m = re.match(r"([a-z0-9_]+)-[0-9a-f]+\.", member)
    crate = m.group(1) if m else ""
    if crate in ("freertos_tls", "freertos_rng_ports", "mbedtls_sys", "freertos_tls_mbedtls_sys", "critical_section", "zeroize",
                 "getrandom", "libc", "cfg_if", "embedded_hal", "rand_core"):
        return "Rust: this crate and its dependencies"
    if crate in ("compiler_builtins",) or not member.endswith(".rcgu.o"):
        return "compiler builtins"
    return "Rust: std, core, alloc (+ std's backtrace deps)"


def linked_text(map_path):
    """.text bytes per archive group actually linked (after --gc-sections),
    from the GNU ld map: input sections of the output section .text."""
    sizes = defaultdict(int)
    in_map = False
    out_section = None
    pending = None
    entry = re.compile(r"^\s+(?:(\S+)\s+)?0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            if line and not line[0].isspace():
                out_section = line.split()[0]
                pending = None
                continue
            if out_section != ".text":
                continue
            m = entry.match(line)
            if m is None:
                # A long input section name stands alone; its numbers follow.
                name = line.strip()
                pending = name if name.startswith(".text") else None
                continue
            name = m.group(1) or pending
            pending = None
            if not name or not name.startswith(".text"):
                continue
            obj = m.group(3)
            a = re.search(r"libfreertos_tls\.a\((.+)\)$", obj)
            group = member_group(a.group(1)) if a else "driver, libc, start files"
            sizes[group] += int(m.group(2), 16)
    return sizes


def archive_text(size_path):
    sizes = defaultdict(int)
    with open(size_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6 or not parts[0].isdigit() or parts[5] == "(TOTALS)":
                continue
            sizes[member_group(os.path.basename(parts[5]))] += int(parts[0])
    return sizes


# ------------------------------------------------------------------ plot


def plot(hs, raw, results):
    """ECDF of handshake latency per key type, ours vs baseline (the
    SoftHSM2 build, whose handshakes alternate with the baseline's)."""
    series = []
    for kind in KINDS:
        # The stub build is left out: its baseline ran in other processes,
        # so its curve would not be comparable with these two.
        for impl in ("baseline", "ours"):
            xs = sorted(hs[(kind, impl)])
            if not xs:
                continue
            path = os.path.join(raw, f"ecdf-{kind}-{impl}.dat")
            with open(path, "w") as f:
                for i, x in enumerate(xs):
                    f.write(f"{x / 1000:.3f} {(i + 1) / len(xs):.4f}\n")
            series.append((kind, impl, path))
    style = {"baseline": "lc rgb '#1f77b4' lw 2", "ours": "lc rgb '#d62728' lw 2",
             "ours_stub": "lc rgb '#ff7f0e' lw 1.5 dt 2"}
    title = {"baseline": "baseline (raw mbedTLS)", "ours": "ours (iot\\_tls.h, SoftHSM2 linked)",
             "ours_stub": "ours (PKCS#11 stub)"}
    script = [
        "set terminal svg size 960,480 dynamic font 'sans,11'",
        f"set output '{os.path.join(results, 'handshake.svg')}'",
        "set multiplot layout 1,2 title 'Full TLS 1.2 handshake latency, 127.0.0.1 (empirical CDF)'",
        "set xlabel 'handshake time [ms]'", "set ylabel 'fraction of handshakes'",
        "set yrange [0:1]", "set grid", "set key below",
    ]
    for kind, label in KINDS.items():
        mine = [s for s in series if s[0] == kind]
        # Lowest sample to the 99th percentile: the long tail of a busy
        # machine would squash the curves into one corner.
        lo = min(min(hs[(kind, i)]) for _, i, _ in mine) / 1000 * 0.9
        hi = max(sorted(hs[(kind, i)])[int(0.99 * (len(hs[(kind, i)]) - 1))] for _, i, _ in mine) / 1000 * 1.3
        script.append(f"set title '{label}'")
        script.append(f"set xrange [{lo:.2f}:{hi:.2f}]")
        script.append("plot " + ", ".join(f"'{p}' using 1:2 with steps {style[i]} title '{title[i]}'"
                                          for _, i, p in mine))
    script.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


# ------------------------------------------------------------------ report


ENTROPY_SIZES = ((1024, "1 KiB"), (1048576, "1 MiB"))


def entropy_section(raw):
    """The entropy table's lines and, per request size, the ratio the target
    is judged on (medians of throughput, ours / getrandom). bench.sh runs
    ours and getrandom back to back for each size in each round, so adjacent
    runs of one size also make a pair: their ratios show the spread."""
    ent, paired, pending = defaultdict(list), defaultdict(list), {}
    for _, impl, req, total, usec in lines(os.path.join(raw, "entropy.txt"), "ENT"):
        rate = int(total) / 1048576 / (int(usec) / 1e6)
        ent[(impl, int(req))].append(rate)
        if int(req) in pending:
            other_impl, other_rate = pending.pop(int(req))
            ours, base = (rate, other_rate) if impl == "ours" else (other_rate, rate)
            paired[int(req)].append(ours / base)
        else:
            pending[int(req)] = (impl, rate)
    out = ["## Entropy: `mbedtls_hardware_poll` (posix port, SP 800-90B health tests on) vs raw `getrandom(2)`\n",
           "| request size | getrandom MiB/s | mbedtls_hardware_poll MiB/s | ratio | paired ratio median (p10–p90) | runs |",
           "|---|---:|---:|---:|---:|---:|"]
    ratio = {}
    for req, label in ENTROPY_SIZES:
        r, o = statistics.median(ent[("raw", req)]), statistics.median(ent[("ours", req)])
        ratio[req] = o / r
        out.append(f"| {label} | {r:.0f} | {o:.0f} | {o / r:.3f} | {statistics.median(paired[req]):.3f} "
                   f"({p10_p90(paired[req])}) | {len(ent[('ours', req)])} |")
    out.append("")
    return out, ratio


def committed_228(path):
    """Client CPU medians (ms) of the full-handshake table of a committed
    report, by (key exchange, implementation); {} when there is none."""
    if not os.path.exists(path):
        return {}
    found = {}
    in_table = False
    with open(path) as f:
        for line in f:
            if line.startswith("## Full handshake latency"):
                in_table = True
                continue
            if in_table and line.startswith("## "):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if in_table and len(cells) == 9 and cells[2].isdigit():
                found[(cells[0], cells[1])] = float(cells[7])
    return found


def main():
    if sys.argv[1:2] == ["--entropy-only"]:
        # BENCH_ONLY=entropy: that table and its target, on stdout.
        table, ratio = entropy_section(sys.argv[2])
        print("\n".join(table))
        print(f"entropy ≥ {ENTROPY_RATIO_MIN} × getrandom: "
              + ", ".join(f"{label} {ratio[req]:.3f}" for req, label in ENTROPY_SIZES)
              + f": {verdict(min(ratio.values()) >= ENTROPY_RATIO_MIN)}")
        return
    raw, results = sys.argv[1], sys.argv[2]
    machine = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(raw, "machine.txt")))
    load_groups(raw)

    hs, hs_cpu, heap_peak, heap_steady, heap_allocs = (defaultdict(list) for _ in range(5))
    for _, kind, impl, usec, peak, steady, allocs, cpu in lines(os.path.join(raw, "handshake.txt"), "HS"):
        hs[(kind, impl)].append(int(usec))
        hs_cpu[(kind, impl)].append(int(cpu))
        heap_peak[(kind, impl)].append(int(peak))
        heap_steady[(kind, impl)].append(int(steady))
        heap_allocs[(kind, impl)].append(int(allocs))

    bulk, bulk_cpu, bulk_peak = defaultdict(list), defaultdict(list), defaultdict(list)
    for _, d, impl, nbytes, usec, peak, cpu in lines(os.path.join(raw, "bulk.txt"), "BULK"):
        bulk[(d, impl)].append(int(nbytes) / 1048576 / (int(usec) / 1e6))
        bulk_cpu[(d, impl)].append(int(nbytes) / 1048576 / (int(cpu) / 1e6))
        bulk_peak[(d, impl)].append(int(peak))
    # Runs come in adjacent ours/baseline pairs per direction (bench.sh
    # alternates them): the per-pair ratio shows the run-to-run spread.
    paired, pending = defaultdict(list), {}
    for _, d, impl, nbytes, usec, _peak, _cpu in lines(os.path.join(raw, "bulk.txt"), "BULK"):
        rate = int(nbytes) / (int(usec) / 1e6)
        if d in pending:
            other_impl, other_rate = pending.pop(d)
            ours_rate, base_rate = (rate, other_rate) if impl == "ours" else (other_rate, rate)
            paired[d].append(ours_rate / base_rate)
        else:
            pending[d] = (impl, rate)
    ceiling = {d: int(n) / 1048576 / (int(u) / 1e6) for _, d, _, n, u in lines(os.path.join(raw, "bulk.txt"), "PEERBULK")}
    bulk_mib = int(lines(os.path.join(raw, "bulk.txt"), "BULK")[0][3]) >> 20

    out = []
    w = out.append
    w("# freertos-tls benchmarks: ours vs raw mbedTLS\n")
    w("Produced by `./scripts/bench.sh` (see benches/README.md for the method). "
      "*ours* = the C interface `iot_tls.h` of `libfreertos_tls.a`; *baseline* = the same archive's "
      f"mbedTLS {machine.get('mbedtls', '')} called directly from C with the configuration `TLS_Connect` applies. Both are linked "
      "from one release build (opt-level s, LTO) and run alternately against the same peer on 127.0.0.1.\n")
    w(f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['kernel']} ({machine['os']}); "
      f"load average at the end {machine['load']}. Library built from commit {machine['commit']}. {machine['rustc']}; {machine['cc']}. "
      f"Peer: {machine['peer']}. CPU AES instructions: {machine['aesni']}; "
      f"used by this mbedTLS build (MBEDTLS_AESNI_C): {machine['mbedtls_aesni']}. Run {machine['date']}.\n")

    # Handshakes
    w("## Full handshake latency (server authentication, TLS 1.2)\n")
    w("Timed from before `TLS_Init` (baseline: before allocating the contexts) to the end of the "
      "handshake; includes CA parse and DRBG seeding, excludes the TCP connect. Cipher suite: "
      "ECDHE-ECDSA-AES128-GCM-SHA256 / ECDHE-RSA-AES128-GCM-SHA256.\n")
    w("| key exchange | implementation | n | median ms | p90 ms | median ratio vs baseline | p90 ratio "
      "| client CPU median ms | CPU ratio |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    hs_ratio, hs_cpu_ratio = {}, {}
    for kind, label in KINDS.items():
        for impl in ("baseline", "ours", "ours_stub"):
            xs = hs[(kind, impl)]
            if not xs:
                continue
            # Each build's ours is compared with the baseline handshakes
            # interleaved with it in the same processes.
            ref = "baseline_stub" if impl == "ours_stub" else "baseline"
            b = hs[(kind, ref)]
            bc = statistics.median(hs_cpu[(kind, ref)])
            r_med = statistics.median(xs) / statistics.median(b)
            r_p90 = p90(xs) / p90(b)
            if impl == "ours":
                hs_ratio[kind] = r_med
            name = {"baseline": "baseline", "ours": "ours", "ours_stub": "ours, PKCS#11 stub"}[impl]
            ratio = "-" if impl == "baseline" else f"{r_med:.3f}"
            ratio90 = "-" if impl == "baseline" else f"{r_p90:.3f}"
            cpu = statistics.median(hs_cpu[(kind, impl)])
            cpu_ratio = "-" if impl == "baseline" else f"{cpu / bc:.3f}"
            if impl == "ours":
                hs_cpu_ratio[kind] = cpu / bc
            w(f"| {label} | {name} | {len(xs)} | {statistics.median(xs) / 1000:.2f} | {p90(xs) / 1000:.2f} "
              f"| {ratio} | {ratio90} | {cpu / 1000:.2f} | {cpu_ratio} |")
    w("\nBoth builds alternate ours and baseline handshake by handshake in one process; each ratio "
      "compares with the baseline handshakes interleaved with it (the stub build's own baseline for the "
      "stub row). *ours* links SoftHSM2 with an empty token directory, so every `TLS_Connect` also looks for a "
      "client credential (C_Initialize, slot scan, C_Finalize) and finds none; *PKCS#11 stub* links a "
      "`C_GetFunctionList` that fails at once, isolating the TLS layer itself. "
      "*Client CPU* is the client process's CPU time over the same interval: it leaves out the peer's "
      "work and time lost to other processes on this shared machine. "
      "Distribution: [handshake.svg](handshake.svg).\n")

    # Against the last run on mbedTLS 2.28 (committed figures, another day:
    # not paired, so only a rough guide).
    old = committed_228(os.path.join(results, "report-mbedtls-2.28.md"))
    if old:
        w("### Against mbedTLS 2.28 (the last committed run on it)\n")
        w("Client CPU medians of this run beside those of "
          "[report-mbedtls-2.28.md](report-mbedtls-2.28.md) (mbedTLS 2.28.10 through mbedtls-sys-auto, "
          "its default configuration). Different runs and days: a rough guide, not a paired measurement.\n")
        w("| key exchange | implementation | 2.28 client CPU median ms | this run | this / 2.28 |")
        w("|---|---|---:|---:|---:|")
        for kind, label in KINDS.items():
            for impl in ("baseline", "ours", "ours_stub"):
                name = {"baseline": "baseline", "ours": "ours", "ours_stub": "ours, PKCS#11 stub"}[impl]
                before = old.get((label, name))
                if before is None or not hs_cpu[(kind, impl)]:
                    continue
                now = statistics.median(hs_cpu[(kind, impl)]) / 1000
                w(f"| {label} | {name} | {before:.2f} | {now:.2f} | {now / before:.3f} |")
        w("")

    pcpu, pwall = paired_handshake_ratios(os.path.join(raw, "handshake.txt"))
    w("### Paired ratios (the verdict)\n")
    w("Each *ours* handshake is paired with the baseline handshake next to it in the same process; the "
      "ratio of each pair, then the median and 10th–90th percentile of those ratios. The headline is the "
      "PKCS#11 stub build (the TLS layer alone: SoftHSM2's own allocations and initialisation happen inside "
      "its shared library and are not what is compared); the SoftHSM2 build's difference is stated next to it. "
      "*Mutual TLS*: the P-256 device key in SoftHSM2 (ours, every signature a PKCS#11 call) against the same "
      "key in RAM (baseline), demo PKI (server chain with an intermediate CA).\n")
    w("| key exchange | build | pairs | client CPU ratio, median | 10th–90th pct | wall ratio, median | 10th–90th pct |")
    w("|---|---|---:|---:|---:|---:|---:|")
    for kind in list(KINDS) + ["mtls"]:
        for build in ("stub", "main"):
            xs = pcpu.get((kind, build))
            if not xs:
                continue
            label = KINDS.get(kind) or MTLS[kind]
            name = "PKCS#11 stub (headline)" if build == "stub" else "SoftHSM2 linked"
            w(f"| {label} | {name} | {len(xs)} | {statistics.median(xs):.3f} | {p10_p90(xs)} "
              f"| {statistics.median(pwall[(kind, build)]):.3f} | {p10_p90(pwall[(kind, build)])} |")
    for kind in KINDS:
        if pcpu.get((kind, "stub")) and pcpu.get((kind, "main")):
            d = statistics.median(pcpu[(kind, "main")]) - statistics.median(pcpu[(kind, "stub")])
            w(f"\n{KINDS[kind]}: linking SoftHSM2 (empty token: C_Initialize, slot scan, C_Finalize per connect) "
              f"adds {d:+.3f} to the paired CPU ratio.")
    w("")

    rc = reconnect_section(raw, w)
    ram = ram_section(raw, w)

    # Throughput
    w(f"## Bulk throughput (AES-128-GCM, {bulk_mib} MiB per run, median of runs)\n")
    w("| direction | baseline MiB/s | ours MiB/s | ratio ours/baseline | runs | paired-run ratios: 10th–90th pct "
      "| baseline MiB per CPU-s | ours MiB per CPU-s | CPU ratio | peer alone (OpenSSL client) MiB/s |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    tp_ratio, tp_cpu_ratio = {}, {}
    for d, label in (("up", "client → peer"), ("down", "peer → client")):
        b, o = statistics.median(bulk[(d, "baseline")]), statistics.median(bulk[(d, "ours")])
        tp_ratio[d] = o / b
        c = f"{ceiling[d]:.0f}" if d in ceiling else "-"
        bc, oc = statistics.median(bulk_cpu[(d, "baseline")]), statistics.median(bulk_cpu[(d, "ours")])
        tp_cpu_ratio[d] = oc / bc
        pr = sorted(paired[d])
        spread = f"{pr[int(0.1 * (len(pr) - 1))]:.3f}–{pr[math.ceil(0.9 * (len(pr) - 1))]:.3f}" if pr else "-"
        w(f"| {label} | {b:.1f} | {o:.1f} | {o / b:.3f} | {len(bulk[(d, 'ours')])} | {spread} | {bc:.1f} | {oc:.1f} "
          f"| {oc / bc:.3f} | {c} |")
    w("")

    # Heap
    w("## Heap per connection (C heap, bytes)\n")
    w("Counted by wrapping malloc/calloc/realloc/free/posix_memalign/aligned_alloc at link time "
      "(`malloc_usable_size` of each block); medians over all handshakes. *Peak* = highest use from "
      "before `TLS_Init` to the end of the handshake; *steady* = held by a connected, idle connection.\n")
    w("| key exchange | implementation | peak | steady | allocations per connect | peak − baseline |")
    w("|---|---|---:|---:|---:|---:|")
    peak_extra = {}
    for kind, label in KINDS.items():
        for impl in ("baseline", "ours", "ours_stub"):
            if not heap_peak[(kind, impl)]:
                continue
            bp = statistics.median(heap_peak[(kind, "baseline_stub" if impl == "ours_stub" else "baseline")])
            pk = statistics.median(heap_peak[(kind, impl)])
            st = statistics.median(heap_steady[(kind, impl)])
            al = statistics.median(heap_allocs[(kind, impl)])
            if impl == "ours":
                peak_extra[kind] = pk - bp
            name = {"baseline": "baseline", "ours": "ours", "ours_stub": "ours, PKCS#11 stub"}[impl]
            extra = "-" if impl == "baseline" else f"{pk - bp:+.0f}"
            w(f"| {label} | {name} | {pk:.0f} | {st:.0f} | {al:.0f} | {extra} |")
    bp_up = statistics.median(bulk_peak[("up", "baseline")])
    op_up = statistics.median(bulk_peak[("up", "ours")])
    w(f"\nPeak over a whole {bulk_mib} MiB upload connection: baseline {bp_up:.0f}, ours {op_up:.0f} "
      f"({op_up - bp_up:+.0f}). SoftHSM2's own allocations (inside its shared library) are not counted.\n")

    stress = os.path.join(raw, "freertos-stress.txt")
    text = open(stress).read() if os.path.exists(stress) else ""
    m = re.search(r"free before (\d+), free after (\d+), minimum ever free (\d+)", text)
    st = re.search(r"(\d+) connections ok, (\d+) failed, peak stack (\d+) bytes", text)
    if m and st and "STRESS RESULT PASS" in text:
        before, after, low = (int(x) for x in m.groups())
        w("FreeRTOS build (the demo's `freertos_tls_stress`, release profile, `freertos` feature: no std, "
          "every allocation of the library and of mbedTLS on the FreeRTOS heap_4), *ours* only, one task, "
          f"{st.group(1)} sequential **mutual-TLS** connections (P-256 device key in SoftHSM2, server chain with "
          "an intermediate CA, echo checked):\n")
        w("| FreeRTOS figure | bytes |")
        w("|---|---:|")
        w(f"| peak heap use per connection (free before − minimum ever free, heap_4 headers included) | {before - low} |")
        w(f"| heap not returned after the connections (free before − free after) | {before - after} |")
        w(f"| peak stack of the connecting task (host stack painting, upper bound) | {st.group(3)} |")
        w("")
    else:
        w("FreeRTOS build figures: not measured in this run (BENCH_FREERTOS=0, or the demo build/run failed).\n")

    # Entropy
    ent_table, ent_ratio = entropy_section(raw)
    out.extend(ent_table)

    # Code size
    linked = linked_text(os.path.join(raw, "bench_client.map"))
    archive = archive_text(os.path.join(raw, "size-archive.txt"))
    w("## Code size (`.text`, bytes, release build: opt-level s, LTO)\n")
    w("*Linked*: input `.text*` sections that the GNU ld map of the benchmark program (which calls both "
      "the `TLS_*` interface and mbedTLS directly, linked with `--gc-sections`) takes from each archive "
      "member. *Archive*: `size` over every member of `libfreertos_tls.a`, linked or not. Members are "
      "told apart by name: `<hash>-<file>.o` (the cc crate's names) are mbedTLS, `*.rcgu.o` are Rust (by crate).\n")
    w("| part | linked | archive |")
    w("|---|---:|---:|")
    groups = ["Rust: this crate and its dependencies", "Rust: std, core, alloc (+ std's backtrace deps)", "mbedTLS (C)", "compiler builtins"]
    for g in groups:
        w(f"| {g} | {linked.get(g, 0)} | {archive.get(g, 0)} |")
    rust_linked = linked.get(groups[0], 0) + linked.get(groups[1], 0)
    w(f"| **Rust layer total (this crate + std/core/alloc)** | **{rust_linked}** | "
      f"**{archive.get(groups[0], 0) + archive.get(groups[1], 0)}** |")
    w(f"\nRust layer as a share of the linked TLS code (Rust + mbedTLS): "
      f"{100 * rust_linked / max(1, rust_linked + linked.get(groups[2], 0)):.1f} %.\n")

    gc_map = os.path.join(raw, "freertos_stress_gc.map")
    nostd = linked_text(gc_map) if os.path.exists(gc_map) else {}
    if nostd:
        w("FreeRTOS (no std) build: the demo's `freertos_tls_stress` link line re-run with `--gc-sections` "
          "and a map (the demo itself links without it), same method:\n")
        w("| part | linked `.text` |")
        w("|---|---:|")
        for g in groups:
            # No std in this build: what lands in that group is core and alloc.
            label = "Rust: core, alloc" if g == groups[1] else g
            w(f"| {label} | {nostd.get(g, 0)} |")
        nr = nostd.get(groups[0], 0) + nostd.get(groups[1], 0)
        w(f"| **Rust layer total** | **{nr}** |")
        w(f"\nRust layer as a share of the linked TLS code in the FreeRTOS build: "
          f"{100 * nr / max(1, nr + nostd.get(groups[2], 0)):.1f} %.\n")

    # Targets
    w("## Targets (issue 7)\n")
    w("The handshake verdict is the paired client-CPU ratio (issue 12); the other rows as issue 7 defined them.\n")
    w("| target | measured | verdict | cross-check |")
    w("|---|---|---|---|")
    # Since issue 12 the handshake verdict is the paired client-CPU ratio
    # (stub build); the unpaired wall-clock medians are the cross-check.
    paired7 = {k: statistics.median(pcpu[(k, "stub")]) for k in KINDS if pcpu.get((k, "stub"))}
    worst = max(paired7.values()) if paired7 else float("inf")
    w(f"| handshake ratio ≤ {HANDSHAKE_RATIO_MAX} (paired client CPU, stub build) | "
      + ", ".join(f"{KINDS[k]} {v:.3f}" for k, v in paired7.items()) + f" | {verdict(worst <= HANDSHAKE_RATIO_MAX)} | "
      + "unpaired wall medians: " + ", ".join(f"{KINDS[k]} {v:.3f}" for k, v in hs_ratio.items()) + " |")
    w(f"| throughput ratio ≥ {THROUGHPUT_RATIO_MIN} | up {tp_ratio['up']:.3f}, down {tp_ratio['down']:.3f} | "
      f"{verdict(min(tp_ratio.values()) >= THROUGHPUT_RATIO_MIN)} | "
      f"up {tp_cpu_ratio['up']:.3f}, down {tp_cpu_ratio['down']:.3f} |")
    w(f"| peak heap ≤ baseline + {PEAK_HEAP_EXTRA_MAX} B | "
      + ", ".join(f"{KINDS[k]} {v:+.0f} B" for k, v in peak_extra.items())
      + f" | {verdict(max(peak_extra.values()) <= PEAK_HEAP_EXTRA_MAX)} | - |")
    w(f"| entropy ≥ {ENTROPY_RATIO_MIN} × getrandom | 1 KiB {ent_ratio[1024]:.3f}, 1 MiB {ent_ratio[1048576]:.3f} | "
      f"{verdict(min(ent_ratio.values()) >= ENTROPY_RATIO_MIN)} | - |")
    w("\nWhy a target is missed, where one is: benches/README.md.\n")

    w("## Targets (issue 12)\n")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    heads = {k: statistics.median(pcpu[(k, "stub")]) for k in KINDS if pcpu.get((k, "stub"))}
    if heads:
        w(f"| full-handshake client CPU ≤ {HANDSHAKE_CPU_RATIO_MAX} × raw mbedTLS (paired, stub build) | "
          + ", ".join(f"{KINDS[k]} {v:.3f} ({p10_p90(pcpu[(k, 'stub')])})" for k, v in heads.items())
          + f" | {verdict(max(heads.values()) <= HANDSHAKE_CPU_RATIO_MAX)} |")
    for (kind, name), (m, ok) in rc.items():
        w(f"| {name} | {KINDS.get(kind, kind)} {m:.3f} | {verdict(ok)} |")
    for (in_len, kind), (o, b) in ram.items():
        if in_len == 4096:
            w(f"| RAM per open connection ≤ {RAM_4K_MAX} B, 4 KiB profile | {KINDS[kind]} {o} B | {verdict(o <= RAM_4K_MAX)} |")
        w(f"| RAM per open connection ≤ raw mbedTLS + {RAM_EXTRA_MAX} B, {in_len}-byte profile | {KINDS[kind]} {o - b:+d} B "
          f"| {verdict(o - b <= RAM_EXTRA_MAX)} |")
    w("")

    with open(os.path.join(results, "report.md"), "w") as f:
        f.write("\n".join(out))
    plot(hs, raw, results)


if __name__ == "__main__":
    main()
