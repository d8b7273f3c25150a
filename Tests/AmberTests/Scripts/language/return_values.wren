class R {
  construct new() {}
  explicit() {
    return "explicit"
  }
  bodyless() {}
  bare() {
    return
  }
  early(n) {
    if (n > 0) return "positive"
    return "not positive"
  }
  expressionBody { 1 + 2 }
}

var r = R.new()
System.print(r.explicit()) // expect: explicit
System.print(r.bodyless()) // expect: null
System.print(r.bare()) // expect: null
System.print(r.early(3)) // expect: positive
System.print(r.early(-3)) // expect: not positive
System.print(r.expressionBody) // expect: 3

// Function bodies written on one line return their expression.
System.print(Fn.new { "single" }.call()) // expect: single
// Multi-line bodies need an explicit return.
var multi = Fn.new {
  "ignored"
}
System.print(multi.call()) // expect: null
