class Registry {
  static register(name) {
    if (__names == null) __names = []
    __names.add(name)
  }
  static names { __names }
  static count { __names == null ? 0 : __names.count }
}

System.print(Registry.count) // expect: 0
Registry.register("alpha")
Registry.register("beta")
System.print(Registry.count) // expect: 2
System.print(Registry.names) // expect: [alpha, beta]

// Static fields are shared by instance methods too.
class Ticket {
  construct new() {
    if (__next == null) __next = 1
    _id = __next
    __next = __next + 1
  }
  id { _id }
}
var t1 = Ticket.new()
var t2 = Ticket.new()
var t3 = Ticket.new()
System.print([t1.id, t2.id, t3.id]) // expect: [1, 2, 3]
