// Deep (but finite) recursion must work: Wren's call stack lives on the
// heap and grows as needed.
class Deep {
  static down(n) {
    if (n == 0) return 0
    return down(n - 1) + 1
  }
}
System.print(Deep.down(20000)) // expect: 20000

var count
count = Fn.new {|n| n == 0 ? "bottom" : count.call(n - 1) }
System.print(count.call(20000)) // expect: bottom

// Deep recursion inside a fiber too.
var fiber = Fiber.new { Deep.down(20000) }
System.print(fiber.call()) // expect: 20000
