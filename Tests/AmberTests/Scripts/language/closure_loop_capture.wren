// Each iteration of a for loop gets a fresh loop variable.
var fns = []
for (i in 1..3) {
  fns.add(Fn.new { i * 10 })
}
for (f in fns) System.print(f.call())
// expect: 10
// expect: 20
// expect: 30

// A variable declared inside a while body is fresh per iteration too.
var more = []
var n = 0
while (n < 3) {
  var local = "v%(n)"
  more.add(Fn.new { local })
  n = n + 1
}
System.print(more.map {|f| f.call() }.toList) // expect: [v0, v1, v2]
