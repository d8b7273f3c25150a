var s = "count: "
System.print(s + 1.toString) // expect: count: 1
System.print(s + 1) // expect runtime error: Right operand must be a string.
