// Calling with the wrong number of arguments names the full signature.
class Foo {
  construct new() {}
  take(a) { a }
}
System.print(Foo.new().take(1)) // expect: 1
Foo.new().take(1, 2) // expect runtime error: Foo does not implement 'take(_,_)'.
