// Duplicate keys accumulate values in definition order, and names as
// values become strings.
#!label = first
#!label = "second"
#!label = 3
class Multi {}

var values = Multi.attributes.self[null]["label"]
System.print(values) // expect: [first, second, 3]
System.print(values[0] is String) // expect: true

// Attributes without "!" are not kept at runtime.
#hidden
#alsoHidden = 1
class Hidden {}
System.print(Hidden.attributes) // expect: null
