class Vec {
  construct new(x, y) {
    _x = x
    _y = y
  }
  x { _x }
  y { _y }

  +(other) { Vec.new(_x + other.x, _y + other.y) }
  -(other) { Vec.new(_x - other.x, _y - other.y) }
  *(k) { Vec.new(_x * k, _y * k) }
  - { Vec.new(-_x, -_y) }
  ==(other) { other is Vec && _x == other.x && _y == other.y }
  !=(other) { !(this == other) }
  <(other) { _x * _x + _y * _y < other.x * other.x + other.y * other.y }
  ! { _x == 0 && _y == 0 }
  ~ { Vec.new(_y, _x) }
  %(n) { "mod %(n)" }

  toString { "Vec(%(_x), %(_y))" }
}

var a = Vec.new(1, 2)
var b = Vec.new(3, 5)
System.print(a + b) // expect: Vec(4, 7)
System.print(b - a) // expect: Vec(2, 3)
System.print(a * 3) // expect: Vec(3, 6)
System.print(-a) // expect: Vec(-1, -2)
System.print(a == Vec.new(1, 2)) // expect: true
System.print(a != b) // expect: true
System.print(a < b) // expect: true
System.print(!a) // expect: false
System.print(!Vec.new(0, 0)) // expect: true
System.print(~b) // expect: Vec(5, 3)
System.print(a % 4) // expect: mod 4
