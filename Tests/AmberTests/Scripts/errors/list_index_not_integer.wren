var list = [1, 2, 3]
list[1.5] // expect runtime error: Subscript must be an integer.
