System.print(this) // expect error
