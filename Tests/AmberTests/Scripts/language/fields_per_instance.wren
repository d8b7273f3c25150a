class Counter {
  construct new() { _count = 0 }
  increment() {
    _count = _count + 1
    return this
  }
  count { _count }
}

var a = Counter.new()
var b = Counter.new()
a.increment().increment().increment()
b.increment()
System.print(a.count) // expect: 3
System.print(b.count) // expect: 1

// A field that was never assigned is null.
class Lazy {
  construct new() {}
  peek { _unset }
  fill() { _unset = "filled" }
}
var l = Lazy.new()
System.print(l.peek) // expect: null
l.fill()
System.print(l.peek) // expect: filled
