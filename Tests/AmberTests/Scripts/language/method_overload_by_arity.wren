// Methods with the same name but different arity are distinct.
class Overloads {
  construct new() {}
  call { "getter" }
  call() { "zero" }
  call(a) { "one %(a)" }
  call(a, b) { "two %(a) %(b)" }
  call(a, b, c) { "three %(a) %(b) %(c)" }
}

var o = Overloads.new()
System.print(o.call) // expect: getter
System.print(o.call()) // expect: zero
System.print(o.call(1)) // expect: one 1
System.print(o.call(1, 2)) // expect: two 1 2
System.print(o.call(1, 2, 3)) // expect: three 1 2 3

// Constructors overload by arity as well.
class Pair {
  construct new() {
    _a = "none"
    _b = "none"
  }
  construct new(a) {
    _a = a
    _b = "none"
  }
  construct new(a, b) {
    _a = a
    _b = b
  }
  toString { "%(_a)/%(_b)" }
}
System.print(Pair.new()) // expect: none/none
System.print(Pair.new(1)) // expect: 1/none
System.print(Pair.new(1, 2)) // expect: 1/2
