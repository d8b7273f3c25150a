System.print(1 is Num) // expect: true
System.print(1 is 2) // expect runtime error: Right operand must be a class.
