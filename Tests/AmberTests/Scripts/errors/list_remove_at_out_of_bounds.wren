var list = [1, 2]
list.removeAt(2) // expect runtime error: Index out of bounds.
