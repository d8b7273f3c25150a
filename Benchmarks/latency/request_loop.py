"""The request loop of request_loop.wren in Python 3 (issue 16): builds N
entries, then serves 2000 requests of 500 small lists and strings each,
storing one of them into an old entry. Prints the same lines as the Wren
program; the clock is time.perf_counter. Usage: python3 request_loop.py N
"""
import sys
import time

data = []


def build(n):
    pad = "x" * 100
    for i in range(n):
        data.append([pad + str(i), i])


def ms(s):
    return round(s * 1e6) / 1e3


def serve(requests):
    print("serving", flush=True)
    clock = time.perf_counter
    times = []
    count = len(data)
    for r in range(requests):
        start = clock()
        tmp = []
        for k in range(500):
            tmp.append([k, f"req {r} {k}"])
        data[(r * 7919) % count][1] = tmp[r % 500]
        times.append(clock() - start)
    times.sort()
    print(f"requests p50 {ms(times[requests // 2])} p99 {ms(times[requests * 99 // 100])} max {ms(times[-1])} ms")
    nums = 0
    lists = 0
    for e in data:
        if isinstance(e[1], int):
            nums += e[1]
        else:
            lists += e[1][0]
    print(f"result {len(data)} {nums} {lists}")


build(int(sys.argv[1]))
serve(2000)
