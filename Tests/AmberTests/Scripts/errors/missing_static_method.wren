class Foo {
  construct new() {}
  instanceOnly() {}
}
Foo.instanceOnly() // expect runtime error: Foo metaclass does not implement 'instanceOnly()'.
