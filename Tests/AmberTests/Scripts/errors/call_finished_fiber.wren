var f = Fiber.new { "once" }
System.print(f.call()) // expect: once
f.call() // expect runtime error: Cannot call a finished fiber.
