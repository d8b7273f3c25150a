var f = Fiber.new { Fiber.abort("custom message") }
System.print(f.try()) // expect: custom message
System.print(f.error) // expect: custom message

// The error value does not have to be a string.
var g = Fiber.new { Fiber.abort([1, 2]) }
var e = g.try()
System.print(e) // expect: [1, 2]
System.print(e is List) // expect: true

var n = Fiber.new { Fiber.abort(404) }
System.print(n.try() + 1) // expect: 405

// Aborting with null does nothing.
var nothing = Fiber.new {
  Fiber.abort(null)
  return "kept going"
}
System.print(nothing.try()) // expect: kept going
System.print(nothing.error) // expect: null
