var m = {"a": 1, "b": 2, "c": null}
System.print(m.containsKey("a")) // expect: true
System.print(m.containsKey("z")) // expect: false
// A key mapped to null is still contained.
System.print(m.containsKey("c")) // expect: true
System.print(m["c"]) // expect: null

System.print(m.remove("a")) // expect: 1
System.print(m.containsKey("a")) // expect: false
System.print(m.remove("a")) // expect: null
System.print(m.count) // expect: 2

m.clear()
System.print(m.count) // expect: 0
System.print(m.containsKey("b")) // expect: false
m["b"] = "again"
System.print(m["b"]) // expect: again
