System.print("ab" * 2) // expect: abab
System.print("ab" * -1) // expect runtime error: Count must be a non-negative integer.
