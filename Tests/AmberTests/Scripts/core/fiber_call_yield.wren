var log = []
var fiber = Fiber.new {
  log.add("start")
  var got = Fiber.yield("first")
  log.add("resumed with %(got)")
  Fiber.yield()
  log.add("end")
  return "result"
}

System.print(fiber.isDone) // expect: false
System.print(fiber.call()) // expect: first
System.print(fiber.call("hello")) // expect: null
System.print(fiber.isDone) // expect: false
System.print(fiber.call()) // expect: result
System.print(fiber.isDone) // expect: true
System.print(log) // expect: [start, resumed with hello, end]

// A fiber that takes a parameter receives the value of its first call.
var adder = Fiber.new {|n| n + 1 }
System.print(adder.call(41)) // expect: 42

// A fiber whose function ends without return gives null.
System.print(Fiber.new { 1 + 1 }.call()) // expect: 2
var silent = Fiber.new {
  var x = 1
}
System.print(silent.call()) // expect: null
