# 10^6 calls each of strlen and abs through cffi in ABI mode (the twin of calls.wren).
import time
from cffi import FFI
ffi = FFI()
ffi.cdef("size_t strlen(const char *s); int abs(int j);")
libc = ffi.dlopen("libc.so.6")
strlen = libc.strlen
abs_ = libc.abs
n = 1000000
s = "hello, amber".encode()

t0 = time.perf_counter()
total = 0
for i in range(n): total = total + strlen(s)
t1 = time.perf_counter()
sum_ = 0
for i in range(n): sum_ = sum_ + abs_(-i)
t2 = time.perf_counter()
t3 = time.perf_counter()
x = 0
for i in range(n): x = x + 12
t4 = time.perf_counter()
for i in range(n): x = x + -i
t5 = time.perf_counter()
print("strlen %d" % total)
print("abs %d" % sum_)
print("time strlen %g loop %g" % ((t1 - t0) * 1e9 / n, (t4 - t3) * 1e9 / n))
print("time abs %g loop %g" % ((t2 - t1) * 1e9 / n, (t5 - t4) * 1e9 / n))
