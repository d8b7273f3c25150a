// Fibers: creates many fibers, starts each with call(), resumes it through
// several Fiber.yield() round trips passing values both ways, and lets it
// finish. Measures fiber creation, switching and value passing.

var fiberCount = 200000
var total = 0
var finished = 0

for (i in 1..fiberCount) {
  var fiber = Fiber.new {|start|
    var acc = start
    for (step in 1..5) {
      // Hand the running total out, get an increment back.
      acc = acc + Fiber.yield(acc)
    }
    return acc
  }
  var value = fiber.call(i)
  while (!fiber.isDone) {
    total = total + value
    value = fiber.call(1)
  }
  total = total + value
  finished = finished + 1
}
System.print("fibers: %(finished), total: %(total)")

// A long-lived generator fiber resumed many times.
var counter = Fiber.new {
  var n = 0
  while (true) {
    n = n + 1
    Fiber.yield(n)
  }
}
var last = 0
for (i in 1..2000000) last = counter.call()
System.print("generator reached: %(last)")
