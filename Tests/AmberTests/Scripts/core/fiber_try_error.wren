var bad = Fiber.new {
  System.print("before")
  123.noSuchMethod
  System.print("not reached")
}
var error = bad.try()
// expect: before
System.print(error) // expect: Num does not implement 'noSuchMethod'.
System.print(bad.error) // expect: Num does not implement 'noSuchMethod'.
System.print(bad.isDone) // expect: true

var good = Fiber.new { "fine" }
System.print(good.try()) // expect: fine
System.print(good.error) // expect: null

// try(value) passes the value in.
var withArg = Fiber.new {|v| v.missing() }
System.print(withArg.try("str")) // expect: String does not implement 'missing()'.

// Errors from nested calls inside the fiber are caught as well.
class Deep {
  static go(n) {
    if (n == 0) return Fiber.abort("bottom reached")
    return go(n - 1)
  }
}
var deep = Fiber.new { Deep.go(10) }
System.print(deep.try()) // expect: bottom reached
