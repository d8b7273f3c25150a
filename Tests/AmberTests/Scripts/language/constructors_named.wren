// A class may have several named constructors.
class Point {
  construct new(x, y) {
    _x = x
    _y = y
  }

  construct origin() {
    _x = 0
    _y = 0
  }

  construct diagonal(n) {
    _x = n
    _y = n
  }

  toString { "(%(_x), %(_y))" }
}

System.print(Point.new(3, 4)) // expect: (3, 4)
System.print(Point.origin()) // expect: (0, 0)
System.print(Point.diagonal(7)) // expect: (7, 7)

// A constructor returns the new instance even if its body returns early.
class Early {
  construct make(flag) {
    _v = "set"
    if (flag) return
    _v = "overwritten"
  }
  v { _v }
}
System.print(Early.make(true).v) // expect: set
System.print(Early.make(false).v) // expect: overwritten
