var s = "abc"
System.print(s[2]) // expect: c
System.print(s[3]) // expect runtime error: Subscript out of bounds.
