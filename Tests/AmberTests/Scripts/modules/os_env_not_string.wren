import "os" for Process

Process.env(null) // expect runtime error: Variable name must be a string.
