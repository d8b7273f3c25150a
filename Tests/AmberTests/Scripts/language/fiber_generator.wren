// Using a fiber as a generator of values.
var squares = Fiber.new {
  for (i in 1..4) Fiber.yield(i * i)
}

var results = []
while (true) {
  var value = squares.call()
  if (squares.isDone) break
  results.add(value)
}
System.print(results) // expect: [1, 4, 9, 16]

// Values can also be passed into a fiber through call(value).
var echo = Fiber.new {|first|
  System.print("got %(first)")
  var second = Fiber.yield("ack1")
  System.print("got %(second)")
  return "done"
}
System.print(echo.call("a")) // expect: got a
// expect: ack1
System.print(echo.call("b")) // expect: got b
// expect: done
