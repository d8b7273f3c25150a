var x = "module"
{
  var x = "block"
  System.print(x) // expect: block
  {
    var x = "inner"
    System.print(x) // expect: inner
  }
  System.print(x) // expect: block
}
System.print(x) // expect: module

// A declared but uninitialized variable holds null.
var empty
System.print(empty) // expect: null

// Assignment is an expression that yields the assigned value.
var a
var b = a = 5
System.print([a, b]) // expect: [5, 5]

// Function parameters shadow module variables.
var f = Fn.new {|x| x + "!" }
System.print(f.call("param")) // expect: param!
System.print(x) // expect: module
