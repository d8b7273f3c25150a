class Temperature {
  construct celsius(c) { _c = c }

  celsius { _c }
  celsius=(value) { _c = value }

  fahrenheit { _c * 9 / 5 + 32 }
  fahrenheit=(value) { _c = (value - 32) * 5 / 9 }
}

var t = Temperature.celsius(100)
System.print(t.fahrenheit) // expect: 212
t.fahrenheit = 32
System.print(t.celsius) // expect: 0
t.celsius = 37
System.print(t.fahrenheit) // expect: 98.6

// An assignment to a setter is an expression whose value is the setter's result.
class Box {
  construct new() {}
  value=(v) {
    _v = v
    return "stored"
  }
}
var b = Box.new()
System.print(b.value = 5) // expect: stored
