var main = Fiber.current
var log = []

var ping
var pong = Fiber.new {|v|
  log.add("pong got %(v)")
  var back = ping.transfer("to ping")
  log.add("pong got %(back)")
  main.transfer("done")
}
ping = Fiber.new {|v|
  log.add("ping got %(v)")
  var again = pong.transfer("from ping")
  log.add("ping got %(again)")
  pong.transfer("last")
}

var result = ping.transfer("start")
System.print(result) // expect: done
System.print(log.join("; ")) // expect: ping got start; pong got from ping; ping got to ping; pong got last
