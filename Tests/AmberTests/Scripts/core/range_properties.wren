var r = 2..6
System.print(r.from) // expect: 2
System.print(r.to) // expect: 6
System.print(r.min) // expect: 2
System.print(r.max) // expect: 6
System.print(r.isInclusive) // expect: true

var down = 9...3
System.print(down.from) // expect: 9
System.print(down.to) // expect: 3
System.print(down.min) // expect: 3
System.print(down.max) // expect: 9
System.print(down.isInclusive) // expect: false

System.print((1.5..4).from) // expect: 1.5
System.print(r) // expect: 2..6
System.print(down) // expect: 9...3
System.print(r.toString == "2..6") // expect: true
System.print((1..3) == (1..3)) // expect: true
