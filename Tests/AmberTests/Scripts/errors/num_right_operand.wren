System.print(1 + 2) // expect: 3
System.print(1 + "2") // expect runtime error: Right operand must be a number.
