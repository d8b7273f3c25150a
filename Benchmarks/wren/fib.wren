// Recursive Fibonacci: measures plain method calls on a class (static
// methods), argument passing, number comparison and arithmetic.

class Fib {
  static of(n) {
    if (n < 2) return n
    return of(n - 1) + of(n - 2)
  }
}

var total = 0
for (round in 1..12) {
  var value = Fib.of(28)
  total = total + value
  if (round == 1) System.print("fib(28) = %(value)")
}
System.print("total after 12 rounds: %(total)")
