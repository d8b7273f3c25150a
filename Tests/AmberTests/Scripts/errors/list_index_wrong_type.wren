var list = [1, 2, 3]
list["0"] // expect runtime error: Subscript must be a number or a range.
