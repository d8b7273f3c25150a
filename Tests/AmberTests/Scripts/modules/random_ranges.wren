// Results stay in their documented ranges, for seeded and unseeded generators.
import "random" for Random

var check = Fn.new {|random|
  var ok = true
  for (i in 1..2000) {
    var f = random.float()
    if (f < 0 || f >= 1) ok = false
    var g = random.float(-3, 7)
    if (g < -3 || g >= 7) ok = false
    var h = random.float(0.5)
    if (h < 0 || h >= 0.5) ok = false
    var n = random.int()
    if (!n.isInteger || n < 0 || n >= 4294967296) ok = false
    var m = random.int(6)
    if (!m.isInteger || m < 0 || m > 5) ok = false
    var k = random.int(-2, 3)
    if (!k.isInteger || k < -2 || k > 2) ok = false
  }
  return ok
}

System.print(check.call(Random.new())) // expect: true
System.print(check.call(Random.new(31337))) // expect: true
System.print(check.call(Random.new([1, 2, 3, 4]))) // expect: true

// Every value of a small range shows up.
var seen = List.filled(6, false)
var d = Random.new(5)
for (i in 1..600) seen[d.int(1, 7) - 1] = true
System.print(seen) // expect: [true, true, true, true, true, true]

// shuffle keeps the elements, only their order changes.
var list = (1..20).toList
Random.new(8).shuffle(list)
var sorted = list.toList
sorted.sort()
System.print(sorted == (1..20).toList || sorted.toString == (1..20).toList.toString) // expect: true
System.print(list.toString != (1..20).toList.toString) // expect: true

// Sampling the whole list is a permutation; samples never repeat an element.
var e = Random.new(6)
var all = e.sample(list, list.count)
all.sort()
System.print(all.toString == (1..20).toList.toString) // expect: true
var distinct = true
for (i in 1..200) {
  var picks = e.sample(list, 5)
  var marks = {}
  for (p in picks) {
    if (marks.containsKey(p)) distinct = false
    marks[p] = true
  }
}
System.print(distinct) // expect: true
System.print(e.sample([], 0)) // expect: []
System.print(e.sample(["only"], 1)) // expect: [only]
System.print(e.sample(["only"])) // expect: only

// Shuffling an empty or one-element list is fine.
var empty = []
e.shuffle(empty)
System.print(empty) // expect: []
var one = ["x"]
e.shuffle(one)
System.print(one) // expect: [x]
