var list = [1, 2, 3]
System.print(list[1..2]) // expect: [2, 3]
System.print(list[1..3]) // expect runtime error: Range end out of bounds.
