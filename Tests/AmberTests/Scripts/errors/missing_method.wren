class Foo {
  construct new() {}
  baz() { "baz" }
}
var foo = Foo.new()
System.print(foo.baz()) // expect: baz
foo.bar() // expect runtime error: Foo does not implement 'bar()'.
System.print("not reached")
