class Thing {
  construct new() {}
}
var a = Thing.new()
var b = Thing.new()
System.print(a == a) // expect: true
System.print(a == b) // expect: false
System.print(a != b) // expect: true
System.print(Object.same(a, a)) // expect: true
System.print(Object.same(a, b)) // expect: false

// Value types compare by value.
System.print(1 == 1.0) // expect: true
System.print("ab" + "c" == "abc") // expect: true
System.print((1..3) == (1..3)) // expect: true
System.print((1..3) == (1...3)) // expect: false
System.print(null == false) // expect: false
System.print(1 == "1") // expect: false

// Lists and maps compare by identity.
System.print([1, 2] == [1, 2]) // expect: false
var l = [1]
System.print(l == l) // expect: true

// Object.same ignores user-defined ==.
class AlwaysEqual {
  construct new() {}
  ==(other) { true }
}
var x = AlwaysEqual.new()
var y = AlwaysEqual.new()
System.print(x == y) // expect: true
System.print(Object.same(x, y)) // expect: false
