// Meta.eval, compile and compileExpression run code in the calling module.
import "meta" for Meta

var counter = 1
Meta.eval("counter = counter + 41")
System.print(counter) // expect: 42

// Variables and classes defined by eval are module variables.
Meta.eval("var fromEval = \"defined\"")
Meta.eval("System.print(fromEval)") // expect: defined
Meta.eval("class Greeter { static greet(name) { \"hello \%(name)\" } }")
Meta.eval("System.print(Greeter.greet(\"meta\"))") // expect: hello meta

// eval inside functions and methods still sees the module's variables.
var bump = Fn.new { Meta.eval("counter = counter * 2") }
bump.call()
System.print(counter) // expect: 84
class Runner {
  static run() { Meta.eval("counter = -counter") }
}
Runner.run()
System.print(counter) // expect: -84

// Many new variables in a row (the module's storage grows).
for (i in 0...50) Meta.eval("var generated%(i) = %(i) * %(i)")
Meta.eval("System.print(generated49)") // expect: 2401
System.print(counter) // expect: -84

// compile returns a Fn that runs the code each time it is called.
var step = Meta.compile("counter = counter + 1")
System.print(step is Fn) // expect: true
step.call()
step.call()
System.print(counter) // expect: -82

// compileExpression returns a Fn that evaluates one expression.
var expr = Meta.compileExpression("counter * 10")
System.print(expr is Fn) // expect: true
System.print(expr.call()) // expect: -820
counter = 3
System.print(expr.call()) // expect: 30
System.print(Meta.compileExpression("[1, 2, 3].map {|x| x * x }.toList").call()) // expect: [1, 4, 9]
System.print(Meta.compileExpression("\"abc\".count").call()) // expect: 3

// A compile error in eval becomes a runtime error; nothing runs.
var caught = Fiber.new { Meta.eval("counter = ") }.try()
System.print(caught) // expect: Could not compile source code.
System.print(counter) // expect: 3

// Runtime errors in evaluated code propagate to the caller.
System.print(Fiber.new { Meta.eval("Fiber.abort(\"from eval\")") }.try()) // expect: from eval
System.print(Fiber.new { Meta.eval("null.foo") }.try()) // expect: Null does not implement 'foo'.

// Non-string sources.
System.print(Fiber.new { Meta.eval(42) }.try()) // expect: Source code must be a string.
System.print(Fiber.new { Meta.compile(null) }.try()) // expect: Source code must be a string.
System.print(Fiber.new { Meta.compileExpression([1]) }.try()) // expect: Source code must be a string.
