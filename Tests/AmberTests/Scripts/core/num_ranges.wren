var inclusive = 1..4
var exclusive = 1...4
System.print(inclusive) // expect: 1..4
System.print(exclusive) // expect: 1...4
System.print(inclusive.toList) // expect: [1, 2, 3, 4]
System.print(exclusive.toList) // expect: [1, 2, 3]
System.print((4..1).toList) // expect: [4, 3, 2, 1]
System.print((4...1).toList) // expect: [4, 3, 2]
System.print((1.5..3).toList) // expect: [1.5, 2.5]
System.print((2..2).toList) // expect: [2]
System.print((2...2).toList) // expect: []
