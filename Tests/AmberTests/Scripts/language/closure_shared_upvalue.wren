// Two closures that capture the same variable see each other's writes,
// even after the enclosing function has returned.
var getter
var setter

{
  var secret = "initial"
  getter = Fn.new { secret }
  setter = Fn.new {|v| secret = v }
  System.print(getter.call()) // expect: initial
  secret = "changed in scope"
}

System.print(getter.call()) // expect: changed in scope
setter.call("changed by setter")
System.print(getter.call()) // expect: changed by setter
