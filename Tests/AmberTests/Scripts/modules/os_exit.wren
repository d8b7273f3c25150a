// Process.exit ends the whole run, even from inside a fiber that catches errors.
import "os" for Process

System.print("before") // expect: before
var fiber = Fiber.new {
  System.print("in fiber") // expect: in fiber
  Process.exit(0)
  System.print("not reached in fiber")
}
fiber.try()
System.print("not reached after fiber")
