class Foo {
  construct new() {}
  size { 0 }
}
var f = Foo.new()
System.print(f.size) // expect: 0
f.size = 3 // expect runtime error: Foo does not implement 'size=(_)'.
