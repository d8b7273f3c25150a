// Closures capture variables from several enclosing levels.
var outer = Fn.new {|a|
  return Fn.new {|b|
    return Fn.new {|c|
      return a + b + c
    }
  }
}
System.print(outer.call("x").call("y").call("z")) // expect: xyz

// A closure in a method captures both method locals and parameters.
class Adder {
  construct new(base) { _base = base }
  makeAdder(extra) {
    var local = 100
    return Fn.new {|n| _base + extra + local + n }
  }
}
var add = Adder.new(1).makeAdder(10)
System.print(add.call(1000)) // expect: 1111
