// The error is reported for the line where it was raised, inside the method.
class Validator {
  static check(n) {
    if (n < 0) {
      Fiber.abort("Negative value: %(n)") // expect runtime error: Negative value: -5
    }
    return n
  }
}
System.print(Validator.check(5)) // expect: 5
Validator.check(-5)
