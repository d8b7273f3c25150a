// What the loop does without a call or a frame: == and != and ! on values,
// beside classes that define their own; one-field getters and setters.
class Plain {
  construct new() {}
}
class Always {
  construct new() {}
  ==(other) { true }
  !=(other) { false }
}
class Negated {
  construct new() {}
  ! { "negated" }
}
class Child is Always {
  construct new() {}
}
var p = Plain.new()
var q = Plain.new()
System.print(p == p) // expect: true
System.print(p == q) // expect: false
System.print(p != q) // expect: true
System.print(p == null) // expect: false
System.print(null == null) // expect: true
System.print(null != p) // expect: true
System.print(true == true) // expect: true
System.print(false == null) // expect: false
System.print((1..3) == (1..3)) // expect: true
System.print((1..3) != (1...3)) // expect: true
System.print(Plain == Plain) // expect: true
System.print(Plain == Always) // expect: false
System.print(Always.new() == 5) // expect: true
System.print(Always.new() != p) // expect: false
System.print(Child.new() == null) // expect: true
System.print(Fn.new {} == Fn.new {}) // expect: false
System.print(!true) // expect: false
System.print(!false) // expect: true
System.print(!null) // expect: true
System.print(!0) // expect: false
System.print(!"") // expect: false
System.print(!p) // expect: false
System.print(!Negated.new()) // expect: negated
System.print(!!Negated.new()) // expect: false

// Getters and setters whose body is one field run without a frame; with
// fields of a superclass before their own, and as methods of other shapes.
class Point {
  construct new(x, y) {
    _x = x
    _y = y
  }
  x { _x }
  y { _y }
  x=(v) { _x = v }
  setY(a, b) { _y = a }
}
class Point3 is Point {
  construct new(x, y, z) {
    super(x, y)
    _z = z
  }
  z { _z }
  z=(v) { _z = v }
}
var pt = Point3.new(1, 2, 3)
System.print([pt.x, pt.y, pt.z]) // expect: [1, 2, 3]
System.print(pt.z = 30) // expect: 30
System.print(pt.x = 10) // expect: 10
System.print(pt.setY(20, 99)) // expect: 20
System.print([pt.x, pt.y, pt.z]) // expect: [10, 20, 30]
