#!version = 2
#!tag
#!group(name = "box", size = 3, flag = false)
#ignored = "compiled out"
class Box {
  #!doc = "makes a box"
  construct new() {}

  #!test(skip = true)
  method(a, b) {}

  #!helper
  static util() {}

  plain() {}
}

var self = Box.attributes.self
System.print(self[null]["version"]) // expect: [2]
System.print(self[null]["tag"]) // expect: [null]
System.print(self[null].containsKey("ignored")) // expect: false
System.print(self["group"]["name"]) // expect: [box]
System.print(self["group"]["size"]) // expect: [3]
System.print(self["group"]["flag"]) // expect: [false]

var methods = Box.attributes.methods
System.print(methods["method(_,_)"]["test"]["skip"]) // expect: [true]
System.print(methods["static util()"][null]["helper"]) // expect: [null]
System.print(methods.containsKey("plain()")) // expect: false

class Plain {}
System.print(Plain.attributes) // expect: null
