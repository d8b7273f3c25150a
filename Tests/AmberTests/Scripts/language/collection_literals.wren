var empty = []
System.print(empty.count) // expect: 0
var nested = [[1, 2], [3, [4, 5]], []]
System.print(nested) // expect: [[1, 2], [3, [4, 5]], []]
System.print(nested[1][1][0]) // expect: 4

var mixed = [1, "two", null, true, 1..2]
System.print(mixed) // expect: [1, two, null, true, 1..2]

var m = {1: "one", "two": 2, true: "yes", null: "nothing"}
System.print(m[1]) // expect: one
System.print(m["two"]) // expect: 2
System.print(m[true]) // expect: yes
System.print(m[null]) // expect: nothing
System.print(m.count) // expect: 4
System.print({}.count) // expect: 0
