// Defining a class with instance methods and calling them.
class Greeter {
  construct new(name) {
    _name = name
  }

  greet() { "Hello, %(_name)!" }
  greet(other) { "%(_name) greets %(other)." }
  name { _name }
}

var g = Greeter.new("Amber")
System.print(g.greet()) // expect: Hello, Amber!
System.print(g.greet("Wren")) // expect: Amber greets Wren.
System.print(g.name) // expect: Amber
System.print(g is Greeter) // expect: true
System.print(Greeter.name) // expect: Greeter
