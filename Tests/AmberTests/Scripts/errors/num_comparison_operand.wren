System.print(3 < 4) // expect: true
System.print(3 < null) // expect runtime error: Right operand must be a number.
