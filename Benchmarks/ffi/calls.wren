// 10^6 calls each of strlen and abs through the ffi module.
// Prints the checksums (validated by run.py) and the time per call on stderr-free stdout.
import "ffi" for Library
var libc = Library.open("libc.so.6")
var strlen = libc.function("strlen", "size_t", ["string"])
var abs = libc.function("abs", "int32", ["int32"])
var n = 1000000
var s = "hello, amber"

var t0 = System.clock
var total = 0
for (i in 0...n) total = total + strlen.call(s)
var t1 = System.clock
var sum = 0
for (i in 0...n) sum = sum + abs.call(-i)
var t2 = System.clock

// The loops alone, to subtract the interpreter's own cost.
var t3 = System.clock
var x = 0
for (i in 0...n) x = x + 12
var t4 = System.clock
for (i in 0...n) x = x + -i
var t5 = System.clock

System.print("strlen %(total)")
System.print("abs %(sum)")
System.print("time strlen %((t1 - t0) * 1e9 / n) loop %((t4 - t3) * 1e9 / n)")
System.print("time abs %((t2 - t1) * 1e9 / n) loop %((t5 - t4) * 1e9 / n)")
