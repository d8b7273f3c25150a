class Math {
  static fib(n) {
    if (n < 2) return n
    return fib(n - 1) + fib(n - 2)
  }
  static fact(n) { n <= 1 ? 1 : n * fact(n - 1) }
}

System.print(Math.fib(20)) // expect: 6765
System.print(Math.fact(10)) // expect: 3628800

// A recursive function stored in a module variable.
var countdown
countdown = Fn.new {|n|
  if (n == 0) return "liftoff"
  return countdown.call(n - 1)
}
System.print(countdown.call(500)) // expect: liftoff

// Mutual recursion between methods.
class Parity {
  static isEven(n) { n == 0 ? true : isOdd(n - 1) }
  static isOdd(n) { n == 0 ? false : isEven(n - 1) }
}
System.print(Parity.isEven(10)) // expect: true
System.print(Parity.isOdd(7)) // expect: true
