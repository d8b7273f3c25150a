class Foo {
  construct new() {}
}
Foo.new().size // expect runtime error: Foo does not implement 'size'.
