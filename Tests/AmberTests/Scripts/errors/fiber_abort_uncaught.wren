System.print("before") // expect: before
Fiber.abort("Something bad happened.") // expect runtime error: Something bad happened.
System.print("after")
