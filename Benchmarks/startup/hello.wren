System.print("hello from amber")
