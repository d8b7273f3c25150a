var list = ["a"]
list[-2] = "b" // expect runtime error: Subscript out of bounds.
