var start = System.clock
System.print(start is Num) // expect: true
System.print(start >= 0) // expect: true
var sum = 0
for (i in 1..10000) sum = sum + i
var end = System.clock
System.print(end >= start) // expect: true
System.print(end == start) // expect: true
System.gc()
System.print("gc ok") // expect: gc ok
