// `for` over lists and ranges runs in the interpreter loop (Op.iterate,
// Op.iteratorValue); these cases must give what the natives give.
var out = []
for (i in 1..3) out.add(i)
for (i in 3..1) out.add(i)
for (i in 1...3) out.add(i)
for (i in 3...1) out.add(i)
for (i in 1...1) out.add("never")
for (i in 1..1) out.add("once %(i)")
for (i in 1.5..4) out.add(i)
for (i in -2..-4) out.add(i)
for (x in []) out.add("never")
for (x in [7]) out.add(x)
var l = [1, 2, 3, 4]
for (x in l) {
  out.add(x)
  if (x == 2) l.removeAt(0)
}
for (c in "héy") out.add(c)
class Countdown is Sequence {
  construct new(n) { _n = n }
  iterate(i) {
    if (i == null) return _n
    if (i <= 1) return false
    return i - 1
  }
  iteratorValue(i) { "c%(i)" }
}
for (x in Countdown.new(3)) out.add(x)
System.print(out.join(" ")) // expect: 1 2 3 3 2 1 1 2 3 2 once 1 1.5 2.5 3.5 -2 -3 -4 7 1 2 4 h é y c3 c2 c1
System.print([1, 2].iterate(1)) // expect: false
System.print([1, 2].iterate(-1)) // expect: false
var f = Fiber.new { [1, 2].iterate(1.5) }
System.print(f.try()) // expect: Iterator must be an integer.
f = Fiber.new { [1, 2].iteratorValue(2) }
System.print(f.try()) // expect: Iterator out of bounds.
f = Fiber.new {
  for (x in 5) {}
}
System.print(f.try()) // expect: Num does not implement 'iterate(_)'.
