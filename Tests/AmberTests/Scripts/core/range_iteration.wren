var r = 1..5
System.print(r.count) // expect: 5
System.print(r.contains(3)) // expect: true
System.print(r.contains(6)) // expect: false
System.print(r.map {|x| x * x }.toList) // expect: [1, 4, 9, 16, 25]
System.print(r.where {|x| x % 2 == 1 }.toList) // expect: [1, 3, 5]
System.print((10...7).toList) // expect: [10, 9, 8]
System.print(r.iterate(null)) // expect: 1
System.print(r.iterate(1)) // expect: 2
System.print(r.iterate(5)) // expect: false
System.print(r.iteratorValue(3)) // expect: 3
System.print((5...5).iterate(null)) // expect: false
System.print((0..0).isEmpty) // expect: false
System.print((0...0).isEmpty) // expect: true
