// A small tour: classes, closures, fibers and the core library.
import "greeting" for Greeter

var greeter = Greeter.new("Amber")
System.print(greeter.greet("world"))

// Closures capture variables.
var counter = Fn.new {
  var n = 0
  return Fn.new { n = n + 1 }
}.call()
counter.call()
System.print("counted to %(counter.call())")

// Fibers are coroutines.
var squares = Fiber.new {
  for (i in 1..4) Fiber.yield(i * i)
}
var got = []
while (true) {
  var v = squares.call()
  if (squares.isDone) break
  got.add(v)
}
System.print("squares: %(got.join(", "))")

// Lazy sequences.
System.print((1..20).where {|i| i % 3 == 0 }.map {|i| i * 10 }.toList)
