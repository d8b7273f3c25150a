class Base {
  construct new() { _log = ["base"] }
  log { _log }
  describe() { "Base" }
  describe(suffix) { "Base" + suffix }
}

class Derived is Base {
  construct new() {
    super()
    log.add("derived")
  }
  describe() { "Derived<" + super.describe() + ">" }
  describe(suffix) { "D:" + super(suffix) }
}

var d = Derived.new()
System.print(d.log) // expect: [base, derived]
System.print(d.describe()) // expect: Derived<Base>
System.print(d.describe("!")) // expect: D:Base!
