// error: already defines
class A {
  m() {}
  m() {}
  static n {}
  static n {}
}
