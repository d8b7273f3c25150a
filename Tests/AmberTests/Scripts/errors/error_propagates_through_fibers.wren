// An error in a fiber started with call() is not caught and ends the script.
var inner = Fiber.new {
  System.print("inner runs") // expect: inner runs
  var x = [][0] // expect runtime error: Subscript out of bounds.
}
inner.call()
System.print("not reached")
