import "os" for Process

System.print("running") // expect: running
Process.exit(2.5) // expect runtime error: Code must be an integer.
