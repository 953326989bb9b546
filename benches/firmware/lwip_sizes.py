#!/usr/bin/env python3
"""Code and data size of the network path in the board's lwIP firmware,
from its GNU ld map.

  lwip_sizes.py freertos_tls_board_lwip.map [freertos_tls_board_demo.map]

Rows: lwIP (its sources and its FreeRTOS sys_arch, compiled from the lwip
crate; .bss holds its heap and pools), the LAN9118 driver and socket glue
(lan9118_netif.c, network_stream_lwip.c, lwip_board.c), and the whole
image; with the UART demo's map also the UART stream (uart_stream.c,
network_stream_uart.c) and the difference of the two images. Bytes, as
the map places them after --gc-sections.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from map_sizes import KINDS, kind_of, map_inputs, source_of  # noqa: E402

DRIVER = ("lan9118_netif.c", "network_stream_lwip.c", "lwip_board.c")
UART = ("uart_stream.c", "network_stream_uart.c")


def parse(map_path):
    """{row: {kind: bytes}} by object: lwip, driver, uart, all."""
    sizes = defaultdict(lambda: defaultdict(int))
    for section, address, size, obj in map_inputs(map_path):
        kind = kind_of(section or "")
        if kind is None or address == 0:
            continue
        source = source_of(obj)
        sizes["all"][kind] += size
        if "board_mps2_an386_lwip.dir" in obj:
            sizes["lwip"][kind] += size
        elif source in DRIVER:
            sizes["driver"][kind] += size
        elif source in UART:
            sizes["uart"][kind] += size
    return sizes


def row(name, part):
    flash = part[".text"] + part[".rodata"] + part[".data"]
    ram = part[".data"] + part[".bss"]
    return (f"| {name} | " + " | ".join(str(part[k]) for k in KINDS) + f" | {flash} | {ram} |")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    lwip = parse(sys.argv[1])
    print("| part | .text | .rodata | .data | .bss | flash | RAM |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(row("lwIP 2.2.1 + FreeRTOS sys_arch", lwip["lwip"]))
    print(row("LAN9118 driver + socket stream + lwIP start-up", lwip["driver"]))
    both = {k: lwip["lwip"][k] + lwip["driver"][k] for k in KINDS}
    print(row("network path over lwIP, total", both))
    if len(sys.argv) == 3:
        uart = parse(sys.argv[2])
        print(row("network path over UART0 (UART demo image)", uart["uart"]))
        print(row("whole image, lwIP firmware", lwip["all"]))
        print(row("whole image, UART demo", uart["all"]))
        print(row("difference of the images", {k: lwip["all"][k] - uart["all"][k] for k in KINDS}))


if __name__ == "__main__":
    main()
