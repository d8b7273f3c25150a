// && and || return one of their operands, not necessarily a Bool.
System.print(1 && 2) // expect: 2
System.print(null && 2) // expect: null
System.print(false || "fallback") // expect: fallback
System.print("first" || "second") // expect: first
System.print(false && true) // expect: false
System.print(null || false) // expect: false

// They short-circuit.
var calls = []
var t = Fn.new {|tag|
  calls.add(tag)
  return true
}
var f = Fn.new {|tag|
  calls.add(tag)
  return false
}
f.call("a") && t.call("b")
t.call("c") || t.call("d")
f.call("e") || t.call("g")
System.print(calls) // expect: [a, c, e, g]

// ! on values.
System.print(!true) // expect: false
System.print(!null) // expect: true
System.print(!0) // expect: false
System.print(!!"x") // expect: true
