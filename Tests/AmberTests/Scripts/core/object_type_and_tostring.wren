class Widget {
  construct new() {}
}
var w = Widget.new()
System.print(w.type) // expect: Widget
System.print(w.type == Widget) // expect: true
System.print(w.toString) // expect: instance of Widget
System.print(w.type.type) // expect: Widget metaclass
System.print(Widget.type) // expect: Widget metaclass

System.print(1.type) // expect: Num
System.print("s".type) // expect: String
System.print(null.type) // expect: Null
System.print(true.type) // expect: Bool
System.print([].type) // expect: List
System.print({}.type) // expect: Map
System.print((1..2).type) // expect: Range
System.print(Fn.new {}.type) // expect: Fn
System.print(Fiber.new {}.type) // expect: Fiber
System.print(System.type) // expect: System metaclass
