"""Draws the Custos icon (a seal ring on a deep blue tile) as PNGs, without
any imaging library: python3 icons/make-icons.py"""
import math, struct, zlib, os

def png(size):
    bg, fg = (0x1F, 0x3A, 0x5F), (0xE8, 0xEE, 0xF6)
    s = size / 512.0
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            px, py = (x + 0.5) / s, (y + 0.5) / s
            # rounded tile 16..496, radius 96
            dx = max(112 - px, 0, px - 400); dy = max(112 - py, 0, py - 400)
            inside = math.hypot(dx, dy) <= 96 and 16 <= px <= 496 and 16 <= py <= 496
            if not inside:
                row += bytes((0, 0, 0, 0)); continue
            r = math.hypot(px - 256, py - 256)
            ang = math.degrees(math.atan2(py - 256, px - 256)) % 360
            ring = 119 <= r <= 153 and not (330 <= ang or ang <= 30)
            dot = r <= 44
            c = fg if (ring or dot) else bg
            row += bytes((*c, 255))
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

here = os.path.dirname(os.path.abspath(__file__))
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(os.path.join(here, name), "wb") as f:
        f.write(png(size))
