var ages = {"ann": 31, "bob": 27}
System.print(ages["ann"]) // expect: 31
System.print(ages["zed"]) // expect: null
System.print(ages.count) // expect: 2

ages["cat"] = 45
ages["ann"] = 32
System.print(ages.count) // expect: 3
System.print(ages["ann"]) // expect: 32
System.print(ages["cat"] = 46) // expect: 46

var m = Map.new()
System.print(m.count) // expect: 0
m[1] = "num key"
m[1.0] = "same num key"
System.print(m.count) // expect: 1
System.print(m[1]) // expect: same num key

// Ranges, classes, bools and null are valid keys.
m[1..3] = "range"
m[String] = "class"
m[false] = "bool"
m[null] = "null"
System.print(m[1..3]) // expect: range
System.print(m[1...3]) // expect: null
System.print(m[String]) // expect: class
System.print(m[false]) // expect: bool
System.print(m[null]) // expect: null
System.print(m.count) // expect: 5
