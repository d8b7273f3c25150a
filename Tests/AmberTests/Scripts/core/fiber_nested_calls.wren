// yield returns control to whichever fiber called this one.
var inner = Fiber.new {
  System.print("inner 1")
  Fiber.yield()
  System.print("inner 2")
}
var outer = Fiber.new {
  System.print("outer 1")
  inner.call()
  System.print("outer 2")
  Fiber.yield()
  inner.call()
  System.print("outer 3")
}

outer.call()
// expect: outer 1
// expect: inner 1
// expect: outer 2
System.print("main") // expect: main
outer.call()
// expect: inner 2
// expect: outer 3
System.print(inner.isDone && outer.isDone) // expect: true

// Fiber.current identifies the running fiber.
var main = Fiber.current
var check = Fiber.new { Fiber.current != main }
System.print(check.call()) // expect: true
System.print(Fiber.current == main) // expect: true
