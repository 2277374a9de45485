"""Sets each heap-on-node page map's cFree to the number of freed (zero-size)
allocations it lists, as MS-PST 2.3.1.5 asks, re-encoding the byte and
updating the block CRC. Unicode PSTs with permutative or no encoding only."""
import re, struct, sys, zlib, glob

# The permutation table (MS-PST 5.1) is read from the outlook-pst source in
# the cargo registry.
src = glob.glob('/root/.cargo/registry/src/*/outlook-pst-1.2.0/src/encode/mod.rs')[0]
text = open(src).read()
body = text[text.index('KEY_DATA: [u8; 768] = ['):]
body = body[:body.index('];')]
key = [int(x) for x in re.findall(r'\b\d+\b', body[body.index('[', 20) + 1:])]
assert len(key) == 768
enc, dec = key[:256], key[512:]

def crc(data):
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF

path = sys.argv[1]
f = bytearray(open(path, 'rb').read())
assert f[:4] == b'!BDN' and struct.unpack_from('<H', f, 10)[0] == 23
crypt = f[0x201]
assert crypt in (0, 1), crypt
bbt_ib = struct.unpack_from('<Q', f, 0xE8 + 8)[0]

leaves = []
def walk(ib):
    page = f[ib:ib + 512]
    cent, centmax, cbent, level = page[488], page[489], page[490], page[491]
    for i in range(cent):
        e = page[i * cbent:(i + 1) * cbent]
        if level == 0:
            bid, bib, cb = struct.unpack_from('<QQH', e)
            leaves.append((bid, bib, cb))
        else:
            _key, _bid, cib = struct.unpack_from('<QQQ', e)
            walk(cib)
walk(bbt_ib)

fixed = checked = 0
for bid, ib, cb in leaves:
    if bid & 2:
        continue
    raw = f[ib:ib + cb]
    trailer = ib + ((cb + 16 + 63) // 64) * 64 - 16
    tcb, _sig, tcrc = struct.unpack_from('<HHI', f, trailer)
    if tcb != cb or tcrc != crc(bytes(raw)):
        continue
    checked += 1
    data = bytearray(dec[b] for b in raw) if crypt == 1 else bytearray(raw)
    if cb < 8:
        continue
    hnpm = struct.unpack_from('<H', data, 0)[0]
    if hnpm + 4 > cb:
        continue
    calloc, cfree = struct.unpack_from('<HH', data, hnpm)
    end = hnpm + 4 + 2 * (calloc + 1)
    if end > cb:
        continue
    offs = struct.unpack_from('<%dH' % (calloc + 1), data, hnpm + 4)
    if offs[0] > hnpm or offs[0] < 2:
        continue
    if end != cb or offs[-1] > hnpm or any(b < a for a, b in zip(offs, offs[1:])):
        continue
    zeros = sum(1 for a, b in zip(offs, offs[1:]) if a == b)
    if zeros == cfree:
        continue
    struct.pack_into('<H', data, hnpm + 2, zeros)
    new = bytes(enc[b] for b in data) if crypt == 1 else bytes(data)
    f[ib:ib + cb] = new
    struct.pack_into('<I', f, trailer + 4, crc(new))
    fixed += 1

open(sys.argv[2], 'wb').write(f)
print('blocks', len(leaves), 'checked', checked, 'fixed', fixed)
