#!/usr/bin/env python3
"""Report of scripts/bench-tls13.sh: reads its raw lines, writes markdown.

  report_tls13.py RAW_DIR OUT.md
"""
import os
import re
import statistics
import sys


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def lines(raw, name):
    path = os.path.join(raw, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def kv(s):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", s))


def error_names(machine, root):
    names = {}
    tree = machine.get("mbedtls_tree", "")
    for path in (os.path.join(tree, "include/mbedtls/ssl.h"), os.path.join(tree, "include/mbedtls/error.h"),
                 os.path.join(tree, "include/mbedtls/net_sockets.h")):
        if os.path.exists(path):
            for m in re.finditer(r"#define (MBEDTLS_ERR_\w+)\s+-0x([0-9A-Fa-f]+)", open(path).read()):
                names.setdefault(-int(m.group(2), 16), m.group(1))
    hdr = os.path.join(root, "include/iot_tls.h")
    if os.path.exists(hdr):
        for m in re.finditer(r"#define (TLS_ERROR_\w+) (-\d+)", open(hdr).read()):
            names[int(m.group(2))] = m.group(1)
    return names


def main():
    raw, out = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    machine = dict(l.split("=", 1) for l in lines(raw, "machine.txt"))
    names = error_names(machine, root)
    delay = machine.get("delay_ms", "50")
    o = []
    w = o.append
    summary = []
    w("# TLS 1.3 against TLS 1.2 on the host (issue 21)\n")
    w("Produced by `./scripts/bench-tls13.sh` (method: [../README.md](../README.md), \"TLS 1.3 (host)\"). "
      "Client: this library through `iot_tls.h` (PKCS#11 stub build: server authentication only), release "
      "build, its default configuration; the TLS version and group are pinned on the *server* "
      "(`benches/peer/tls13_peer.py`, Python `ssl`), P-256 ECDSA server certificate. "
      "Every connection of the round-trip and key-share sections goes through `benches/peer/rtt_proxy.py`, "
      "which reads the record headers (it cannot decrypt) and counts flights.\n")
    w(f"Measured on commit {machine.get('commit', '?')}, {machine.get('date', '?')}. Machine: "
      f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores (shared with other jobs), "
      f"{machine.get('kernel', '?')}; load average at the end {machine.get('load', '?')}. "
      f"Peers: {machine.get('peer', '?')}; {machine.get('openssl', '?')}; Mosquitto {machine.get('mosquitto', '?')}. "
      f"mbedTLS {machine.get('mbedtls', '?')}.\n")

    # ------------------------------------------------------------ round trips
    rt = [l.split() for l in lines(raw, "rtt.txt")]
    px = {}
    for l in lines(raw, "proxy.txt"):
        parts = l.split()
        px.setdefault(parts[1], []).append(kv(l))
    w("## Round trips from TCP connect to the client's first application record\n")
    w("*Round trips*: server flights the proxy forwarded before the client's first application record "
      "(TLS 1.3: the client's second encrypted record, after its Finished). *One send*: the client's "
      "Finished and its first application record were handed to the transport in one call (the library's "
      "send callback logs the records of each call) and reached the proxy in one read. "
      "*Sends in TLS_Connect*: transport calls made inside `TLS_Connect`.\n")
    w("| version | handshake | connections | round trips (min–max) | HelloRetryRequest | Finished + first record in one transport send | same TCP read at the proxy | sends in TLS_Connect | target | verdict |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    targets = {("1.3", "full"): 1, ("1.3", "resumed"): 1, ("1.2", "full"): 2, ("1.2", "resumed"): 1}
    for v in ("1.2", "1.3"):
        label = "tls" + v.replace(".", "")
        rows = [r for r in rt if r[1] == label]
        pxs = px.get("py" + v.replace(".", ""), [])[: len(rows)]
        if len(pxs) != len(rows):
            w(f"\n**Warning**: {len(rows)} TLS {v} connections but {len(pxs)} proxy reports: rows misaligned.\n")
        for hs in ("full", "resumed"):
            idx = [i for i, r in enumerate(rows) if r[2] == hs]
            if not idx:
                continue
            rtts = [int(pxs[i]["rtt"]) for i in idx if i < len(pxs) and pxs[i].get("rtt", "none") != "none"]
            hrr = sum(int(pxs[i]["hrr"]) for i in idx if i < len(pxs))
            vers = {pxs[i]["version"] for i in idx if i < len(pxs)}
            one = 0
            for i in idx:
                recs = [tuple(map(int, x.split(":"))) for x in rows[i][6].split(",") if ":" in x]
                if v == "1.3":
                    one += sum(1 for t, _ in recs if t == 23) >= 2
                else:
                    one += any(t == 22 for t, _ in recs) and any(t == 23 for t, _ in recs)
            same = sum(int(pxs[i]["fin_with_app"]) for i in idx if i < len(pxs))
            sends = sorted({int(rows[i][5]) for i in idx})
            tgt = targets[(v, hs)]
            ok = rtts and max(rtts) <= tgt and len(rtts) == len(idx)
            onecol = f"{one}/{len(idx)}" if not (v == "1.2" and hs == "full") else \
                "n/a (the server speaks last: Finished leaves with the key exchange)"
            samecol = f"{same}/{len(idx)}" if not (v == "1.2" and hs == "full") else "n/a"
            verdict = "met" if ok else "MISSED"
            if v == "1.3":
                summary.append((f"round trips, TLS 1.3 {hs} (TCP connect to first application record)", f"{tgt}",
                                f"{min(rtts) if rtts else '-'}–{max(rtts) if rtts else '-'} over {len(idx)} connections",
                                verdict))
                summary.append((f"client Finished + first application record in one transport send, TLS 1.3 {hs}",
                                "every connection", f"{one}/{len(idx)}", "met" if one == len(idx) else "MISSED"))
            if v == "1.2" and hs == "resumed":
                tgt_s, verdict = "(comparison)", "-"
            else:
                tgt_s = f"{tgt}" + ("" if v == "1.3" else " (comparison)")
            w(f"| TLS {v}{'' if vers <= {v} else ' (proxy saw ' + ','.join(sorted(vers)) + ')'} | {hs} | {len(idx)} | "
              f"{min(rtts) if rtts else '-'}–{max(rtts) if rtts else '-'} | {hrr} | {onecol} | {samecol} | "
              f"{','.join(map(str, sends))} | {tgt_s} | {verdict} |")
    ex = {}
    for v in ("1.2", "1.3"):
        for p in px.get("py" + v.replace(".", ""), [])[:2]:
            ex.setdefault(v, []).append(p)
    w("\nFlights of the first full and resumed connection of each version, as the proxy read them "
      "(`C`/`S`: client/server, `@ms` after accept, records as content type:length; 22 handshake, 20 "
      "ChangeCipherSpec, 23 application data or encrypted handshake, 21 alert):\n")
    w("```")
    for v in ("1.2", "1.3"):
        for p, hs in zip(ex.get(v, []), ("full", "resumed")):
            line = [l for l in lines(raw, "proxy.txt") if l.split()[1] == "py" + v.replace(".", "")]
            fl = line[[q is p for q in px["py" + v.replace(".", "")]].index(True)].split("flights=", 1)[1]
            w(f"TLS {v} {hs:8} {fl}")
    w("```\n")

    # ------------------------------------------------------------ delayed wall time
    w(f"## Connect to first echo, {delay} ms added each way\n")
    w(f"Through the delaying proxy ({delay} ms each way on every chunk, so one round trip costs "
      f"{2 * int(float(delay))} ms more than on loopback; the TCP handshake itself is not delayed: add one "
      "round trip for a real link). Timed by the client from before its TCP connect to the 32-byte answer "
      "to its first request (9 bytes); the echo is one more round trip, so the expected floor is "
      "(handshake round trips + 1) × the added round trip. TLS 1.2 and 1.3 alternate, order flipped every round.\n")
    w("| version | handshake | n | median ms | min ms | max ms | client CPU median ms | expected floor ms |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    dl = {}
    for v in ("1.2", "1.3"):
        label = f"tls{v.replace('.', '')}-d{delay}"
        for hs in ("full", "resumed"):
            rows = [r for r in rt if r[1] == label and r[2] == hs]
            if not rows:
                continue
            ms = [int(r[3]) / 1000 for r in rows]
            dl[(v, hs)] = [int(r[3]) for r in rows]
            cpu = [int(r[4]) / 1000 for r in rows]
            floor = (targets[(v, hs)] + 1) * 2 * float(delay)
            w(f"| TLS {v} | {hs} | {len(ms)} | {med(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} | {med(cpu):.2f} | {floor:.0f} |")
    w("\n| ratio (paired by round) | median | 10th–90th pct | expected from round trips |")
    w("|---|---:|---:|---:|")
    for hs in ("full", "resumed"):
        a, b = dl.get(("1.3", hs), []), dl.get(("1.2", hs), [])
        rs = [x / y for x, y in zip(a, b)]
        if rs:
            exp = (targets[("1.3", hs)] + 1) / (targets[("1.2", hs)] + 1)
            w(f"| TLS 1.3 / TLS 1.2, {hs} | {med(rs):.3f} | {pct(rs, 10):.3f}–{pct(rs, 90):.3f} | {exp:.3f} |")
    w("\nA resumed TLS 1.3 handshake is PSK with ECDHE (forward secrecy kept), so the client computes a key "
      "share and a shared secret that a resumed TLS 1.2 handshake does not: same round trips, more CPU.")
    d13 = [l for l in lines(raw, "proxy.txt") if l.split()[1] == "dpy13"]
    if d13:
        w("\nTLS 1.3 through the delaying proxy, first full and resumed connection:\n")
        w("```")
        for l in d13[:2]:
            w(l.split("flights=", 1)[1])
        w("```\n")

    # ------------------------------------------------------------ heap
    hs_rows = [l.split() for l in lines(raw, "handshake.txt")]
    w("## Full handshake: peak heap and client CPU, TLS 1.3 vs TLS 1.2\n")
    w("Ours (`TLS_Init` + `TLS_Connect`, session cache emptied first), directly against the Python peer "
      "(no proxy), TLS 1.2 and TLS 1.3 alternating handshake by handshake in one process. Heap: the C heap "
      "seen through the allocator wrappers (`malloc_usable_size`), peak above the level before `TLS_Init`; "
      "*held* is what the connected context holds. Both peers are pinned to ECDHE on P-256; suites are the "
      "server's choice: TLS_AES_256_GCM_SHA384 and ECDHE-ECDSA-AES256-GCM-SHA384.\n")
    w("| version | n | peak bytes, median | min–max | held after handshake, median | allocations, median | wall ms, median | client CPU ms, median |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    by = {}
    for r in hs_rows:
        by.setdefault(r[1], []).append(r)
    for label in ("tls12", "tls13"):
        rows = by.get(label, [])
        if not rows:
            continue
        peak = [int(r[4]) for r in rows]
        w(f"| TLS {label[3]}.{label[4]} | {len(rows)} | {med(peak):.0f} | {min(peak)}–{max(peak)} | "
          f"{med([int(r[5]) for r in rows]):.0f} | {med([int(r[6]) for r in rows]):.0f} | "
          f"{med([int(r[3]) / 1000 for r in rows]):.2f} | {med([int(r[7]) / 1000 for r in rows]):.2f} |")
    a, b = by.get("tls13", []), by.get("tls12", [])
    n = min(len(a), len(b))
    if n:
        dpeak = [int(a[i][4]) - int(b[i][4]) for i in range(n)]
        dheld = [int(a[i][5]) - int(b[i][5]) for i in range(n)]
        rcpu = [int(a[i][7]) / max(1, int(b[i][7])) for i in range(n)]
        rwall = [int(a[i][3]) / max(1, int(b[i][3])) for i in range(n)]
        w("\n| paired (TLS 1.3 handshake with the TLS 1.2 one next to it) | median | 10th–90th pct | target | verdict |")
        w("|---|---:|---:|---|---|")
        summary.append(("peak heap of a full handshake, TLS 1.3 − TLS 1.2 (paired)", "≤ +4096 bytes",
                        f"median {med(dpeak):+.0f}, 90th pct {pct(dpeak, 90):+.0f} bytes",
                        "met" if pct(dpeak, 90) <= 4096 else "MISSED"))
        w(f"| peak heap, 1.3 − 1.2 (bytes) | {med(dpeak):+.0f} | {pct(dpeak, 10):+.0f}–{pct(dpeak, 90):+.0f} | ≤ +4096 | "
          f"{'met' if pct(dpeak, 90) <= 4096 else 'MISSED'} |")
        w(f"| held after handshake, 1.3 − 1.2 (bytes) | {med(dheld):+.0f} | {pct(dheld, 10):+.0f}–{pct(dheld, 90):+.0f} | - | - |")
        w(f"| client CPU, 1.3 / 1.2 | {med(rcpu):.3f} | {pct(rcpu, 10):.3f}–{pct(rcpu, 90):.3f} | - | - |")
        w(f"| wall, 1.3 / 1.2 | {med(rwall):.3f} | {pct(rwall, 10):.3f}–{pct(rwall, 90):.3f} | - | - |")
    w("")

    # ------------------------------------------------------------ groups
    gr = lines(raw, "groups.txt")
    w("## Key share: P-256 against X25519 (client side, host)\n")
    w("**Ours** (the library's offer: groups P-256, X25519, P-384, P-521, one key share, P-256) against a "
      "TLS 1.3 server that accepts only P-256, and one that accepts only X25519, which answers the P-256 "
      "key share with a HelloRetryRequest (the client then computes an X25519 share too, and pays one "
      "more round trip). **Raw mbedTLS** (the same archive's mbedTLS, TLS 1.3 only, TLS_Connect's suites "
      "and signature algorithms) offering P-256 first or X25519 first (key share for the first) against a "
      "server taking either: the key exchange alone, no HelloRetryRequest. Pairs alternate in one process, "
      "order flipped every pair; HelloRetryRequests counted by the proxy.\n")
    w("| client | server groups | key share | n | HelloRetryRequests | client CPU ms, median | 10th–90th pct | peak heap, median |")
    w("|---|---|---|---:|---:|---:|---:|---:|")
    ours = {}
    for l in gr:
        p = l.split()
        if p[0] == "HS":
            ours.setdefault(p[1], []).append(p)
    raw_gr = {}
    for l in gr:
        p = l.split()
        if p[0] == "GR":
            raw_gr.setdefault(p[1], []).append(p)
    hrr_p256 = sum(int(x["hrr"]) for x in px.get("p256", []))
    hrr_x = sum(int(x["hrr"]) for x in px.get("x25519", []))
    hrr_raw = sum(int(x["hrr"]) for x in px.get("any13", []))
    for label, srv, share, h in (("ours-P-256", "P-256 only", "P-256", hrr_p256),
                                 ("ours-X25519", "X25519 only", "P-256, then X25519 after the HelloRetryRequest", hrr_x)):
        rows = ours.get(label, [])
        if rows:
            cpu = [int(r[7]) / 1000 for r in rows]
            w(f"| ours | {srv} | {share} | {len(rows)} | {h} | {med(cpu):.2f} | {pct(cpu, 10):.2f}–{pct(cpu, 90):.2f} | "
              f"{med([int(r[4]) for r in rows]):.0f} |")
    for g in ("P-256", "X25519"):
        rows = raw_gr.get(g, [])
        if rows:
            cpu = [int(r[4]) / 1000 for r in rows]
            w(f"| raw mbedTLS | X25519, P-256, … (OpenSSL default) | {g} | {len(rows)} | "
              f"{hrr_raw if g == 'P-256' else '(counted with the row above)'} | {med(cpu):.2f} | {pct(cpu, 10):.2f}–{pct(cpu, 90):.2f} | "
              f"{med([int(r[3]) for r in rows]):.0f} |")
    w("\n| paired ratio | median | 10th–90th pct |")
    w("|---|---:|---:|")
    a, b = ours.get("ours-X25519", []), ours.get("ours-P-256", [])
    n = min(len(a), len(b))
    if n:
        r = [int(a[i][7]) / max(1, int(b[i][7])) for i in range(n)]
        w(f"| ours, client CPU: X25519-only server (HelloRetryRequest) / P-256-only server | {med(r):.3f} | {pct(r, 10):.3f}–{pct(r, 90):.3f} |")
        r = [int(a[i][3]) / max(1, int(b[i][3])) for i in range(n)]
        w(f"| ours, wall (through the proxy, no delay): same | {med(r):.3f} | {pct(r, 10):.3f}–{pct(r, 90):.3f} |")
    a, b = raw_gr.get("X25519", []), raw_gr.get("P-256", [])
    n = min(len(a), len(b))
    if n:
        r = [int(a[i][4]) / max(1, int(b[i][4])) for i in range(n)]
        w(f"| raw mbedTLS, client CPU: X25519 key share / P-256 key share | {med(r):.3f} | {pct(r, 10):.3f}–{pct(r, 90):.3f} |")
        faster = "P-256" if med(r) > 1 else "X25519"
        w(f"\nOn this host mbedTLS computes a TLS 1.3 handshake with a **{faster}** key share faster "
          f"(paired median {med(r):.3f}"
          + ("; the 10th–90th percentile range straddles 1 on this shared machine). " if pct(r, 10) < 1 < pct(r, 90) else "). ")
          + ("The client's order stays P-256 first (`GROUPS` in src/tls/connection.rs)"
             if faster == "P-256" else "These numbers argue for offering X25519 first")
          + "; the device's own figures come from the firmware benchmark. A server that accepts only the "
          "other group costs a HelloRetryRequest: one more round trip and a second key share.")
    w("")

    # ------------------------------------------------------------ RAM
    ram = [l.split() for l in lines(raw, "ram.txt")]
    w("## RAM per open connection, by record-buffer profile\n")
    w("Ours, 4 connections open at once against the Python peer pinned to one version (session resumption "
      "off), C heap held per connection; *cache entry*: what one stored session holds (resumption on). A "
      "build with an input buffer under 16 KiB offers TLS 1.2 only (no maximum fragment length in TLS 1.3 "
      "for mbedTLS): its TLS 1.3 column is what the record-size probes below show.\n")
    w("| profile (in / out content bytes) | TLS 1.2 bytes per connection | TLS 1.3 bytes per connection | 1.3 − 1.2 | TLS 1.2 cache entry | TLS 1.3 cache entry |")
    w("|---|---:|---:|---:|---:|---:|")
    cache = {}
    per = {}
    for p in ram:
        if p[0] == "RAM":
            prof, ver = p[1].rsplit("-", 1)
            per[(prof, ver)] = (int(p[2]), int(p[3]), int(p[6]))
        elif p[0] == "CACHE":
            prof, ver = p[1].rsplit("-", 1)
            cache[(prof, ver)] = int(p[2])
    for prof in machine.get("profiles", "16384").split():
        a, b = per.get((prof, "tls12")), per.get((prof, "tls13"))
        if not a:
            continue
        name = f"{a[0]} / {a[1]}" + (" + MBEDTLS_SSL_RECORD_SIZE_LIMIT" if prof.endswith("-rsl") else "")
        if b is None and a[0] >= 16384:
            b = None
        w(f"| {name} | {a[2]} | {b[2] if b else ('not offered (TLS 1.2 only)' if a[0] < 16384 else 'not measured')} | {b[2] - a[2] if b else '-'} | "
          f"{cache.get((prof, 'tls12'), '-')} | {cache.get((prof, 'tls13'), '-')} |")
    w("")

    # ------------------------------------------------------------ record sizes
    pr = lines(raw, "probe.txt")
    w("## Record sizes in TLS 1.3: what each profile gets from each server\n")
    w("One connection per row, through the counting proxy (no delay); the client asks for 32 KiB "
      "(Python peer: `D` request; OpenSSL `s_server -tls1_3 -WWW`: `GET` of a 32 KiB file; Mosquitto "
      "`tls_version tlsv1.3`: MQTT CONNECT + SUBSCRIBE to a retained 32 KiB message) and reads until it has "
      "32 KiB or the connection fails. *Client*: `ours` = the library's defaults (`TLS_Connect`); "
      "`raw 1.2–1.3` / `raw 1.3` = the same archive's mbedTLS offering TLS 1.2 and 1.3 (its ClientHello "
      "then carries TLS 1.2's max_fragment_length request) / TLS 1.3 only (no max_fragment_length), i.e. "
      "what a version switch on the library would do. *Largest server record*: the record length field "
      "(ciphertext: a full 16 KiB record shows as 16401 or more).\n")
    w("| profile | server | client | version (proxy) | handshake | bytes read | ended with | largest server record |")
    w("|---|---|---|---|---|---:|---|---:|")
    srvname = {"py12": "Python ssl, TLS 1.2 only", "both": "Python ssl, TLS 1.2 and 1.3", "py13": "Python ssl, TLS 1.3 only", "ss": "s_server -tls1_3",
               "mq": "Mosquitto tlsv1.3"}

    def code(c):
        c = int(c)
        if c == 0:
            return "ok"
        if c == 1:
            return "peer closed"
        n = names.get(c)
        return f"{n} ({c})" if c > -3000 and n else (f"{n} (-0x{-c:04X})" if n else f"-0x{-c:04X}")

    sc = [l for l in pr if l.startswith("SCLIENT")]
    pr = [l for l in pr if not l.startswith("SCLIENT")]
    for l in pr:
        left, _, right = l.partition("|")
        p = left.split()
        info = kv(right)
        if len(p) < 9 or p[1] == "timeout":
            w(f"| ? | ? | {p[1] if len(p) > 1 else '?'} | - | TIMEOUT (30 s) | - | - | - |")
            continue
        impl, hs_rc, got, rd_rc, prof, srv = p[1], p[3], p[4], p[5], p[7], p[8]
        cl = {"ours": "ours", "raw12-13": "raw 1.2–1.3", "raw13": "raw 1.3"}.get(impl, impl)
        pname = prof + (" (RSL)" if False else "")
        ended = code(rd_rc) if hs_rc == "0" else "-"
        w(f"| {pname} | {srvname.get(srv, srv)} | {cl} | {info.get('version', '?')} | {code(hs_rc)} | {got} | {ended} | "
          f"{info.get('max_server_record', '?')} |")
    if sc:
        w("\nDo the servers honour max_fragment_length in TLS 1.3? The same requests from OpenSSL's "
          "`s_client -tls1_3` (which accepts the extension in EncryptedExtensions), without and with "
          "`-maxfraglen`:\n")
        w("| server | s_client -maxfraglen | bytes received (with protocol headers) | version (proxy) | largest server record |")
        w("|---|---:|---:|---|---:|")
        for l in sc:
            left, _, right = l.partition("|")
            p = left.split()
            info = kv(right)
            w(f"| {srvname.get(p[3], p[3])} | {p[1] if p[1] != '0' else '(none)'} | {p[2]} | {info.get('version', '?')} | "
              f"{info.get('max_server_record', '?')} |")
    w("")
    if summary:
        head = ["## Targets (host)\n", "| target | wanted | measured | verdict |", "|---|---|---|---|"]
        head += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
        head.append("\nRAM per open connection for each profile, TLS 1.3 next to TLS 1.2, and the key-share "
                    "comparison are reported below (no target). The firmware figures (M4 instructions, flash, "
                    "firmware heap) are the firmware benchmark's.\n")
        at = next(i for i, l in enumerate(o) if l.startswith("## Round trips"))
        o[at:at] = head
    with open(out, "w") as f:
        f.write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
