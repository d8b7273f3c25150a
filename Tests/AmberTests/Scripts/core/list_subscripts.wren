var list = ["a", "b", "c", "d", "e"]
System.print(list[0]) // expect: a
System.print(list[-1]) // expect: e
System.print(list[-5]) // expect: a
System.print(list[1..3]) // expect: [b, c, d]
System.print(list[1...3]) // expect: [b, c]
System.print(list[-2..-1]) // expect: [d, e]
System.print(list[3..1]) // expect: [d, c, b]
System.print(list[2...2]) // expect: []
System.print(list[5..-1]) // expect: []

var copy = list[0..-1]
copy[0] = "changed"
System.print(list[0]) // expect: a
System.print(copy[0]) // expect: changed

list[-1] = "last"
System.print(list) // expect: [a, b, c, d, last]
System.print(list[2] = "middle") // expect: middle
System.print(list) // expect: [a, b, middle, d, last]
