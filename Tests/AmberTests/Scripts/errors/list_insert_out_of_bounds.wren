var list = [1, 2]
list.insert(2, "ok")
System.print(list) // expect: [1, 2, ok]
list.insert(5, "bad") // expect runtime error: Index out of bounds.
