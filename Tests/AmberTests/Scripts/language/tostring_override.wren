class Money {
  construct new(cents) { _cents = cents }
  toString { "$%((_cents / 100).floor).%(_cents % 100 < 10 ? "0" : "")%(_cents % 100)" }
}

var m = Money.new(1205)
System.print(m) // expect: $12.05
System.print("Total: %(m)") // expect: Total: $12.05
System.print([m, Money.new(99)]) // expect: [$12.05, $0.99]
System.print(m.toString.count) // expect: 6

// Without an override, instances print as "instance of Name".
class Plain {
  construct new() {}
}
System.print(Plain.new()) // expect: instance of Plain
