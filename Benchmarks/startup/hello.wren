System.print("Hello, world!")
