var f = Fiber.new {
  Fiber.yield(1)
  Fiber.yield(2)
}
var states = []
states.add(f.isDone)
f.call()
states.add(f.isDone)
f.call()
states.add(f.isDone)
f.call()
states.add(f.isDone)
System.print(states) // expect: [false, false, false, true]

// A fiber that errored is done and keeps its error.
var broken = Fiber.new { null.oops }
broken.try()
System.print(broken.isDone) // expect: true
System.print(broken.error) // expect: Null does not implement 'oops'.

// Calling a finished fiber from within try reports an error.
var done = Fiber.new { "ok" }
done.call()
var probe = Fiber.new { done.call() }
System.print(probe.try()) // expect: Cannot call a finished fiber.
var probe2 = Fiber.new { broken.call() }
System.print(probe2.try()) // expect: Cannot call an aborted fiber.
