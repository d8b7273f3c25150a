// Meta.getModuleVariables lists a loaded module's top-level variables.
import "meta" for Meta
import "random" for Random

var names = Meta.getModuleVariables("./modules/meta_module_variables")
System.print(names is List) // expect: true
System.print(names.contains("names")) // expect: true
System.print(names.contains("Meta")) // expect: true
System.print(names.contains("Random")) // expect: true
System.print(names.contains("System")) // expect: true
System.print(names.contains("String")) // expect: true
System.print(names.contains("declaredBelow")) // expect: true
System.print(names.contains("Counter")) // expect: true
System.print(names.contains("missing")) // expect: false

// A fresh list each time: changing it changes nothing.
names.clear()
System.print(Meta.getModuleVariables("./modules/meta_module_variables").contains("names")) // expect: true

// Built-in modules are modules too, once imported.
var randomNames = Meta.getModuleVariables("random")
System.print(randomNames.contains("Random")) // expect: true
System.print(Meta.getModuleVariables("meta").contains("Meta")) // expect: true

// Variables added by eval show up.
Meta.eval("var addedLater = 1")
System.print(Meta.getModuleVariables("./modules/meta_module_variables").contains("addedLater")) // expect: true

System.print(Fiber.new { Meta.getModuleVariables(1) }.try()) // expect: Module name must be a string.
System.print(Fiber.new { Meta.getModuleVariables("nowhere") }.try()) // expect: Could not find a module named 'nowhere'.
System.print(Fiber.new { Meta.getModuleVariables("os") }.try()) // expect: Could not find a module named 'os'.

var declaredBelow = true

class Counter {
  static count { __count }
  static count=(value) { __count = value }
}
Counter.count = 1
System.print(Counter.count) // expect: 1
