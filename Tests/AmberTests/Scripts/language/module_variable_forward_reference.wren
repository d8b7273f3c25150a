// A function body may refer to a capitalized module-level variable that is
// declared later, as long as it exists by the time the function runs.
var show = Fn.new { System.print(Later) }
var Later = "defined later"
show.call() // expect: defined later

// Capitalized names inside methods always resolve to module variables.
class Reader {
  construct new() {}
  read() { Config + "!" }
}
var Config = "config value"
System.print(Reader.new().read()) // expect: config value!

// A class may refer to another class declared after it.
class First {
  static partner { Second.name }
}
class Second {}
System.print(First.partner) // expect: Second
