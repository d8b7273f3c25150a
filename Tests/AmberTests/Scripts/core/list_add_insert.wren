var list = []
System.print(list.add("x")) // expect: x
list.add("y")
System.print(list) // expect: [x, y]
System.print(list.count) // expect: 2

System.print(list.insert(0, "start")) // expect: start
list.insert(3, "end")
System.print(list) // expect: [start, x, y, end]
list.insert(-1, "appended")
System.print(list) // expect: [start, x, y, end, appended]
list.insert(-2, "beforeLast")
System.print(list) // expect: [start, x, y, end, beforeLast, appended]

var more = [1]
System.print(more.addAll([2, 3])) // expect: [2, 3]
more.addAll(4..5)
System.print(more) // expect: [1, 2, 3, 4, 5]

var built = List.new()
built.add(built.count)
built.add(built.count)
System.print(built) // expect: [0, 1]
