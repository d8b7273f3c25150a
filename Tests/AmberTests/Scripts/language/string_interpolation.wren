var name = "world"
var n = 6
System.print("hello %(name)") // expect: hello world
System.print("%(n) * 7 = %(n * 7)") // expect: 6 * 7 = 42
System.print("%(1)%(2)%(3)") // expect: 123
System.print("list: %([1, 2])") // expect: list: [1, 2]
System.print("nested %("inner %(n + 1)") end") // expect: nested inner 7 end
System.print("call %(name.count > 3 ? "long" : "short")") // expect: call long
System.print("null: %(null), bool: %(true)") // expect: null: null, bool: true

class Thing {
  construct new() {}
  toString { "a thing" }
}
System.print("object: %(Thing.new())") // expect: object: a thing
System.print("percent alone: 100\%") // expect: percent alone: 100%
