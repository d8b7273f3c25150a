class MathUtil {
  static square(n) { n * n }
  static sum(a, b) { a + b }
  static describe { "a utility class" }
  static twiceSquare(n) { 2 * square(n) }
}

System.print(MathUtil.square(9)) // expect: 81
System.print(MathUtil.sum(2, 40)) // expect: 42
System.print(MathUtil.describe) // expect: a utility class
System.print(MathUtil.twiceSquare(3)) // expect: 18

// Static and instance methods with the same name don't clash.
class Both {
  construct new() {}
  static who { "static" }
  who { "instance" }
}
System.print(Both.who) // expect: static
System.print(Both.new().who) // expect: instance
