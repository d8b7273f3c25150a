// A seeded Random gives the same numbers as Wren's CLI on Linux.
import "random" for Random

var r = Random.new(2024)
System.print(r.int()) // expect: 2229437520
System.print(r.int()) // expect: 3813484324
System.print(r.float()) // expect: 0.16025086380305
System.print(r.int(100)) // expect: 10
System.print(r.int(-5, 5)) // expect: -2
System.print(r.float(10)) // expect: 2.7597553421405
System.print(r.float(-1, 1)) // expect: 0.79617064536584

// Two generators with the same seed agree, step by step.
var a = Random.new(77)
var b = Random.new(77)
var same = true
for (i in 1..200) if (a.float() != b.float()) same = false
System.print(same) // expect: true

// Seeds are truncated like a C cast to a 32-bit unsigned number.
System.print(Random.new(3.99).int() == Random.new(3).int()) // expect: true
System.print(Random.new(-1).int() == Random.new(4294967295).int()) // expect: true
System.print(Random.new(4294967296 + 8).int() == Random.new(8).int()) // expect: true

// Seed 0 behaves like seed 1, as C's srand does.
System.print(Random.new(0).int() == Random.new(1).int()) // expect: true

// A sequence seed: short ones repeat to fill 16 words.
var s = Random.new([5, 6, 7])
System.print(s.int()) // expect: 1347158036
System.print(s.int()) // expect: 2047082524
System.print(Random.new(5..7).int() == Random.new([5, 6, 7]).int()) // expect: true
System.print(Random.new([5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5]).int() == Random.new([5, 6, 7]).int()) // expect: true

// Elements after the sixteenth are ignored (and not even checked).
var long = (1..16).toList + ["ignored"]
System.print(Random.new(long).int() == Random.new(1..16).int()) // expect: true

// Different seeds give different streams.
System.print(Random.new(1).int() != Random.new(2).int()) // expect: true

// shuffle and sample draw from the same stream.
var list = (1..10).toList
var g = Random.new(99)
g.shuffle(list)
System.print(list) // expect: [8, 2, 6, 9, 1, 4, 10, 5, 3, 7]
System.print(g.sample(list)) // expect: 7
System.print(g.sample(list, 4)) // expect: [9, 5, 3, 2]
System.print(g.sample((0...100).toList, 3)) // expect: [66, 19, 92]

// Any object with count and subscripts can be sampled and shuffled, with the
// same draws as a List.
class Row {
  construct new(items) { _items = items }
  count { _items.count }
  isEmpty { _items.isEmpty }
  [index] { _items[index] }
  [index]=(value) { _items[index] = value }
  toString { _items.toString }
}
var p = Random.new(4)
var q = Random.new(4)
System.print(p.sample((1..30).toList, 6).toString == q.sample(Row.new((1..30).toList), 6).toString) // expect: true
System.print(p.sample((1..8).toList, 7).toString == q.sample(Row.new((1..8).toList), 7).toString) // expect: true
var plain = (1..12).toList
var row = Row.new((1..12).toList)
p.shuffle(plain)
q.shuffle(row)
System.print(plain.toString == row.toString) // expect: true
System.print(row) // expect: [2, 12, 3, 10, 1, 6, 8, 5, 11, 9, 4, 7]
System.print(p.int() == q.int()) // expect: true
