System.print({}) // expect: {}
System.print({"key": "value"}) // expect: {key: value}
System.print({1: [1, 2]}) // expect: {1: [1, 2]}
System.print({null: {true: false}}) // expect: {null: {true: false}}
var two = {"a": 1, "b": 2}
var s = two.toString
System.print(s == "{a: 1, b: 2}" || s == "{b: 2, a: 1}") // expect: true
System.print("%({"x": 0})") // expect: {x: 0}
