class Foo {
  construct new() {}
}
System.print("start") // expect: start
var x = Foo.new() + 1 // expect runtime error: Foo does not implement '+(_)'.
