// A base class calling a method that only subclasses are expected to define.
class Shape {
  describe() { "area is %(area)" } // expect runtime error: Square does not implement 'area'.
}
class Circle is Shape {
  construct new() {}
  area { 3 }
}
class Square is Shape {
  construct new() {}
}
System.print(Circle.new().describe()) // expect: area is 3
Square.new().describe()
