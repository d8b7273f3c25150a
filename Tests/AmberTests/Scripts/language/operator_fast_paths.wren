// == and != and ! on values the loop handles without a call, beside classes
// that define their own.
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
