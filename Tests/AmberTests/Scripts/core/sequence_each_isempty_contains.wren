var out = []
["one", "two", "three"].each {|w| out.add(w.count) }
System.print(out) // expect: [3, 3, 5]

var total = 0
(1..4).each {|n| total = total + n }
System.print(total) // expect: 10

System.print([].isEmpty) // expect: true
System.print([0].isEmpty) // expect: false
System.print({}.isEmpty) // expect: true
System.print((1...1).isEmpty) // expect: true
System.print([1, 2].where {|n| n > 5 }.isEmpty) // expect: true

System.print([1, 2, 3].contains(2)) // expect: true
System.print((1..3).map {|n| n * 3 }.contains(9)) // expect: true
System.print("hello".contains("ell")) // expect: true
