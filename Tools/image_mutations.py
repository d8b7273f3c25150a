#!/usr/bin/env python3
"""How crafted images end: N random heap-word changes with every checksum
recomputed (as an attacker with write access would), each restored by the
`amber` launcher; counts how many reach the fatal-signal guard.

    Tools/image_mutations.py [--count 2000] [--verify header|full] [--amber .build/debug/amber]
                             [--key KEYFILE [--header-as-signed]] [--seed N] [--jobs 2]

With --key the image is written and restored with that key (a private file);
--header-as-signed leaves the signed header as it was (only the heap changes,
its checksum not recomputed), so the chunk digests, not the signature, find
each change.

Outcomes: ran (exit 0 or 70), refused (exit 74, an ImageError), guard (exit 74
from CorruptImageGuard: a crash caught), signal (killed by a signal), hang
(over the time limit), other (any other status). The goal is guard + signal
+ hang <= 1% (issue 19). The mutations are those of
Tests/AmberTests/CraftedImageTests.swift (one bit, any word, a nearby offset,
a small number). Writes only under a temporary directory.
"""
import argparse, os, random, struct, subprocess, sys, tempfile, collections
from concurrent.futures import ThreadPoolExecutor

SCRIPT = '''import "snapshot" for Snapshot
class Shape {
  construct new(name, sides) {
    _name = name
    _sides = sides
  }
  describe { "%(_name) has %(_sides) sides" }
}
var Shapes = [Shape.new("triangle", 3), Shape.new("square", 4)]
var Table = {"a": 1, "b": [1, 2, 3], 3: "three"}
var Counter = Fn.new {|n| n + Table.count }
var Worker = Fiber.new {|x|
  while (true) x = Fiber.yield(x * 2)
}
Worker.call(1)
class Main {
  static ready() {
    for (s in Shapes) System.print(s.describe)
    System.print(Counter.call(Worker.call(20)))
    System.print(Table["b"].map {|x| x * x }.toList)
  }
}
Main.ready()
'''
M = (1 << 64) - 1

def checksum(b):
    """ImageFormat.checksum (HeapChecksum in Sources/AmberVM/Image/ImageFormat.swift)."""
    a, c = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
    n = len(b)
    whole = n & ~15
    words = struct.unpack_from('<%dQ' % (whole // 8), b, 0)
    for i in range(0, len(words), 2):
        a = (((a ^ words[i]) * 0x1000000001B3) + (a >> 29)) & M
        c = (((c ^ words[i + 1]) * 0x9FB21C651E98DF25) + (c >> 31)) & M
    for i in range(whole, n):
        a = ((a ^ b[i]) * 0x1000000001B3) & M
    return (a ^ ((c * 0xFF51AFD7ED558CCD) & M) ^ n) & M

def header_field(h, name):
    return struct.unpack_from('<Q', h, OFFSETS[name])[0]

# Offsets of the header fields this tool touches (ImageHeader.swift's diagram).
OFFSETS = {'heapOffset': 64, 'heapBytes': 72, 'heapChecksum': 96}

def reseal(d, header_checksum_at):
    ho, hb = header_field(d, 'heapOffset'), header_field(d, 'heapBytes')
    struct.pack_into('<Q', d, OFFSETS['heapChecksum'], checksum(bytes(d[ho:ho + hb])))
    struct.pack_into('<Q', d, header_checksum_at, checksum(bytes(d[0:header_checksum_at])))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--count', type=int, default=2000)
    p.add_argument('--verify', default='header')
    p.add_argument('--amber', default='.build/debug/amber')
    p.add_argument('--seed', type=int, default=0xA4B32024)
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--timeout', type=float, default=20)
    p.add_argument('--checksum-at', type=int, default=184, help='header checksum offset (ImageHeader.checksumOffset)')
    p.add_argument('--show', type=int, default=10, help='print this many guard/signal/hang cases')
    p.add_argument('--keep', help='copy the images that reached the guard (or worse) into this directory')
    p.add_argument('--key', help='sign the image with this key file and restore with it')
    p.add_argument('--header-as-signed', action='store_true', help='with --key: change heap words only')
    args = p.parse_args()
    amber = os.path.abspath(args.amber)
    d = tempfile.mkdtemp(prefix='amber-mutations-')
    with open(os.path.join(d, 'main.wren'), 'w') as f:
        f.write(SCRIPT)
    key = ',key=' + os.path.abspath(args.key) if args.key else ''
    r = subprocess.run([amber, '-snapshot:file=base.img,trigger=Main.ready,exit' + key, 'main.wren'], cwd=d,
                       capture_output=True)
    if r.returncode != 0:
        sys.exit('snapshot failed: %r' % r.stderr)
    base = bytearray(open(os.path.join(d, 'base.img'), 'rb').read())
    ho, hb = header_field(base, 'heapOffset'), header_field(base, 'heapBytes')
    rng = random.Random(args.seed)
    cases = []
    for n in range(args.count):
        at = ho + rng.randrange(hb // 8) * 8
        old = struct.unpack_from('<Q', base, at)[0]
        k = n % 4
        if k == 0: new = old ^ (1 << rng.randrange(64))
        elif k == 1: new = rng.getrandbits(64)
        elif k == 2: new = (old + rng.randint(1, 64) * 8) & M
        else: new = rng.getrandbits(32)
        cases.append((n, at - ho, old, new))

    def run(case):
        n, off, old, new = case
        data = bytearray(base)
        struct.pack_into('<Q', data, ho + off, new)
        if not args.header_as_signed:
            reseal(data, args.checksum_at)
        path = os.path.join(d, 'm%d.img' % n)
        with open(path, 'wb') as f:
            f.write(data)
        opt = '-restore:file=%s%s%s' % (path, ',verify=full' if args.verify == 'full' else '', key)
        try:
            r = subprocess.run([amber, opt], cwd=d, capture_output=True, timeout=args.timeout)
            err = r.stderr.decode('utf8', 'replace')
            if r.returncode < 0: kind = 'signal'
            elif r.returncode == 74 and ('a fatal signal' in err or 'SIGBUS' in err): kind = 'guard'
            elif r.returncode == 74: kind = 'refused'
            elif r.returncode in (0, 70): kind = 'ran'
            else: kind = 'other'
        except subprocess.TimeoutExpired:
            kind, err = 'hang', ''
        if args.keep and kind in ('guard', 'signal', 'hang', 'other'):
            os.makedirs(args.keep, exist_ok=True)
            os.replace(path, os.path.join(args.keep, '%s-%d.img' % (kind, n)))
        else:
            os.unlink(path)
        return case, kind, err

    counts = collections.Counter()
    bad = []
    with ThreadPoolExecutor(args.jobs) as ex:
        for case, kind, err in ex.map(run, cases):
            counts[kind] += 1
            if kind in ('guard', 'signal', 'hang', 'other'):
                bad.append((case, kind, err))
    total = args.count
    crashes = counts['guard'] + counts['signal'] + counts['hang'] + counts['other']
    print('verify=%s, %d heap-word changes: %s' % (args.verify, total, dict(sorted(counts.items()))))
    print('reached the guard or worse: %d (%.2f%%)' % (crashes, 100.0 * crashes / total))
    for (n, off, old, new), kind, err in bad[:args.show]:
        print('  #%d heap word %d: %x -> %x: %s %s' % (n, off, old, new, kind, err.strip()[:200]))

if __name__ == '__main__':
    main()
