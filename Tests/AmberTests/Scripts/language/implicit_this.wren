class Account {
  construct new(balance) { _balance = balance }
  balance { _balance }
  deposit(n) { _balance = _balance + n }

  // Bare lowercase names inside a method call methods on this.
  depositTwice(n) {
    deposit(n)
    deposit(n)
    return balance
  }

  // Setters can be called implicitly too.
  reset() {
    label = "reset"
    return label
  }
  label { _label }
  label=(v) { _label = v }
}

var acct = Account.new(10)
System.print(acct.depositTwice(5)) // expect: 20
System.print(acct.reset()) // expect: reset

// Inside a closure within a method, this still refers to the instance.
class Holder {
  construct new(v) { _v = v }
  v { _v }
  getter { Fn.new { v + this.v } }
}
System.print(Holder.new(21).getter.call()) // expect: 42
