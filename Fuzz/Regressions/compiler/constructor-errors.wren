// error: A constructor cannot
class A {
  construct static new() {}
  construct x {}
  construct x=(v) {}
  construct r() { return 1 }
}
