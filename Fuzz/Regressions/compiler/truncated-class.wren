// error: Expect
class A is B {
  construct new(