// Reversed and negative ranges over strings (by code point) and lists, NaN
// and -0 through the core library. Every expectation below is what Wren 0.4's
// reference VM prints.
System.print("été"[-1..0]) // expect: été
System.print("été"[2..0]) // expect: té
System.print("abc"[-1..-3]) // expect: cba
System.print("abc"[3..-1]) // expect: 
System.print("abc"[1...1]) // expect: 
System.print("héllo"[1..3]) // expect: él
System.print("héllo"[-3...-1]) // expect: ll
System.print([1,2,3,4][-1..0]) // expect: [4, 3, 2, 1]
System.print([1,2,3,4][3...0]) // expect: [4, 3, 2]
System.print([1,2,3,4][-2..-4]) // expect: [3, 2, 1]
System.print([1,2,3,4][4..-1]) // expect: []
System.print([1,2,3][3...3]) // expect: []
System.print(Object.same(0/0, 0/0)) // expect: true
System.print(0/0 == 0/0) // expect: false
System.print(-0 == 0) // expect: true
System.print(Object.same(-0, 0)) // expect: false
System.print((0/0).toString) // expect: nan
System.print(-0) // expect: -0
System.print((-0).toString) // expect: -0
System.print([0/0].indexOf(0/0)) // expect: 0
System.print([-0].indexOf(0)) // expect: -1
System.print([1, 0/0, 2].contains(0/0)) // expect: false
System.print((1..3).contains(0/0)) // expect: false
System.print((-0).sign) // expect: 0
System.print((-0).abs) // expect: 0
System.print(1/-0) // expect: -infinity
System.print((0/0).isNan) // expect: true
System.print((0/0) < 1) // expect: false
System.print((0/0).min(1)) // expect: 1
System.print(1.min(0/0)) // expect: nan
System.print((0/0).max(1)) // expect: 1
System.print(-0.floor) // expect: -0
System.print((-0.5).round) // expect: -1
System.print((-0.5).ceil) // expect: -0
System.print((-0.4).truncate) // expect: -0
System.print((-3) % 2) // expect: -1
System.print(3 % -2) // expect: 1
System.print((-0) % 5) // expect: -0
System.print(-0.clamp(0, 1)) // expect: -0
System.print((1/0).toString) // expect: infinity
System.print((-1/0).toString) // expect: -infinity
System.print(1e300 * 1e10) // expect: infinity
System.print((-0).fraction) // expect: -0
System.print((-2.5).fraction) // expect: -0.5
System.print(Num.fromString("-0")) // expect: -0
System.print(Num.fromString("nan")) // expect: nan
System.print(Num.fromString(" 12 ")) // expect: 12
System.print("abc".indexOf("c", -1)) // expect: 2
System.print([1,2,3].take(0).toList) // expect: []
System.print((3..1).toList) // expect: [3, 2, 1]
System.print((3...1).toList) // expect: [3, 2]
System.print((1..1).toList) // expect: [1]
System.print((1...1).toList) // expect: []
System.print((-1..-3).toList) // expect: [-1, -2, -3]
System.print((0.5..3).toList) // expect: [0.5, 1.5, 2.5]
System.print((3..0.5).toList) // expect: [3, 2, 1]
