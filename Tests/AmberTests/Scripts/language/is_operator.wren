class Shape {}
class Circle is Shape {
  construct new() {}
}

var c = Circle.new()
System.print(c is Circle) // expect: true
System.print(c is Shape) // expect: true
System.print(c is Object) // expect: true
System.print(c is String) // expect: false

System.print(1 is Num) // expect: true
System.print("s" is String) // expect: true
System.print("s" is Sequence) // expect: true
System.print([] is List) // expect: true
System.print([] is Sequence) // expect: true
System.print({} is Map) // expect: true
System.print((1..2) is Range) // expect: true
System.print(null is Null) // expect: true
System.print(true is Bool) // expect: true
System.print(Fn.new {} is Fn) // expect: true
System.print(Circle is Class) // expect: true
System.print(Num is Object) // expect: true
System.print(null is Object) // expect: true
