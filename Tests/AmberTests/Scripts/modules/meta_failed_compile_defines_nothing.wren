// Code that fails to compile leaves no variable behind: the name it used
// can be defined afterwards.
import "meta" for Meta

System.print(Fiber.new { Meta.eval("System.print(later)") }.try()) // expect: Could not compile source code.
Meta.eval("var later = 5")
Meta.eval("System.print(later)") // expect: 5
System.print(Fiber.new { Meta.eval("var broken = (") }.try()) // expect: Could not compile source code.
Meta.eval("var broken = 6")
Meta.eval("System.print(broken)") // expect: 6
