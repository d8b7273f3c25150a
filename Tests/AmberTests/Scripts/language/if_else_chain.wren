var classify = Fn.new {|n|
  if (n < 0) {
    return "negative"
  } else if (n == 0) {
    return "zero"
  } else if (n < 10) {
    return "small"
  } else {
    return "large"
  }
}

System.print(classify.call(-5)) // expect: negative
System.print(classify.call(0)) // expect: zero
System.print(classify.call(7)) // expect: small
System.print(classify.call(99)) // expect: large

// Only false and null are falsy.
if (0) System.print("0 is truthy") // expect: 0 is truthy
if ("") System.print("empty string is truthy") // expect: empty string is truthy
if ([]) System.print("empty list is truthy") // expect: empty list is truthy
if (null) System.print("not printed") else System.print("null is falsy") // expect: null is falsy
if (false) System.print("not printed") else System.print("false is falsy") // expect: false is falsy
