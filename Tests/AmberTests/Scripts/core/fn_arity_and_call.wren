var zero = Fn.new { "zero" }
var one = Fn.new {|a| "one %(a)" }
var three = Fn.new {|a, b, c| [a, b, c] }

System.print(zero.arity) // expect: 0
System.print(one.arity) // expect: 1
System.print(three.arity) // expect: 3

System.print(zero.call()) // expect: zero
System.print(one.call("x")) // expect: one x
System.print(three.call(1, 2, 3)) // expect: [1, 2, 3]

// Extra arguments are ignored.
System.print(zero.call(1, 2)) // expect: zero
System.print(one.call("y", "ignored")) // expect: one y

// Functions are first-class values.
var apply = Fn.new {|f, x| f.call(x) }
System.print(apply.call(one, 5)) // expect: one 5
System.print(zero is Fn) // expect: true
System.print(zero == zero) // expect: true
System.print(Fn.new { 1 } == Fn.new { 1 }) // expect: false
System.print(Fn.new(one) == one) // expect: true
System.print(zero.toString) // expect: <fn>
