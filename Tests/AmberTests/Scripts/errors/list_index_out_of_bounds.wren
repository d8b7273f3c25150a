var list = [1, 2, 3]
System.print(list[2]) // expect: 3
System.print(list[-3]) // expect: 1
System.print(list[3]) // expect runtime error: Subscript out of bounds.
